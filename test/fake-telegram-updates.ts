/**
 * The bot's update queue as the Bot API server keeps it (Client::do_get_updates): update ids, confirmation by offset,
 * allowed_updates, long polls that end as soon as an update arrives, and 409 Conflict for the older of two waiting
 * polls. No HTTP: a poll is answered through a callback.
 */
import type { CallbackQuery, Message, Update } from 'node-telegram-bot-api';
import { ApiError, CONFLICT } from './fake-telegram-rules.js';

export type UpdateKind = 'message' | 'edited_message' | 'callback_query';
export type PollAnswer = (outcome: Update[] | ApiError) => void;
export interface PollRequest { offset: number; limit: number; timeoutS: number; allowedUpdates?: string[] }

export class UpdateQueue {
  private updates: Update[] = [];
  private allowed: string[] = [];
  private nextId = 100_000;
  private waiting: { limit: number; answer: PollAnswer; timer: NodeJS.Timeout } | undefined;

  /** Queued and not yet confirmed by an offset. */
  get pending(): Update[] {
    return structuredClone(this.updates);
  }

  get isPolling(): boolean {
    return this.waiting !== undefined;
  }

  /** deleteWebhook with drop_pending_updates. */
  clear(): void {
    this.updates = [];
  }

  push(kind: UpdateKind, payload: Message | CallbackQuery): void {
    // The server keeps only the kinds the last allowed_updates asked for; the others are lost.
    if (this.allowed.length > 0 && !this.allowed.includes(kind)) return;
    const update = { update_id: this.nextId++, [kind]: payload } as unknown as Update;
    this.sent.set(update.update_id, update);
    this.enqueue(update);
  }

  /** An update handed out before comes again, same id and content: what the server does when the bot's offset never
   * confirmed it (a crash before the bot recorded it as handled). */
  redeliver(updateId: number): void {
    const update = this.sent.get(updateId);
    if (!update) throw new Error(`redeliver: no update ${updateId} was ever queued`);
    this.enqueue(structuredClone(update));
  }

  /** The id of the first update ever queued that `test` accepts. */
  idOf(test: (update: Update) => boolean): number | undefined {
    return [...this.sent.values()].find(test)?.update_id;
  }

  private readonly sent = new Map<number, Update>();

  private enqueue(update: Update): void {
    this.updates = [...this.updates.filter((u) => u.update_id !== update.update_id), update]
      .sort((a, b) => a.update_id - b.update_id);
    if (this.waiting) this.answerWaiting(this.updates.slice(0, this.waiting.limit));
  }

  /**
   * getUpdates: an offset confirms (drops for good) every update below it, a negative one keeps only the last -offset.
   * With nothing to return and a timeout the poll waits; a newer waiting poll ends the older with 409. Answers through
   * `answer`, now or later; the returned function withdraws a waiting poll and says whether it was still waiting.
   */
  getUpdates(request: PollRequest, answer: PollAnswer): () => boolean {
    if (request.allowedUpdates) this.allowed = request.allowedUpdates;
    const { offset } = request;
    if (offset < 0) this.updates = this.updates.slice(offset);
    // An offset past the tail confirms nothing: the server falls back to the queue's head.
    else if (offset > 0 && offset <= this.nextId) this.updates = this.updates.filter((u) => u.update_id >= offset);

    if (this.updates.length > 0 || request.timeoutS === 0) {
      answer(this.updates.slice(0, request.limit));
      return () => false;
    }
    this.answerWaiting(new ApiError(409, CONFLICT));
    const timer = setTimeout(() => this.answerWaiting([]), request.timeoutS * 1000);
    const waiting = { limit: request.limit, answer, timer };
    this.waiting = waiting;
    return () => {
      if (this.waiting !== waiting) return false;
      clearTimeout(waiting.timer);
      this.waiting = undefined;
      return true;
    };
  }

  /** Server shutdown: a waiting poll is dropped unanswered. */
  close(): void {
    if (this.waiting) clearTimeout(this.waiting.timer);
    this.waiting = undefined;
  }

  private answerWaiting(outcome: Update[] | ApiError): void {
    const waiting = this.waiting;
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.waiting = undefined;
    waiting.answer(outcome);
  }
}
