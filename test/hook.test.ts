import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hookCommand } from '#ccbot/hook-entry.cjs';
import { setSink } from '#ccbot/log.cjs';
import { promptHash, readSessionMap, SESSION_MAP_FILE } from '#ccbot/session-map.cjs';
import { ensureSession, type PaneInfo, type TmuxOptions } from '#ccbot/tmux.js';
import { MAIN_JS } from './daemon-fixture.js';
import { createTmuxFixture, type TmuxFixture } from './tmux-fixture.js';

const HOOK_IN_PANE = fileURLToPath(new URL('./fixtures/hook-in-pane.js', import.meta.url));
const SID = '2061e677-6298-4b4d-a740-c2bde142a0dc';
const SID2 = '9b1d2c3e-4f50-4a6b-8c7d-0e1f2a3b4c5d';
const NOW = 1_760_000_000_000;

/** Shaped like the payloads Claude Code 2.1.328 sends (samples/hooks.jsonl). */
const sessionStart = (sessionId = SID, cwd = '/home/dev/work/proj-a') => ({
  session_id: sessionId,
  transcript_path: `/home/dev/.claude/projects/-home-dev-work-proj-a/${sessionId}.jsonl`,
  cwd,
  hook_event_name: 'SessionStart',
  source: 'startup',
  model: 'claude-opus-5-5',
});
const promptSubmit = (prompt: string, sessionId = SID) => ({
  session_id: sessionId,
  transcript_path: `/home/dev/.claude/projects/-home-dev-work-proj-a/${sessionId}.jsonl`,
  cwd: '/home/dev/work/proj-a',
  prompt_id: '900dc9bd-b541-4de1-ba76-3b32255b1f70',
  permission_mode: 'bypassPermissions',
  hook_event_name: 'UserPromptSubmit',
  prompt,
});
const entryOf = (event: ReturnType<typeof sessionStart>, windowName: string) => ({
  session_id: event.session_id,
  cwd: event.cwd,
  window_name: windowName,
  transcript_path: event.transcript_path,
});

const fileId = (path: string) => {
  const s = statSync(path);
  return `${s.ino}:${s.mtimeMs}`;
};

/** Polls until `check` returns a value other than undefined; fails the test at the deadline. */
async function until<T>(what: string, check: () => T | undefined, deadlineMs = 10_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

// ---------------------------------------------------------------------------------------------------------------

type HookDeps = NonNullable<Parameters<typeof hookCommand>[1]>;

// hookCommand leaves its last-resort handlers on for the life of its process; this one runs it some 30 times.
process.setMaxListeners(0);
process.stderr.setMaxListeners(0);

/** `ccbot hook` in this process, with `input` on its stdin (a file here). */
async function runHook(input: string | Buffer, env: NodeJS.ProcessEnv, deps: HookDeps): Promise<void> {
  const file = join(mkdtempSync(join(tmpdir(), 'ccbot-hook-input-')), 'event.json');
  writeFileSync(file, input);
  const fd = openSync(file, 'r');
  try {
    assert.is(await hookCommand([], { ...deps, env, stdin: fd }), 0);
  } finally {
    closeSync(fd);
    rmSync(dirname(file), { recursive: true, force: true });
  }
}

/** The lines the hook wrote to $CCBOT_DIR/hook.log, without the time and pid it adds. */
function hookLog(dir: string): string[] {
  const path = join(dir, 'hook.log');
  return existsSync(path) ? readFileSync(path, 'utf8').trim().split('\n').map((l) => l.replace(/^\S+ pid=\d+ /, '')) : [];
}

interface UnitCtx {
  dir: string;
  env: NodeJS.ProcessEnv;
  pane: PaneInfo | null;
  asked: Array<{ paneId: string; opts: TmuxOptions }>;
  deps: HookDeps;
  restoreSink: (line: string) => void;
}

const unit = suite<UnitCtx>('hookCommand: what one event records');
unit.before.each((ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'ccbot-hook-'));
  ctx.env = { TMUX_PANE: '%3', CCBOT_DIR: ctx.dir, TMUX_SESSION_NAME: 'ccbot', HOME: ctx.dir, CLAUDE_CONFIG_DIR: '/home/dev/.claude' };
  ctx.pane = { sessionName: 'ccbot', windowId: '@7', windowName: 'api: fix login' };
  ctx.asked = [];
  ctx.deps = {
    now: () => NOW,
    paneInfo: async (paneId, opts) => {
      ctx.asked.push({ paneId, opts });
      return ctx.pane;
    },
  };
  ctx.restoreSink = setSink(() => {}); // hookCommand sets its own; this one is put back after
});
unit.after.each((ctx) => {
  setSink(ctx.restoreSink);
  rmSync(ctx.dir, { recursive: true, force: true });
});

