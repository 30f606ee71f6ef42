/** Transcript events → the chat: the active session's card and answers, background sessions' notices and badges, and
 * from a working session's pane, a menu waiting on the person as buttons and the hint for a turn that stalled. */
import type { InlineKeyboardMarkup } from 'node-telegram-bot-api';
import { applyEvent, CardPublisher, newCard, renderCard, setWaiting, type CardModel } from './card.js';
import { clip, escapeHtml, firstLine, renderMarkdown, splitHtml } from './format.js';
import type { TurnChanges } from './git-changes.js';
import { t, type Lang } from './i18n.js';
import { pickerKeyboard, stallKeyboard } from './keyboards.js';
import { logger } from './log.cjs';
import { menuMessage, type ShownMenu } from './menu-screen.js';
import { markSent, type Follow } from './monitor.js';
import type { Session } from './sessions.js';
import type { NoticeKind, Settings } from './settings.js';
import type { SendResult, Telegram } from './telegram.js';
import { menuKey, readPane, type Picker } from './terminal.js';
import type { TranscriptEvent } from './transcript.js';
import type { Users } from './users.js';
import { isObject } from './values.cjs';

const log = logger('output');

/** A working session whose transcript has been quiet this long gets its pane read for a menu. */
const MENU_CHECK_QUIET_MS = 1_500;
/** An idle one, this long after the person typed: a local command's menu (/model) opens with no turn under way. */
const LOCAL_MENU_MS = 30_000;
const MENU_CHECK_EVERY_MS = 500;
/** Tools whose call means Claude now waits on a menu. */
const ASKING_TOOLS = new Set(['AskUserQuestion', 'ExitPlanMode']);

/** Working, finished since the person last looked (✅, not ✓: ✓ marks the active session), needs them. */
type Badge = '⏳' | '✅' | '❓';
type Note = NonNullable<Awaited<ReturnType<TurnChanges['see']>>>;

interface OutputDeps {
  /** The active session (it gets the card), and reply-quotes: replies to an answer go to its session. */
  users: Pick<Users, 'activeSession' | 'rememberMessage'>;
  telegram: Pick<Telegram, 'send' | 'sendNewest' | 'isNewest' | 'edit' | 'stripKeyboard' | 'sendDocument'>;
  /** The chat's session buttons, which the newest bot message carries. */
  switcher: (userId: number, lang: Lang) => InlineKeyboardMarkup;
  capture: (windowId: string) => Promise<string | null>;
  settingsOf: (userId: number) => Settings;
  langOf: (userId: number) => Lang;
  /** Persists monitor_state.json at once (after a visible message went out, so a crash does not repeat it). */
  save: () => void;
  stallMs: number;
  changes?: Pick<TurnChanges, 'see'>; // what a turn changed in git: its answer says so, with the 📄 button
  hostPrefix?: string; // CCBOT_HOST_LABEL's (chat.ts): which server a notice comes from
  now?: () => number;
}

export class LiveOutput {
  private readonly badges = new Map<string, Badge>();
  /** The menu each session waits on, as shown in the chat, and the tool call it was shown for. */
  private readonly menus = new Map<string, ShownMenu & { call: string }>();
  private readonly stalled = new Set<string>();
  private readonly menuCheckedAt = new Map<string, number>();
  private readonly publisher: CardPublisher;
  private readonly now: () => number;
  /** Follows by session id: the card a sent card message or an answered menu changes. */
  private readonly follows = new Map<string, Follow>();

  constructor(private readonly deps: OutputDeps) {
    this.now = deps.now ?? Date.now;
    this.publisher = new CardPublisher({
      telegram: deps.telegram,
      switcher: (chatId) => deps.switcher(chatId, deps.langOf(chatId)), // a private chat's id is its person's id
      now: this.now,
      setTimer: (fn, ms) => setTimeout(fn, ms),
      clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
      onCardMessage: (chatId, sessionId, turn, messageId) => {
        const follow = this.follows.get(sessionId);
        if (follow?.card?.turn === turn) {
          follow.card = { ...follow.card, messageId };
          deps.save();
        }
        if (messageId !== null) deps.users.rememberMessage(chatId, messageId, sessionId);
      },
    });
  }

