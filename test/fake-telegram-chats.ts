/**
 * The state of the fake Bot API: the chats as their people see them (messages, users, files), callback queries and
 * command sets; what a test user's actions do to them; how a stored message looks on the wire. No HTTP, no update
 * queue, no Bot API checks.
 */
import type { CallbackQuery, Chat, Message, MessageEntity, User } from 'node-telegram-bot-api';
import type { BotCommand } from './fake-telegram-rules.js';

/** A person in the chat, as tests describe them. */
export interface TestUser {
  id: number;
  first_name?: string;
  last_name?: string;
  username?: string;
  language_code?: string;
}

export interface FileInfo {
  file_id: string;
  file_unique_id: string;
  file_name?: string;
  mime_type?: string;
  file_size: number;
}

/** A message as the person in the chat sees it (deleted ones stay, flagged). */
export interface ChatMessage {
  message_id: number;
  chat_id: number;
  from_bot: boolean;
  from_id: number;
  kind: 'text' | 'document' | 'photo' | 'media';
  /** Unix seconds. */
  date: number;
  edit_date?: number;
  /** What the person reads: the text, or the caption of a document or photo, after entity parsing and trimming. */
  text: string;
  /** The string exactly as it was sent, markup included. */
  raw: string;
  parse_mode?: string;
  entities: MessageEntity[];
  reply_markup?: object;
  reply_to_message_id?: number;
  /** Successful edits of text or keyboard. */
  editCount: number;
  /** The texts this message showed before each edit that changed its text, oldest first. */
  previousTexts: string[];
  deleted: boolean;
  document?: FileInfo;
  photo?: FileInfo;
  /** A user's message of any other kind: its Bot API fields as sent (photo sizes, audio, sticker, media_group_id…). */
  media?: Record<string, unknown>;
  /** The bot's reaction on this message. */
  reactions: string[];
}

export interface AnsweredCallback { id: string; text?: string; show_alert: boolean; url?: string }

/** Where a test user's message goes: their private chat unless a group chatId is given. */
export interface UserChat { chatId?: number; chatType?: 'private' | 'group' | 'supergroup' }

export interface UserMessageExtra extends UserChat {
  replyTo?: number;
  /** Instead of the bot_command entities found in the text. */
  entities?: MessageEntity[];
}

export interface ChatRecord { chat: Chat; messages: ChatMessage[]; nextMessageId: number }
export interface StoredFile extends FileInfo { file_path: string; content: Buffer }
export type NewMessage = Omit<
  ChatMessage,
  'message_id' | 'chat_id' | 'date' | 'editCount' | 'previousTexts' | 'deleted' | 'reactions'
>;

export class FakeChats {
  readonly chats = new Map<number, ChatRecord>();
  readonly users = new Map<number, User>();
  readonly files = new Map<string, StoredFile>();
  readonly callbackQueries = new Map<string, { answered: boolean }>();
  readonly answeredCallbacks: AnsweredCallback[] = [];
  /** Keyed by commandKey(): scope JSON and language_code. */
  readonly commandSets = new Map<string, BotCommand[]>();
  readonly descriptions = new Map<string, string>();
  private nextFileId = 1;
  private nextCallbackId = 1;

  constructor(
    readonly bot: User,
    private readonly now: () => number,
  ) {}

  register(chat: Chat): ChatRecord {
    let record = this.chats.get(chat.id);
    if (!record) {
      record = { chat: { ...chat }, messages: [], nextMessageId: 1 };
      this.chats.set(chat.id, record);
    }
    return record;
  }