unit('records a SessionStart under "<tmux session>:<window id>", asking tmux with its own env, quietly', async (ctx) => {
  await runHook(JSON.stringify(sessionStart()), ctx.env, ctx.deps);
  assert.equal(readSessionMap(ctx.dir), { 'ccbot:@7': entryOf(sessionStart(), 'api: fix login') });
  assert.equal(ctx.asked.length, 1);
  assert.is(ctx.asked[0]!.paneId, '%3');
  assert.is(ctx.asked[0]!.opts.env, ctx.env);
  assert.equal(hookLog(ctx.dir), []);
});

unit('UserPromptSubmit adds the prompt time and hash; a later SessionStart of the same session keeps them', async (ctx) => {
  await runHook(Buffer.from(JSON.stringify(promptSubmit('fix the\n  tests'))), ctx.env, ctx.deps);
  const withPrompt = { ...entryOf(sessionStart(), 'api: fix login'), prompt_at: NOW, prompt_hash: promptHash('fix the tests') };
  assert.equal(readSessionMap(ctx.dir)['ccbot:@7'], withPrompt);
  ctx.pane = { ...ctx.pane!, windowName: 'renamed' };
  await runHook(JSON.stringify({ ...sessionStart(), source: 'compact' }), ctx.env, ctx.deps);
  assert.equal(readSessionMap(ctx.dir)['ccbot:@7'], { ...withPrompt, window_name: 'renamed' });
});

unit('records transcript_path only under $CLAUDE_CONFIG_DIR/projects/<folder>/<session id>.jsonl', async (ctx) => {
  const projects = '/home/dev/.claude/projects';
  const outside = [
    '/etc/passwd', `/home/dev/.claude/${SID}.jsonl`, `${projects}/../../.ssh/${SID}.jsonl`, `${projects}/x/${SID2}.jsonl`,
    `${projects}/x/y/${SID}.jsonl`, `${projects}/x/${SID}.jsonl.bak`, `projects/x/${SID}.jsonl`, `/tmp/.claude/projects/x/${SID}.jsonl`,
  ];
  for (const path of outside) {
    await runHook(JSON.stringify({ ...sessionStart(), transcript_path: path }), ctx.env, ctx.deps);
    assert.is(readSessionMap(ctx.dir)['ccbot:@7']?.transcript_path, '', path);
  }
  await runHook(JSON.stringify(sessionStart()), ctx.env, ctx.deps);
  assert.is(readSessionMap(ctx.dir)['ccbot:@7']?.transcript_path, `${projects}/-home-dev-work-proj-a/${SID}.jsonl`);
});

unit('a new session id in the same window (after /clear) replaces the entry', async (ctx) => {
  await runHook(JSON.stringify(promptSubmit('hello')), ctx.env, ctx.deps);
  await runHook(JSON.stringify(sessionStart(SID2)), ctx.env, ctx.deps);
  assert.equal(readSessionMap(ctx.dir), { 'ccbot:@7': entryOf(sessionStart(SID2), 'api: fix login') });
});

unit('keeps entries of other windows and does not rewrite the file for an unchanged event', async (ctx) => {
  await runHook(JSON.stringify(sessionStart()), ctx.env, ctx.deps);
  ctx.pane = { sessionName: 'ccbot', windowId: '@8', windowName: 'web' };
  await runHook(JSON.stringify(sessionStart(SID2)), ctx.env, ctx.deps);
  const map = join(ctx.dir, SESSION_MAP_FILE);
  const before = fileId(map);
  await runHook(JSON.stringify(sessionStart(SID2)), ctx.env, ctx.deps);
  assert.is(fileId(map), before);
  assert.equal(Object.keys(readSessionMap(ctx.dir)), ['ccbot:@7', 'ccbot:@8']);
});

