/**
 * The Bot API methods the fake serves (all but getUpdates and the webhook ones), over the FakeChats state, with the
 * checks and error strings of the real server (tdlib/telegram-bot-api, Client.cpp). Each returns a result or an
 * ApiError; none touches HTTP.
 */
import type { MessageEntity } from 'node-telegram-bot-api';
import { fileInfo, type ChatMessage, type ChatRecord, type FakeChats } from './fake-telegram-chats.js';
import type { Params } from './fake-telegram-multipart.js';
import {
  ApiError, CHAT_ACTIONS, NOT_MODIFIED, QUERY_TOO_OLD, badRequest, checkLanguageCode, formatText, isObject,
  normalizeMarkup, parseCommands, parseJson, parseReaction, parseReplyMarkup, type FormattedText, type TextRules,
} from './fake-telegram-rules.js';

/** A method's result, or an ApiError. */
export type Outcome = unknown;
export type Method = (context: MethodContext, params: Params) => Outcome;
export interface MethodContext { chats: FakeChats; rules: TextRules }

const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;

/** By lower-cased name: the server matches method names case-insensitively. */
export const METHODS: Record<string, Method> = {
  getme: ({ chats }) => ({
    ...chats.bot, can_join_groups: true, can_read_all_group_messages: false, supports_inline_queries: false,
  }),
  sendmessage: sendMessage,
  editmessagetext: editMessageText,
  editmessagereplymarkup: editMessageReplyMarkup,
  deletemessage: deleteMessage,
  answercallbackquery: answerCallbackQuery,
  sendchataction: sendChatAction,
  setmessagereaction: setMessageReaction,
  senddocument: (context, p) => sendFile(context, p, 'document'),
  sendphoto: (context, p) => sendFile(context, p, 'photo'),
  editmessagemedia: editMessageMedia,
  getfile: getFile,
  setmycommands: setMyCommands,
  getmycommands: getMyCommands,
  deletemycommands: deleteMyCommands,
  setmydescription: setMyDescription,
  getmydescription: ({ chats }, p) => ({ description: chats.descriptions.get(str(p.language_code) ?? '') ?? '' }),
};

function sendMessage({ chats, rules }: MethodContext, p: Params): Outcome {
  const content = formatText(str(p.text), str(p.parse_mode), str(p.entities), 'text', rules);
  if (content instanceof ApiError) return content;
  const markup = parseReplyMarkup(str(p.reply_markup));
  if (markup instanceof ApiError) return markup;
  const record = chatFor(chats, p);
  if (record instanceof ApiError) return record;
  const replyTo = replyTarget(chats, record, p);
  if (replyTo instanceof ApiError) return replyTo;
  const message = chats.add(record, {
    from_bot: true, from_id: chats.bot.id, kind: 'text', ...sent(content, p.text, p.parse_mode),
    reply_markup: normalizeMarkup(markup.markup), reply_to_message_id: replyTo,
  });
  return chats.toApiMessage(record, message);
}

function editMessageText({ chats, rules }: MethodContext, p: Params): Outcome {
  if (str(p.inline_message_id)) return badRequest('[fake-telegram] inline messages are not modelled');
  const content = formatText(str(p.text), str(p.parse_mode), str(p.entities), 'text', rules);
  if (content instanceof ApiError) return content;
  const markup = parseReplyMarkup(str(p.reply_markup));
  if (markup instanceof ApiError) return markup;
  const found = editableMessage(chats, p);
  if (found instanceof ApiError) return found;
  const { record, message } = found;
  if (message.kind !== 'text') return badRequest('there is no text in the message to edit');
  // An edit without reply_markup removes the inline keyboard, as on Telegram.
  const newMarkup = normalizeMarkup(markup.markup);
  const sameText = message.text === content.text && sameJson(message.entities, content.entities);
  if (sameText && sameJson(message.reply_markup, newMarkup)) return badRequest(NOT_MODIFIED);
  if (message.text !== content.text) message.previousTexts.push(message.text);
  Object.assign(message, sent(content, p.text, p.parse_mode), { reply_markup: newMarkup });
  chats.markEdited(message);
  return chats.toApiMessage(record, message);
}