  readonly badge = (sessionId: string): Badge | undefined => this.badges.get(sessionId);

  private isActive(session: Session): boolean {
    return this.deps.users.activeSession(session.ownerUserId)?.id === session.id;
  }

  /** Shows events; false when something visible was not delivered: the monitor retries them later. */
  async deliver(session: Session, follow: Follow, events: TranscriptEvent[]): Promise<boolean> {
    this.follows.set(session.id, follow);
    let card: CardModel = { ...(follow.card ?? newCard(session.id, session.name)), sessionName: session.name };
    const active = this.isActive(session);
    const chatId = session.ownerUserId; // a private chat's id is its person's id
    for (const event of events) {
      const change = await this.deps.changes?.see(session, event, this.deps.langOf(chatId));
      const { card: next, answer } = applyEvent(card, event);
      card = next;
      this.setBadge(session, card, active); // before a notice goes out: its switcher shows the new badge
      // A background session's answer cut short by an API error: the error notice below says it all.
      if (answer && (active || event.kind !== 'apiError')) {
        if (active && card.toolLines.length > 0 && !this.publisher.hasCard(chatId, card)) {
          // The tools this turn ran go above its answer: the card first (a turn of plain text needs none).
          this.showCard(session, card);
          await this.publisher.flush();
        }
        const ok = active
          ? await this.sendAnswer(session, follow, answer.key, answer.text, false, change ?? undefined)
          : await this.notice(session, follow, 'done', answer.key, firstLine(answer.text));
        if (!ok) return false;
      }
      if (event.kind === 'apiError') {
        const ok = await this.notice(session, follow, 'error', `error:${event.uuid}`, event.text, active);
        if (!ok) return false;
      }
      if (event.kind === 'prompt') this.stalled.delete(session.id);
      // What a local command printed (/context's table, /model's choice) is its answer: nothing else brings it.
      if (event.kind === 'commandOutput' && event.text && active) {
        const html = event.text.includes('\n') ? `<pre>${escapeHtml(event.text)}</pre>` // /model: "Set model to `Opus`"
          : escapeHtml(event.text).replace(/`([^`\n]+)`/g, '<code>$1</code>');
        if (!(await this.sendAnswer(session, follow, `command:${event.uuid}`, html, true))) return false;
      }
    }
    // The card's message may have been sent while this ran: keep its id (same turn) in what is saved.
    const latest = follow.card;
    if (latest?.turn === card.turn && card.messageId === null) card = { ...card, messageId: latest.messageId };
    follow.card = card;
    // A turn that ended within this batch without a card needs none: its answer says it all.
    if (active && (card.state !== 'idle' || this.publisher.hasCard(chatId, card))) this.showCard(session, card);
    return true;
  }

  private showCard(session: Session, card: CardModel): void {
    const userId = session.ownerUserId;
    this.publisher.show(userId, card, renderCard(card, this.deps.langOf(userId), session.mode));
  }

  /** A background session's badge: its state, and "finished" until the person looks at it. */
  private setBadge(session: Session, card: CardModel, active: boolean): void {
    const finished = this.badges.has(session.id) ? '✅' : undefined;
    const badge = active ? undefined : ({ waiting: '❓', working: '⏳', idle: finished } as const)[card.state];
    if (badge) this.badges.set(session.id, badge);
    else this.badges.delete(session.id);
  }

  /** The final answer (Markdown, or HTML already), formatted and split, as new messages; each part is sent once. */
  private async sendAnswer(session: Session, follow: Follow, key: string, text: string, isHtml = false, change?: Note) {
    const { html, documents } = isHtml ? { html: text, documents: [] } : renderMarkdown(text);
    const parts = splitHtml(change ? `${html}\n\n${change.html}` : html);
    for (const [i, part] of parts.entries()) {
      const send = () => this.send(session, part, i === parts.length - 1, change?.keep);
      if (!(await this.sendOnce(session, follow, `${key}#${i}`, 'answer', send))) return false;
    }
    for (const { filename, content } of documents) {
      const send = () => this.deps.telegram.sendDocument(session.ownerUserId, filename, content);
      if (!(await this.sendOnce(session, follow, `${key}:${filename}`, 'document', send))) return false;
    }
    return true;
  }