unit('ignores input that is not a usable event, without asking tmux', async (ctx) => {
  const inputs = [
    'not json',
    '',
    'null',
    '[]',
    '"SessionStart"',
    JSON.stringify({ ...sessionStart(), hook_event_name: 'Stop' }),
    JSON.stringify({ ...sessionStart(), session_id: SID.toUpperCase() }),
    JSON.stringify({ ...sessionStart(), session_id: '../../etc/passwd' }),
    JSON.stringify({ ...sessionStart(), session_id: 42 }),
    JSON.stringify({ ...sessionStart(), session_id: undefined }),
    JSON.stringify({ ...sessionStart(), cwd: 'work/proj-a' }),
    JSON.stringify({ ...sessionStart(), cwd: undefined }),
  ];
  for (const input of inputs) await runHook(input, ctx.env, ctx.deps);
  assert.equal(ctx.asked, []);
  assert.not.ok(existsSync(join(ctx.dir, SESSION_MAP_FILE)));
});

unit('does nothing at all without TMUX_PANE', async (ctx) => {
  await runHook(JSON.stringify(sessionStart()), { ...ctx.env, TMUX_PANE: undefined }, ctx.deps);
  assert.equal(ctx.asked, []);
  assert.not.ok(existsSync(join(ctx.dir, SESSION_MAP_FILE)));
});

unit('ignores panes of another tmux session; the session name comes from the env, else from $CCBOT_DIR/.env', async (ctx) => {
  ctx.pane = { sessionName: 'work', windowId: '@1', windowName: 'w' };
  await runHook(JSON.stringify(sessionStart()), ctx.env, ctx.deps);
  assert.not.ok(existsSync(join(ctx.dir, SESSION_MAP_FILE)), 'TMUX_SESSION_NAME=ccbot');
  writeFileSync(join(ctx.dir, '.env'), 'TELEGRAM_BOT_TOKEN=x\nTMUX_SESSION_NAME=work\n');
  await runHook(JSON.stringify(sessionStart()), { ...ctx.env, TMUX_SESSION_NAME: undefined }, ctx.deps);
  assert.equal(Object.keys(readSessionMap(ctx.dir)), ['work:@1']);
});

unit('logs one warning and records nothing when tmux cannot place the pane', async (ctx) => {
  ctx.pane = null;
  await runHook(JSON.stringify(sessionStart()), ctx.env, ctx.deps);
  assert.not.ok(existsSync(join(ctx.dir, SESSION_MAP_FILE)));
  const lines = hookLog(ctx.dir);
  assert.is(lines.length, 1);
  assert.match(lines[0]!, /^warn: hook: .*pane=%3/);
});

unit.run();

// ---------------------------------------------------------------------------------------------------------------

interface TmuxCtx {
  tmux: TmuxFixture;
  ccbotDir: string;
}

function withTmux<C extends TmuxCtx = TmuxCtx>(name: string) {
  const s = suite<C>(name);
  s.before.each(async (ctx) => {
    ctx.tmux = createTmuxFixture();
    ctx.ccbotDir = join(ctx.tmux.dir, 'ccbot-state');
    const made = await ensureSession('ccbot', { env: ctx.tmux.env });
    if (!made.ok) throw new Error(made.error);
  });
  s.after.each((ctx) => ctx.tmux.cleanup());
  return s;
}

interface PaneRun {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/**
 * Opens a window whose command runs `ccbot hook` once per payload (stdin from a file), inheriting the pane's env
 * as under Claude Code. `go(i)` lets run i (> 0) start; `result(i)` waits for its outcome.
 */
async function hookWindow(ctx: TmuxCtx, session: string, name: string, payloads: unknown[], startAt = 0) {
  const out = mkdtempSync(join(ctx.tmux.dir, 'pane-'));
  const files = payloads.map((payload, i) => {
    const file = join(out, `payload.${i}.json`);
    writeFileSync(file, JSON.stringify(payload));
    return file;
  });
  const made = await ctx.tmux.tmux([
    'new-window', '-d', '-P', '-F', '#{window_id} #{pane_id}', '-t', `=${session}:`, '-n', name,
    '-e', `CCBOT_DIR=${ctx.ccbotDir}`, '-e', 'TMUX_SESSION_NAME=ccbot', '-e', 'CLAUDE_CONFIG_DIR=/home/dev/.claude',
    '--', process.execPath, HOOK_IN_PANE, MAIN_JS, out, String(startAt), ...files,
  ]); // prettier-ignore
  if (!made.ok) throw new Error(`new-window failed: ${made.stderr}`);
  const [windowId = '', paneId = ''] = made.stdout.trim().split(' ');
  const resultFile = (i: number) => join(out, `result.${i}.json`);
  return {
    windowId,
    paneId,
    go: (i: number) => writeFileSync(join(out, `go.${i}`), ''),
    result: (i: number) =>
      until(`hook run ${i} in ${name}`, () => (existsSync(resultFile(i)) ? (JSON.parse(readFileSync(resultFile(i), 'utf8')) as PaneRun) : undefined)),
  };
}

const quiet = (run: PaneRun) => {
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stdout, '');
  assert.is(run.stderr, '');
};

