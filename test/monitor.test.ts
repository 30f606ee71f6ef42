import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setLevel, setSink } from '#ccbot/log.cjs';
import { Monitor, MONITOR_STATE_FILE } from '#ccbot/monitor.js';
import { LiveOutput } from '#ccbot/output.js';
import type { SessionMap } from '#ccbot/session-map.cjs';
import type { Session } from '#ccbot/sessions.js';
import type { SendResult } from '#ccbot/telegram.js';

const CREATED = Date.now() - 60_000;
const CLAUDE_ID = '2061e677-6298-4b4d-a740-c2bde142a0dc';
let n = 0;
/** A transcript line stamped after the session was created. */
const entry = (fields: object) => JSON.stringify({ parentUuid: null, isSidechain: false, uuid: `u${n++}`, timestamp: new Date(CREATED + 1_000 + n).toISOString(), ...fields });
const prompt = (text: string) => entry({ type: 'user', message: { role: 'user', content: text } });
const answer = (text: string) => entry({ type: 'assistant', message: { role: 'assistant', model: 'm', content: [{ type: 'text', text }], stop_reason: 'end_turn' } });
const asking = () => entry({ type: 'assistant', message: { role: 'assistant', model: 'm', content: [{ type: 'tool_use', id: `t${n}`, name: 'AskUserQuestion', input: { questions: [] } }], stop_reason: 'tool_use' } });
const turns = (...answers: string[]) => answers.flatMap((a) => [prompt(`q ${a}`), answer(a)]).map((l) => `${l}\n`).join('');

function session(id: string, windowId: string): Session {
  return {
    id, name: id, workdir: '/w', windowId, claudeSessionId: null, status: 'active', createdAt: CREATED, lastActivityAt: CREATED,
    archivedAt: null, archiveReason: null, ownerUserId: 1,
  };
}

type Outcome = 'ok' | 'uncertain' | 'network';
interface Ctx {
  dir: string;
  live: Session[];
  active: string;
  map: SessionMap;
  /** What reached the chat, in order (answers and notices). */
  chat: string[];
  /** Attempts, in order, whatever their outcome. */
  attempts: string[];
  /** Outcomes of the next sends; 'ok' once used up. */
  outcomes: Outcome[];
  /** When set, a send waits for it. */
  gate: Promise<void> | undefined;
  logs: string[];
  /** Passes the monitor has ended (each asks the output what it tracks, once, at its end). */
  passes: number;
}

const test = suite<Ctx>('Monitor');
let restoreSink: (line: string) => void;
test.before.each((ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'ccbot-monitor-'));
  ctx.live = [session('s1', '@1')];
  ctx.active = 's1';
  ctx.map = {};
  ctx.chat = [];
  ctx.attempts = [];
  ctx.outcomes = [];
  ctx.gate = undefined;
  ctx.logs = [];
  ctx.passes = 0;
  setLevel('debug');
  restoreSink = setSink((line) => ctx.logs.push(line));
  transcriptOf(ctx, '@1', 'a');
  // As after the daemon's first run: a monitor_state.json that says what was delivered.
  writeFileSync(join(ctx.dir, MONITOR_STATE_FILE), JSON.stringify({ version: 1, follows: {} }));
});
test.after.each((ctx) => {
  setSink(restoreSink);
  setLevel('info');
  rmSync(ctx.dir, { recursive: true, force: true });
});

/** Points the window's map entry at transcript `name` (as the hook does after /clear); returns its path. */
function transcriptOf(ctx: Ctx, windowId: string, name: string, content = ''): string {
  const path = join(ctx.dir, `${name}.jsonl`);
  if (!existsSync(path)) writeFileSync(path, content);
  ctx.map[`ccbot:${windowId}`] = { session_id: CLAUDE_ID, cwd: '/w', window_name: 'w', transcript_path: path };
  return path;
}
const write = (ctx: Ctx, text: string, name = 'a') => appendFileSync(join(ctx.dir, `${name}.jsonl`), text);
const saved = (ctx: Ctx) => JSON.parse(readFileSync(join(ctx.dir, MONITOR_STATE_FILE), 'utf8'));

