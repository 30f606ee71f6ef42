/** The singleton lock `ccbot.lock` (O_EXCL, pid inside, stale takeover) and short-lived file locks for
 * read-modify-write of small shared files. Installs no signal handlers: the daemon decides when to release. */
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync }
  from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fail, type Failure } from './values.cjs';

/** The daemon's singleton lock in $CCBOT_DIR (daemon.ts takes it; doctor and send-file read it). */
export const LOCK_FILE = 'ccbot.lock';

/** A lock file that exists but is empty or unparsable: its creator may be between open and write. */
const EMPTY_GRACE_MS = 2_000;
const GUARD_STALE_MS = 2_000;
/** Rounds of 10–25 ms: long enough to outlast a guard left by a crash (GUARD_STALE_MS). */
const SINGLETON_ROUNDS = 200;

interface LockDeps {
  pid?: number; isAlive?: (pid: number) => boolean; startTimeOf?: (pid: number) => string | undefined;
  now?: () => number; sleep?: (ms: number) => void;
}

export class LockHeldError extends Error {
  override name = 'LockHeldError';
  constructor(readonly pid: number | undefined, readonly path: string) {
    super(pid === undefined
      ? `ccbot is starting or already running (pid unknown yet, lock ${path}): try again in a few seconds, or use `
        + 'another CCBOT_DIR'
      : `ccbot is already running (pid ${pid}, lock ${path}): stop it first, or use another CCBOT_DIR`);
  }
}

/** The held singleton lock; `release` is idempotent and never removes a lock that is no longer ours. */
class SingletonLock {
  private released = false;
  constructor(readonly path: string, readonly pid: number) {}

  release(): void {
    if (this.released) return;
    this.released = true;
    try {
      if (readHolder(this.path)?.data?.pid === this.pid) rmSync(this.path, { force: true });
    } catch {
      // runs on exit paths, where a throw helps nobody; a leftover lock of a dead pid is taken over as stale
    }
  }
}

/** Takes `path` for this process or throws LockHeldError naming the live holder. */
export function acquireSingletonLock(path: string, deps: LockDeps = {}): SingletonLock {
  const { pid = process.pid, isAlive = isProcessAlive, startTimeOf = processStartTime } = deps;
  const { now = Date.now, sleep = sleepSync } = deps;
  const isStale = (h: Holder): boolean => {
    if (!h.data) return now() - h.mtimeMs > EMPTY_GRACE_MS;
    if (!isAlive(h.data.pid)) return true;
    // Same pid, different start time: the pid was reused by an unrelated process after a crash.
    const current = startTimeOf(h.data.pid);
    return typeof h.data.startTime === 'string' && current !== undefined && h.data.startTime !== current;
  };
  const content = JSON.stringify({ pid, startTime: startTimeOf(pid), startedAt: new Date(now()).toISOString() });
  for (let round = 0; round < SINGLETON_ROUNDS; round++) {
    if (createExclusive(path, content)) return new SingletonLock(path, pid);
    const holder = readHolder(path);
    if (!holder) continue; // released between our open and our read
    if (!isStale(holder)) throw new LockHeldError(holder.data?.pid, path);
    if (removeIfStale(path, isStale, now)) continue;
    sleep(jitterMs());
  }
  throw new LockHeldError(undefined, path);
}

/** Releases the lock when the process exits however it exits (except SIGKILL); returns the unregister function. */
export function releaseOnExit(lock: SingletonLock): () => void {
  const onExit = () => lock.release();
  process.on('exit', onExit);
  return () => void process.off('exit', onExit);
}

export interface FileLockOptions {
  timeoutMs?: number;
  /** A lock older than this is broken even if its holder lives: fn must always finish well within it. */
  staleMs?: number;
  now?: () => number; sleep?: (ms: number) => Promise<void>; isAlive?: (pid: number) => boolean;
}

/** Runs `fn` while holding the O_EXCL file `lockPath` ({pid, at}). Lock trouble comes back as a value (`held`: another
 * process kept the lock past timeoutMs; `io`: the lock file could not be made or read); exceptions from fn propagate.
 * The lock file is removed afterwards, but only if it is still ours. */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => T | Promise<T>,
  opts: FileLockOptions = {},
): Promise<{ ok: true; value: T } | Failure<'held' | 'io'>> {
  const { timeoutMs = 2_000, staleMs = 10_000, now = Date.now, sleep = delay, isAlive = isProcessAlive } = opts;
  const isStale = (h: Holder): boolean =>
    h.data ? !isAlive(h.data.pid) || now() - Number(h.data.at) > staleMs : now() - h.mtimeMs > EMPTY_GRACE_MS;
  const deadline = now() + timeoutMs;
  let mine = '';
  try {
    mkdirSync(dirname(lockPath), { recursive: true, mode: 0o700 });
    for (;;) {
      mine = JSON.stringify({ pid: process.pid, at: now() });
      if (createExclusive(lockPath, mine)) break;
      const holder = readHolder(lockPath);
      if (!holder || (isStale(holder) && removeIfStale(lockPath, isStale, now))) continue;
      const gaveUp = `lock ${lockPath} is held by pid ${holder.data?.pid ?? 'unknown'}: gave up after ${timeoutMs} ms`;
      if (now() >= deadline) return fail('held', gaveUp);
      await sleep(jitterMs());
    }
  } catch (err) {
    return fail('io', `cannot take lock ${lockPath}: ${(err as Error).message}`);
  }
  try {
    return { ok: true, value: await fn() };
  } finally {
    try {
      if (readHolder(lockPath)?.raw === mine) rmSync(lockPath, { force: true });
    } catch {
      // must not mask fn's outcome; a leftover lock is broken as stale by the next taker
    }
  }
}

