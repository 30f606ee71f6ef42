/** Commands, free text, files, replies and button presses from the allowed person → the screen that handles them. Text
 * goes to a session through the delivery; everything else is a screen's (files, sessions, browser, archive, settings,
 * history, screenshot, menus, modes), each in its own file; a voice note goes to onVoice. It reads no transcript or
 * pane. */
import type { Message, Update } from 'node-telegram-bot-api';
import { createArchiveScreen } from './archive-screen.js';
import { createBrowserScreen } from './browser-screen.js';
import type { Accepted, Chat } from './chat.js';
import type { Delivery } from './delivery.js';
import type { DeskConversation } from './desk.js';
import type { Download } from './download.js';
import type { TurnChanges } from './git-changes.js';
import { createFilesScreen, mediaOf } from './files-screen.js';
import { createHistoryScreen } from './history-screen.js';
import type { Lang } from './i18n.js';
import { decodeAction, type Action } from './keyboards.js';
import { createMenuScreen, type ShownMenu } from './menu-screen.js';
import { createModeScreen } from './mode-screen.js';
import type { Mode } from './modes.js';
import { createScreenshotScreen } from './screenshot-screen.js';
import { createResumeScreen } from './resume-screen.js';
import { createSessionScreen } from './session-screen.js';
import type { ArchiveReason, Session, Sessions, StartRequest } from './sessions.js';
import { createSettingsScreen } from './settings-screen.js';
import type { Telegram } from './telegram.js';
import type { Key } from './tmux.js';
import type { Users } from './users.js';
import { fail } from './values.cjs';

interface RouterDeps {
  telegram: Telegram;
  sessions: Sessions;
  users: Users;
  chat: Chat;
  delivery: Pick<Delivery, 'enqueue' | 'resend' | 'knows' | 'holdGroup'>;
  /** Fetches a file the person sent (download.ts; the daemon holds the token the file URL needs). */
  download: Download;
  /** A voice note (voice-screen.ts); `asText` routes its transcript like typed text. */
  onVoice: (who: Accepted, lang: Lang, message: Message, asText: (text: string) => Promise<void>) => Promise<unknown>;
  home: string;
  start: (request: StartRequest) => ReturnType<Sessions['start']>;
  archive: (id: string, reason: ArchiveReason) => ReturnType<Sessions['archive']>;
  press: (windowId: string, keys: Key[]) => Promise<unknown>;
  /** The pane's text (tmux capture-pane; with `colour`, its SGR escapes too), null when the window is gone. */
  capture: (windowId: string, colour?: boolean) => Promise<string | null>;
  /** Pids still running `claude --resume <id>`, and ending them (procs.ts). */
  findProcesses: (claudeSessionId: string) => Promise<number[]>;
  killProcesses: (claudeSessionId: string) => Promise<number>;
  /** CCBOT_IDLE_HOURS: the idle sweep's hours for a person who chose none in /settings. */
  defaultIdleHours: number;
  /** The permission mode CLAUDE_FLAGS start Claude in, for a person who chose none in /settings. */
  defaultMode?: Mode;
  /** Where a session's transcript is (transcript-reader.ts findTranscript), for /history, Inspect, previews. */
  transcriptOf: (session: Session) => Promise<string | null>;
  /** /resume's list: the machine's Claude conversations with their marks (desk.ts). */
  desk: () => Promise<DeskConversation[]>;
  menuOf?: (sessionId: string) => ShownMenu | undefined;
  /** A turn's diff as a .patch (git-changes.ts), for its answer's 📄. */
  patch?: (sessionId: string, turn: number) => ReturnType<TurnChanges['patch']>;
  /** The tripwire's Allow once / Deny (approvals.ts). */
  trip?: (who: Accepted, lang: Lang, id: string, allow: boolean, messageId?: number) => Promise<unknown>;
  now?: () => number;
  /** Masks secrets (redact.ts) in what does not pass through Telegram as text: the screenshot picture. */
  mask?: (text: string) => string;
}

type Query = { id: string; data?: string; message?: { message_id: number } };
type On<T extends Action['t']> =
  (who: Accepted, lang: Lang, action: Extract<Action, { t: T }>, messageId?: number) => unknown;

