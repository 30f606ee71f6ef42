/**
 * Commands, free text, replies and button presses from the allowed person → actions. It decides what to do and
 * says so in the chat; tmux, state, delivery and Telegram do the work. It never follows transcripts (the monitor
 * does); the archive's Inspect asks inspect.ts for the tail of one.
 */
import { stat } from 'node:fs/promises';
import type { InlineKeyboardMarkup, Message, Update } from 'node-telegram-bot-api';
import { archivedSessions, archiveView, inspectText } from './archive-view.js';
import { BrowserTokens, browserView, listDirectory, openChild, openParent, resolveUserPath, type Listing } from './browser.js';
import type { Delivery } from './delivery.js';
import { escapeHtml } from './format.js';
import type { Gated, GateKind } from './gate.js';
import { langFromCode, t, type Key as TextKey, type Lang } from './i18n.js';
import { readLastExchange } from './inspect.js';
import { button, decodeAction, killConfirmKeyboard, resendKeyboard, switcherKeyboard, type Action } from './keyboards.js';
import { logger } from './log.js';
import {
  activeSession, archiveSession, findSession, liveSessions, setActive, startSession, type ArchiveReason, type PendingText, type Session, type State,
} from './sessions.js';
import type { Telegram } from './telegram.js';
import type { Key } from './tmux.js';

const log = logger('router');

export type Accepted = Extract<Gated, { kind: GateKind }>;

/** Commands ccbot answers itself; any other /command goes to Claude verbatim (/compact, /model, /clear, /cost, …). */
const OWN_COMMANDS = new Set(['start', 'help', 'menu', 'new', 'list', 'stop', 'kill', 'done', 'archive']);
/** Bot messages remembered per person for reply-quotes, newest kept. */
const REMEMBERED_MESSAGES = 300;

export interface RouterDeps {
  telegram: Telegram;
  state: State;
  delivery: Pick<Delivery, 'enqueue' | 'resend'>;
  save: () => void;
  home: string;
  start: (request: { workdir: string; userId: number; chatId: number; resume?: Session }) => ReturnType<typeof startSession>;
  archive: (id: string, reason: ArchiveReason) => ReturnType<typeof archiveSession>;
  press: (windowId: string, keys: Key[]) => Promise<unknown>;
  /** Pids of processes still running `claude --resume <id>` (procs.ts findClaudeProcesses). */
  findProcesses: (claudeSessionId: string) => Promise<number[]>;
  /** Ends them; resolves with how many were signalled (procs.ts killOrphanClaudeProcesses). */
  killProcesses: (claudeSessionId: string) => Promise<number>;
  /** Where Claude Code keeps projects/<cwd>/<session>.jsonl, for Inspect. */
  claudeConfigDir: string;
  now?: () => number;
}

/** A command at the very start of a message: `/name`, `/name@bot`, and the rest as its argument. */
export function parseCommand(text: string): { name: string; arg: string } | null {
  const match = /^\/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/.exec(text.trim());
  return match ? { name: match[1]!.toLowerCase(), arg: (match[2] ?? '').trim() } : null;
}