  /** One short message about a background session (or an error in the active one), if the person wants it. */
  private async notice(
    session: Session, follow: Follow, kind: NoticeKind, key: string, detail: string, force = false,
  ): Promise<boolean> {
    if (!force && !this.deps.settingsOf(session.ownerUserId).notify[kind]) return true;
    const text = t(this.deps.langOf(session.ownerUserId), `notice.${kind}`, { detail: clip(detail, 300) });
    const html = `${escapeHtml(this.deps.hostPrefix ?? '')}<b>${escapeHtml(session.name)}</b>: ${escapeHtml(text)}`;
    return this.sendOnce(session, follow, key, kind, () => this.send(session, html, true));
  }

  /** The visible message `key`, unless it went out before; saved at once when it does. False: try again later. A
   * refused message (Telegram said no for good) is logged and skipped: retrying it forever would block the rest.
   * One whose request may have reached Telegram (`uncertain`) is tried once more, then counted as sent: it may show
   * twice, never zero times, and never holds up what comes after it for good. */
  private async sendOnce(
    session: Session, follow: Follow, key: string, what: string, send: () => Promise<SendResult>,
  ): Promise<boolean> {
    if (follow.sent.includes(key)) return true;
    const sent = await send();
    const fields = { session: session.id, what, ...(sent.ok ? {} : { kind: sent.kind, error: sent.error }) };
    const again = !sent.ok && sent.kind === 'uncertain' && follow.sent.includes(`?${key}`);
    if (sent.ok) for (const id of sent.messageIds) this.deps.users.rememberMessage(session.ownerUserId, id, session.id);
    else if (sent.kind === 'rejected' || sent.kind === 'gone') log.error('Telegram refused a message: skipped', fields);
    else if (again) log.warn('uncertain again: counted as sent (it may show twice)', fields);
    else {
      if (sent.kind === 'uncertain') markSent(follow, `?${key}`); // saved with the batch that failed (monitor.ts)
      log.warn('not delivered yet: will retry', fields);
      return false;
    }
    markSent(follow, key);
    this.deps.save();
    return true;
  }

  /** Sends to the session's owner; with the switcher it becomes the newest message, taking it from the one before. */
  private send(session: Session, html: string, withSwitcher: boolean, keep?: InlineKeyboardMarkup) {
    const userId = session.ownerUserId;
    if (!withSwitcher) return this.deps.telegram.send(userId, html);
    const replyMarkup = this.deps.switcher(userId, this.deps.langOf(userId));
    return this.deps.telegram.sendNewest(userId, html, { replyMarkup, keep });
  }

  /** Called every pass for a followed session, events or not: pane checks, the stall hint. */
  async idle(session: Session, follow: Follow): Promise<void> {
    this.follows.set(session.id, follow);
    if (this.isActive(session)) this.badges.delete(session.id); // looked at: nothing to flag
    const now = this.now();
    const idle = (follow.card?.state ?? 'idle') === 'idle';
    const typedLately = now - session.lastActivityAt < LOCAL_MENU_MS || this.menus.has(session.id);
    if (!session.windowId || (idle && !typedLately)) return this.menuGone(session);
    const quiet = now - follow.grewAt;
    const asking = Object.values(follow.pending).some((call) => ASKING_TOOLS.has(call.name));
    if (!asking && quiet < MENU_CHECK_QUIET_MS && !this.menus.has(session.id)) return;
    if (now - (this.menuCheckedAt.get(session.id) ?? 0) < MENU_CHECK_EVERY_MS) return;
    this.menuCheckedAt.set(session.id, now);
    const pane = await this.deps.capture(session.windowId);
    const read = pane === null ? null : readPane(pane);
    if (read?.kind === 'picker' || read?.kind === 'trust') await this.menuShown(session, follow, read.picker);
    else await this.menuGone(session);
    if (read?.kind === 'busy' && !idle && quiet >= this.deps.stallMs) await this.stallHint(session, follow);
  }

  /** Whether the pane shows Claude at work or a menu waiting on the person. */
  async isPaneBusy(session: Session): Promise<boolean> {
    const pane = session.windowId ? await this.deps.capture(session.windowId) : null;
    return pane !== null && ['busy', 'picker', 'trust'].includes(readPane(pane).kind);
  }