const inPane = withTmux('ccbot hook in a tmux pane');

inPane('records the window, replaces it for a new session, and leaves the file alone for an unchanged event', async (ctx) => {
  const name = 'api: fix login';
  const before = Date.now();
  const w = await hookWindow(ctx, 'ccbot', name, [sessionStart(), sessionStart(), promptSubmit('echo: hello', SID2)]);
  assert.match(w.windowId, /^@\d+$/);
  quiet(await w.result(0));
  const key = `ccbot:${w.windowId}`;
  assert.equal(readSessionMap(ctx.ccbotDir), { [key]: entryOf(sessionStart(), name) });
  const map = join(ctx.ccbotDir, SESSION_MAP_FILE);
  const written = fileId(map);

  w.go(1);
  quiet(await w.result(1));
  assert.is(fileId(map), written, 'same inode and mtime');

  w.go(2);
  quiet(await w.result(2));
  const entry = readSessionMap(ctx.ccbotDir)[key]!;
  assert.is(entry.session_id, SID2);
  assert.is(entry.prompt_hash, promptHash('echo: hello'));
  assert.ok(entry.prompt_at! >= before && entry.prompt_at! <= Date.now(), String(entry.prompt_at));
  assert.not.ok(existsSync(join(ctx.ccbotDir, 'hook.log')), 'nothing to report on success');
});

inPane('ignores a pane of another tmux session', async (ctx) => {
  assert.ok((await ctx.tmux.tmux(['new-session', '-d', '-s', 'ccbot-other'])).ok);
  const w = await hookWindow(ctx, 'ccbot-other', 'elsewhere', [sessionStart()]);
  quiet(await w.result(0));
  assert.not.ok(existsSync(join(ctx.ccbotDir, SESSION_MAP_FILE)));
});

inPane('20 hooks in 20 windows at once leave 20 entries', async (ctx) => {
  const n = 20;
  const startAt = Date.now() + 2_000;
  const ids = Array.from({ length: n }, () => randomUUID());
  const windows = [];
  for (const [i, id] of ids.entries()) windows.push(await hookWindow(ctx, 'ccbot', `w ${i}`, [sessionStart(id)], startAt));
  for (const w of windows) quiet(await w.result(0));
  const map = readSessionMap(ctx.ccbotDir);
  assert.is(Object.keys(map).length, n);
  windows.forEach((w, i) => assert.is(map[`ccbot:${w.windowId}`]?.session_id, ids[i]));
});

inPane.run();

// ---------------------------------------------------------------------------------------------------------------

interface Outcome {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  ms: number;
  /** Set when writing stdin failed (EPIPE: the hook left without reading it). */
  writeError?: string;
}

