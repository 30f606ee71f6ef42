/** /history: pages of the active session's conversation in one message, ◀ ▶ editing it in place. */
import type { Accepted, Chat } from './chat.js';
import { escapeHtml } from './format.js';
import { readHistoryPage } from './history.js';
import { t, type Lang } from './i18n.js';
import { historyKeyboard } from './keyboards.js';
import type { Session, Sessions } from './sessions.js';
import type { Users } from './users.js';
import type { Telegram } from './telegram.js';

export interface HistoryScreenDeps {
  telegram: Telegram;
  sessions: Pick<Sessions, 'get'>;
  users: Pick<Users, 'activeSession'>;
  chat: Chat;
  /** Where the session's transcript is (transcript-reader.ts findTranscript), null when none is known. */
  transcriptOf: (session: Session) => Promise<string | null>;
}

export interface HistoryScreen {
  show(who: Accepted, lang: Lang, id?: string, page?: number, messageId?: number): Promise<void>;
}

export function createHistoryScreen(deps: HistoryScreenDeps): HistoryScreen {
  const { telegram, chat } = deps;
  return {
    async show(who, lang, id, page = 0, messageId) {
      const session = id ? deps.sessions.get(id) : deps.users.activeSession(who.userId);
      if (!session || session.ownerUserId !== who.userId) {
        return void (await chat.sayText(who, lang, id ? 'session.unknown' : 'session.none', { name: id ?? '' }));
      }
      const path = await deps.transcriptOf(session);
      const read = path ? await readHistoryPage(path, page) : null;
      if (!read || (!read.ok && read.kind === 'missing')) {
        return void (await chat.sayText(who, lang, 'history.empty', {}, { session }));
      }
      if (!read.ok) return void (await chat.sayText(who, lang, 'error.generic', { error: read.error }, { session }));
      const title = `<b>${escapeHtml(t(lang, 'history.title', { name: session.name, page: read.page + 1 }))}</b>`;
      const html = `${title}\n\n${read.html || escapeHtml(t(lang, 'history.empty'))}`;
      const keyboard = historyKeyboard(session.id, read.page, read.hasOlder);
      if (messageId !== undefined) {
        const edited = await telegram.edit(who.chatId, messageId, html, { replyMarkup: keyboard });
        if (edited.ok) return;
      }
      await chat.say(who, lang, html, keyboard.inline_keyboard.length > 0 ? { keyboard, session } : { session });
    },
  };
}
