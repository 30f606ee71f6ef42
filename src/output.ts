/**
 * A session's transcript events → the chat. The session the person looks at has a live card and its answers as
 * new messages; background sessions send one short notice per state change (finished, error, needs you) and show
 * a badge in the switcher. Also watches the pane of a working session for a menu waiting on the person, and for
 * a turn that stopped moving (the stall hint).
 */
import type { InlineKeyboardMarkup } from 'node-telegram-bot-api';
import { applyEvent, CardPublisher, newCard, renderCard, setWaiting, type CardModel } from './card.js';
import { clip, escapeHtml, firstLine, renderMarkdown, splitHtml } from './format.js';
import { t, type Lang } from './i18n.js';
import { pickerKeyboard, stallKeyboard } from './keyboards.js';
import { logger } from './log.js';
import { markSent, type Follow, type Output } from './monitor.js';
import type { Session, Sessions } from './sessions.js';
import type { NoticeKind, Settings } from './settings.js';
import type { SendResult, Telegram } from './telegram.js';
import { readPane, type Picker } from './terminal.js';
import type { TranscriptEvent } from './transcript.js';
import type { Users } from './users.js';

const log = logger('output');

/** A working session whose transcript has been quiet this long gets its pane read for a menu. */
const MENU_CHECK_QUIET_MS = 1_500;
/** Tools whose call means Claude now waits on a menu. */
const ASKING_TOOLS = new Set(['AskUserQuestion', 'ExitPlanMode']);

/** Working, finished since the person last looked (✅, not ✓: ✓ marks the active session), needs them. */
export type Badge = '⏳' | '✅' | '❓';

export interface OutputDeps {
  sessions: Pick<Sessions, 'get'>;
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
  now?: () => number;
  publisher?: CardPublisher;
}

/** The menu a session waits on, as shown in the chat. */
interface ShownMenu {
  messageId: number;
  question: string;
  sessionId: string;
}

export class LiveOutput implements Output {
  private readonly badges = new Map<string, Badge>();
  private readonly menus = new Map<string, ShownMenu>();
  private readonly stalled = new Set<string>();
  private readonly menuCheckedAt = new Map<string, number>();
  readonly publisher: CardPublisher;
  private readonly now: () => number;
  /** Follows by session id, for onCardMessage. */
  private readonly follows = new Map<string, Follow>();

  constructor(private readonly deps: OutputDeps) {
    this.now = deps.now ?? Date.now;
    this.publisher =
      deps.publisher ??
      new CardPublisher({
        send: (chatId, html, options) =>
          deps.telegram.sendNewest(chatId, html, { ...options, replyMarkup: this.switcherOf(chatId) }),
        edit: (chatId, messageId, html, options) => deps.telegram.edit(chatId, messageId, html, options),
        keyboardFor: (chatId, messageId) =>
          (deps.telegram.isNewest(chatId, messageId) ? this.switcherOf(chatId) : undefined),
        now: this.now,
        setTimer: (fn, ms) => setTimeout(fn, ms),
        clearTimer: (handle) => clearTimeout(handle as NodeJS.Timeout),
        onCardMessage: (sessionId, turn, messageId) => {
          const follow = this.follows.get(sessionId);
          if (follow?.card?.turn === turn) {
            follow.card = { ...follow.card, messageId };
            deps.save();
          }
          if (messageId !== null) deps.users.rememberMessage(this.ownerOf(sessionId), messageId, sessionId);
        },
      });
  }

  badge(sessionId: string): Badge | undefined {
    return this.badges.get(sessionId);
  }

  private ownerOf(sessionId: string): number {
    return this.deps.sessions.get(sessionId)?.ownerUserId ?? 0;
  }

  private isActive(session: Session): boolean {
    return this.deps.users.activeSession(session.ownerUserId)?.id === session.id;
  }

