/** The idle sweep and the purge: sessions idle for their owner's idle hours are archived (never mid-turn), those whose
 * window closed become lost; records ended ARCHIVE_PURGE_AFTER ago leave state.json (and windows/<id>.json), as do
 * session_map.json's entries of closed windows and old .ccbot-inbox/ files. Transcripts are never touched. */
import { endedAt } from './archive-view.js';
import { escapeHtml } from './format.js';
import { t } from './i18n.js';
import { sweepInbox } from './inbox.js';
import { logger } from './log.cjs';
import { pruneSessionMap, readSessionMap, recordWindow, type SessionMap } from './session-map.cjs';
import type { Session, Sessions } from './sessions.js';
import type { Telegram } from './telegram.js';
import type { Users } from './users.js';

const log = logger('archive');
const HOUR_MS = 3_600_000;
/** Often enough that a closed window is reported within a minute, rare enough to cost nothing (one tmux call). */
const SWEEP_INTERVAL_MS = 60_000;

interface SweeperDeps {
  sessions: Pick<Sessions, 'all' | 'remove' | 'markLost'>; users: Pick<Users, 'settings' | 'lang'>;
  telegram: Pick<Telegram, 'send'>; purgeAfterMs: number;
  defaultIdleHours: number; // CCBOT_IDLE_HOURS: the idle hours of a person who chose none in /settings
  archive: (id: string, reason: 'idle') => Promise<{ ok: true } | { ok: false; error: string }>;
  isMidTurn: (session: Session) => Promise<boolean>; // Claude mid-turn (monitor.ts): left for the next sweep
  /** The ids of the windows tmux has now; null when it could not tell (then no session is taken for lost). */
  windowIds: () => Promise<Set<string> | null>;
  sessionMap?: { ccbotDir: string; tmuxSession: string }; // session_map.json's, to prune it (none: left alone)
  /** INBOX_TTL_HOURS: files in the .ccbot-inbox/ of the sessions known older than this go; without it, none. */
  inboxTtlMs?: number; now?: () => number;
}

export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: SweeperDeps) {}

  start(): void {
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS).unref();
  }

  stop = (): void => clearInterval(this.timer);

  /** One pass; a pass already under way is joined, not doubled. */
  sweep(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    const { sessions, users, defaultIdleHours, purgeAfterMs } = this.deps;
    const now = (this.deps.now ?? Date.now)();
    const ended = sessions.all().filter((s) => s.status !== 'active' && now - endedAt(s) > purgeAfterMs);
    const purge = ended.map((s) => s.id);
    sessions.remove(purge);
    for (const id of this.deps.sessionMap ? purge : []) recordWindow(this.deps.sessionMap!.ccbotDir, id); // its index
    if (purge.length > 0) log.info('purged old archived records', { count: purge.length });
    await this.findLost(now, await this.listAndPrune());
    await this.sweepInboxes(now);
    const idleHours = (s: Session) => users.settings(s.ownerUserId, defaultIdleHours).idleHours;
    const idle = sessions.all()
      .filter((s) => s.status === 'active' && now - s.lastActivityAt >= idleHours(s) * HOUR_MS)
      .sort((a, b) => a.lastActivityAt - b.lastActivityAt);
    for (const session of idle) {
      if (await this.deps.isMidTurn(session)) {
        log.debug('idle but mid-turn: left for later', { session: session.id });
        continue;
      }
      const result = await this.deps.archive(session.id, 'idle');
      if (!result.ok) {
        log.warn('idle session could not be archived', { session: session.id, error: result.error });
        continue;
      }
      log.info('archived an idle session', { session: session.id, name: session.name });
      await this.tell(session, 'archive.idleNotice', idleHours(session));
    }
  }

  /** The windows tmux has; session_map.json loses the others' entries (the hook adds one per window, for months). */
  private async listAndPrune(): Promise<Set<string> | null> {
    const where = this.deps.sessionMap;
    let before: SessionMap | undefined;
    try {
      before = where && readSessionMap(where.ccbotDir); // before tmux is asked (pruneSessionMap)
    } catch (err) {
      log.warn('session_map.json unreadable: not pruned', { error: String(err) });
    }
    const windows = await this.deps.windowIds();
    if (!where || !before || !windows || windows.size === 0) return windows;
    const result = await pruneSessionMap(where.ccbotDir, where.tmuxSession, windows, before);
    if (!result.ok) log.warn('could not prune session_map.json', { error: result.error });
    else if (result.pruned > 0) log.info('pruned session_map.json', { entries: result.pruned });
    return windows;
  }

  /** Files sent to sessions (inbox.ts) last a day or so: Claude has read them by then, and a phone's photos add up. */
  private async sweepInboxes(now: number): Promise<void> {
    const ttl = this.deps.inboxTtlMs;
    if (ttl === undefined) return;
    for (const workdir of new Set(this.deps.sessions.all().map((s) => s.workdir))) {
      const removed = await sweepInbox(workdir, now - ttl, now).catch((err: Error) => log.warn('inbox sweep failed',
        { workdir, error: err.message }));
      if (removed) log.info('removed old inbox files', { workdir, count: removed });
    }
  }

  /** Live sessions whose window tmux no longer has: Claude exited (or crashed) and its window closed with it. */
  private async findLost(now: number, windows: Set<string> | null): Promise<void> {
    if (!windows) return;
    // A session started (or restored) while tmux was listing has a window the list may not show yet.
    const gone = this.deps.sessions.all().filter(
      (s) => s.status === 'active' && s.windowId !== null && !windows.has(s.windowId) && s.createdAt < now - 5_000,
    );
    for (const session of gone) {
      if (this.deps.sessions.markLost(session.id, now)) await this.tell(session, 'archive.lostNotice');
    }
  }

  /** Tells the owner; a failure to send is telegram.ts's to log (the change already happened). */
  private async tell(session: Session, key: 'archive.idleNotice' | 'archive.lostNotice', hours = 0): Promise<void> {
    const text = t(this.deps.users.lang(session.ownerUserId), key, { name: session.name, hours });
    await this.deps.telegram.send(session.ownerUserId, escapeHtml(text));
  }
}
