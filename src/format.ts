/**
 * Claude's Markdown → Telegram HTML: bold, italic, strike, code, pre, links and quotes as entities; headings, lists,
 * rules and tables drawn in text. Pure: strings in, values out; nothing from node:. Cutting HTML lives in split.ts.
 */
// telegram.ts takes these from here; they live in split.ts, which owns reading HTML as text.
export { htmlToPlain, splitHtml, truncateHtml } from './split.js';

export interface RenderOptions {
  /** A code block longer than this many lines is shown as a preview and sent whole as a document. */
  maxCodeLines?: number;
  /** …or longer than this many characters. */
  maxCodeChars?: number;
}

export interface RenderedMarkdown {
  html: string;
  /** Code blocks too long for a message, in order: `code-1.ts`, `code-2.txt`, … */
  documents: { filename: string; content: string }[];
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (ch) => ENTITIES[ch]!);
}

/**
 * Always valid Telegram HTML, whatever the input: text is escaped, every tag is generated here and balanced, links
 * only where Telegram keeps them. Nothing a person wrote is dropped except Markdown's own markup (a link's URL
 * moves into its href; an unlinkable one is shown after the text).
 */
export function renderMarkdown(md: string, options: RenderOptions = {}): RenderedMarkdown {
  const ctx: Context = {
    maxCodeLines: options.maxCodeLines ?? 120,
    maxCodeChars: options.maxCodeChars ?? 3000,
    documents: [],
  };
  const text = md
    .replace(/\r\n?/g, '\n')
    .replace(/\0/g, '\uFFFD')
    // A lone surrogate cannot travel as UTF-8; the replacement character at least shows that something was there.
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  return { html: renderBlocks(parseBlocks(text.split('\n'), 0), ctx, 0), documents: ctx.documents };
}

interface Context {
  maxCodeLines: number;
  maxCodeChars: number;
  documents: RenderedMarkdown['documents'];
}

// ── blocks ───────────────────────────────────────────────────────────────────────────────────────────────────────

type Align = 'l' | 'c' | 'r';
/** `gap`: a blank line separated it from the block before. An item whose marker is blank continues the one above. */
type Block = { gap: boolean } & (
  | { t: 'para' | 'heading'; text: string }
  | { t: 'rule' }
  | { t: 'code'; lang: string; text: string }
  | { t: 'table'; rows: string[][]; align: Align[] }
  | { t: 'item'; level: number; marker: string; text: string }
  | { t: 'quote'; blocks: Block[] }
);
type NewBlock = Block extends infer B ? (B extends Block ? Omit<B, 'gap'> : never) : never;

