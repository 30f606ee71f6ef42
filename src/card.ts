/**
 * The live card of a session: one bot message, edited in place, saying what Claude is doing (state, context fill,
 * the last tool lines). The model and its rendering are pure; CardPublisher sends and edits it, at most about one
 * edit a second per chat, and recreates a card someone deleted once.
 */
import type { InlineKeyboardMarkup } from 'node-telegram-bot-api';
import { clip, escapeHtml } from './format.js';
import { t, type Lang } from './i18n.js';
import { logger } from './log.js';
import type { EditResult, SendResult } from './telegram.js';
import { toolLine, type TranscriptEvent } from './transcript.js';

const log = logger('card');

export type CardState = 'working' | 'waiting' | 'idle';

export interface ToolLine {
  toolUseId: string;
  line: string;
  outcome?: string;
  isError?: boolean;
}

/** Plain JSON: saved in monitor_state.json, so a restarted daemon edits the same message. */
export interface CardModel {
  sessionId: string;
  sessionName: string;
  /** The uuid of the prompt that began the turn: each turn has its own card message. */
  turn: string;
  state: CardState;
  model: string;
  contextTokens: number;
  toolLines: ToolLine[];
  /** The latest assistant text of this turn, shown clipped under the tool lines. */
  lastText: string;
  /** Texts since the last tool activity of this turn: the final answer once the turn ends. */
  answer: string[];
  /** The card's message, null until sent (and for a new turn: each turn's card sits under its prompt). */
  messageId: number | null;
  /** The uuid of the turn end whose answer was handed out, so a repeated turn end sends nothing. */
  answeredAt: string | null;
  /** The question of a menu Claude waits on. */
  waitingFor: string | null;
}

export type CardEffect = { kind: 'answer'; text: string; key: string };

export const TOOL_LINES_SHOWN = 5;
const LINE_CHARS = 200;
const TEXT_CHARS = 600;

/** Models with a 1M-token context window. Claude Code marks them in the id (`…[1m]`, `…-1m`). */
export const MILLION_TOKEN_MODELS = new Set<string>();

export function contextWindow(model: string): number {
  return MILLION_TOKEN_MODELS.has(model) || /\[1m\]$|-1m$/i.test(model) ? 1_000_000 : 200_000;
}

export function contextPercent(card: CardModel): number {
  return card.contextTokens > 0 ? Math.min(100, Math.round((card.contextTokens / contextWindow(card.model)) * 100)) : 0;
}

export function newCard(sessionId: string, sessionName: string): CardModel {
  return {
    sessionId, sessionName, turn: '', state: 'idle', model: '', contextTokens: 0, toolLines: [], lastText: '', answer: [],
    messageId: null, answeredAt: null, waitingFor: null,
  };
}

/** The card after one event, and what it asks to be sent (the final answer, once per turn). */
export function applyEvent(card: CardModel, event: TranscriptEvent): { card: CardModel; effects: CardEffect[] } {
  switch (event.kind) {
    case 'prompt':
      // A new turn: a new card message under the prompt; the last one stays as it was.
      if (card.turn === event.uuid) return { card, effects: [] };
      return { card: { ...card, turn: event.uuid, state: 'working', toolLines: [], lastText: '', answer: [], messageId: null, waitingFor: null }, effects: [] };
    case 'text':
      return { card: { ...card, state: working(card), lastText: event.text, answer: [...card.answer, event.text] }, effects: [] };
    case 'thinking':
      return { card: { ...card, state: working(card) }, effects: [] };
    case 'toolCall': {
      if (card.toolLines.some((l) => l.toolUseId === event.toolUseId)) return { card, effects: [] };
      const toolLines = [...card.toolLines, { toolUseId: event.toolUseId, line: toolLine(event) }].slice(-TOOL_LINES_SHOWN);
      return { card: { ...card, state: working(card), toolLines, answer: [] }, effects: [] };
    }
    case 'toolResult': {
      const known = card.toolLines.some((l) => l.toolUseId === event.toolUseId);
      const done = { outcome: event.outcome, isError: event.isError };
      const toolLines = known
        ? card.toolLines.map((l) => (l.toolUseId === event.toolUseId ? { ...l, ...done } : l))
        : [...card.toolLines, { toolUseId: event.toolUseId, line: toolLine(event), ...done }].slice(-TOOL_LINES_SHOWN);
      return { card: { ...card, state: working(card), toolLines, answer: [], waitingFor: null }, effects: [] };
    }
    case 'usage':
      return { card: { ...card, model: event.model || card.model, contextTokens: event.contextTokens }, effects: [] };
    case 'turnEnd': {
      const text = card.answer.join('\n\n').trim();
      const ended = { ...card, state: 'idle' as const, answer: [], waitingFor: null };
      if (!text || card.answeredAt === event.uuid) return { card: ended, effects: [] };
      return { card: { ...ended, answeredAt: event.uuid }, effects: [{ kind: 'answer', text, key: `answer:${event.uuid}` }] };
    }
    case 'commandOutput':
      return { card: { ...card, lastText: event.text }, effects: [] };
    case 'apiError': {
      // Claude Code gives up on the turn after an API error and writes no turn end: the turn is over, and what it
      // said before the error still reaches the person.
      const text = card.answer.join('\n\n').trim();
      const ended = { ...card, state: 'idle' as const, lastText: `⚠ ${event.text}`, answer: [], waitingFor: null };
      if (!text || card.answeredAt === event.uuid) return { card: ended, effects: [] };
      return { card: { ...ended, answeredAt: event.uuid }, effects: [{ kind: 'answer', text, key: `answer:${event.uuid}` }] };
    }
  }
}

