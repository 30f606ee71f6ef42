/**
 * The content rules the fake Bot API enforces, with the Bot API server's own error strings: message text and captions,
 * reply markup, bot commands, reactions. Pure: values in, values or an ApiError out. Errors the fake adds (rules the
 * docs state but Telegram does not enforce, shapes it does not model) say "[fake-telegram]", never Telegram's wording.
 */
import { parseTelegramHtml, type Entity } from './telegram-html.js';

/** A Bot API error as the wire carries it: `{ ok: false, error_code, description, parameters: { retry_after } }`. */
export class ApiError {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly retryAfter?: number,
  ) {}
}

export const badRequest = (what: string): ApiError => new ApiError(400, `Bad Request: ${what}`);

export const NOT_MODIFIED =
  'message is not modified: specified new message content and reply markup are exactly the same as a current ' +
  'content and reply markup of the message';
export const QUERY_TOO_OLD = 'query is too old and response timeout expired or query ID is invalid';
export const CONFLICT =
  'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';

export const MAX_TEXT_LENGTH = 4096;
export const MAX_CAPTION_LENGTH = 1024;
export const MAX_CALLBACK_DATA_BYTES = 64;

export interface TextRules {
  /** Also refuse what Telegram accepts but shows differently from what was meant (see formatText). */
  strict: boolean;
  /** TDLib counts code points for bots; 'utf16' (the default of the fake) is the stricter of the two. */
  lengthUnit: 'utf16' | 'codepoint';
}

export interface FormattedText { text: string; entities: Entity[] }

/** The server refuses a text or caption longer than this many UTF-8 bytes before parsing it. */
const MAX_RAW_TEXT_BYTES = 1 << 15;

/**
 * The text a person reads and its entities, as Telegram derives them for sendMessage/editMessageText ('text') or a
 * media caption ('caption'): parse_mode (which wins over explicit entities), trimming, emptiness, length limits.
 */
export function formatText(
  raw: string | undefined,
  parseMode: string | undefined,
  entitiesJson: string | undefined,
  kind: 'text' | 'caption',
  rules: TextRules,
): FormattedText | ApiError {
  if (kind === 'text' && !raw) return badRequest('message text is empty');
  const source = raw ?? '';
  if (new TextEncoder().encode(source).length > MAX_RAW_TEXT_BYTES) return badRequest('text is too long');
  // A lone surrogate (half of a split emoji) reaches the server as U+FFFD, which Telegram shows as "�".
  if (rules.strict && source.includes('\uFFFD')) {
    return badRequest('[fake-telegram] text contains U+FFFD "�", the mark of a split surrogate pair (strict)');
  }
  const parsed = parseEntities(source, (parseMode ?? '').toLowerCase(), entitiesJson, rules);
  if (parsed instanceof ApiError) return parsed;
  const trimmed = trimFormattedText(parsed);
  if (trimmed === undefined) {
    return kind === 'text' ? badRequest('text must be non-empty') : { text: '', entities: [] };
  }
  const limit = kind === 'text' ? MAX_TEXT_LENGTH : MAX_CAPTION_LENGTH;
  if (textLength(trimmed.text, rules.lengthUnit) > limit) {
    return badRequest(kind === 'text' ? 'message is too long' : 'message caption is too long');
  }
  return trimmed;
}

function parseEntities(
  source: string,
  mode: string,
  entitiesJson: string | undefined,
  rules: TextRules,
): FormattedText | ApiError {
  if (source !== '' && mode !== '' && mode !== 'none') {
    if (mode === 'html') {
      const result = parseTelegramHtml(source, { strict: rules.strict });
      return result.ok ? result : badRequest(`can't parse entities: ${result.error}`);
    }
    if (mode === 'markdown' || mode === 'markdownv2') {
      return badRequest(`[fake-telegram] parse_mode ${mode} is not implemented by the fake; ccbot sends HTML`);
    }
    return badRequest('unsupported parse_mode');
  }
  if (!entitiesJson) return { text: source, entities: [] };
  const entities = parseJson(entitiesJson);
  if (!Array.isArray(entities)) return badRequest("can't parse entities JSON object");
  return { text: source, entities: entities as Entity[] };
}

/**
 * TDLib's fix_formatted_text trim: trailing spaces and newlines go (entities are cut to the text), leading ones go
 * only up to the first entity. Only ' ' and '\n' count as blank here, as in TDLib. undefined = nothing left.
 */
export function trimFormattedText({ text, entities }: FormattedText): FormattedText | undefined {
  const blank = (ch: string | undefined) => ch === ' ' || ch === '\n';
  let end = text.length;
  while (end > 0 && blank(text[end - 1])) end--;
  if (end === 0) return undefined;
  const kept = entities
    .filter((e) => e.length > 0 && e.offset < end)
    .map((e) => ({ ...e, length: Math.min(e.length, end - e.offset) }));
  const firstEntity = kept.reduce((min, e) => Math.min(min, e.offset), end);
  let start = 0;
  while (start < firstEntity && blank(text[start])) start++;
  return { text: text.slice(start, end), entities: kept.map((e) => ({ ...e, offset: e.offset - start })) };
}

export function textLength(text: string, unit: TextRules['lengthUnit']): number {
  return unit === 'utf16' ? text.length : [...text].length;
}

/** reply_markup as the server reads it; inline keyboards are checked button by button. */
export function parseReplyMarkup(json: string | undefined): { markup: object | undefined } | ApiError {
  if (json === undefined || json === '') return { markup: undefined };
  const value = parseJson(json);
  if (value === undefined) return badRequest("can't parse reply keyboard markup JSON object");
  if (!isObject(value)) return badRequest('object expected as reply markup');
  if ('inline_keyboard' in value) {
    const rows = value.inline_keyboard;
    if (!Array.isArray(rows) || !rows.every(Array.isArray)) {
      return badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
    }
    for (const button of rows.flat()) {
      const problem = checkInlineButton(button);
      if (problem) return problem;
    }
  }
  return { markup: value };
}

