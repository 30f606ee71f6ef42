/**
 * Telegram HTML read as text: what a person sees (htmlToPlain), and cutting it into messages (splitHtml). Pure:
 * strings in, strings out; nothing from node:. Knows tags and entities as Telegram spells them.
 */

/**
 * One piece of the HTML: a tag (reads as nothing), one entity (never cut), or a run of literal text (cut only
 * between code points). `start` is where its text begins in the plain text, in UTF-16 code units.
 */
interface Unit {
  kind: 'text' | 'entity' | 'open' | 'close';
  raw: string;
  plain: string;
  start: number;
  /** A tag's name, lower-cased. */
  name?: string;
}

interface Walked {
  units: Unit[];
  plain: string;
}

/** What a person reads: tags removed, entities decoded (unknown ones stay as written, as Telegram shows them). */
export function htmlToPlain(html: string): string {
  return walk(html).plain;
}

/**
 * Cuts HTML into messages whose text (HTML decoded, in UTF-16 code units) is at most `limit` long. A part ends at
 * the last paragraph break (blank line) in its window, else the last line break, else the last space — first
 * looking only in the window's second half, then anywhere — else hard at the limit. Never inside a tag or an entity
 * or a surrogate pair. Tags open at a cut are closed at the end of the part and reopened, attributes and all, at the
 * start of the next.
 *
 * Whitespace at a cut: the run of newlines (paragraph or line cut) or of spaces (space cut) at the cut point is
 * dropped; a hard cut drops nothing; a part that would read as whitespace only is dropped. So the original plain
 * text is exactly the parts' plain texts in order with only whitespace between them. Text that fits is returned
 * as is, in one part; blank text gives no parts.
 */
export function splitHtml(html: string, limit = 4096): string[] {
  if (!Number.isInteger(limit) || limit < 2) throw new RangeError(`splitHtml limit must be an integer ≥ 2, got ${limit}`);
  const { units, plain } = walk(html);
  if (plain.trim() === '') return [];
  if (plain.length <= limit) return [html];

  const parts: string[] = [];
  let stack: Unit[] = [];
  let a = 0;
  for (;;) {
    const partStart = a < units.length ? units[a]!.start : plain.length;
    if (plain.length - partStart <= limit) {
      const last = emit(units, a, units.length, stack);
      if (last.plain.trim() !== '') parts.push(last.html);
      return parts;
    }
    const windowEnd = safeEnd(units, plain, partStart + limit);
    const [cutStart, cutEnd] = chooseCut(plain, partStart, windowEnd, limit);
    const head = takeHead(units, cutStart);
    takeHead(units, cutEnd); // separator text: dropped
    const b = afterClosingTags(units, firstUnitAt(units, cutStart, a), cutStart);
    const part = emit(units, a, b, stack, head);
    if (part.plain.trim() !== '') parts.push(part.html);
    stack = part.stack;
    // The separator's text is dropped; its tags still open and close what they open and close.
    const c = afterClosingTags(units, firstUnitAt(units, cutEnd, b), cutEnd);
    for (let k = b; k < c; k++) applyTag(stack, units[k]!);
    a = c;
  }
}

// ── the walker ───────────────────────────────────────────────────────────────────────────────────────────────────

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

function walk(html: string): Walked {
  const units: Unit[] = [];
  let plain = '';
  let textFrom = 0;
  let tagsPossible = true; // after one "<" without ">", no later "<" starts a tag either: stay linear
  const flush = (to: number) => {
    if (to > textFrom) {
      const text = html.slice(textFrom, to);
      units.push({ kind: 'text', raw: text, plain: text, start: plain.length });
      plain += text;
    }
  };
  const markup = /[<&]/g;
  let i = 0;
  while (i < html.length) {
    markup.lastIndex = i;
    if (!markup.test(html)) break;
    i = markup.lastIndex - 1;
    const ch = html[i];
    if (ch === '<' && tagsPossible && /[A-Za-z]/.test(html[i + (html[i + 1] === '/' ? 2 : 1)] ?? '')) {
      const end = tagEnd(html, i);
      if (end < 0) {
        tagsPossible = false;
      } else {
        flush(i);
        const raw = html.slice(i, end + 1);
        const closing = raw[1] === '/';
        const name = (closing ? raw.slice(2) : raw.slice(1)).split(/[\s/>]/, 1)[0]!.toLowerCase();
        units.push({ kind: closing ? 'close' : 'open', raw, plain: '', start: plain.length, name });
        textFrom = i = end + 1;
        continue;
      }
    } else if (ch === '&') {
      const ref = decodeReference(html, i);
      if (ref) {
        flush(i);
        units.push({ kind: 'entity', raw: html.slice(i, ref.next), plain: ref.text, start: plain.length });
        plain += ref.text;
        textFrom = i = ref.next;
        continue;
      }
    }
    i++;
  }
  flush(html.length);
  return { units, plain };
}

