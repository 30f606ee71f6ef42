/** The live card of a session: one bot message, edited in place, saying what Claude is doing. The model and its
 * rendering are pure; CardPublisher sends and edits it, about one edit a second per chat, and recreates it once. */
import type { InlineKeyboardMarkup } from 'node-telegram-bot-api';
import { clip, escapeHtml } from './format.js';
import { t, type Lang } from './i18n.js';
import { logger } from './log.cjs';
import { modeTag, type Mode } from './modes.js';
import type { Telegram } from './telegram.js';
import { toolLine, type TranscriptEvent } from './transcript.js';

const log = logger('card');

type CardState = 'working' | 'waiting' | 'idle';

/** Plain JSON: saved in monitor_state.json, so a restarted daemon edits the same message. */
export interface CardModel {
  sessionId: string;
  sessionName: string;
  turn: string; // the uuid of the prompt that began the turn: each turn has its own card message
  state: CardState;
  model: string;
  contextTokens: number;
  toolLines: { toolUseId: string; line: string; outcome?: string; isError?: boolean }[];
  lastText: string; // the latest assistant text of this turn, shown clipped under the tool lines
  answer: string[]; // texts since the last tool activity of this turn: the final answer once the turn ends
  /** The card's message, null until sent (and for a new turn: each turn's card sits under its prompt). */
  messageId: number | null;
  answeredAt: string | null; // the uuid of the turn end whose answer went out: a repeated one sends nothing
  waitingFor: string | null; // the question of a menu Claude waits on
}

const TOOL_LINES_SHOWN = 5;
const LINE_CHARS = 200;
const TEXT_CHARS = 600;

export const newCard = (sessionId: string, sessionName: string): CardModel => ({
  sessionId, sessionName, turn: '', state: 'idle', model: '', contextTokens: 0, toolLines: [], lastText: '',
  answer: [], messageId: null, answeredAt: null, waitingFor: null,
});

/** The card after one event, and the final answer to send when the event ends the turn (once per turn). */
export function applyEvent(
  card: CardModel, event: TranscriptEvent,
): { card: CardModel; answer?: { text: string; key: string } } {
  const state = card.state === 'waiting' ? 'waiting' : 'working';
  switch (event.kind) {
    case 'prompt': {
      // A new turn: a new card message under the prompt; the last one stays as it was.
      if (card.turn === event.uuid) return { card };
      const turn = { turn: event.uuid, state: 'working' as const, messageId: null, waitingFor: null };
      return { card: { ...card, ...turn, toolLines: [], lastText: '', answer: [] } };
    }
    case 'text':
      return { card: { ...card, state, lastText: event.text, answer: [...card.answer, event.text] } };
    case 'thinking':
      return { card: { ...card, state } };
    case 'title':
      return { card };
    case 'toolCall':
    case 'toolResult': {
      const known = card.toolLines.some((l) => l.toolUseId === event.toolUseId);
      if (known && event.kind === 'toolCall') return { card };
      const done = event.kind === 'toolResult' ? { outcome: event.outcome, isError: event.isError } : {};
      const toolLines = known
        ? card.toolLines.map((l) => (l.toolUseId === event.toolUseId ? { ...l, ...done } : l))
        : [...card.toolLines, { toolUseId: event.toolUseId, line: toolLine(event), ...done }].slice(-TOOL_LINES_SHOWN);
      const waitingFor = event.kind === 'toolResult' ? null : card.waitingFor;
      return { card: { ...card, state, toolLines, answer: [], waitingFor } };
    }
    case 'usage':
      return { card: { ...card, model: event.model || card.model, contextTokens: event.contextTokens } };
    case 'commandOutput': {
      // A local command (/context, /model, /compact, `!ls`) writes no turn end: its output ends the turn its command
      // began, unless Claude is at work in it already.
      const done = card.state === 'working' && card.toolLines.length === 0 && card.answer.length === 0;
      return { card: { ...card, lastText: event.text, ...(done ? { state: 'idle' as const } : {}) } };
    }
    case 'turnEnd':
    case 'apiError': {
      // Claude Code gives up on the turn after an API error and writes no turn end: the turn is over, and what it
      // said before the error still reaches the person.
      const text = card.answer.join('\n\n').trim();
      const lastText = event.kind === 'apiError' ? `⚠ ${event.text}` : card.lastText;
      const ended = { ...card, state: 'idle' as const, lastText, answer: [], waitingFor: null };
      if (!text || card.answeredAt === event.uuid) return { card: ended };
      return { card: { ...ended, answeredAt: event.uuid }, answer: { text, key: `answer:${event.uuid}` } };
    }
  }
}

