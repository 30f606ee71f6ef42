/** state.json: its shape, reading it back (well-formed records only) and writing it, and the one object that holds it
 * once loaded. Every change goes through its owners (sessions.ts, users.ts, outbox.ts); nothing else gets `State`. */
import { join } from 'node:path';
import { Outbox, type PendingText } from './outbox.js';
import { Sessions, type Session } from './sessions.js';
import { readJson, writeJson } from './store.cjs';
import { readUser, Users, type UserState } from './users.js';
import { isObject } from './values.cjs';

export const STATE_FILE = 'state.json';

interface State {
  version: 1;
  sessions: Record<string, Session>;
  users: Record<string, UserState>;
  outbox: PendingText[];
  /** Telegram updates handled (after a crash none is handled again): this one and every one before it, */
  lastUpdateId?: number;
  /** and these above it (handled while an earlier one, in another chat, was still running). */
  handledUpdateIds?: number[];
}

/** Reads state.json; a missing or corrupt file gives an empty state (store.cts sets a corrupt one aside). */
export function loadState(ccbotDir: string): State {
  const raw = readJson<unknown>(join(ccbotDir, STATE_FILE), null);
  const state: State = { version: 1, sessions: {}, users: {}, outbox: [] };
  if (!isObject(raw)) return state;
  for (const [id, s] of Object.entries(isObject(raw.sessions) ? raw.sessions : {})) {
    if (isObject(s) && typeof s.name === 'string' && typeof s.workdir === 'string') {
      state.sessions[id] = { ...(s as unknown as Session), id };
    }
  }
  for (const [id, u] of Object.entries(isObject(raw.users) ? raw.users : {})) {
    if (isObject(u)) state.users[id] = readUser(u);
  }
  const isPending = (p: unknown): p is PendingText =>
    isObject(p) && typeof p.text === 'string' && typeof p.sessionId === 'string';
  if (Array.isArray(raw.outbox)) state.outbox = raw.outbox.filter(isPending);
  if (typeof raw.lastUpdateId === 'number') state.lastUpdateId = raw.lastUpdateId;
  if (Array.isArray(raw.handledUpdateIds)) {
    state.handledUpdateIds = raw.handledUpdateIds.filter((id): id is number => Number.isInteger(id));
  }
  return state;
}

export function saveState(ccbotDir: string, state: State): void {
  writeJson(join(ccbotDir, STATE_FILE), state);
}

/** The loaded state and its owners; each change an owner makes is written at once with `write`. */
export class StateStore {
  readonly sessions: Sessions;
  readonly users: Users;
  readonly outbox: Outbox;

  constructor(private readonly state: State, private readonly write: (state: State) => void) {
    const save = () => write(state);
    this.sessions = new Sessions(state.sessions, save, () => this.users);
    this.users = new Users(state.users, save, this.sessions);
    this.outbox = new Outbox(state.outbox, save);
  }

  get lastUpdateId(): number | undefined {
    return this.state.lastUpdateId;
  }

  get handledUpdateIds(): readonly number[] {
    return this.state.handledUpdateIds ?? [];
  }

  /** After an update was handled: the poller's watermark and the handled ids above it (see poller.ts). */
  recordHandled(lastUpdateId: number, handledAbove: number[]): void {
    this.state.lastUpdateId = lastUpdateId;
    if (handledAbove.length > 0) this.state.handledUpdateIds = handledAbove;
    else delete this.state.handledUpdateIds;
    this.write(this.state);
  }

  /** At shutdown: the file as the state is now. */
  flush(): void {
    this.write(this.state);
  }
}
