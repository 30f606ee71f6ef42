/**
 * Telegram's HTML parse mode, ported from TDLib's parse_html (td/telegram/MessageEntity.cpp, which the Bot API server
 * runs), so tests get the error strings, plain text and entities Telegram would. Pure: strings in, values out.
 * Strict mode (the default) also rejects HTML that Telegram accepts but shows differently from what was meant.
 */

export type EntityType =
  | 'bold' | 'italic' | 'underline' | 'strikethrough' | 'spoiler' | 'code' | 'pre' | 'text_link' | 'text_mention'
  | 'custom_emoji' | 'blockquote' | 'expandable_blockquote';

/** A Bot API MessageEntity; offsets and lengths in UTF-16 code units of `text`. */
export interface Entity {
  type: EntityType;
  offset: number;
  length: number;
  url?: string;
  language?: string;
  custom_emoji_id?: string;
  user?: { id: number };
}

export type HtmlParseResult = { ok: true; text: string; entities: Entity[] } | { ok: false; error: string };

export interface HtmlParseOptions {
  /**
   * true (default): also reject what Telegram accepts but silently alters — a bare "&" or unknown "&name;" (shown
   * literally, so an unescaped "&lt;" in the source would show as "<"), entities the docs forbid nesting (Telegram
   * drops one), and links Telegram drops. These messages say "strict" so nobody mistakes them for Telegram's.
   * false: exactly Telegram's behaviour.
   */
  strict?: boolean;
}

const SUPPORTED_TAGS = new Set([
  'a', 'b', 'strong', 'i', 'em', 's', 'strike', 'del', 'u', 'ins', 'tg-spoiler', 'tg-emoji', 'span', 'pre', 'code',
  'blockquote',
]);
/** Tags whose entities may contain, and be part of, any other entity except pre and code. */
const FORMATTING_TAGS = new Set(['b', 'strong', 'i', 'em', 'u', 'ins', 's', 'strike', 'del', 'span', 'tg-spoiler']);
const NAMED_REFERENCES: Record<string, number> = { lt: 0x3c, gt: 0x3e, amp: 0x26, quot: 0x22 };
/** TDLib's sort order for entities that start and end together (lower first). */
const PRIORITY: Record<string, number> = {
  blockquote: 0, expandable_blockquote: 0, precode: 10, pre: 11, code: 20, text_link: 49, text_mention: 49,
  bold: 90, italic: 91, underline: 92, strikethrough: 93, spoiler: 94, custom_emoji: 99,
};
const SURROGATE_ERROR =
  'Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units';

const LT = 0x3c, GT = 0x3e, AMP = 0x26, SLASH = 0x2f, EQUALS = 0x3d, QUOTE = 0x22, APOSTROPHE = 0x27;

interface OpenTag { tag: string; argument: string; utf16Start: number; outStart: number }
/** An entity as TDLib builds it: 'precode' is a pre with a language, code keeps its class until the end. */
interface RawEntity { kind: EntityType | 'precode'; offset: number; length: number; argument: string; userId?: number }

