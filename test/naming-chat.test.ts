import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Session } from '#ccbot/sessions.js';
import { ME, newSession, startChatWorld, type ChatWorld, type ChatWorldOptions } from './chat-fixture.js';
import type { ChatMessage } from './fake-telegram-chats.js';
import { readJsonLines } from './fake-claude.js';

interface Ctx { world?: ChatWorld; printLog: string }
const chat = suite<Ctx>('session names from the chat: /rename, titles, --name, the host label');
chat.before.each((ctx) => {
  ctx.printLog = join(mkdtempSync(join(tmpdir(), 'ccbot-naming-')), 'print.jsonl');
});
chat.after.each(async (ctx) => {
  await ctx.world?.close();
  ctx.world = undefined;
  rmSync(join(ctx.printLog, '..'), { recursive: true, force: true });
});

const TITLE = 'Login redirect loop';
/** The whole product; its stand-in `claude -p` answers TITLE and records each call in ctx.printLog. */
async function world(ctx: Ctx, options: ChatWorldOptions = {}): Promise<ChatWorld> {
  ctx.world = await startChatWorld({ ...options, claudeEnv: { FAKE_CLAUDE_TITLE: TITLE, FAKE_CLAUDE_PRINT_LOG: ctx.printLog } });
  return ctx.world;
}
const printCalls = (ctx: Ctx) => (existsSync(ctx.printLog) ? readJsonLines<{ args: string[]; prompt: string }>(ctx.printLog) : []);

type Button = { text: string; callback_data?: string };
const buttonsOf = (m: ChatMessage | undefined): Button[] => ((m?.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? []).flat();
const current = (w: ChatWorld, m: ChatMessage) => w.fake.messages(ME.id).find((x) => x.message_id === m.message_id)!;
const sessionsOf = (w: ChatWorld) =>
  Object.values((JSON.parse(readFileSync(join(w.root, 'state', 'state.json'), 'utf8')) as { sessions: Record<string, Session> }).sessions);
const named = (w: ChatWorld, dir: string) => sessionsOf(w).find((s) => s.workdir === dir && s.status === 'active');

/** Asks until `find` answers: state.json, files and tmux change without a Telegram call. */
async function until<T>(find: () => T | undefined | false | Promise<T | undefined>, label: string, timeoutMs = 15_000): Promise<T> {
  for (const end = Date.now() + timeoutMs; ; ) {
    const found = await find();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
function press(w: ChatWorld, m: ChatMessage, label: RegExp): void {
  const found = buttonsOf(current(w, m)).find((b) => label.test(b.text));
  if (!found?.callback_data) throw new Error(`no button ${label}: ${JSON.stringify(buttonsOf(current(w, m)).map((b) => b.text))}`);
  w.fake.userPresses(ME, m.message_id, found.callback_data);
}
async function turnAutoNamingOn(w: ChatWorld): Promise<void> {
  w.say('/settings');
  const screen = await w.botSays(/Settings/);
  press(w, screen, /^✗ Name new sessions/);
  await w.fake.waitFor(() => buttonsOf(current(w, screen)).some((b) => b.text.startsWith('✓ Name new sessions')), 5_000, 'auto-naming on');
}

chat('/rename: how without a name, a clear refusal for a bad one; the new name shows in the switcher and /list, and a '
  + 'Restore starts Claude with --name', async (ctx) => {
  const w = await world(ctx);
  const dir = await newSession(w, 'api');
  w.say('hello');
  await w.botSays(/echo: hello/);
  w.say('/rename');
  await w.botSays('Send /rename <name>.');
  w.say(`/rename ${'x'.repeat(41)}`);
  await w.botSays(/1 to 40 characters/);
  w.say('/rename Login fix');
  const done = await w.botSays(/^Renamed: Login fix$/);
  assert.ok(buttonsOf(done).some((b) => b.text === '✓ Login fix'), JSON.stringify(buttonsOf(done)));
  assert.equal([named(w, dir)?.name, named(w, dir)?.named], ['Login fix', 'hand'], 'saved at once');
  w.say('/list');
  assert.match((await w.botSays(/Login fix/)).text, dir);

  w.say('/done');
  await w.botSays(/Archived Login fix/);
  w.say('/archive');
  const list = await w.botSays(/Archive/);
  press(w, list, /Restore/);
  await w.botSays(/Restored Login fix/);
  const pid = await until(() => paneOf(w, 'Login fix'), 'the restored window');
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  assert.equal(argv.slice(argv.indexOf('--name'), argv.indexOf('--name') + 2), ['--name', 'Login fix'], argv.join(' '));
});

chat('auto-naming: off by default (no claude -p); on, the first answer names the session with the stand-in '
  + 'claude -p\'s title, once', async (ctx) => {
  const w = await world(ctx);
  const api = await newSession(w, 'api');
  w.say('the login page redirects in a loop');
  await w.botSays(/echo: the login page/);
  await turnAutoNamingOn(w);
  const web = await newSession(w, 'web');
  w.say('the login page redirects in a loop');
  await w.botSays(/echo: the login page/);
  await until(() => named(w, web)?.name === TITLE, 'web named');
  assert.is(named(w, api)?.name, 'api', 'its first answer came while auto-naming was off');
  const calls = printCalls(ctx);
  assert.is(calls.length, 1, 'claude -p ran once, for web');
  assert.equal(calls[0]!.args.slice(0, 3), ['-p', '--model', 'haiku']);
  assert.match(calls[0]!.prompt, 'the login page redirects in a loop');
  w.say('/list');
  assert.match((await w.botSays(TITLE)).text, TITLE);
  w.say('again');
  await w.botSays(/echo: again/);
  assert.is(named(w, web)?.name, TITLE);
  assert.is(printCalls(ctx).length, 1, 'named once');
});

chat('Claude Code\'s own title (ai-title) names the session without running claude -p', async (ctx) => {
  const w = await world(ctx);
  await turnAutoNamingOn(w);
  const dir = await newSession(w, 'api');
  w.say('title: Cookie path fix');
  await w.botSays(/titled: Cookie path fix/);
  await until(() => named(w, dir)?.name === 'Cookie path fix', 'named by the ai-title');
  assert.equal(printCalls(ctx), []);
});

chat('CCBOT_HOST_LABEL: the switcher shows it above the sessions, and a background notice starts with it', async (ctx) => {
  const w = await world(ctx, { daemonEnv: { CCBOT_HOST_LABEL: 'vps-1' } });
  await newSession(w, 'bg');
  const started = w.fake.lastBotMessage(ME.id)!;
  assert.equal(buttonsOf(started)[0]?.text, '🖥 vps-1');
  await newSession(w, 'fg');
  w.say('slow: 1', started.message_id);
  await w.botSays(/^\[vps-1\] bg: finished\./, 20_000);
});

async function paneOf(w: ChatWorld, name: string): Promise<number | undefined> {
  const listed = await w.tmux.tmux(['list-windows', '-t', '=ccbot-test', '-F', '#{pane_pid} #{window_name}']);
  const line = (listed.ok ? listed.stdout : '').split('\n').find((l) => l.endsWith(` ${name}`));
  return line ? Number(line.split(' ')[0]) : undefined;
}

chat.run();