/** Claude waits on a menu (question) or no longer does (null). */
export const setWaiting = (card: CardModel, question: string | null): CardModel =>
  ({ ...card, waitingFor: question, state: question === null ? 'working' : 'waiting' });

const STATE_MARK: Record<CardState, string> = { working: '⏳', waiting: '❓', idle: '✅' };

/** Telegram HTML, always valid and well under 4096 characters whatever the tool lines hold. `mode`: the session's
 * permission mode, named when it is not bypass. */
export function renderCard(card: CardModel, lang: Lang, mode?: Mode): string {
  const name = `<b>${escapeHtml(clip(card.sessionName, 60))}</b>`;
  const head = [name, `${STATE_MARK[card.state]} ${escapeHtml(t(lang, `card.${card.state}`))}`];
  const tag = modeTag(mode);
  if (tag) head.push(escapeHtml(tag));
  // Claude Code marks the models with a 1M-token context window in the id (`…[1m]`, `…-1m`).
  const window = /\[1m\]$|-1m$/i.test(card.model) ? 1_000_000 : 200_000;
  const percent = Math.min(100, Math.round((card.contextTokens / window) * 100));
  if (percent > 0) head.push(escapeHtml(t(lang, 'card.context', { percent })));
  const lines = [head.join(' · ')];
  if (card.waitingFor) lines.push(`❓ ${escapeHtml(clip(card.waitingFor, LINE_CHARS))}`);
  for (const tool of card.toolLines) {
    const mark = tool.outcome === undefined ? '…' : tool.isError ? '✗' : '✓';
    const outcome = tool.outcome ? ` → ${tool.outcome}` : '';
    const line = tool.line.replace(/\s+/g, ' ').trim();
    lines.push(`${mark} ${escapeHtml(clip(line, LINE_CHARS))}${escapeHtml(clip(outcome, 80))}`);
  }
  if (card.lastText && card.state !== 'idle') {
    lines.push('', `<i>${escapeHtml(clip(card.lastText.trim(), TEXT_CHARS))}</i>`);
  }
  return lines.join('\n');
}

interface PublisherDeps {
  telegram: Pick<Telegram, 'sendNewest' | 'edit' | 'isNewest'>;
  /** The chat's buttons: a new card carries them as the newest message; an edit keeps them while it still is. */
  switcher: (chatId: number) => InlineKeyboardMarkup;
  /** The card of `sessionId`'s turn now lives in `messageId` (null: none): persist it, so a restart edits it. */
  onCardMessage: (chatId: number, sessionId: string, turn: string, messageId: number | null) => void;
  now: () => number;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
  intervalMs?: number;
}

interface Slot {
  chatId: number;
  sessionId: string;
  turn: string;
  html: string;
  messageId: number | null;
  shownHtml?: string; // the html the message shows, so an unchanged card is not edited again
  /** How often the person deleted it: once, it is sent again; twice, they do not want it and this turn has none
   * (also set when Telegram refused it for good). */
  deleted: number;
}

/** Sends and edits cards: the newest html per session wins; about one request a second per chat. */
export class CardPublisher {
  private readonly slots = new Map<string, Slot>();
  private readonly dirty = new Set<string>();
  private readonly lastEditAt = new Map<number, number>();
  private readonly timers = new Map<number, unknown>();
  private readonly busy = new Map<number, Promise<void>>();

  constructor(private readonly deps: PublisherDeps) {}

  /** Shows `card` rendered as `html`: a new message when it has none, an edit otherwise. */
  show(chatId: number, card: CardModel, html: string): void {
    const key = `${chatId}:${card.sessionId}`;
    const slot = this.slots.get(key);
    if (!slot || slot.turn !== card.turn) {
      const { sessionId, turn, messageId } = card;
      this.slots.set(key, { chatId, sessionId, turn, html, messageId, deleted: 0 });
    } else {
      slot.html = html;
      if (slot.messageId === null && card.messageId !== null && slot.deleted === 0) slot.messageId = card.messageId;
    }
    this.dirty.add(key);
    this.schedule(chatId);
  }

