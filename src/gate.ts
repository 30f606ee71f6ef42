/** The allowlist gate, the first thing every update meets: only allowed users, only in their private chat with the
 * bot, only the update kinds ccbot handles. Pure: an update in, a verdict out; it sends nothing and logs nothing. */
import type { Message, Update, User } from 'node-telegram-bot-api';

const KINDS = ['message', 'edited_message', 'callback_query'] as const;
export type GateKind = (typeof KINDS)[number];

export type Gated =
  | { kind: GateKind; userId: number; chatId: number; updateId: number; languageCode?: string }
  | { kind: 'drop'; reason: 'stranger' | 'not-private' | 'unsupported'; userId?: number };

/** The verdict on one update. A stranger is dropped whatever they send or where; an allowed user's message in a
 * group, supergroup or channel is dropped too (ccbot lives in the private chat, where a group member could not
 * see or steer a session). Any other update kind is 'unsupported', or 'stranger' when it names a foreign sender. */
export function gateUpdate(update: Update, allowed: ReadonlySet<number>): Gated {
  const u = update as Partial<Record<string, unknown>>;
  const kind = KINDS.find((k) => u[k]);
  if (kind === undefined) {
    const userId = otherSender(u);
    if (userId === undefined) return { kind: 'drop', reason: 'unsupported' };
    return { kind: 'drop', reason: allowed.has(userId) ? 'unsupported' : 'stranger', userId };
  }
  const part = u[kind] as { from?: User; chat?: Message['chat']; message?: { chat?: Message['chat'] } };
  const from = part.from;
  // No `from` (a channel post, an anonymous admin posting as the group) cannot be anyone on the allowlist.
  if (from === undefined) return { kind: 'drop', reason: 'stranger' };
  if (!allowed.has(from.id) || from.is_bot) return { kind: 'drop', reason: 'stranger', userId: from.id };
  // A callback query's chat is the chat of the message its button was on; an inline-mode message has none.
  const chat = kind === 'callback_query' ? part.message?.chat : part.chat;
  if (chat === undefined) return { kind: 'drop', reason: 'unsupported', userId: from.id };
  if (chat.type !== 'private') return { kind: 'drop', reason: 'not-private', userId: from.id };
  // A private chat with the bot has the person's own id; anything else claiming to be one is not their chat.
  if (chat.id !== from.id) return { kind: 'drop', reason: 'not-private', userId: from.id };
  // updateId keys what the update does (an outbox item, a new window): Telegram may deliver an update twice.
  const verdict = { kind, userId: from.id, chatId: chat.id, updateId: update.update_id };
  return from.language_code === undefined ? verdict : { ...verdict, languageCode: from.language_code };
}

/** The user behind an update kind ccbot does not handle (reactions, inline queries, member changes, polls…). */
function otherSender(u: Partial<Record<string, unknown>>): number | undefined {
  for (const [key, value] of Object.entries(u)) {
    if (key === 'update_id' || typeof value !== 'object' || value === null) continue;
    const part = value as { from?: { id?: unknown }; user?: { id?: unknown } };
    const id = part.from?.id ?? part.user?.id;
    if (typeof id === 'number') return id;
  }
  return undefined;
}
