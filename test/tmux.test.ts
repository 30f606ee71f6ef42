import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execRun, type Run } from '#ccbot/exec.js';
import { setSink } from '#ccbot/log.cjs';
import {
  capturePane,
  ensureSession,
  killWindow,
  listWindows,
  MAIN_WINDOW,
  newWindow,
  paneInfo,
  sendKeys,
  sendText,
  type Key,
  type TmuxOptions,
} from '#ccbot/tmux.js';
import { createTmuxFixture, windowExists, type TmuxFixture } from './tmux-fixture.js';

const ECHO_PANE = fileURLToPath(new URL('./fixtures/echo-pane.js', import.meta.url));
const SESSION = 'ccbot-test';
const ENTER_DELAY_MS = 300; // tmux.ts's pause between the paste and Enter
const TMUX_TIMEOUT_MS = 5_000; // tmux.ts's timeout for every tmux call
const START = '\x1b[200~';
const END = '\x1b[201~';

interface Ctx {
  tmux: TmuxFixture;
  opts: TmuxOptions;
}

function withTmux(name: string) {
  const s = suite<Ctx>(name);
  s.before.each((ctx) => {
    ctx.tmux = createTmuxFixture();
    ctx.opts = { env: ctx.tmux.env };
  });
  s.after.each((ctx) => ctx.tmux.cleanup());
  return s;
}

/** Polls until `check` returns a value other than undefined; fails the test at the deadline. */
async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, deadlineMs = 5_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

/** A window running echo-pane, ready (raw mode and bracketed paste on) when this resolves. */
async function echoWindow(ctx: Ctx, name = 'echo') {
  const out = join(ctx.tmux.dir, `${name}.bytes`);
  const made = await newWindow(SESSION, { name, cwd: ctx.tmux.dir, argv: [process.execPath, ECHO_PANE, out] }, ctx.opts);
  if (!made.ok) throw new Error(made.error);
  await until('echo-pane READY', async () => ((await capturePane(made.windowId, ctx.opts))?.includes('echo-pane READY') ? true : undefined));
  const read = () => readFileSync(out, 'latin1'); // one char per byte: lengths are byte counts
  /** Waits until at least `expected` bytes arrived, then returns everything that did. */
  const received = (expected: string) => until(`${expected.length} bytes`, () => (read().length >= expected.length ? read() : undefined));
  return { windowId: made.windowId, read, received };
}

const bytes = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
const pasted = (text: string) => bytes(`${START}${text}${END}\r`);

/** Wraps the real run and records each tmux subcommand (and the options), for order and timeout checks. */
function recording(events: string[], options: Array<Parameters<Run>[2]> = []): Run {
  return (file, args, opts) => {
    events.push(args[0]!);
    options.push(opts);
    return execRun(file, args, opts);
  };
}

/** Runs `fn` with log lines captured instead of printed; returns them. */
async function captureLogs(fn: () => Promise<void>): Promise<string[]> {
  const lines: string[] = [];
  const previous = setSink((line) => lines.push(line));
  try {
    await fn();
  } finally {
    setSink(previous);
  }
  return lines;
}

const failingRun: Run = async () => ({
  ok: false, kind: 'missing', error: 'tmux is not installed (not found on PATH)', code: 'ENOENT', stdout: '', stderr: 'spawn tmux ENOENT',
});

// ---------------------------------------------------------------------------------------------------------------

const ensure = withTmux('ensureSession');

ensure('creates the session with a __main__ window once, then reports it exists', async ({ opts }) => {
  assert.equal(await ensureSession(SESSION, opts), { ok: true, created: true });
  assert.equal(await ensureSession(SESSION, opts), { ok: true, created: false });
  const windows = await listWindows(SESSION, opts);
  assert.equal(windows?.map((w) => w.name), [MAIN_WINDOW]);
});

ensure('is not fooled by a session whose name merely starts with ours', async ({ opts }) => {
  assert.equal(await ensureSession(`${SESSION}-old`, opts), { ok: true, created: true });
  assert.equal(await ensureSession(SESSION, opts), { ok: true, created: true });
});

