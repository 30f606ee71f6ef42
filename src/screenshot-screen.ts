/** /screenshot: the active session's pane as text, with key buttons that press a key and redraw the same message.
 * Reading the pane after a key waits for it to change (or a short deadline), never a blind sleep. */
import { setTimeout as delay } from 'node:timers/promises';
import type { Accepted, Chat } from './chat.js';
import { escapeHtml } from './format.js';
import type { Lang } from './i18n.js';
import { screenshotKeyboard, type ScreenKey } from './keyboards.js';
import type { Session } from './sessions.js';
import type { Telegram } from './telegram.js';
import { visibleText } from './terminal.js';
import type { Key } from './tmux.js';

/** Room for the name line and the <pre> tags within Telegram's 4096 characters (escaping may grow the text). */
const SCREEN_CHARS = 3_500;
const SETTLE_MS = 1_000;
const SETTLE_STEP_MS = 80;

interface ScreenshotDeps {
  telegram: Pick<Telegram, 'sendDocument'>;
  chat: Pick<Chat, 'sayText' | 'sayInPlace' | 'sessionOf'>;
  capture: (windowId: string) => Promise<string | null>;
  press: (windowId: string, keys: Key[]) => Promise<unknown>;
}

export function createScreenshotScreen(deps: ScreenshotDeps) {
  const { telegram, chat } = deps;

  /** The bottom lines of the pane that fit (the prompt or menu is there), in place of `messageId`. A screen too tall
   * for a message also comes whole as a file, and the message then follows it anew. */
  async function post(who: Accepted, lang: Lang, session: Session, pane: string | null, messageId?: number) {
    if (pane === null) return void (await chat.sayText(who, lang, 'screenshot.gone', { name: session.name }));
    const text = visibleText(pane);
    let shown = text;
    while (escapeHtml(shown).length > SCREEN_CHARS) {
      shown = shown.slice(shown.indexOf('\n') + 1 || shown.length - SCREEN_CHARS);
    }
    const cut = shown.length < text.length;
    if (cut) await telegram.sendDocument(who.chatId, `${session.name}-screen.txt`, text);
    const html = `<b>${escapeHtml(session.name)}</b>\n<pre>${escapeHtml(shown) || ' '}</pre>`;
    const keyboard = screenshotKeyboard(session.id);
    await chat.sayInPlace(who, lang, cut ? undefined : messageId, html, { keyboard, session });
  }

  return {
    /** /screenshot of the active session, or of `given` (a menu's Screenshot button). */
    async show(who: Accepted, lang: Lang, given?: Session): Promise<void> {
      const session = given ?? (await chat.sessionOf(who, lang, undefined, true));
      if (session) await post(who, lang, session, await deps.capture(session.windowId!));
    },

    async onKey(who: Accepted, lang: Lang, id: string, key: ScreenKey | null, messageId?: number): Promise<void> {
      const session = await chat.sessionOf(who, lang, id, true);
      if (!session) return;
      const windowId = session.windowId!;
      const before = await deps.capture(windowId);
      let pane = before;
      if (key) await deps.press(windowId, [key === 'Esc' ? 'Escape' : key]);
      for (let waited = 0; key && pane === before && waited < SETTLE_MS; waited += SETTLE_STEP_MS) {
        await delay(SETTLE_STEP_MS);
        pane = await deps.capture(windowId);
      }
      await post(who, lang, session, pane, messageId);
    },
  };
}