/** Index of the ">" ending the tag that starts at `from` (quoted attribute values may hold ">"), or -1. */
function tagEnd(html: string, from: number): number {
  let quote = '';
  for (let i = from + 1; i < html.length; i++) {
    const ch = html[i];
    if (quote) {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (ch === '>') {
      return i;
    }
  }
  return -1;
}

/** As TDLib reads references: &lt; &gt; &amp; &quot; and numeric ones, the ";" optional; anything else is text. */
function decodeReference(html: string, pos: number): { text: string; next: number } | undefined {
  let end = pos + 1;
  let text: string | undefined;
  if (html[end] === '#') {
    end++;
    const hex = html[end] === 'x';
    if (hex) end++;
    const digitsFrom = end;
    while (end < html.length && (hex ? /[0-9a-fA-F]/ : /[0-9]/).test(html[end]!)) end++;
    const code = end > digitsFrom ? parseInt(html.slice(digitsFrom, end), hex ? 16 : 10) : 0;
    const surrogate = code >= 0xd800 && code <= 0xdfff;
    if (code === 0 || code >= 0x10ffff || surrogate || end - pos >= 10) return undefined;
    text = String.fromCodePoint(code);
  } else {
    while (end < html.length && /[A-Za-z]/.test(html[end]!)) end++;
    text = NAMED[html.slice(pos + 1, end)];
    if (text === undefined) return undefined;
  }
  return { text, next: html[end] === ';' ? end + 1 : end };
}

// ── cutting ──────────────────────────────────────────────────────────────────────────────────────────────────────

/** The largest offset ≤ `end` that is not inside an entity or a surrogate pair. */
function safeEnd(units: Unit[], plain: string, end: number): number {
  const unit = units[unitIndexAt(units, end)];
  if (unit?.kind === 'entity' && unit.start < end && end < unit.start + unit.plain.length) return unit.start;
  const high = plain.charCodeAt(end - 1);
  return high >= 0xd800 && high <= 0xdbff && end < plain.length ? end - 1 : end;
}

/** [cutStart, cutEnd): the part ends at cutStart, the next begins at cutEnd; what lies between is whitespace. */
function chooseCut(plain: string, partStart: number, windowEnd: number, limit: number): [number, number] {
  // Searched within the window only: a search back to the start of the text would make splitting quadratic.
  const window = plain.slice(partStart, windowEnd + 2);
  for (const least of [Math.floor(limit / 2), 1]) {
    for (const separator of ['\n\n', '\n', ' ']) {
      const found = window.lastIndexOf(separator, windowEnd - partStart);
      const at = partStart + found;
      if (found < 0 || found < least) continue;
      const ch = separator[0]!;
      let start = at;
      let end = at + separator.length;
      while (start > partStart && plain[start - 1] === ch) start--;
      while (end < plain.length && plain[end] === ch) end++;
      if (start > partStart) return [start, end];
    }
  }
  return [windowEnd, windowEnd];
}

/** Index of the unit whose text holds offset `at` (the last unit starting at or before it). */
function unitIndexAt(units: Unit[], at: number): number {
  let lo = 0;
  let hi = units.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (units[mid]!.start <= at) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * When offset `at` falls strictly inside a text run, the run keeps only its tail (from `at`) and its head is
 * returned, to end the part before: `at` then falls between units. In place, so each cut costs O(1) units moved.
 */
function takeHead(units: Unit[], at: number): Unit | undefined {
  const unit = units[unitIndexAt(units, at)];
  if (unit?.kind !== 'text' || at <= unit.start || at >= unit.start + unit.plain.length) return undefined;
  const text = unit.raw.slice(0, at - unit.start);
  unit.raw = unit.plain = unit.raw.slice(at - unit.start);
  unit.start = at;
  return { kind: 'text', raw: text, plain: text, start: at - text.length };
}

/** The first unit at or after `from` whose text starts at offset `at` or later. */
function firstUnitAt(units: Unit[], at: number, from: number): number {
  let k = from;
  while (k < units.length && units[k]!.start < at) k++;
  return k;
}

/** Closing tags right at the cut belong to the part that ends there. */
function afterClosingTags(units: Unit[], k: number, at: number): number {
  while (k < units.length && units[k]!.kind === 'close' && units[k]!.start === at) k++;
  return k;
}

function applyTag(stack: Unit[], unit: Unit): void {
  if (unit.kind === 'close') stack.pop();
  else if (unit.kind === 'open') stack.push(unit);
}

/** Units [a, b) and then `head` as one message: the tags open before `a` reopened, those still open closed. */
function emit(units: Unit[], a: number, b: number, open: Unit[], head?: Unit): { html: string; plain: string; stack: Unit[] } {
  let html = open.map((t) => t.raw).join('');
  let plain = '';
  const stack = [...open];
  for (let k = a; k < b; k++) {
    const unit = units[k]!;
    html += unit.raw;
    plain += unit.plain;
    applyTag(stack, unit);
  }
  if (head) {
    html += head.raw;
    plain += head.plain;
  }
  for (let k = stack.length - 1; k >= 0; k--) html += `</${stack[k]!.name}>`;
  return { html, plain, stack };
}