interface Holder { raw: string; mtimeMs: number; data?: { pid: number; [key: string]: unknown } }

/** true: created with our content. false: it exists. Anything else (EACCES, ENOENT dir) throws. */
function createExclusive(path: string, content: string): boolean {
  const fd = openUnless('EEXIST', path, 'wx');
  if (fd === undefined) return false;
  try {
    writeSync(fd, content);
    return true;
  } catch (err) {
    rmSync(path, { force: true }); // an empty lock (ENOSPC) would block others for EMPTY_GRACE_MS
    throw err;
  } finally {
    closeSync(fd);
  }
}

/** The lock file's content and age as one snapshot (one fd), or undefined if it is gone. */
function readHolder(path: string): Holder | undefined {
  const fd = openUnless('ENOENT', path, 'r');
  if (fd === undefined) return undefined;
  try {
    const { mtimeMs } = fstatSync(fd);
    const raw = readFileSync(fd, 'utf8');
    return { raw, mtimeMs, data: parseHolder(raw) };
  } finally {
    closeSync(fd);
  }
}

/** An fd, or undefined when open fails with `code`, which is an answer here; any other error throws. */
function openUnless(code: 'EEXIST' | 'ENOENT', path: string, flags: 'wx' | 'r'): number | undefined {
  try {
    return openSync(path, flags, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === code) return undefined;
    throw err;
  }
}

/** A pid <= 0 would make kill() address a process group: such content is garbage, not a holder. */
function parseHolder(raw: string): Holder['data'] {
  try {
    const data = JSON.parse(raw) as Holder['data'];
    return Number.isSafeInteger(data?.pid) && data!.pid > 0 ? data : undefined;
  } catch {
    return undefined;
  }
}

/** Removes `path` if it is still stale once we hold `<path>.takeover`; true if removed. Creating is O_EXCL (the kernel
 * arbitrates); the danger is removing: racer A reads a stale lock, B removes it and creates its own, A removes B's.
 * Under the guard the content cannot change: only guard holders remove a stale lock, nobody creates while it exists.
 * A guard left by a process killed inside these few syscalls is broken by age (GUARD_STALE_MS). */
function removeIfStale(path: string, isStale: (h: Holder) => boolean, now: () => number): boolean {
  const guard = `${path}.takeover`;
  if (!createExclusive(guard, String(process.pid))) {
    try {
      if (now() - statSync(guard).mtimeMs > GUARD_STALE_MS) rmSync(guard, { force: true });
    } catch {
      // the guard went away meanwhile
    }
    return false;
  }
  try {
    const holder = readHolder(path);
    if (!holder || !isStale(holder)) return false;
    rmSync(path, { force: true });
    return true;
  } finally {
    rmSync(guard, { force: true });
  }
}

/** Whether the singleton lock in `ccbotDir` names a live process: the hook and send-file ask before they wait on it. */
export function isDaemonRunning(ccbotDir: string): boolean {
  try {
    const pid = (JSON.parse(readFileSync(join(ccbotDir, LOCK_FILE), 'utf8')) as { pid?: unknown }).pid;
    return typeof pid === 'number' && Number.isSafeInteger(pid) && pid > 0 && isProcessAlive(pid);
  } catch {
    return false; // no lock, or one being written: nobody to ask yet
  }
}

/** kill(pid, 0): EPERM means it exists under another user. kill alone calls a zombie alive (an exited child its
 * parent has not reaped): Linux states Z and X are dead, and so is a pid whose /proc entry vanished meanwhile. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  const state = statFields(pid)?.[0];
  return state === undefined ? !existsSync('/proc/self/stat') : state !== 'Z' && state !== 'X';
}

/** Linux: field 22 of /proc/<pid>/stat (start time in clock ticks since boot); elsewhere undefined. */
export function processStartTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** The fields of /proc/<pid>/stat after the command name, starting at field 3 (state). The name (field 2) is in
 * parentheses and may itself contain spaces and ')', so split after the LAST ')'. */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).trim().split(' ');
  } catch {
    return undefined;
  }
}

const jitterMs = (): number => 10 + Math.random() * 15;
const sleepSync = (ms: number): void => void Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