/** A daemon's monitor and output over the test's files, with a fake Telegram that records what it is asked. */
function daemon(ctx: Ctx, now?: () => number) {
  let messageId = 1;
  const deliver = async (html: string): Promise<SendResult> => {
    ctx.attempts.push(html);
    await ctx.gate;
    const outcome = ctx.outcomes.shift() ?? 'ok';
    if (outcome !== 'ok') return { ok: false, kind: outcome, error: outcome, deliveredIds: [] };
    ctx.chat.push(html);
    return { ok: true, messageIds: [messageId++] };
  };
  const output = new LiveOutput({
    users: { activeSession: () => ctx.live.find((s) => s.id === ctx.active), rememberMessage: () => {} },
    telegram: {
      send: (_chat, html) => deliver(html),
      sendNewest: (_chat, html, options) => (options.silent ? Promise.resolve({ ok: true, messageIds: [messageId++] }) : deliver(html)),
      isNewest: () => false,
      edit: async () => ({ ok: true }),
      stripKeyboard: async () => {},
      sendDocument: async () => ({ ok: true, messageIds: [messageId++] }),
    },
    switcher: () => ({ inline_keyboard: [] }),
    capture: async () => null,
    settingsOf: () => ({ idleHours: 12, notify: { done: true, error: true, input: true }, lang: 'auto', autoName: false }),
    langOf: () => 'en',
    save: () => monitor.save(),
    stallMs: 3_600_000,
  });
  const monitor = new Monitor({
    ccbotDir: ctx.dir, tmuxSession: 'ccbot', claudeConfigDir: ctx.dir, sessions: { live: () => ctx.live },
    readMap: () => ctx.map, pollMs: 10, now,
    output: {
      deliver: (...args) => output.deliver(...args), idle: (...args) => output.idle(...args),
      isPaneBusy: (s) => output.isPaneBusy(s), forget: (id) => output.forget(id),
      tracked: () => (ctx.passes++, output.tracked()),
    },
  });
  return { monitor, output };
}

/** A daemon that runs one pass and stops, as after a crash and a restart. */
async function onePass(ctx: Ctx, now?: () => number): Promise<void> {
  const { monitor, output } = daemon(ctx, now);
  monitor.start();
  await monitor.stop();
  await output.flush();
}

