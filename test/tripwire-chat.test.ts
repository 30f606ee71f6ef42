/**
 * The tripwire from the chat: the real daemon, the fake Bot API and the stand-in claude in bypass mode (ccbot's
 * default CLAUDE_FLAGS), which runs ccbot's PreToolUse hook for its Bash tool as Claude Code 2.1.328 does. The person
 * reads the command and taps; the answer Claude gives shows whether the command ran ("ran: fake-claude does not run
 * commands: …", the stand-in's stand-in for running it) or what it was told.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execRun } from '#ccbot/exec.js';
import { ME, newSession, startChatWorld, type ChatWorld } from './chat-fixture.js';
import { MAIN_JS } from './daemon-fixture.js';
import type { ChatMessage } from './fake-telegram-chats.js';

interface Ctx { world: ChatWorld }
type Button = { text: string; callback_data?: string };

const ASKED = /Claude wants to run this command, which is on ccbot's tripwire/;
const buttonsOf = (m: ChatMessage): Button[] =>
  ((m.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? []).flat();
const current = (world: ChatWorld, m: ChatMessage) => world.fake.messages(ME.id).find((x) => x.message_id === m.message_id)!;
const asks = (world: ChatWorld) => world.fake.messages(ME.id).filter((m) => m.from_bot && ASKED.test(m.text));
const approvalsLeft = (world: ChatWorld) => {
  const dir = join(world.root, 'state', 'approvals');
  return existsSync(dir) ? readdirSync(dir) : [];
};

function tap(world: ChatWorld, m: ChatMessage, label: RegExp, force = false): void {
  const found = buttonsOf(current(world, m)).find((b) => label.test(b.text)) ?? (force ? buttonsOf(m).find((b) => label.test(b.text)) : undefined);
  if (!found?.callback_data) throw new Error(`no button ${label}: ${JSON.stringify(buttonsOf(current(world, m)))}`);
  world.fake.userPresses(ME, m.message_id, found.callback_data, { force });
}

/** The message now says `outcome`, below what it asked, and has no buttons left. */
async function saysDecided(world: ChatWorld, ask: ChatMessage, outcome: string): Promise<void> {
  const decided = await world.fake.waitFor((f) => {
    const m = f.messages(ME.id).find((x) => x.message_id === ask.message_id);
    return m?.text.endsWith(outcome) ? m : undefined;
  }, 20_000, `the question says "${outcome}"`);
  assert.ok(decided.text.startsWith(ask.text), decided.text);
  assert.equal(buttonsOf(decided), []);
}

const asking = suite<Ctx>('the tripwire asks the owner, in bypass mode');
asking.before.each(async (ctx) => {
  ctx.world = await startChatWorld();
});
asking.after.each((ctx) => ctx.world.close());