const working = (card: CardModel): CardState => (card.state === 'waiting' ? 'waiting' : 'working');

/** Claude waits on a menu (question) or no longer does (null). */
export function setWaiting(card: CardModel, question: string | null): CardModel {
  if (question === null) return { ...card, waitingFor: null, state: card.state === 'waiting' ? 'working' : card.state };
  return { ...card, waitingFor: question, state: 'waiting' };
}

const STATE_MARK: Record<CardState, string> = { working: '⏳', waiting: '❓', idle: '✅' };

/** Telegram HTML, always valid and well under 4096 characters whatever the tool lines hold. */
export function renderCard(card: CardModel, lang: Lang): string {
  const head = [`<b>${escapeHtml(clip(card.sessionName, 60))}</b>`, `${STATE_MARK[card.state]} ${escapeHtml(t(lang, `card.${card.state}`))}`];
  const percent = contextPercent(card);
  if (percent > 0) head.push(escapeHtml(t(lang, 'card.context', { percent })));
  const lines = [head.join(' · ')];
  if (card.waitingFor) lines.push(`❓ ${escapeHtml(clip(card.waitingFor, LINE_CHARS))}`);
  for (const tool of card.toolLines) {
    const mark = tool.outcome === undefined ? '…' : tool.isError ? '✗' : '✓';
    const outcome = tool.outcome ? ` → ${tool.outcome}` : '';
    lines.push(`${mark} ${escapeHtml(clip(oneLine(tool.line), LINE_CHARS))}${escapeHtml(clip(outcome, 80))}`);
  }
  if (card.lastText && card.state !== 'idle') lines.push('', `<i>${escapeHtml(clip(card.lastText.trim(), TEXT_CHARS))}</i>`);
  return lines.join('\n');
}

/** The wait before the next edit of a chat's cards: none after a quiet spell, else the rest of the interval. */
export function editDelay(lastEditAt: number | undefined, now: number, intervalMs = 1_000): number {
  return lastEditAt === undefined ? 0 : Math.max(0, lastEditAt + intervalMs - now);
}

// ── publishing ──────────────────────────────────────────────────────────────────────────────────────────────────

export interface PublisherDeps {
  /** Sends a new card, which carries the chat's buttons as the newest message. */
  send: (chatId: number, html: string, options: { silent?: boolean }) => Promise<SendResult>;
  edit: (
    chatId: number, messageId: number, html: string, options: { replyMarkup?: InlineKeyboardMarkup },
  ) => Promise<EditResult>;
  /** The keyboard an edited card keeps: the chat's buttons while it is the newest message. */
  keyboardFor?: (chatId: number, messageId: number) => InlineKeyboardMarkup | undefined;
  now: () => number;
  setTimer: (fn: () => void, ms: number) => unknown;
  clearTimer: (handle: unknown) => void;
  /** The card of `sessionId`'s turn now lives in `messageId` (null: none): persist it, so a restart edits it. */
  onCardMessage: (sessionId: string, turn: string, messageId: number | null) => void;
  intervalMs?: number;
}

interface Slot {
  chatId: number;
  sessionId: string;
  turn: string;
  html: string;
  messageId: number | null;
  /** The html the message shows, so an unchanged card is not edited again. */
  shownHtml?: string;
  recreated: boolean;
  /** Deleted again after being recreated: the person does not want it; this turn shows no card. */
  abandoned?: boolean;
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
      // A new turn has a new card; the last one stays as it was.
      this.slots.set(key, { chatId, sessionId: card.sessionId, turn: card.turn, html, messageId: card.messageId, recreated: false });
    } else {
      slot.html = html;
      if (slot.messageId === null && card.messageId !== null && !slot.recreated) slot.messageId = card.messageId;
    }
    this.dirty.add(key);
    this.schedule(chatId);
  }

  private schedule(chatId: number): void {
    if (this.timers.has(chatId) || this.busy.has(chatId)) return;
    const delay = editDelay(this.lastEditAt.get(chatId), this.deps.now(), this.deps.intervalMs);
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
    if (slot.abandoned) return;
    const html = slot.html;
    if (slot.messageId !== null && slot.shownHtml === html) return;
    this.lastEditAt.set(chatId, this.deps.now());
    if (slot.messageId === null) return this.create(slot, html);
    const replyMarkup = this.deps.keyboardFor?.(chatId, slot.messageId);
    const edited = await this.deps.edit(chatId, slot.messageId, html, replyMarkup ? { replyMarkup } : {});
    if (edited.ok) {
      slot.shownHtml = html;
      return;
    }
    if (edited.kind !== 'gone') return void this.dirty.add(key); // a network failure: the next round tries again
    if (slot.recreated) {
      log.warn('the card was deleted again: not recreated', { chat_id: chatId, session: slot.sessionId });
      slot.abandoned = true;
      this.deps.onCardMessage(slot.sessionId, slot.turn, null);
      return;
    }
    slot.recreated = true;
    slot.messageId = null;
    return this.create(slot, html);
  }

  private async create(slot: Slot, html: string): Promise<void> {
    const sent = await this.deps.send(slot.chatId, html, { silent: true });
    if (!sent.ok) return void this.dirty.add(`${slot.chatId}:${slot.sessionId}`);
    slot.messageId = sent.messageIds.at(-1)!;
    slot.shownHtml = html;
    this.deps.onCardMessage(slot.sessionId, slot.turn, slot.messageId);
  }

  /** Whether this turn's card of the session is shown or on its way. */
  hasCard(chatId: number, card: CardModel): boolean {
    const slot = this.slots.get(`${chatId}:${card.sessionId}`);
    return card.messageId !== null || (slot !== undefined && slot.turn === card.turn);
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

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