function editMessageReplyMarkup({ chats }: MethodContext, p: Params): Outcome {
  if (str(p.inline_message_id)) return badRequest('[fake-telegram] inline messages are not modelled');
  const markup = parseReplyMarkup(str(p.reply_markup));
  if (markup instanceof ApiError) return markup;
  const found = editableMessage(chats, p);
  if (found instanceof ApiError) return found;
  const newMarkup = normalizeMarkup(markup.markup);
  if (sameJson(found.message.reply_markup, newMarkup)) return badRequest(NOT_MODIFIED);
  found.message.reply_markup = newMarkup;
  chats.markEdited(found.message);
  return chats.toApiMessage(found.record, found.message);
}

function deleteMessage({ chats }: MethodContext, p: Params): Outcome {
  const found = findMessage(chats, p, 'message to delete');
  if (found instanceof ApiError) return found;
  found.message.deleted = true;
  return true;
}

function answerCallbackQuery({ chats }: MethodContext, p: Params): Outcome {
  const id = str(p.callback_query_id) ?? '';
  const query = chats.callbackQueries.get(id);
  if (!query || query.answered) return badRequest(QUERY_TOO_OLD);
  query.answered = true;
  const text = str(p.text);
  const url = str(p.url);
  chats.answeredCallbacks.push({ id, show_alert: p.show_alert === 'true', ...(text && { text }), ...(url && { url }) });
  return true;
}

function sendChatAction({ chats }: MethodContext, p: Params): Outcome {
  const record = chatFor(chats, p);
  if (record instanceof ApiError) return record;
  return CHAT_ACTIONS.has(str(p.action) ?? '') ? true : badRequest('wrong parameter action in request');
}

function setMessageReaction({ chats }: MethodContext, p: Params): Outcome {
  const reactions = parseReaction(str(p.reaction));
  if (reactions instanceof ApiError) return reactions;
  const found = findMessage(chats, p, 'message to react');
  if (found instanceof ApiError) return found;
  found.message.reactions = reactions;
  return true;
}

/** sendDocument / sendPhoto: an upload, an "attach://part", or the file_id of a file the fake already holds. */
function sendFile({ chats, rules }: MethodContext, p: Params, kind: 'document' | 'photo'): Outcome {
  const caption = formatText(str(p.caption), str(p.parse_mode), str(p.caption_entities), 'caption', rules);
  if (caption instanceof ApiError) return caption;
  const markup = parseReplyMarkup(str(p.reply_markup));
  if (markup instanceof ApiError) return markup;
  const record = chatFor(chats, p);
  if (record instanceof ApiError) return record;
  const replyTo = replyTarget(chats, record, p);
  if (replyTo instanceof ApiError) return replyTo;
  const file = fileOf(chats, p, p[kind], kind);
  if (file instanceof ApiError) return file;
  const message = chats.add(record, {
    from_bot: true, from_id: chats.bot.id, kind, ...sent(caption, p.caption, p.parse_mode), [kind]: fileInfo(file),
    reply_markup: normalizeMarkup(markup.markup), reply_to_message_id: replyTo,
  });
  return chats.toApiMessage(record, message);
}

/** A file sent as `input`: an upload, an "attach://part" of the request, or the file_id of a file the fake holds. */
function fileOf(chats: FakeChats, p: Params, input: Params[string] | undefined, kind: 'document' | 'photo') {
  if (typeof input === 'string' && input.startsWith('attach://')) input = p[input.slice('attach://'.length)];
  if (input === undefined || input === '') return badRequest(`there is no ${kind} in the request`);
  if (typeof input !== 'string') {
    if (input.content.length === 0) return badRequest('file must be non-empty');
    const refused = kind === 'photo' ? photoProblem(input.content) : undefined;
    if (refused) return badRequest(refused);
    const folder = kind === 'document' ? 'documents' : 'photos';
    return chats.storeFile(input.filename, input.contentType, input.content, folder);
  }
  if (/^https?:\/\//i.test(input)) {
    return badRequest('[fake-telegram] sending a file by URL would leave 127.0.0.1; upload it or use a file_id');
  }
  return chats.files.get(input) ?? badRequest('wrong file identifier/HTTP URL specified');
}