const FENCE = /^([ \t]*)(`{3,}|~{3,})(.*)$/;
const ITEM = /^([ \t]*)([-*+]|\d{1,9}[.)])(?:[ \t]+|$)/;
const QUOTE = /^[ \t]*>/;
const ATX = /^ {0,3}#{1,6}(?:[ \t]|$)/;
const SETEXT = /^ {0,3}(?:={3,}|-{3,})[ \t]*$/;
const BULLETS = ['•', '◦', '▪'];
const RULE = '——————————';
const TABLE_MAX_WIDTH = 60;
const PREVIEW_LINES = 30;
const PREVIEW_CHARS = 1500;
/** Deeper quotes and emphasis stay as typed: no one writes them, and they would cost stack and entities. */
const MAX_QUOTE_DEPTH = 8;
const MAX_INLINE_DEPTH = 16;

/**
 * Line by line rather than CommonMark's container model: enough for what Claude writes (lists with fences inside,
 * quotes holding anything), and linear. Indented code is not a thing here: indentation is kept as text.
 */
function parseBlocks(lines: string[], depth: number): Block[] {
  const blocks: Block[] = [];
  let levels: number[] = []; // indents of the list markers open at each nesting level
  const markers: string[] = []; // the last marker seen at each level, for continuations to hang under its text
  let gap = false;
  let i = 0;
  const add = (block: NewBlock) => {
    blocks.push({ ...block, gap: gap && blocks.length > 0 } as Block);
    gap = false;
  };
  /** Lines up to a blank one or the start of another block. */
  const collect = (first: string, trim: boolean): string[] => {
    const taken = [first];
    while (i < lines.length && lines[i]!.trim() !== '' && !startsBlock(lines, i)) {
      taken.push(trim ? lines[i]!.trim() : lines[i]!.trimEnd());
      i++;
    }
    return taken;
  };

  while (i < lines.length) {
    const line = lines[i]!;
    if (line.trim() === '') {
      gap = true;
      i++;
      continue;
    }
    const indent = indentOf(line);
    const fence = openFence(line);
    const item = ITEM.exec(line);
    if (indent < 2 && !item) levels = [];
    if (fence) {
      const body: string[] = [];
      for (i++; i < lines.length && !closesFence(lines[i]!, fence); i++) body.push(dedent(lines[i]!, fence.indent));
      i++; // the closing fence; an unclosed one runs to the end
      add({ t: 'code', lang: fence.lang, text: body.join('\n') });
    } else if (QUOTE.test(line) && depth < MAX_QUOTE_DEPTH) {
      const inner: string[] = [];
      for (; i < lines.length && QUOTE.test(lines[i]!); i++) inner.push(lines[i]!.replace(/^[ \t]*> ?/, ''));
      add({ t: 'quote', blocks: parseBlocks(inner, depth + 1) });
    } else if (ATX.test(line)) {
      i++;
      add({ t: 'heading', text: atxText(line) });
    } else if (isRule(line)) {
      i++;
      add({ t: 'rule' });
    } else if (isTableStart(lines, i)) {
      const align = splitRow(lines[i + 1]!).map((c): Align => (c.endsWith(':') ? (c.startsWith(':') ? 'c' : 'r') : 'l'));
      const rows = [splitRow(line)];
      for (i += 2; i < lines.length && lines[i]!.trim() !== '' && lines[i]!.includes('|'); i++) rows.push(splitRow(lines[i]!));
      add({ t: 'table', rows: rows.map((row) => row.map(cellText)), align });
    } else if (item) {
      const markerIndent = indentOf(item[1]!);
      while (levels.length > 0 && levels[levels.length - 1]! > markerIndent) levels.pop();
      if (levels.length === 0 || markerIndent >= levels[levels.length - 1]! + 2) levels.push(markerIndent);
      markers[levels.length - 1] = item[2]!;
      i++;
      add({ t: 'item', level: levels.length - 1, marker: item[2]!, text: collect(line.slice(item[0].length), true).join('\n') });
    } else if (gap && levels.length > 0) {
      // A paragraph indented under an item, after a blank line: it continues the deepest item it is indented under.
      const level = Math.max(0, levels.filter((at) => at + 2 <= indent).length - 1);
      i++;
      const hang = ' '.repeat(/\d/.test(markers[level] ?? '') ? markers[level]!.length : 1);
      add({ t: 'item', level, marker: hang, text: collect(line.trim(), true).join('\n') });
    } else {
      i++;
      const text = collect(line.trimEnd(), false);
      if (i < lines.length && SETEXT.test(lines[i]!)) {
        // "Title\n===" is a heading; "---" under a paragraph too, as CommonMark has it (not a rule).
        i++;
        add({ t: 'heading', text: text.join('\n') });
      } else {
        add({ t: 'para', text: text.join('\n') });
      }
    }
  }
  return blocks;
}

function startsBlock(lines: string[], i: number): boolean {
  const line = lines[i]!;
  return Boolean(openFence(line)) || QUOTE.test(line) || ATX.test(line) || SETEXT.test(line) || isRule(line) ||
    ITEM.test(line) || isTableStart(lines, i);
}

function indentOf(line: string): number {
  let width = 0;
  for (const ch of line) {
    if (ch === ' ') width++;
    else if (ch === '\t') width += 4;
    else break;
  }
  return width;
}

function dedent(line: string, upTo: number): string {
  let k = 0;
  while (k < upTo && (line[k] === ' ' || line[k] === '\t')) k++;
  return line.slice(k);
}

interface Fence { indent: number; ch: string; length: number; lang: string }

function openFence(line: string): Fence | undefined {
  const m = FENCE.exec(line);
  if (!m) return undefined;
  const [, indent, marker, info] = m as unknown as [string, string, string, string];
  if (marker[0] === '`' && info.includes('`')) return undefined; // ```a``` is inline code
  const lang = (info.trim().split(/\s/)[0] ?? '').replace(/[^A-Za-z0-9_+#.-]/g, '');
  return { indent: indent.length, ch: marker[0]!, length: marker.length, lang };
}

function closesFence(line: string, fence: Fence): boolean {
  const t = line.trim();
  return t.length >= fence.length && t === fence.ch.repeat(t.length);
}

function atxText(line: string): string {
  const text = line.replace(/^ {0,3}#{1,6}/, '').trim();
  let end = text.length;
  while (end > 0 && text[end - 1] === '#') end--;
  if (end === 0) return '';
  return end < text.length && /[ \t]/.test(text[end - 1]!) ? text.slice(0, end).trimEnd() : text;
}

function isRule(line: string): boolean {
  const t = line.replace(/[ \t]/g, '');
  return t.length >= 3 && /^(?:\*+|-+|_+)$/.test(t);
}

function isTableStart(lines: string[], i: number): boolean {
  const head = lines[i]!;
  const delimiter = lines[i + 1];
  if (delimiter === undefined || !head.includes('|') || !delimiter.includes('|') || !delimiter.includes('-')) return false;
  const cells = splitRow(delimiter);
  return cells.every((c) => /^:?-+:?$/.test(c)) && splitRow(head).length === cells.length;
}

/** A table row's cells, trimmed; "\|" and a "|" inside a code span do not split. */
function splitRow(line: string): string[] {
  let row = line.trim();
  if (row.startsWith('|')) row = row.slice(1);
  if (row.endsWith('|') && !row.endsWith('\\|')) row = row.slice(0, -1);
  const cells: string[] = [];
  const closer = backtickCloser(row);
  let from = 0;
  for (let k = 0; k < row.length; ) {
    const ch = row[k];
    if (ch === '\\') {
      k += 2;
    } else if (ch === '`') {
      const n = runLength(row, k);
      const end = closer(k, n);
      k = end < 0 ? k + n : end + n;
    } else {
      if (ch === '|') {
        cells.push(row.slice(from, k));
        from = k + 1;
      }
      k++;
    }
  }
  cells.push(row.slice(from));
  return cells.map((cell) => cell.trim());
}

