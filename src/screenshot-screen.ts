/** /screenshot: the active session's pane as a picture (as text on its button, or when it cannot be drawn or sent),
 * with key buttons that press a key and redraw the same message.
 * Reading the pane after a key waits for it to change (or a short deadline), never a blind sleep. */
import { setTimeout as delay } from 'node:timers/promises';
import type { Accepted, Chat } from './chat.js';
import { escapeHtml } from './format.js';
import type { Lang } from './i18n.js';
import { screenshotKeyboard, type ScreenKey } from './keyboards.js';
import { logger } from './log.cjs';
import { renderScreen } from './screen-image.js';
import type { Session } from './sessions.js';
import type { Telegram } from './telegram.js';
import { visibleText } from './terminal.js';
import type { Key } from './tmux.js';

/** Room for the name line and the <pre> tags within Telegram's 4096 characters (escaping may grow the text). */
const SCREEN_CHARS = 3_500;
const SETTLE_MS = 1_000;
const SETTLE_STEP_MS = 80;
/** Text screenshots remembered, so that their keys redraw text (after a restart they get a picture anew). */
const TEXT_SHOTS = 100;
const log = logger('screenshot');

interface ScreenshotDeps {
  telegram: Pick<Telegram, 'sendDocument'>;
  chat: Pick<Chat, 'sayText' | 'sayInPlace' | 'sessionOf'>;
  /** `colour`: rows with their SGR escapes (capture-pane -e), for the picture. */
  capture: (windowId: string, colour?: boolean) => Promise<string | null>;
  press: (windowId: string, keys: Key[]) => Promise<unknown>;
  /** redact.ts: a picture's pixels pass no later check, so the text is masked before it is drawn. */
  mask?: (text: string) => string;
}

export function createScreenshotScreen(deps: ScreenshotDeps) {
  const { telegram, chat } = deps;
  const textShots = new Set<number>();

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
    const id = await chat.sayInPlace(who, lang, cut ? undefined : messageId, html, { keyboard, session });
    if (id !== undefined && textShots.add(id).size > TEXT_SHOTS) textShots.delete(textShots.values().next().value!);
  }

  /** The pane drawn as a PNG in place of `messageId` (a picture's) or anew; text when it cannot be drawn or sent. */
  async function picture(who: Accepted, lang: Lang, session: Session, pane: string | null, messageId?: number) {
    if (pane === null) return post(who, lang, session, pane);
    let photo: Buffer | undefined;
    try {
      photo = renderScreen(deps.mask ? deps.mask(pane) : pane);
    } catch (err) {
      log.warn('cannot draw the screen; sending it as text', { error: String(err) });
    }
    const [html, keyboard] = [`<b>${escapeHtml(session.name)}</b>`, screenshotKeyboard(session.id, lang)];
    const sent = photo && (await chat.sayInPlace(who, lang, messageId, html, { keyboard, session, photo }));
    if (sent === undefined) await post(who, lang, session, await deps.capture(session.windowId!), messageId);
  }

  return {
    /** /screenshot of the active session, or of `given` (a menu's Screenshot button). */
    async show(who: Accepted, lang: Lang, given?: Session): Promise<void> {
      const session = given ?? (await chat.sessionOf(who, lang, undefined, true));
      if (session) await picture(who, lang, session, await deps.capture(session.windowId!, true));
    },

    /** The text version, anew (a picture's button). */
    async text(who: Accepted, lang: Lang, id: string): Promise<void> {
      const session = await chat.sessionOf(who, lang, id, true);
      if (session) await post(who, lang, session, await deps.capture(session.windowId!));
    },

    async onKey(who: Accepted, lang: Lang, id: string, key: ScreenKey | null, messageId?: number): Promise<void> {
      const session = await chat.sessionOf(who, lang, id, true);
      if (!session) return;
      const windowId = session.windowId!;
      const asText = messageId !== undefined && textShots.has(messageId);
      const before = await deps.capture(windowId, !asText);
      let pane = before;
      if (key) await deps.press(windowId, [key === 'Esc' ? 'Escape' : key]);
      for (let waited = 0; key && pane === before && waited < SETTLE_MS; waited += SETTLE_STEP_MS) {
        await delay(SETTLE_STEP_MS);
        pane = await deps.capture(windowId, !asText);
      }
      await (asText ? post : picture)(who, lang, session, pane, messageId);
    },
  };
}
