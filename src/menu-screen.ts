/** Claude's menus in the chat: the message a menu becomes (a permission prompt's command or diff, a plan), the buttons
 * that answer it (picker.ts, only for the dialog shown now), cancelling it, and the choices when a turn stalls. */
import type { Accepted, Chat } from './chat.js';
import type { Delivery } from './delivery.js';
import { clip, escapeHtml, renderMarkdown } from './format.js';
import { t, type Key as TextKey, type Lang } from './i18n.js';
import type { StallChoice } from './keyboards.js';
import { pickOption } from './picker.js';
import type { Session, Sessions } from './sessions.js';
import type { Telegram } from './telegram.js';
import type { Picker } from './terminal.js';
import type { Key } from './tmux.js';
import type { Users } from './users.js';
import { fail } from './values.cjs';

/** The menu a session's chat shows: which dialog (terminal.ts menuKey), its message (the last part's HTML). */
export interface ShownMenu { key: string; messageId: number; html: string }

/** A command or a diff is shown up to this much; the desk has the rest. */
const DETAIL_LINES = 20;
const DETAIL_CHARS = 1_500;

/** A menu as one message: the session, what Claude asks (a permission prompt's command or diff, a plan's Markdown)
 * and the options with a description (the buttons carry every option). Telegram splits a long plan: buttons go last. */
export function menuMessage(name: string, picker: Picker, lang: Lang, how: { approval: boolean; plan?: string }) {
  const heading = t(lang, how.approval ? 'picker.approve' : 'picker.title');
  const lines = [`<b>${escapeHtml(name)}</b> · ${escapeHtml(heading)}`];
  if (picker.title) lines.push(`<i>${escapeHtml(picker.title)}</i>`);
  const detail = picker.detail?.split('\n');
  if (detail) lines.push(`<pre>${escapeHtml(clip(detail.slice(0, DETAIL_LINES).join('\n'), DETAIL_CHARS))}</pre>`);
  if (detail && detail.length > DETAIL_LINES) lines.push('…');
  if (how.plan) lines.push('', renderMarkdown(how.plan).html);
  lines.push('', escapeHtml(picker.question));
  for (const o of picker.options) {
    if (o.description) lines.push(`${o.number}. ${escapeHtml(o.label)} — ${escapeHtml(o.description)}`);
  }
  return lines.join('\n');
}

interface MenuScreenDeps {
  telegram: Telegram; sessions: Sessions; users: Users; chat: Chat; delivery: Pick<Delivery, 'enqueue'>;
  press: (windowId: string, keys: Key[]) => Promise<unknown>; capture: (windowId: string) => Promise<string | null>;
  menuOf?: (sessionId: string) => ShownMenu | undefined; // the menu the chat shows (output.ts): a tap answers only it
  showScreenshot: (who: Accepted, lang: Lang, session: Session) => Promise<void>;
  confirmKill: (who: Accepted, lang: Lang, session: Session) => Promise<void>;
}

type Windowed = Session & { windowId: string };

export function createMenuScreen(deps: MenuScreenDeps) {
  const { telegram, chat } = deps;
  const strip = async (who: Accepted, messageId?: number) => {
    if (messageId !== undefined) await telegram.stripKeyboard(who.chatId, messageId);
  };

  async function liveSession(who: Accepted, lang: Lang, id: string): Promise<Windowed | undefined> {
    const session = deps.sessions.get(id);
    const mine = session?.status === 'active' && session.windowId && session.ownerUserId === who.userId;
    if (mine) return session as Windowed;
    await chat.sayText(who, lang, 'session.unknown', { name: session?.name ?? id });
    return undefined;
  }

  /** A tap on a menu's message answers it only while that dialog is the one on the pane (a second permission prompt
   * asks the same question about another command); then the message says what was chosen. */
  async function answer(who: Accepted, lang: Lang, id: string, messageId: number | undefined, amend: boolean,
    option: number): Promise<void> {
    const session = await liveSession(who, lang, id);
    if (!session) return;
    const shown = deps.menuOf?.(session.id);
    const outcome = shown && (messageId === undefined || messageId === shown.messageId)
      ? await pickOption(session.windowId, option, deps, shown.key, amend) : fail('noMenu', 'not the menu shown now');
    if (!outcome.ok) {
      if (outcome.kind === 'noMenu') await strip(who, messageId);
      const stale = outcome.kind === 'noMenu' || outcome.kind === 'noOption';
      const key: TextKey = stale ? 'picker.stale' : 'picker.failed';
      return void (await chat.sayText(who, lang, key, { why: outcome.kind }, { session }));
    }
    const chosen = `${shown!.html}\n\n→ <b>${escapeHtml(outcome.label)}</b>`;
    if (!(await telegram.edit(who.chatId, shown!.messageId, chosen)).ok) await strip(who, messageId);
    if (outcome.freeText) {
      deps.users.setAnswerTo(who.userId, session.id);
      await chat.sayText(who, lang, 'picker.typeNow', {}, { session });
    }
  }

  return {
    pick: (who: Accepted, lang: Lang, id: string, option: number, messageId?: number) =>
      answer(who, lang, id, messageId, false, option),

    /** "Yes, and tell Claude…": option 1 and Tab; the person's next message goes into the field that opens. */
    amend: (who: Accepted, lang: Lang, id: string, messageId?: number) => answer(who, lang, id, messageId, true, 1),

    async cancel(who: Accepted, lang: Lang, id: string, messageId?: number): Promise<void> {
      const session = await liveSession(who, lang, id);
      await strip(who, messageId);
      if (session) await deps.press(session.windowId, ['Escape']);
    },

    async stall(who: Accepted, lang: Lang, id: string, what: StallChoice, messageId?: number): Promise<void> {
      const session = await liveSession(who, lang, id);
      if (!session) return;
      await strip(who, messageId);
      if (what === 'esc') return void (await deps.press(session.windowId, ['Escape']));
      if (what === 'screenshot') return deps.showScreenshot(who, lang, session);
      if (what === 'kill') return deps.confirmKill(who, lang, session);
      // Continue: interrupt the stuck step, then ask Claude to go on (typed once the prompt is back).
      await deps.press(session.windowId, ['Escape']);
      const { chatId, userId } = who;
      deps.delivery.enqueue({ sessionId: session.id, chatId, userId, messageId: messageId ?? 0, text: 'continue' });
      await chat.sayText(who, lang, 'stall.continued', {}, { session });
    },
  };
}