ensure('returns an error value when tmux is missing, and for names tmux would mangle', async ({ opts, tmux }) => {
  const missing = await ensureSession(SESSION, { env: { ...tmux.env, PATH: join(tmux.dir, 'empty') } });
  assert.equal(missing, { ok: false, kind: 'missing', error: `cannot check tmux session ${SESSION}: tmux is not installed (not found on PATH)` });
  const dotted = await ensureSession('a.b', opts);
  assert.ok(!dotted.ok && dotted.error.includes('TMUX_SESSION_NAME'));
});

ensure.run();

// ---------------------------------------------------------------------------------------------------------------

const list = withTmux('listWindows');

list('returns the id and exact name (with : # and spaces) of each window; its cwd and command are as given', async (ctx) => {
  await ensureSession(SESSION, ctx.opts);
  const dir = join(ctx.tmux.dir, 'work #S dir');
  mkdirSync(dir);
  const name = 'api: fix #1 ##{session_name}';
  const made = await newWindow(SESSION, { name, cwd: dir, argv: [process.execPath, ECHO_PANE, join(dir, 'out')] }, ctx.opts);
  assert.ok(made.ok);
  const windows = await listWindows(SESSION, ctx.opts);
  assert.is(windows?.length, 2);
  const w = windows!.find((x) => x.id === made.windowId)!;
  assert.is(w.name, name);
  const shown = await ctx.tmux.tmux(['display-message', '-p', '-t', w.id, '#{pane_current_path}\n#{pane_pid}\n#{pane_start_command}']);
  const [cwd, pid, command] = shown.ok ? shown.stdout.split('\n') : [];
  assert.is(cwd, realpathSync(dir));
  assert.ok(Number(pid) > 0);
  assert.ok(command?.includes('echo-pane.js'), command);
  assert.is(windows![0]!.name, MAIN_WINDOW);
  assert.match(windows![0]!.id, /^@\d+$/);
});

list('returns [] for a missing session or server, null when tmux cannot run', async ({ opts, tmux }) => {
  assert.equal(await listWindows(SESSION, opts), [], 'no server yet');
  await ensureSession('other', opts);
  assert.equal(await listWindows(SESSION, opts), [], 'server up, session absent');
  const logs = await captureLogs(async () => {
    assert.is(await listWindows('other', { ...opts, run: failingRun }), null);
    assert.is(await listWindows('other', { env: { ...tmux.env, PATH: join(tmux.dir, 'empty') } }), null);
  });
  assert.equal(logs, Array(2).fill('warn: tmux: list-windows failed session=other error="tmux is not installed (not found on PATH)"'));
});

list.run();

// ---------------------------------------------------------------------------------------------------------------

const open = withTmux('newWindow');

open('runs argv without a shell, in cwd, with the given env, and locks the name', async (ctx) => {
  await ensureSession(SESSION, ctx.opts);
  const dir = join(ctx.tmux.dir, 'cwd #S');
  mkdirSync(dir);
  const report = join(ctx.tmux.dir, 'report.json');
  const script =
    `require('fs').writeFileSync(${JSON.stringify(report)}, ` +
    `JSON.stringify({ argv: process.argv.slice(1), cwd: process.cwd(), foo: process.env.FOO })); setInterval(() => {}, 1e6)`;
  const args = ['$HOME', '#S', 'a b; c', '--help', "'q'"];
  const spec = { name: 'w', cwd: dir, argv: [process.execPath, '-e', script, ...args], env: { FOO: 'x y $(z)' } };
  const made = await newWindow(SESSION, spec, ctx.opts);
  if (!made.ok) throw new Error(made.error);
  const seen = await until('report', () => (existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : undefined));
  assert.equal(seen, { argv: args, cwd: realpathSync(dir), foo: 'x y $(z)' });
  const options = await ctx.tmux.tmux(['show-options', '-w', '-t', made.windowId]);
  assert.ok(options.ok);
  assert.match(options.stdout, /allow-rename off/);
  assert.match(options.stdout, /automatic-rename off/);
});

