/**
 * Commands, free text, replies and button presses from the allowed person → actions. It decides what to do and
 * says so in the chat; tmux, state, delivery and Telegram do the work, and each screen (browser, archive, settings)
 * has its own file. It never follows transcripts (the monitor does); previews read the tail of one.
 */
import type { Message, Update } from 'node-telegram-bot-api';
import { createArchiveScreen } from './archive-screen.js';
import { createBrowserScreen } from './browser-screen.js';
import { createChat, type Accepted, type Chat } from './chat.js';
import type { Delivery } from './delivery.js';
import { clip, escapeHtml } from './format.js';
import { t, type Key as TextKey, type Lang } from './i18n.js';
import { decodeAction, killConfirmKeyboard, type StallChoice } from './keyboards.js';
import { logger } from './log.js';
import { pickOption } from './picker.js';
import type { ArchiveReason, Session, Sessions, StartRequest } from './sessions.js';
import { createHistoryScreen } from './history-screen.js';
import { createScreenshotScreen } from './screenshot-screen.js';
import { createSettingsScreen } from './settings-screen.js';
import type { Telegram } from './telegram.js';
import type { Users } from './users.js';
import type { Key } from './tmux.js';
import { readLastExchange } from './transcript-reader.js';

const log = logger('router');

export type { Accepted } from './chat.js';

/** Commands ccbot answers itself; any other /command goes to Claude verbatim (/compact, /model, /clear, /cost, …). */
const OWN_COMMANDS = new Set(['start', 'help', 'menu', 'new', 'list', 'stop', 'kill', 'done', 'archive', 'settings', 'screenshot', 'history']);

export interface RouterDeps {
  telegram: Telegram;
  sessions: Sessions;
  users: Users;
  delivery: Pick<Delivery, 'enqueue' | 'resend'>;
  home: string;
  start: (request: StartRequest) => ReturnType<Sessions['start']>;
  archive: (id: string, reason: ArchiveReason) => ReturnType<Sessions['archive']>;
  press: (windowId: string, keys: Key[]) => Promise<unknown>;
  /** The pane's text (tmux capture-pane), null when the window is gone. */
  capture: (windowId: string) => Promise<string | null>;
  /** Pids of processes still running `claude --resume <id>` (procs.ts findClaudeProcesses). */
  findProcesses: (claudeSessionId: string) => Promise<number[]>;
  /** Ends them; resolves with how many were signalled (procs.ts killOrphanClaudeProcesses). */
  killProcesses: (claudeSessionId: string) => Promise<number>;
  /** CCBOT_IDLE_HOURS: the idle sweep's hours for a person who chose none in /settings. */
  defaultIdleHours: number;
  /** Where a session's transcript is (transcript-reader.ts findTranscript), for /history, Inspect, previews. */
  transcriptOf: (session: Session) => Promise<string | null>;
  /** The chat's replies (with the switcher); made here when not given. */
  chat?: Chat;
  /** Types text into a window at once (an answer to a menu's free-text field, which delivery would wait out). */
  type?: (windowId: string, text: string) => Promise<unknown>;
  /** The menu question the chat shows for a session (output.ts), to check a pressed option against. */
  menuOf?: (sessionId: string) => { question: string; messageId: number } | undefined;
  now?: () => number;
}

/** A command at the very start of a message: `/name`, `/name@bot`, and the rest as its argument. */
export function parseCommand(text: string): { name: string; arg: string } | null {
  const match = /^\/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/.exec(text.trim());
  return match ? { name: match[1]!.toLowerCase(), arg: (match[2] ?? '').trim() } : null;
}

