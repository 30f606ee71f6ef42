/** Start-up reconcile with tmux: which recorded sessions still have their window, which are lost, which windows
 * nobody claims. It never kills a window and never guesses when tmux cannot tell. */
import { logger } from './log.cjs';
import { mapKey, pruneSessionMap, readSessionMap } from './session-map.cjs';
import type { Sessions } from './sessions.js';
import { listWindows, MAIN_WINDOW, type TmuxOptions, type WindowInfo } from './tmux.js';

const log = logger('recovery');

/** Windows that are never sessions and never orphans. */
const RESERVED_WINDOWS: ReadonlySet<string> = new Set([MAIN_WINDOW, 'ccbot-usage']);

interface RecoveryDeps {
  ccbotDir: string; tmuxSession: string; tmux?: TmuxOptions;
  list?: (session: string, opts: TmuxOptions) => Promise<WindowInfo[] | null>;
}

/** Matches recorded sessions to live windows. A window counts as a session's only when its id AND its `@ccbot` tag
 * match: after a tmux server restart ids start again from @0 and may land on unrelated windows. A failed or empty
 * listing is "unknown", never "all gone" (the session window `__main__` always exists when tmux answers). Windows
 * no session claims are reported, never killed: one may be the person's own work at the desk. */
export async function reconcile(sessions: Sessions, deps: RecoveryDeps): Promise<void> {
  const map = readSessionMap(deps.ccbotDir); // before tmux is asked (pruneSessionMap)
  const windows = await (deps.list ?? listWindows)(deps.tmuxSession, deps.tmux ?? {});
  if (!windows || windows.length === 0) {
    const tmux_session = deps.tmuxSession;
    return log.warn('tmux did not list any window; sessions are left as recorded until it does', { tmux_session });
  }
  const byTag = new Map(windows.filter((w) => w.tag).map((w) => [w.tag, w]));
  let lost = 0;
  for (const session of sessions.live()) {
    const window = byTag.get(session.id);
    if (window) {
      sessions.attachWindow(session.id, window.id);
      sessions.adoptClaudeId(session.id, map, deps.tmuxSession);
    } else if (sessions.markLost(session.id, Date.now())) lost++;
  }
  const result = await pruneSessionMap(deps.ccbotDir, deps.tmuxSession, new Set(windows.map((w) => w.id)), map);
  if (!result.ok) log.warn('could not prune session_map.json', { error: result.error });
  const claimed = new Set(sessions.live().map((s) => s.windowId));
  const orphans = windows.filter((w) => !claimed.has(w.id) && !RESERVED_WINDOWS.has(w.name));
  for (const w of orphans) {
    const claudeId = map[mapKey(deps.tmuxSession, w.id)]?.session_id ?? 'unknown';
    const name = JSON.stringify(w.name);
    log.warn(`orphan_window window_id=${w.id} name=${name} session_id=${claudeId} — no session record references it`);
  }
  if (orphans.length > 0) {
    const count = `${orphans.length} tmux window(s) in session ${deps.tmuxSession}`;
    const hint = `tmux attach -t ${deps.tmuxSession} to look at them`;
    log.warn(`${count} belong to no ccbot session; they are left running`, { hint });
  }
  const pruned = result.ok ? result.pruned : 0;
  log.info('reconciled', { alive: sessions.live().length, lost, pruned, orphans: orphans.length });
}
