/** /history: pages of the active session's conversation in one message, ◀ ▶ editing it in place. */
import type { Accepted, Chat } from './chat.js';
import { escapeHtml } from './format.js';
import { readHistoryPage } from './history.js';
import { t, type Lang } from './i18n.js';
import { historyKeyboard } from './keyboards.js';
import type { Session } from './sessions.js';

/** transcriptOf: where the session's transcript is (transcript-reader.ts findTranscript), null when none is known. */
interface HistoryScreenDeps { chat: Chat; transcriptOf: (session: Session) => Promise<string | null> }

export function createHistoryScreen(deps: HistoryScreenDeps) {
  const { chat } = deps;
  return {
    async show(who: Accepted, lang: Lang, id?: string, page = 0, messageId?: number): Promise<void> {
      const session = await chat.sessionOf(who, lang, id);
      if (!session) return;
      const path = await deps.transcriptOf(session);
      const read = path ? await readHistoryPage(path, page) : null;
      if (!read || (!read.ok && read.kind === 'missing')) {
        return void (await chat.sayText(who, lang, 'history.empty', {}, { session }));
      }
      if (!read.ok) return void (await chat.sayText(who, lang, 'error.generic', { error: read.error }, { session }));
      const title = `<b>${escapeHtml(t(lang, 'history.title', { name: session.name, page: read.page + 1 }))}</b>`;
      const html = `${title}\n\n${read.html || escapeHtml(t(lang, 'history.empty'))}`;
      const keyboard = historyKeyboard(session.id, read.page, read.hasOlder);
      const options = keyboard.inline_keyboard.length > 0 ? { keyboard, session } : { session };
      await chat.sayInPlace(who, lang, messageId, html, options);
    },
  };
}
