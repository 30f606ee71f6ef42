/**
 * A strict fake of the Telegram Bot API on 127.0.0.1 for integration tests: the daemon reaches it through
 * TELEGRAM_API_ROOT; tests play the person in the chat, inject failures, and read the chat back as that person sees
 * it. This file owns HTTP, routing, failure injection and the test-side surface. Elsewhere: the methods
 * (fake-telegram-methods.ts), the chats (-chats.ts), the update queue (-updates.ts), the content rules (-rules.ts),
 * request decoding (-multipart.ts), HTML parse mode (telegram-html.ts).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CallbackQuery, Chat, Message, Update } from 'node-telegram-bot-api';
import {
  FakeChats, type AnsweredCallback, type ChatMessage, type TestUser, type UserChat, type UserMessageExtra,
} from './fake-telegram-chats.js';
import { METHODS, commandKey, intParam, str, type MethodContext, type Outcome } from './fake-telegram-methods.js';
import { readParams, type Params } from './fake-telegram-multipart.js';
import { ApiError, CONFLICT, badRequest, parseJson, type BotCommand, type TextRules } from './fake-telegram-rules.js';
import { UpdateQueue, type UpdateKind } from './fake-telegram-updates.js';

export { ApiError } from './fake-telegram-rules.js';
export type { BotCommand } from './fake-telegram-rules.js';
export type { AnsweredCallback, ChatMessage, FileInfo, TestUser, UserChat, UserMessageExtra } from './fake-telegram-chats.js';

export interface FakeTelegramOptions {
  token?: string;
  botId?: number;
  botUsername?: string;
  /**
   * Refuse what Telegram accepts but shows differently from what was meant: HTML per parseTelegramHtml's strict mode,
   * and text holding U+FFFD (what a split surrogate pair becomes on the wire). Default true.
   */
  strict?: boolean;
  /** How text is measured against 4096/1024: TDLib counts code points for bots; 'utf16' (default) is stricter. */
  lengthUnit?: TextRules['lengthUnit'];
  /** Clock in ms for message dates and call times. */
  now?: () => number;
}

/** One request; `ok` stays undefined while it is in flight (a long poll, a hang). */
export interface ApiCall {
  method: string;
  /** Decoded: JSON fields parsed, files summarised. */
  params: Record<string, unknown>;
  /** now() when the request arrived, in ms. */
  at: number;
  ok?: boolean;
  errorCode?: number;
  description?: string;
  result?: unknown;
}

export interface Failure { errorCode: number; description?: string; retryAfter?: number }

/** A file a person sends. fileSize: the size the message declares (default the content's; null: none, as Telegram
 * sometimes omits it); mediaGroupId: a part of an album. */
export interface UserMedia {
  content: Buffer;
  filename?: string;
  caption?: string;
  mimeType?: string;
  fileSize?: number | null;
  mediaGroupId?: string;
}
export type MediaKind = 'document' | 'photo' | 'audio' | 'video' | 'animation' | 'video_note' | 'voice';

const FILE_DOWNLOAD = '(file download)';
const LONG_POLL_MAX_TIMEOUT_S = 50;
const JSON_FIELDS = new Set([
  'reply_markup', 'entities', 'caption_entities', 'reply_parameters', 'link_preview_options', 'commands', 'scope',
  'reaction', 'allowed_updates',
]);

export async function startFakeTelegram(options: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const fake = new FakeTelegram(options);
  await fake.listen();
  return fake;
}

export class FakeTelegram {
  readonly token: string;
  /** Every request in arrival order, including failed, dropped and pending ones. */
  readonly calls: ApiCall[] = [];

  private apiRoot = '';
  private readonly server: Server;
  private readonly context: MethodContext;
  private readonly chats: FakeChats;
  private readonly now: () => number;
  private readonly startedAt: number;
  private readonly failures = new Map<string, Failure[]>();
  private readonly hangs = new Map<string, number[]>();
  private readonly wakeHangs = new Set<() => void>();
  private readonly inFlight = new Set<ServerResponse>();
  private readonly listeners = new Set<() => void>();
  private readonly updates = new UpdateQueue();
  private down = false;
  private brokenDownloads = 0;