/** A command at the very start of a message: `/name`, `/name@bot`, and the rest as its argument. */
function parseCommand(text: string): { name: string; arg: string } | null {
  const match = /^\/([A-Za-z0-9_]{1,32})(?:@[A-Za-z0-9_]+)?(?:\s+([\s\S]*))?$/.exec(text.trim());
  return match ? { name: match[1]!.toLowerCase(), arg: (match[2] ?? '').trim() } : null;
}

export function createRouter(deps: RouterDeps): (update: Update, who: Accepted) => Promise<void> {
  const { telegram, sessions, users, chat, delivery } = deps;
  const now = deps.now ?? Date.now;
  const browser = createBrowserScreen({ ...deps, receive: (...args) => files.receive(...args) });
  const archive = createArchiveScreen({ ...deps, now });
  const screenshot = createScreenshotScreen({ ...deps });
  const history = createHistoryScreen({ ...deps });
  const settings = createSettingsScreen({ ...deps });
  const modes = createModeScreen({ ...deps });
  const mine = createSessionScreen({ ...deps });
  const menu = createMenuScreen({ ...deps, showScreenshot: screenshot.show, confirmKill: mine.confirmKill });
  const files = createFilesScreen({ ...deps, now, hold: (who, lang, held) => browser.hold(who, lang, held) });
  const resume = createResumeScreen({ ...deps, now, switchTo: (who, lang, id) => mine.switchTo(who, lang, id) });

  /** Commands ccbot answers itself; any other /command goes to Claude verbatim (/compact, /model, /clear, /cost…). */
  const commands: Record<string, (who: Accepted, lang: Lang, arg: string) => unknown> = {
    start: (who, lang) => chat.sayText(who, lang, 'help'),
    help: (who, lang) => chat.sayText(who, lang, 'help'),
    new: (who, lang, arg) => browser.newSession(who, lang, arg),
    menu: (who, lang) => mine.list(who, lang),
    list: (who, lang) => mine.list(who, lang),
    stop: (who, lang) => mine.stop(who, lang),
    kill: async (who, lang, arg) => mine.confirmKill(who, lang, await mine.target(who, lang, arg)),
    done: (who, lang, arg) => mine.done(who, lang, arg),
    archive: (who, lang, arg) => archive.show(who, lang, 0, arg.toLowerCase() === 'all'),
    settings: (who, lang) => settings.show(who, lang),
    mode: (who, lang) => modes.show(who, lang),
    rename: (who, lang, arg) => mine.rename(who, lang, arg),
    screenshot: (who, lang) => screenshot.show(who, lang),
    history: (who, lang) => history.show(who, lang),
    resume: (who, lang) => resume.show(who, lang),
  };
  const buttons: { [T in Action['t']]?: On<T> } = {
    switch: (who, lang, a, m) => mine.switchTo(who, lang, a.id, m),
    new: (who, lang) => browser.open(who, lang),
    browse: (who, lang, a, m) => browser.onButton(who, lang, a, m),
    browseUp: (who, lang, a, m) => browser.onButton(who, lang, a, m),
    browsePage: (who, lang, a, m) => browser.onButton(who, lang, a, m),
    browseStart: (who, lang, a, m) => browser.onButton(who, lang, a, m),
    killYes: (who, lang, a) => mine.kill(who, lang, a.id),
    killNo: (who, _lang, _a, m) => m !== undefined && telegram.stripKeyboard(who.chatId, m),
    resend: async (who, lang, a) => delivery.resend(a.ref) || (await chat.sayText(who, lang, 'delivery.resendGone')),
    archivePage: (who, lang, a, m) => archive.show(who, lang, a.page, a.all, m),
    restore: (who, lang, a) => archive.restore(who, lang, a.id),
    killProcess: (who, lang, a) => archive.killLeftover(who, lang, a.id),
    delete: (who, lang, a, m) => archive.remove(who, lang, a.id, m),
    inspect: (who, lang, a) => archive.inspect(who, lang, a.id),
    settings: (who, _lang, a, m) => settings.onButton(who, a.key, a.value, m),
    mode: (who, lang, a, m) => modes.onButton(who, lang, a.id, a.mode, m),
    pick: (who, lang, a, m) => menu.pick(who, lang, a.id, a.option, m),
    pickCancel: (who, lang, a, m) => menu.cancel(who, lang, a.id, m),
    amend: (who, lang, a, m) => menu.amend(who, lang, a.id, m),
    stall: (who, lang, a, m) => menu.stall(who, lang, a.id, a.what, m),
    history: (who, lang, a, m) => history.show(who, lang, a.id, a.page, m),
    key: (who, lang, a, m) => screenshot.onKey(who, lang, a.id, a.key, m),
    refresh: (who, lang, a, m) => screenshot.onKey(who, lang, a.id, null, m),
    screenText: (who, lang, a) => screenshot.text(who, lang, a.id),
    trip: (who, lang, a, m) => deps.trip?.(who, lang, a.id, a.allow, m),
    patch: (who, lang, a) => sendPatch(who, lang, a.id, a.turn),
    desk: (who, lang, a) => resume.open(who, lang, a.ref),
    deskPage: (who, lang, a, m) => resume.show(who, lang, a.page, m),
  };

  /** A turn's diff as a document; one no longer kept (or that fails) is said so. */
  async function sendPatch(who: Accepted, lang: Lang, id: string, turn: number): Promise<void> {
    const session = await chat.sessionOf(who, lang, id);
    const made = session && ((await deps.patch?.(id, turn)) ?? fail('forgotten', 'not kept'));
    const name = `${session?.name.replace(/[^\w.-]+/g, '_')}-${turn}.patch`;
    const sent = made?.ok ? await telegram.sendDocument(who.chatId, name, made.text) : made;
    const key = sent?.ok === false && sent.kind === 'forgotten' ? 'patch.gone' : 'patch.failed';
    if (sent?.ok === false) await chat.sayText(who, lang, key, { error: sent.error });
  }

  /** Where a message goes: a reply to a session's message goes there, else to the active one; none: it waits. */
  function targetOf(who: Accepted, message: Message): Readonly<Session> | undefined {
    const quoted = message.reply_to_message && users.sessionOfMessage(who.userId, message.reply_to_message.message_id);
    const session = quoted?.status === 'active' ? quoted : users.activeSession(who.userId);
    return session?.status === 'active' ? session : undefined;
  }

  /** Text for a session (targetOf); with none live it waits for the one the person starts from the browser. */
  async function onText(who: Accepted, lang: Lang, message: Message, text: string): Promise<void> {
    const session = targetOf(who, message);
    if (!session) return browser.hold(who, lang, { text, messageId: message.message_id, key: who.updateId });
    users.rememberMessage(who.userId, message.message_id, session.id);
    // The answer to a menu's "Type something": typed into its open field (delivery waits for it), not as a prompt.
    const menuAnswer = users.takeAnswerTo(who.userId, session.id) || undefined;
    sessions.recordInput(session.id, now());
    const { chatId, userId, updateId: key } = who;
    delivery.enqueue({ sessionId: session.id, chatId, userId, messageId: message.message_id, text, key, menuAnswer });
  }

  return async (update, who) => {
    const lang = users.seenLang(who.userId, who.languageCode);
    if (who.kind === 'callback_query') {
      const query = (update as { callback_query: Query }).callback_query;
      const action = query.data ? decodeAction(query.data) : null;
      await telegram.answerCallback(query.id);
      const on = action && (buttons[action.t] as On<typeof action.t> | undefined);
      if (on) await on(who, lang, action, query.message?.message_id);
      return;
    }
    if (who.kind === 'edited_message') return; // an edit of a sent prompt cannot be un-typed
    const message = (update as { message: Message }).message;
    if (message.voice) {
      const asText = (text: string) => onText(who, lang, message, text);
      return void (await deps.onVoice(who, lang, message, asText));
    }
    const media = mediaOf(message);
    if (media === 'unsupported') return void (await chat.sayText(who, lang, 'files.unsupported'));
    if (media) return files.onMedia(who, lang, message, media, targetOf(who, message));
    const text = message.text ?? '';
    const command = parseCommand(text);
    const own = command && Object.hasOwn(commands, command.name) ? commands[command.name] : undefined;
    if (own && command) return void (await own(who, lang, command.arg));
    if (text.trim()) await onText(who, lang, message, text);
  };
}
