/** Following each live session's transcript (the one its hook last named) on fs.watch and polls, and handing new events
 * to the output; monitor_state.json's offset moves only once they were delivered: after a crash, never fewer. */
import { watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CardModel } from './card.js';
import { logger } from './log.js';
import type { LiveOutput } from './output.js';
import { SESSION_MAP_FILE, type SessionMap } from './session-map.js';
import type { Session, Sessions } from './sessions.js';
import { readJson, writeJson } from './store.js';
import { findTranscript, readEvents, type Cursor } from './transcript-reader.js';
import type { PendingCalls } from './transcript.js';
import { isObject } from './values.js';

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
  grewAt: number; // when the transcript last grew (for the stall hint)
  /** The newest entry time delivered: a transcript that shrank or was replaced is read again only past it. */
  seenAt: number;
  card: CardModel | null;
  sent: string[]; // keys of visible messages already sent (answers, notices)
}

interface MonitorDeps {
  ccbotDir: string;
  tmuxSession: string;
  claudeConfigDir: string; // with tmuxSession, where a session's transcript is (transcript-reader.ts findTranscript)
  sessions: Pick<Sessions, 'live'>;
  readMap: () => SessionMap;
  output: Pick<LiveOutput, 'deliver' | 'idle' | 'isPaneBusy'>;
  pollMs: number;
  now?: () => number;
}

/** monitor_state.json's follows; an entry without a path and an offset is dropped, missing fields get defaults. */
function loadFollows(ccbotDir: string): Record<string, Follow> {
  const saved = readJson<unknown>(join(ccbotDir, MONITOR_STATE_FILE), {});
  const follows: Record<string, Follow> = {};
  for (const [id, f] of Object.entries(isObject(saved) && isObject(saved.follows) ? saved.follows : {})) {
    const entry = f as Partial<Follow> | null;
    if (typeof entry?.path !== 'string' || typeof entry.cursor?.offset !== 'number') continue;
    const { path, cursor, pending = {}, since = 0, grewAt = 0, seenAt = 0, card = null, sent } = entry;
    follows[id] = { path, cursor, pending, since, grewAt, seenAt, card, sent: Array.isArray(sent) ? sent : [] };
  }
  return follows;
}

export function markSent(follow: Follow, key: string): void {
  follow.sent = [...follow.sent, key].slice(-SENT_KEYS_KEPT);
}

export class Monitor {
  private readonly follows: Record<string, Follow>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private readonly watchers = new Map<string, { close(): void }>();
  private readonly now: () => number;
  /** When this daemon started: a session older than that with no saved offset is followed from its end. */
  private readonly startedAt: number;
  private mapCache: { stamp: string; map: SessionMap } | undefined;

  constructor(private readonly deps: MonitorDeps) {
    this.follows = loadFollows(deps.ccbotDir);
    this.now = deps.now ?? Date.now;
    this.startedAt = this.now();
  }

  start(): void {
    this.wake();
    this.timer = setInterval(() => this.wake(), this.deps.pollMs).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    for (const w of this.watchers.values()) w.close();
    this.watchers.clear();
  }

  /** Whether the session is in the middle of a turn: its transcript has not ended it, or its pane shows work. */
  async isMidTurn(session: Session): Promise<boolean> {
    if (!session.windowId) return false;
    const card = this.follows[session.id]?.card;
    return (card != null && card.state !== 'idle') || this.deps.output.isPaneBusy(session);
  }

  /** A pass soon; passes never overlap, and a wake during one runs another after it. */
  wake(): void {
    this.again = this.running !== undefined;
    this.running ??= this.tick().finally(() => {
      this.running = undefined;
      if (this.again) this.wake();
    });
  }

  private async tick(): Promise<void> {
    const map = await this.sessionMap().catch((err) => void log.warn('session map unreadable', { error: String(err) }));
    if (!map) return;
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

  /** The session map, read again only when the file changed (the hook rewrites it atomically: a new mtime). */
  private async sessionMap(): Promise<SessionMap> {
    const info = await stat(join(this.deps.ccbotDir, SESSION_MAP_FILE)).catch(() => null);
    const stamp = info && `${info.mtimeMs}:${info.size}:${info.ino}`;
    if (stamp && this.mapCache?.stamp === stamp) return this.mapCache.map;
    const map = this.deps.readMap();
    this.mapCache = stamp ? { stamp, map } : undefined;
    return map;
  }

  /** The pass of one session: new events out, then the offset saved. */
  private async follow(session: Session, path: string): Promise<void> {
    const follow = await this.followOf(session, path);
    this.watchOnce(path);
    // Most passes find nothing new: one stat instead of open, read and close.
    const info = await stat(path).catch(() => null);
    const { offset, ino } = follow.cursor;
    if (info?.size === offset && (ino === undefined || ino === info.ino)) return this.deps.output.idle(session, follow);
    const read = await readEvents(path, follow.cursor, follow.pending);
    if (!read.ok) {
      if (read.kind !== 'missing') log.warn('transcript unreadable', { session: session.id, path, error: read.error });
      return;
    }
    if (read.restarted) {
      log.warn('transcript shrank or was replaced: read again from its start', { session: session.id, path });
    }
    const after = read.restarted ? Math.max(follow.since, follow.seenAt + 1) : follow.since;
    const fresh = read.events.filter((e) => e.at === 0 || e.at >= after);
    if (fresh.length > 0) {
      const card = follow.card;
      if (!(await this.deps.output.deliver(session, follow, fresh))) {
        follow.card = card; // retried from the same offset on the next pass
        this.save();
        return;
      }
    }
    if (read.cursor.offset !== offset || read.restarted) {
      follow.seenAt = Math.max(follow.seenAt, ...fresh.map((e) => e.at));
      follow.cursor = read.cursor;
      follow.pending = read.pending;
      follow.grewAt = this.now();
      this.save();
    }
    await this.deps.output.idle(session, follow);
  }

  /** The session's follow state; a new transcript path (a new session, /clear, /resume) starts a new one. */
  private async followOf(session: Session, path: string): Promise<Follow> {
    const known = this.follows[session.id];
    if (known?.path === path) return known;
    // A session that ran before this daemon and has no saved offset (a lost or corrupt monitor_state.json): from
    // its end, rather than sending its whole history again.
    const fromEnd = !known && session.createdAt < this.startedAt;
    const size = fromEnd ? await stat(path).then((s) => s.size, () => 0) : 0;
    const follow: Follow = {
      path, cursor: { offset: size }, pending: {}, since: session.createdAt - SINCE_SLACK_MS, grewAt: this.now(),
      seenAt: 0, card: known?.card ?? null, sent: known?.sent ?? [],
    };
    this.follows[session.id] = follow;
    log.info('following', { session: session.id, path, from: size });
    return follow;
  }

  private watchOnce(path: string): void {
    if (this.watchers.has(path)) return;
    try {
      const watcher = watch(path, { persistent: false }, () => this.wake());
      watcher.on('error', () => watcher.close()); // the file was replaced or removed: polling carries on
      this.watchers.set(path, watcher);
    } catch {
      // not there yet: polling finds it
    }
  }

  private forget(live: Set<string>): void {
    const ended = Object.keys(this.follows).filter((id) => !live.has(id));
    for (const id of ended) {
      this.watchers.get(this.follows[id]!.path)?.close();
      this.watchers.delete(this.follows[id]!.path);
      delete this.follows[id];
    }
    if (ended.length > 0) this.save();
  }

  save(): void {
    writeJson(join(this.deps.ccbotDir, MONITOR_STATE_FILE), { version: 1, follows: this.follows });
  }
}
