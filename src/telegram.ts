/** Safe delivery to Telegram over node-telegram-bot-api's Api, which every other file sends through: splitting to
 * 4096, the plain-text fallback, retries that never repeat a message Telegram may already show, per-chat pacing.
 * Never throws for Telegram's answers or the network (telegram-failure.ts says what a failure allows). */
import { InputFile, TelegramApiError, type Api, type EditMessageTextParams, type InlineKeyboardMarkup,
  type Message, type SendMessageParams } from 'node-telegram-bot-api';
import { fromPath } from 'node-telegram-bot-api/node';
import { setTimeout as delay } from 'node:timers/promises';
import { htmlToPlain, splitHtml } from './format.js';
import { LANGS, t } from './i18n.js';
import { logger } from './log.cjs';
import { backoffMs, Pacer, type PacerOptions, type Turn } from './pacer.js';
import { classifyFailure, describeError, type TelegramKind } from './telegram-failure.js';
import { fail, type Failure } from './values.cjs';

const log = logger('telegram');
const MAX_MESSAGE_LENGTH = 4096;
const png = (bytes: Uint8Array) => new InputFile(bytes, { filename: 'screen.png' });
// No link previews: Claude's answers are full of URLs, and a preview card per message buries the text.
const AS_HTML = { parse_mode: 'HTML', link_preview_options: { is_disabled: true } } as const;

/** The commands in Telegram's menu, in this order; descriptions are the i18n keys `cmd.<name>`. */
const PUBLISHED_COMMANDS = [
  'menu', 'help', 'new', 'list', 'history', 'screenshot', 'stop', 'kill', 'done', 'archive', 'settings', 'mode',
  'resume', 'rename',
] as const;

/** How long a request may take before its outcome is called unknown ('uncertain'): a message, an edit or the menu;
 * an upload; a reaction or a button's answer. Once ccbot stops, what is under way gets afterStopMs, then is aborted. */
interface Timeouts { sendMs: number; uploadMs: number; quickMs: number; afterStopMs: number }
const TIMEOUTS: Timeouts = { sendMs: 15_000, uploadMs: 60_000, quickMs: 5_000, afterStopMs: 2_000 };

/** A failed send says what it allows by its kind; deliveredIds: the parts that arrived. */
export type SendResult = { ok: true; messageIds: number[] } | (Failure<TelegramKind> & { deliveredIds: number[] });

type SendOptions = { replyMarkup?: InlineKeyboardMarkup; replyTo?: number; silent?: boolean; photo?: Uint8Array };
type NewestOptions = SendOptions & { replyMarkup: InlineKeyboardMarkup; keep?: InlineKeyboardMarkup };

/** kind: the last failure's; uncertain: some attempt may have reached Telegram. */
type Failed = { ok: false; err: unknown; kind: TelegramKind; uncertain: boolean };
type Outcome<T> = { ok: true; value: T } | Failed;

export class Telegram {
  private readonly pacer: Pacer;
  private readonly maxRetries: number;
  private readonly timeouts: Timeouts;
  /** Aborts every request under way, afterStopMs after `stop`; nothing is sent after it. */
  private readonly halt = new AbortController();
  /** Per chat: the newest bot message carrying the session keyboard, and its buttons that stay after (`keep`). */
  private readonly keyboardMessages = new Map<number, { id: number; keep?: InlineKeyboardMarkup }>();
  /** Every text and caption passes through it before leaving (redact.ts). */
  private readonly mask: (text: string) => string;

  /** maxRetries: repeats of one request after a 429, a 5xx or a network failure (default 5). stop: ccbot stops. */
  constructor(
    private readonly api: Api,
    options: PacerOptions & {
      maxRetries?: number; timeouts?: Partial<Timeouts>; stop?: AbortSignal; mask?: (text: string) => string;
    } = {},
  ) {
    this.mask = options.mask ?? ((text) => text);
    // A chat paused by a 429 must not hold up a stopping daemon: the pause ends at the halt.
    const sleep = (ms: number) => delay(ms, undefined, { signal: this.halt.signal }).catch(() => undefined);
    this.pacer = new Pacer({ ...options, sleep: options.sleep ?? sleep });
    this.maxRetries = options.maxRetries ?? 5;
    this.timeouts = { ...TIMEOUTS, ...options.timeouts };
    const halt = () => setTimeout(() => this.halt.abort(), this.timeouts.afterStopMs).unref();
    options.stop?.addEventListener('abort', halt, { once: true });
    if (options.stop?.aborted) halt();
  }

