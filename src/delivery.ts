/** Typing the person's messages (waiting in outbox.ts) into their window when Claude shows its prompt, never into a
 * picker: 👀 when typed, 👍 once the UserPromptSubmit hook recorded the same prompt in session_map.json. No
 * confirmation → one more Enter; still none → the person is told, with a Resend button. */
import { escapeHtml } from './format.js';
import { t } from './i18n.js';
import { resendKeyboard } from './keyboards.js';
import { logger } from './log.js';
import type { NewText, Outbox, PendingText } from './outbox.js';
import { mapKey, promptHash, type SessionMap } from './session-map.js';
import type { Sessions } from './sessions.js';
import type { Telegram } from './telegram.js';
import { readPane } from './terminal.js';
import type { Key, TmuxResult } from './tmux.js';
import type { Users } from './users.js';

const log = logger('delivery');

const POLL_MS = 250;
/** How long Claude Code gets to run its UserPromptSubmit hook after our Enter (it takes well under a second). */
const CONFIRM_MS = 4_000;
/** Claude Code stores a paste this large as a placeholder; its hook may not carry our exact text. */
const PASTE_LINES = 8;
const PASTE_CHARS = 800;

interface DeliveryDeps {
  outbox: Outbox;
  sessions: Pick<Sessions, 'get' | 'markLost' | 'recordInput' | 'adoptClaudeId'>;
  users: Pick<Users, 'lang'>;
  telegram: Pick<Telegram, 'send' | 'react'>;
  tmuxSession: string;
  capture: (windowId: string) => Promise<string | null>;
  /** The ids of the windows tmux has now; null when it could not tell. */
  windowIds: () => Promise<Set<string> | null>;
  type: (windowId: string, text: string) => Promise<TmuxResult>;
  press: (windowId: string, keys: Key[]) => Promise<TmuxResult>;
  readMap: () => SessionMap;
  now?: () => number;
}

export class Delivery {
  private timer: NodeJS.Timeout | undefined;
  /** The pass under way: passes never overlap, and a caller of tick() waits for the one running. */
  private pass: Promise<void> | null = null;
  private readonly now: () => number;

  constructor(private readonly deps: DeliveryDeps) {
    this.now = deps.now ?? Date.now;
  }

  enqueue(text: NewText): void {
    this.deps.outbox.enqueue(text, this.now());
    void this.tick();
  }

  /** Puts a failed message back in line (the Resend button). false when it is unknown. */
  resend(ref: string): boolean {
    if (!this.deps.outbox.resend(ref)) return false;
    void this.tick();
    return true;
  }

  start(): void {
    this.timer ??= setInterval(() => void this.tick(), POLL_MS).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One pass over every session with a message in line: each session's oldest message moves one step. */
  tick(): Promise<void> {
    this.pass ??= this.runPass().finally(() => (this.pass = null));
    return this.pass;
  }

  private async runPass(): Promise<void> {
    try {
      const heads = this.deps.outbox.heads();
      if (heads.length === 0) return;
      const map = this.deps.readMap();
      for (const item of heads) await this.step(item, map);
    } catch (err) {
      log.error('delivery pass failed', { error: err as Error });
    }
  }

  private async step(item: Readonly<PendingText>, map: SessionMap): Promise<void> {
    const { outbox, sessions } = this.deps;
    const session = sessions.get(item.sessionId);
    if (!session || session.status !== 'active' || !session.windowId) return this.drop(item);
    if (item.typedAt === null) {
      const pane = await this.deps.capture(session.windowId);
      if (pane === null && (await this.deps.windowIds())?.has(session.windowId) === false) {
        // Claude exited and took its window along: the person hears so now, not after waiting in vain.
        sessions.markLost(session.id, this.now());
        return this.drop(item);
      }
      const kind = pane === null ? 'unknown' : readPane(pane).kind;
      if ((kind === 'picker' || kind === 'trust') && !item.notified) {
        outbox.markNotified(item.ref);
        await this.notify(item, 'picker');
      }
      if (kind !== 'idle') return; // a menu, starting, busy, or unreadable: wait for the prompt
      const typed = await this.deps.type(session.windowId, item.text);
      if (!typed.ok) return log.warn('typing failed; will retry', { session: session.name, error: typed.error });
      const typedAt = this.now();
      outbox.markTyped(item.ref, typedAt);
      sessions.recordInput(session.id, typedAt);
      return this.deps.telegram.react(item.chatId, item.messageId, '👀');
    }
    if (isConfirmed(item, map[mapKey(this.deps.tmuxSession, session.windowId)])) {
      sessions.adoptClaudeId(session.id, map, this.deps.tmuxSession);
      outbox.remove(item.ref);
      log.debug('delivered', { ref: item.ref, session: item.sessionId });
      return this.deps.telegram.react(item.chatId, item.messageId, '👍');
    }
    const now = this.now();
    if (item.enteredAt === null && now - item.typedAt > CONFIRM_MS) {
      // Claude Code's input box can take an Enter that came too soon as a newline: one more submits it.
      outbox.markEntered(item.ref, now);
      await this.deps.press(session.windowId, ['Enter']);
    } else if (item.enteredAt !== null && now - item.enteredAt > CONFIRM_MS) {
      outbox.markFailed(item.ref);
      log.warn('prompt not confirmed by the hook', { session: session.name, ref: item.ref });
      await this.notify(item, 'unconfirmed');
    }
  }

  private async drop(item: Readonly<PendingText>): Promise<void> {
    this.deps.outbox.remove(item.ref);
    log.debug('dropped', { ref: item.ref, session: item.sessionId });
    await this.notify(item, 'gone');
  }

  /** What the person is told about a message of theirs that did not go straight through (as a reply to it). */
  private async notify(item: Readonly<PendingText>, why: 'picker' | 'unconfirmed' | 'gone'): Promise<void> {
    const lang = this.deps.users.lang(item.userId);
    const name = this.deps.sessions.get(item.sessionId)?.name ?? item.sessionId;
    const html = escapeHtml(t(lang, `delivery.${why}`, { name }));
    const replyMarkup = why === 'unconfirmed' ? resendKeyboard(item.ref, lang) : undefined;
    await this.deps.telegram.send(item.chatId, html, { replyTo: item.messageId, replyMarkup });
  }
}

/** The hook saw our prompt: same text (whitespace aside) submitted after we typed it. A paste-sized text may reach
 * the hook as Claude Code's placeholder instead, so for those any prompt submitted after ours counts. */
function isConfirmed(item: PendingText, entry: SessionMap[string] | undefined): boolean {
  if (!entry?.prompt_at || item.typedAt === null) return false;
  if (entry.prompt_at < item.typedAt - 1_000) return false; // 1 s of clock slack between hook and daemon
  if (entry.prompt_hash === promptHash(item.text)) return true;
  return item.text.length >= PASTE_CHARS || item.text.split('\n').length >= PASTE_LINES;
}
