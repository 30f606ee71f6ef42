/**
 * Start-up reconcile with tmux: which recorded sessions still have their window, which are lost, which windows
 * nobody claims. It never kills a window and never guesses when tmux cannot tell.
 */
import { logger } from './log.js';
import { mapKey, readSessionMap, updateSessionMap, type SessionMap } from './session-map.js';
import type { Session, Sessions } from './sessions.js';
import { listWindows, MAIN_WINDOW, type TmuxOptions, type WindowInfo } from './tmux.js';

const log = logger('recovery');

/** Windows that are never sessions and never orphans. */
export const RESERVED_WINDOWS: ReadonlySet<string> = new Set([MAIN_WINDOW, 'ccbot-usage']);

export interface RecoveryDeps {
  ccbotDir: string;
  tmuxSession: string;
  tmux?: TmuxOptions;
  list?: (session: string, opts: TmuxOptions) => Promise<WindowInfo[] | null>;
  readMap?: (ccbotDir: string) => SessionMap;
}

/**
 * Warns once per window that no session record references (reserved names aside) and returns how many there are.
 * Lists the windows only when not given them. Never kills and never changes state: a window may be the person's
 * own work at the desk.
 */
export async function detectOrphanWindows(
  sessions: readonly Session[], windows: readonly WindowInfo[] | null | undefined, deps: RecoveryDeps,
): Promise<number> {
  const known = windows ?? (await (deps.list ?? listWindows)(deps.tmuxSession, deps.tmux ?? {}));
  if (!known) return 0;
  const claimed = new Set(sessions.map((s) => s.windowId).filter((id): id is string => id !== null));
  const orphans = known.filter((w) => !claimed.has(w.id) && !RESERVED_WINDOWS.has(w.name));
  if (orphans.length === 0) return 0;
  const map = (deps.readMap ?? readSessionMap)(deps.ccbotDir);
  for (const w of orphans) {
    const claudeId = map[mapKey(deps.tmuxSession, w.id)]?.session_id ?? 'unknown';
    const name = JSON.stringify(w.name);
    log.warn(`orphan_window window_id=${w.id} name=${name} session_id=${claudeId} — no session record references it`);
  }
  const count = `${orphans.length} tmux window(s) in session ${deps.tmuxSession}`;
  log.warn(`${count} belong to no ccbot session; they are left running`, {
    hint: `tmux attach -t ${deps.tmuxSession} to look at them`,
  });
  return orphans.length;
}

export interface ReconcileReport {
  /** false when tmux could not list the windows: nothing was changed. */
  known: boolean;
  alive: string[];
  lost: string[];
  pruned: number;
  orphans: number;
}

/**
 * Matches recorded sessions to live windows. A window counts as a session's only when its id AND its `@ccbot` tag
 * match: after a tmux server restart ids start again from @0 and may land on unrelated windows. A failed or empty
 * listing is "unknown", never "all gone" (the session window `__main__` always exists when tmux answers).
 */
export async function reconcile(sessions: Sessions, deps: RecoveryDeps): Promise<ReconcileReport> {
  const windows = await (deps.list ?? listWindows)(deps.tmuxSession, deps.tmux ?? {});
  if (!windows || windows.length === 0) {
    log.warn('tmux did not list any window; sessions are left as recorded until it does', {
      tmux_session: deps.tmuxSession,
    });
    return { known: false, alive: [], lost: [], pruned: 0, orphans: 0 };
  }
  const map = (deps.readMap ?? readSessionMap)(deps.ccbotDir);
  const byTag = new Map(windows.filter((w) => w.tag).map((w) => [w.tag, w]));
  const alive: string[] = [];
  const lost: string[] = [];
  for (const session of sessions.live()) {
    const window = byTag.get(session.id);
    if (!window) {
      sessions.markLost(session.id, Date.now());
      lost.push(session.id);
      continue;
    }
    sessions.attachWindow(session.id, window.id);
    sessions.adoptClaudeId(session.id, map, deps.tmuxSession);
    alive.push(session.id);
  }

  const live = new Set(windows.map((w) => mapKey(deps.tmuxSession, w.id)));
  const prefix = mapKey(deps.tmuxSession, '');
  let pruned = 0;
  const result = await updateSessionMap(deps.ccbotDir, (current) => {
    for (const key of Object.keys(current)) {
      if (key.startsWith(prefix) && !live.has(key)) {
        delete current[key];
        pruned++;
      }
    }
    return pruned > 0;
  });
  if (!result.ok) log.warn('could not prune session_map.json', { error: result.error });

  const orphans = await detectOrphanWindows(sessions.live(), windows, deps);
  log.info('reconciled', { alive: alive.length, lost: lost.length, pruned, orphans });
  return { known: true, alive, lost, pruned, orphans };
}