  /** Claude waits on a menu: what it asks and its options as buttons (once per dialog and tool call: the same prompt
   * about the next command is a new one), the card says so. A permission prompt or a plan to approve holds Claude up,
   * so it reaches the person whatever their notices; ExitPlanMode's call holds the plan. */
  private async menuShown(session: Session, follow: Follow, picker: Picker): Promise<void> {
    // A local command's menu (/model) comes with no turn: the card stays idle, and no tool call asks.
    const turn = follow.card && follow.card.state !== 'idle' ? follow.card : null;
    const [callId = '', call] = (turn ? Object.entries(follow.pending).at(-1) : undefined) ?? [];
    const [key, shown] = [menuKey(picker), this.menus.get(session.id)];
    if (shown?.key === key && shown.call === callId) return;
    if (shown) await this.menuGone(session);
    const approval = call !== undefined && call.name !== 'AskUserQuestion';
    if (turn) follow.card = setWaiting(turn, picker.question);
    if (this.isActive(session)) {
      if (turn) this.showCard(session, follow.card!);
    } else {
      this.badges.set(session.id, '❓');
      if (!approval && !this.deps.settingsOf(session.ownerUserId).notify.input) return;
    }
    const lang = this.deps.langOf(session.ownerUserId);
    const plan = isObject(call?.input) && typeof call.input.plan === 'string' ? call.input.plan : undefined;
    const html = menuMessage(session.name, picker, lang, { approval, ...(plan ? { plan } : {}) });
    const replyMarkup = pickerKeyboard(session.id, picker.options, lang, /Tab to amend/i.test(picker.footer ?? ''));
    const sent = await this.deps.telegram.send(session.ownerUserId, html, { replyMarkup });
    if (!sent.ok) return; // shown on the next pass
    for (const id of sent.messageIds) this.deps.users.rememberMessage(session.ownerUserId, id, session.id);
    const messageId = sent.messageIds.at(-1)!;
    this.menus.set(session.id, { key, call: callId, messageId, html: splitHtml(html).at(-1)! });
  }

  /** The menu was answered (here or at the desk): its buttons go. */
  private async menuGone(session: Session): Promise<void> {
    const shown = this.menus.get(session.id);
    if (!shown) return;
    this.menus.delete(session.id);
    await this.deps.telegram.stripKeyboard(session.ownerUserId, shown.messageId);
    const follow = this.follows.get(session.id);
    if (follow?.card?.state === 'waiting') follow.card = setWaiting(follow.card, null);
  }

  /** The menu shown for a session, for the router to check a pressed option against. */
  readonly menuOf = (sessionId: string): ShownMenu | undefined => this.menus.get(sessionId);

  private async stallHint(session: Session, follow: Follow): Promise<void> {
    if (this.stalled.has(session.id)) return;
    this.stalled.add(session.id);
    const lang = this.deps.langOf(session.ownerUserId);
    const minutes = Math.round((this.now() - follow.grewAt) / 60_000);
    const html = `<b>${escapeHtml(session.name)}</b>: ${escapeHtml(t(lang, 'stall.hint', { minutes }))}`;
    const replyMarkup = stallKeyboard(session.id, lang);
    const sent = await this.deps.telegram.send(session.ownerUserId, html, { replyMarkup });
    if (sent.ok) for (const id of sent.messageIds) this.deps.users.rememberMessage(session.ownerUserId, id, session.id);
    else this.stalled.delete(session.id);
  }

  /** The session ended (the monitor no longer follows it): nothing of it is kept. */
  forget(sessionId: string): void {
    for (const map of [this.badges, this.menus, this.stalled, this.menuCheckedAt, this.follows]) map.delete(sessionId);
    this.publisher.forget(sessionId);
  }

  /** How many sessions each per-session map holds, for the monitor's debug line: none may outgrow the live ones. */
  tracked(): Record<string, number> {
    const { badges, menus, stalled, menuCheckedAt, follows } = this;
    return { badges: badges.size, menus: menus.size, stalled: stalled.size, menuChecks: menuCheckedAt.size,
      outputFollows: follows.size, cards: this.publisher.size };
  }

  /** Everything scheduled is sent (shutdown, tests). */
  flush(): Promise<void> {
    return this.publisher.flush();
  }
}