function cellText(cell: string): string {
  return renderTokens(parseInline(cell.replace(/\\\|/g, '|')), true).replace(/\s/g, ' ');
}

// ── rendering blocks ─────────────────────────────────────────────────────────────────────────────────────────────

function renderBlocks(blocks: Block[], ctx: Context, depth: number): string {
  let out = '';
  blocks.forEach((block, k) => {
    if (k > 0) out += block.gap ? '\n\n' : '\n';
    out += renderBlock(block, ctx, depth);
  });
  return out;
}

function renderBlock(block: Block, ctx: Context, depth: number): string {
  switch (block.t) {
    case 'para': return inlineHtml(block.text);
    case 'heading': return `<b>${inlineHtml(block.text)}</b>`;
    case 'rule': return RULE;
    case 'code': return renderCode(block.text, block.lang, ctx);
    case 'table': return renderTable(block.rows, block.align);
    case 'item': {
      const pad = '  '.repeat(block.level);
      const marker = /^[-*+]$/.test(block.marker) ? BULLETS[Math.min(block.level, 2)]! : block.marker;
      const lead = `${pad}${marker} `;
      return lead + inlineHtml(block.text).replace(/\n/g, `\n${' '.repeat(lead.length)}`);
    }
    case 'quote': {
      const inner = renderBlocks(block.blocks, ctx, depth + 1);
      // Telegram cannot nest quotes: an inner quote is marked line by line instead (code blocks left untouched).
      return depth === 0 ? `<blockquote>${inner}</blockquote>` : markLines(inner, '│ ');
    }
  }
}

function markLines(html: string, mark: string): string {
  return html
    .split(/(<pre[\s\S]*?<\/pre>)/)
    .map((piece, k) => (k % 2 === 1 ? piece : (k === 0 ? mark : '') + piece.replace(/\n/g, `\n${mark}`)))
    .join('');
}

