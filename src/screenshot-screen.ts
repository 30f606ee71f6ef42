/**
 * /screenshot: the active session's pane as text, with key buttons that press a key and redraw the same message.
 * Reading the pane after a key waits for it to change (or a short deadline), never a blind sleep.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Accepted, Chat } from './chat.js';
import { escapeHtml } from './format.js';
import type { Lang } from './i18n.js';
import { screenshotKeyboard, type ScreenKey } from './keyboards.js';
import type { Session, Sessions } from './sessions.js';
import type { Telegram } from './telegram.js';
import { visibleText } from './terminal.js';
import type { Key } from './tmux.js';
import type { Users } from './users.js';

/** Room for the name line and the <pre> tags within Telegram's 4096 characters (escaping may grow the text). */
export const SCREEN_CHARS = 3_500;
const SETTLE_MS = 1_000;
const SETTLE_STEP_MS = 80;

const TMUX_KEY: Record<ScreenKey, Key> = {
  Esc: 'Escape', Enter: 'Enter', Up: 'Up', Down: 'Down', Left: 'Left', Right: 'Right', Tab: 'Tab', Space: 'Space',
  'C-c': 'C-c',
};

export interface ScreenshotDeps {
  telegram: Telegram;
  sessions: Pick<Sessions, 'get'>;
  users: Pick<Users, 'activeSession'>;
  chat: Chat;
  capture: (windowId: string) => Promise<string | null>;
  press: (windowId: string, keys: Key[]) => Promise<unknown>;
  sleep?: (ms: number) => Promise<void>;
}

/** The message for a pane: the bottom lines that fit (the prompt or menu is there), and whether it was cut. */
export function screenshotHtml(name: string, pane: string): { html: string; cut: boolean; text: string } {
  const text = visibleText(pane);
  let shown = text;
  while (escapeHtml(shown).length > SCREEN_CHARS) {
    shown = shown.slice(shown.indexOf('\n') + 1 || shown.length - SCREEN_CHARS);
  }
  const cut = shown.length < text.length;
  return { html: `<b>${escapeHtml(name)}</b>\n<pre>${escapeHtml(shown) || ' '}</pre>`, cut, text };
}

export interface ScreenshotScreen {
  show(who: Accepted, lang: Lang, session?: Session): Promise<void>;
  onKey(who: Accepted, lang: Lang, id: string, key: ScreenKey | null, messageId?: number): Promise<void>;
}

export function createScreenshotScreen(deps: ScreenshotDeps): ScreenshotScreen {
  const { telegram, chat } = deps;
  const sleep = deps.sleep ?? delay;

  const liveSession = async (who: Accepted, lang: Lang, id?: string): Promise<Session | undefined> => {
    const session = id ? deps.sessions.get(id) : deps.users.activeSession(who.userId);
    if (session?.status === 'active' && session.windowId && session.ownerUserId === who.userId) return session;
    await chat.sayText(who, lang, id ? 'session.unknown' : 'session.none', { name: session?.name ?? id ?? '' });
    return undefined;
  };

  async function show(who: Accepted, lang: Lang, given?: Session): Promise<void> {
    const session = given ?? (await liveSession(who, lang));
    if (!session) return;
    const pane = await deps.capture(session.windowId!);
    if (pane === null) return void (await chat.sayText(who, lang, 'screenshot.gone', { name: session.name }));
    const shot = screenshotHtml(session.name, pane);
    // Too tall for a message: the whole screen as a file, the bottom of it with the keys as the message.
    if (shot.cut) await telegram.sendDocument(who.chatId, `${session.name}-screen.txt`, shot.text);
    await chat.say(who, lang, shot.html, { keyboard: screenshotKeyboard(session.id), session });
  }

  /** Polls the pane until it differs from `before`, for at most SETTLE_MS. */
  async function settled(windowId: string, before: string | null): Promise<string | null> {
    let pane = before;
    for (let waited = 0; waited < SETTLE_MS; waited += SETTLE_STEP_MS) {
      await sleep(SETTLE_STEP_MS);
      pane = await deps.capture(windowId);
      if (pane !== before) return pane;
    }
    return pane;
  }

  return {
    show,
    async onKey(who, lang, id, key, messageId) {
      const session = await liveSession(who, lang, id);
      if (!session) return;
      const windowId = session.windowId!;
      let pane = await deps.capture(windowId);
      if (key) {
        await deps.press(windowId, [TMUX_KEY[key]]);
        pane = await settled(windowId, pane);
      }
      if (pane === null) return void (await chat.sayText(who, lang, 'screenshot.gone', { name: session.name }));
      const shot = screenshotHtml(session.name, pane);
      if (messageId !== undefined && !shot.cut) {
        const replyMarkup = screenshotKeyboard(session.id);
        const edited = await telegram.edit(who.chatId, messageId, shot.html, { replyMarkup });
        if (edited.ok) return;
      }
      await show(who, lang, session);
    },
  };
}
