/** Session records (state.json's `sessions`) and every change to them: started (in its person's permission mode),
 * input, the Claude id from the map, the mode seen, lost, archived, forgotten; each saved at once. Knows nothing of
 * Telegram; tmux only through what it is given. */
import { basename } from 'node:path';
import { logger } from './log.cjs';
import { permissionFlags, type Mode } from './modes.js';
import { mapKey, readSessionMap, type SessionMap } from './session-map.cjs';
import type { TmuxFailure, TmuxResult } from './tmux.js';
import type { Users } from './users.js';
import { fail, type Failure } from './values.cjs';

const log = logger('sessions');

export type ArchiveReason = 'done' | 'killed' | 'idle';

export interface Session {
  id: string;
  name: string;
  workdir: string;
  windowId: string | null;
  claudeSessionId: string | null;
  status: 'active' | 'archived' | 'lost';
  createdAt: number;
  lastActivityAt: number;
  archivedAt: number | null;
  archiveReason: ArchiveReason | null;
  ownerUserId: number;
  /** The Telegram update that started it (absent for older records): the same update again opens no window. */
  startedBy?: number;
  /** The permission mode it started in, then as last read from its footer (absent: older records, dontAsk). */
  mode?: Mode;
  /** Started allowing bypass: only then does Shift+Tab reach it (absent for older records). */
  allowsBypass?: boolean;
  /** Who named it: the person (/rename) or a title of the conversation; absent: its folder, which a title replaces. */
  named?: 'hand' | 'title';
}

/** What starting and ending sessions takes from outside state.json; one object serves start() and archive(). */
interface WindowDeps {
  ccbotDir: string;
  tmuxSession: string;
  claudeCommand: string;
  claudeFlags: readonly string[];
  /** `$CCBOT_DIR/claude-settings.json`: ccbot's hooks, given to every Claude it starts (claude-settings.ts). */
  claudeSettings: string;
  /** Appended to Claude's system prompt (claude-settings.ts: the inbox, `ccbot send-file`). */
  systemPrompt?: string;
  openWindow: (spec: { name: string; cwd: string; argv: string[]; env: Record<string, string>; tag: string }) =>
    Promise<TmuxResult<{ windowId: string }>>;
  /** Closes the window; false when it was already gone. */
  killWindow: (windowId: string) => Promise<boolean>;
  /** Kills leftover `claude --resume <id>` processes; returns how many it signalled. */
  killOrphans: (claudeSessionId: string) => Promise<number>;
  now?: () => number;
}

type ArchiveDeps = Pick<WindowDeps, 'ccbotDir' | 'tmuxSession' | 'killWindow' | 'killOrphans' | 'now'>;

/** `claudeSessionId`: a conversation started elsewhere (/resume), continued with `--resume <id>`. */
export type StartRequest = {
  workdir: string; userId: number; chatId: number; resume?: Readonly<Session>; key?: number;
  claudeSessionId?: string;
};

export class Sessions {
  /** Sessions being archived: their window is already closed while the record still says active; not lost. */
  private readonly archiving = new Set<string>();

  constructor(
    private readonly records: Record<string, Session>,
    private readonly save: () => void,
    private readonly users: () => Pick<Users, 'setActive' | 'dropActive' | 'settings'>,
  ) {}

  get(id: string): Readonly<Session> | undefined {
    return this.records[id];
  }

  all(): Readonly<Session>[] {
    return Object.values(this.records);
  }