export function createRouter(deps: RouterDeps): (update: Update, who: Accepted) => Promise<void> {
  const { telegram, sessions, users } = deps;
  const now = deps.now ?? Date.now;
  const chat = deps.chat ?? createChat({ telegram, sessions, users });
  const { say, sayText } = chat;
  const browser = createBrowserScreen({ telegram, users, chat, delivery: deps.delivery, home: deps.home, start: deps.start });
  const archive = createArchiveScreen({
    telegram, sessions, chat, start: deps.start, findProcesses: deps.findProcesses, killProcesses: deps.killProcesses,
    transcriptOf: deps.transcriptOf, now,
  });
  const screenshot = createScreenshotScreen({ telegram, sessions, users, chat, capture: deps.capture, press: deps.press });
  const history = createHistoryScreen({ telegram, sessions, users, chat, transcriptOf: deps.transcriptOf });
  const settings = createSettingsScreen({ telegram, users, chat, defaultIdleHours: deps.defaultIdleHours });

  async function listSessions(who: Accepted, lang: Lang): Promise<void> {
    const mine = sessions.all().filter((s) => s.ownerUserId === who.userId).sort((a, b) => a.createdAt - b.createdAt);
    if (mine.length === 0) return void (await sayText(who, lang, 'session.none'));
    const active = users.activeSession(who.userId)?.id;
    const lines = mine.map((s) => {
      const mark = s.id === active ? '✓ ' : '';
      const when = new Date(s.lastActivityAt).toISOString().slice(0, 16).replace('T', ' ');
      return `${mark}<b>${escapeHtml(s.name)}</b> · ${escapeHtml(t(lang, `status.${s.status}` as TextKey))} · <code>${escapeHtml(s.workdir)}</code> · ${when}`;
    });
    await say(who, lang, lines.join('\n'));
  }

  /** The session a command names, or the active one; tells the person when there is none. */
  async function target(who: Accepted, lang: Lang, arg: string): Promise<Session | undefined> {
    const session = arg ? sessions.find(arg) : users.activeSession(who.userId);
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
    if (!result.ok) return void (await sayText(who, lang, 'error.generic', { error: result.error }));
    await sayText(who, lang, reason === 'killed' ? 'session.killed' : 'session.archived', { name: session.name });
  }

  async function sendToSession(who: Accepted, lang: Lang, message: Message, text: string, session: Session | undefined): Promise<void> {
    // No live session: keep the text, open the browser; it goes to the session started from there.
    if (!session || session.status !== 'active') return browser.holdText(who, lang, text, message.message_id);
    users.rememberMessage(who.userId, message.message_id, session.id);
    // The answer to a menu's "Type something": its text field is open now, and delivery waits for a free prompt.
    if (deps.type && session.windowId && users.takeAnswerTo(who.userId, session.id)) {
      return void (await deps.type(session.windowId, text));
    }
    sessions.recordInput(session.id, now());
    deps.delivery.enqueue({ sessionId: session.id, chatId: who.chatId, userId: who.userId, messageId: message.message_id, text });
  }

  async function onMessage(who: Accepted, lang: Lang, message: Message): Promise<void> {
    const text = message.text ?? message.caption ?? '';
    const command = parseCommand(text);
    if (command && OWN_COMMANDS.has(command.name)) {
      switch (command.name) {
        case 'start':
        case 'help':
          return void (await sayText(who, lang, 'help'));
        case 'new':
          return browser.newSession(who, lang, command.arg);
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
          return archive.show(who, lang, 0, command.arg.toLowerCase() === 'all');
        case 'settings':
          return settings.show(who, lang);
        case 'screenshot':
          return screenshot.show(who, lang);
        case 'history':
          return history.show(who, lang);
      }
    }
    if (!text.trim()) return;
    const quoted = message.reply_to_message ? users.sessionOfMessage(who.userId, message.reply_to_message.message_id) : undefined;
    // A reply to a session's message goes to that session and leaves the active one alone.
    await sendToSession(who, lang, message, text, quoted?.status === 'active' ? quoted : users.activeSession(who.userId));
  }

  async function onButton(who: Accepted, lang: Lang, query: { id: string; data?: string; message?: { message_id: number } }): Promise<void> {
    const action = query.data ? decodeAction(query.data) : null;
    await telegram.answerCallback(query.id);
    if (!action) return;
    const messageId = query.message?.message_id;
    switch (action.t) {
      case 'switch': {
        const session = sessions.get(action.id);
        if (!session || session.status !== 'active' || session.ownerUserId !== who.userId) return void (await sayText(who, lang, 'session.unknown', { name: action.id }));
        users.setActive(who.userId, session.id);
        const html = await preview(session, lang, await deps.transcriptOf(session));
        // The newest message, whose button was tapped, becomes the preview with the (updated) switcher; a button
        // of an older message gets a new one, so only the newest message has buttons.
        const newest = messageId !== undefined && telegram.isNewest(who.chatId, messageId);
        if (newest && (await telegram.edit(who.chatId, messageId, html, { replyMarkup: chat.switcher(who.userId, lang) })).ok) {
          users.rememberMessage(who.userId, messageId, session.id);
          return;
        }
        return void (await say(who, lang, html, { session }));
      }
      case 'new':
        return browser.open(who, lang);
      case 'browse':
      case 'browseUp':
      case 'browsePage':
      case 'browseStart':
        return browser.onButton(who, lang, action, messageId);
      case 'killYes': {
        const session = sessions.get(action.id);
        if (!session || session.status === 'archived') return void (await sayText(who, lang, 'session.alreadyArchived', { name: session?.name ?? action.id }));
        return end(who, lang, session, 'killed');
      }
      case 'killNo':
        if (messageId !== undefined) await telegram.stripKeyboard(who.chatId, messageId);
        return;
      case 'resend':
        if (!deps.delivery.resend(action.ref)) await sayText(who, lang, 'delivery.resendGone');
        return;
      case 'archivePage':
        return archive.show(who, lang, action.page, action.all, messageId);
      case 'restore':
        return archive.restore(who, lang, action.id);
      case 'killProcess':
        return archive.killLeftover(who, lang, action.id);
      case 'delete':
        return archive.remove(who, lang, action.id, messageId);
      case 'inspect':
        return archive.inspect(who, lang, action.id);
      case 'settings':
        return settings.onButton(who, action.key, action.value, messageId);
      case 'pick':
        return pick(who, lang, action.id, action.option, messageId);
      case 'pickCancel': {
        const session = await buttonSession(who, lang, action.id);
        if (messageId !== undefined) await telegram.stripKeyboard(who.chatId, messageId);
        if (session) await deps.press(session.windowId!, ['Escape']);
        return;
      }
      case 'stall':
        return onStall(who, lang, action.id, action.what, messageId);
      case 'history':
        return history.show(who, lang, action.id, action.page, messageId);
      case 'key':
        return screenshot.onKey(who, lang, action.id, action.key, messageId);
      case 'refresh':
        return screenshot.onKey(who, lang, action.id, null, messageId);
      default:
        log.debug('button not handled yet', { action: action.t });
    }
  }

  /** A live session of the person's, named by a button; otherwise they are told. */
  async function buttonSession(who: Accepted, lang: Lang, id: string): Promise<Session | undefined> {
    const session = sessions.get(id);
    if (session?.status === 'active' && session.windowId && session.ownerUserId === who.userId) return session;
    await sayText(who, lang, 'session.unknown', { name: session?.name ?? id });
    return undefined;
  }

  /** An option of a menu Claude shows: selected by reading the pane between key presses, then Enter. */
  async function pick(who: Accepted, lang: Lang, id: string, option: number, messageId?: number): Promise<void> {
    const session = await buttonSession(who, lang, id);
    if (!session) return;
    const menu = deps.menuOf?.(session.id);
    const outcome = await pickOption(session.windowId!, option, { capture: deps.capture, press: deps.press }, menu?.question);
    if (!outcome.ok) {
      if (outcome.kind === 'noMenu' && messageId !== undefined) await telegram.stripKeyboard(who.chatId, messageId);
      const key: TextKey = outcome.kind === 'noMenu' || outcome.kind === 'noOption' ? 'picker.stale' : 'picker.failed';
      return void (await sayText(who, lang, key, { why: outcome.kind }, { session }));
    }
    if (messageId !== undefined) await telegram.stripKeyboard(who.chatId, messageId);
    if (outcome.freeText) {
      users.setAnswerTo(who.userId, session.id);
      await sayText(who, lang, 'picker.typeNow', {}, { session });
    }
  }

  async function onStall(who: Accepted, lang: Lang, id: string, what: StallChoice, messageId?: number): Promise<void> {
    const session = await buttonSession(who, lang, id);
    if (!session) return;
    if (messageId !== undefined) await telegram.stripKeyboard(who.chatId, messageId);
    if (what === 'esc') return void (await deps.press(session.windowId!, ['Escape']));
    if (what === 'screenshot') return screenshot.show(who, lang, session);
    if (what === 'kill') return void (await sayText(who, lang, 'kill.confirm', { name: session.name }, { keyboard: killConfirmKeyboard(session.id, lang), session }));
    // Continue: interrupt the stuck step, then ask Claude to go on (typed once the prompt is back).
    await deps.press(session.windowId!, ['Escape']);
    deps.delivery.enqueue({ sessionId: session.id, chatId: who.chatId, userId: who.userId, messageId: messageId ?? 0, text: 'continue' });
    await sayText(who, lang, 'stall.continued', {}, { session });
  }

  return async (update, who) => {
    const lang = users.seenLang(who.userId, who.languageCode);
    if (who.kind === 'callback_query') return onButton(who, lang, (update as { callback_query: { id: string; data?: string; message?: { message_id: number } } }).callback_query);
    if (who.kind === 'edited_message') return; // an edit of a sent prompt cannot be un-typed
    return onMessage(who, lang, (update as { message: Message }).message);
  };
}

/** The short card shown when switching to a session. */
async function preview(session: Session, lang: Lang, transcript: string | null): Promise<string> {
  const lines = [
    `<b>${escapeHtml(session.name)}</b> · ${escapeHtml(t(lang, `status.${session.status}` as TextKey))}`,
    `<code>${escapeHtml(session.workdir)}</code>`,
  ];
  if (transcript) {
    const read = await readLastExchange(transcript);
    if (read.ok && read.prompt) lines.push('', `❯ ${escapeHtml(clip(read.prompt, 200))}`);
    if (read.ok && read.answer) lines.push(escapeHtml(clip(read.answer.split('\n').slice(0, 4).join('\n'), 500)));
  }
  return lines.join('\n');
}