  /** Sends Telegram HTML, split into parts of at most 4096 sent in order; the reply markup goes on the last part,
   * the reply on the first. A timeout or a dropped connection is not repeated (the message may be on screen): the
   * result's kind is `uncertain` and the caller decides. */
  async send(chatId: number, unmasked: string, options: SendOptions = {}): Promise<SendResult> {
    const html = this.mask(unmasked);
    if (options.photo) return this.upload(chatId, png(options.photo), { ...options, caption: html, asPhoto: true });
    const parts = html.length > MAX_MESSAGE_LENGTH ? splitHtml(html, MAX_MESSAGE_LENGTH) : [html];
    if (parts.length === 0) return { ...fail('rejected', 'nothing to send: the text is blank'), deliveredIds: [] };
    return this.pacer.run(chatId, async (turn) => {
      const ids: number[] = [];
      for (const [i, part] of parts.entries()) {
        const params: SendMessageParams = { chat_id: chatId, text: part, ...AS_HTML };
        if (options.silent) params.disable_notification = true;
        if (i === 0 && options.replyTo !== undefined) {
          params.reply_parameters = { message_id: options.replyTo, allow_sending_without_reply: true };
        }
        if (i === parts.length - 1 && options.replyMarkup) params.reply_markup = options.replyMarkup;
        const sent = await this.withPlainFallback(chatId, turn, params, (p, s) => this.api.sendMessage(p, s), false);
        if (!sent.ok) return this.sendFailed('sendMessage', chatId, sent, ids);
        ids.push(sent.value.message_id);
      }
      return { ok: true, messageIds: ids };
    }, 'message');
  }

  /** Replaces a message's text (a function: read when its turn comes). "Not modified" is success; a deleted or
   * uneditable message is `gone` (send anew). Trap: no reply_markup removes the keyboard, so pass the one to keep. */
  edit(
    chatId: number, messageId: number, html: string | (() => string),
    options: Pick<SendOptions, 'replyMarkup' | 'photo'> = {},
  ): Promise<{ ok: true } | Failure<TelegramKind>> {
    return this.pacer.run(chatId, async (turn) => {
      const text = this.mask(typeof html === 'string' ? html : html());
      const params: EditMessageTextParams = { chat_id: chatId, message_id: messageId, text, ...AS_HTML };
      if (options.replyMarkup) params.reply_markup = options.replyMarkup;
      const media = options.photo && { type: 'photo', media: png(options.photo), caption: text, ...AS_HTML } as const;
      const edited = media // a text message refuses a picture: 'rejected'
        ? await this.attempt(chatId, turn, (s) => this.api.editMessageMedia({ ...params, media }, s), true)
        : await this.withPlainFallback(chatId, turn, params, (p, s) => this.api.editMessageText(p, s), true);
      if (edited.ok || edited.kind === 'not-modified') return { ok: true };
      const error = describeError(edited.err);
      if (edited.kind !== 'gone') log.warn('editMessageText failed', { chat_id: chatId, message_id: messageId, error });
      return fail(edited.kind, error);
    });
  }

  /** Removes a message's inline keyboard (all but `keep`). Already bare or gone is fine; never throws. */
  async stripKeyboard(chatId: number, messageId: number, keep?: InlineKeyboardMarkup): Promise<void> {
    await this.quietly('editMessageReplyMarkup', () =>
      this.pacer.run(chatId, async (turn) => {
        const params = { chat_id: chatId, message_id: messageId, reply_markup: keep ?? { inline_keyboard: [] } };
        const done = await this.attempt(chatId, turn, (s) => this.api.editMessageReplyMarkup(params, s), true);
        if (!done.ok && done.kind !== 'not-modified' && done.kind !== 'gone') throw done.err;
      }, 'tidy'),
    );
  }

  /** Sends a message with the chat's buttons under its own `keep`: once a newer one comes, only `keep` stays. */
  async sendNewest(chatId: number, html: string, options: NewestOptions) {
    const rows = [...(options.keep?.inline_keyboard ?? []), ...options.replyMarkup.inline_keyboard];
    const sent = await this.send(chatId, html, { ...options, replyMarkup: { inline_keyboard: rows } });
    if (!sent.ok) return sent;
    const previous = this.keyboardMessages.get(chatId);
    this.keyboardMessages.set(chatId, { id: sent.messageIds.at(-1)!, keep: options.keep });
    // Not awaited: it waits for the chat's next slot, and the caller records the message as sent meanwhile (a crash
    // in that second would repeat it). Queued with the edits, after any edit of that message already waiting.
    if (previous !== undefined) void this.stripKeyboard(chatId, previous.id, previous.keep);
    return sent;
  }

