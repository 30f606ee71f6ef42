/** Buttons that act on what a session's pane shows: an option of Claude's menu (selected by reading the pane between
 * key presses, picker.ts), cancelling it, and the choices offered when a turn stalls. */
import type { Accepted, Chat } from './chat.js';
import type { Delivery } from './delivery.js';
import type { Key as TextKey, Lang } from './i18n.js';
import type { StallChoice } from './keyboards.js';
import { pickOption } from './picker.js';
import type { Session, Sessions } from './sessions.js';
import type { Telegram } from './telegram.js';
import type { Key } from './tmux.js';
import type { Users } from './users.js';

interface MenuScreenDeps {
  telegram: Telegram;
  sessions: Sessions;
  users: Users;
  chat: Chat;
  delivery: Pick<Delivery, 'enqueue'>;
  press: (windowId: string, keys: Key[]) => Promise<unknown>;
  capture: (windowId: string) => Promise<string | null>;
  /** The menu question the chat shows for a session (output.ts), to check a pressed option against. */
  menuOf?: (sessionId: string) => { question: string; messageId: number } | undefined;
  showScreenshot: (who: Accepted, lang: Lang, session: Session) => Promise<void>;
  confirmKill: (who: Accepted, lang: Lang, session: Session) => Promise<void>;
}

type Windowed = Session & { windowId: string };

export function createMenuScreen(deps: MenuScreenDeps) {
  const { telegram, chat } = deps;
  const strip = async (who: Accepted, messageId?: number) => {
    if (messageId !== undefined) await telegram.stripKeyboard(who.chatId, messageId);
  };

  /** A live session of the person's with a window, named by a button; otherwise they are told. */
  async function liveSession(who: Accepted, lang: Lang, id: string): Promise<Windowed | undefined> {
    const session = deps.sessions.get(id);
    const mine = session?.status === 'active' && session.windowId && session.ownerUserId === who.userId;
    if (mine) return session as Windowed;
    await chat.sayText(who, lang, 'session.unknown', { name: session?.name ?? id });
    return undefined;
  }

  return {
    async pick(who: Accepted, lang: Lang, id: string, option: number, messageId?: number): Promise<void> {
      const session = await liveSession(who, lang, id);
      if (!session) return;
      const question = deps.menuOf?.(session.id)?.question;
      const outcome = await pickOption(session.windowId, option, deps, question);
      if (!outcome.ok) {
        if (outcome.kind === 'noMenu') await strip(who, messageId);
        const stale = outcome.kind === 'noMenu' || outcome.kind === 'noOption';
        const key: TextKey = stale ? 'picker.stale' : 'picker.failed';
        return void (await chat.sayText(who, lang, key, { why: outcome.kind }, { session }));
      }
      await strip(who, messageId);
      if (outcome.freeText) {
        deps.users.setAnswerTo(who.userId, session.id);
        await chat.sayText(who, lang, 'picker.typeNow', {}, { session });
      }
    },

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
