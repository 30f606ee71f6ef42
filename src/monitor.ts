/** Following each live session's transcript (the one its hook last named) on fs.watch and polls, and handing new events
 * to the output; monitor_state.json's offset moves only once they were delivered: after a crash, never fewer. */
import { watch } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CardModel } from './card.js';
import { logger } from './log.cjs';
import type { LiveOutput } from './output.js';
import { SESSION_MAP_FILE, type SessionMap } from './session-map.cjs';
import type { Session, Sessions } from './sessions.js';
import { readJson, writeJson } from './store.cjs';
import { findTranscript, readEvents, type Cursor } from './transcript-reader.js';
import type { PendingCalls, TranscriptEvent } from './transcript.js';
import { isObject } from './values.cjs';

const log = logger('monitor');

export const MONITOR_STATE_FILE = 'monitor_state.json';
/** Claude and the daemon share a clock, but an entry may be stamped just before the window counts as started. */
const SINCE_SLACK_MS = 2_000;
/** Keys of messages sent (all of the batch being delivered, so a replay after a crash is invisible) kept once the
 * cursor moved past them: a transcript that was replaced is read again from its start. */
const SENT_KEYS_KEPT = 50;
/** How long a stop waits for the pass under way (a send Telegram has not answered): past it, that message may show
 * again after the restart, never not at all. */
const STOP_WAIT_MS = 5_000;

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
  output: Pick<LiveOutput, 'deliver' | 'idle' | 'isPaneBusy' | 'forget' | 'tracked'>;
  /** Sees each batch before the output (naming.ts: a title may rename the session its answer names). */
  onEvents?: (session: Session, events: readonly TranscriptEvent[]) => void;
  pollMs: number;
  now?: () => number;
}

/** monitor_state.json's follows, null when the file is missing or corrupt; an entry without a path and an offset is
 * dropped, missing fields get defaults. */
function loadFollows(ccbotDir: string): Record<string, Follow> | null {
  const saved = readJson<unknown>(join(ccbotDir, MONITOR_STATE_FILE), null);
  if (!isObject(saved) || !isObject(saved.follows)) return null;
  const follows: Record<string, Follow> = {};
  for (const [id, f] of Object.entries(saved.follows)) {
    const entry = f as Partial<Follow> | null;
    if (typeof entry?.path !== 'string' || typeof entry.cursor?.offset !== 'number') continue;
    const { path, cursor, pending = {}, since = 0, grewAt = 0, seenAt = 0, card = null, sent } = entry;
    follows[id] = { path, cursor, pending, since, grewAt, seenAt, card, sent: Array.isArray(sent) ? sent : [] };
  }
  return follows;
}

/** Kept whole until the cursor moves past the batch they came from: a batch replayed after a crash finds them all. */
export function markSent(follow: Follow, key: string): void {
  follow.sent.push(key);
}

export class Monitor {
  private readonly follows: Record<string, Follow>;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly watchers = new Map<string, { path: string; close(): void }>(); // by session id
  private readonly now: () => number;
  /** A session created before this with no follow is followed from its end: set only when monitor_state.json was
   * missing or corrupt, which cannot say what was delivered. When it was read, such a session was never followed. */
  private readonly fromEndBefore: number;
  private mapCache: { stamp: string; map: SessionMap } | undefined;
  private loggedSizes = ''; // of what is kept per session, as last logged

  constructor(private readonly deps: MonitorDeps) {
    this.now = deps.now ?? Date.now;
    const loaded = loadFollows(deps.ccbotDir);
    this.follows = loaded ?? {};
    this.fromEndBefore = loaded ? -Infinity : this.now();
  }

  start(): void {
    this.wake();
    this.timer = setInterval(() => this.wake(), this.deps.pollMs).unref();
  }

