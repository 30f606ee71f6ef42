/**
 * Markdown inside one block → Telegram HTML: code spans, emphasis, strike, links, autolinks, bare URLs, escapes; and
 * escapeHtml, which all rendered text goes through. Pure: strings in, strings out; nothing from node:. Knows nothing
 * of blocks: a line break is just text here, and it emits no tags but b, i, s, code and a, always balanced.
 */

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => ENTITIES[ch]!);
}

/** A paragraph's, heading's or list item's text as HTML. */
export function inlineHtml(text: string): string {
  return renderTokens(parseInline(text), false);
}

/** What a person reads of the same text, no tags (a table cell, drawn inside <pre>); unlinked URLs follow their label. */
export function inlinePlain(text: string): string {
  return renderTokens(parseInline(text), true);
}

type Kind = 'b' | 'i' | 's';
/** Flat tokens; emphasis is recorded on its delimiters (`opens` outermost first, `closes` innermost first). */
type Token =
  | { t: 'text' | 'code'; s: string }
  | { t: 'autolink'; url: string }
  | { t: 'delim'; ch: string; left: number; opens: Kind[]; closes: Kind[] }
  | { t: 'open'; s: string; url?: string } // '[' or '![', with the URL once a ']' makes it a link
  | { t: 'close' }; // only the ']' that made a link; any other ']' is text
type DelimToken = Extract<Token, { t: 'delim' }>;
type OpenToken = Extract<Token, { t: 'open' }>;

interface Delim { tok: DelimToken; ch: string; length: number; canOpen: boolean; canClose: boolean; prev?: Delim; next?: Delim }
interface Bracket { tok: OpenToken; bottom: Delim | undefined; seq: number; image: boolean }

