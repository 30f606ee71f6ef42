/**
 * Which transcripts to follow and how far they were delivered. For every live session, the transcript its window's
 * Claude writes (the path the hook recorded in session_map.json; after /clear or /resume the hook names a new one,
 * and the monitor moves to it). It wakes on fs.watch and polls as a fallback, hands new events to the output, and
 * saves a transcript's offset in monitor_state.json only once the output has delivered them: after a crash the
 * same events come again, never fewer.
 */
import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CardModel } from './card.js';
import { logger } from './log.js';
import { SESSION_MAP_FILE, type SessionMap } from './session-map.js';
import type { Session, Sessions } from './sessions.js';
import { readJson, writeJson } from './store.js';
import { findTranscript, readEvents, type Cursor } from './transcript-reader.js';
import type { PendingCalls, TranscriptEvent } from './transcript.js';

const log = logger('monitor');

export const MONITOR_STATE_FILE = 'monitor_state.json';
/** Claude and the daemon share a clock, but an entry may be stamped just before the window counts as started. */
const SINCE_SLACK_MS = 2_000;
/** Keys of messages already sent per session, kept to make a replay after a crash invisible. */
const SENT_KEYS_KEPT = 50;

/** How far one session's transcript was delivered, and what the chat shows of it. Plain JSON. */
export interface Follow {
  path: string;
  cursor: Cursor;
  pending: PendingCalls;
  /** Entries older than this are the past of a resumed conversation: read for pairing, never shown again. */
  since: number;
  /** When the transcript last grew (for the stall hint). */
  grewAt: number;
  /** The newest entry time delivered: a transcript that shrank or was replaced is read again only past it. */
  seenAt: number;
  card: CardModel | null;
  /** Keys of visible messages already sent (answers, notices). */
  sent: string[];
}

export interface MonitorState {
  version: 1;
  follows: Record<string, Follow>;
}

/** The chat side: shows events, and says whether everything visible was delivered (false: retry them later). */
export interface Output {
  deliver(session: Session, follow: Follow, events: TranscriptEvent[]): Promise<boolean>;
  /** Called every pass for a followed session, events or not: pane checks, the stall hint. */
  idle?(session: Session, follow: Follow): Promise<void>;
}

export interface MonitorDeps {
  ccbotDir: string;
  tmuxSession: string;
  /** With tmuxSession, where a session's transcript is (transcript-reader.ts findTranscript). */
  claudeConfigDir: string;
  sessions: Pick<Sessions, 'live'>;
  readMap: () => SessionMap;
  output: Output;
  pollMs: number;
  now?: () => number;
  /** When this daemon started: a session older than that with no saved offset is followed from its end. */
  startedAt?: number;
  watchFile?: (path: string, onChange: () => void) => { close(): void } | null;
}

export function loadMonitorState(ccbotDir: string): MonitorState {
  const raw = readJson<unknown>(join(ccbotDir, MONITOR_STATE_FILE), { version: 1, follows: {} });
  const follows: Record<string, Follow> = {};
  const source = (raw as { follows?: unknown })?.follows;
  if (typeof source === 'object' && source !== null) {
    for (const [id, f] of Object.entries(source as Record<string, Partial<Follow>>)) {
      if (typeof f?.path !== 'string' || typeof f.cursor?.offset !== 'number') continue;
      follows[id] = {
        path: f.path, cursor: f.cursor, pending: f.pending ?? {}, since: f.since ?? 0, grewAt: f.grewAt ?? 0, seenAt: f.seenAt ?? 0,
        card: f.card ?? null, sent: Array.isArray(f.sent) ? f.sent : [],
      };
    }
  }
  return { version: 1, follows };
}

/** Remembers that the visible message `key` went out; true when it had gone out before (skip it). */
export function markSent(follow: Follow, key: string): boolean {
  if (follow.sent.includes(key)) return true;
  follow.sent = [...follow.sent, key].slice(-SENT_KEYS_KEPT);
  return false;
}

const defaultWatch = (path: string, onChange: () => void) => {
  try {
    const watcher: FSWatcher = watch(path, { persistent: false }, onChange);
    watcher.on('error', () => watcher.close()); // the file was replaced or removed: polling carries on
    return watcher;
  } catch {
    return null; // not there yet: polling finds it
  }
};

export class Monitor {
  readonly data: MonitorState;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private readonly watchers = new Map<string, { close(): void }>();
  private readonly now: () => number;
  private readonly startedAt: number;

  constructor(private readonly deps: MonitorDeps) {
    this.data = loadMonitorState(deps.ccbotDir);
    this.now = deps.now ?? Date.now;
    this.startedAt = deps.startedAt ?? this.now();
  }

