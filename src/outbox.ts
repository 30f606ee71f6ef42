/** The person's messages on their way into windows (state.json's outbox) and every change to them, each saved at
 * once: a restart neither loses nor repeats one. When to type them is delivery.ts's business. */
import { randomBytes } from 'node:crypto';

export interface PendingText {
  ref: string;
  sessionId: string;
  chatId: number;
  userId: number;
  /** The person's Telegram message, for the receipt reactions. */
  messageId: number;
  text: string;
  queuedAt: number;
  /** When it was typed into the window; null while it waits for Claude's prompt. */
  typedAt: number | null;
  /** When the one extra Enter was pressed for an unconfirmed prompt. */
  enteredAt: number | null;
  /** Told the person that a picker blocks it, or that it could not be confirmed (then it waits for Resend). */
  notified: boolean;
  failed: boolean;
}

/** A message waiting for its turn: not typed yet, nothing told. */
const IN_LINE = { typedAt: null, enteredAt: null, notified: false, failed: false };

export type NewText = Pick<PendingText, 'sessionId' | 'chatId' | 'userId' | 'messageId' | 'text'>;

export class Outbox {
  constructor(
    private readonly items: PendingText[],
    private readonly save: () => void,
  ) {}

  enqueue(text: NewText, now: number): void {
    this.items.push({ ...text, ref: randomBytes(4).toString('hex'), queuedAt: now, ...IN_LINE });
    this.save();
  }

  /** The oldest message of each session, in line order; a failed one waits for Resend and holds nothing up. */
  heads(): Readonly<PendingText>[] {
    const heads = new Map<string, PendingText>();
    for (const item of this.items) if (!item.failed && !heads.has(item.sessionId)) heads.set(item.sessionId, item);
    return [...heads.values()];
  }

  markTyped(ref: string, at: number): void {
    this.change(ref, { typedAt: at });
  }

  markEntered(ref: string, at: number): void {
    this.change(ref, { enteredAt: at });
  }

  markNotified(ref: string): void {
    this.change(ref, { notified: true });
  }

  markFailed(ref: string): void {
    this.change(ref, { failed: true });
  }

  /** Puts a failed message back in line (the Resend button). false when it is unknown. */
  resend(ref: string): boolean {
    if (!this.items.some((p) => p.ref === ref && p.failed)) return false;
    this.change(ref, IN_LINE);
    return true;
  }

  /** Delivered, or dropped. */
  remove(ref: string): void {
    const at = this.items.findIndex((p) => p.ref === ref);
    if (at < 0) return;
    this.items.splice(at, 1);
    this.save();
  }

  private change(ref: string, fields: Partial<PendingText>): void {
    const item = this.items.find((p) => p.ref === ref);
    if (!item) return;
    Object.assign(item, fields);
    this.save();
  }
}