open('an argument, env value, name or cwd ending in ";" stays one argument (tmux reads a trailing ";" as a separator)', async (ctx) => {
  await ensureSession(SESSION, ctx.opts);
  const dir = join(ctx.tmux.dir, 'semi;');
  mkdirSync(dir);
  const report = join(ctx.tmux.dir, 'semi.json');
  const script = `require('fs').writeFileSync(${JSON.stringify(report)}, JSON.stringify({ argv: process.argv.slice(1), foo: process.env.FOO }));`;
  const args = ['be brief;', ';', 'kill-server;', 'a\\;', 'last'];
  const made = await newWindow(SESSION, { name: 'n;', cwd: dir, argv: [process.execPath, '-e', `${script} setInterval(() => {}, 1e6)`, ...args], env: { FOO: 'x;' } }, ctx.opts);
  if (!made.ok) throw new Error(made.error);
  const seen = await until('report', () => (existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : undefined));
  assert.equal(seen, { argv: args, foo: 'x;' });
  const windows = (await listWindows(SESSION, ctx.opts)) ?? [];
  assert.is(windows.find((w) => w.id === made.windowId)?.name, 'n;');
});

open('tags the window with the ccbot session id, and listWindows reads the tag back', async (ctx) => {
  await ensureSession(SESSION, ctx.opts);
  const made = await newWindow(SESSION, { name: 'tagged', cwd: ctx.tmux.dir, argv: ['sleep', '100'], tag: 'a3f1' }, ctx.opts);
  if (!made.ok) throw new Error(made.error);
  const plain = await newWindow(SESSION, { name: 'plain', cwd: ctx.tmux.dir, argv: ['sleep', '100'] }, ctx.opts);
  if (!plain.ok) throw new Error(plain.error);
  const windows = (await listWindows(SESSION, ctx.opts)) ?? [];
  assert.is(windows.find((w) => w.id === made.windowId)?.tag, 'a3f1');
  assert.is(windows.find((w) => w.id === plain.windowId)?.tag, '');
});

open('runs a one-element argv as a program, not as a shell line', async (ctx) => {
  await ensureSession(SESSION, ctx.opts);
  const dir = join(ctx.tmux.dir, 'my $(x) dir');
  mkdirSync(dir);
  const program = join(dir, 'my prog');
  const marker = join(ctx.tmux.dir, 'ran');
  writeFileSync(program, `#!/bin/sh\necho ran > '${marker}'\nsleep 100\n`);
  chmodSync(program, 0o755);
  const made = await newWindow(SESSION, { name: 'one', cwd: dir, argv: [program] }, ctx.opts);
  assert.ok(made.ok);
  assert.is(await until('marker', () => (existsSync(marker) ? readFileSync(marker, 'utf8') : undefined)), 'ran\n');
});

open('refuses a missing cwd instead of letting tmux start elsewhere; reports a missing session', async (ctx) => {
  await ensureSession(SESSION, ctx.opts);
  const gone = join(ctx.tmux.dir, 'nope');
  const made = await newWindow(SESSION, { name: 'x', cwd: gone, argv: ['sleep', '100'] }, ctx.opts);
  assert.ok(!made.ok && made.error.includes(gone), JSON.stringify(made));
  const elsewhere = await newWindow('no-such-session', { name: 'x', cwd: ctx.tmux.dir, argv: ['sleep', '100'] }, ctx.opts);
  assert.ok(!elsewhere.ok && elsewhere.error.includes("can't find session"), JSON.stringify(elsewhere));
  assert.is((await listWindows(SESSION, ctx.opts))?.length, 1, 'no window was opened');
});

open.run();

// ---------------------------------------------------------------------------------------------------------------

const text = withTmux('sendText');

const HOSTILE = ['Enter', 'C-c', '-n', '--help', '$(rm -rf /)', 'a; b', `'"quotes"'`, 'tab\there', '\x1b[31mred', '👍🏽', '你好世界'];

text('delivers each hostile string verbatim (less control characters) inside one bracketed paste, then one CR', async (ctx) => {
  await ensureSession(SESSION, ctx.opts);
  const pane = await echoWindow(ctx);
  let expected = '';
  for (const s of HOSTILE) {
    assert.equal(await sendText(pane.windowId, s, { ...ctx.opts, sleep: async () => {} }), { ok: true });
    expected += pasted(s.replace('\x1b', ''));
    assert.is(await pane.received(expected), expected, JSON.stringify(s));
  }
});

text('keeps LF as LF in a 10 KB multi-line text (paste -r), so newlines never submit', async (ctx) => {
  await ensureSession(SESSION, ctx.opts);
  const pane = await echoWindow(ctx);
  const line = (i: number) => `line ${i}: ${'x'.repeat(90)} é\n`;
  const big = Array.from({ length: 110 }, (_, i) => line(i)).join('').trimEnd();
  assert.ok(Buffer.byteLength(big) > 10_000);
  assert.ok((await sendText(pane.windowId, big, { ...ctx.opts, sleep: async () => {} })).ok);
  const got = await pane.received(pasted(big));
  assert.is(got, pasted(big));
  assert.is(got.split('\r').length, 2, 'exactly one CR: the Enter');
});

