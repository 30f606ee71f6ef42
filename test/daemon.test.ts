import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeTelegram, type FakeTelegram } from './fake-telegram.js';
import { createTmuxFixture, type TmuxFixture } from './tmux-fixture.js';
import { daemonEnv, exitWithin, startDaemon, tempDir, TEST_SESSION, TEST_TOKEN, type DaemonRun } from './daemon-fixture.js';

interface Ctx {
  fake: FakeTelegram;
  tmux: TmuxFixture;
  dir: { path: string; remove(): void };
  env: NodeJS.ProcessEnv;
  runs: DaemonRun[];
}

const daemon = suite<Ctx>('ccbot daemon');

daemon.before.each(async (ctx) => {
  ctx.fake = await startFakeTelegram({ token: TEST_TOKEN });
  ctx.tmux = createTmuxFixture();
  ctx.dir = tempDir('ccbot-daemon-');
  ctx.env = daemonEnv({ ccbotDir: join(ctx.dir.path, 'state'), apiRoot: ctx.fake.url, tmux: ctx.tmux });
  ctx.runs = [];
});

daemon.after.each(async (ctx) => {
  for (const run of ctx.runs) if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill('SIGKILL');
  await Promise.all(ctx.runs.map((r) => r.exited));
  await ctx.fake.close();
  await ctx.tmux.cleanup();
  ctx.dir.remove();
});

const start = (ctx: Ctx) => {
  const run = startDaemon(ctx.env, ctx.dir.path);
  ctx.runs.push(run);
  return run;
};
const lockPath = (ctx: Ctx) => join(ctx.dir.path, 'state', 'ccbot.lock');
const polling = (ctx: Ctx, count = 1) => ctx.fake.waitFor((f) => f.callsTo('getUpdates').length >= count, 10_000, 'getUpdates');

daemon('starts, polls the fake Bot API, and stops on SIGTERM with exit 0, leaving tmux running and no lock', async (ctx) => {
  const run = start(ctx);
  await polling(ctx);
  const lock = JSON.parse(readFileSync(lockPath(ctx), 'utf8')) as { pid: number };
  assert.is(lock.pid, run.child.pid);
  assert.ok((await ctx.tmux.tmux(['has-session', '-t', `=${TEST_SESSION}`])).ok, 'the daemon created its tmux session');
  const tmuxEnv = await ctx.tmux.tmux(['show-environment', '-g']);
  assert.ok(tmuxEnv.ok && tmuxEnv.stdout.includes('CCBOT_DIR='), 'the tmux server got the daemon env');
  assert.not.match(tmuxEnv.stdout, 'TELEGRAM_BOT_TOKEN', 'but never the bot token');

  run.child.kill('SIGTERM');
  const exit = await exitWithin(run, 5_000);
  assert.equal(exit, { code: 0, signal: null });
  assert.not.ok(existsSync(lockPath(ctx)), 'lock removed');
  assert.ok((await ctx.tmux.tmux(['has-session', '-t', `=${TEST_SESSION}`])).ok, 'tmux session survives the daemon');
  assert.ok(existsSync(join(ctx.dir.path, 'state', 'state.json')), 'state flushed');
  assert.not.match(run.stderr(), TEST_TOKEN, 'the token never reaches the logs');
});

daemon('a second daemon on the same CCBOT_DIR exits 1 within 2 s, naming the lock and the holder pid', async (ctx) => {
  const first = start(ctx);
  await polling(ctx);
  const second = start(ctx);
  const exit = await exitWithin(second, 2_000);
  assert.is(exit.code, 1);
  assert.match(second.stderr(), `pid ${first.child.pid}`);
  assert.match(second.stderr(), lockPath(ctx));
  assert.is(second.stderr().trim().split('\n').length, 1, `one line, got:\n${second.stderr()}`);
  assert.is(first.child.exitCode, null, 'the first one keeps running');
});

daemon('takes over the stale lock of a SIGKILLed daemon', async (ctx) => {
  const first = start(ctx);
  await polling(ctx);
  first.child.kill('SIGKILL');
  await first.exited;
  assert.ok(existsSync(lockPath(ctx)), 'SIGKILL leaves the lock behind');
  const calls = ctx.fake.callsTo('getUpdates').length;
  const second = start(ctx);
  await polling(ctx, calls + 1);
  const lock = JSON.parse(readFileSync(lockPath(ctx), 'utf8')) as { pid: number };
  assert.is(lock.pid, second.child.pid);
});

daemon('a corrupt state.json is set aside and the daemon still starts', async (ctx) => {
  const stateDir = join(ctx.dir.path, 'state');
  await import('node:fs').then((fs) => fs.mkdirSync(stateDir, { recursive: true }));
  writeFileSync(join(stateDir, 'state.json'), '{"version": 1, "sessions": {');
  const run = start(ctx);
  await polling(ctx);
  assert.match(run.stderr(), /state\.json.*corrupt/);
  const files = (await import('node:fs')).readdirSync(stateDir);
  assert.ok(files.some((f) => f.startsWith('state.json.corrupt-')), files.join(','));
});

daemon('exits 1 with one line when tmux is not installed', async (ctx) => {
  const run = startDaemon({ ...ctx.env, LOG_LEVEL: 'info', PATH: join(ctx.dir.path, 'empty-bin') }, ctx.dir.path);
  ctx.runs.push(run);
  const exit = await exitWithin(run, 15_000); // a bound on hanging, not a timing: loaded CI machines start node slowly
  assert.is(exit.code, 1);
  assert.match(run.stderr(), /tmux/);
  assert.not.match(run.stderr(), /\n\s+at /, 'no stack trace');
  assert.not.ok(existsSync(lockPath(ctx)), 'lock released on a failed start');
});

daemon('at start-up, a session whose window vanished while it was down is lost, and a stray window is reported, not killed', async (ctx) => {
  const stateDir = join(ctx.dir.path, 'state');
  mkdirSync(stateDir, { recursive: true });
  const record = {
    id: 'a3f1', name: 'api', workdir: ctx.dir.path, windowId: '@7', claudeSessionId: null, status: 'active', createdAt: 1,
    lastActivityAt: 1, archivedAt: null, archiveReason: null, ownerUserId: 1001,
  };
  writeFileSync(join(stateDir, 'state.json'), JSON.stringify({ version: 1, sessions: { a3f1: record }, users: {} }));
  assert.ok((await ctx.tmux.tmux(['new-session', '-d', '-s', TEST_SESSION, '-n', '__main__'])).ok);
  assert.ok((await ctx.tmux.tmux(['new-window', '-d', '-t', `=${TEST_SESSION}:`, '-n', 'by-hand', 'sleep', '1000'])).ok);

  const run = start(ctx);
  await polling(ctx);
  run.child.kill('SIGTERM');
  await exitWithin(run, 5_000);

  const saved = JSON.parse(readFileSync(join(stateDir, 'state.json'), 'utf8')) as { sessions: Record<string, { status: string; windowId: string | null }> };
  assert.equal({ status: saved.sessions.a3f1?.status, windowId: saved.sessions.a3f1?.windowId }, { status: 'lost', windowId: null });
  assert.is(run.stderr().split('\n').filter((l) => l.includes('orphan_window') && l.includes('name="by-hand"')).length, 1, run.stderr());
  const windows = await ctx.tmux.tmux(['list-windows', '-t', `=${TEST_SESSION}`, '-F', '#{window_name}']);
  assert.match(windows.ok ? windows.stdout : '', 'by-hand', 'the stray window still runs');
});

daemon.run();