  /** The next request of the chat: at once after a quiet spell, else once the interval since the last one is over. */
  private schedule(chatId: number): void {
    if (this.timers.has(chatId) || this.busy.has(chatId)) return;
    const last = this.lastEditAt.get(chatId);
    const delay = last === undefined ? 0 : Math.max(0, last + (this.deps.intervalMs ?? 1_000) - this.deps.now());
    const run = () => {
      this.timers.delete(chatId);
      const work = this.publish(chatId).finally(() => {
        this.busy.delete(chatId);
        if ([...this.dirty].some((k) => this.slots.get(k)?.chatId === chatId)) this.schedule(chatId);
      });
      this.busy.set(chatId, work);
    };
    if (delay === 0) run();
    else this.timers.set(chatId, this.deps.setTimer(run, delay));
  }

  /** One request for one dirty card of the chat (the oldest dirty first). */
  private async publish(chatId: number): Promise<void> {
    const key = [...this.dirty].find((k) => this.slots.get(k)?.chatId === chatId);
    if (key === undefined) return;
    this.dirty.delete(key);
    const slot = this.slots.get(key)!;
    let html = slot.html;
    if (slot.deleted > 1 || (slot.messageId !== null && slot.shownHtml === html)) return;
    this.lastEditAt.set(chatId, this.deps.now());
    if (slot.messageId === null) return this.create(slot, html);
    const replyMarkup = this.deps.telegram.isNewest(chatId, slot.messageId) ? this.deps.switcher(chatId) : undefined;
    // An answer may go first: the edit, once its turn comes, shows the newest card, and no later edit repeats it.
    const newest = () => (this.slots.get(key) === slot && this.dirty.delete(key), (html = slot.html));
    const edited = await this.deps.telegram.edit(chatId, slot.messageId, newest, replyMarkup ? { replyMarkup } : {});
    if (edited.ok) slot.shownHtml = html;
    else if (edited.kind === 'rejected') this.giveUp(slot, edited.error);
    else if (edited.kind !== 'gone') this.retry(slot); // a network failure: the next round tries again
    else if (++slot.deleted > 1) {
      log.warn('the card was deleted again: not recreated', { chat_id: chatId, session: slot.sessionId });
      this.deps.onCardMessage(chatId, slot.sessionId, slot.turn, null);
    } else {
      slot.messageId = null;
      await this.create(slot, html);
    }
  }

  private async create(slot: Slot, html: string): Promise<void> {
    const replyMarkup = this.deps.switcher(slot.chatId);
    const sent = await this.deps.telegram.sendNewest(slot.chatId, html, { silent: true, replyMarkup });
    if (!sent.ok) return sent.kind === 'rejected' ? this.giveUp(slot, sent.error) : this.retry(slot);
    slot.messageId = sent.messageIds.at(-1)!;
    slot.shownHtml = html;
    this.deps.onCardMessage(slot.chatId, slot.sessionId, slot.turn, slot.messageId);
  }

  /** Again in the next round, unless the session ended meanwhile (forget). */
  private retry(slot: Slot): void {
    const key = `${slot.chatId}:${slot.sessionId}`;
    if (this.slots.get(key) === slot) this.dirty.add(key);
  }

  /** Telegram refused for good (a blocked bot, a chat gone): this turn's card is left as it is, never retried. */
  private giveUp(slot: Slot, error: string): void {
    const { chatId: chat_id, sessionId: session } = slot;
    log.warn('Telegram refused the card: given up for this turn', { chat_id, session, error });
    slot.deleted = 2;
  }

  /** The session ended: its cards are no longer shown or edited. */
  forget(sessionId: string): void {
    for (const [key, slot] of this.slots) {
      if (slot.sessionId !== sessionId) continue;
      this.slots.delete(key);
      this.dirty.delete(key);
    }
  }

  /** How many sessions' cards are kept (the monitor's debug line of what it tracks). */
  get size(): number {
    return this.slots.size;
  }

  /** Whether this turn's card of the session is shown or on its way. */
  hasCard(chatId: number, card: CardModel): boolean {
    return card.messageId !== null || this.slots.get(`${chatId}:${card.sessionId}`)?.turn === card.turn;
  }

  /** Resolves when nothing is scheduled or in flight (tests, shutdown). Timers are run now. */
  async flush(): Promise<void> {
    for (let round = 0; round < 100; round++) {
      for (const [chatId, handle] of this.timers) {
        this.deps.clearTimer(handle);
        this.timers.delete(chatId);
        this.lastEditAt.delete(chatId);
        this.schedule(chatId);
      }
      const work = [...this.busy.values()];
      if (work.length === 0 && this.timers.size === 0) return;
      await Promise.all(work);
    }
  }
}
