/** Session records and their lifecycle, persisted in state.json. Knows nothing of Telegram. */
import { join } from 'node:path';
import { readJson, writeJson } from './store.js';

export type SessionStatus = 'active' | 'archived' | 'lost';
export type ArchiveReason = 'done' | 'killed' | 'idle';

export interface Session {
  id: string;
  name: string;
  workdir: string;
  windowId: string | null;
  claudeSessionId: string | null;
  status: SessionStatus;
  createdAt: number;
  lastActivityAt: number;
  archivedAt: number | null;
  archiveReason: ArchiveReason | null;
  ownerUserId: number;
}

export interface UserState {
  activeSessionId: string | null;
  [key: string]: unknown;
}

export interface State {
  version: 1;
  sessions: Record<string, Session>;
  users: Record<string, UserState>;
}

export const STATE_FILE = 'state.json';

export function emptyState(): State {
  return { version: 1, sessions: {}, users: {} };
}

/** Reads state.json; a missing or corrupt file gives an empty state (store.ts sets a corrupt one aside). */
export function loadState(ccbotDir: string): State {
  const raw = readJson<unknown>(join(ccbotDir, STATE_FILE), emptyState());
  return normaliseState(raw);
}

export function saveState(ccbotDir: string, state: State): void {
  writeJson(join(ccbotDir, STATE_FILE), state);
}

/** Accepts what a previous version (or a hand edit) left, keeping only well-formed records. */
export function normaliseState(raw: unknown): State {
  const state = emptyState();
  if (!isObject(raw)) return state;
  if (isObject(raw.sessions)) {
    for (const [id, s] of Object.entries(raw.sessions)) {
      if (isObject(s) && typeof s.name === 'string' && typeof s.workdir === 'string') {
        state.sessions[id] = { ...(s as unknown as Session), id };
      }
    }
  }
  if (isObject(raw.users)) {
    for (const [id, u] of Object.entries(raw.users)) {
      if (isObject(u)) state.users[id] = { ...u, activeSessionId: typeof u.activeSessionId === 'string' ? u.activeSessionId : null };
    }
  }
  return state;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface ArchiveDeps {
  ccbotDir: string;
  /** Closes the window; false when it was already gone. */
  killWindow: (windowId: string) => Promise<boolean>;
  /** Kills leftover `claude --resume <id>` processes; returns how many it signalled. */
  killOrphans: (claudeSessionId: string) => Promise<number>;
  save?: (ccbotDir: string, state: State) => void;
  now?: () => number;
}

export type ArchiveResult = { ok: true; session: Session; windowClosed: boolean; processesKilled: number } | { ok: false; error: string };

/**
 * Ends a session for good, in this order (the order is the contract): close its window, then kill any leftover
 * `claude --resume <id>` process (also when there was no window: a Restore may have left one running), and only
 * then record it as archived. Until the last step the record still names the window, so a crash half-way is
 * retried rather than forgotten; after it, no second writer to that Claude session can remain.
 */
export async function archiveSession(state: State, id: string, reason: ArchiveReason, deps: ArchiveDeps): Promise<ArchiveResult> {
  const session = state.sessions[id];
  if (!session) return { ok: false, error: `no session ${id}` };
  if (session.status === 'archived') return { ok: false, error: `session ${session.name} is already archived` };
  const windowClosed = session.windowId ? await deps.killWindow(session.windowId) : false;
  const processesKilled = session.claudeSessionId ? await deps.killOrphans(session.claudeSessionId) : 0;
  const now = (deps.now ?? Date.now)();
  Object.assign(session, { status: 'archived', archivedAt: now, archiveReason: reason, windowId: null });
  for (const user of Object.values(state.users)) {
    if (user.activeSessionId === id) user.activeSessionId = null;
  }
  (deps.save ?? saveState)(deps.ccbotDir, state);
  return { ok: true, session, windowClosed, processesKilled };
}
