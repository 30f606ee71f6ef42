import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  acquireSingletonLock,
  isProcessAlive,
  LockHeldError,
  processStartTime,
  releaseOnExit,
  withFileLock,
} from '#ccbot/lock.cjs';

type LockDeps = NonNullable<Parameters<typeof acquireSingletonLock>[1]>;

const HOLDER = fileURLToPath(new URL('./fixtures/lock-holder.js', import.meta.url));
const COUNTER = fileURLToPath(new URL('./fixtures/counter.js', import.meta.url));

interface Ctx {
  dir: string;
  lock: string;
  children: ChildProcess[];
}

function withTempDir(name: string) {
  const s = suite<Ctx>(name);
  s.before.each((ctx) => {
    ctx.dir = mkdtempSync(join(tmpdir(), 'ccbot-lock-'));
    ctx.lock = join(ctx.dir, 'ccbot.lock');
    ctx.children = [];
  });
  s.after.each(async (ctx) => {
    for (const child of ctx.children) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
    }
    rmSync(ctx.dir, { recursive: true, force: true });
  });
  return s;
}

/** A node child running a compiled fixture: its first stdout line, and its exit. */
function start(ctx: Ctx, script: string, args: string[], file = process.execPath) {
  const child = spawn(file, [script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  ctx.children.push(child);
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let out = '';
  const firstLine = new Promise<string>((resolve) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    void exited.then(() => resolve(out));
  });
  return { child, firstLine, exited };
}

/** The pid of a process that has exited and been reaped: as dead as a pid gets. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid!;
}

const readLock = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { pid: number; startTime?: string; startedAt: string };
const alive = (live: number[]): LockDeps['isAlive'] => (pid) => live.includes(pid);
const noSleep = () => {};

// ---------------------------------------------------------------------------------------------------------------

const acquire = withTempDir('acquireSingletonLock');

acquire('creates the lock file 0600 holding our pid, start time and start moment', ({ lock }) => {
  const held = acquireSingletonLock(lock, { now: () => Date.UTC(2024, 0, 2) });
  assert.is(held.path, lock);
  const content = readLock(lock);
  assert.is(content.pid, process.pid);
  assert.is(content.startTime, processStartTime(process.pid));
  assert.is(content.startedAt, '2024-01-02T00:00:00.000Z');
  assert.is(statSync(lock).mode & 0o777, 0o600);
});

acquire('throws LockHeldError naming pid and path while the holder is alive', ({ lock }) => {
  const deps = { isAlive: alive([111]), startTimeOf: () => 'T1' };
  acquireSingletonLock(lock, { ...deps, pid: 111 });
  try {
    acquireSingletonLock(lock, { ...deps, pid: 222 });
    assert.unreachable('the second acquire must throw');
  } catch (err) {
    assert.instance(err, LockHeldError);
    const held = err as LockHeldError;
    assert.is(held.pid, 111);
    assert.is(held.path, lock);
    assert.is(held.message, `ccbot is already running (pid 111, lock ${lock}): stop it first, or use another CCBOT_DIR`);
  }
  assert.is(readLock(lock).pid, 111, 'the holder keeps its lock');
});

acquire('takes over a lock whose holder is dead', ({ lock }) => {
  acquireSingletonLock(lock, { pid: 111, startTimeOf: () => 'T1' });
  const taken = acquireSingletonLock(lock, { pid: 222, isAlive: alive([222]), startTimeOf: () => 'T2', sleep: noSleep });
  assert.is(taken.pid, 222);
  assert.is(readLock(lock).pid, 222);
  assert.not.ok(existsSync(`${lock}.takeover`), 'the takeover guard is gone');
});

acquire('takes over when the pid lives but started at another time (pid reused)', ({ lock }) => {
  acquireSingletonLock(lock, { pid: 111, startTimeOf: () => 'T-before-reboot' });
  acquireSingletonLock(lock, { pid: 222, isAlive: alive([111, 222]), startTimeOf: (pid) => (pid === 111 ? 'T-now' : 'T2') });
  assert.is(readLock(lock).pid, 222);
});

acquire('counts the holder as alive when a start time is unknown on either side', ({ lock }) => {
  acquireSingletonLock(lock, { pid: 111, startTimeOf: () => undefined });
  assert.throws(() => acquireSingletonLock(lock, { pid: 222, isAlive: alive([111]), startTimeOf: () => 'T2' }), (err: Error) => err instanceof LockHeldError);
});

acquire('an empty lock file is held by an unknown starter for two seconds, then stale', ({ lock }) => {
  writeFileSync(lock, '');
  const mtime = statSync(lock).mtimeMs;
  try {
    acquireSingletonLock(lock, { now: () => mtime + 500 });
    assert.unreachable('a fresh empty lock must count as held');
  } catch (err) {
    assert.instance(err, LockHeldError);
    assert.is((err as LockHeldError).pid, undefined);
    assert.match((err as Error).message, `pid unknown yet, lock ${lock}`);
  }
  acquireSingletonLock(lock, { now: () => mtime + 5_000, sleep: noSleep });
  assert.is(readLock(lock).pid, process.pid);
});

acquire('breaks a takeover guard left by a crash once it is old, and only then', async ({ lock }) => {
  writeFileSync(lock, JSON.stringify({ pid: await deadPid() }));
  writeFileSync(`${lock}.takeover`, '999');
  const guardTime = statSync(`${lock}.takeover`).mtimeMs;
  let sleeps = 0;
  const sleep = () => void sleeps++;
  assert.throws(() => acquireSingletonLock(lock, { now: () => guardTime + 100, sleep }), (err: Error) => err instanceof LockHeldError && err.pid === undefined);
  assert.ok(sleeps > 100, `a young guard is waited for (${sleeps} sleeps), not broken`);
  sleeps = 0;
  acquireSingletonLock(lock, { now: () => guardTime + 10_000, sleep });
  assert.is(readLock(lock).pid, process.pid);
  assert.is(sleeps, 1, 'one pause after breaking the old guard');
});

acquire.run();

// ---------------------------------------------------------------------------------------------------------------

const release = withTempDir('SingletonLock.release');

release('removes the lock file, and a second release does nothing', ({ lock }) => {
  const held = acquireSingletonLock(lock);
  held.release();
  assert.not.ok(existsSync(lock));
  writeFileSync(lock, JSON.stringify({ pid: process.pid }));
  held.release();
  assert.ok(existsSync(lock), 'release is idempotent: it does not remove a later lock');
});

release('leaves alone a lock now held by someone else', ({ lock }) => {
  const held = acquireSingletonLock(lock, { pid: 111 });
  writeFileSync(lock, JSON.stringify({ pid: 222 }));
  held.release();
  assert.is(readLock(lock).pid, 222);
});

release.run();

// ---------------------------------------------------------------------------------------------------------------

const onExit = withTempDir('releaseOnExit');

onExit('registers one exit listener and returns its removal', ({ lock }) => {
  const before = process.listenerCount('exit');
  const unregister = releaseOnExit(acquireSingletonLock(lock));
  assert.is(process.listenerCount('exit'), before + 1);
  unregister();
  assert.is(process.listenerCount('exit'), before);
  assert.ok(existsSync(lock), 'unregistering does not release');
});

onExit('a process that exits on SIGTERM leaves no lock behind', async (ctx) => {
  const holder = start(ctx, HOLDER, [ctx.lock]);
  assert.match(await holder.firstLine, /^locked \d+$/);
  holder.child.kill('SIGTERM');
  assert.equal(await holder.exited, [0, null]);
  assert.not.ok(existsSync(ctx.lock));
});

onExit.run();

// ---------------------------------------------------------------------------------------------------------------

const startTime = withTempDir('processStartTime');

startTime('reads field 22 even when the command name holds spaces and parentheses', async (ctx) => {
  const odd = join(ctx.dir, 'x) y (z');
  symlinkSync(process.execPath, odd);
  const child = start(ctx, '-e', ['console.log("up"); setInterval(() => {}, 1000)'], odd);
  assert.is(await child.firstLine, 'up');
  assert.match(readFileSync(`/proc/${child.child.pid}/stat`, 'utf8'), '(x) y (z)', 'the odd name is really in /proc');
  const mine = processStartTime(process.pid);
  const its = processStartTime(child.child.pid!);
  assert.match(its ?? '', /^\d+$/);
  assert.ok(Number(its) >= Number(mine), `the child (${its}) started after us (${mine})`);
  assert.ok(isProcessAlive(child.child.pid!));
  child.child.kill('SIGKILL');
  await child.exited;
  assert.not.ok(isProcessAlive(child.child.pid!));
  assert.is(processStartTime(child.child.pid!), undefined);
});

startTime.run();

// ---------------------------------------------------------------------------------------------------------------

const real = withTempDir('acquireSingletonLock between real processes');

real('a second process fails within 2 s, naming the holder pid and the lock path', async (ctx) => {
  const first = start(ctx, HOLDER, [ctx.lock]);
  const line = await first.firstLine;
  assert.is(line, `locked ${first.child.pid}`);
  const t0 = Date.now();
  const second = start(ctx, HOLDER, [ctx.lock]);
  const [code] = await second.exited;
  assert.ok(Date.now() - t0 < 2_000, `took ${Date.now() - t0} ms`);
  assert.is(code, 1);
  const out = await second.firstLine;
  assert.ok(out.startsWith(`held ${first.child.pid} `) && out.includes(`pid ${first.child.pid}`) && out.includes(ctx.lock), out);
});

real('after the holder is SIGKILLed a new process takes the stale lock over', async (ctx) => {
  const first = start(ctx, HOLDER, [ctx.lock]);
  assert.match(await first.firstLine, /^locked /);
  first.child.kill('SIGKILL');
  await first.exited;
  assert.is(readLock(ctx.lock).pid, first.child.pid, 'SIGKILL left the lock file');
  const next = start(ctx, HOLDER, [ctx.lock]);
  assert.is(await next.firstLine, `locked ${next.child.pid}`);
  assert.is(readLock(ctx.lock).pid, next.child.pid);
});

real('five processes racing for one stale lock: exactly one wins, round after round', async (ctx) => {
  for (let round = 0; round < 8; round++) {
    writeFileSync(ctx.lock, JSON.stringify({ pid: await deadPid(), startTime: '1', startedAt: new Date().toISOString() }));
    const startAt = String(Date.now() + 300); // all five are past Node's start-up by then, and spin until it
    const racers = Array.from({ length: 5 }, () => start(ctx, HOLDER, [ctx.lock, startAt]));
    const lines = await Promise.all(racers.map((r) => r.firstLine));
    const winners = racers.filter((_, i) => lines[i]!.startsWith('locked '));
    assert.is(winners.length, 1, `round ${round}: ${lines.join(' | ')}`);
    const winner = winners[0]!;
    assert.is(readLock(ctx.lock).pid, winner.child.pid);
    for (const [i, racer] of racers.entries()) {
      if (racer === winner) continue;
      assert.match(lines[i]!, new RegExp(`^held (${winner.child.pid}|unknown) `), `round ${round}`);
      assert.equal(await racer.exited, [1, null]);
    }
    winner.child.kill('SIGTERM');
    await winner.exited;
    assert.not.ok(existsSync(ctx.lock), `round ${round}: the winner released`);
  }
});

real.run();

// ---------------------------------------------------------------------------------------------------------------

const fileLock = withTempDir('withFileLock');

/** A clock that only moves when the code under test sleeps. */
function fakeTime(start = 1_000_000) {
  const clock = { t: start, sleeps: 0 };
  return { clock, now: () => clock.t, sleep: async (ms: number) => void ((clock.t += ms), clock.sleeps++) };
}

fileLock('runs fn with the lock file holding our pid, returns its value and removes the lock', async ({ lock }) => {
  const result = await withFileLock(lock, () => readLock(lock).pid);
  assert.equal(result, { ok: true, value: process.pid });
  assert.not.ok(existsSync(lock));
});

fileLock('lets exceptions from fn propagate and still removes the lock', async ({ lock }) => {
  try {
    await withFileLock(lock, async () => {
      throw new Error('boom');
    });
    assert.unreachable('fn threw');
  } catch (err) {
    assert.is((err as Error).message, 'boom');
  }
  assert.not.ok(existsSync(lock));
});

fileLock('breaks a lock left by a dead pid without waiting', async ({ lock }) => {
  const time = fakeTime();
  writeFileSync(lock, JSON.stringify({ pid: await deadPid(), at: time.now() }));
  const result = await withFileLock(lock, () => 'ran', time);
  assert.equal(result, { ok: true, value: 'ran' });
  assert.is(time.clock.sleeps, 0);
});

fileLock('breaks a lock older than staleMs even when its holder lives', async ({ lock }) => {
  const time = fakeTime();
  writeFileSync(lock, JSON.stringify({ pid: process.pid, at: time.now() - 10_001 }));
  assert.equal(await withFileLock(lock, () => 'ran', { ...time, staleMs: 10_000 }), { ok: true, value: 'ran' });
});

fileLock('gives up after timeoutMs on a live lock, as a value, leaving that lock alone', async ({ lock }) => {
  const time = fakeTime();
  const theirs = JSON.stringify({ pid: process.pid, at: time.now() });
  writeFileSync(lock, theirs);
  let ran = false;
  const result = await withFileLock(lock, () => (ran = true), { ...time, timeoutMs: 500 });
  assert.equal(result, { ok: false, kind: 'held', error: `lock ${lock} is held by pid ${process.pid}: gave up after 500 ms` });
  assert.not.ok(ran);
  assert.ok(time.clock.t - 1_000_000 >= 500 && time.clock.sleeps >= 20, `waited ${time.clock.t - 1_000_000} ms in ${time.clock.sleeps} sleeps`);
  assert.is(readFileSync(lock, 'utf8'), theirs);
});

fileLock('returns an error value when the lock cannot be created at all', async ({ dir }) => {
  writeFileSync(join(dir, 'file'), '');
  const result = await withFileLock(join(dir, 'file', 'x.lock'), () => 'ran');
  assert.is(result.ok, false);
  assert.match((result as { error: string }).error, /^cannot take lock .*x\.lock: /);
});

fileLock('does not remove a lock that is no longer its own', async ({ lock }) => {
  const other = JSON.stringify({ pid: 222, at: 0 });
  await withFileLock(lock, () => writeFileSync(lock, other));
  assert.is(readFileSync(lock, 'utf8'), other);
});

fileLock('20 processes x 20 read-increment-write cycles lose no update', async (ctx) => {
  const counter = join(ctx.dir, 'counter.json');
  const workers = Array.from({ length: 20 }, () => start(ctx, COUNTER, [counter, ctx.lock, '20']));
  const exits = await Promise.all(workers.map((w) => w.exited));
  assert.equal(exits, workers.map(() => [0, null]));
  assert.equal(JSON.parse(readFileSync(counter, 'utf8')), { n: 400 });
  assert.not.ok(existsSync(ctx.lock));
});

fileLock.run();
