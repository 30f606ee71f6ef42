/** The bot's side of one person's chat: every reply carries the session switcher and takes it from the message
 * before (only the newest message has buttons), and each message remembers the session it is about, so a reply
 * to it goes to that session. */
import type { InlineKeyboardMarkup } from 'node-telegram-bot-api';
import { escapeHtml } from './format.js';
import type { Gated, GateKind } from './gate.js';
import { t, type Key as TextKey, type Lang } from './i18n.js';
import { button, NOOP, switcherKeyboard, type SwitcherEntry } from './keyboards.js';
import { modeTag } from './modes.js';
import type { Session, Sessions } from './sessions.js';
import type { Telegram } from './telegram.js';
import type { Users } from './users.js';

/** An update the gate let through: who wrote, in which chat. */
export type Accepted = Extract<Gated, { kind: GateKind }>;

interface ChatDeps {
  telegram: Telegram;
  sessions: Pick<Sessions, 'all' | 'live' | 'get'>;
  users: Pick<Users, 'activeSession' | 'rememberMessage'>;
  /** A small mark per background session (⏳ working, ✓ done, ❓ needs you), from the monitor. */
  badge?: (sessionId: string) => string | undefined;
  /** CCBOT_HOST_LABEL: which server's bot this is, above the sessions; empty: no row. */
  hostLabel?: string;
}

interface SayOptions {
  keyboard?: InlineKeyboardMarkup;
  /** The session the message is about (for reply-quotes); the active one when absent. */
  session?: Session;
  /** A PNG sent with the html as its caption (or edited in: the message must be a photo). */
  photo?: Uint8Array;
}

export type Chat = ReturnType<typeof createChat>;

/** Before a notice, for a person who runs one ccbot per server (CCBOT_HOST_LABEL); plain text. */
export const hostPrefix = (label: string): string => (label ? `[${label}] ` : '');

export function createChat(deps: ChatDeps) {
  const { telegram, sessions, users } = deps;

  /** The live sessions, oldest first; sessions whose window vanished get one row pointing at /archive. */
  const switcher = (userId: number, lang: Lang): InlineKeyboardMarkup => {
    const active = users.activeSession(userId)?.id ?? null;
    // The active session shows ✓ instead of its badge (keyboards.ts); any but bypass mode is named.
    const entries: SwitcherEntry[] = sessions.live()
      .filter((s) => s.ownerUserId === userId)
      .map((s) => ({ id: s.id, name: s.name, badge: deps.badge?.(s.id), modeTag: modeTag(s.mode) }));
    const host = deps.hostLabel ? [[button(`🖥 ${deps.hostLabel}`, NOOP)]] : [];
    const keyboard = { inline_keyboard: [...host, ...switcherKeyboard(entries, active, lang).inline_keyboard] };
    const lost = sessions.all().filter((s) => s.status === 'lost' && s.ownerUserId === userId).length;
    if (lost === 0) return keyboard;
    const note = button(`⚠ ${t(lang, 'switcher.lost', { count: lost })}`, { t: 'archivePage', page: 0, all: true });
    return { inline_keyboard: [...keyboard.inline_keyboard, [note]] };
  };

  /** Resolves with the id of the (last) message sent, or undefined when Telegram refused it. */
  const say = async (who: Accepted, lang: Lang, html: string, options: SayOptions = {}) => {
    const replyMarkup = options.keyboard ?? switcher(who.userId, lang);
    const sent = await telegram.sendNewest(who.chatId, html, { replyMarkup, photo: options.photo });
    if (!sent.ok) return undefined;
    const about = options.session ?? users.activeSession(who.userId);
    if (about) for (const id of sent.messageIds) users.rememberMessage(who.userId, id, about.id);
    return sent.messageIds.at(-1);
  };

  /** `html` in place of message `messageId` (a button's message redrawn); said anew without one, or when that fails. */
  const sayInPlace = async (
    who: Accepted, lang: Lang, messageId: number | undefined, html: string, options: SayOptions = {},
  ) => {
    const edit = { replyMarkup: options.keyboard, photo: options.photo };
    const edited = messageId !== undefined && (await telegram.edit(who.chatId, messageId, html, edit)).ok;
    return edited ? messageId : say(who, lang, html, options);
  };

  const sayText = (
    who: Accepted, lang: Lang, key: TextKey, vars: Record<string, string | number> = {}, options: SayOptions = {},
  ) => say(who, lang, escapeHtml(t(lang, key, vars)), options);

  /** The person's own session `id` (without one, their active session), and with `live` only a live one with its
   * window; anything else (none, gone, someone else's, a forged id) is answered "unknown session" or "no session". */
  const sessionOf = async (who: Accepted, lang: Lang, id?: string, live = false) => {
    const session = id ? sessions.get(id) : users.activeSession(who.userId);
    const mine = session?.ownerUserId === who.userId ? session : undefined;
    if (mine && (!live || (mine.status === 'active' && mine.windowId))) return mine;
    await sayText(who, lang, id ? 'session.unknown' : 'session.none', { name: mine?.name ?? id ?? '' });
    return undefined;
  };

  return { say, sayInPlace, sayText, switcher, sessionOf };
}