  /** The chat a test user writes in: their private chat, or the group `chatId`. Remembers the user. */
  chatOfUser(user: TestUser, extra: UserChat): ChatRecord {
    const apiUser: User = { id: user.id, is_bot: false, first_name: user.first_name ?? `User ${user.id}` };
    if (user.last_name !== undefined) apiUser.last_name = user.last_name;
    if (user.username !== undefined) apiUser.username = user.username;
    if (user.language_code !== undefined) apiUser.language_code = user.language_code;
    this.users.set(user.id, apiUser);
    const type = extra.chatType ?? (extra.chatId === undefined || extra.chatId === user.id ? 'private' : 'group');
    if (type !== 'private' && extra.chatId === undefined) throw new Error(`a ${type} message needs extra.chatId`);
    const id = extra.chatId ?? user.id;
    if (type !== 'private') return this.register({ id, type, title: `Group ${id}` });
    const username = user.username === undefined ? {} : { username: user.username };
    return this.register({ id, type, first_name: apiUser.first_name, ...username });
  }

  // ── what test users do; each returns the update's payload ─────────────────────────────────────────────────────

  userMessage(user: TestUser, text: string, extra: UserMessageExtra): Message {
    const record = this.chatOfUser(user, extra);
    if (extra.replyTo !== undefined && !this.live(record, extra.replyTo)) {
      throw new Error(`userSends: message ${extra.replyTo} does not exist in chat ${record.chat.id}`);
    }
    const message = this.add(record, {
      from_bot: false, from_id: user.id, kind: 'text', text, raw: text,
      entities: extra.entities ?? botCommandEntities(text), reply_to_message_id: extra.replyTo,
    });
    return this.toApiMessage(record, message);
  }

  userEdit(user: TestUser, messageId: number, text: string, extra: UserChat): Message {
    const record = this.chatOfUser(user, extra);
    const message = this.live(record, messageId);
    if (!message || message.from_bot || message.from_id !== user.id) {
      throw new Error(`userEditsMessage: user ${user.id} has no message ${messageId} in chat ${record.chat.id}`);
    }
    message.previousTexts.push(message.text);
    Object.assign(message, { text, raw: text, entities: botCommandEntities(text) });
    this.markEdited(message);
    return this.toApiMessage(record, message);
  }

  userPress(user: TestUser, messageId: number, data: string, extra: UserChat & { force?: boolean }): CallbackQuery {
    const record = this.chatOfUser(user, extra);
    const message = this.live(record, messageId);
    if (!extra.force) {
      if (!message) throw new Error(`userPresses: no message ${messageId} in chat ${record.chat.id}`);
      const onScreen = inlineButtons(message.reply_markup).map((button) => button.callback_data);
      if (!onScreen.includes(data)) {
        throw new Error(`userPresses: message ${messageId} has no button "${data}"; it has ${JSON.stringify(onScreen)}`);
      }
    }
    const id = String(5_000_000_000_000 + this.nextCallbackId++);
    this.callbackQueries.set(id, { answered: false });
    const inaccessible = { chat: record.chat, message_id: messageId, date: 0 } as Message;
    return {
      id, from: this.users.get(user.id)!, chat_instance: `fake-${record.chat.id}`, data,
      message: message ? this.toApiMessage(record, message) : inaccessible,
    };
  }

  userFile(user: TestUser, kind: 'document' | 'photo', file: StoredFile, caption = '', extra: UserChat = {}): Message {
    const record = this.chatOfUser(user, extra);
    const message = this.add(record, {
      from_bot: false, from_id: user.id, kind, text: caption, raw: caption, entities: [], [kind]: fileInfo(file),
    });
    return this.toApiMessage(record, message);
  }

  /** A message of any kind a person can send (kind 'media'): `fields` are its Bot API fields beside the caption. */
  userMedia(user: TestUser, fields: Record<string, unknown>, caption = '', extra: UserMessageExtra = {}): Message {
    const record = this.chatOfUser(user, extra);
    const message = this.add(record, {
      from_bot: false, from_id: user.id, kind: 'media', text: caption, raw: caption, entities: [], media: fields,
      reply_to_message_id: extra.replyTo,
    });
    return this.toApiMessage(record, message);
  }

