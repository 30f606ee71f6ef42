/** Session records and their lifecycle, persisted in state.json. Knows nothing of Telegram. */
import { join } from 'node:path';
import { readJson, writeJson } from './store.js';
import { isObject } from './values.js';

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

/** A message of the person's on its way into a window; persisted so a restart neither loses nor repeats it. */
export interface PendingText {
  ref: string;
  sessionId: string;
  chatId: number;
  userId: number;
  /** The person's Telegram message, for the receipt reactions. */
  messageId: number;
  text: string;
  queuedAt: number;
  /** When it was typed into the window; null while it waits for Claude's prompt. */
  typedAt: number | null;
  /** When the one extra Enter was pressed for an unconfirmed prompt. */
  enteredAt: number | null;
  /** Told the person that a picker blocks it, or that it could not be confirmed (then it waits for Resend). */
  notified: boolean;
  failed: boolean;
}

export interface State {
  version: 1;
  sessions: Record<string, Session>;
  users: Record<string, UserState>;
  outbox: PendingText[];
  /** The last Telegram update fully handled: after a crash it is not handled again. */
  lastUpdateId?: number;
}

export const STATE_FILE = 'state.json';

export function emptyState(): State {
  return { version: 1, sessions: {}, users: {}, outbox: [] };
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
  if (typeof raw.lastUpdateId === 'number') state.lastUpdateId = raw.lastUpdateId;
  if (Array.isArray(raw.outbox)) {
    state.outbox = raw.outbox.filter((p): p is PendingText => isObject(p) && typeof p.text === 'string' && typeof p.sessionId === 'string');
  }
  if (isObject(raw.users)) {
    for (const [id, u] of Object.entries(raw.users)) {
      if (isObject(u)) state.users[id] = { ...u, activeSessionId: typeof u.activeSessionId === 'string' ? u.activeSessionId : null };
    }
  }
  return state;
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

/** Records that a session's window is gone (Claude exited, or tmux lost it): Restore in /archive brings it back.
 * archivedAt is when it was found gone, so the purge counts from then. */
export function markLost(state: State, id: string, now: number): void {
  const session = state.sessions[id];
  if (!session || session.status !== 'active') return;
  Object.assign(session, { status: 'lost', windowId: null, archivedAt: now });
  for (const user of Object.values(state.users)) {
    if (user.activeSessionId === id) user.activeSessionId = null;
  }
}

/** Live sessions, oldest first: the switcher's stable order. */
export function liveSessions(state: State): Session[] {
  return Object.values(state.sessions)
    .filter((s) => s.status === 'active')
    .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

/** By id, then by name (case-insensitive); live sessions win over archived ones of the same name. */
export function findSession(state: State, nameOrId: string): Session | undefined {
  const wanted = nameOrId.trim();
  if (state.sessions[wanted]) return state.sessions[wanted];
  const named = Object.values(state.sessions).filter((s) => s.name.toLowerCase() === wanted.toLowerCase());
  return named.find((s) => s.status === 'active') ?? named.sort((a, b) => b.createdAt - a.createdAt)[0];
}

/** A short id that is stable for the session's life and fits any callback_data. */
export function newSessionId(state: State, random: () => number = Math.random): string {
  for (;;) {
    const id = Math.floor(random() * 0x10000).toString(16).padStart(4, '0');
    if (!state.sessions[id]) return id;
  }
}

/** `api`, then `api-2`, `api-3`, … while a live session has the name. */
export function uniqueName(state: State, base: string): string {
  const taken = new Set(liveSessions(state).map((s) => s.name));
  const clean = base.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^-+|-+$/g, '') || 'session';
  if (!taken.has(clean)) return clean;
  for (let n = 2; ; n++) if (!taken.has(`${clean}-${n}`)) return `${clean}-${n}`;
}

/** The user's active session when it is still live; otherwise the most recent live one of theirs (or none). */
export function activeSession(state: State, userId: number): Session | undefined {
  const user = state.users[String(userId)];
  const current = user?.activeSessionId ? state.sessions[user.activeSessionId] : undefined;
  if (current?.status === 'active') return current;
  const next = liveSessions(state).filter((s) => s.ownerUserId === userId).at(-1);
  setActive(state, userId, next?.id ?? null);
  return next;
}

export function setActive(state: State, userId: number, sessionId: string | null): void {
  const key = String(userId);
  state.users[key] = { ...(state.users[key] ?? {}), activeSessionId: sessionId };
}

export interface StartDeps {
  ccbotDir: string;
  tmuxSession: string;
  claudeCommand: string;
  claudeFlags: readonly string[];
  /** `$CCBOT_DIR/claude-settings.json`: ccbot's hooks, given to every Claude it starts (claude-settings.ts). */
  claudeSettings: string;
  openWindow: (spec: { name: string; cwd: string; argv: string[]; env: Record<string, string>; tag: string }) => Promise<{ ok: true; windowId: string } | { ok: false; error: string }>;
  save?: (ccbotDir: string, state: State) => void;
  now?: () => number;
}

export type StartResult = { ok: true; session: Session } | { ok: false; error: string };

/**
 * Opens a window running Claude in `workdir` and records the session as the user's active one. With
 * `resume`, the window runs `--resume <claude id>` and the existing record comes back to life (newest in the
 * switcher: createdAt is bumped). The window gets what the hook and `ccbot send-file` need to find their way back:
 * CCBOT_DIR, TMUX_SESSION_NAME, CCBOT_SESSION_ID, CCBOT_CHAT_ID — never the bot token.
 */
export async function startSession(
  state: State,
  request: { workdir: string; userId: number; chatId: number; resume?: Session },
  deps: StartDeps,
): Promise<StartResult> {
  const now = (deps.now ?? Date.now)();
  const base = request.resume;
  const id = base?.id ?? newSessionId(state);
  const name = uniqueName(state, base?.name ?? basenameOf(request.workdir));
  const argv = [deps.claudeCommand, ...deps.claudeFlags, '--settings', deps.claudeSettings];
  if (base?.claudeSessionId) argv.push('--resume', base.claudeSessionId);
  const env = {
    CCBOT_DIR: deps.ccbotDir,
    TMUX_SESSION_NAME: deps.tmuxSession,
    CCBOT_SESSION_ID: id,
    CCBOT_CHAT_ID: String(request.chatId),
  };
  const opened = await deps.openWindow({ name, cwd: request.workdir, argv, env, tag: id });
  if (!opened.ok) return opened;
  const session: Session = {
    id, name, workdir: request.workdir, windowId: opened.windowId, claudeSessionId: base?.claudeSessionId ?? null, status: 'active',
    createdAt: now, lastActivityAt: now, archivedAt: null, archiveReason: null, ownerUserId: request.userId,
  };
  state.sessions[id] = session;
  setActive(state, request.userId, id);
  (deps.save ?? saveState)(deps.ccbotDir, state);
  return { ok: true, session };
}

function basenameOf(path: string): string {
  return path.replace(/\/+$/, '').split('/').pop() || 'root';
}
