/** The person's sessions as a whole: /list, /stop, /kill (with its confirmation), /done, and switching to a session
 * with a short preview of its last exchange. It decides who may act on which session; the work is sessions.ts's. */
import type { Accepted, Chat } from './chat.js';
import { clip, escapeHtml } from './format.js';
import { t, type Key as TextKey, type Lang } from './i18n.js';
import { killConfirmKeyboard } from './keyboards.js';
import { isValidName } from './naming.js';
import type { ArchiveReason, Session, Sessions } from './sessions.js';
import type { Telegram } from './telegram.js';
import type { Key } from './tmux.js';
import { readLastExchange } from './transcript-reader.js';
import type { Users } from './users.js';

type TranscriptOf = (session: Session) => Promise<string | null>;
interface SessionScreenDeps {
  telegram: Telegram; sessions: Sessions; users: Users; chat: Chat;
  archive: (id: string, reason: ArchiveReason) => ReturnType<Sessions['archive']>; transcriptOf: TranscriptOf;
  press: (windowId: string, keys: Key[]) => Promise<unknown>;
}

export function createSessionScreen(deps: SessionScreenDeps) {
  const { telegram, sessions, users, chat } = deps;
  const statusOf = (lang: Lang, session: Session) => escapeHtml(t(lang, `status.${session.status}` as TextKey));

  /** The session a command names, or the active one, when it is the person's and not archived; else they are told. */
  async function target(who: Accepted, lang: Lang, arg: string): Promise<Session | undefined> {
    const session = arg ? sessions.find(arg) : users.activeSession(who.userId);
    if (!session || session.ownerUserId !== who.userId) {
      return void (await chat.sayText(who, lang, arg ? 'session.unknown' : 'session.none', { name: arg }));
    }
    if (session.status !== 'archived') return session;
    await chat.sayText(who, lang, 'session.alreadyArchived', { name: session.name });
  }

  async function end(who: Accepted, lang: Lang, session: Session, reason: ArchiveReason): Promise<void> {
    const result = await deps.archive(session.id, reason);
    if (!result.ok) return void (await chat.sayText(who, lang, 'error.generic', { error: result.error }));
    await chat.sayText(who, lang, reason === 'killed' ? 'session.killed' : 'session.archived', { name: session.name });
  }

  /** The short card shown when switching to a session: where it runs, the last prompt and the start of its answer. */
  async function preview(session: Session, lang: Lang): Promise<string> {
    const head = `<b>${escapeHtml(session.name)}</b> · ${statusOf(lang, session)}`;
    const lines = [head, `<code>${escapeHtml(session.workdir)}</code>`];
    const transcript = await deps.transcriptOf(session);
    const read = transcript ? await readLastExchange(transcript) : undefined;
    if (read?.ok && read.prompt) lines.push('', `❯ ${escapeHtml(clip(read.prompt, 200))}`);
    if (read?.ok && read.answer) lines.push(escapeHtml(clip(read.answer.split('\n').slice(0, 4).join('\n'), 500)));
    return lines.join('\n');
  }

  return {
    target,

    async list(who: Accepted, lang: Lang): Promise<void> {
      const mine = sessions.all().filter((s) => s.ownerUserId === who.userId).sort((a, b) => a.createdAt - b.createdAt);
      if (mine.length === 0) return void (await chat.sayText(who, lang, 'session.none'));
      const active = users.activeSession(who.userId)?.id;
      const lines = mine.map((s) => {
        const when = new Date(s.lastActivityAt).toISOString().slice(0, 16).replace('T', ' ');
        const name = `${s.id === active ? '✓ ' : ''}<b>${escapeHtml(s.name)}</b>`;
        return `${name} · ${statusOf(lang, s)} · <code>${escapeHtml(s.workdir)}</code> · ${when}`;
      });
      await chat.say(who, lang, lines.join('\n'));
    },

    /** /stop: Esc in the active session's window, like at the desk. */
    async stop(who: Accepted, lang: Lang): Promise<void> {
      const session = await target(who, lang, '');
      if (session?.windowId) await deps.press(session.windowId, ['Escape']);
    },

    /** /rename <name>: the active session's name, set by hand (a title never replaces it). */
    async rename(who: Accepted, lang: Lang, arg: string): Promise<void> {
      const session = await chat.sessionOf(who, lang);
      if (!session) return;
      if (!isValidName(arg)) return void (await chat.sayText(who, lang, arg ? 'rename.invalid' : 'rename.how'));
      await chat.sayText(who, lang, 'rename.done', { name: sessions.rename(session.id, arg, 'hand') ?? arg });
    },

    async confirmKill(who: Accepted, lang: Lang, session: Session | undefined): Promise<void> {
      if (!session) return;
      const keyboard = killConfirmKeyboard(session.id, lang);
      await chat.sayText(who, lang, 'kill.confirm', { name: session.name }, { keyboard, session });
    },

    async done(who: Accepted, lang: Lang, arg: string): Promise<void> {
      const session = await target(who, lang, arg);
      if (session) await end(who, lang, session, 'done');
    },

    /** The confirmation's Yes: only for the person's own session, like every other button. */
    async kill(who: Accepted, lang: Lang, id: string): Promise<void> {
      const session = sessions.get(id);
      const mine = session?.ownerUserId === who.userId ? session : undefined;
      if (mine && mine.status !== 'archived') return end(who, lang, mine, 'killed');
      if (mine) await chat.sayText(who, lang, 'session.alreadyArchived', { name: mine.name });
      else await chat.sayText(who, lang, 'session.unknown', { name: id });
    },

    /** Makes the session active. The newest message, whose button was tapped, becomes the preview with the
     * (updated) switcher; a button of an older message gets a new message, so only the newest has buttons. */
    async switchTo(who: Accepted, lang: Lang, id: string, messageId?: number): Promise<void> {
      const session = sessions.get(id);
      if (!session || session.status !== 'active' || session.ownerUserId !== who.userId) {
        return void (await chat.sayText(who, lang, 'session.unknown', { name: id }));
      }
      users.setActive(who.userId, session.id);
      const html = await preview(session, lang);
      const newest = messageId !== undefined && telegram.isNewest(who.chatId, messageId);
      const replyMarkup = chat.switcher(who.userId, lang);
      if (newest && (await telegram.edit(who.chatId, messageId, html, { replyMarkup })).ok) {
        return users.rememberMessage(who.userId, messageId, session.id);
      }
      await chat.say(who, lang, html, { session });
    },
  };
}