const EXTENSIONS: Record<string, string> = {
  typescript: 'ts', ts: 'ts', tsx: 'tsx', javascript: 'js', js: 'js', jsx: 'jsx', mjs: 'mjs', cjs: 'cjs',
  python: 'py', py: 'py', bash: 'sh', sh: 'sh', shell: 'sh', zsh: 'sh', json: 'json', jsonl: 'jsonl', yaml: 'yaml',
  yml: 'yaml', toml: 'toml', ini: 'ini', rust: 'rs', rs: 'rs', go: 'go', java: 'java', kotlin: 'kt', kt: 'kt',
  c: 'c', h: 'h', cpp: 'cpp', 'c++': 'cpp', csharp: 'cs', 'c#': 'cs', cs: 'cs', ruby: 'rb', rb: 'rb', php: 'php',
  swift: 'swift', html: 'html', xml: 'xml', css: 'css', scss: 'scss', sql: 'sql', markdown: 'md', md: 'md',
  diff: 'diff', patch: 'diff', lua: 'lua', perl: 'pl', r: 'r', scala: 'scala', dart: 'dart', vue: 'vue',
};

function renderCode(code: string, lang: string, ctx: Context): string {
  const [open, close] = lang ? [`<pre><code class="language-${lang}">`, '</code></pre>'] : ['<pre>', '</pre>'];
  const lines = code.split('\n');
  if (lines.length <= ctx.maxCodeLines && code.length <= ctx.maxCodeChars) return open + escapeHtml(code) + close;

  const filename = `code-${ctx.documents.length + 1}.${EXTENSIONS[lang.toLowerCase()] ?? 'txt'}`;
  ctx.documents.push({ filename, content: `${code}\n` });
  let shown = lines.slice(0, Math.min(PREVIEW_LINES, ctx.maxCodeLines)).join('\n');
  const maxChars = Math.min(PREVIEW_CHARS, ctx.maxCodeChars);
  let whole = shown.split('\n').length; // lines shown whole
  if (shown.length > maxChars) {
    const lineEnd = shown.lastIndexOf('\n', maxChars);
    if (lineEnd > 0) {
      shown = shown.slice(0, lineEnd);
      whole = shown.split('\n').length;
    } else {
      const high = shown.charCodeAt(maxChars - 1) >= 0xd800 && shown.charCodeAt(maxChars - 1) <= 0xdbff;
      shown = shown.slice(0, high ? maxChars - 1 : maxChars);
      whole = 0;
    }
  }
  const more = lines.length - whole;
  const note = `… ${more} more line${more === 1 ? '' : 's'}: full block sent as a file, ${filename}`;
  return `${open}${escapeHtml(shown)}${close}\n<i>${escapeHtml(note)}</i>`;
}

/** A monospace grid when it fits a phone (about 60 columns), else one "header: value" line per cell. */
function renderTable(rows: string[][], align: Align[]): string {
  const columns = rows.reduce((most, row) => Math.max(most, row.length), 0);
  const grid = rows.map((row) => Array.from({ length: columns }, (_, j) => row[j] ?? ''));
  const widths = Array.from({ length: columns }, (_, j) => grid.reduce((w, row) => Math.max(w, displayWidth(row[j]!)), 0));
  const header = grid[0]!;
  if (widths.reduce((sum, w) => sum + w, 0) + 3 * (columns - 1) > TABLE_MAX_WIDTH) {
    if (grid.length === 1) return escapeHtml(header.filter(Boolean).join(' · '));
    return grid
      .slice(1)
      .map((row) =>
        row
          .map((value, j) => (value === '' ? '' : header[j] ? `<b>${escapeHtml(header[j]!)}</b>: ${escapeHtml(value)}` : escapeHtml(value)))
          .filter(Boolean)
          .join('\n'))
      .filter(Boolean)
      .join('\n\n');
  }
  const pad = (cell: string, j: number) => {
    const room = widths[j]! - displayWidth(cell);
    const left = align[j] === 'r' ? room : align[j] === 'c' ? room >> 1 : 0;
    return ' '.repeat(left) + cell + ' '.repeat(room - left);
  };
  const line = (row: string[]) => row.map(pad).join(' │ ').trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('─┼─');
  return `<pre>${escapeHtml([line(header), rule, ...grid.slice(1).map(line)].join('\n'))}</pre>`;
}

