/** The people's records (state.json's `users`), field by field, and every change to them, each saved at once:
 * the active session, reply-quotes, language, settings, held texts and files. Knows nothing of Telegram or tmux. */
import { isLang, replyLang, type Lang } from './i18n.js';
import type { Session, Sessions } from './sessions.js';
import { storedSettings, userSettings, type Settings } from './settings.js';
import { isObject } from './values.cjs';

/** key: the Telegram update that carried it, so a redelivered update is neither held nor typed twice. A file sent
 * with no live session is held by its Telegram file id (text: its caption), fetched once a session starts. */
export type Held = { text: string; messageId: number; key?: number; file?: HeldFile; group?: string };
export type HeldFile = { id: string; name: string };

/** Bot messages remembered per person for reply-quotes, newest kept. */
const REMEMBERED_MESSAGES = 300;

export interface UserState {
  /** Where free text goes; when that session is no longer live, their most recent live one (activeSession). */
  activeSessionId: string | null;
  /** Bot message id → the session it is about, so a reply to it goes there. */
  messages?: Record<string, string>;
  /** The language of their Telegram app in their latest update: for messages that answer none. */
  lang?: Lang;
  settings?: Partial<Settings>;
  /** A menu's "Type something" was chosen in this session: their next text goes straight into its field. */
  answerTo?: string;
  /** Where the directory browser opens. */
  lastDir?: string;
  /** Texts they wrote while no session was live, oldest first: they go to the session they start next. */
  waitingText?: Held[];
}

/** A person's record as state.json holds it (an old version, a hand edit): what is malformed is left out. */
export function readUser(raw: Record<string, unknown>): UserState {
  const { activeSessionId, messages, lang, answerTo, lastDir, waitingText: held } = raw;
  const user: UserState = { activeSessionId: typeof activeSessionId === 'string' ? activeSessionId : null };
  const isId = (e: [string, unknown]): e is [string, string] => typeof e[1] === 'string';
  const ids = Object.entries(isObject(messages) ? messages : {}).filter(isId);
  if (ids.length > 0) user.messages = Object.fromEntries(ids);
  if (isLang(lang)) user.lang = lang;
  const settings = storedSettings(raw.settings);
  if (settings) user.settings = settings;
  if (typeof answerTo === 'string') user.answerTo = answerTo;
  if (typeof lastDir === 'string') user.lastDir = lastDir;
  // One held text (as older versions kept it) or a list of them.
  const isHeld = (h: unknown): h is Held =>
    isObject(h) && typeof h.text === 'string' && typeof h.messageId === 'number';
  const list: unknown[] = Array.isArray(held) ? held : [held];
  const isFile = (f: unknown): f is HeldFile => isObject(f) && typeof f.id === 'string' && typeof f.name === 'string';
  const texts = list.filter(isHeld).map(({ text, messageId, key, file, group }) => ({
    text, messageId, ...(typeof key === 'number' && { key }),
    ...(isFile(file) && { file: { id: file.id, name: file.name } }), ...(typeof group === 'string' && { group }),
  }));
  if (texts.length > 0) user.waitingText = texts;
  return user;
}

export class Users {
  constructor(private readonly records: Record<string, UserState>, private readonly save: () => void,
    private readonly sessions: Pick<Sessions, 'get' | 'live'>) {}

  private readonly user = (userId: number): UserState | undefined => this.records[String(userId)];

  /** Their active session when it is still live; otherwise their most recent live one, which becomes active. */
  activeSession(userId: number): Readonly<Session> | undefined {
    const id = this.user(userId)?.activeSessionId;
    const current = id ? this.sessions.get(id) : undefined;
    if (current?.status === 'active') return current;
    const next = this.sessions.live().filter((s) => s.ownerUserId === userId).at(-1);
    this.setActive(userId, next?.id ?? null);
    return next;
  }

  setActive(userId: number, sessionId: string | null): void {
    if (this.user(userId)?.activeSessionId === sessionId) return;
    this.change(userId, { activeSessionId: sessionId });
  }

  /** A session ended: it is nobody's active one. Saved by the caller, with the session's own change. */
  dropActive(sessionId: string): void {
    for (const user of Object.values(this.records)) if (user.activeSessionId === sessionId) user.activeSessionId = null;
  }

  /** Bot message `messageId` is about `sessionId`: a reply to it goes there. The newest are kept. */
  rememberMessage(userId: number, messageId: number, sessionId: string): void {
    const kept = Object.entries(this.user(userId)?.messages ?? {}).slice(1 - REMEMBERED_MESSAGES);
    this.change(userId, { messages: { ...Object.fromEntries(kept), [String(messageId)]: sessionId } });
  }

  sessionOfMessage(userId: number, messageId: number): Readonly<Session> | undefined {
    const id = this.user(userId)?.messages?.[String(messageId)];
    return id ? this.sessions.get(id) : undefined;
  }

  /** The language to answer an update in; their app's language is kept for messages that answer none (lang). */
  seenLang(userId: number, languageCode: string | undefined): Lang {
    const app = replyLang('auto', languageCode);
    if (this.user(userId)?.lang !== app) this.change(userId, { lang: app });
    return this.lang(userId);
  }

  /** The language to write to them in when no update of theirs is at hand. */
  readonly lang = (userId: number): Lang => replyLang(this.settings(userId, 0).lang, this.user(userId)?.lang);
  readonly settings = (userId: number, defaultIdleHours: number): Settings =>
    userSettings(this.user(userId)?.settings, defaultIdleHours);

  readonly setSettings = (userId: number, settings: Settings) => this.change(userId, { settings });
  readonly setAnswerTo = (userId: number, sessionId: string) => this.change(userId, { answerTo: sessionId });

  /** true once when their next text answers a menu of `sessionId`. */
  takeAnswerTo(userId: number, sessionId: string): boolean {
    if (this.user(userId)?.answerTo !== sessionId) return false;
    this.change(userId, { answerTo: undefined });
    return true;
  }

  readonly lastDir = (userId: number): string | undefined => this.user(userId)?.lastDir;
  readonly setLastDir = (userId: number, dir: string) => this.change(userId, { lastDir: dir });

  /** Queued after what is already held: a second message before the session starts never replaces the first,
   * and the same message (a redelivered update) is held once. */
  holdText(userId: number, held: Held): void {
    const list = this.user(userId)?.waitingText ?? [];
    if (list.some((h) => h.messageId === held.messageId)) return;
    this.change(userId, { waitingText: [...list, held] });
  }

  readonly heldTexts = (userId: number): readonly Held[] => [...(this.user(userId)?.waitingText ?? [])];

  /** One held message went to a session (or failed and was told): dropped only then, so a crash before keeps it. */
  dropHeld(userId: number, messageId: number): void {
    const left = this.heldTexts(userId).filter((h) => h.messageId !== messageId);
    this.change(userId, { waitingText: left.length > 0 ? left : undefined });
  }

  /** Sets fields and saves (a field set to undefined is not written to the file). */
  private change(userId: number, fields: Partial<UserState>): void {
    Object.assign((this.records[String(userId)] ??= { activeSessionId: null }), fields);
    this.save();
  }
}
