/** What a failed Bot API request allows, decided once: its kind, the system codes behind a network failure, the one
 * line that describes it. The only substring tests on Telegram's error texts. Pure: sends nothing, logs nothing. */
import { NetworkError, ParseError, TelegramApiError, TimeoutError } from 'node-telegram-bot-api';

/** 'rate-limited' (429: wait retry_after), 'network' (the connection was never made: repeat), 'server' (5xx: repeat),
 * 'uncertain' (it may have reached Telegram: repeat only what is idempotent), 'gone' (the message to edit or delete
 * is not there), 'not-modified' (the edit changes nothing), 'unparsable' (Telegram cannot parse the HTML),
 * 'rejected' (another 4xx: repeating cannot help). */
export type TelegramKind =
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
  // Our own deadline or ccbot stopping aborted fetch: the request may already be with Telegram.
  if (err instanceof DOMException && (err.name === 'TimeoutError' || err.name === 'AbortError')) return 'uncertain';
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
