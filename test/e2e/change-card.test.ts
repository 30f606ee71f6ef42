/**
 * The change card with the real Claude Code CLI: in a git work tree, a turn whose Bash call writes two files ends with
 * an answer that says so and carries 📄, whose patch applies to the tree before the turn; a turn that changes nothing
 * has no line. The 📄 stays on its answer when a newer message takes the chat's buttons.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findClaudeCli, ME, startE2EWorld, type E2EWorld } from './claude-world.js';

const cli = findClaudeCli();
const e2e = suite<{ world: E2EWorld }>('the change card with the real Claude Code CLI');
e2e.before.each(async (ctx) => {
  if (cli) ctx.world = await startE2EWorld(cli);
});
e2e.after.each(async (ctx) => {
  await ctx.world?.close();
});

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' });
type Button = { text: string; callback_data?: string };
const buttonsOf = (m: { reply_markup?: object } | undefined): Button[] => ((m?.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? []).flat();

e2e('a turn that writes two files: the line and 📄, a patch that applies to the tree before it; no change, no line', async ({ world }) => {
  if (!cli) return; // real-claude.test.ts says it was skipped
  const repo = world.workdir('alpha');
  writeFileSync(join(repo, 'one.txt'), 'first\n');
  git(repo, 'init', '-q');
  git(repo, 'add', '-A');
  git(repo, 'commit', '-qm', 'before');
  world.say(`/new ${repo}`);
  await world.botSays(/started/);

  world.say("bash: printf 'changed\\n' > one.txt && printf 'a\\nb\\n' > two.txt && echo wrote");
  const answer = await world.botSays(/^ran: wrote/, 60_000);
  assert.match(answer.text, /📝 2 files changed, \+3 −1 \(one\.txt, two\.txt\)$/);
  const patchButton = buttonsOf(answer).find((b) => b.text === '📄 .patch');
  assert.ok(patchButton, JSON.stringify(buttonsOf(answer)));

  world.fake.userPresses(ME, answer.message_id, patchButton.callback_data!);
  const document = await world.fake.waitFor((f) => f.messages(ME.id).find((m) => m.from_bot && m.kind === 'document'), 15_000, 'the patch');
  assert.match(document.document!.file_name ?? '', /^alpha-\d+\.patch$/);
  const patch = world.fake.fileContent(document.document!.file_id)!.toString('utf8');
  const copy = join(world.root, 'copy');
  git(world.root, 'clone', '-q', repo, copy); // the tree before the turn: its commit, nothing changed since
  writeFileSync(join(copy, 'turn.patch'), patch);
  git(copy, 'apply', '--check', 'turn.patch'); // throws when it does not apply
  git(copy, 'apply', 'turn.patch');
  assert.is(readFileSync(join(copy, 'two.txt'), 'utf8'), 'a\nb\n');

  world.say('echo: nothing to change');
  const plain = await world.botSays(/^nothing to change/, 60_000);
  assert.not.match(plain.text, /📝/);
  assert.not.ok(buttonsOf(plain).some((b) => b.text === '📄 .patch'));
  // The answer before lost the chat's buttons to the newer message, but keeps its 📄.
  await world.fake.waitFor((f) => {
    const buttons = buttonsOf(f.messages(ME.id).find((m) => m.message_id === answer.message_id));
    return buttons.length === 1 && buttons[0]!.text === '📄 .patch' ? true : undefined;
  }, 10_000, 'the 📄 alone on the first answer');
});

e2e.run();