/** editMessageMedia with a photo (the one media type modelled): a photo or document message of the bot's gets the new
 * file and caption (a caption left out is removed, as on Telegram); a text message has no media to edit. */
function editMessageMedia({ chats, rules }: MethodContext, p: Params): Outcome {
  if (str(p.inline_message_id)) return badRequest('[fake-telegram] inline messages are not modelled');
  const media = parseJson(str(p.media) ?? '');
  if (!isObject(media) || typeof media.type !== 'string') return badRequest("can't parse InputMedia JSON object");
  if (media.type !== 'photo') return badRequest('[fake-telegram] only a photo is modelled in editMessageMedia');
  const field = (value: unknown) =>
    (typeof value === 'string' ? value : value === undefined ? undefined : JSON.stringify(value));
  const [raw, parseMode] = [field(media.caption), field(media.parse_mode)];
  const caption = formatText(raw, parseMode, field(media.caption_entities), 'caption', rules);
  if (caption instanceof ApiError) return caption;
  const markup = parseReplyMarkup(str(p.reply_markup));
  if (markup instanceof ApiError) return markup;
  const found = editableMessage(chats, p);
  if (found instanceof ApiError) return found;
  const { record, message } = found;
  if (message.kind !== 'photo' && message.kind !== 'document') {
    return badRequest('there is no media in the message to edit');
  }
  const file = fileOf(chats, p, typeof media.media === 'string' ? media.media : undefined, 'photo');
  if (file instanceof ApiError) return file;
  if (message.text !== caption.text) message.previousTexts.push(message.text);
  Object.assign(message, sent(caption, raw, parseMode), {
    kind: 'photo', photo: fileInfo(file), document: undefined, reply_markup: normalizeMarkup(markup.markup),
  });
  chats.markEdited(message);
  return chats.toApiMessage(record, message);
}

/** Why Telegram refuses bytes as a photo: not an image it decodes (IMAGE_PROCESS_FAILED), or, read from a PNG's
 * header, sides too far apart or too long (PHOTO_INVALID_DIMENSIONS: ratio at most 20, width + height at most 10000).
 * A document takes any bytes. */
function photoProblem(bytes: Buffer): string | undefined {
  const starts = (text: string, at = 0) => bytes.subarray(at, at + text.length).toString('latin1') === text;
  if (starts('\x89PNG\r\n\x1a\n') && bytes.length >= 24) {
    const [width, height] = [bytes.readUInt32BE(16), bytes.readUInt32BE(20)];
    const fits = width > 0 && height > 0 && width + height <= 10_000 && Math.max(width, height) <= 20 * Math.min(width, height);
    return fits ? undefined : 'PHOTO_INVALID_DIMENSIONS';
  }
  const image = starts('\xff\xd8\xff') || starts('GIF8') || (starts('RIFF') && starts('WEBP', 8));
  return image ? undefined : 'IMAGE_PROCESS_FAILED';
}

function getFile({ chats }: MethodContext, p: Params): Outcome {
  const id = str(p.file_id) ?? '';
  if (id === '') return badRequest('file_id not specified');
  const file = chats.files.get(id);
  if (!file) return badRequest('invalid file_id');
  if (file.file_size > MAX_DOWNLOAD_BYTES) return badRequest('file is too big');
  const { file_id, file_unique_id, file_size, file_path } = file;
  return { file_id, file_unique_id, file_size, file_path };
}

