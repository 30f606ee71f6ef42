/** Typing the person's messages (waiting in outbox.ts) into their window when Claude shows its prompt, never into a
 * picker: 👀 when typed, 👍 once the UserPromptSubmit hook recorded the same prompt in session_map.json (an answer to
 * a menu's free-text field: once the field is gone; a slash command: once the input box no longer holds it). No
 * confirmation → one more Enter if the text still sits in the box; still none → the person is told, with a Resend
 * button; a day later it is dropped. */
import { escapeHtml } from './format.js';
import { t } from './i18n.js';
import { resendKeyboard } from './keyboards.js';
import { logger } from './log.cjs';
import type { NewText, Outbox, PendingText } from './outbox.js';
import { mapKey, promptHash, type SessionMap } from './session-map.cjs';
import type { Session, Sessions } from './sessions.js';
import type { Telegram } from './telegram.js';
import { inputText, readPane, settingsPanel } from './terminal.js';
import type { Key, TmuxResult } from './tmux.js';
import type { Users } from './users.js';

const log = logger('delivery');

const POLL_MS = 250;
/** How long Claude Code gets to run its UserPromptSubmit hook after our Enter (it takes well under a second). */
const CONFIRM_MS = 4_000;
/** How long a failed message waits for Resend before it is dropped, with a notice. */
const RESEND_MS = 24 * 3_600_000;
/** Claude Code 2.1.328 shows a paste of 4+ lines or over 800 characters as a placeholder in its input box
 * ("[Pasted text #1 +3 lines]", "[Pasted text #2]"); its hook may not carry our exact text. */
