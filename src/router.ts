/**
 * Commands, free text, replies and button presses from the allowed person → actions. It decides what to do and
 * says so in the chat; tmux, state and Telegram do the work. It never reads transcripts (the monitor does).
 */
import type { Message, Update } from 'node-telegram-bot-api';
import { escapeHtml } from './format.js';
import type { Gated, GateKind } from './gate.js';
import { langFromCode, t, type Lang } from './i18n.js';
import { logger } from './log.js';
import type { Telegram } from './telegram.js';

const log = logger('router');

export type Accepted = Extract<Gated, { kind: GateKind }>;

export interface RouterDeps {
  telegram: Telegram;
}

/** A command at the very start of a message: `/name`, `/name@bot`, and the rest as its argument. */
export function parseCommand(text: string): { name: string; arg: string } | null {
  const match = /^\/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/.exec(text.trim());
  return match ? { name: match[1]!.toLowerCase(), arg: (match[2] ?? '').trim() } : null;
}

export function createRouter(deps: RouterDeps): (update: Update, who: Accepted) => Promise<void> {
  const { telegram } = deps;
  const reply = (who: Accepted, text: string) => telegram.send(who.chatId, escapeHtml(text));

  return async (update, who) => {
    const lang: Lang = langFromCode(who.languageCode);
    if (who.kind === 'callback_query') {
      const query = (update as { callback_query: { id: string } }).callback_query;
      await telegram.answerCallback(query.id);
      return;
    }
    if (who.kind === 'edited_message') return; // an edit of a sent prompt cannot be un-typed; ignore it
    const message = (update as { message: Message }).message;
    const text = message.text ?? message.caption ?? '';
    const command = parseCommand(text);
    if (command && (command.name === 'help' || command.name === 'start')) {
      await reply(who, t(lang, 'help'));
      return;
    }
    log.debug('no session to take this yet', { user_id: who.userId });
    await reply(who, t(lang, 'session.none'));
  };
}
