/** The session map `$CCBOT_DIR/session_map.json`: which Claude Code session runs in which tmux window. Written by
 * the hook (one process per Claude event, many at once) and pruned by the daemon, so every change goes through
 * updateSessionMap: read-modify-write under one lock file, ending in an atomic rename. Runs neither tmux nor Claude. */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FileLockOptions } from './lock.cjs'; // lock.cjs and sha256.cjs: required when used (the hook)
import { logger } from './log.cjs';
import { readIfExists, readJson, writeJson } from './store.cjs';
import type { PaneInfo } from './tmux.js';
import { fail, isObject, type Failure } from './values.cjs';

interface SessionMapEntry {
  session_id: string; cwd: string; window_name: string; transcript_path: string;
  /** ms epoch of the window's last UserPromptSubmit. */
  prompt_at?: number;
  /** promptHash of that prompt: the daemon hashes what it typed the same way to confirm delivery. */
  prompt_hash?: string;
}

/** Keyed by `"<tmux session>:<window id>"` (mapKey). */
export type SessionMap = Record<string, SessionMapEntry>;

type MapUpdateResult = { ok: true; changed: boolean } | Failure<'held' | 'io'>;

export const SESSION_MAP_FILE = 'session_map.json';

/** Claude Code's session ids are lowercase UUIDs: nothing else goes into a `--resume` argument or a kill decision. */
export const isClaudeSessionId = (id: unknown): id is string =>
  typeof id === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id);

/** Window ids (`@12`) are unique per tmux server, names are not: the id is the key, the session name tells servers'
 * sessions apart. */
export const mapKey = (tmuxSession: string, windowId: string): string => `${tmuxSession}:${windowId}`;

/** Whitespace-insensitive: Claude Code and tmux may each turn a pasted newline or tab into something else. Claude
 * Code 2.1.328 also hands a multi-line paste to the UserPromptSubmit hook wrapped in `<pasted_content id="…">`. */
export function promptHash(text: string): string {
  const unwrapped = text.replace(/<pasted_content[^>]*>([\s\S]*?)<\/pasted_content[^>]*>/g, '$1');
  const { sha256Hex } = require('./sha256.cjs') as typeof import('./sha256.cjs');
  return sha256Hex(unwrapped.replace(/\s+/g, ' ').trim()).slice(0, 16);
}

/** The map as it is on disk, without entries of the wrong shape (a hand edit, an older or newer ccbot): callers may
 * trust every field. A missing or corrupt file is an empty map (store.cts sets a corrupt one aside); a file that
 * exists but cannot be read (permissions) throws, naming it. */
export function readSessionMap(
  ccbotDir: string, raw = readJson<unknown>(join(ccbotDir, SESSION_MAP_FILE), {}),
): SessionMap {
  const map: SessionMap = {};
  if (!isObject(raw)) return map;
  for (const [key, value] of Object.entries(raw)) {
    // The key shape also keeps `__proto__` out of a plain object.
    const entry = /^[^:]+:@\d+$/.test(key) ? toEntry(value) : undefined;
    if (entry) map[key] = entry;
  }
  return map;
}

/** `$CCBOT_DIR/windows/<ccbot session id>.json`: the window the daemon opened for that session (whose environment
 * carries the id), for the hook to find without a tmux round trip; removed (`where` undefined) before a window is
 * opened for the id again. Best effort: without it the hook asks tmux. */
export function recordWindow(ccbotDir: string, id: string | undefined, where?: PaneInfo): void {
  const path = windowFile(ccbotDir, id);
  try {
    if (path && where) writeJson(path, where);
    else if (path) rmSync(path, { force: true });
  } catch (err) {
    logger('session-map').warn('window index not updated; the hook will ask tmux', { path, error: err });
  }
}

export function indexedWindow(ccbotDir: string, id: string | undefined): PaneInfo | undefined {
  const path = windowFile(ccbotDir, id);
  let w: unknown;
  try {
    w = path && JSON.parse(readIfExists(path) ?? 'null');
  } catch {
    return undefined; // unreadable: ask tmux
  }
  return isObject(w) && typeof w.sessionName === 'string' && typeof w.windowName === 'string'
    && /^@\d+$/.test(`${w.windowId}`) ? (w as PaneInfo) : undefined;
}