const PASTE_LINES = 4;
const PASTE_CHARS = 800;
const PLACEHOLDER = /^\[Pasted text #\d+(?: \+\d+ lines)?\]$/;
/** An album's parts come as separate updates, each downloaded before it joins the group's text (outbox.ts): typing
 * waits this long after the newest part, and while a part is being downloaded (holdGroup). */
const ALBUM_SETTLE_MS = 1_500;
/** A slash command: `/context`, `/model sonnet` (not a path such as `/etc/hosts`). */
const LOCAL_COMMAND = /^\s*\/[a-z][\w:-]*(?:\s|$)/i;
/** Commands that open Claude Code's settings panel (its tabs: Status, Config, Usage, Stats) instead of answering. */
const PANEL_COMMAND = /^\s*\/(?:cost|usage|status|config|stats)\s*$/i;

type Screen = ReturnType<typeof readPane>;

interface DeliveryDeps {
  outbox: Outbox; sessions: Pick<Sessions, 'get' | 'markLost' | 'recordInput' | 'adoptClaudeId'>;
  users: Pick<Users, 'lang'>; telegram: Pick<Telegram, 'send' | 'react'>; tmuxSession: string;
  capture: (windowId: string) => Promise<string | null>;
  /** The ids of the windows tmux has now; null when it could not tell. */
  windowIds: () => Promise<Set<string> | null>;
  type: (windowId: string, text: string) => Promise<TmuxResult>;
  press: (windowId: string, keys: Key[]) => Promise<TmuxResult>; readMap: () => SessionMap;
  beforePrompt?: (session: Session) => Promise<void>; // the work tree before a prompt: git-changes.ts
  now?: () => number;
}

export class Delivery {
  private timer: NodeJS.Timeout | undefined;
  /** The pass under way: passes never overlap, and a caller of tick() waits for the one running. */
  private pass: Promise<void> | null = null;
  /** The last keys sent and their record (see typed()): what stop() waits for. */
  private sending: Promise<boolean> = Promise.resolve(true);
  private stopped = false;
  private readonly now: () => number;
  /** Albums with a part being downloaded, and how many parts. */
  private readonly holds = new Map<string, number>();

  constructor(private readonly deps: DeliveryDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** false, adding nothing, when the text's key (its Telegram update) is already known. */
  enqueue(text: NewText): boolean {
    const added = this.deps.outbox.enqueue(text, this.now());
    if (added) void this.tick();
    return added;
  }

  /** Whether the update `key` already brought a text (a redelivered update: nothing to fetch or type again). */
  readonly knows = (key: number): boolean => this.deps.outbox.knows(key);

  /** Album `group` gets another part: its text is not typed until the returned release is called (and it settled). */
  holdGroup(group: string): () => void {
    this.holds.set(group, (this.holds.get(group) ?? 0) + 1);
    return () => {
      const left = (this.holds.get(group) ?? 1) - 1;
      if (left > 0) this.holds.set(group, left);
      else this.holds.delete(group);
    };
  }

  /** Puts a failed message back in line (the Resend button). false when it is unknown. */
  resend(ref: string): boolean {
    if (!this.deps.outbox.resend(ref)) return false;
    void this.tick();
    return true;
  }

  start(): void {
    this.stopped = false;
    this.timer ??= setInterval(() => void this.tick(), POLL_MS).unref();
  }

  /** Nothing more is typed, and what is being typed is finished and recorded first: shutdown never falls between a
   * paste and its Enter. Receipts and notices still under way are not waited for (a hung Bot API call must not hold
   * shutdown up); the outbox already says where each text stands. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.sending;
  }

  /** One pass over every session with a message in line: each session's oldest message moves one step. */
  tick(): Promise<void> {
    if (this.stopped) return this.pass ?? Promise.resolve();
    this.pass ??= this.runPass().finally(() => (this.pass = null));
    return this.pass;
  }

  private async runPass(): Promise<void> {
    try {
      const { outbox } = this.deps;
      for (const item of outbox.failedBefore(this.now() - RESEND_MS)) {
        outbox.remove(item.ref);
        await this.notify(item, 'expired');
      }
      const heads = outbox.heads();
      if (heads.length === 0) return;
      const map = this.deps.readMap();
      for (const item of heads) if (!this.stopped) await this.step(item, map);
    } catch (err) {
      log.error('delivery pass failed', { error: err as Error });
    }
  }

  private async step(item: Readonly<PendingText>, map: SessionMap): Promise<void> {
    const { outbox, sessions } = this.deps;
    const session = sessions.get(item.sessionId);
    if (!session || session.status !== 'active' || !session.windowId) return this.drop(item);
    const windowId = session.windowId;
    const begun = item.typingAt ?? item.typedAt ?? null; // typingAt is absent from records saved before it existed
    if (begun !== null && !item.menuAnswer && isConfirmed(item, begun, map[mapKey(this.deps.tmuxSession, windowId)])) {
      sessions.adoptClaudeId(session.id, map, this.deps.tmuxSession);
      return this.delivered(item);
    }
    const now = this.now();
    const settling = item.group !== undefined && (this.holds.has(item.group) || now - item.queuedAt < ALBUM_SETTLE_MS);
    if (begun === null && settling) return; // more parts of the album may still come
    // A typed prompt waits for its hook; the pane matters only once that is late. Claude Code runs its own slash
    // commands (/context, /model, /cost, …) without the hook: those are read off the pane at once.
    const local = LOCAL_COMMAND.test(item.text);
    if (item.typedAt !== null && !item.menuAnswer && !local && now - (item.enteredAt ?? item.typedAt) <= CONFIRM_MS) {
      return;
    }
    const pane = await this.deps.capture(windowId);
    if (pane === null && (await this.deps.windowIds())?.has(windowId) === false) {
      // Claude exited and took its window along: the person hears so now, not after waiting in vain.
      sessions.markLost(session.id, now);
      return this.drop(item);
    }
    const screen: Screen = pane === null ? { kind: 'unknown' } : readPane(pane);
    const field = item.menuAnswer ? fieldOf(screen) : undefined;
    // Where the text goes, as it stands now: a menu answer's field, a prompt's input box (null: not on the pane).
    const into = item.menuAnswer ? (field ?? null) : pane === null ? null : inputText(pane);
    const holds = into !== null && shows(into, item.text);

    if (item.typedAt === null) {
      if (begun !== null) {
        // Typing began before a restart and was not recorded: read the pane, never retype blindly.
        if (holds) return this.typed(item, () => this.deps.press(windowId, ['Enter']));
        const tookIt = screen.kind === 'busy' || (item.menuAnswer && field === undefined && screen.kind === 'idle');
        if (tookIt) return this.typed(item);
      }
      const intoField = field === '';
      if ((screen.kind === 'picker' || screen.kind === 'trust') && !intoField) {
        if (item.notified) return;
        outbox.markNotified(item.ref);
        return this.notify(item, 'picker');
      }
      if (screen.kind !== 'idle' && !intoField) return; // starting, busy, or unreadable: wait for the prompt
      return this.typed(item, async () => {
        if (!intoField) await this.deps.beforePrompt?.(session);
        outbox.markTyping(item.ref, this.now(), intoField); // saved before the paste: see the restart case above
        return this.deps.type(windowId, item.text);
      });
    }
    // No hook fires for a menu's answer: it went through once the menu shows neither the empty field nor the text.
    if (item.menuAnswer && !holds && field !== '' && screen.kind !== 'unknown') return this.delivered(item);
    // A slash command went in once the box no longer holds it. /cost and /usage open a panel instead of the box: its
    // text goes to the person and Escape closes it, or the session would wait on it.
    const panel = local && pane !== null ? settingsPanel(pane) : null;
    // The box may empty a moment before the panel is drawn: such a command waits for its panel (up to CONFIRM_MS).
    const panelDue = panel === null && PANEL_COMMAND.test(item.text) && now - item.typedAt <= CONFIRM_MS;
    if (local && !holds && !panelDue && (panel !== null || screen.kind !== 'unknown')) {
      if (panel !== null) {
        await this.deps.telegram.send(item.chatId, `<pre>${escapeHtml(panel)}</pre>`, { replyTo: item.messageId });
        await this.deps.press(windowId, ['Escape']);
      }
      return this.delivered(item);
    }
    if (item.enteredAt === null && now - item.typedAt > CONFIRM_MS) {
      outbox.markEntered(item.ref, now);
      // Claude Code's input box can take an Enter that came too soon as a newline: one more submits it, but only
      // where the text still sits, never into a menu or an empty box.
      if (holds) await this.deps.press(windowId, ['Enter']);
    } else if (item.enteredAt !== null && now - item.enteredAt > CONFIRM_MS) {
      outbox.markFailed(item.ref);
      log.warn('prompt not confirmed', { session: session.name, ref: item.ref });
      await this.notify(item, 'unconfirmed');
    }
  }

  /** Sends `keys` (the paste and Enter, or the Enter it lacked) unless stopping, records the text typed, then 👀. */
  private async typed(item: Readonly<PendingText>, keys?: () => Promise<TmuxResult>): Promise<void> {
    if (this.stopped) return;
    this.sending = (async () => {
      const sent = keys ? await keys() : { ok: true as const };
      // A failed send leaves typingAt set: the next pass reads the pane to see how far it got.
      if (!sent.ok) {
        log.warn('typing failed; will read the pane again', { ref: item.ref, error: sent.error });
        return false;
      }
      const typedAt = this.now();
      this.deps.outbox.markTyped(item.ref, typedAt);
      this.deps.sessions.recordInput(item.sessionId, typedAt);
      return true;
    })();
    if (await this.sending) await this.deps.telegram.react(item.chatId, item.messageId, '👀');
  }

  private async delivered(item: Readonly<PendingText>): Promise<void> {
    this.deps.outbox.remove(item.ref);
    log.debug('delivered', { ref: item.ref, session: item.sessionId });
    await this.deps.telegram.react(item.chatId, item.messageId, '👍');
  }

  private async drop(item: Readonly<PendingText>): Promise<void> {
    this.deps.outbox.remove(item.ref);
    log.debug('dropped', { ref: item.ref, session: item.sessionId });
    await this.notify(item, 'gone');
  }

  /** What the person is told about a message of theirs that did not go straight through (as a reply to it). */
  private async notify(item: Readonly<PendingText>, why: 'picker' | 'unconfirmed' | 'gone' | 'expired'): Promise<void> {
    const lang = this.deps.users.lang(item.userId);
    const name = this.deps.sessions.get(item.sessionId)?.name ?? item.sessionId;
    const html = escapeHtml(t(lang, `delivery.${why}`, { name }));
    const replyMarkup = why === 'unconfirmed' ? resendKeyboard(item.ref, lang) : undefined;
    await this.deps.telegram.send(item.chatId, html, { replyTo: item.messageId, replyMarkup });
  }
}

const isPasteSized = (text: string) => text.length > PASTE_CHARS || text.split('\n').length >= PASTE_LINES;
/** Text as Claude Code draws it, wrapped anywhere and with control characters dropped (tmux.ts typable). */
const squash = (text: string) => text.replace(/[\s\x00-\x1f\x7f-\x9f]/g, '');

/** The box or field shows this text: as typed (wrapping aside), or as Claude Code's placeholder for a paste. */
function shows(shown: string, text: string): boolean {
  if (PLACEHOLDER.test(shown.trim())) return isPasteSized(text);
  return squash(shown) !== '' && squash(shown) === squash(text);
}

/** A menu's free-text field: '' while open and empty ("Type something." selected), else what the selected row
 * holds (its label and the lines under it, where typed text goes); undefined when no menu is on the pane. A permission
 * prompt's amended option 1 shows the text after "Yes, ". */
function fieldOf(screen: Screen): string | undefined {
  if (screen.kind !== 'picker' && screen.kind !== 'trust') return undefined;
  const row = screen.picker.options.find((o) => o.selected)!; // terminal.ts finds a menu only with one selected
  return row.freeText ? '' : [row.label.replace(/^Yes, /, ''), row.description ?? ''].join('\n');
}

/** The hook saw our prompt: same text (whitespace aside) submitted after typing began. A paste-sized text may reach
 * the hook as Claude Code's placeholder instead, so for those any prompt submitted after ours counts. */
function isConfirmed(item: PendingText, since: number, entry: SessionMap[string] | undefined): boolean {
  if (!entry?.prompt_at || entry.prompt_at < since - 1_000) return false; // 1 s of clock slack: hook vs daemon
  return entry.prompt_hash === promptHash(item.text) || isPasteSized(item.text);
}