  async deliver(session: Session, follow: Follow, events: TranscriptEvent[]): Promise<boolean> {
    this.follows.set(session.id, follow);
    let card: CardModel = follow.card ?? newCard(session.id, session.name);
    const active = this.isActive(session);
    const chatId = session.ownerUserId; // a private chat's id is its person's id
    for (const event of events) {
      const applied = applyEvent(card, event);
      card = applied.card;
      this.setBadge(session, card, active); // before a notice goes out: its switcher shows the new badge
      for (const effect of applied.effects) {
        if (effect.kind !== 'answer') continue;
        if (!active && event.kind === 'apiError') continue; // a background session's error notice below says it all
        if (active && card.toolLines.length > 0 && !this.publisher.hasCard(chatId, card)) {
          // The tools this turn ran go above its answer: the card first (a turn of plain text needs none).
          this.publisher.show(chatId, card, renderCard(card, this.deps.langOf(session.ownerUserId)));
          await this.publisher.flush();
        }
        const ok = active
          ? await this.sendAnswer(session, follow, effect.key, effect.text)
          : await this.notice(session, follow, 'done', effect.key, firstLine(effect.text));
        if (!ok) return false;
      }
      if (event.kind === 'apiError') {
        const ok = await this.notice(session, follow, 'error', `error:${event.uuid}`, event.text, active);
        if (!ok) return false;
      }
      if (event.kind === 'prompt') this.stalled.delete(session.id);
    }
    // The card's message may have been sent while this ran: keep its id (same turn) in what is saved.
    const latest = follow.card;
    const sameTurn = latest && latest.turn === card.turn && card.messageId === null;
    follow.card = sameTurn ? { ...card, messageId: latest.messageId } : card;
    card = follow.card;
    this.setBadge(session, card, active);
    // A turn that ended within this batch without a card needs none: its answer says it all.
    const needed = card.state !== 'idle' || this.publisher.hasCard(chatId, card);
    if (active && needed) this.publisher.show(chatId, card, renderCard(card, this.deps.langOf(session.ownerUserId)));
    return true;
  }

  private setBadge(session: Session, card: CardModel, active: boolean): void {
    const badge = active ? undefined : badgeOf(card, this.badges.get(session.id));
    if (badge) this.badges.set(session.id, badge);
    else this.badges.delete(session.id);
  }

  /** The final answer, formatted and split, as new messages (the phone notifies); each part is sent once. */
  private async sendAnswer(session: Session, follow: Follow, key: string, text: string): Promise<boolean> {
    const rendered = renderMarkdown(text);
    const parts = splitHtml(rendered.html);
    for (const [i, part] of parts.entries()) {
      const partKey = `${key}#${i}`;
      if (follow.sent.includes(partKey)) continue;
      const last = i === parts.length - 1;
      const sent = await this.send(session, part, last);
      if (!this.delivered(sent, session, 'answer')) return false;
      markSent(follow, partKey);
      this.deps.save();
    }
    for (const doc of rendered.documents) {
      const docKey = `${key}:${doc.filename}`;
      if (follow.sent.includes(docKey)) continue;
      const sent = await this.deps.telegram.sendDocument(session.ownerUserId, doc.filename, doc.content);
      if (!this.delivered(sent, session, 'document')) return false;
      markSent(follow, docKey);
      this.deps.save();
    }
    return true;
  }

  /** One short message about a background session (or an error in the active one), if the person wants it. */
  private async notice(
    session: Session, follow: Follow, kind: NoticeKind, key: string, detail: string, force = false,
  ): Promise<boolean> {
    if (follow.sent.includes(key)) return true;
    if (!force && !this.deps.settingsOf(session.ownerUserId).notify[kind]) return true;
    const lang = this.deps.langOf(session.ownerUserId);
    const text = t(lang, `notice.${kind}`, { detail: clip(detail, 300) });
    const html = `<b>${escapeHtml(session.name)}</b>: ${escapeHtml(text)}`;
    const sent = await this.send(session, html, true);
    if (!this.delivered(sent, session, kind)) return false;
    markSent(follow, key);
    this.deps.save();
    return true;
  }

  /** The switcher of a person's chat (a private chat's id is its person's id). */
  private switcherOf(userId: number): InlineKeyboardMarkup {
    return this.deps.switcher(userId, this.deps.langOf(userId));
  }

  /** Sends to the session's owner; with the switcher it becomes the newest message, taking it from the one before. */
  private send(session: Session, html: string, withSwitcher: boolean): Promise<SendResult> {
    const userId = session.ownerUserId;
    if (!withSwitcher) return this.deps.telegram.send(userId, html);
    return this.deps.telegram.sendNewest(userId, html, { replyMarkup: this.switcherOf(userId) });
  }