export function parseTelegramHtml(html: string, options: HtmlParseOptions = {}): HtmlParseResult {
  const strict = options.strict ?? true;
  const src = new TextEncoder().encode(html);
  // TDLib reads a NUL-terminated buffer; past the end every byte is 0, which its loops treat as the end.
  const at = (i: number): number => (i < src.length ? src[i]! : 0);
  const fail = (error: string): HtmlParseResult => ({ ok: false, error });
  const out: number[] = [];
  const open: OpenTag[] = [];
  const raw: RawEntity[] = [];
  let utf16 = 0;
  let hasSurrogate = false;

  for (let i = 0; i < src.length; i++) {
    const c = src[i]!;
    if (c === AMP) {
      const ref = decodeReference(at, i);
      if (ref) {
        if (ref.code >= 0xd800 && ref.code <= 0xdfff) hasSurrogate = true;
        appendUtf8(out, ref.code);
        utf16 += ref.code > 0xffff ? 2 : 1;
        i = ref.next - 1;
        continue;
      }
      if (strict) return fail(`Unescaped "&" at byte offset ${i} (strict: Telegram shows it as is; write &amp;)`);
    }
    if (c !== LT) {
      out.push(c);
      if ((c & 0xc0) !== 0x80) utf16 += c >= 0xf0 ? 2 : 1;
      continue;
    }

    const begin = i++;
    if (at(i) !== SLASH) {
      while (!isSpace(at(i)) && at(i) !== GT) i++;
      if (at(i) === 0) return fail(`Unclosed start tag at byte offset ${begin}`);
      const tag = asciiLower(decode(src.subarray(begin + 1, i)));
      if (!SUPPORTED_TAGS.has(tag)) return fail(`Unsupported start tag "${tag}" at byte offset ${begin}`);

      let argument = '';
      while (at(i) !== GT) {
        while (at(i) !== 0 && isSpace(at(i))) i++;
        if (at(i) === GT) break;
        const nameStart = i;
        while (!isSpace(at(i)) && ![EQUALS, GT, SLASH, QUOTE, APOSTROPHE].includes(at(i))) i++;
        const name = decode(src.subarray(nameStart, i));
        if (name === '') return fail(`Empty attribute name in the tag "${tag}" at byte offset ${begin}`);
        while (at(i) !== 0 && isSpace(at(i))) i++;
        if (at(i) !== EQUALS) {
          if (at(i) === 0) return fail(`Unclosed start tag "${tag}" at byte offset ${begin}`);
          if (tag === 'blockquote' && name === 'expandable') argument = '1';
          continue;
        }
        i++;
        while (at(i) !== 0 && isSpace(at(i))) i++;
        if (at(i) === 0) return fail(`Unclosed start tag "${tag}" at byte offset ${begin}`);

        let value: string;
        if (at(i) !== QUOTE && at(i) !== APOSTROPHE) {
          // An unquoted name token: letters, digits, periods, hyphens; not case sensitive.
          const tokenStart = i;
          while (isAlnum(at(i)) || at(i) === 0x2e || at(i) === 0x2d) i++;
          value = asciiLower(decode(src.subarray(tokenStart, i)));
          if (!isSpace(at(i)) && at(i) !== GT) return fail(`Unexpected end of name token at byte offset ${tokenStart}`);
        } else {
          const quote = at(i++);
          const bytes: number[] = [];
          while (at(i) !== quote && at(i) !== 0) {
            if (at(i) === AMP) {
              const ref = decodeReference(at, i);
              if (ref) {
                appendUtf8(bytes, ref.code);
                i = ref.next;
                continue;
              }
              if (strict) return fail(`Unescaped "&" at byte offset ${i} (strict: Telegram keeps it; write &amp;)`);
            }
            bytes.push(at(i++));
          }
          if (at(i) === quote) i++;
          value = decode(Uint8Array.from(bytes));
        }
        if (at(i) === 0) return fail(`Unclosed start tag at byte offset ${begin}`);

        if (tag === 'a' && name === 'href') argument = value;
        else if (tag === 'code' && name === 'class' && value.startsWith('language-')) argument = value.slice(9);
        else if (tag === 'span' && name === 'class' && value.startsWith('tg-')) argument = value.slice(3);
        else if (tag === 'tg-emoji' && name === 'emoji-id') argument = value;
        else if (tag === 'blockquote' && name === 'expandable') argument = '1';
      }

      if (tag === 'span' && argument !== 'spoiler') {
        return fail(`Tag "span" must have class "tg-spoiler" at byte offset ${begin}`);
      }
      const nesting = strict ? nestingProblem(open, tag) : undefined;
      if (nesting) return fail(`${nesting} at byte offset ${begin} (strict: Telegram drops one of them)`);
      open.push({ tag, argument, utf16Start: utf16, outStart: out.length });
    } else {
      if (open.length === 0) return fail(`Unexpected end tag at byte offset ${begin}`);
      while (!isSpace(at(i)) && at(i) !== GT) i++;
      const endTag = asciiLower(decode(src.subarray(begin + 2, i)));
      while (isSpace(at(i)) && at(i) !== 0) i++;
      if (at(i) !== GT) return fail(`Unclosed end tag at byte offset ${begin}`);
      const top = open[open.length - 1]!;
      if (endTag !== '' && endTag !== top.tag) {
        return fail(`Unmatched end tag at byte offset ${begin}, expected "</${top.tag}>", found "</${endTag}>"`);
      }
      if (utf16 > top.utf16Start) {
        const innerText = decode(Uint8Array.from(out.slice(top.outStart)));
        const problem = closeEntity(top, utf16 - top.utf16Start, raw, innerText, strict);
        if (problem) return fail(problem);
      }
      open.pop();
    }
  }
  if (open.length > 0) return fail(`Can't find end tag corresponding to start tag "${open[open.length - 1]!.tag}"`);
  if (hasSurrogate) return fail(SURROGATE_ERROR);

  raw.sort((a, b) => a.offset - b.offset || b.length - a.length || PRIORITY[a.kind]! - PRIORITY[b.kind]!);
  return { ok: true, text: decode(Uint8Array.from(out)), entities: raw.map(toEntity) };
}

