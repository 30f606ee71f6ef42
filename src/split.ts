/** Telegram HTML read as text: what a person sees (htmlToPlain), and cutting it into messages (splitHtml). Pure:
 * strings in, strings out; nothing from node:. Knows tags and entities as Telegram spells them. */

/** A tag (no text; `name` lower-cased), an entity or a text run; `start`: where its text begins in the plain text. */
interface Unit { kind: 'text' | 'entity' | 'open' | 'close'; raw: string; plain: string; start: number; name?: string }

/** What a person reads: tags removed, entities decoded (unknown ones stay as written, as Telegram shows them). */
export const htmlToPlain = (html: string): string => walk(html).plain;

/** Cuts HTML into messages whose text (HTML decoded, in UTF-16 code units) is at most `limit` long. A part ends at the
 * last paragraph break (blank line) in its window, else the last line break, else the last space — first looking only
 * in the window's second half, then anywhere — else hard at the limit. Never inside a tag, an entity or a surrogate
 * pair. Tags open at a cut are closed at the end of the part and reopened, attributes and all, in the next. At a cut,
 * the run of newlines (paragraph or line cut) or spaces (space cut) is dropped; a hard cut drops nothing; a part
 * reading as whitespace only is dropped. So the plain text is exactly the parts' plain texts in order with only
 * whitespace between. Text that fits is returned as is; blank text gives no parts. */
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

/** A tag: "<" or "</", a letter, then anything up to a ">" outside quotes (an attribute value may hold ">"). */
const TAG = /<\/?[A-Za-z][^"'>]*(?:(?:"[^"]*"|'[^']*')[^"'>]*)*>/y;
/** A character reference as TDLib reads them: numeric, or &lt; &gt; &amp; &quot;; the ";" is optional. */
const REFERENCE = /&(?:#(x[0-9a-fA-F]*|[0-9]*)|([A-Za-z]*));?/y;
const NAMED = new Map([['lt', '<'], ['gt', '>'], ['amp', '&'], ['quot', '"']]);

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
      const ref = referenceAt(html, i);
      if (ref) unit = { kind: 'entity', raw: ref.raw, plain: ref.text, start: 0 };
    } else if (tagsPossible && /^<\/?[A-Za-z]/.test(html.slice(i, i + 3))) {
      TAG.lastIndex = i;
      const raw = TAG.exec(html)?.[0];
      tagsPossible = raw !== undefined;
      const closing = raw?.[1] === '/';
      const name = raw?.slice(closing ? 2 : 1).split(/[\s/>]/, 1)[0]!.toLowerCase();
      if (raw) unit = { kind: closing ? 'close' : 'open', raw, plain: '', start: 0, name };
    }
    if (!unit) continue;
    addText(i);
    add(unit);
    textFrom = markup.lastIndex = i + unit.raw.length;
  }
  addText(html.length);
  return { units, plain };
}

/** The reference at `pos` and what it reads as; undefined when Telegram shows it as typed. */
function referenceAt(html: string, pos: number): { raw: string; text: string } | undefined {
  REFERENCE.lastIndex = pos;
  const [raw, number, name] = REFERENCE.exec(html)!;
  if (name !== undefined) return NAMED.has(name) ? { raw, text: NAMED.get(name)! } : undefined;
  const code = Number(number!.replace('x', '0x'));
  const valid = code > 0 && code < 0x10ffff && (code < 0xd800 || code > 0xdfff) && raw.replace(/;$/, '').length < 10;
  return valid ? { raw, text: String.fromCodePoint(code) } : undefined;
}

/** The largest offset ≤ `end` not inside a surrogate pair (an entity reads as one code point: kept whole too). */
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
