/**
 * Telegram HTML read as text: what a person sees (htmlToPlain), and cutting it into messages (splitHtml). Pure:
 * strings in, strings out; nothing from node:. Knows tags and entities as Telegram spells them.
 */

/**
 * One piece of the HTML: a tag (reads as nothing; `name` lower-cased), one entity, or a run of literal text. `start`
 * is where its text begins in the plain text, in UTF-16 code units.
 */
interface Unit { kind: 'text' | 'entity' | 'open' | 'close'; raw: string; plain: string; start: number; name?: string }

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
  const valid = Number.isInteger(limit) && limit >= 2;
  if (!valid) throw new RangeError(`splitHtml limit must be an integer ≥ 2, got ${limit}`);
  const { units, plain } = walk(html);
  if (plain.trim() === '') return [];
  if (plain.length <= limit) return [html];
  const parts: string[] = [];
  const open: Unit[] = []; // the tags open where the walk is
  let k = 0; // the next unit
  let from = 0; // where the walk is in the plain text
  /** Walks the units up to offset `to` and the tags closing there; a text run going on past `to` is cut there. */
  const walkTo = (to: number): { html: string; text: string } => {
    let html = '';
    let text = '';
    for (; k < units.length; k++) {
      const unit = units[k]!;
      if (unit.start > to || (unit.start === to && unit.kind !== 'close')) break;
      const piece = unit.kind === 'text' ? unit.raw.slice(Math.max(0, from - unit.start), to - unit.start) : unit.raw;
      html += piece;
      text += unit.kind === 'text' ? piece : unit.plain;
      if (unit.kind === 'close') open.pop();
      if (unit.kind === 'open') open.push(unit);
      if (unit.start + unit.plain.length > to) break;
    }
    from = to;
    return { html, text };
  };
  for (;;) {
    const last = plain.length - from <= limit;
    const [cut, next] = last ? [Infinity, Infinity] : chooseCut(plain, from, safeEnd(plain, from + limit), limit);
    const reopened = open.map((unit) => unit.raw).join('');
    const part = walkTo(cut);
    const closed = open.map((unit) => `</${unit.name}>`).reverse().join('');
    if (part.text.trim() !== '') parts.push(reopened + part.html + closed);
    if (last) return parts;
    walkTo(next); // the whitespace between parts is dropped; its tags still open and close what they do
  }
}

// ── the walker ───────────────────────────────────────────────────────────────────────────────────────────────────

const NAMED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };

function walk(html: string): { units: Unit[]; plain: string } {
  const units: Unit[] = [];
  let plain = '';
  let textFrom = 0;
  let tagsPossible = true; // after one "<" without ">", no later "<" starts a tag either: stay linear
  const add = (unit: Unit) => {
    unit.start = plain.length;
    units.push(unit);
    plain += unit.plain;
  };
  const addText = (to: number) => {
    const text = html.slice(textFrom, to);
    if (text) add({ kind: 'text', raw: text, plain: text, start: 0 });
  };
  const markup = /[<&]/g;
  for (let m = markup.exec(html); m; m = markup.exec(html)) {
    const i = m.index;
    let unit: Unit | undefined;
    if (html[i] === '&') {
      const ref = decodeReference(html, i);
      if (ref) unit = { kind: 'entity', raw: html.slice(i, ref.next), plain: ref.text, start: 0 };
    } else if (tagsPossible && /[A-Za-z]/.test(html[i + (html[i + 1] === '/' ? 2 : 1)] ?? '')) {
      const end = tagEnd(html, i);
      tagsPossible = end >= 0;
      const raw = html.slice(i, end + 1);
      const name = raw.slice(raw[1] === '/' ? 2 : 1).split(/[\s/>]/, 1)[0]!.toLowerCase();
      if (end >= 0) unit = { kind: raw[1] === '/' ? 'close' : 'open', raw, plain: '', start: 0, name };
    }
    if (!unit) continue;
    addText(i);
    add(unit);
    textFrom = markup.lastIndex = i + unit.raw.length;
  }
  addText(html.length);
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

/**
 * The largest offset ≤ `end` that is not inside a surrogate pair. An entity reads as one code point, so this keeps
 * entities whole too.
 */
function safeEnd(plain: string, end: number): number {
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
      if (found < least) continue;
      let start = partStart + found;
      let end = start + separator.length;
      while (start > partStart && plain[start - 1] === separator[0]) start--;
      while (plain[end] === separator[0]) end++;
      if (start > partStart) return [start, end];
    }
  }
  return [windowEnd, windowEnd];
}