/** The fields that give an inline button its action, in the order the server looks for them. */
const BUTTON_ACTIONS = [
  'url', 'callback_data', 'callback_game', 'pay', 'switch_inline_query', 'switch_inline_query_chosen_chat',
  'switch_inline_query_current_chat', 'login_url', 'web_app', 'copy_text',
] as const;

function checkInlineButton(button: unknown): ApiError | undefined {
  const prefix = "can't parse inline keyboard button: ";
  if (!isObject(button)) return badRequest(`${prefix}InlineKeyboardButton must be an Object`);
  if (typeof button.text !== 'string') return badRequest(`${prefix}Can't find field "text"`);
  // The server treats an empty url or callback_data as absent.
  const actions = BUTTON_ACTIONS.filter((field) => button[field] !== undefined && button[field] !== '');
  if (actions.length === 0) return badRequest(`${prefix}Text buttons are unallowed in the inline keyboard`);
  if (actions.length > 1) {
    return badRequest(
      `[fake-telegram] inline button "${button.text}" has ${actions.join(' and ')}; the docs require exactly one ` +
        `(Telegram would silently use ${actions[0]})`,
    );
  }
  if (button.text.trim() === '') return badRequest(`[fake-telegram] inline button with ${actions[0]} has no text`);
  if (actions[0] === 'callback_data') {
    const data = button.callback_data;
    if (typeof data !== 'string') return badRequest(`${prefix}Field "callback_data" must be of type String`);
    if (new TextEncoder().encode(data).length > MAX_CALLBACK_DATA_BYTES) return badRequest('BUTTON_DATA_INVALID');
  }
  return undefined;
}

/** An inline keyboard with no buttons is no keyboard at all. */
export function normalizeMarkup(markup: object | undefined): object | undefined {
  if (markup && 'inline_keyboard' in markup && Array.isArray(markup.inline_keyboard)) {
    if (markup.inline_keyboard.every((row: unknown) => Array.isArray(row) && row.length === 0)) return undefined;
  }
  return markup;
}

export interface BotCommand { command: string; description: string }

/** setMyCommands' commands, trimmed and checked as TDLib and the server check them. */
export function parseCommands(json: string | undefined): BotCommand[] | ApiError {
  const value = parseJson(json ?? '');
  if (!Array.isArray(value)) return badRequest('[fake-telegram] commands must be a JSON array of BotCommand');
  const commands: BotCommand[] = [];
  for (const item of value) {
    if (!isObject(item) || typeof item.command !== 'string' || typeof item.description !== 'string') {
      return badRequest('[fake-telegram] each BotCommand needs string fields "command" and "description"');
    }
    const command = item.command.trim().replace(/^\//, '');
    const description = item.description.trim();
    if (command === '') return badRequest('command must be non-empty');
    if ([...command].length > 32) return badRequest('command length must not exceed 32');
    if (!/^[a-z0-9_]+$/.test(command)) return badRequest('BOT_COMMAND_INVALID');
    if (description === '') return badRequest('command description must be non-empty');
    if ([...description].length > 256) return badRequest('command description length must not exceed 256');
    commands.push({ command, description });
  }
  return commands;
}

export function checkLanguageCode(code: string): ApiError | undefined {
  return code === '' || /^[a-z]{2}$/.test(code) ? undefined : badRequest('invalid language code specified');
}

/** The emoji a bot may react with (ReactionTypeEmoji in the Bot API docs); "❤" has no variation selector. */
const REACTION_EMOJI = new Set([
  '❤', '👍', '👎', '🔥', '🥰', '👏', '😁', '🤔', '🤯', '😱', '🤬', '😢', '🎉', '🤩', '🤮', '💩', '🙏', '👌', '🕊', '🤡',
  '🥱', '🥴', '😍', '🐳', '❤‍🔥', '🌚', '🌭', '💯', '🤣', '⚡', '🍌', '🏆', '💔', '🤨', '😐', '🍓', '🍾', '💋', '🖕', '😈',
  '😴', '😭', '🤓', '👻', '👨‍💻', '👀', '🎃', '🙈', '😇', '😨', '🤝', '✍', '🤗', '🫡', '🎅', '🎄', '☃', '💅', '🤪', '🗿',
  '🆒', '💘', '🙉', '🦄', '😘', '💊', '🙊', '😎', '👾', '🤷‍♂', '🤷', '🤷‍♀', '😡',
]);

/** setMessageReaction's reaction list → the emoji set; a bot may set at most one. */
export function parseReaction(json: string | undefined): string[] | ApiError {
  if (json === undefined || json === '') return [];
  const value = parseJson(json);
  if (!Array.isArray(value)) return badRequest('[fake-telegram] reaction must be a JSON array of ReactionType');
  const emoji: string[] = [];
  for (const item of value) {
    if (!isObject(item) || item.type !== 'emoji' || typeof item.emoji !== 'string') {
      return badRequest('[fake-telegram] only {type:"emoji", emoji} reactions are supported');
    }
    if (!REACTION_EMOJI.has(item.emoji)) return badRequest('REACTION_INVALID');
    emoji.push(item.emoji);
  }
  return emoji.length > 1 ? badRequest('REACTIONS_TOO_MANY') : emoji;
}

export const CHAT_ACTIONS = new Set([
  'typing', 'upload_photo', 'record_video', 'upload_video', 'record_voice', 'upload_voice', 'upload_document',
  'choose_sticker', 'find_location', 'record_video_note', 'upload_video_note',
]);

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
