/** Atomic JSON files: write a temp file, fsync, rename over the target. A corrupt file is moved aside, never
 * overwritten silently. Synchronous on purpose: the files are small and exit paths (process 'exit') cannot await. */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { logger } from './log.cjs';

const log = logger('store');

/** The file's text, or undefined when it does not exist; other errors (EACCES) throw. */
export function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

/** Reads JSON from `path`. A missing file gives `fallback`; an unparsable one is renamed to `<path>.corrupt-<time>`
 * (one error line) and gives `fallback`, so the daemon still starts and the person can inspect what was there.
 * The shape of what parsed is the caller's business. */
export function readJson<T>(path: string, fallback: T, opts: { now?: () => number } = {}): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return fallback;
    throw new Error(`cannot read ${path}: ${(err as Error).message}: check its permissions`, { cause: err });
  }
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    // ISO time without colons: sortable, readable, and a valid file name everywhere.
    const aside = `${path}.corrupt-${new Date((opts.now ?? Date.now)()).toISOString().replace(/:/g, '-')}`;
    try {
      renameSync(path, aside);
      log.error('corrupt JSON file moved aside, starting from empty', { file: path, moved_to: aside, error: err });
    } catch (renameErr) {
      log.error('corrupt JSON file could not be moved aside, it will be overwritten', { file: path, error: renameErr });
    }
    return fallback;
  }
}

/** Replaces `path` with `value` as JSON, atomically: a reader (or a crash at any instant) sees the old content or the
 * new one, never a torn mix. The temp file sits in the same directory because rename is only atomic within one
 * filesystem; its name is unique per process and call so concurrent writers never share one. A kill can leave a
 * `.<name>.<pid>.<hex>.tmp` behind; readers never look at those. */
export function writeJson(path: string, value: unknown): void {
  const text = JSON.stringify(value, null, 2);
  if (text === undefined) throw new TypeError(`writeJson(${path}): value is not JSON-serialisable`);
  const dir = dirname(path);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // Not node:crypto, whose loading would cost the hook ~5 ms; 'wx' below refuses the unlikely clash.
  const hex = Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0');
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${hex}.tmp`);
  // 0600: state can hold chat ids and session paths.
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    try {
      writeFileSync(fd, text + '\n'); // writes it all, looping over short writes
      // Without fsync before rename, a power loss can leave the new name pointing at an empty file.
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  fsyncDirectory(dir);
}

/** Makes the rename itself durable. Best effort: some filesystems refuse to fsync a directory. */
function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // not supported here; the data itself is already synced
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