  /** A refused message (Telegram said no for good) is logged and skipped: retrying it forever would block the rest. */
  private delivered(sent: SendResult, session: Session, what: string): boolean {
    if (sent.ok) {
      for (const id of sent.messageIds) this.deps.users.rememberMessage(session.ownerUserId, id, session.id);
      return true;
    }
    if (sent.kind !== 'rejected' && sent.kind !== 'gone') {
      log.warn('not delivered yet: will retry', { session: session.id, what, kind: sent.kind, error: sent.error });
      return false;
    }
    log.error('Telegram refused a message: skipped', { session: session.id, what, error: sent.error });
    return true;
  }

  async idle(session: Session, follow: Follow): Promise<void> {
    this.follows.set(session.id, follow);
    if (this.isActive(session)) this.badges.delete(session.id); // looked at: nothing to flag
    const card = follow.card;
    if (!card || !session.windowId || (card.state !== 'working' && card.state !== 'waiting')) {
      await this.menuGone(session);
      return;
    }
    const now = this.now();
    const quiet = now - follow.grewAt;
    const asking = Object.values(follow.pending).some((call) => ASKING_TOOLS.has(call.name));
    const checkedAt = this.menuCheckedAt.get(session.id) ?? 0;
    if ((asking || quiet >= MENU_CHECK_QUIET_MS || this.menus.has(session.id)) && now - checkedAt >= 500) {
      this.menuCheckedAt.set(session.id, now);
      const pane = await this.deps.capture(session.windowId);
      const read = pane === null ? null : readPane(pane);
      if (read && (read.kind === 'picker' || read.kind === 'trust')) await this.menuShown(session, follow, read.picker);
      else await this.menuGone(session);
      if (read?.kind === 'busy' && quiet >= this.deps.stallMs) await this.stallHint(session, follow);
    }
  }

  /** Claude waits on a menu: the question and its options as buttons (once per question), the card says so. */
  private async menuShown(session: Session, follow: Follow, picker: Picker): Promise<void> {
    const shown = this.menus.get(session.id);
    if (shown?.question === picker.question) return;
    if (shown) await this.menuGone(session);
    const lang = this.deps.langOf(session.ownerUserId);
    const card = setWaiting(follow.card!, picker.question);
    follow.card = card;
    const active = this.isActive(session);
    if (!active) this.badges.set(session.id, '❓');
    if (active) this.publisher.show(session.ownerUserId, card, renderCard(card, lang));
    else if (!this.deps.settingsOf(session.ownerUserId).notify.input) return;
    const options = picker.options.map((o) => ({ number: o.number, label: o.label }));
    const keyboard: InlineKeyboardMarkup = pickerKeyboard(session.id, options, lang);
    const lines = [`<b>${escapeHtml(session.name)}</b> · ${escapeHtml(t(lang, 'picker.title'))}`];
    if (picker.title) lines.push(`<i>${escapeHtml(picker.title)}</i>`);
    lines.push('', escapeHtml(picker.question));
    for (const o of picker.options) {
      if (o.description) lines.push(`${o.number}. ${escapeHtml(o.label)} — ${escapeHtml(o.description)}`);
    }
    const sent = await this.deps.telegram.send(session.ownerUserId, lines.join('\n'), { replyMarkup: keyboard });
    if (!sent.ok) return; // shown on the next pass
    const messageId = sent.messageIds.at(-1)!;
    this.deps.users.rememberMessage(session.ownerUserId, messageId, session.id);
    this.menus.set(session.id, { messageId, question: picker.question, sessionId: session.id });
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

  /** The menu question shown for a session, for the router to check a pressed option against. */
  menuOf(sessionId: string): { question: string; messageId: number } | undefined {
    return this.menus.get(sessionId);
  }

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

  /** Everything scheduled is sent (shutdown, tests). */
  flush(): Promise<void> {
    return this.publisher.flush();
  }
}

/** A background session's badge: its state, and "finished" until the person looks at it. */
function badgeOf(card: CardModel, before: Badge | undefined): Badge | undefined {
  if (card.state === 'waiting') return '❓';
  if (card.state === 'working') return '⏳';
  return before ? '✅' : undefined;
}
