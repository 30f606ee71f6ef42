/**
 * The bot's side of one person's chat: every reply carries the session switcher and takes it from the message
 * before (only the newest message has buttons), and each message remembers the session it is about, so a reply
 * to it goes to that session.
 */
import type { InlineKeyboardMarkup } from 'node-telegram-bot-api';
import { escapeHtml } from './format.js';
import type { Gated, GateKind } from './gate.js';
import { t, type Key as TextKey, type Lang } from './i18n.js';
import { button, switcherKeyboard, type SwitcherEntry } from './keyboards.js';
import { activeSession, liveSessions, type Session, type State } from './sessions.js';
import type { Telegram } from './telegram.js';

/** An update the gate let through: who wrote, in which chat. */
export type Accepted = Extract<Gated, { kind: GateKind }>;

/** Bot messages remembered per person for reply-quotes, newest kept. */
const REMEMBERED_MESSAGES = 300;

export interface ChatDeps {
  telegram: Telegram;
  state: State;
  save: () => void;
  /** A small mark per background session (⏳ working, ✓ done, ❓ needs you), from the monitor. */
  badge?: (sessionId: string) => string | undefined;
}

export interface SayOptions {
  keyboard?: InlineKeyboardMarkup;
  /** The session the message is about (for reply-quotes); the active one when absent. */
  session?: Session;
}

export interface Chat {
  say(who: Accepted, lang: Lang, html: string, options?: SayOptions): Promise<number | undefined>;
  sayText(who: Accepted, lang: Lang, key: TextKey, vars?: Record<string, string | number>, options?: SayOptions): Promise<number | undefined>;
  remember(userId: number, messageId: number, sessionId: string): void;
  sessionOfMessage(userId: number, messageId: number): Session | undefined;
  switcher(userId: number, lang: Lang): InlineKeyboardMarkup;
}

/** Records that bot message `messageId` is about `sessionId`, so a reply to it goes there; the newest are kept. */
export function rememberMessage(state: State, userId: number, messageId: number, sessionId: string): void {
  const user = (state.users[String(userId)] ??= { activeSessionId: null });
  const messages = ((user.messages as Record<string, string> | undefined) ??= {});
  messages[String(messageId)] = sessionId;
  const ids = Object.keys(messages);
  for (const old of ids.slice(0, Math.max(0, ids.length - REMEMBERED_MESSAGES))) delete messages[old];
}

export function createChat(deps: ChatDeps): Chat {
  const { telegram, state } = deps;

  const remember = (userId: number, messageId: number, sessionId: string) => rememberMessage(state, userId, messageId, sessionId);

  const sessionOfMessage = (userId: number, messageId: number): Session | undefined => {
    const messages = state.users[String(userId)]?.messages as Record<string, string> | undefined;
    const id = messages?.[String(messageId)];
    return id ? state.sessions[id] : undefined;
  };

  /** The live sessions, oldest first; sessions whose window vanished get one row pointing at /archive. */
  const switcher = (userId: number, lang: Lang): InlineKeyboardMarkup => {
    const active = activeSession(state, userId)?.id ?? null;
    const entries: SwitcherEntry[] = liveSessions(state)
      .filter((s) => s.ownerUserId === userId)
      .map((s) => {
        const badge = s.id === active ? undefined : deps.badge?.(s.id);
        return badge ? { id: s.id, name: s.name, badge } : { id: s.id, name: s.name };
      });
    const keyboard = switcherKeyboard(entries, active, lang);
    const lost = Object.values(state.sessions).filter((s) => s.status === 'lost' && s.ownerUserId === userId).length;
    if (lost === 0) return keyboard;
    const note = button(`⚠ ${t(lang, 'switcher.lost', { count: lost })}`, { t: 'archivePage', page: 0, all: true });
    return { inline_keyboard: [...keyboard.inline_keyboard, [note]] };
  };

  /** Resolves with the id of the (last) message sent, or undefined when Telegram refused it. */
  const say = async (who: Accepted, lang: Lang, html: string, options: SayOptions = {}) => {
    const sent = await telegram.sendNewest(who.chatId, html, { replyMarkup: options.keyboard ?? switcher(who.userId, lang) });
    const last = sent.ok ? sent.messageIds.at(-1) : undefined;
    if (last === undefined) return undefined;
    const about = options.session ?? activeSession(state, who.userId);
    if (about) for (const id of sent.ok ? sent.messageIds : []) remember(who.userId, id, about.id);
    deps.save();
    return last;
  };

  const sayText = (who: Accepted, lang: Lang, key: TextKey, vars: Record<string, string | number> = {}, options: SayOptions = {}) =>
    say(who, lang, escapeHtml(t(lang, key, vars)), options);

  return { say, sayText, remember, sessionOfMessage, switcher };
}
