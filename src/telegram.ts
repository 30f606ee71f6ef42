/**
 * Safe delivery to Telegram over node-telegram-bot-api's Api, which every other file sends through: splitting to
 * 4096, the plain-text fallback, retries that never repeat a message Telegram may already show, per-chat pacing,
 * and the one place that tests Telegram's error texts. Never throws for Telegram's answers or the network.
 */
import {
  InputFile, NetworkError, ParseError, TelegramApiError, TimeoutError,
  type Api, type EditMessageTextParams, type InlineKeyboardMarkup, type SendDocumentParams, type SendMessageParams,
} from 'node-telegram-bot-api';
import { htmlToPlain, splitHtml } from './format.js';
import { LANGS, t } from './i18n.js';
import { logger } from './log.js';
import { backoffMs, Pacer, type Turn } from './pacer.js';
import { fail, type Failure } from './values.js';

const log = logger('telegram');

export const MAX_MESSAGE_LENGTH = 4096;
const NO_PREVIEW = { is_disabled: true };
const DEFAULT_MAX_RETRIES = 5;

/** The commands in Telegram's menu, in this order; descriptions are the i18n keys `cmd.<name>`. */
export const PUBLISHED_COMMANDS = [
  'menu', 'help', 'new', 'list', 'history', 'screenshot', 'stop', 'kill', 'done', 'archive', 'settings',
] as const;

/** A failed send says what it allows by its kind (see TelegramKind); deliveredIds: the parts that arrived. */
export type SendResult = { ok: true; messageIds: number[] } | (Failure<TelegramKind> & { deliveredIds: number[] });
export type EditResult = { ok: true } | Failure<TelegramKind>;

export interface SendOptions { replyMarkup?: SendMessageParams['reply_markup']; replyTo?: number; silent?: boolean }

export interface TelegramOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Spacing of requests to one chat. Default 1000: Telegram allows about one message or edit per second per chat. */
  minIntervalMs?: number;
  /** Repeats of one request after a 429, a 5xx or a network failure. Default 5. */
  maxRetries?: number;
}

// ── failures: each classified once, here; the only substring tests on Telegram's texts ──────────────────────────

/**
 * What a failed request allows: 'rate-limited' (429: wait retry_after), 'network' (the connection was never made:
 * repeat), 'server' (5xx: repeat), 'uncertain' (it may have reached Telegram: repeat only what is idempotent),
 * 'gone' (the message to edit or delete is not there), 'not-modified' (the edit changes nothing), 'unparsable'
 * (Telegram cannot parse the HTML), 'rejected' (another 4xx: repeating cannot help).
 */
type TelegramKind =
  'rate-limited' | 'network' | 'server' | 'uncertain' | 'gone' | 'not-modified' | 'unparsable' | 'rejected';

const GONE = /message to edit not found|message can't be edited|message to delete not found|MESSAGE_ID_INVALID/i;