export function createRouter(deps: RouterDeps): (update: Update, who: Accepted) => Promise<void> {
  const { telegram, state } = deps;
  const browsers = new BrowserTokens();

  /** Remembers which session a message in the chat belongs to, for replies to it. */
  const remember = (userId: number, messageId: number, sessionId: string) => {
    const user = (state.users[String(userId)] ??= { activeSessionId: null });
    const messages = ((user.messages as Record<string, string> | undefined) ??= {});
    messages[String(messageId)] = sessionId;
    const ids = Object.keys(messages);
    for (const old of ids.slice(0, Math.max(0, ids.length - REMEMBERED_MESSAGES))) delete messages[old];
  };
  const sessionOfMessage = (userId: number, messageId: number): Session | undefined => {
    const messages = state.users[String(userId)]?.messages as Record<string, string> | undefined;
    const id = messages?.[String(messageId)];
    return id ? state.sessions[id] : undefined;
  };

  /** The live sessions, oldest first; sessions whose window vanished get one row pointing at /archive. */
  const switcher = (who: Accepted, lang: Lang): InlineKeyboardMarkup => {
    const keyboard = switcherKeyboard(liveSessions(state).filter((s) => s.ownerUserId === who.userId), activeSession(state, who.userId)?.id ?? null, lang);
    const lost = Object.values(state.sessions).filter((s) => s.status === 'lost' && s.ownerUserId === who.userId).length;
    if (lost === 0) return keyboard;
    const note = button(`⚠ ${t(lang, 'switcher.lost', { count: lost })}`, { t: 'archivePage', page: 0, all: true });
    return { inline_keyboard: [...keyboard.inline_keyboard, [note]] };
  };

  /** Every bot message carries the switcher; the previous one loses it (only the newest message has buttons). */
  const say = async (who: Accepted, lang: Lang, html: string, options: { keyboard?: InlineKeyboardMarkup; session?: Session } = {}) => {
    const sent = await telegram.send(who.chatId, html, { replyMarkup: options.keyboard ?? switcher(who, lang) });
    const last = sent.ok ? sent.messageIds.at(-1) : undefined;
    if (last === undefined) return;
    await telegram.replaceKeyboardMessage(who.chatId, last);
    const about = options.session ?? activeSession(state, who.userId);
    if (about) for (const id of sent.ok ? sent.messageIds : []) remember(who.userId, id, about.id);
    deps.save();
  };
  const sayText = (who: Accepted, lang: Lang, key: TextKey, vars: Record<string, string | number> = {}, options = {}) =>
    say(who, lang, escapeHtml(t(lang, key, vars)), options);

  async function newSession(who: Accepted, lang: Lang, arg: string): Promise<void> {
    if (!arg) return openBrowser(who, lang, lastDir(who) ?? deps.home);
    const workdir = resolveUserPath(arg, deps.home);
    const isDir = await stat(workdir).then((s) => s.isDirectory(), () => null);
    if (isDir === null) return sayText(who, lang, 'new.missing', { dir: workdir });
    if (!isDir) return sayText(who, lang, 'new.notDir', { dir: workdir });
    await startIn(who, lang, workdir);
  }

  /** Starts a session in `workdir`; a message the person wrote before they had one goes to it once it is ready. */
  async function startIn(who: Accepted, lang: Lang, workdir: string): Promise<void> {
    const started = await deps.start({ workdir, userId: who.userId, chatId: who.chatId });
    if (!started.ok) return sayText(who, lang, 'error.generic', { error: started.error });
    const user = (state.users[String(who.userId)] ??= { activeSessionId: started.session.id });
    user.lastDir = workdir;
    const waiting = user.waitingText as { text: string; messageId: number } | undefined;
    delete user.waitingText;
    await sayText(who, lang, 'session.started', { name: started.session.name, dir: workdir }, { session: started.session });
    if (waiting) {
      remember(who.userId, waiting.messageId, started.session.id);
      deps.delivery.enqueue({ sessionId: started.session.id, chatId: who.chatId, userId: who.userId, messageId: waiting.messageId, text: waiting.text });
    }
  }

  const lastDir = (who: Accepted) => state.users[String(who.userId)]?.lastDir as string | undefined;

  /** The directory browser: a fresh message, or the same one edited when a button of it was pressed. */
  async function openBrowser(who: Accepted, lang: Lang, path: string, page = 0, messageId?: number): Promise<void> {
    let listing = await listDirectory(path);
    if (!listing.ok && path !== deps.home) listing = await listDirectory(deps.home); // the last directory is gone
    if (!listing.ok) return sayText(who, lang, 'error.generic', { error: listing.error });
    await showListing(who, lang, listing, page, messageId);
  }

  async function showListing(who: Accepted, lang: Lang, listing: Listing, page: number, messageId?: number): Promise<void> {
    const view = browserView(listing, page, lang, browsers.put(who.userId, listing));
    if (messageId !== undefined) {
      const edited = await telegram.edit(who.chatId, messageId, escapeHtml(view.text), { replyMarkup: view.keyboard });
      if (edited.ok) return;
    }
    await say(who, lang, escapeHtml(view.text), { keyboard: view.keyboard });
  }

  async function onBrowserButton(who: Accepted, lang: Lang, action: Extract<Action, { token: string }>, messageId?: number): Promise<void> {
    const listing = browsers.get(who.userId, action.token);
    if (!listing) return openBrowser(who, lang, lastDir(who) ?? deps.home); // an old browser message: start over
    if (action.t === 'browseStart') {
      if (messageId !== undefined) await telegram.stripKeyboard(who.chatId, messageId);
      return startIn(who, lang, listing.path);
    }
    if (action.t === 'browsePage') return showListing(who, lang, listing, action.page, messageId);
    const next = action.t === 'browse' ? await openChild(listing, action.index) : await openParent(listing);
    if (!next.ok) return sayText(who, lang, 'error.generic', { error: next.error });
    return showListing(who, lang, next, 0, messageId);
  }

  async function listSessions(who: Accepted, lang: Lang): Promise<void> {
    const mine = Object.values(state.sessions).filter((s) => s.ownerUserId === who.userId).sort((a, b) => a.createdAt - b.createdAt);
    if (mine.length === 0) return sayText(who, lang, 'session.none');
    const active = activeSession(state, who.userId)?.id;
    const lines = mine.map((s) => {
      const mark = s.id === active ? '✓ ' : '';
      const when = new Date(s.lastActivityAt).toISOString().slice(0, 16).replace('T', ' ');
      return `${mark}<b>${escapeHtml(s.name)}</b> · ${escapeHtml(t(lang, `status.${s.status}` as TextKey))} · <code>${escapeHtml(s.workdir)}</code> · ${when}`;
    });
    await say(who, lang, lines.join('\n'));
  }

  /** The session a command names, or the active one; tells the person when there is none. */
  async function target(who: Accepted, lang: Lang, arg: string): Promise<Session | undefined> {
    const session = arg ? findSession(state, arg) : activeSession(state, who.userId);
    if (!session || session.ownerUserId !== who.userId) {
      await sayText(who, lang, arg ? 'session.unknown' : 'session.none', { name: arg });
      return undefined;
    }
    if (session.status === 'archived') {
      await sayText(who, lang, 'session.alreadyArchived', { name: session.name });
      return undefined;
    }
    return session;
  }

  async function end(who: Accepted, lang: Lang, session: Session, reason: ArchiveReason): Promise<void> {
    const result = await deps.archive(session.id, reason);
    if (!result.ok) return sayText(who, lang, 'error.generic', { error: result.error });
    activeSession(state, who.userId); // the next most recent live session becomes active
    await sayText(who, lang, reason === 'killed' ? 'session.killed' : 'session.archived', { name: session.name });
  }

  // ---- /archive: the list (archive-view.ts), Restore, Delete, Inspect ----

  /** Archive messages of this run, by `chat:message`, with what they show: their buttons edit them in place. */
  const archiveMessages = new Map<string, { page: number; all: boolean }>();

  /** The archive page: the pressed archive message edited, or a new message (a command, another message's button). */
  async function showArchive(who: Accepted, lang: Lang, page: number, all: boolean, messageId?: number, note?: string): Promise<void> {
    const now = (deps.now ?? Date.now)();
    const view = archiveView(archivedSessions(Object.values(state.sessions), who.userId, { all, now }), page, all, lang, now, note);
    const shown = { page: view.page, all };
    if (messageId !== undefined && archiveMessages.has(`${who.chatId}:${messageId}`)) {
      const edited = await telegram.edit(who.chatId, messageId, view.text, { replyMarkup: view.keyboard });
      if (edited.ok) return void archiveMessages.set(`${who.chatId}:${messageId}`, shown);
    }
    const hasButtons = view.keyboard.inline_keyboard.length > 0;
    const before = telegram.keyboardMessage(who.chatId);
    await say(who, lang, view.text, hasButtons ? { keyboard: view.keyboard } : {});
    const sent = telegram.keyboardMessage(who.chatId);
    if (!hasButtons || sent === undefined || sent === before) return; // not sent: nothing of ours to page
    archiveMessages.set(`${who.chatId}:${sent}`, shown);
    for (const old of [...archiveMessages.keys()].slice(0, Math.max(0, archiveMessages.size - 50))) archiveMessages.delete(old);
  }

  /** The person's session behind an archive button; a deleted one (or a forged id) gets "unknown session". */
  async function sessionOfButton(who: Accepted, lang: Lang, id: string): Promise<Session | undefined> {
    const session = state.sessions[id];
    if (session && session.ownerUserId === who.userId) return session;
    await sayText(who, lang, 'session.unknown', { name: id });
    return undefined;
  }

  /**
   * Restore: a window in the original workdir resuming the same Claude conversation. Refused while an old
   * `claude --resume <id>` still runs (a window killed at the desk leaves one): two writers would corrupt it.
   */
  async function restore(who: Accepted, lang: Lang, id: string): Promise<void> {
    const session = await sessionOfButton(who, lang, id);
    if (!session) return;
    if (session.status === 'active') return sayText(who, lang, 'archive.alreadyRunning', { name: session.name }, { session });
    const isDir = await stat(session.workdir).then((s) => s.isDirectory(), () => false);
    if (!isDir) return sayText(who, lang, 'archive.workdirGone', { name: session.name, dir: session.workdir });
    if (session.claudeSessionId) {
      const pids = await deps.findProcesses(session.claudeSessionId);
      if (pids.length > 0) {
        const keyboard = { inline_keyboard: [[button(`🔪 ${t(lang, 'btn.killProcess')}`, { t: 'killProcess', id: session.id })]] };
        return sayText(who, lang, 'archive.stillRunning', { name: session.name, pids: pids.join(' ') }, { keyboard });
      }
    }
    const started = await deps.start({ workdir: session.workdir, userId: who.userId, chatId: who.chatId, resume: session });
    if (!started.ok) return sayText(who, lang, 'error.generic', { error: started.error });
    const key: TextKey = started.session.claudeSessionId ? 'archive.restored' : 'archive.restoredFresh';
    await sayText(who, lang, key, { name: started.session.name, dir: session.workdir }, { session: started.session });
  }

  /** The Kill button under a refused Restore: ends the old process, then offers Restore again. */
  async function killLeftover(who: Accepted, lang: Lang, id: string): Promise<void> {
    const session = await sessionOfButton(who, lang, id);
    if (!session) return;
    // Once restored, the process resuming this id is the live session's own Claude: never kill it from here.
    if (session.status === 'active') return sayText(who, lang, 'archive.alreadyRunning', { name: session.name }, { session });
    const again = { inline_keyboard: [[button(`♻️ ${t(lang, 'btn.restore')}`, { t: 'restore', id: session.id })]] };
    const claudeId = session.claudeSessionId;
    const killed = claudeId ? await deps.killProcesses(claudeId) : 0;
    const left = claudeId ? await deps.findProcesses(claudeId) : [];
    if (left.length > 0) return sayText(who, lang, 'archive.processSurvived', { name: session.name, pids: left.join(' ') });
    await sayText(who, lang, killed > 0 ? 'archive.processKilled' : 'archive.nothingToKill', { name: session.name }, { keyboard: again });
  }

  /** Delete: forgets the record only. The workdir and Claude's transcript are the person's and stay. */
  async function deleteArchived(who: Accepted, lang: Lang, id: string, messageId?: number): Promise<void> {
    const session = await sessionOfButton(who, lang, id);
    if (!session) return;
    if (session.status === 'active') return sayText(who, lang, 'archive.deleteLive', { name: session.name }, { session });
    delete state.sessions[session.id];
    deps.save();
    const shown = messageId === undefined ? undefined : archiveMessages.get(`${who.chatId}:${messageId}`);
    await showArchive(who, lang, shown?.page ?? 0, shown?.all ?? false, messageId, t(lang, 'archive.deleted', { name: session.name }));
  }

  /** Inspect: the last prompt and answer, as a message without buttons so the archive above keeps its own. */
  async function inspect(who: Accepted, lang: Lang, id: string): Promise<void> {
    const session = await sessionOfButton(who, lang, id);
    if (!session) return;
    const aside = async (html: string) => void (await telegram.send(who.chatId, html));
    if (!session.claudeSessionId) return aside(escapeHtml(t(lang, 'inspect.noConversation', { name: session.name })));
    const read = await readLastExchange(deps.claudeConfigDir, session.workdir, session.claudeSessionId);
    if (read.ok) return aside(inspectText(session, read, lang));
    if (read.missing) return aside(escapeHtml(t(lang, 'inspect.noTranscript', { name: session.name, path: read.path })));
    return aside(escapeHtml(t(lang, 'error.generic', { error: read.error })));
  }

  async function sendToSession(who: Accepted, lang: Lang, message: Message, text: string, session: Session | undefined): Promise<void> {
    if (!session || session.status !== 'active') {
      // No live session: keep the text, open the browser; it goes to the session started from there.
      const user = (state.users[String(who.userId)] ??= { activeSessionId: null });
      user.waitingText = { text, messageId: message.message_id };
      deps.save();
      return openBrowser(who, lang, lastDir(who) ?? deps.home);
    }
    remember(who.userId, message.message_id, session.id);
    deps.delivery.enqueue({ sessionId: session.id, chatId: who.chatId, userId: who.userId, messageId: message.message_id, text });
  }

  async function onMessage(who: Accepted, lang: Lang, message: Message): Promise<void> {
    const text = message.text ?? message.caption ?? '';
    const command = parseCommand(text);
    if (command && OWN_COMMANDS.has(command.name)) {
      switch (command.name) {
        case 'start':
        case 'help':
          return sayText(who, lang, 'help');
        case 'new':
          return newSession(who, lang, command.arg);
        case 'menu':
        case 'list':
          return listSessions(who, lang);
        case 'stop': {
          const session = await target(who, lang, '');
          if (session?.windowId) await deps.press(session.windowId, ['Escape']);
          return;
        }
        case 'kill': {
          const session = await target(who, lang, command.arg);
          if (session) await sayText(who, lang, 'kill.confirm', { name: session.name }, { keyboard: killConfirmKeyboard(session.id, lang), session });
          return;
        }
        case 'done': {
          const session = await target(who, lang, command.arg);
          if (session) await end(who, lang, session, 'done');
          return;
        }
        case 'archive':
          return showArchive(who, lang, 0, command.arg.toLowerCase() === 'all');
      }
    }
    if (!text.trim()) return;
    const quoted = message.reply_to_message ? sessionOfMessage(who.userId, message.reply_to_message.message_id) : undefined;
    // A reply to a session's message goes to that session and leaves the active one alone.
    await sendToSession(who, lang, message, text, quoted?.status === 'active' ? quoted : activeSession(state, who.userId));
  }

  async function onButton(who: Accepted, lang: Lang, query: { id: string; data?: string; message?: { message_id: number } }): Promise<void> {
    const action = query.data ? decodeAction(query.data) : null;
    await telegram.answerCallback(query.id);
    if (!action) return;
    switch (action.t) {
      case 'switch': {
        const session = state.sessions[action.id];
        if (!session || session.status !== 'active' || session.ownerUserId !== who.userId) return sayText(who, lang, 'session.unknown', { name: action.id });
        setActive(state, who.userId, session.id);
        deps.save();
        const html = await preview(session, lang, deps.claudeConfigDir);
        // The message whose button was tapped becomes the preview, keeping the (updated) switcher.
        if (query.message && (await telegram.edit(who.chatId, query.message.message_id, html, { replyMarkup: switcher(who, lang) })).ok) {
          remember(who.userId, query.message.message_id, session.id);
          return;
        }
        return say(who, lang, html, { session });
      }
      case 'new':
        return openBrowser(who, lang, lastDir(who) ?? deps.home);
      case 'browse':
      case 'browseUp':
      case 'browsePage':
      case 'browseStart':
        return onBrowserButton(who, lang, action, query.message?.message_id);
      case 'killYes': {
        const session = state.sessions[action.id];
        if (!session || session.status === 'archived') return sayText(who, lang, 'session.alreadyArchived', { name: session?.name ?? action.id });
        return end(who, lang, session, 'killed');
      }
      case 'killNo':
        if (query.message) await telegram.stripKeyboard(who.chatId, query.message.message_id);
        return;
      case 'resend':
        if (!deps.delivery.resend(action.ref)) await sayText(who, lang, 'delivery.resendGone');
        return;
      case 'archivePage':
        return showArchive(who, lang, action.page, action.all, query.message?.message_id);
      case 'restore':
        return restore(who, lang, action.id);
      case 'killProcess':
        return killLeftover(who, lang, action.id);
      case 'delete':
        return deleteArchived(who, lang, action.id, query.message?.message_id);
      case 'inspect':
        return inspect(who, lang, action.id);
      default:
        log.debug('button not handled yet', { action: action.t });
    }
  }

  return async (update, who) => {
    const lang: Lang = langFromCode(who.languageCode);
    const user = (state.users[String(who.userId)] ??= { activeSessionId: null });
    user.lang = lang; // for messages that are not answers to an update (delivery notices)
    if (who.kind === 'callback_query') return onButton(who, lang, (update as { callback_query: { id: string; data?: string; message?: { message_id: number } } }).callback_query);
    if (who.kind === 'edited_message') return; // an edit of a sent prompt cannot be un-typed
    return onMessage(who, lang, (update as { message: Message }).message);
  };
}