asking('Deny: the command does not run, Claude is told why, and the message says what was decided', async ({ world }) => {
  await newSession(world, 'risky');
  world.say('bash: rm -rf ~');
  const ask = await world.botSays(ASKED, 20_000);
  assert.is(ask.text, "🛑 risky\nClaude wants to run this command, which is on ccbot's tripwire:\nrm -rf ~");
  assert.equal(buttonsOf(ask).map((b) => b.text), ['✅ Allow once', '🚫 Deny']);
  tap(world, ask, /Deny/);
  const answer = await world.botSays(/^ran: /, 20_000);
  assert.match(answer.text, /^ran: PreToolUse:Bash hook error: ccbot's tripwire: the user denied rm -rf ~: do not run it/);
  await saysDecided(world, ask, '🚫 Denied.');
  assert.equal(approvalsLeft(world), []);
});

asking('Allow once: the command runs; the next one is asked again; a late tap is told the request is closed', async ({ world }) => {
  await newSession(world, 'deploy');
  world.say('bash: git push --force');
  const ask = await world.botSays(ASKED, 20_000);
  tap(world, ask, /Allow once/);
  await world.botSays(/^ran: fake-claude does not run commands: git push --force$/, 20_000);
  await saysDecided(world, ask, '✅ Allowed once.');

  tap(world, ask, /Deny/, true); // a second tap, from a client that still showed the buttons
  const closed = await world.botSays(/This request is already closed/);
  assert.is(closed.reply_to_message_id, ask.message_id);

  world.say('bash: git push --force');
  const again = await world.botSays(ASKED, 20_000);
  assert.is.not(again.message_id, ask.message_id);
  tap(world, again, /Deny/);
  await world.botSays(/the user denied/, 20_000);
  assert.equal(approvalsLeft(world), []);
});

asking('a command not on the tripwire: no question, no file, the answer as usual', async ({ world }) => {
  await newSession(world, 'plain');
  world.say('bash: echo fine');
  await world.botSays(/^ran: fine$/, 20_000);
  world.say('bash: rm -rf build/');
  await world.botSays(/^ran: fake-claude does not run commands: rm -rf build\/$/, 20_000);
  assert.equal(asks(world), []);
  assert.equal(approvalsLeft(world), []);
});

asking('a request naming another chat than the session\'s owner: denied, and nobody is asked', async ({ world }) => {
  await newSession(world, 'mine');
  const state = JSON.parse(readFileSync(join(world.root, 'state', 'state.json'), 'utf8'));
  const sessionId = Object.keys(state.sessions)[0]!;
  const input = JSON.stringify({ hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'rm -rf ~' } });
  const env = { PATH: process.env.PATH, CCBOT_DIR: join(world.root, 'state'), CCBOT_SESSION_ID: sessionId, CCBOT_CHAT_ID: '2002' };
  const run = await execRun(process.execPath, [MAIN_JS, 'hook'], { env, input, timeoutMs: 30_000 });
  const decision = JSON.parse(run.ok ? run.stdout : '{}').hookSpecificOutput;
  assert.is(decision?.permissionDecision, 'deny', JSON.stringify(run));
  assert.match(decision.permissionDecisionReason, 'ccbot could not ask the user');
  assert.equal(asks(world), []);
  assert.equal(approvalsLeft(world), []);
});

asking('a daemon killed while asking: the next one asks again, and that answer counts', async ({ world }) => {
  await newSession(world, 'restart');
  world.say('bash: git reset --hard');
  await world.botSays(ASKED, 20_000);
  await world.restartDaemon('SIGKILL');
  const again = await world.botSays(ASKED, 20_000);
  tap(world, again, /Allow once/);
  await world.botSays(/^ran: fake-claude does not run commands: git reset --hard$/, 20_000);
  await saysDecided(world, again, '✅ Allowed once.');
});

asking.run();

const timeout = suite<Ctx>('the tripwire without an answer');
timeout.before.each(async (ctx) => {
  ctx.world = await startChatWorld({ daemonEnv: { CCBOT_TRIPWIRE_TIMEOUT: '2s' } });
});
timeout.after.each((ctx) => ctx.world.close());

timeout('no answer within CCBOT_TRIPWIRE_TIMEOUT: denied, Claude is told why, the message says so', async ({ world }) => {
  await newSession(world, 'idle');
  world.say('bash: rm -rf ..');
  const ask = await world.botSays(ASKED, 20_000);
  const answer = await world.botSays(/^ran: /, 30_000);
  assert.match(answer.text, "ccbot's tripwire: denied: no answer from the user within 2 s");
  await saysDecided(world, ask, '🚫 Denied: no answer in time.');
});

timeout.run();

const off = suite<Ctx>('CCBOT_TRIPWIRE=off');
off.before.each(async (ctx) => {
  ctx.world = await startChatWorld({ daemonEnv: { CCBOT_TRIPWIRE: 'off' } });
});
off.after.each((ctx) => ctx.world.close());

off('nothing is asked: the command goes ahead as in any bypass session', async ({ world }) => {
  await newSession(world, 'trusting');
  world.say('bash: rm -rf ~');
  await world.botSays(/^ran: fake-claude does not run commands: rm -rf ~$/, 20_000);
  assert.equal(asks(world), []);
  const settings = JSON.parse(readFileSync(join(world.root, 'state', 'claude-settings.json'), 'utf8'));
  assert.not.ok('PreToolUse' in settings.hooks);
});

off.run();