  /** Live sessions, oldest first: the switcher's stable order. */
  live(): Readonly<Session>[] {
    return this.all()
      .filter((s) => s.status === 'active')
      .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1)); // ids: unique, ASCII; no ICU collator
  }

  /** By id, then by name (case-insensitive); live sessions win over archived ones of the same name. */
  find(nameOrId: string): Readonly<Session> | undefined {
    const wanted = nameOrId.trim();
    if (this.records[wanted]) return this.records[wanted];
    const named = this.all().filter((s) => s.name.toLowerCase() === wanted.toLowerCase());
    return named.find((s) => s.status === 'active') ?? named.sort((a, b) => b.createdAt - a.createdAt)[0];
  }

  /** Opens a window running Claude in `workdir` and records the session as the user's active one. With
   * `resume`, the window runs `--resume <claude id>` and the existing record comes back to life (newest in the
   * switcher: createdAt is bumped). The window gets what the hook and `ccbot send-file` need to find their way
   * back: CCBOT_DIR, TMUX_SESSION_NAME, CCBOT_SESSION_ID, CCBOT_CHAT_ID — never the bot token. The person's
   * permission mode from /settings replaces the permission words of CLAUDE_FLAGS (modes.ts). */
  async start(
    request: StartRequest, deps: Omit<WindowDeps, 'killWindow' | 'killOrphans'>,
  ): Promise<{ ok: true; session: Readonly<Session> } | TmuxFailure> {
    const { workdir, userId, chatId, resume, key } = request;
    const again = key === undefined ? undefined : this.live().find((s) => s.startedBy === key);
    if (again) return { ok: true, session: again };
    const now = (deps.now ?? Date.now)();
    const id = resume?.id ?? newSessionId(this.records);
    const name = uniqueName(this.live(), resume?.name ?? (basename(workdir) || 'root'));
    const claudeSessionId = resume?.claudeSessionId ?? request.claudeSessionId ?? null;
    const { flags, mode, allowsBypass } = permissionFlags(deps.claudeFlags, this.users().settings(userId, 0).mode);
    const argv = [deps.claudeCommand, ...flags, '--settings', deps.claudeSettings];
    if (deps.systemPrompt) argv.push('--append-system-prompt', deps.systemPrompt);
    // Not the folder's name: Claude makes no title of its own for a conversation that has one (ai-title, naming.ts).
    if (resume?.named) argv.push('--name', name);
    if (claudeSessionId) argv.push('--resume', claudeSessionId);
    const env = { CCBOT_DIR: deps.ccbotDir, TMUX_SESSION_NAME: deps.tmuxSession, CCBOT_SESSION_ID: id,
      CCBOT_CHAT_ID: String(chatId) };
    // Recorded before the window opens: after a crash in between, start-up finds the window by its tag and attaches
    // it (recovery.ts), and a redelivered update finds the record; neither opens a second window.
    const before = this.records[id] && { ...this.records[id] };
    const session: Session = {
      id, name, workdir, windowId: null, claudeSessionId, status: 'active', createdAt: now,
      lastActivityAt: now, archivedAt: null, archiveReason: null, ownerUserId: userId, allowsBypass,
      ...(key === undefined ? {} : { startedBy: key }), ...(mode ? { mode } : {}),
      ...(resume?.named ? { named: resume.named } : {}),
    };
    this.records[id] = session;
    this.save();
    const opened = await deps.openWindow({ name, cwd: workdir, argv, env, tag: id });
    if (!opened.ok) {
      if (before) this.records[id] = before;
      else delete this.records[id];
      this.save();
      return opened;
    }
    session.windowId = opened.windowId;
    this.users().setActive(userId, id);
    this.save();
    return { ok: true, session };
  }

  /** Ends a session for good, in this order (the order is the contract): adopt the Claude id the map has for its
   * window (so Restore resumes the newest conversation), close the window, then kill any leftover
   * `claude --resume <id>` process (also when there was no window: a Restore may have left one running), and only
   * then record it as archived. Until the last step the record still names the window, so a crash half-way is
   * retried rather than forgotten; after it, no second writer to that Claude session can remain. */
  async archive(id: string, reason: ArchiveReason, deps: ArchiveDeps): Promise<
    | { ok: true; session: Readonly<Session>; windowClosed: boolean; processesKilled: number }
    | Failure<'unknown' | 'archived'>
  > {
    const session = this.records[id];
    if (!session) return fail('unknown', `no session ${id}`);
    if (session.status === 'archived') return fail('archived', `session ${session.name} is already archived`);
    this.adoptClaudeId(id, readSessionMap(deps.ccbotDir), deps.tmuxSession);
    this.archiving.add(id);
    try {
      const windowClosed = session.windowId ? await deps.killWindow(session.windowId) : false;
      const processesKilled = session.claudeSessionId ? await deps.killOrphans(session.claudeSessionId) : 0;
      const archivedAt = (deps.now ?? Date.now)();
      this.change(id, { status: 'archived', archivedAt, archiveReason: reason, windowId: null });
      return { ok: true, session, windowClosed, processesKilled };
    } finally {
      this.archiving.delete(id);
    }
  }

  /** A live session whose window is gone (Claude exited, or tmux lost it) becomes lost: Restore in /archive brings
   * it back. archivedAt is when it was found gone, so the purge counts from then. false when it was not live, or
   * is being archived (its window closes before its record says so). */
  markLost(id: string, now: number): boolean {
    const session = this.records[id];
    if (!session || session.status !== 'active' || this.archiving.has(id)) return false;
    log.warn('session lost: its window is gone', { session: session.name, id });
    this.change(id, { status: 'lost', windowId: null, archivedAt: now });
    return true;
  }

  /** Input from the person reached the session: the idle sweep counts from here. */
  recordInput(id: string, at: number): void {
    this.change(id, { lastActivityAt: at });
  }

  /** The permission mode its footer shows now (/mode switched it, or someone pressed Shift+Tab at the desk). */
  setMode(id: string, mode: Mode): void {
    if (this.records[id]?.mode !== mode) this.change(id, { mode });
  }

  /** A new name, unique among live sessions; a title never replaces the person's. null: unknown, or not replaced. */
  rename(id: string, name: string, by: 'hand' | 'title'): string | null {
    const session = this.records[id];
    if (!session || (by === 'title' && session.named === 'hand')) return null;
    const unique = uniqueName(this.live().filter((s) => s.id !== id), name);
    this.change(id, { name: unique, named: by });
    return unique;
  }

  /** The window that runs the session now (start-up found it by its tag). */
  attachWindow(id: string, windowId: string): void {
    this.change(id, { windowId });
  }

  /** The hook knows which Claude conversation the window runs now (after /clear or /resume, a newer one): Restore
   * resumes that one. */
  adoptClaudeId(id: string, map: SessionMap, tmuxSession: string): void {
    const windowId = this.records[id]?.windowId;
    const claudeSessionId = windowId ? map[mapKey(tmuxSession, windowId)]?.session_id : undefined;
    if (claudeSessionId && claudeSessionId !== this.records[id]?.claudeSessionId) this.change(id, { claudeSessionId });
  }

  /** Forgets records (Delete in /archive, the purge). Transcripts and workdirs are the person's and stay. */
  remove(ids: readonly string[]): void {
    for (const id of ids) delete this.records[id];
    if (ids.length > 0) this.save();
  }

  /** Sets fields and saves; an ended session is nobody's active one any more. */
  private change(id: string, fields: Partial<Session>): void {
    const session = this.records[id];
    if (!session) return;
    Object.assign(session, fields);
    if (session.status !== 'active') this.users().dropActive(id);
    this.save();
  }
}

/** A short id that is stable for the session's life and fits any callback_data. */
function newSessionId(records: Record<string, Session>): string {
  for (;;) {
    const id = Math.floor(Math.random() * 0x10000).toString(16).padStart(4, '0');
    if (!records[id]) return id;
  }
}

/** `api`, then `api-2`, `api-3`, … while a live session has the name. */
function uniqueName(live: readonly Readonly<Session>[], base: string): string {
  const taken = new Set(live.map((s) => s.name));
  const clean = base.replace(/[^\p{L}\p{N}._ -]+/gu, '-').replace(/ +/g, ' ').replace(/^[ -]+|[ -]+$/g, '')
    || 'session';
  if (!taken.has(clean)) return clean;
  for (let n = 2; ; n++) if (!taken.has(`${clean}-${n}`)) return `${clean}-${n}`;
}