/** `node dist/main.cjs hook` with `input` on stdin (null: /dev/null). */
async function hookProcess(input: string | Buffer | null, env: NodeJS.ProcessEnv): Promise<Outcome> {
  const started = performance.now();
  const child = spawn(process.execPath, [MAIN_JS, 'hook'], { env, stdio: [input === null ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  let stderr = '';
  let writeError: string | undefined;
  child.stdout!.on('data', (chunk: Buffer) => out.push(chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  if (input !== null) {
    child.stdin!.on('error', (err: NodeJS.ErrnoException) => (writeError = err.code));
    child.stdin!.end(input);
  }
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout: Buffer.concat(out), stderr, ms: performance.now() - started, writeError };
}

interface HostileCtx extends TmuxCtx {
  env: NodeJS.ProcessEnv;
}

const hostile = withTmux<HostileCtx>('ccbot hook against hostile input and environments');
hostile.before.each(async (ctx) => {
  const made = await ctx.tmux.tmux(['new-window', '-d', '-P', '-F', '#{pane_id}', '-t', '=ccbot:', '-n', 'claude', 'sleep 600']);
  if (!made.ok) throw new Error(made.stderr);
  ctx.env = { ...ctx.tmux.env, CCBOT_DIR: ctx.ccbotDir, TMUX_SESSION_NAME: 'ccbot', TMUX_PANE: made.stdout.trim(), LOG_LEVEL: 'info' };
});

const silent = (o: Outcome, what: string) => {
  assert.is(o.code, 0, `${what}: ${o.stderr}`);
  assert.is(o.stdout.length, 0, `${what}: stdout`);
};

hostile('garbage, empty, binary and misshapen input: exit 0, not a byte on stdout, nothing recorded', async ({ env, ccbotDir }) => {
  const inputs: Array<[string, string | Buffer | null]> = [
    ['garbage', 'this is not JSON {'],
    ['empty', ''],
    ['no stdin', null],
    ['binary', randomBytes(64 * 1024)],
    ['a JSON string', '"SessionStart"'],
    ['no session id', JSON.stringify({ ...sessionStart(), session_id: undefined })],
    ['a path as session id', JSON.stringify({ ...sessionStart(), session_id: '../x' })],
    ['a relative cwd', JSON.stringify(sessionStart(SID, 'proj-a'))],
    ['another event', JSON.stringify({ ...sessionStart(), hook_event_name: 'PreToolUse' })],
  ];
  const outcomes = await Promise.all(inputs.map(([, input]) => hookProcess(input, env)));
  outcomes.forEach((o, i) => silent(o, inputs[i]![0]));
  assert.not.ok(existsSync(join(ccbotDir, SESSION_MAP_FILE)));
});

hostile('a 1 MB prompt is recorded; a bigger input is read to the end and ignored', async ({ env, ccbotDir }) => {
  const big = 'x '.repeat(512 * 1024);
  const ok = await hookProcess(JSON.stringify(promptSubmit(big)), env);
  silent(ok, '1 MB');
  assert.is(Object.values(readSessionMap(ccbotDir))[0]?.prompt_hash, promptHash(big));

  const huge = await hookProcess(JSON.stringify(promptSubmit('y'.repeat(3 * 1024 * 1024), SID2)), env);
  silent(huge, '3 MB');
  assert.is(huge.writeError, undefined, 'Claude Code must not get EPIPE');
  assert.ok(huge.ms < 1_900, `took ${huge.ms} ms: it waited for the input timeout?`);
  assert.is(Object.values(readSessionMap(ccbotDir))[0]?.session_id, SID, 'unchanged');
});

hostile('without TMUX_PANE: records nothing, still drains stdin', async ({ env, ccbotDir }) => {
  const o = await hookProcess(JSON.stringify(promptSubmit('z'.repeat(1024 * 1024))), { ...env, TMUX_PANE: undefined });
  silent(o, 'no TMUX_PANE');
  assert.is(o.writeError, undefined);
  assert.not.ok(existsSync(ccbotDir));
});

hostile('a missing pane or a missing tmux: exit 0, nothing on stdout, nothing recorded', async ({ env, ccbotDir, tmux }) => {
  const event = JSON.stringify(sessionStart());
  silent(await hookProcess(event, { ...env, TMUX_PANE: '%999' }), 'missing pane');
  silent(await hookProcess(event, { ...env, TMUX_PANE: 'garbage' }), 'not a pane id');
  const empty = join(tmux.dir, 'empty-bin');
  mkdirSync(empty);
  silent(await hookProcess(event, { ...env, PATH: empty }), 'tmux not on PATH');
  assert.not.ok(existsSync(join(ccbotDir, SESSION_MAP_FILE)));
});

hostile('a CCBOT_DIR that cannot be created: exit 0, nothing on stdout, the reason on stderr', async ({ env, tmux }) => {
  const file = join(tmux.dir, 'a-file');
  writeFileSync(file, '');
  const o = await hookProcess(JSON.stringify(sessionStart()), { ...env, CCBOT_DIR: join(file, 'ccbot') });
  silent(o, 'CCBOT_DIR under a file');
  assert.match(o.stderr, 'session not recorded');
});

hostile('diagnostics go to $CCBOT_DIR/hook.log, rotated at 256 KB, and not to stderr', async ({ env, ccbotDir }) => {
  mkdirSync(ccbotDir);
  const log = join(ccbotDir, 'hook.log');
  writeFileSync(log, 'old\n'.repeat(64 * 1024));
  const o = await hookProcess(JSON.stringify(sessionStart()), { ...env, TMUX_PANE: '%999' });
  silent(o, 'missing pane');
  assert.is(o.stderr, '');
  assert.is(statSync(`${log}.1`).size, 256 * 1024);
  const lines = readFileSync(log, 'utf8').trim().split('\n');
  assert.is(lines.length, 1);
  assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT.*Z pid=\d+ warn: hook: tmux could not say where this pane is.*pane=%999/);
});

hostile.run();
