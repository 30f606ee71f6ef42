/** The /archive screen's actions: the list (archive-view.ts draws it), Restore, its kill button, Delete and Inspect. */
import { archivedSessions, archiveView, inspectText } from './archive-view.js';
import { isDirectory } from './browser.js';
import type { Accepted, Chat } from './chat.js';
import { escapeHtml } from './format.js';
import { t, type Key as TextKey, type Lang } from './i18n.js';
import { button } from './keyboards.js';
import type { Session, Sessions, StartRequest } from './sessions.js';
import type { Telegram } from './telegram.js';
import { readLastExchange } from './transcript-reader.js';

interface ArchiveScreenDeps {
  telegram: Telegram; sessions: Pick<Sessions, 'all' | 'remove'>; chat: Chat; now: () => number;
  start: (request: StartRequest) => ReturnType<Sessions['start']>;
  findProcesses: (claudeSessionId: string) => Promise<number[]>; // pids of `claude --resume <id>` (procs.ts)
  killProcesses: (claudeSessionId: string) => Promise<number>; // ends them: how many were signalled (procs.ts)
  transcriptOf: (session: Session) => Promise<string | null>; // transcript-reader.ts findTranscript
}

/** Archive messages remembered per run, so their buttons page them in place. */
const REMEMBERED_ARCHIVE_MESSAGES = 50;

export function createArchiveScreen(deps: ArchiveScreenDeps) {
  const { telegram, sessions, chat } = deps;
  const shownIn = new Map<string, { page: number; all: boolean }>(); // this run's archive messages, by chat:message

  async function show(who: Accepted, lang: Lang, page: number, all: boolean, messageId?: number, note?: string) {
    const now = deps.now();
    const view = archiveView(archivedSessions(sessions.all(), who.userId, { all, now }), page, all, lang, now, note);
    const ours = messageId !== undefined && shownIn.has(`${who.chatId}:${messageId}`) ? messageId : undefined;
    const hasButtons = view.keyboard.inline_keyboard.length > 0;
    const sent = await chat.sayInPlace(who, lang, ours, view.text, hasButtons ? { keyboard: view.keyboard } : {});
    if (!hasButtons || sent === undefined) return;
    shownIn.set(`${who.chatId}:${sent}`, { page: view.page, all });
    if (shownIn.size > REMEMBERED_ARCHIVE_MESSAGES) shownIn.delete(shownIn.keys().next().value!);
  }

  /** A button's action on the person's session `id`; a deleted one (or a forged id) gets "unknown session". */
  const onSession = (act: (who: Accepted, lang: Lang, session: Session, messageId?: number) => Promise<void>) =>
    async (who: Accepted, lang: Lang, id: string, messageId?: number): Promise<void> => {
      const session = await chat.sessionOf(who, lang, id);
      if (session) await act(who, lang, session, messageId);
    };

  const reply = async (who: Accepted, lang: Lang, key: TextKey, vars: Record<string, string | number>, options = {}) =>
    void (await chat.sayText(who, lang, key, vars, options));
  const alreadyRunning = (who: Accepted, lang: Lang, session: Session) =>
    reply(who, lang, 'archive.alreadyRunning', { name: session.name }, { session });

  return {
    show,
    /** Restore: a window in the original workdir resuming the same Claude conversation. Refused while an old
     * `claude --resume <id>` still runs (a window killed at the desk leaves one): two writers would corrupt it. */
    restore: onSession(async (who, lang, session) => {
      if (session.status === 'active') return alreadyRunning(who, lang, session);
      const { workdir, name } = session;
      if (!(await isDirectory(workdir))) return reply(who, lang, 'archive.workdirGone', { name, dir: workdir });
      const pids = session.claudeSessionId ? await deps.findProcesses(session.claudeSessionId) : [];
      if (pids.length > 0) {
        const kill = button(`🔪 ${t(lang, 'btn.killProcess')}`, { t: 'killProcess', id: session.id });
        const keyboard = { inline_keyboard: [[kill]] };
        return reply(who, lang, 'archive.stillRunning', { name, pids: pids.join(' ') }, { keyboard });
      }
      const { userId, chatId, updateId } = who;
      const started = await deps.start({ workdir, userId, chatId, resume: session, key: updateId });
      if (!started.ok) return reply(who, lang, 'error.generic', { error: started.error });
      const key: TextKey = started.session.claudeSessionId ? 'archive.restored' : 'archive.restoredFresh';
      return reply(who, lang, key, { name: started.session.name, dir: workdir }, { session: started.session });
    }),

    /** The Kill button under a refused Restore: ends the old process, then offers Restore again. */
    killLeftover: onSession(async (who, lang, session) => {
      // Once restored, the process resuming this id is the live session's own Claude: never kill it from here.
      if (session.status === 'active') return alreadyRunning(who, lang, session);
      const { name, claudeSessionId: claudeId } = session;
      const killed = claudeId ? await deps.killProcesses(claudeId) : 0;
      const left = claudeId ? await deps.findProcesses(claudeId) : [];
      if (left.length > 0) return reply(who, lang, 'archive.processSurvived', { name, pids: left.join(' ') });
      const again = button(`♻️ ${t(lang, 'btn.restore')}`, { t: 'restore', id: session.id });
      const key = killed > 0 ? 'archive.processKilled' : 'archive.nothingToKill';
      return reply(who, lang, key, { name }, { keyboard: { inline_keyboard: [[again]] } });
    }),

    /** Delete: forgets the record only. The workdir and Claude's transcript are the person's and stay. */
    remove: onSession(async (who, lang, session, messageId) => {
      const name = session.name;
      if (session.status === 'active') return reply(who, lang, 'archive.deleteLive', { name }, { session });
      sessions.remove([session.id]);
      const shown = messageId === undefined ? undefined : shownIn.get(`${who.chatId}:${messageId}`);
      await show(who, lang, shown?.page ?? 0, shown?.all ?? false, messageId, t(lang, 'archive.deleted', { name }));
    }),

    /** Inspect: the last prompt and answer, as a message without buttons so the archive above keeps its own. */
    inspect: onSession(async (who, lang, session) => {
      const aside = async (html: string) => void (await telegram.send(who.chatId, html));
      const path = await deps.transcriptOf(session);
      if (!path) return aside(escapeHtml(t(lang, 'inspect.noConversation', { name: session.name })));
      const read = await readLastExchange(path);
      if (read.ok) return aside(inspectText(session, read, lang));
      const key = read.kind === 'missing' ? 'inspect.noTranscript' : 'error.generic';
      return aside(escapeHtml(t(lang, key, { name: session.name, path, error: read.error })));
    }),
  };
}