function setMyCommands({ chats }: MethodContext, p: Params): Outcome {
  const commands = parseCommands(str(p.commands));
  if (commands instanceof ApiError) return commands;
  const key = commandKey(p);
  if (key instanceof ApiError) return key;
  // As Telegram: a chat scope names a chat the bot knows (a private chat is known once its user wrote).
  const scope = parseJson(str(p.scope) ?? '{}');
  if (isObject(scope) && 'chat_id' in scope && !chats.chats.has(Number(scope.chat_id))) return badRequest('chat not found');
  if (commands.length === 0) chats.commandSets.delete(key);
  else chats.commandSets.set(key, commands);
  return true;
}

function getMyCommands({ chats }: MethodContext, p: Params): Outcome {
  const key = commandKey(p);
  return key instanceof ApiError ? key : structuredClone(chats.commandSets.get(key) ?? []);
}

function deleteMyCommands({ chats }: MethodContext, p: Params): Outcome {
  const key = commandKey(p);
  if (key instanceof ApiError) return key;
  chats.commandSets.delete(key);
  return true;
}

function setMyDescription({ chats }: MethodContext, p: Params): Outcome {
  chats.descriptions.set(str(p.language_code) ?? '', str(p.description) ?? '');
  return true;
}

// ── shared checks ────────────────────────────────────────────────────────────────────────────────────────────────

function chatFor(chats: FakeChats, p: Params): ChatRecord | ApiError {
  const chatId = str(p.chat_id);
  if (!chatId) return badRequest('chat_id is empty');
  return (/^-?\d+$/.test(chatId) && chats.chats.get(Number(chatId))) || badRequest('chat not found');
}

interface Found { record: ChatRecord; message: ChatMessage }

function findMessage(chats: FakeChats, p: Params, what: string): Found | ApiError {
  const record = chatFor(chats, p);
  if (record instanceof ApiError) return record;
  const id = intParam(p.message_id);
  const message = id === undefined ? undefined : chats.live(record, id);
  return message ? { record, message } : badRequest(`${what} not found`);
}

function editableMessage(chats: FakeChats, p: Params): Found | ApiError {
  const found = findMessage(chats, p, 'message to edit');
  if (found instanceof ApiError) return found;
  return found.message.from_bot ? found : badRequest("message can't be edited");
}

/** reply_parameters (or the older reply_to_message_id) → the id replied to, if that message still exists. */
function replyTarget(chats: FakeChats, record: ChatRecord, p: Params): number | undefined | ApiError {
  let id = intParam(p.reply_to_message_id);
  let allowMissing = p.allow_sending_without_reply === 'true';
  const json = str(p.reply_parameters);
  if (json) {
    const parameters = parseJson(json);
    if (!isObject(parameters)) return badRequest("can't parse reply parameters JSON object");
    id = typeof parameters.message_id === 'number' ? parameters.message_id : undefined;
    allowMissing ||= parameters.allow_sending_without_reply === true;
  }
  if (!id) return undefined;
  if (chats.live(record, id)) return id;
  return allowMissing ? undefined : badRequest('message to be replied not found');
}

/** Where a command set is kept: its scope (default when absent) and language_code. */
export function commandKey(p: Params): string | ApiError {
  const language = str(p.language_code) ?? '';
  const problem = checkLanguageCode(language);
  if (problem) return problem;
  const json = str(p.scope);
  const scope = json ? parseJson(json) : { type: 'default' };
  if (!isObject(scope) || typeof scope.type !== 'string') return badRequest("can't parse BotCommandScope JSON object");
  return `${JSON.stringify(sortKeys(scope))}\n${language}`;
}

/** The fields of a stored message that come from what the bot sent. */
function sent(content: FormattedText, raw: Params[string] | undefined, parseMode: Params[string] | undefined) {
  const entities = content.entities as unknown as MessageEntity[]; // text_mention carries only the user's id
  return { text: content.text, raw: str(raw) ?? '', parse_mode: str(parseMode), entities };
}

export const str = (value: Params[string] | undefined): string | undefined =>
  typeof value === 'string' ? value : undefined;

export function intParam(value: Params[string] | undefined): number | undefined {
  return typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : undefined;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sortKeys(a ?? null)) === JSON.stringify(sortKeys(b ?? null));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys(value[key])]));
}
