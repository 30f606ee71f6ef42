/** URLs in Markdown text: where a link destination, an autolink or a bare URL ends (CommonMark, GFM), and which URLs
 * Telegram keeps as links. Pure: strings in, values out; nothing from node:. */

/** ASCII punctuation, which a backslash escapes. */
export const ESCAPABLE = /[!-/:-@[-`{-~]/;
const URI_AUTOLINK = /<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>/y;
const HOST_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const EMAIL_AUTOLINK = new RegExp(`<([A-Za-z0-9.!#$%&'*+/=?^_\`{|}~-]+@${HOST_LABEL}(?:\\.${HOST_LABEL})*)>`, 'y');
const BARE_URL = /https?:\/\/[^\s<>[\]`]*/iy;
/** How far a link destination is looked for: bounds the work at each `](`, so a line full of them stays linear. */
const MAX_URL = 2048;

/** `<scheme:…>` or `<address@host>` at `pos`: what is inside, whether it is an email address, where it ends. */
export function autolinkAt(src: string, pos: number): { url: string; email: boolean; end: number } | undefined {
  for (const pattern of [URI_AUTOLINK, EMAIL_AUTOLINK]) {
    pattern.lastIndex = pos;
    const m = pattern.exec(src);
    if (m) return { url: m[1]!, email: pattern === EMAIL_AUTOLINK, end: pattern.lastIndex };
  }
  return undefined;
}

/** The bare http(s) URL starting at `pos`, not inside a word, where GFM ends it; undefined when there is none. */
export function bareUrlAt(src: string, pos: number): string | undefined {
  if (/[A-Za-z0-9]/.test(src[pos - 1] ?? '')) return undefined;
  BARE_URL.lastIndex = pos;
  const m = BARE_URL.exec(src);
  return m ? trimUrl(m[0]) : undefined;
}

/** GFM's rule for where a bare URL ends: not on trailing punctuation, nor on a ")" it did not open. */
function trimUrl(url: string): string {
  let unmatched = [...url].reduce((n, ch) => n + (ch === ')' ? 1 : ch === '(' ? -1 : 0), 0);
  let end = url.length;
  for (; end > 0; end--) {
    const ch = url[end - 1]!;
    if (ch === ')' && unmatched > 0) unmatched--;
    else if (!'?!.,:*_~\'";'.includes(ch)) break;
  }
  return url.slice(0, end);
}

/** `(url)` right after a `]`: the URL (backslash escapes removed) and where the `)` ends, or undefined. */
export function linkDestination(src: string, pos: number): { url: string; end: number } | undefined {
  if (src[pos] !== '(') return undefined;
  let k = pos + 1;
  while (src[k] === ' ' || src[k] === '\t') k++;
  const from = k;
  let raw: string;
  if (src[k] === '<') {
    while (k < src.length && k - from < MAX_URL && !'<>\n'.includes(src[k + 1]!)) k++;
    if (src[k + 1] !== '>') return undefined;
    raw = src.slice(from + 1, k + 1);
    k += 2;
  } else {
    let depth = 0;
    while (k < src.length && k - from < MAX_URL && src[k]! > ' ') {
      if (src[k] === '\\' && ESCAPABLE.test(src[k + 1] ?? '')) k++;
      else if (src[k] === '(') depth++;
      else if (src[k] === ')' && depth-- === 0) break;
      if (depth > 32) return undefined; // CommonMark lets parsers limit nesting; no real URL goes this deep
      k++;
    }
    raw = src.slice(from, k);
  }
  while (src[k] === ' ' || src[k] === '\t') k++;
  if (src[k] !== ')' || raw === '') return undefined;
  return { url: raw.replace(/\\([!-/:-@[-`{-~])/g, '$1'), end: k + 1 };
}

/** Whether Telegram (TDLib) keeps it as a link: http(s) with a real host name, or tg:. Not javascript:, mailto:, … */
export function isLinkable(url: string): boolean {
  if (/[\s\x00-\x1f\x7f]/.test(url)) return false;
  if (/^tg:\/\/./i.test(url)) return true;
  const m = /^https?:\/\/([^/?#]*)/i.exec(url);
  if (!m) return false;
  const host = m[1]!.replace(/^[^@]*@/, '').replace(/:\d{1,5}$/, '');
  return /^[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+$/u.test(host) || host.toLowerCase() === 'localhost';
}