  /** Whether `messageId` is the newest message with buttons (an edit of it keeps the chat's buttons). */
  isNewest(chatId: number, messageId: number): boolean {
    return this.keyboardMessages.get(chatId)?.id === messageId;
  }

  /** Uploads `content` as a file named `filename`; the caption is Telegram HTML (≤ 1024), with the plain fallback. */
  sendDocument(chatId: number, filename: string, content: string | Uint8Array, caption?: string): Promise<SendResult> {
    const bytes = typeof content === 'string' ? new TextEncoder().encode(this.mask(content)) : content;
    return this.upload(chatId, new InputFile(bytes, { filename }), { caption });
  }

  /** Uploads the file at `path` (streamed from disk) as a document, or as a photo when `asPhoto`. */
  async sendFile(
    chatId: number, path: string, options: { filename: string; caption?: string; asPhoto: boolean },
  ): Promise<SendResult> {
    return this.upload(chatId, await fromPath(path, { filename: options.filename }), options);
  }

  /** A photo Telegram refuses goes again as a document: its refusals (PHOTO_INVALID_DIMENSIONS, IMAGE_PROCESS_FAILED,
   * a photo over 10 MB) are 400s whose texts vary, and a document takes any file. */
  private upload(chatId: number, file: InputFile, options: SendOptions & { caption?: string; asPhoto?: boolean }) {
    const caption = { ...(options.caption ? { caption: this.mask(options.caption), parse_mode: 'HTML' as const } : {}),
      ...(options.replyMarkup && { reply_markup: options.replyMarkup }) };
    return this.pacer.run(chatId, async (turn): Promise<SendResult> => {
      const upload = <P extends { caption?: string }>(params: P, request: (p: P, s: AbortSignal) => Promise<Message>) =>
        this.withPlainFallback(chatId, turn, params, request, false, this.timeouts.uploadMs);
      let sent = options.asPhoto
        ? await upload({ chat_id: chatId, photo: file, ...caption }, (p, s) => this.api.sendPhoto(p, s))
        : undefined;
      if (sent && !sent.ok && sent.kind === 'rejected') {
        log.info('Telegram refused the photo; sending it as a document', { error: describeError(sent.err) });
      }
      if (!sent || (!sent.ok && sent.kind === 'rejected')) {
        sent = await upload({ chat_id: chatId, document: file, ...caption }, (p, s) => this.api.sendDocument(p, s));
      }
      if (!sent.ok) return this.sendFailed('upload', chatId, sent, []);
      return { ok: true, messageIds: [sent.value.message_id] };
    }, 'message');
  }

  /** Stops the button's spinner. An expired query (the daemon was down) is fine; never throws. */
  async answerCallback(queryId: string, text?: string): Promise<void> {
    const params = text === undefined ? { callback_query_id: queryId } : { callback_query_id: queryId, text };
    const request = (signal: AbortSignal) => this.api.answerCallbackQuery(params, signal);
    await this.quietly('answerCallbackQuery', () => this.within(this.timeouts.quickMs, request), 'debug');
  }

  /** A reaction on a message, e.g. a delivery receipt. Cosmetic: failures are logged at debug, never thrown. */
  async react(chatId: number, messageId: number, emoji: string): Promise<void> {
    const params = { chat_id: chatId, message_id: messageId, reaction: [{ type: 'emoji' as const, emoji }] };
    const request = (signal: AbortSignal) => this.api.setMessageReaction(params, signal);
    await this.quietly('setMessageReaction', () => this.within(this.timeouts.quickMs, request), 'debug');
  }

  /** Publishes the command menu to one person's chat, in English (the default) and in each translation; never to
   * the default scope, which shows it to anyone who opens the bot. False if any failed (logged). */
  async setCommands(chatId: number): Promise<boolean> {
    let allSet = true;
    const scope = { type: 'chat', chat_id: chatId } as const;
    for (const lang of LANGS) {
      const commands = PUBLISHED_COMMANDS.map((command) => ({ command, description: t(lang, `cmd.${command}`) }));
      const params = lang === 'en' ? { commands, scope } : { commands, scope, language_code: lang };
      const key = `setMyCommands:${chatId}:${lang}`;
      const request = (signal: AbortSignal) => this.api.setMyCommands(params, signal);
      const set = await this.pacer.run(key, (turn) => this.attempt(key, turn, request, true));
      if (set.ok) continue;
      allSet = false;
      log.warn('setMyCommands failed; the command menu may be out of date',
        { chat_id: chatId, lang, error: describeError(set.err) });
    }
    return allSet;
  }