/** Turns a closed, non-empty tag into an entity (TDLib merges <pre><code class="language-x"> into one). */
function closeEntity(
  top: OpenTag,
  length: number,
  raw: RawEntity[],
  innerText: string,
  strict: boolean,
): string | undefined {
  const offset = top.utf16Start;
  const last = raw[raw.length - 1];
  const sameRange = last !== undefined && last.offset === offset && last.length === length;
  const push = (kind: RawEntity['kind'], argument = '', userId?: number) =>
    void raw.push({ kind, offset, length, argument, ...(userId === undefined ? {} : { userId }) });
  switch (top.tag) {
    case 'i': case 'em': push('italic'); break;
    case 'b': case 'strong': push('bold'); break;
    case 's': case 'strike': case 'del': push('strikethrough'); break;
    case 'u': case 'ins': push('underline'); break;
    case 'tg-spoiler': case 'span': push('spoiler'); break;
    case 'blockquote': push(top.argument ? 'expandable_blockquote' : 'blockquote'); break;
    case 'tg-emoji':
      if (!isNonZeroInt64(top.argument)) return 'Invalid custom emoji identifier specified';
      push('custom_emoji', top.argument);
      break;
    case 'a': {
      const url = top.argument || innerText;
      const userId = linkUserId(url);
      const checked = userId === undefined ? checkLink(url) : undefined;
      if (userId !== undefined) push('text_mention', '', userId);
      else if (checked !== undefined) push('text_link', checked);
      else if (strict) return `Link "${url}" is not a URL Telegram accepts (strict: Telegram drops the link)`;
      break;
    }
    case 'pre':
      if (sameRange && last.kind === 'code' && last.argument !== '') last.kind = 'precode';
      else push('pre');
      break;
    case 'code':
      if (sameRange && last.kind === 'pre' && top.argument !== '') {
        last.kind = 'precode';
        last.argument = top.argument;
      } else {
        push('code', top.argument);
      }
      break;
  }
  return undefined;
}

/** The docs' nesting rules, which Telegram enforces by dropping entities rather than by an error. */
function nestingProblem(open: OpenTag[], tag: string): string | undefined {
  const parent = open[open.length - 1];
  for (const outer of open) {
    if (outer.tag === 'pre' || outer.tag === 'code') {
      if (tag === 'code' && outer.tag === 'pre' && outer === parent) continue; // <pre><code class="language-x">
      return `Tag "${tag}" can't be inside "${outer.tag}"`;
    }
    if (FORMATTING_TAGS.has(tag) || FORMATTING_TAGS.has(outer.tag)) continue;
    if (outer.tag === 'blockquote' && tag !== 'blockquote') continue;
    return `Tag "${tag}" can't be inside "${outer.tag}"`;
  }
  return undefined;
}

