/** Markdown inside one block → Telegram HTML: code spans, emphasis, strike, links (URL ends: markdown-links.ts), and
 * escapeHtml for all text. Pure, no node:. No blocks (a line break is text); emits only b, i, s, code, a, balanced. */
import { autolinkAt, bareUrlAt, ESCAPABLE, isLinkable, linkDestination } from './markdown-links.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

export const escapeHtml = (text: string): string => text.replace(/[&<>"]/g, (ch) => ENTITIES[ch]!);

export const inlineHtml = (text: string): string => renderTokens(parseInline(text), false);

/** What a person reads of the same text, no tags (a table cell, drawn in a <pre>); unlinked URLs follow their label. */
export const inlinePlain = (text: string): string => renderTokens(parseInline(text), true);

type Kind = 'b' | 'i' | 's';
/** A run of `*`, `_` or `~~`, and while parsing a node of the delimiter stack. Emphasis is recorded on it (`opens`
 * outermost first, `closes` innermost first); `left` of its `length` characters are still text. */
interface Delim {
  t: 'delim'; ch: string; length: number; left: number; canOpen: boolean; canClose: boolean;
  opens: Kind[]; closes: Kind[]; prev?: Delim; next?: Delim;
}
type OpenToken = { t: 'open'; s: string; url?: string }; // '[' or '![', with the URL once a ']' makes it a link
/** Flat tokens; a 'close' is only the ']' that made a link, any other ']' is text. */
type Token = { t: 'text' | 'code'; s: string } | { t: 'autolink'; url: string } | Delim | OpenToken | { t: 'close' };

/** Deeper emphasis stays as typed, deeper links untracked: no one writes them, and they cost stack and entities. */
const MAX_INLINE_DEPTH = 16;
/** Where parseInline's next decision may be: everything else is plain text. */
const SPECIAL = /[\\`*_~[\]!<hH]/g;

/** CommonMark's delimiter stack (code spans, autolinks, links, then emphasis), linear. For chat: `*` between ASCII
 * letters or digits is literal (2*3*4); only `~~` strikes (`~` is "about"); bare URLs stay whole; no link titles. */
function parseInline(src: string): Token[] {
  const toks: Token[] = [];
  const brackets: { tok: OpenToken; bottom: Delim | undefined; seq: number }[] = [];
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
  const unlink = (d: Delim) => { // d keeps its own links: a walk can go on from it
    if (d.prev) d.prev.next = d.next; else head = d.next;
    if (d.next) d.next.prev = d.prev; else tail = d.prev;
  };

  /** Pairs the delimiters above `bottom` (CommonMark's "process emphasis"), then drops them from the stack. */
  const processEmphasis = (bottom: Delim | undefined) => {
    // Per kind of closer, where its last opener search failed: the next starts no lower, so closers stay linear.
    const openersBottom = new Map<string, Delim | undefined>();
    let c = bottom ? bottom.next : head;
    while (c) {
      while (c && !c.canClose) c = c.next;
      if (!c) break;
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
        const use = c.ch === '~' || (c.left >= 2 && o.left >= 2) ? 2 : 1;
        const kind: Kind = c.ch === '~' ? 's' : use === 2 ? 'b' : 'i';
        o.left -= use;
        c.left -= use;
        o.opens.unshift(kind);
        c.closes.push(kind);
        for (let d = o.next; d && d !== c; d = d.next) unlink(d);
        if (o.left === 0) unlink(o);
        if (c.left === 0) {
          unlink(c);
          c = c.next;
        }
      } else {
        openersBottom.set(key, c.prev);
        if (!c.canOpen) unlink(c);
        c = c.next;
      }
    }
    while (tail && tail !== bottom) unlink(tail);
  };

  let pos = 0;
  while (pos < src.length) {
    const ch = src[pos]!;
    const autolink = ch === '<' ? autolinkAt(src, pos) : undefined;
    const bareUrl = ch === 'h' || ch === 'H' ? bareUrlAt(src, pos) : undefined;
    if (ch === '\\' && ESCAPABLE.test(src[pos + 1] ?? '')) {
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
        const d: Delim = { t: 'delim', ch, length: n, left: n, ...flank, opens: [], closes: [], prev: tail };
        push(d);
        if (tail) tail.next = d;
        else head = d;
        tail = d;
      }
      pos += n;
    } else if (ch === '[' || (ch === '!' && src[pos + 1] === '[')) {
      const tok: OpenToken = { t: 'open', s: ch === '!' ? '![' : '[' };
      push(tok);
      brackets.push({ tok, bottom: tail, seq: seq++ });
      pos += tok.s.length;
    } else if (ch === ']') {
      const bracket = brackets.pop();
      const image = bracket?.tok.s === '![';
      const dest = bracket && (image || bracket.seq > linkFloor) ? linkDestination(src, pos + 1) : undefined;
      if (bracket && dest) {
        processEmphasis(bracket.bottom);
        bracket.tok.url = dest.url;
        push({ t: 'close' });
        if (!image) linkFloor = Math.max(linkFloor, bracket.seq);
        pos = dest.end;
      } else {
        text += ch;
        pos++;
      }
    } else if (autolink) {
      if (autolink.email) text += autolink.url; // Telegram finds the address itself
      else push({ t: 'autolink', url: autolink.url });
      pos = autolink.end;
    } else if (bareUrl) {
      text += bareUrl;
      pos += bareUrl.length;
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

/** Finds where a code span opened by a backtick run closes: at the next run of exactly its length. Runs are found
 * once; each length keeps a cursor that only moves forward, so a line of 20,000 stray backticks stays linear. */
export function backtickCloser(src: string): (pos: number, length: number) => number {
  const runs = new Map<number, number[]>();
  for (const { 0: run, index } of src.matchAll(/`+/g)) {
    if (!runs.has(run.length)) runs.set(run.length, []);
    runs.get(run.length)!.push(index);
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

/** CommonMark's left- and right-flanking rules for the delimiter run src[start, end), with the chat deviation for `*`.
 * Either side is a whole code point (an emoji is a surrogate pair); the text's start or end counts as a space. */
function flanking(src: string, start: number, end: number, ch: string): { canOpen: boolean; canClose: boolean } {
  const lowSurrogate = /[\uDC00-\uDFFF]/.test(src[start - 1] ?? '');
  const before = String.fromCodePoint(src.codePointAt(start - (lowSurrogate ? 2 : 1)) ?? 0x20);
  const after = String.fromCodePoint(src.codePointAt(end) ?? 0x20);
  const space = (c: string) => /\s/.test(c);
  const punct = (c: string) => /[\p{P}\p{S}]/u.test(c);
  const left = !space(after) && (!punct(after) || space(before) || punct(before));
  const right = !space(before) && (!punct(before) || space(after) || punct(after));
  if (ch === '_') return { canOpen: left && (!right || punct(before)), canClose: right && (!left || punct(after)) };
  if (ch === '*' && /[A-Za-z0-9]/.test(before) && /[A-Za-z0-9]/.test(after)) return { canOpen: false, canClose: false };
  return { canOpen: left, canClose: right };
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
  const tag = (s: string) => { if (!plain) html += s; };
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
      case 'code': // Telegram has no code inside a link
        tag(anchors ? '' : '<code>');
        put(tok.s);
        tag(anchors ? '' : '</code>');
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
      case 'open': if (tok.url === undefined) put(tok.s); else open(tok.url); break;
      case 'close': close(); break;
    }
  }
  return html;
}