  /** Removes the menu from the default scope, where versions before the per-chat menu published it. */
  async clearDefaultCommands(): Promise<void> {
    for (const lang of LANGS) {
      const params = lang === 'en' ? {} : { language_code: lang };
      const request = (signal: AbortSignal) => this.api.deleteMyCommands(params, signal);
      await this.quietly('deleteMyCommands', () => this.within(this.timeouts.sendMs, request));
    }
  }

  /** One request with its retries, each awaiting the chat's turn and ended after `timeoutMs`: a 429 pauses the chat
   * for retry_after, a 5xx or a connection never made backs off; what may have reached Telegram is repeated only
   * when `repeatable`. Once halted, nothing more is sent: that failure is 'network' (Telegram saw nothing). */
  private async attempt<T>(
    key: number | string, turn: Turn, request: (signal: AbortSignal) => Promise<T>, repeatable: boolean,
    timeoutMs = this.timeouts.sendMs,
  ): Promise<Outcome<T>> {
    let uncertain = false;
    for (let retry = 0; ; retry++) {
      await turn();
      if (this.halt.signal.aborted) {
        return { ok: false, err: new Error('not sent: ccbot is stopping'), kind: 'network', uncertain };
      }
      try {
        return { ok: true, value: await this.within(timeoutMs, request) };
      } catch (err) {
        const kind = classifyFailure(err);
        if (kind === undefined) throw err;
        uncertain ||= kind === 'uncertain' || kind === 'server';
        const again = kind === 'uncertain' ? repeatable : ['rate-limited', 'network', 'server'].includes(kind);
        if (!again || retry >= this.maxRetries) return { ok: false, err, kind, uncertain };
        const retryAfterS = err instanceof TelegramApiError ? err.retryAfter : undefined;
        const waitMs = kind === 'rate-limited' ? (retryAfterS ?? 1) * 1000 : backoffMs(retry);
        log.debug('request failed; retrying', { key, error: describeError(err), wait_ms: waitMs, retry: retry + 1 });
        this.pacer.pause(key, waitMs);
      }
    }
  }

  /** `attempt`, then again as plain text when Telegram cannot parse the HTML: a formatter bug must not lose text. */
  private async withPlainFallback<P extends { parse_mode?: string; text?: string; caption?: string }, T>(
    chatId: number, turn: Turn, params: P, request: (p: P, signal: AbortSignal) => Promise<T>, repeatable: boolean,
    timeoutMs?: number,
  ): Promise<Outcome<T>> {
    const first = await this.attempt(chatId, turn, (s) => request(params, s), repeatable, timeoutMs);
    if (first.ok || first.kind !== 'unparsable') return first;
    const error = describeError(first.err);
    log.warn('Telegram could not parse the HTML; sending it as plain text', { chat_id: chatId, error });
    const field = params.caption === undefined ? 'text' : 'caption';
    const { parse_mode: _dropped, ...plain } = params;
    const fallback = { ...plain, [field]: htmlToPlain(params[field] ?? '') } as P;
    return this.attempt(chatId, turn, (s) => request(fallback, s), repeatable, timeoutMs);
  }

  /** Runs `request` with a signal that aborts after `ms` or at the halt. Not AbortSignal.any over
   * AbortSignal.timeout: on Node 20 the garbage collector can take the timeout signal, and the abort never comes. */
  private async within<T>(ms: number, request: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DOMException(`no answer within ${ms} ms`, 'TimeoutError')), ms);
    const halted = () => deadline.abort(new DOMException('ccbot is stopping', 'AbortError'));
    this.halt.signal.addEventListener('abort', halted);
    if (this.halt.signal.aborted) halted();
    try {
      return await request(deadline.signal);
    } finally {
      clearTimeout(timer);
      this.halt.signal.removeEventListener('abort', halted);
    }
  }

  private sendFailed(method: string, chatId: number, failed: Failed, deliveredIds: number[]): SendResult {
    const error = describeError(failed.err);
    const kind = failed.uncertain ? 'uncertain' : failed.kind;
    log.warn(`${method} failed`, { chat_id: chatId, error, kind, delivered_parts: deliveredIds.length });
    return { ...fail(kind, error), deliveredIds };
  }

  /** Runs a call whose failure must not reach the caller; a bug (not a Telegram or network failure) logs an error. */
  private async quietly(method: string, call: () => Promise<unknown>, level: 'debug' | 'warn' = 'warn'): Promise<void> {
    try {
      await call();
    } catch (err) {
      const bug = classifyFailure(err) === undefined;
      log[bug ? 'error' : level](`${method} failed`, { error: describeError(err) });
    }
  }
}