function toEntity(e: RawEntity): Entity {
  const base = { offset: e.offset, length: e.length };
  switch (e.kind) {
    case 'precode': return { type: 'pre', ...base, language: e.argument };
    case 'code': return { type: 'code', ...base }; // a class outside <pre> means nothing
    case 'text_link': return { type: 'text_link', ...base, url: e.argument };
    case 'text_mention': return { type: 'text_mention', ...base, user: { id: e.userId! } };
    case 'custom_emoji': return { type: 'custom_emoji', ...base, custom_emoji_id: e.argument };
    default: return { type: e.kind, ...base };
  }
}

/** "&lt;", "&#60;", "&#x3C;" (the ";" is optional); anything else is not a reference and stays as written. */
function decodeReference(at: (i: number) => number, pos: number): { code: number; next: number } | undefined {
  let end = pos + 1;
  let code = 0;
  if (at(pos + 1) === 0x23 /* # */) {
    end++;
    if (at(pos + 2) === 0x78 /* x, lower case only */) {
      end++;
      while (isHexDigit(at(end))) code = code * 16 + parseInt(String.fromCharCode(at(end++)), 16);
    } else {
      while (isDigit(at(end))) code = code * 10 + at(end++) - 0x30;
    }
    if (code === 0 || code >= 0x10ffff || end - pos >= 10) return undefined;
  } else {
    while (isAlpha(at(end))) end++;
    let name = '';
    for (let k = pos + 1; k < end; k++) name += String.fromCharCode(at(k));
    const named = NAMED_REFERENCES[name];
    if (named === undefined) return undefined;
    code = named;
  }
  return { code, next: at(end) === 0x3b /* ; */ ? end + 1 : end };
}

/** tg://user?id=123 makes a text_mention rather than a link. */
function linkUserId(url: string): number | undefined {
  const match = /^tg:(?:\/\/)?user\?id=(\d{1,15})$/i.exec(url);
  return match ? Number(match[1]) : undefined;
}

/**
 * The link Telegram keeps, or undefined when it drops the entity: tg:, ton: and http(s) links with a host name;
 * a bare host gets "http://", an empty path gets "/" (as TDLib's get_checked_link does).
 */
export function checkLink(url: string): string | undefined {
  if (/^(tg|ton|tonsite):/i.test(url)) return url;
  const withScheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url);
  if (!withScheme && /^[a-z][a-z0-9+.-]*:(?!\d)/i.test(url)) return undefined; // mailto:, javascript:, …
  const scheme = withScheme ? withScheme[1]!.toLowerCase() : 'http';
  if (scheme !== 'http' && scheme !== 'https') return undefined;
  const rest = withScheme ? url.slice(withScheme[0].length) : url;
  const host = /^[^/?#]*/.exec(rest)![0];
  const hostname = host.replace(/^[^@]*@/, '').replace(/:\d{1,5}$/, '');
  const validHost = /^[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)+$/u.test(hostname) || hostname.toLowerCase() === 'localhost';
  if (!validHost) return undefined;
  const path = rest.slice(host.length);
  return `${scheme}://${host}${path.startsWith('/') ? path : `/${path}`}`;
}

function isNonZeroInt64(text: string): boolean {
  if (!/^-?\d{1,19}$/.test(text)) return false;
  const value = BigInt(text);
  return value.toString() === text && value !== 0n && value <= 0x7fffffffffffffffn && value >= -0x8000000000000000n;
}

function appendUtf8(out: number[], code: number): void {
  if (code < 0x80) out.push(code);
  else if (code < 0x800) out.push(0xc0 | (code >> 6), 0x80 | (code & 0x3f));
  else if (code < 0x10000) out.push(0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
  else out.push(0xf0 | (code >> 18), 0x80 | ((code >> 12) & 0x3f), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f));
}

const decoder = new TextDecoder();
const decode = (bytes: Uint8Array): string => decoder.decode(bytes);
/** TDLib lower-cases ASCII only. */
const asciiLower = (text: string): string => text.replace(/[A-Z]/g, (ch) => ch.toLowerCase());
/** TDLib's is_space: NUL counts, so the end of the buffer ends every token. */
const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a || c === 0 || c === 0x0b;
const isAlpha = (c: number): boolean => (c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAlnum = (c: number): boolean => isAlpha(c) || isDigit(c);
const isHexDigit = (c: number): boolean => isDigit(c) || ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x66);