/** Columns a monospace font gives the text: CJK and emoji take two, combining marks and joiners none. */
export function displayWidth(text: string): number {
  let width = 0;
  let last = 0; // width of the previous character, for a variation selector that widens it
  let joined = false; // the previous character was a zero-width joiner
  let flagHalf = false; // a regional indicator waiting for its pair
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const regional = cp >= 0x1f1e6 && cp <= 0x1f1ff;
    if (cp === 0xfe0f) {
      // Emoji presentation: "❤" is one column, "❤️" two.
      if (last === 1) width++;
      last = 2;
      continue;
    }
    if (joined || (regional && flagHalf) || /[\p{Mn}\p{Me}\p{Cf}\p{Emoji_Modifier}\uFE00-\uFE0E]/u.test(ch)) {
      joined = cp === 0x200d;
      flagHalf = false;
      continue;
    }
    flagHalf = regional;
    last = isWide(cp) || /\p{Emoji_Presentation}/u.test(ch) ? 2 : 1;
    width += last;
  }
  return width;
}

function isWide(cp: number): boolean {
  return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd);
}

// ── inline ───────────────────────────────────────────────────────────────────────────────────────────────────────

type Kind = 'b' | 'i' | 's';
/** Flat tokens; emphasis is recorded on its delimiters (`opens` outermost first, `closes` innermost first). */
type Token =
  | { t: 'text' | 'code'; s: string }
  | { t: 'autolink'; url: string }
  | { t: 'delim'; ch: string; left: number; opens: Kind[]; closes: Kind[] }
  | { t: 'open' | 'close'; s: string; url?: string }; // '[' / '![' and ']', with the URL once they make a link
type DelimToken = Extract<Token, { t: 'delim' }>;
type OpenToken = Extract<Token, { t: 'open' | 'close' }>;

interface Delim { tok: DelimToken; ch: string; length: number; canOpen: boolean; canClose: boolean; prev?: Delim; next?: Delim }
interface Bracket { tok: OpenToken; bottom: Delim | undefined; seq: number; image: boolean }

const ASCII_PUNCT = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const URI_AUTOLINK = /<([A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*)>/y;
const EMAIL_AUTOLINK = /<([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*)>/y;
const BARE_URL = /https?:\/\/[^\s<>[\]`]*/iy;
const MAX_URL = 2048;
/** Where parseInline's next decision may be: everything else is plain text. */
const SPECIAL = /[\\`*_~[\]!<hH]/g;

const inlineHtml = (text: string): string => renderTokens(parseInline(text), false);

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

  const processEmphasis = (bottom: Delim | undefined) => {
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
        const odd = c.ch !== '~' && (c.canOpen || o.canClose) && c.length % 3 !== 0 && (o.length + c.length) % 3 === 0;
        if (o.ch === c.ch && o.canOpen && !odd) break;
        o = o.prev;
      }
      if (o && o !== bottom && o !== floor) {
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
      push({ t: 'close', s: src.slice(pos, dest.end), url: dest.url });
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

function runLength(src: string, pos: number): number {
  let end = pos;
  while (src[end] === src[pos]) end++;
  return end - pos;
}

/**
 * Finds where a code span opened by a backtick run closes: at the next run of exactly its length. Runs are found
 * once; each length keeps a cursor that only moves forward, so a line of 20,000 stray backticks stays linear.
 */
function backtickCloser(src: string): (pos: number, length: number) => number {
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
      if (depth > 32) return undefined;
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
    const anchor = !plain && anchors === 0 && isLinkable(url);
    if (anchor) anchors++;
    tag(anchor ? `<a href="${escapeHtml(url)}">` : '');
    links.push({ url, anchor, label: '', blank: true });
  };
  const close = () => {
    const tracked = links.length <= MAX_INLINE_DEPTH;
    const link = links.pop()!;
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
      case 'close':
        if (tok.url === undefined) put(tok.s);
        else close();
        break;
    }
  }
  return html;
}