/** System error codes that mean the connection was never made, so Telegram cannot have seen the request. */
const UNSENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/** The kind of a failed request; undefined: not a Telegram or network failure, i.e. a bug. */
export function classifyFailure(err: unknown): TelegramKind | undefined {
  if (err instanceof TelegramApiError) {
    if (err.errorCode === 429) return 'rate-limited';
    if (err.errorCode >= 500) return 'server';
    if (err.errorCode !== 400) return 'rejected';
    if (/can't parse entities/i.test(err.description)) return 'unparsable';
    if (/message is not modified/i.test(err.description)) return 'not-modified';
    return GONE.test(err.description) ? 'gone' : 'rejected';
  }
  if (err instanceof TimeoutError || err instanceof ParseError) return 'uncertain';
  if (err instanceof NetworkError) {
    if (causeCodes(err).some((code) => UNSENT_CODES.has(code))) return 'network';
    // The transport throws a NetworkError without a cause only for a 5xx whose body was not Telegram's JSON.
    return err.cause === undefined ? 'server' : 'uncertain';
  }
  return undefined;
}

/** The `code`s along an error's cause chain (fetch wraps the system error; happy eyeballs aggregates several). */
export function causeCodes(err: unknown, depth = 0): string[] {
  if (typeof err !== 'object' || err === null || depth > 5) return [];
  const e = err as { code?: unknown; cause?: unknown; errors?: unknown };
  const own = typeof e.code === 'string' ? [e.code] : [];
  const nested = Array.isArray(e.errors) ? e.errors.flatMap((x) => causeCodes(x, depth + 1)) : [];
  return [...own, ...nested, ...causeCodes(e.cause, depth + 1)];
}

export function describeError(err: unknown): string {
  if (err instanceof TelegramApiError) return `${err.errorCode} ${err.description}`;
  if (!(err instanceof Error)) return String(err);
  const code = causeCodes(err.cause)[0];
  return code ? `${err.message} (${code})` : err.message;
}

/** kind: the last failure's; uncertain: some attempt may have reached Telegram. */
type Failed = { ok: false; err: unknown; kind: TelegramKind; uncertain: boolean };
type Outcome<T> = { ok: true; value: T } | Failed;

// ── the client ──────────────────────────────────────────────────────────────────────────────────────────────────

export class Telegram {
  private readonly pacer: Pacer;
  private readonly maxRetries: number;
  /** Per chat: the newest bot message carrying the session keyboard. */
  private readonly keyboardMessages = new Map<number, number>();

  constructor(
    private readonly api: Api,
    options: TelegramOptions = {},
  ) {
    this.pacer = new Pacer(options);
    this.maxRetries = options.maxRetries ?? DEFAULT_MAX_RETRIES;
  }

  /**
   * Sends Telegram HTML, split into parts of at most 4096 sent in order; the reply markup goes on the last part,
   * the reply on the first. A timeout or a dropped connection is not repeated (the message may be on screen): the
   * result's kind is `uncertain` and the caller decides.
   */
  send(chatId: number, html: string, options: SendOptions = {}): Promise<SendResult> {
    const parts = html.length > MAX_MESSAGE_LENGTH ? splitHtml(html, MAX_MESSAGE_LENGTH) : [html];
    if (parts.length === 0) {
      return Promise.resolve({ ...fail('rejected', 'nothing to send: the text is blank'), deliveredIds: [] });
    }
    return this.pacer.run(chatId, async (turn) => {
      const ids: number[] = [];
      for (const [i, part] of parts.entries()) {
        // No link previews: Claude's answers are full of URLs, and a preview card per message buries the text.
        const params: SendMessageParams = { chat_id: chatId, text: part, parse_mode: 'HTML', link_preview_options: NO_PREVIEW };
        if (options.silent) params.disable_notification = true;
        if (i === 0 && options.replyTo !== undefined) {
          params.reply_parameters = { message_id: options.replyTo, allow_sending_without_reply: true };
        }
        if (i === parts.length - 1 && options.replyMarkup) params.reply_markup = options.replyMarkup;
        const sent = await this.withPlainFallback(chatId, turn, params, 'text', (p) => this.api.sendMessage(p), false);
        if (!sent.ok) return this.sendFailed('sendMessage', chatId, sent, ids);
        ids.push(sent.value.message_id);
      }
      return { ok: true, messageIds: ids };
    });
  }

  /**
   * Replaces a message's text. "Not modified" is success; a deleted or uneditable message is `gone` (send anew).
   * Trap: an edit without reply_markup removes the inline keyboard, so pass the markup to keep.
   */
  edit(chatId: number, messageId: number, html: string, options: { replyMarkup?: InlineKeyboardMarkup } = {}): Promise<EditResult> {
    return this.pacer.run(chatId, async (turn) => {
      const params: EditMessageTextParams = { chat_id: chatId, message_id: messageId, text: html, parse_mode: 'HTML', link_preview_options: NO_PREVIEW };
      if (options.replyMarkup) params.reply_markup = options.replyMarkup;
      const edited = await this.withPlainFallback(chatId, turn, params, 'text', (p) => this.api.editMessageText(p), true);
      if (edited.ok || edited.kind === 'not-modified') return { ok: true };
      const error = describeError(edited.err);
      if (edited.kind !== 'gone') log.warn('editMessageText failed', { chat_id: chatId, message_id: messageId, error });
      return fail(edited.kind, error);
    });
  }

  /** Removes a message's inline keyboard. Already bare or gone is fine; never throws. */
  async stripKeyboard(chatId: number, messageId: number): Promise<void> {
    await this.quietly('editMessageReplyMarkup', () =>
      this.pacer.run(chatId, async (turn) => {
        const params = { chat_id: chatId, message_id: messageId, reply_markup: { inline_keyboard: [] } };
        const done = await this.attempt(chatId, turn, () => this.api.editMessageReplyMarkup(params), true);
        if (!done.ok && done.kind !== 'not-modified' && done.kind !== 'gone') throw done.err;
      }),
    );
  }

  /** Sends a message with the chat's buttons: only the newest bot message keeps them, the one before loses its own. */
  async sendNewest(
    chatId: number, html: string, options: SendOptions & { replyMarkup: InlineKeyboardMarkup },
  ): Promise<SendResult> {
    const sent = await this.send(chatId, html, options);
    if (!sent.ok) return sent;
    const previous = this.keyboardMessages.get(chatId);
    this.keyboardMessages.set(chatId, sent.messageIds.at(-1)!);
    if (previous !== undefined) await this.stripKeyboard(chatId, previous);
    return sent;
  }

  /** Whether `messageId` is the newest message with buttons (an edit of it keeps the chat's buttons). */
  isNewest(chatId: number, messageId: number): boolean {
    return this.keyboardMessages.get(chatId) === messageId;
  }

  /** Uploads `content` as a file named `filename`; the caption is Telegram HTML (≤ 1024), with the plain fallback. */
  sendDocument(chatId: number, filename: string, content: string | Uint8Array, caption?: string): Promise<SendResult> {
    const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
    return this.pacer.run(chatId, async (turn) => {
      const params: SendDocumentParams = { chat_id: chatId, document: new InputFile(bytes, { filename }) };
      if (caption) Object.assign(params, { caption, parse_mode: 'HTML' });
      const sent = await this.withPlainFallback(chatId, turn, params, 'caption', (p) => this.api.sendDocument(p), false);
      return sent.ok ? { ok: true, messageIds: [sent.value.message_id] } : this.sendFailed('sendDocument', chatId, sent, []);
    });
  }

  /** Stops the button's spinner. An expired query (the daemon was down) is fine; never throws. */
  async answerCallback(queryId: string, text?: string): Promise<void> {
    await this.quietly('answerCallbackQuery', () =>
      this.api.answerCallbackQuery(text === undefined ? { callback_query_id: queryId } : { callback_query_id: queryId, text }),
    'debug');
  }

  /** A reaction on a message, e.g. a delivery receipt. Cosmetic: failures are logged at debug, never thrown. */
  async react(chatId: number, messageId: number, emoji: string): Promise<void> {
    await this.quietly('setMessageReaction', () =>
      this.api.setMessageReaction({ chat_id: chatId, message_id: messageId, reaction: [{ type: 'emoji', emoji }] }),
    'debug');
  }

  async chatAction(chatId: number, action: 'typing' | 'upload_document' | 'upload_photo' = 'typing'): Promise<void> {
    await this.quietly('sendChatAction', () => this.api.sendChatAction({ chat_id: chatId, action }), 'debug');
  }

  /** True when the message is gone afterwards (deleted now or before); never throws. */
  async deleteMessage(chatId: number, messageId: number): Promise<boolean> {
    try {
      await this.api.deleteMessage({ chat_id: chatId, message_id: messageId });
      return true;
    } catch (err) {
      const kind = classifyFailure(err);
      if (kind === 'gone') return true;
      if (kind === undefined) throw err;
      log.warn('deleteMessage failed', { chat_id: chatId, message_id: messageId, error: describeError(err) });
      return false;
    }
  }

  /** Publishes the command menu in English (the default) and in each translation. False if any failed (logged). */
  async setCommands(): Promise<boolean> {
    let allSet = true;
    for (const lang of LANGS) {
      const commands = PUBLISHED_COMMANDS.map((command) => ({ command, description: t(lang, `cmd.${command}`) }));
      const params = lang === 'en' ? { commands } : { commands, language_code: lang };
      const key = `setMyCommands:${lang}`;
      const set = await this.pacer.run(key, (turn) => this.attempt(key, turn, () => this.api.setMyCommands(params), true));
      if (!set.ok) {
        allSet = false;
        log.warn('setMyCommands failed; the command menu may be out of date', { lang, error: describeError(set.err) });
      }
    }
    return allSet;
  }

  // ── internals ─────────────────────────────────────────────────────────────────────────────────────────────────

  /**
   * One request with its retries, each awaiting the chat's turn: a 429 pauses the chat for retry_after, a 5xx or
   * a connection never made backs off; what may have reached Telegram is repeated only when `repeatable`.
   */
  private async attempt<T>(key: number | string, turn: Turn, request: () => Promise<T>, repeatable: boolean): Promise<Outcome<T>> {
    let uncertain = false;
    for (let retry = 0; ; retry++) {
      await turn();
      try {
        return { ok: true, value: await request() };
      } catch (err) {
        const kind = classifyFailure(err);
        if (kind === undefined) throw err;
        uncertain ||= kind === 'uncertain' || kind === 'server';
        const again = kind === 'uncertain' ? repeatable : kind === 'rate-limited' || kind === 'network' || kind === 'server';
        if (!again || retry >= this.maxRetries) return { ok: false, err, kind, uncertain };
        const retryAfterS = err instanceof TelegramApiError ? err.retryAfter : undefined;
        const waitMs = kind === 'rate-limited' ? (retryAfterS ?? 1) * 1000 : backoffMs(retry);
        log.debug('request failed; retrying', { key, error: describeError(err), wait_ms: waitMs, retry: retry + 1 });
        this.pacer.pause(key, waitMs);
      }
    }
  }

  /** `attempt`, then once more as plain text when Telegram cannot parse the HTML (a formatter bug must not lose text). */
  private async withPlainFallback<P extends { parse_mode?: string; text?: string; caption?: string }, T>(
    chatId: number, turn: Turn, params: P, field: 'text' | 'caption', request: (p: P) => Promise<T>, repeatable: boolean,
  ): Promise<Outcome<T>> {
    const first = await this.attempt(chatId, turn, () => request(params), repeatable);
    if (first.ok || first.kind !== 'unparsable') return first;
    log.warn('Telegram could not parse the HTML; sending it as plain text', { chat_id: chatId, error: describeError(first.err) });
    const { parse_mode: _dropped, ...plain } = params;
    const fallback = { ...plain, [field]: htmlToPlain(params[field] ?? '') } as P;
    return this.attempt(chatId, turn, () => request(fallback), repeatable);
  }

  /** The send's kind: `uncertain` once any attempt may have reached Telegram, else the last failure's. */
  private sendFailed(method: string, chatId: number, failed: Failed, deliveredIds: number[]): SendResult {
    const error = describeError(failed.err);
    const kind = failed.uncertain ? 'uncertain' : failed.kind;
    log.warn(`${method} failed`, { chat_id: chatId, error, kind, delivered_parts: deliveredIds.length });
    return { ...fail(kind, error), deliveredIds };
  }

  /** Runs a call whose failure must not reach the caller; a bug (not a Telegram or network failure) is logged loudly. */
  private async quietly(method: string, call: () => Promise<unknown>, level: 'debug' | 'warn' = 'warn'): Promise<void> {
    try {
      await call();
    } catch (err) {
      const bug = classifyFailure(err) === undefined;
      log[bug ? 'error' : level](`${method} failed`, { error: describeError(err) });
    }
  }
}
