/** The person's messages on their way into windows (state.json's outbox) and every change to them, each saved at
 * once: a restart neither loses nor repeats one. When to type them is delivery.ts's business. */
import { randomBytes } from 'node:crypto';
import { mergePrompts } from './inbox.js';

export interface PendingText {
  ref: string;
  sessionId: string;
  chatId: number;
  userId: number;
  /** The person's Telegram message, for the receipt reactions. */
  messageId: number;
  text: string;
  /** The Telegram update that carried it; absent for texts ccbot writes itself ('continue'). */
  key?: number;
  /** An album's media_group_id: its later parts are merged into this text while it is untyped (keys: their updates). */
  group?: string; keys?: number[];
  /** Answers the free-text field of a menu ("Type something."), not the input box; set false once it is typed as
   * an ordinary prompt instead (the menu was answered at the desk). */
  menuAnswer?: boolean;
  queuedAt: number;
  /** Saved just before the paste: with typedAt still null, the text may sit in the box, pasted but not entered. */
  typingAt?: number | null;
  /** When it was typed into the window; null while it waits for Claude's prompt. */
  typedAt: number | null;
  /** When the one extra Enter was due for an unconfirmed prompt (failed 4 s later, so it also dates a failure). */
  enteredAt: number | null;
  /** Told the person that a picker blocks it, or that it could not be confirmed (then it waits for Resend). */
  notified: boolean; failed: boolean;
  /** Delivered or dropped: kept with its text blanked so that its key stays known. */
  done?: boolean;
}

/** A message waiting for its turn: not typed yet, nothing told. */
const IN_LINE = { typingAt: null, typedAt: null, enteredAt: null, notified: false, failed: false };
/** Keys of delivered messages kept: Telegram redelivers an update only when ccbot stopped before confirming it. */
const KEYS_KEPT = 200;

export type NewText =
  Pick<PendingText, 'sessionId' | 'chatId' | 'userId' | 'messageId' | 'text' | 'key' | 'menuAnswer' | 'group'>;

export class Outbox {
  constructor(private readonly items: PendingText[], private readonly save: () => void) {}

  /** false, adding nothing, when its key is known: the same update again (pending, or delivered not long ago). A part
   * of an album joins the untyped text of its group (queuedAt then dates the group's newest part). */
  enqueue(text: NewText, now: number): boolean {
    if (text.key !== undefined && this.knows(text.key)) return false;
    const album = text.group === undefined ? undefined : this.live().find((p) => p.group === text.group
      && p.sessionId === text.sessionId && p.typedAt === null && !p.typingAt && !p.failed);
    if (album) {
      const keys = text.key === undefined ? album.keys : [...(album.keys ?? []), text.key];
      Object.assign(album, { text: mergePrompts(album.text, text.text), queuedAt: now }, keys && { keys });
    } else this.items.push({ ...text, ref: randomBytes(4).toString('hex'), queuedAt: now, ...IN_LINE });
    this.save();
    return true;
  }

  /** Whether the update `key` brought a text that is waiting or was delivered not long ago. */
  readonly knows = (key: number): boolean => this.items.some((p) => p.key === key || p.keys?.includes(key));

  /** The oldest message of each session, in line order; a failed one waits for Resend and holds nothing up. */
  heads(): Readonly<PendingText>[] {
    const heads = new Map<string, PendingText>();
    for (const p of this.live()) {
      if (p.failed) continue;
      const head = heads.get(p.sessionId);
      // An answer for a menu's open field goes before texts waiting for the prompt: they wait for that menu to close.
      const overtakes = head && p.menuAnswer && !head.menuAnswer && !head.typingAt && head.typedAt === null;
      if (!head || overtakes) heads.set(p.sessionId, p);
    }
    return [...heads.values()];
  }

  /** Failed messages that have waited for Resend since before `before`. */
  readonly failedBefore = (before: number): Readonly<PendingText>[] =>
    this.live().filter((p) => p.failed && (p.enteredAt ?? p.queuedAt) < before);

  /** Typing begins (saved before the paste); `menuAnswer` says whether into a menu's field or the input box. */
  readonly markTyping = (ref: string, at: number, menuAnswer: boolean) =>
    this.change(ref, { typingAt: at, menuAnswer });
  readonly markTyped = (ref: string, at: number) => this.change(ref, { typedAt: at });
  readonly markEntered = (ref: string, at: number) => this.change(ref, { enteredAt: at });
  readonly markNotified = (ref: string) => this.change(ref, { notified: true });
  readonly markFailed = (ref: string) => this.change(ref, { failed: true });

  /** Puts a failed message back in line (the Resend button). false when it is unknown. */
  resend(ref: string): boolean {
    if (!this.live().some((p) => p.ref === ref && p.failed)) return false;
    this.change(ref, IN_LINE);
    return true;
  }

  /** Delivered, or dropped. A keyed one stays as a blank record, the oldest beyond KEYS_KEPT going. */
  remove(ref: string): void {
    const at = this.items.findIndex((p) => p.ref === ref && !p.done);
    if (at < 0) return;
    if (this.items[at]!.key === undefined) this.items.splice(at, 1);
    else Object.assign(this.items[at]!, { text: '', done: true });
    const kept = this.items.filter((p) => p.done);
    if (kept.length > KEYS_KEPT) this.items.splice(this.items.indexOf(kept[0]!), 1);
    this.save();
  }

  private readonly live = (): PendingText[] => this.items.filter((p) => !p.done);

  private change(ref: string, fields: Partial<PendingText>): void {
    const item = this.live().find((p) => p.ref === ref);
    if (!item) return;
    Object.assign(item, fields);
    this.save();
  }
}