/** The short card shown when switching to a session. */
async function preview(session: Session, lang: Lang, claudeConfigDir: string): Promise<string> {
  const lines = [
    `<b>${escapeHtml(session.name)}</b> · ${escapeHtml(t(lang, `status.${session.status}` as TextKey))}`,
    `<code>${escapeHtml(session.workdir)}</code>`,
  ];
  if (session.claudeSessionId) {
    const read = await readLastExchange(claudeConfigDir, session.workdir, session.claudeSessionId);
    if (read.ok && read.prompt) lines.push('', `❯ ${escapeHtml(clip(read.prompt, 200))}`);
    if (read.ok && read.answer) lines.push(escapeHtml(clip(read.answer.split('\n').slice(0, 4).join('\n'), 500)));
  }
  return lines.join('\n');
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** What the person is told about a message of theirs that did not go straight through. */
export function deliveryNotice(item: PendingText, why: 'picker' | 'unconfirmed' | 'gone', state: State): { html: string; keyboard?: InlineKeyboardMarkup } {
  const stored = state.users[String(item.userId)]?.lang;
  const lang: Lang = stored === 'ru' || stored === 'zh' ? stored : 'en';
  const name = state.sessions[item.sessionId]?.name ?? item.sessionId;
  const key: TextKey = why === 'picker' ? 'delivery.picker' : why === 'unconfirmed' ? 'delivery.unconfirmed' : 'delivery.gone';
  const html = escapeHtml(t(lang, key, { name }));
  return why === 'unconfirmed' ? { html, keyboard: resendKeyboard(item.ref, lang) } : { html };
}