text('pastes, waits ENTER_DELAY_MS, then presses Enter, each call with the tmux timeout', async (ctx) => {
  await ensureSession(SESSION, ctx.opts);
  const pane = await echoWindow(ctx);
  const events: string[] = [];
  const options: Array<Parameters<Run>[2]> = [];
  const sleep = async (ms: number) => void events.push(`sleep ${ms}`);
  assert.ok((await sendText(pane.windowId, 'hi', { ...ctx.opts, run: recording(events, options), sleep })).ok);
  assert.equal(events, ['load-buffer', 'paste-buffer', `sleep ${ENTER_DELAY_MS}`, 'send-keys']);
  assert.ok(options.every((o) => o?.timeoutMs === TMUX_TIMEOUT_MS));
  assert.equal(options[0]?.input, 'hi', 'the text travels on stdin');
  assert.is(await pane.received(pasted('hi')), pasted('hi'));
  const buffers = await ctx.tmux.tmux(['list-buffers']);
  assert.is(buffers.stdout, '', 'the paste buffer was deleted');
});

text('two concurrent sends to one window arrive one after the other', async (ctx) => {
  await ensureSession(SESSION, ctx.opts);
  const pane = await echoWindow(ctx);
  const opts = { ...ctx.opts, sleep: (ms: number) => delay(ms / 10) }; // a real pause, so interleaving could happen
  const [a, b] = await Promise.all([sendText(pane.windowId, 'first\nmessage', opts), sendText(pane.windowId, 'second', opts)]);
  assert.ok(a.ok && b.ok);
  const expected = pasted('first\nmessage') + pasted('second');
  assert.is(await pane.received(expected), expected);
});

text('a failed or throwing send does not block the next one', async (ctx) => {
  await ensureSession(SESSION, ctx.opts);
  const pane = await echoWindow(ctx);
  const failed = await sendText(pane.windowId, 'lost', { ...ctx.opts, run: failingRun });
  assert.equal(failed, { ok: false, kind: 'missing', error: `cannot send to ${pane.windowId}: tmux is not installed (not found on PATH)` });
  const thrown = sendText(pane.windowId, 'bug', { ...ctx.opts, run: () => Promise.reject(new Error('bug')) });
  const next = sendText(pane.windowId, 'next', { ...ctx.opts, sleep: async () => {} });
  assert.is(await thrown.then(() => 'resolved', (e: Error) => e.message), 'bug');
  assert.equal(await next, { ok: true });
  assert.is(await pane.received(pasted('next')), pasted('next'));
});

text('no byte of a message can end the paste or act as a key; empty text sends nothing', async (ctx) => {
  await ensureSession(SESSION, ctx.opts);
  const pane = await echoWindow(ctx);
  const events: string[] = [];
  assert.equal(await sendText(pane.windowId, '\x1b\r\x03', { ...ctx.opts, run: recording(events) }), { ok: true });
  assert.equal(events, []);
  const noSleep = { ...ctx.opts, sleep: async () => {} };
  assert.ok((await sendText(pane.windowId, `a${END}\rb${START}c`, noSleep)).ok);
  let expected = pasted('a[201~b[200~c');
  assert.is(await pane.received(expected), expected);
  // Stripping only the markers would rebuild one here: ESC[20 + ESC[201~ + 1~ → ESC[201~, then CR = Enter.
  assert.ok((await sendText(pane.windowId, 'a\x1b[20\x1b[201~1~\rb', noSleep)).ok);
  expected += pasted('a[20[201~1~b');
  assert.is(await pane.received(expected), expected);
  assert.ok((await sendText(pane.windowId, 'tab\tand\nline\x7f\x9b\x00\x08end', noSleep)).ok);
  expected += pasted('tab\tand\nlineend');
  const got = await pane.received(expected);
  assert.is(got, expected);
  assert.is(got.split('\r').length, 4, 'one CR per message: only the Enters');
});

