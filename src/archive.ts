/**
 * The idle sweep and the purge: sessions without input from the person for their idle hours are archived (never
 * mid-turn), sessions whose window closed (Claude exited) become lost, and archived or lost records older than
 * ARCHIVE_PURGE_AFTER leave state.json. Transcripts on disk are Claude Code's and the person's: nothing here
 * touches them. The choosing is pure; `Sweeper` runs it on a timer.
 */
import { endedAt } from './archive-view.js';
import { logger } from './log.js';
import type { Session, Sessions } from './sessions.js';

const log = logger('archive');
const HOUR_MS = 3_600_000;
/** Often enough that a closed window is reported within a minute, rare enough to cost nothing (one tmux call). */
export const SWEEP_INTERVAL_MS = 60_000;

/** Live sessions whose owner has not written to them for their idle hours, oldest activity first. */
export function sessionsToArchive(
  sessions: readonly Session[], idleHoursOf: (userId: number) => number, now: number,
): Session[] {
  return sessions
    .filter((s) => s.status === 'active' && now - s.lastActivityAt >= idleHoursOf(s.ownerUserId) * HOUR_MS)
    .sort((a, b) => a.lastActivityAt - b.lastActivityAt);
}

/** Ids of archived and lost records that ended more than `purgeAfterMs` ago. */
export function recordsToPurge(sessions: readonly Session[], purgeAfterMs: number, now: number): string[] {
  const ended = sessions.filter((s) => s.status === 'archived' || s.status === 'lost');
  return ended.filter((s) => now - endedAt(s) > purgeAfterMs).map((s) => s.id);
}

export interface SweeperDeps {
  sessions: Pick<Sessions, 'all' | 'remove' | 'markLost'>;
  idleHoursOf: (userId: number) => number;
  purgeAfterMs: number;
  /** True while Claude is mid-turn in that session: its pane shows it busy or waiting on a menu, or its transcript
   * has a turn that has not ended. Such a session is left for the next sweep. */
  isMidTurn: (session: Session) => Promise<boolean>;
  archive: (id: string) => Promise<{ ok: true } | { ok: false; error: string }>;
  /** Tells the owner; failures are theirs to log (the archive already happened). */
  notify: (session: Session, idleHours: number) => Promise<void>;
  /** True while the session is being archived (its window closes before its record says so). */
  archiving?: (id: string) => boolean;
  /** The ids of the windows tmux has now; null when it could not tell (then no session is taken for lost). */
  windowIds?: () => Promise<Set<string> | null>;
  /** Tells the owner that a session's window closed. */
  notifyLost?: (session: Session) => Promise<void>;
  now?: () => number;
  intervalMs?: number;
}

export class Sweeper {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly deps: SweeperDeps) {}

  start(): void {
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.deps.intervalMs ?? SWEEP_INTERVAL_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One pass; a pass already under way is joined, not doubled. */
  sweep(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = undefined));
    return this.running;
  }

  private async pass(): Promise<void> {
    const deps = this.deps;
    const now = (deps.now ?? Date.now)();
    const purge = recordsToPurge(deps.sessions.all(), deps.purgeAfterMs, now);
    deps.sessions.remove(purge);
    if (purge.length > 0) log.info('purged old archived records', { count: purge.length });
    await this.findLost(now);
    for (const session of sessionsToArchive(deps.sessions.all(), deps.idleHoursOf, now)) {
      if (await deps.isMidTurn(session)) {
        log.debug('idle but mid-turn: left for later', { session: session.id });
        continue;
      }
      const result = await deps.archive(session.id);
      if (!result.ok) {
        log.warn('idle session could not be archived', { session: session.id, error: result.error });
        continue;
      }
      log.info('archived an idle session', { session: session.id, name: session.name });
      await deps.notify(session, deps.idleHoursOf(session.ownerUserId));
    }
  }

  /** Live sessions whose window tmux no longer has: Claude exited (or crashed) and its window closed with it. */
  private async findLost(now: number): Promise<void> {
    const listedAt = (this.deps.now ?? Date.now)();
    const windows = await this.deps.windowIds?.();
    if (!windows) return;
    // A session started (or restored) while tmux was listing has a window the list may not show yet.
    const gone = this.deps.sessions.all().filter(
      (s) => s.status === 'active' && s.windowId !== null && !windows.has(s.windowId) && s.createdAt < listedAt - 5_000,
    );
    for (const session of gone) {
      if (this.deps.archiving?.(session.id) || !this.deps.sessions.markLost(session.id, now)) continue;
      await this.deps.notifyLost?.(session);
    }
  }
}
