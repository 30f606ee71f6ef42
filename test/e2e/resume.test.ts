/**
 * /resume against a conversation the real Claude Code CLI made outside ccbot (`claude -p` in a work folder): it is
 * listed with its first prompt, and opening it continues the same conversation — the next prompt lands in the same
 * transcript file, and the answer arrives in the chat.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { execRun } from '#ccbot/exec.js';
import { parseLines } from '#ccbot/transcript.js';
import { claudeEnv, readTranscriptLines } from './claude-cli.js';
import { findClaudeCli, ME, startE2EWorld, type E2EWorld } from './claude-world.js';

const cli = findClaudeCli();
const e2e = suite<{ world: E2EWorld }>('/resume of a desk conversation with the real Claude Code CLI');
e2e.before.each(async (ctx) => {
  if (cli) ctx.world = await startE2EWorld(cli);
});
e2e.after.each(async (ctx) => {
  await ctx.world?.close();
});

/** The typed prompts of a transcript, as ccbot's parser reads them. */
const promptsOf = (path: string) => parseLines(readTranscriptLines(path).map((l) => JSON.stringify(l)), {}).events
  .flatMap((e) => (e.kind === 'prompt' ? [e.text] : []));

e2e('a `claude -p` conversation is listed with its first prompt; opened, it goes on in the same transcript', async ({ world }) => {
  if (!cli) return; // real-claude.test.ts says it was skipped
  const dir = world.workdir('beta');
  const printed = await execRun(cli, ['-p', 'echo: desk-1'], { env: claudeEnv(world.root, world.api.url), cwd: dir, timeoutMs: 60_000 });
  assert.ok(printed.ok, printed.ok ? '' : printed.error);
  assert.match(printed.stdout, 'desk-1');
  const project = join(world.root, '.claude', 'projects', dir.replace(/[^A-Za-z0-9]/g, '-'));
  const files = readdirSync(project).filter((f) => f.endsWith('.jsonl'));
  assert.is(files.length, 1, files.join(' '));
  const transcript = join(project, files[0]!);

  world.say('/resume');
  const list = await world.botSays(/Claude conversations/);
  assert.match(list.text, dir);
  assert.match(list.text, 'echo: desk-1');
  const rows = (list.reply_markup as { inline_keyboard?: { text: string; callback_data?: string }[][] }).inline_keyboard ?? [];
  const open = rows.flat().find((b) => /^beta · echo: desk-1/.test(b.text));
  assert.ok(open?.callback_data, JSON.stringify(rows));
  world.fake.userPresses(ME, list.message_id, open.callback_data);
  await world.botSays(/started in/);

  world.say('echo: from the phone');
  await world.botSays(/^from the phone$/, 60_000);
  assert.equal(promptsOf(transcript), ['echo: desk-1', 'echo: from the phone'], 'the same conversation, the same file');
  assert.equal(readdirSync(project).filter((f) => f.endsWith('.jsonl')), files, 'no second transcript');
});

e2e.run();