const until = async (what: () => boolean, label: string) => {
  for (let waited = 0; !what(); waited += 5) {
    if (waited > 20_000) throw new Error(`timed out: ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

test('a live session monitor_state.json does not follow yet is read from its start, never from its end', async (ctx) => {
  write(ctx, turns('written before the crash'));
  await onePass(ctx);
  assert.equal(ctx.chat, ['written before the crash']);
});

test('without monitor_state.json a session older than the daemon is followed from its end, and saved at once', async (ctx) => {
  rmSync(join(ctx.dir, MONITOR_STATE_FILE));
  write(ctx, turns('old history'));
  await onePass(ctx);
  assert.equal(ctx.chat, []);
  assert.ok(saved(ctx).follows.s1, 'the follow was saved though nothing was sent');
  write(ctx, turns('new'));
  await onePass(ctx);
  assert.equal(ctx.chat, ['new']);
});

test('a follow is saved when it is created: an answer written during a crash before anything was sent arrives', async (ctx) => {
  rmSync(join(ctx.dir, MONITOR_STATE_FILE)); // the daemon's first run
  write(ctx, `${prompt('q')}\n`);
  await onePass(ctx, () => CREATED - 1_000); // the first daemon started before the session did
  write(ctx, `${answer('written while the daemon was down')}\n`);
  await onePass(ctx);
  assert.equal(ctx.chat, ['written while the daemon was down']);
});

test('a send that may have reached Telegram is tried once more, then counted as sent: the next answer is not held up', async (ctx) => {
  write(ctx, turns('one', 'two'));
  ctx.outcomes = ['uncertain', 'uncertain'];
  for (let i = 0; i < 3; i++) await onePass(ctx);
  assert.equal(ctx.attempts, ['one', 'one', 'two']);
  assert.equal(ctx.chat, ['two']);
});

test('a send that failed is retried from where it stopped: after a batch of 60, each answer exactly once', async (ctx) => {
  const answers = Array.from({ length: 60 }, (_, i) => `answer ${i + 1}`);
  write(ctx, turns(...answers));
  ctx.outcomes = [...Array<Outcome>(54).fill('ok'), 'network'];
  await onePass(ctx);
  assert.is(ctx.chat.length, 54);
  await onePass(ctx);
  assert.equal(ctx.chat, answers);
});

test('stop waits for the send under way and records it: the next daemon does not send it again', async (ctx) => {
  write(ctx, turns('in flight'));
  let open!: () => void;
  ctx.gate = new Promise((resolve) => (open = resolve));
  const { monitor, output } = daemon(ctx, () => CREATED - 1_000); // started before the session
  monitor.start();
  await until(() => ctx.attempts.length === 1, 'the send starts');
  // SIGTERM while Telegram has not answered yet; the daemon's shutdown: stop, flush, save, exit.
  const stopped = monitor.stop();
  setTimeout(open, 100);
  await stopped;
  await output.flush();
  monitor.save();
  const atExit = readFileSync(join(ctx.dir, MONITOR_STATE_FILE));
  await new Promise((resolve) => setTimeout(resolve, 300)); // what a process that exited never does
  writeFileSync(join(ctx.dir, MONITOR_STATE_FILE), atExit);
  ctx.gate = undefined;
  await onePass(ctx);
  await new Promise((resolve) => setTimeout(resolve, 300)); // time for a repeat to show up, if there were one
  assert.equal(ctx.attempts, ['in flight']);
});

test('after /clear the rest of the old transcript goes out before the new one is followed', async (ctx) => {
  write(ctx, `${prompt('q')}\n`);
  await onePass(ctx);
  write(ctx, `${answer('the last answer before /clear')}\n`);
  transcriptOf(ctx, '@1', 'b', turns('after /clear'));
  await onePass(ctx);
  assert.equal(ctx.chat, ['the last answer before /clear', 'after /clear']);
});

test('watchers and what the output keeps per session: one per live session after /clear, none once sessions end', async (ctx) => {
  ctx.live.push(session('s2', '@2'));
  write(ctx, `${prompt('q')}\n${asking()}\n`); // s1, active: its card, a menu check
  transcriptOf(ctx, '@2', 'c', `${prompt('background')}\n`); // s2: a badge
  const { monitor } = daemon(ctx);
  const sizes = () => {
    const line = ctx.logs.filter((l) => l.startsWith('debug: monitor: tracking ')).at(-1) ?? '';
    return Object.fromEntries([...line.matchAll(/(\w+)=(\d+)/g)].map(([, k, v]) => [k, Number(v)]));
  };
  /** Two more passes end: the last one began after this was called. */
  const passes = async () => {
    const seen = ctx.passes;
    await until(() => ctx.passes >= seen + 2, 'two passes');
  };
  monitor.start();
  await until(() => sizes().cards === 1 && sizes().badges === 1, 'both sessions followed');
  assert.equal([sizes().follows, sizes().watchers, sizes().outputFollows], [2, 2, 2]);
  transcriptOf(ctx, '@1', 'b', `${prompt('after /clear')}\n`);
  await until(() => ctx.logs.some((l) => l.includes('following') && l.includes('b.jsonl')), 'the new transcript followed');
  await passes();
  await passes();
  assert.equal([sizes().follows, sizes().watchers], [2, 2]);
  ctx.live = [];
  await passes();
  assert.equal(sizes(), { follows: 0, watchers: 0, badges: 0, menus: 0, stalled: 0, menuChecks: 0, outputFollows: 0, cards: 0 });
  await monitor.stop();
});

test.run();