text('returns an error value for a missing window and a malformed id', async ({ opts }) => {
  await ensureSession(SESSION, opts);
  const missing = await sendText('@99', 'hi', { ...opts, sleep: async () => {} });
  assert.ok(!missing.ok && missing.error.includes("can't find window: @99"), JSON.stringify(missing));
  const bad = await sendText('ccbot:1', 'hi', opts);
  assert.ok(!bad.ok && bad.error.includes('not a tmux window id'));
});

text.run();

// ---------------------------------------------------------------------------------------------------------------

const keys = withTmux('sendKeys');

keys('sends each key as the bytes a terminal would', async (ctx) => {
  await ensureSession(SESSION, ctx.opts);
  const pane = await echoWindow(ctx);
  const all: Key[] = ['Escape', 'Enter', 'Up', 'Down', 'Left', 'Right', 'Tab', 'Space', 'C-c', 'BSpace', 'BTab'];
  assert.equal(await sendKeys(pane.windowId, all, ctx.opts), { ok: true });
  // Arrows are CSI (ESC [ A) because echo-pane never switches on application cursor keys (then: ESC O A).
  const expected = '\x1b' + '\r' + '\x1b[A' + '\x1b[B' + '\x1b[D' + '\x1b[C' + '\t' + ' ' + '\x03' + '\x7f' + '\x1b[Z';
  assert.is(await pane.received(expected), expected);
});

keys('rejects anything outside the key list at runtime, sending nothing', async (ctx) => {
  const events: string[] = [];
  const bad = await sendKeys('@1', ['Enter', 'rm -rf /' as Key], { ...ctx.opts, run: recording(events) });
  assert.equal(bad, { ok: false, kind: 'invalid', error: 'unknown key "rm -rf /": use one of Escape Enter Up Down Left Right Tab Space C-c BSpace BTab' });
  assert.equal(events, []);
});

keys.run();

// ---------------------------------------------------------------------------------------------------------------

const capture = withTmux('capturePane');

capture('shows text a program printed, without its escape sequences; null for a missing window', async (ctx) => {
  await ensureSession(SESSION, ctx.opts);
  const script = `process.stdout.write('plain \\x1b[31mred\\x1b[0m text\\n'); setInterval(() => {}, 1e6)`;
  const made = await newWindow(SESSION, { name: 'printer', cwd: ctx.tmux.dir, argv: [process.execPath, '-e', script] }, ctx.opts);
  if (!made.ok) throw new Error(made.error);
  const plain = await until('printed text', async () => {
    const text = await capturePane(made.windowId, ctx.opts);
    return text?.includes('plain red text') ? text : undefined;
  });
  assert.not.ok(plain.includes('\x1b'));
  assert.is(await capturePane('@99', ctx.opts), null);
});

capture.run();

// ---------------------------------------------------------------------------------------------------------------

const kill = withTmux('killWindow');

kill('kills the window, and says false when it is already gone', async (ctx) => {
  await ensureSession(SESSION, ctx.opts);
  const made = await newWindow(SESSION, { name: 'doomed', cwd: ctx.tmux.dir, argv: ['sleep', '100'] }, ctx.opts);
  if (!made.ok) throw new Error(made.error);
  assert.is(await killWindow(made.windowId, ctx.opts), true);
  assert.is(await windowExists(made.windowId, ctx.opts), false);
  assert.is(await killWindow(made.windowId, ctx.opts), false);
  assert.equal((await listWindows(SESSION, ctx.opts))?.map((w) => w.name), [MAIN_WINDOW], 'no other window was hit');
});

kill.run();

// ---------------------------------------------------------------------------------------------------------------

const pane = withTmux('paneInfo');

pane('names the session, window id and window name of a pane; null for a missing pane', async (ctx) => {
  await ensureSession(SESSION, ctx.opts);
  const made = await newWindow(SESSION, { name: 'pane: #1', cwd: ctx.tmux.dir, argv: ['sleep', '100'] }, ctx.opts);
  if (!made.ok) throw new Error(made.error);
  const id = await ctx.tmux.tmux(['display-message', '-p', '-t', made.windowId, '#{pane_id}']);
  assert.ok(id.ok);
  assert.equal(await paneInfo(id.stdout.trim(), ctx.opts), { sessionName: SESSION, windowId: made.windowId, windowName: 'pane: #1' });
  assert.is(await paneInfo('%99', ctx.opts), null);
  assert.is(await paneInfo('', ctx.opts), null);
});

pane.run();