  start(): void {
    this.wake();
    this.timer = setInterval(() => this.wake(), this.deps.pollMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  /** A pass soon; passes never overlap, and a wake during one runs another after it. */
  wake(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.tick().finally(() => {
      this.running = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /** One pass over every live session; resolves when it (and any pass it joined) is done. */
  async tick(): Promise<void> {
    let map: SessionMap;
    try {
      map = await this.sessionMap();
    } catch (err) {
      log.warn('session map unreadable', { error: String(err) });
      return;
    }
    const live = this.deps.sessions.live().filter((s) => s.windowId);
    for (const session of live) {
      const path = await findTranscript(session, map, this.deps);
      if (!path) continue;
      try {
        await this.follow(session, path);
      } catch (err) {
        log.error('following a transcript failed', { session: session.id, path, error: String(err) });
      }
    }
    this.forget(new Set(live.map((s) => s.id)));
  }

  private mapCache: { mtimeMs: number; size: number; ino: number; map: SessionMap } | undefined;

  /** The session map, read again only when the file changed (the hook rewrites it atomically: a new mtime). */
  private async sessionMap(): Promise<SessionMap> {
    const info = await stat(join(this.deps.ccbotDir, SESSION_MAP_FILE)).catch(() => null);
    const cache = this.mapCache;
    if (info && cache && cache.mtimeMs === info.mtimeMs && cache.size === info.size && cache.ino === info.ino) return cache.map;
    const map = this.deps.readMap();
    this.mapCache = info ? { mtimeMs: info.mtimeMs, size: info.size, ino: info.ino, map } : undefined;
    return map;
  }

  /** The pass of one session: new events out, then the offset saved. */
  private async follow(session: Session, path: string): Promise<void> {
    const follow = await this.followOf(session, path);
    this.watchOnce(path);
    // Most passes find nothing new: one stat instead of open, read and close.
    const size = await stat(path).then((s) => ({ size: s.size, ino: s.ino }), () => null);
    if (size && size.size === follow.cursor.offset && (follow.cursor.ino === undefined || follow.cursor.ino === size.ino)) {
      await this.deps.output.idle?.(session, follow);
      return;
    }
    const read = await readEvents(path, follow.cursor, follow.pending);
    if (!read.ok) {
      if (read.kind !== 'missing') log.warn('transcript unreadable', { session: session.id, path, error: read.error });
      return;
    }
    const grew = read.cursor.offset !== follow.cursor.offset || read.restarted;
    const after = read.restarted ? Math.max(follow.since, follow.seenAt + 1) : follow.since;
    if (read.restarted) log.warn('transcript shrank or was replaced: read again from its start', { session: session.id, path });
    const fresh = read.events.filter((e) => e.at === 0 || e.at >= after);
    if (fresh.length > 0) {
      const card = follow.card;
      const delivered = await this.deps.output.deliver(session, follow, fresh);
      if (!delivered) {
        follow.card = card; // retried from the same offset on the next pass
        this.save();
        return;
      }
    }
    if (grew) {
      follow.seenAt = Math.max(follow.seenAt, ...fresh.map((e) => e.at));
      follow.cursor = read.cursor;
      follow.pending = read.pending;
      follow.grewAt = this.now();
      this.save();
    }
    await this.deps.output.idle?.(session, follow);
  }

  /** The session's follow state; a new transcript path (a new session, /clear, /resume) starts a new one. */
  private async followOf(session: Session, path: string): Promise<Follow> {
    const known = this.data.follows[session.id];
    if (known?.path === path) return known;
    // A session that ran before this daemon and has no saved offset (a lost or corrupt monitor_state.json): from
    // its end, rather than sending its whole history again.
    const fromEnd = !known && session.createdAt < this.startedAt;
    const size = fromEnd ? await stat(path).then((s) => s.size, () => 0) : 0;
    const follow: Follow = {
      path, cursor: { offset: size }, pending: {}, since: session.createdAt - SINCE_SLACK_MS, grewAt: this.now(), seenAt: 0,
      card: known?.card ?? null, sent: known?.sent ?? [],
    };
    this.data.follows[session.id] = follow;
    log.info('following', { session: session.id, path, from: size });
    return follow;
  }

  private watchOnce(path: string): void {
    if (this.watchers.has(path)) return;
    const watcher = (this.deps.watchFile ?? defaultWatch)(path, () => this.wake());
    if (watcher) this.watchers.set(path, watcher);
  }

  /** Drops what belongs to sessions that ended. */
  private forget(live: Set<string>): void {
    let changed = false;
    for (const id of Object.keys(this.data.follows)) {
      if (live.has(id)) continue;
      this.watchers.get(this.data.follows[id]!.path)?.close();
      this.watchers.delete(this.data.follows[id]!.path);
      delete this.data.follows[id];
      changed = true;
    }
    if (changed) this.save();
  }

  save(): void {
    writeJson(join(this.deps.ccbotDir, MONITOR_STATE_FILE), this.data);
  }
}