const windowFile = (dir: string, id = '') => (/^[\w-]+$/.test(id) ? join(dir, 'windows', `${id}.json`) : undefined);

/** Applies `mutate` to the current map under `<map>.lock` and writes the result if it returns true (if it returns
 * false for the map read first without the lock: no lock, no write). Everyone who changes the map (hooks, the
 * daemon's pruning) must come through here: the shared lock is what keeps concurrent writers from losing each other's
 * entries. Lock, read and write trouble come back as values; a throw from mutate (a bug) propagates. */
export async function updateSessionMap(
  ccbotDir: string, mutate: (map: SessionMap) => boolean, lock: FileLockOptions = {},
): Promise<MapUpdateResult> {
  const path = join(ccbotDir, SESSION_MAP_FILE);
  let seen: SessionMap | undefined;
  try {
    seen = readSessionMap(ccbotDir, JSON.parse(readIfExists(path) ?? '{}'));
  } catch {
    // left to the locked read below, which alone may set a corrupt file aside
  }
  if (seen && !mutate(seen)) return { ok: true, changed: false };
  const update = (): MapUpdateResult => {
    let map: SessionMap;
    try {
      map = readSessionMap(ccbotDir);
    } catch (err) {
      return fail('io', (err as Error).message);
    }
    if (!mutate(map)) return { ok: true, changed: false };
    try {
      writeJson(path, map);
      return { ok: true, changed: true };
    } catch (err) {
      return fail('io', `cannot write ${path}: ${(err as Error).message}`);
    }
  };
  const { withFileLock } = require('./lock.cjs') as typeof import('./lock.cjs');
  const locked = await withFileLock(`${path}.lock`, update, lock);
  return locked.ok ? locked.value : locked;
}

/** Drops the entries of `tmuxSession`'s windows that tmux no longer has (`windowIds`: what it listed), among those
 * in `before`, the map as read before tmux was asked: an entry the hook wrote meanwhile belongs to a window the list
 * may not show yet. The one pruning, at start-up (recovery.ts) and in the periodic sweep (archive.ts). */
export async function pruneSessionMap(
  ccbotDir: string, tmuxSession: string, windowIds: ReadonlySet<string>, before: SessionMap,
): Promise<{ ok: true; pruned: number } | Failure<'held' | 'io'>> {
  const prefix = mapKey(tmuxSession, '');
  let pruned = 0;
  const result = await updateSessionMap(ccbotDir, (map) => {
    const gone = Object.keys(map).filter(
      (key) => key.startsWith(prefix) && !windowIds.has(key.slice(prefix.length)) && Object.hasOwn(before, key),
    );
    for (const key of gone) delete map[key];
    pruned = gone.length;
    return pruned > 0;
  });
  return result.ok ? { ok: true, pruned } : result;
}

/** A fresh object with the known fields in a fixed order, or undefined if any is missing or of the wrong type. */
function toEntry(value: unknown): SessionMapEntry | undefined {
  if (!isObject(value)) return undefined;
  const { session_id, cwd, window_name, transcript_path, prompt_at, prompt_hash } = value;
  if (!isClaudeSessionId(session_id) || typeof cwd !== 'string' || typeof window_name !== 'string'
    || typeof transcript_path !== 'string' || (prompt_at !== undefined && !Number.isFinite(prompt_at))
    || (prompt_hash !== undefined && typeof prompt_hash !== 'string')) return undefined;
  // The hook records only Claude's own path for this session; a hand edit pointing elsewhere is not followed.
  const transcript = transcript_path.endsWith(`/${session_id}.jsonl`) ? transcript_path : '';
  const entry: SessionMapEntry = { session_id, cwd, window_name, transcript_path: transcript };
  if (prompt_at !== undefined) entry.prompt_at = prompt_at as number;
  if (prompt_hash !== undefined) entry.prompt_hash = prompt_hash;
  return entry;
}