  // ── the store ──────────────────────────────────────────────────────────────────────────────────────────────────

  live(record: ChatRecord, id: number): ChatMessage | undefined {
    return record.messages.find((m) => m.message_id === id && !m.deleted);
  }

  add(record: ChatRecord, fields: NewMessage): ChatMessage {
    const message: ChatMessage = {
      message_id: record.nextMessageId++, chat_id: record.chat.id, date: this.seconds(),
      editCount: 0, previousTexts: [], deleted: false, reactions: [], ...fields,
    };
    record.messages.push(message);
    return message;
  }

  /** Counts an edit of `message`; a changed text is remembered in previousTexts by the caller. */
  markEdited(message: ChatMessage): void {
    message.editCount++;
    message.edit_date = this.seconds();
  }

  storeFile(name: string, mimeType: string, content: Buffer, folder: string): StoredFile {
    const n = this.nextFileId++;
    const extension = /\.[A-Za-z0-9]{1,10}$/.exec(name)?.[0] ?? '';
    const file: StoredFile = {
      file_id: `fake-${folder}-${n}`, file_unique_id: `fake-unique-${n}`, file_name: name, mime_type: mimeType,
      file_size: content.length, file_path: `${folder}/file_${n}${extension}`, content: Buffer.from(content),
    };
    this.files.set(file.file_id, file);
    return file;
  }

  /** The Bot API Message object for a stored message, detached from the store. */
  toApiMessage(record: ChatRecord, m: ChatMessage, withReply = true): Message {
    const from = m.from_bot ? this.bot : this.users.get(m.from_id);
    const message: Record<string, unknown> = { message_id: m.message_id, from, chat: record.chat, date: m.date };
    if (m.edit_date !== undefined) message.edit_date = m.edit_date;
    const entities = m.entities.length > 0 ? m.entities : undefined;
    if (m.kind === 'text') Object.assign(message, { text: m.text, entities });
    else if (m.text) Object.assign(message, { caption: m.text, caption_entities: entities });
    if (m.document) message.document = m.document;
    if (m.media) Object.assign(message, structuredClone(m.media));
    if (m.photo) {
      const { file_id, file_unique_id, file_size } = m.photo;
      message.photo = [{ file_id, file_unique_id, file_size, width: 320, height: 320 }];
    }
    // Only inline keyboards belong to a message; a reply keyboard is the chat's.
    if (m.reply_markup && 'inline_keyboard' in m.reply_markup) message.reply_markup = m.reply_markup;
    const target = m.reply_to_message_id === undefined ? undefined : this.live(record, m.reply_to_message_id);
    if (target && withReply) message.reply_to_message = this.toApiMessage(record, target, false);
    return JSON.parse(JSON.stringify(message)) as Message; // also drops the undefined fields
  }

  seconds(): number {
    return Math.floor(this.now() / 1000);
  }
}

export function fileInfo(file: StoredFile): FileInfo {
  const { file_id, file_unique_id, file_name, mime_type, file_size } = file;
  return { file_id, file_unique_id, file_name, mime_type, file_size };
}

export function inlineButtons(markup: object | undefined): Array<{ text?: unknown; callback_data?: unknown }> {
  if (!markup || !('inline_keyboard' in markup) || !Array.isArray(markup.inline_keyboard)) return [];
  return markup.inline_keyboard.flat();
}

/** bot_command entities as Telegram finds them in a user's text: /cmd or /cmd@bot, not inside a word or a path. */
export function botCommandEntities(text: string): MessageEntity[] {
  const pattern = /(?<![\p{L}\p{N}_/<>])\/[a-zA-Z0-9_]{1,64}(?:@[a-zA-Z0-9_]{3,32})?(?![\p{L}\p{N}_/<>@])/gu;
  return [...text.matchAll(pattern)].map((m) => ({ type: 'bot_command', offset: m.index, length: m[0].length }));
}
