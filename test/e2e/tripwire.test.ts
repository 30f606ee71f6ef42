/**
 * The tripwire with the real Claude Code CLI in bypass mode (ccbot's default CLAUDE_FLAGS): its Bash tool runs
 * ccbot's PreToolUse hook, the person taps in the chat, and the command really runs, or really does not.
 * `chmod -R 777 .` is on the built-in list and harmless in a temp workdir: the mode of a file there tells.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatMessage } from '../fake-telegram-chats.js';
import { findClaudeCli, ME, startE2EWorld, type E2EWorld } from './claude-world.js';

const cli = findClaudeCli();
const e2e = suite<{ world: E2EWorld }>('the tripwire with the real Claude Code CLI');
e2e.before.each(async (ctx) => {
  if (cli) ctx.world = await startE2EWorld(cli);
});
e2e.after.each(async (ctx) => {
  await ctx.world?.close();
});

const ASKED = /Claude wants to run this command, which is on ccbot's tripwire/;
type Button = { text: string; callback_data?: string };

function tap(world: E2EWorld, m: ChatMessage, label: RegExp): void {
  const buttons = ((m.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? []).flat();
  const found = buttons.find((b) => label.test(b.text));
  if (!found?.callback_data) throw new Error(`no button ${label}: ${JSON.stringify(buttons)}`);
  world.fake.userPresses(ME, m.message_id, found.callback_data);
}

e2e('Deny: not run, and Claude reads why; Allow once: run', async ({ world }) => {
  if (!cli) return; // real-claude.test.ts says it was skipped
  const dir = world.workdir('alpha');
  const file = join(dir, 'kept.txt');
  writeFileSync(file, 'mine', { mode: 0o644 });
  world.say(`/new ${dir}`);
  await world.botSays(/started/);

  world.say('bash: chmod -R 777 .');
  const ask = await world.botSays(ASKED, 60_000);
  assert.match(ask.text, /^🛑 alpha\n.*\nchmod -R 777 \.$/s);
  tap(world, ask, /Deny/);
  const denied = await world.botSays(/^ran: /, 60_000);
  assert.match(denied.text, "ccbot's tripwire: the user denied chmod -R 777 .");
  assert.is(statSync(file).mode & 0o777, 0o644, 'not run');

  world.say('bash: chmod -R 777 .');
  const again = await world.botSays(ASKED, 60_000);
  tap(world, again, /Allow once/);
  await world.botSays(/^ran: /, 60_000);
  assert.is(statSync(file).mode & 0o777, 0o777, 'run');
});

e2e.run();