const ASCII_PUNCT = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const URI_AUTOLINK = /<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>/y;
const EMAIL_AUTOLINK = /<([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)>/y;
const BARE_URL = /https?:\/\/[^\s<>[\]`]*/iy;
/** How far a link destination is looked for: bounds the work at each `](`, so a line full of them stays linear. */
const MAX_URL = 2048;
/** Deeper emphasis stays as typed, deeper links are not tracked: no one writes them, and they cost stack and entities. */
const MAX_INLINE_DEPTH = 16;
/** Where parseInline's next decision may be: everything else is plain text. */
const SPECIAL = /[\\`*_~[\]!<hH]/g;

/**
 * CommonMark's delimiter-stack algorithm (code spans, autolinks, links, then emphasis), linear in the input.
 * Deviations, for chat: `*` between two ASCII letters or digits is literal (2*3*4, a*b); `~~` alone strikes (one
 * `~` means "about"); bare http(s) URLs are kept whole so their `_` and `*` stay; link titles are not links.
 */
function parseInline(src: string): Token[] {
  const toks: Token[] = [];
  const brackets: Bracket[] = [];
  let head: Delim | undefined;
  let tail: Delim | undefined;
  let linkFloor = -1; // brackets at or below this sequence number can no longer make links (no links in links)
  let seq = 0;
  let text = '';
  const closer = backtickCloser(src);
  const push = (tok: Token) => {
    if (text) toks.push({ t: 'text', s: text });
    text = '';
    toks.push(tok);
  };
  const unlink = (d: Delim) => {
    if (d.prev) d.prev.next = d.next;
    else head = d.next;
    if (d.next) d.next.prev = d.prev;
    else tail = d.prev;
  };

  /** Pairs the delimiters above `bottom` (CommonMark's "process emphasis"), then drops them from the stack. */
  const processEmphasis = (bottom: Delim | undefined) => {
    // Per kind of closer, where the last search for its opener failed: the next one starts no lower, which is what
    // keeps a long run of unmatched closers linear.
    const openersBottom = new Map<string, Delim | undefined>();
    let c = bottom ? bottom.next : head;
    while (c) {
      if (!c.canClose) {
        c = c.next;
        continue;
      }
      const key = `${c.ch}${c.canOpen}${c.length % 3}`;
      const floor = openersBottom.has(key) ? openersBottom.get(key) : bottom;
      let o = c.prev;
      while (o && o !== bottom && o !== floor) {
        // The "rule of 3": in *a**b*, the ** cannot pair with a single * (lengths summing to a multiple of 3).
        const odd = c.ch !== '~' && (c.canOpen || o.canClose) && c.length % 3 !== 0 && (o.length + c.length) % 3 === 0;
        if (o.ch === c.ch && o.canOpen && !odd) break;
        o = o.prev;
      }
      if (o && o !== bottom && o !== floor) {
        // Strong only when both sides still have two; ***a*** becomes <i><b>a</b></i> as in CommonMark.
        const use = c.ch === '~' || (c.tok.left >= 2 && o.tok.left >= 2) ? 2 : 1;
        const kind: Kind = c.ch === '~' ? 's' : use === 2 ? 'b' : 'i';
        o.tok.left -= use;
        c.tok.left -= use;
        o.tok.opens.unshift(kind);
        c.tok.closes.push(kind);
        for (let d = o.next; d && d !== c; d = d.next) unlink(d);
        if (o.tok.left === 0) unlink(o);
        if (c.tok.left === 0) {
          const next = c.next;
          unlink(c);
          c = next;
        }
      } else {
        openersBottom.set(key, c.prev);
        const next = c.next;
        if (!c.canOpen) unlink(c);
        c = next;
      }
    }
    while (tail && tail !== bottom) unlink(tail);
  };

  let pos = 0;
  while (pos < src.length) {
    const ch = src[pos]!;
    if (ch === '\\' && ASCII_PUNCT.includes(src[pos + 1] ?? 'x')) {
      text += src[pos + 1];
      pos += 2;
    } else if (ch === '`') {
      const n = runLength(src, pos);
      const end = closer(pos, n);
      if (end < 0) text += ch.repeat(n);
      else push({ t: 'code', s: codeSpan(src.slice(pos + n, end)) });
      pos = end < 0 ? pos + n : end + n;
    } else if (ch === '*' || ch === '_' || ch === '~') {
      const n = runLength(src, pos);
      const flank = flanking(src, pos, pos + n, ch);
      if ((ch === '~' && n !== 2) || !(flank.canOpen || flank.canClose)) {
        text += ch.repeat(n);
      } else {
        const tok: DelimToken = { t: 'delim', ch, left: n, opens: [], closes: [] };
        push(tok);
        const d: Delim = { tok, ch, length: n, ...flank, prev: tail };
        if (tail) tail.next = d;
        else head = d;
        tail = d;
      }
      pos += n;
    } else if (ch === '[' || (ch === '!' && src[pos + 1] === '[')) {
      const tok: OpenToken = { t: 'open', s: ch === '!' ? '![' : '[' };
      push(tok);
      brackets.push({ tok, bottom: tail, seq: seq++, image: ch === '!' });
      pos += tok.s.length;
    } else if (ch === ']') {
      const bracket = brackets.pop();
      const active = bracket && (bracket.image || bracket.seq > linkFloor);
      const dest = active ? linkDestination(src, pos + 1) : undefined;
      if (!bracket || !dest) {
        text += ch;
        pos++;
        continue;
      }
      processEmphasis(bracket.bottom);
      bracket.tok.url = dest.url;
      push({ t: 'close' });
      if (!bracket.image) linkFloor = Math.max(linkFloor, bracket.seq);
      pos = dest.end;
    } else if (ch === '<' && (URI_AUTOLINK.lastIndex = pos, URI_AUTOLINK.test(src))) {
      push({ t: 'autolink', url: src.slice(pos + 1, URI_AUTOLINK.lastIndex - 1) });
      pos = URI_AUTOLINK.lastIndex;
    } else if (ch === '<' && (EMAIL_AUTOLINK.lastIndex = pos, EMAIL_AUTOLINK.test(src))) {
      text += src.slice(pos + 1, EMAIL_AUTOLINK.lastIndex - 1); // Telegram finds the address itself
      pos = EMAIL_AUTOLINK.lastIndex;
    } else if ((ch === 'h' || ch === 'H') && !/[A-Za-z0-9]/.test(src[pos - 1] ?? '') && (BARE_URL.lastIndex = pos, BARE_URL.test(src))) {
      const url = trimUrl(src.slice(pos, BARE_URL.lastIndex));
      text += url;
      pos += url.length;
    } else {
      SPECIAL.lastIndex = pos + 1;
      const next = SPECIAL.test(src) ? SPECIAL.lastIndex - 1 : src.length;
      text += src.slice(pos, next);
      pos = next;
    }
  }
  if (text) toks.push({ t: 'text', s: text });
  processEmphasis(undefined);
  return toks;
}

export function runLength(src: string, pos: number): number {
  let end = pos;
  while (src[end] === src[pos]) end++;
  return end - pos;
}

/**
 * Finds where a code span opened by a backtick run closes: at the next run of exactly its length. Runs are found
 * once; each length keeps a cursor that only moves forward, so a line of 20,000 stray backticks stays linear.
 */
export function backtickCloser(src: string): (pos: number, length: number) => number {
  const runs = new Map<number, number[]>();
  for (let k = 0; k < src.length; ) {
    if (src[k] !== '`') {
      k++;
      continue;
    }
    const n = runLength(src, k);
    const starts = runs.get(n);
    if (starts) starts.push(k);
    else runs.set(n, [k]);
    k += n;
  }
  const cursors = new Map<number, number>();
  return (pos, length) => {
    const starts = runs.get(length);
    if (!starts) return -1;
    let c = cursors.get(length) ?? 0;
    while (c < starts.length && starts[c]! < pos + length) c++;
    cursors.set(length, c);
    return c < starts.length ? starts[c]! : -1;
  };
}

function codeSpan(content: string): string {
  const flat = content.replace(/\n/g, ' ');
  return flat.length > 1 && flat.startsWith(' ') && flat.endsWith(' ') && flat.trim() !== '' ? flat.slice(1, -1) : flat;
}

/**
 * CommonMark's left- and right-flanking rules for the delimiter run src[start, end), with the chat deviation for `*`.
 * The characters either side are whole code points (an emoji before a run is a surrogate pair), and the start or
 * end of the text counts as a space.
 */
function flanking(src: string, start: number, end: number, ch: string): { canOpen: boolean; canClose: boolean } {
  const before = String.fromCodePoint(src.codePointAt(start - 1 - Number(/[\uDC00-\uDFFF]/.test(src[start - 1] ?? ''))) ?? 0x20);
  const after = String.fromCodePoint(src.codePointAt(end) ?? 0x20);
  const space = (c: string) => /\s/.test(c);
  const punct = (c: string) => /[\p{P}\p{S}]/u.test(c);
  const left = !space(after) && (!punct(after) || space(before) || punct(before));
  const right = !space(before) && (!punct(before) || space(after) || punct(after));
  if (ch === '_') return { canOpen: left && (!right || punct(before)), canClose: right && (!left || punct(after)) };
  if (ch === '*' && /[A-Za-z0-9]/.test(before) && /[A-Za-z0-9]/.test(after)) return { canOpen: false, canClose: false };
  return { canOpen: left, canClose: right };
}

/** `(url)` right after a `]`: the URL (backslash escapes removed) and where the `)` ends, or undefined. */
function linkDestination(src: string, pos: number): { url: string; end: number } | undefined {
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
      if (src[k] === '\\' && ASCII_PUNCT.includes(src[k + 1] ?? 'x')) k++;
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

/** GFM's rule for where a bare URL ends: not on trailing punctuation, nor on a ")" it did not open. */
function trimUrl(url: string): string {
  let end = url.length;
  let unmatched = 0;
  for (const ch of url) unmatched += ch === ')' ? 1 : ch === '(' ? -1 : 0;
  while (end > 0) {
    const ch = url[end - 1]!;
    if ('?!.,:*_~\'";'.includes(ch)) end--;
    else if (ch === ')' && unmatched > 0) {
      unmatched--;
      end--;
    } else break;
  }
  return url.slice(0, end);
}

/**
 * Links Telegram keeps as links (what TDLib accepts): http(s) with a real host name, and tg:. Anything else
 * (javascript:, mailto:, file:, a bare word) is shown as text.
 */
function isLinkable(url: string): boolean {
  if (/[\s\x00-\x1f\x7f]/.test(url)) return false;
  if (/^tg:\/\/./i.test(url)) return true;
  const m = /^https?:\/\/([^/?#]*)/i.exec(url);
  if (!m) return false;
  const host = m[1]!.replace(/^[^@]*@/, '').replace(/:\d{1,5}$/, '');
  return /^[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+$/u.test(host) || host.toLowerCase() === 'localhost';
}

/** Tokens → HTML, or → what a person reads when `plain` (table cells). Never a link or code inside a link. */
function renderTokens(toks: Token[], plain: boolean): string {
  let html = '';
  let anchors = 0;
  const shown: string[] = []; // per open emphasis: its closing tag, or '' when too deep and left as typed
  // Per open link, what its label reads so far: only as much as it takes to compare with the URL, and only for the
  // outer links (images nest), so labels cost linear time.
  const links: { url: string; anchor: boolean; label: string; blank: boolean }[] = [];
  const read = (s: string) => {
    for (let k = 0; k < links.length && k < MAX_INLINE_DEPTH; k++) {
      const link = links[k]!;
      if (link.label.length <= link.url.length) link.label += s;
      if (link.blank && s.trim() !== '') link.blank = false;
    }
  };
  const put = (s: string) => {
    html += plain ? s : escapeHtml(s);
    read(s);
  };
  const tag = (s: string) => {
    if (!plain) html += s;
  };
  const open = (url: string) => {
    // Telegram has no link inside a link: an inner one (an image in a link) shows its URL as text instead.
    const anchor = !plain && anchors === 0 && isLinkable(url);
    if (anchor) anchors++;
    tag(anchor ? `<a href="${escapeHtml(url)}">` : '');
    links.push({ url, anchor, label: '', blank: true });
  };
  const close = () => {
    const tracked = links.length <= MAX_INLINE_DEPTH;
    const link = links.pop()!;
    // Nothing a person wrote is lost: an empty label reads as the URL, and a URL that is not behind a link is shown
    // after its label, unless the label already says it. Untracked (too deep) labels are not known, so always shown.
    if (tracked && link.blank) put(link.url);
    else if (!link.anchor && (!tracked || link.label !== link.url)) put(` (${link.url})`);
    if (link.anchor) {
      anchors--;
      tag('</a>');
    }
  };
  for (const tok of toks) {
    switch (tok.t) {
      case 'text': put(tok.s); break;
      case 'code':
        if (plain || anchors > 0) put(tok.s);
        else {
          html += `<code>${escapeHtml(tok.s)}</code>`;
          read(tok.s);
        }
        break;
      case 'autolink': open(tok.url); put(tok.url); close(); break;
      case 'delim': {
        const typed = (kind: Kind) => tok.ch.repeat(kind === 'i' ? 1 : 2);
        for (const kind of tok.closes) {
          const closing = shown.pop();
          if (closing) tag(closing);
          else put(typed(kind));
        }
        put(tok.ch.repeat(tok.left));
        for (const kind of tok.opens) {
          const deep = shown.length >= MAX_INLINE_DEPTH;
          if (deep) put(typed(kind));
          else tag(`<${kind}>`);
          shown.push(deep ? '' : `</${kind}>`);
        }
        break;
      }
      case 'open':
        if (tok.url === undefined) put(tok.s);
        else open(tok.url);
        break;
      case 'close': close(); break;
    }
  }
  return html;
}