  /** No pass after this; resolves once the one under way has ended (what it sent is then recorded), or after
   * STOP_WAIT_MS. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await Promise.race([this.running, new Promise((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref())]);
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
    if (this.stopped) return;
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
    // What is kept per session, logged when it changes: none of it may outgrow the live sessions.
    const sizes = { follows: Object.keys(this.follows).length, watchers: this.watchers.size,
      ...this.deps.output.tracked() };
    if (JSON.stringify(sizes) !== this.loggedSizes) log.debug('tracking', sizes);
    this.loggedSizes = JSON.stringify(sizes);
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

  /** The pass of one session. A new transcript path (/clear, /resume) is taken up once the old one is read out: the
   * last answer it holds must not be left behind. */
  private async follow(session: Session, path: string): Promise<void> {
    const known = this.follows[session.id];
    for (let offset = -1; known && known.path !== path && offset !== known.cursor.offset;) {
      offset = known.cursor.offset;
      if (!(await this.read(session, known))) return;
    }
    const follow = known?.path === path ? known : await this.newFollow(session, path, known);
    this.watch(session.id, path);
    if (await this.read(session, follow)) await this.deps.output.idle(session, follow);
  }

  /** New events out, then the cursor saved. False when something was not delivered. */
  private async read(session: Session, follow: Follow): Promise<boolean> {
    const { path, cursor } = follow;
    // Most passes find nothing new: one stat instead of open, read and close.
    const info = await stat(path).catch(() => null);
    if (!info || (info.size === cursor.offset && (cursor.ino === undefined || cursor.ino === info.ino))) return true;
    const read = await readEvents(path, cursor, follow.pending);
    if (!read.ok) {
      if (read.kind !== 'missing') log.warn('transcript unreadable', { session: session.id, path, error: read.error });
      return true;
    }
    if (read.restarted) {
      log.warn('transcript shrank or was replaced: read again from its start', { session: session.id, path });
    }
    const after = read.restarted ? Math.max(follow.since, follow.seenAt + 1) : follow.since;
    const fresh = read.events.filter((e) => e.at === 0 || e.at >= after);
    const card = follow.card;
    if (fresh.length > 0) this.deps.onEvents?.(session, fresh);
    if (fresh.length > 0 && !(await this.deps.output.deliver(session, follow, fresh))) {
      follow.card = card; // retried from the same offset on the next pass
      this.save();
      return false;
    }
    if (read.cursor.offset !== cursor.offset || read.restarted) {
      follow.seenAt = Math.max(follow.seenAt, ...fresh.map((e) => e.at));
      follow.cursor = read.cursor;
      follow.pending = read.pending;
      follow.grewAt = this.now();
      follow.sent = follow.sent.slice(-SENT_KEYS_KEPT);
      this.save();
    }
    return true;
  }

  /** A new transcript path's follow, saved at once: a crash before its first delivery must not make the next start
   * take the session for one never followed (read from its end). From the start, except that case. */
  private async newFollow(session: Session, path: string, known: Follow | undefined): Promise<Follow> {
    const fromEnd = !known && session.createdAt < this.fromEndBefore;
    const size = fromEnd ? await stat(path).then((s) => s.size, () => 0) : 0;
    const follow: Follow = {
      path, cursor: { offset: size }, pending: {}, since: session.createdAt - SINCE_SLACK_MS, grewAt: this.now(),
      seenAt: 0, card: known?.card ?? null, sent: [...(known?.sent ?? [])],
    };
    this.follows[session.id] = follow;
    this.save();
    log.info('following', { session: session.id, path, from: size });
    return follow;
  }

  /** One watcher per session, on its current transcript; the old one is closed when the path changes. */
  private watch(sessionId: string, path: string): void {
    const known = this.watchers.get(sessionId);
    if (known?.path === path) return;
    known?.close();
    this.watchers.delete(sessionId);
    try {
      const watcher = watch(path, { persistent: false }, () => this.wake());
      const entry = { path, close: () => watcher.close() };
      watcher.on('error', () => {
        // The file was replaced or removed: polling carries on, and the next pass watches again.
        watcher.close();
        if (this.watchers.get(sessionId) === entry) this.watchers.delete(sessionId);
      });
      this.watchers.set(sessionId, entry);
    } catch {
      // not there yet: polling finds it
    }
  }

  /** Sessions no longer live: their follows, watchers, and what the output keeps of them go. */
  private forget(live: Set<string>): void {
    const ended = Object.keys(this.follows).filter((id) => !live.has(id));
    for (const id of ended) {
      this.watchers.get(id)?.close();
      this.watchers.delete(id);
      delete this.follows[id];
      this.deps.output.forget(id);
    }
    if (ended.length > 0) this.save();
  }

  save(): void {
    writeJson(join(this.deps.ccbotDir, MONITOR_STATE_FILE), { version: 1, follows: this.follows });
  }
}