  constructor(options: FakeTelegramOptions = {}) {
    this.token = options.token ?? '123456:TEST-fake-telegram-token';
    this.now = options.now ?? Date.now;
    this.startedAt = this.now();
    const bot = {
      id: options.botId ?? (Number(this.token.split(':')[0]) || 123456), is_bot: true, first_name: 'ccbot test',
      username: options.botUsername ?? 'ccbot_test_bot',
    };
    this.chats = new FakeChats(bot, this.now);
    this.context = {
      chats: this.chats,
      rules: { strict: options.strict ?? true, lengthUnit: options.lengthUnit ?? 'utf16' },
    };
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        // A bug in the fake: loud in the test that hit it, rather than a request that never ends.
        const stack = err instanceof Error ? err.stack : String(err);
        if (!res.headersSent) res.writeHead(500).end(`fake-telegram crashed: ${stack}`);
      });
    });
  }

  /** The API root for TELEGRAM_API_ROOT: http://127.0.0.1:<port>. */
  get url(): string {
    return this.apiRoot;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => resolve());
    });
    this.apiRoot = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.down = true; // a request still arriving is dropped, not served
    this.updates.close();
    for (const wake of [...this.wakeHangs]) wake();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ── the person in the chat ─────────────────────────────────────────────────────────────────────────────────────

  /** Makes a chat known to the bot without a message (a private chat becomes known when its user writes). */
  registerChat(chat: Chat): void {
    this.chats.register(chat);
  }

  /** The user writes `text`; a command gets its bot_command entity. Queues a `message` update. */
  userSends(user: TestUser, text: string, extra: UserMessageExtra = {}): Message {
    return this.emit('message', this.chats.userMessage(user, text, extra));
  }

  /** The user edits one of their messages. Queues an `edited_message` update. */
  userEditsMessage(user: TestUser, messageId: number, text: string, extra: UserChat = {}): Message {
    return this.emit('edited_message', this.chats.userEdit(user, messageId, text, extra));
  }

  /**
   * The user presses the inline button carrying `callbackData` on message `messageId`; returns the callback query id.
   * Throws when no such button is on screen, unless `force` (a press racing the edit that removed the button).
   */
  userPresses(user: TestUser, messageId: number, data: string, extra: UserChat & { force?: boolean } = {}): string {
    return this.emit('callback_query', this.chats.userPress(user, messageId, data, extra)).id;
  }

  /** The user sends a file; getFile and the download path serve it back. Queues a `message` update. */
  userSendsDocument(
    user: TestUser,
    doc: { filename: string; content: Buffer; caption?: string; mimeType?: string },
    extra: UserChat = {},
  ): Message {
    const mimeType = doc.mimeType ?? 'application/octet-stream';
    const file = this.chats.storeFile(doc.filename, mimeType, doc.content, 'documents');
    return this.emit('message', this.chats.userFile(user, 'document', file, doc.caption, extra));
  }

  userSendsPhoto(user: TestUser, photo: { content: Buffer; caption?: string }, extra: UserChat = {}): Message {
    const file = this.chats.storeFile('photo.jpg', 'image/jpeg', photo.content, 'photos');
    return this.emit('message', this.chats.userFile(user, 'photo', file, photo.caption, extra));
  }

  /** The user sends a file of any kind, as Telegram shows it to a bot: a photo in two sizes (a thumbnail, then the
   * full one, whose bytes are `content`), a document with its name, a voice note with its duration. */
  userSendsMedia(user: TestUser, kind: MediaKind, media: UserMedia, extra: UserMessageExtra = {}): Message {
    const stored = this.chats.storeFile(media.filename ?? `${kind}.bin`, media.mimeType ?? 'application/octet-stream',
      media.content, `${kind}s`);
    const size = media.fileSize === null ? {} : { file_size: media.fileSize ?? media.content.length };
    const ids = { file_id: stored.file_id, file_unique_id: stored.file_unique_id, ...size };
    let fields: Record<string, unknown>;
    if (kind === 'photo') {
      const thumb = this.chats.storeFile('thumb.jpg', 'image/jpeg', Buffer.from('a small thumbnail'), 'photos');
      const small = { file_id: thumb.file_id, file_unique_id: thumb.file_unique_id, file_size: thumb.file_size };
      fields = { photo: [{ ...small, width: 90, height: 90 }, { ...ids, width: 1280, height: 960 }] };
    } else {
      const named = media.filename === undefined || kind === 'voice' || kind === 'video_note'
        ? {} : { file_name: media.filename };
      const mime = media.mimeType === undefined || kind === 'video_note' ? {} : { mime_type: media.mimeType };
      fields = { [kind]: { ...ids, ...named, ...mime, duration: 3 } };
    }
    if (media.mediaGroupId !== undefined) fields.media_group_id = media.mediaGroupId;
    return this.emit('message', this.chats.userMedia(user, fields, media.caption, extra));
  }

  /** The user sends something that is neither text nor a file: `fields` are its Bot API fields, e.g.
   * `{ sticker: {…} }` or `{ location: { latitude, longitude } }`. */
  userSendsOther(user: TestUser, fields: Record<string, unknown>, extra: UserChat = {}): Message {
    return this.emit('message', this.chats.userMedia(user, fields, '', extra));
  }

  // ── what tests read ────────────────────────────────────────────────────────────────────────────────────────────

  callsTo(method: string): ApiCall[] {
    return this.calls.filter((call) => call.method.toLowerCase() === method.toLowerCase());
  }

  /** Bot and user messages of a chat in order, deleted ones flagged; copies, so tests cannot alter the chat. */
  messages(chatId: number): ChatMessage[] {
    return structuredClone(this.chats.chats.get(chatId)?.messages ?? []);
  }

  lastBotMessage(chatId: number): ChatMessage | undefined {
    return this.messages(chatId).filter((m) => m.from_bot && !m.deleted).at(-1);
  }

  get answeredCallbacks(): AnsweredCallback[] {
    return structuredClone(this.chats.answeredCallbacks);
  }

  /** The bytes of a stored file, uploaded by the bot or sent by a user. */
  fileContent(fileId: string): Buffer | undefined {
    const file = this.chats.files.get(fileId);
    return file && Buffer.from(file.content);
  }

  /** Commands set for the default scope, by language_code ('' = every language). */
  get commands(): Record<string, BotCommand[]> {
    return this.commandsIn({ type: 'default' });
  }

  /** Commands set for a scope (e.g. `{ type: 'chat', chat_id: 1001 }`), by language_code ('' = every language). */
  commandsIn(scope: object): Record<string, BotCommand[]> {
    const wanted = (commandKey({ scope: JSON.stringify(scope) }) as string).split('\n')[0];
    const byLanguage: Record<string, BotCommand[]> = {};
    for (const [key, commands] of this.chats.commandSets) {
      const [scope, language] = key.split('\n') as [string, string];
      if (scope === wanted) byLanguage[language] = structuredClone(commands);
    }
    return byLanguage;
  }

  /** Telegram hands out the update that carried message `messageId` again, same id and content (its offset was never
   * confirmed: the bot crashed before it recorded the update as handled). */
  redeliverMessage(messageId: number): void {
    const id = this.updates.idOf((u) => (u as { message?: Message }).message?.message_id === messageId);
    if (id === undefined) throw new Error(`redeliverMessage: no update carried message ${messageId}`);
    this.updates.redeliver(id);
    this.notify();
  }

  /** Updates queued and not yet confirmed by a getUpdates offset. */
  get pendingUpdates(): Update[] {
    return this.updates.pending;
  }

  /** True while a getUpdates long poll is waiting. */
  get isPolling(): boolean {
    return this.updates.isPolling;
  }

  /**
   * Resolves with the predicate's first truthy value. Re-checked on every state change (each call and update), never
   * on a timer. Rejects after `timeoutMs` with the recent calls, which usually say why.
   */
  waitFor<T>(
    predicate: (fake: FakeTelegram) => T | undefined | null | false,
    timeoutMs = 5000,
    label = String(predicate),
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const settle = (finish: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(check);
        finish();
      };
      const check = () => {
        try {
          const value = predicate(this);
          if (value) settle(() => resolve(value));
        } catch (err) {
          settle(() => reject(err));
        }
      };
      const timer = setTimeout(() => {
        const what = `waitFor timed out after ${timeoutMs} ms: ${label.slice(0, 300)}`;
        settle(() => reject(new Error(`${what}\nrecent calls:\n${this.describeCalls()}`)));
      }, timeoutMs);
      this.listeners.add(check);
      check();
    });
  }

  /** The last calls, one line each: for failure messages. */
  describeCalls(count = 15): string {
    const lines = this.calls.slice(-count).map((call) => {
      const outcome = call.ok === undefined ? 'pending' : call.ok ? 'ok' : `${call.errorCode ?? 'dropped'} ${call.description}`;
      const params = JSON.stringify(call.params).slice(0, 200);
      return `  +${call.at - this.startedAt}ms ${call.method} ${params} → ${outcome}`;
    });
    return lines.join('\n') || '  (no calls)';
  }

  // ── failure injection ──────────────────────────────────────────────────────────────────────────────────────────

  /** The next `times` calls of `method` ('*' = any) fail with this error instead of running. */
  failNext(method: string, failure: Failure, times = 1): void {
    const queue = this.failures.get(method.toLowerCase()) ?? [];
    for (let i = 0; i < times; i++) queue.push(failure);
    this.failures.set(method.toLowerCase(), queue);
  }

  /**
   * The next call of `method` waits `ms` before it runs (Infinity: until setDown or close). Like a request Telegram
   * received, it still takes effect after the wait even if the client gave up meanwhile.
   */
  hangNext(method: string, ms = Infinity): void {
    const queue = this.hangs.get(method.toLowerCase()) ?? [];
    queue.push(ms);
    this.hangs.set(method.toLowerCase(), queue);
  }

  /** The next `times` file downloads send half the bytes (announcing them all), then the connection drops. */
  breakNextDownload(times = 1): void {
    this.brokenDownloads += times;
  }

  /** While down, every request's connection is destroyed, as in a network outage; going down drops open ones. */
  setDown(down: boolean): void {
    this.down = down;
    if (!down) return;
    for (const res of this.inFlight) res.socket?.destroy();
    for (const wake of [...this.wakeHangs]) wake();
  }

  // ── HTTP ───────────────────────────────────────────────────────────────────────────────────────────────────────

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const api = /^\/bot([^/]*)\/([A-Za-z]+)$/.exec(url.pathname);
    const download = /^\/file\/bot([^/]*)\/(.+)$/.exec(url.pathname);
    // The path holds the token: log the method name only.
    const method = api?.[2] ?? (download ? FILE_DOWNLOAD : '(unknown path)');
    const call: ApiCall = { method, params: {}, at: this.now() };
    this.calls.push(call);
    if (this.down) return this.drop(call, res);
    this.inFlight.add(res);
    res.on('close', () => this.inFlight.delete(res));

    const token = api?.[1] ?? download?.[1];
    if (token === undefined) return this.respond(call, res, new ApiError(404, 'Not Found'));
    if (token !== this.token) return this.respond(call, res, new ApiError(401, 'Unauthorized'));
    if (download) {
      await this.hangIfAsked(FILE_DOWNLOAD); // hangNext('(file download)'): a download that never comes
      return this.down ? this.drop(call, res) : this.serveFile(call, res, decodeURIComponent(download[2]!));
    }

    const params = await readParams(req, url.searchParams);
    if (params instanceof Error) return this.respond(call, res, badRequest(`[fake-telegram] ${params.message}`));
    call.params = describeParams(params);
    this.notify(); // arrived: waitFor can see it in flight
    await this.hangIfAsked(method);
    if (this.down) return this.drop(call, res);
    const failure = this.takeFailure(method);
    if (failure) return this.respond(call, res, failure);

    const name = method.toLowerCase();
    if (name === 'getupdates') return this.getUpdates(params, call, res);
    if (name === 'deletewebhook') {
      if (params.drop_pending_updates === 'true') this.updates.clear();
      return this.respond(call, res, true);
    }
    if (name === 'getwebhookinfo') {
      const pending = this.updates.pending.length;
      return this.respond(call, res, { url: '', has_custom_certificate: false, pending_update_count: pending });
    }
    const run = METHODS[name];
    this.respond(call, res, run ? run(this.context, params) : new ApiError(404, 'Not Found'));
  }

  private respond(call: ApiCall, res: ServerResponse, outcome: Outcome): void {
    let body: object;
    if (outcome instanceof ApiError) {
      Object.assign(call, { ok: false, errorCode: outcome.errorCode, description: outcome.description });
      const parameters = outcome.retryAfter === undefined ? {} : { parameters: { retry_after: outcome.retryAfter } };
      body = { ok: false, error_code: outcome.errorCode, description: outcome.description, ...parameters };
    } else {
      Object.assign(call, { ok: true, result: outcome });
      body = { ok: true, result: outcome };
    }
    // Telegram answers with the error code as the HTTP status.
    const status = outcome instanceof ApiError ? outcome.errorCode : 200;
    if (!res.destroyed) res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    this.notify();
  }

  private drop(call: ApiCall, res: ServerResponse): void {
    Object.assign(call, { ok: false, description: 'connection destroyed: the fake is down' });
    res.socket?.destroy();
    this.notify();
  }

  private serveFile(call: ApiCall, res: ServerResponse, path: string): void {
    call.params = { file_path: path };
    const file = [...this.chats.files.values()].find((f) => f.file_path === path);
    if (!file) return this.respond(call, res, new ApiError(404, 'Not Found'));
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': file.content.length });
    if (this.brokenDownloads > 0) {
      this.brokenDownloads--;
      Object.assign(call, { ok: false, description: 'connection dropped half-way through the file' });
      res.write(file.content.subarray(0, file.content.length >> 1), () => res.socket?.destroy());
    } else {
      Object.assign(call, { ok: true, result: { bytes: file.content.length } });
      res.end(file.content);
    }
    this.notify();
  }

  private async hangIfAsked(method: string): Promise<void> {
    const ms = this.hangs.get(method.toLowerCase())?.shift();
    if (ms === undefined) return;
    await new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakeHangs.delete(wake);
        resolve();
      };
      const timer = Number.isFinite(ms) ? setTimeout(wake, ms) : undefined;
      this.wakeHangs.add(wake);
    });
  }

  private takeFailure(method: string): ApiError | undefined {
    const failure = this.failures.get(method.toLowerCase())?.shift() ?? this.failures.get('*')?.shift();
    if (!failure) return undefined;
    const retryAfter = failure.retryAfter ?? (failure.errorCode === 429 ? 1 : undefined);
    const description = failure.description ?? defaultDescription(failure.errorCode, retryAfter);
    return new ApiError(failure.errorCode, description, retryAfter);
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener();
  }

  // ── updates ────────────────────────────────────────────────────────────────────────────────────────────────────

  private getUpdates(params: Params, call: ApiCall, res: ServerResponse): void {
    const allowed = parseJson(str(params.allowed_updates) ?? '');
    const withdraw = this.updates.getUpdates(
      {
        offset: intParam(params.offset) ?? 0,
        limit: clamp(intParam(params.limit) ?? 100, 1, 100),
        timeoutS: clamp(intParam(params.timeout) ?? 0, 0, LONG_POLL_MAX_TIMEOUT_S),
        ...(Array.isArray(allowed) ? { allowedUpdates: allowed.filter((k) => typeof k === 'string') } : {}),
      },
      (outcome) => this.respond(call, res, outcome),
    );
    res.on('close', () => {
      if (!withdraw()) return; // answered already
      const description = this.down ? 'connection destroyed: the fake is down' : 'the client closed the long poll';
      Object.assign(call, { ok: false, description });
      this.notify();
    });
    if (call.ok === undefined) this.notify(); // now polling
  }

  private emit<T extends Message | CallbackQuery>(kind: UpdateKind, payload: T): T {
    this.updates.push(kind, payload);
    this.notify();
    return payload;
  }
}

const clamp = (value: number, min: number, max: number): number => Math.min(max, Math.max(min, value));

function describeParams(params: Params): Record<string, unknown> {
  const described: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(params)) {
    if (typeof value !== 'string') {
      described[key] = { file: value.filename, bytes: value.content.length, contentType: value.contentType };
    } else {
      described[key] = JSON_FIELDS.has(key) ? (parseJson(value) ?? value) : value;
    }
  }
  return described;
}

function defaultDescription(errorCode: number, retryAfter: number | undefined): string {
  switch (errorCode) {
    case 429: return `Too Many Requests: retry after ${retryAfter}`;
    case 409: return CONFLICT;
    case 403: return 'Forbidden: bot was blocked by the user';
    case 401: return 'Unauthorized';
    case 400: return 'Bad Request';
    case 502: return 'Bad Gateway';
    default: return errorCode >= 500 ? 'Internal Server Error' : `Error ${errorCode}`;
  }
}
