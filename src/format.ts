/** Claude's Markdown → Telegram HTML by block: paragraphs, headings, lists, rules, quotes, fenced code (long: a preview
 * plus a document). Pure, no node:. Inline: markdown-inline.ts; tables: markdown-table.ts; splitting: split.ts. */
import { escapeHtml, inlineHtml } from './markdown-inline.js';
import { isTableStart, readTable, renderTable, type Table } from './markdown-table.js';

// Callers know format.ts as the one place for Markdown, escaping and messages; the pieces live apart.
export { escapeHtml } from './markdown-inline.js';
export { htmlToPlain, splitHtml } from './split.js';

export const clip = (text: string, max: number): string => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
export const firstLine = (text: string): string => text.split('\n').find((line) => line.trim() !== '')?.trim() ?? '';

/** A code block over maxCodeLines lines or maxCodeChars characters: a preview, and whole in `documents`, in order. */
interface Context { maxCodeLines: number; maxCodeChars: number; documents: { filename: string; content: string }[] }

/** Always valid Telegram HTML, whatever the input: text escaped, tags generated here and balanced, links only where
 * Telegram keeps them. Only Markdown's markup is dropped (a URL goes into its href, or after the text). */
export function renderMarkdown(
  md: string, { maxCodeLines = 120, maxCodeChars = 3000 }: Partial<Omit<Context, 'documents'>> = {},
): { html: string; documents: Context['documents'] } {
  const ctx: Context = { maxCodeLines, maxCodeChars, documents: [] };
  // NUL and a lone surrogate (which cannot travel as UTF-8) become the replacement character: something was there.
  const text = md.replace(/\r\n?/g, '\n')
    .replace(/\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  return { html: renderBlocks(parseBlocks(text.split('\n'), 0), ctx, 0), documents: ctx.documents };
}

/** `gap`: a blank line separated it from the block before. An item whose marker is blank continues the one above. */
type Block = { gap?: boolean } & (
  | { t: 'para' | 'heading'; text: string }
  | { t: 'rule' }
  | { t: 'code'; lang: string; text: string }
  | { t: 'table'; table: Table }
  | { t: 'item'; level: number; marker: string; text: string }
  | { t: 'quote'; blocks: Block[] }
);

const FENCE = /^([ \t]*)(`{3,}|~{3,})(.*)$/;
const ITEM = /^([ \t]*)([-*+]|\d{1,9}[.)])(?:[ \t]+|$)/;
const QUOTE = /^[ \t]*>/;
const ATX = /^ {0,3}#{1,6}(?:[ \t]|$)/;
const SETEXT = /^ {0,3}(?:={3,}|-{3,})[ \t]*$/;
const BULLETS = ['•', '◦', '▪'];
const RULE = '——————————';
const PREVIEW_LINES = 30;
const PREVIEW_CHARS = 1500;
/** Deeper quotes stay as typed: no one writes them, and they would cost stack. */
const MAX_QUOTE_DEPTH = 8;

/** Line by line rather than CommonMark's container model: enough for what Claude writes (lists with fences inside,
 * quotes holding anything), and linear. Indented code is not a thing here: indentation is kept as text. */
function parseBlocks(lines: string[], depth: number): Block[] {
  const blocks: Block[] = [];
  let levels: number[] = []; // indents of the list markers open at each nesting level
  const markers: string[] = []; // the last marker seen at each level, for continuations to hang under its text
  let gap = false;
  let i = 0;
  const add = (block: Block) => {
    blocks.push({ ...block, gap: gap && blocks.length > 0 });
    gap = false;
  };
  /** `first` and the lines after it up to a blank one or the start of another block. */
  const collect = (first: string, trim: boolean): string => {
    let taken = first;
    for (; i < lines.length && lines[i]!.trim() !== '' && !startsBlock(lines, i); i++) {
      taken += `\n${trim ? lines[i]!.trim() : lines[i]!.trimEnd()}`;
    }
    return taken;
  };

  while (i < lines.length) {
    const line = lines[i++]!;
    if (line.trim() === '') {
      gap = true;
      continue;
    }
    const indent = indentOf(line);
    const fence = openFence(line);
    const item = ITEM.exec(line);
    if (indent < 2 && !item) levels = []; // a line not indented under an item ends the list
    if (fence) {
      const body: string[] = [];
      for (; i < lines.length && !fence.closing.test(lines[i]!); i++) body.push(dedent(lines[i]!, fence.indent));
      i++; // the closing fence; an unclosed one runs to the end
      add({ t: 'code', lang: fence.lang, text: body.join('\n') });
    } else if (QUOTE.test(line) && depth < MAX_QUOTE_DEPTH) {
      const inner = [line];
      while (i < lines.length && QUOTE.test(lines[i]!)) inner.push(lines[i++]!);
      add({ t: 'quote', blocks: parseBlocks(inner.map((l) => l.replace(/^[ \t]*> ?/, '')), depth + 1) });
    } else if (ATX.test(line)) {
      add({ t: 'heading', text: atxText(line) });
    } else if (isRule(line)) {
      add({ t: 'rule' });
    } else if (isTableStart(lines, i - 1)) {
      const { table, next } = readTable(lines, i - 1);
      i = next;
      add({ t: 'table', table });
    } else if (item) {
      const markerIndent = indentOf(item[1]!);
      while (levels.length > 0 && levels.at(-1)! > markerIndent) levels.pop();
      // Two columns past the open marker nest an item, not CommonMark's content column: "1. a" then "  - b" nests too.
      if (levels.length === 0 || markerIndent >= levels.at(-1)! + 2) levels.push(markerIndent);
      markers[levels.length - 1] = item[2]!;
      add({ t: 'item', level: levels.length - 1, marker: item[2]!, text: collect(line.slice(item[0].length), true) });
    } else if (gap && levels.length > 0) {
      // A paragraph indented under an item, after a blank line: it continues the deepest item it is indented under.
      const level = Math.max(0, levels.filter((at) => at + 2 <= indent).length - 1);
      const hang = ' '.repeat(/\d/.test(markers[level] ?? '') ? markers[level]!.length : 1);
      add({ t: 'item', level, marker: hang, text: collect(line.trim(), true) });
    } else {
      const text = collect(line.trimEnd(), false);
      // "Title\n===" is a heading; "---" under a paragraph too, as CommonMark has it (not a rule).
      const setext = i < lines.length && SETEXT.test(lines[i]!);
      if (setext) i++;
      add({ t: setext ? 'heading' : 'para', text });
    }
  }
  return blocks;
}

function startsBlock(lines: string[], i: number): boolean {
  const line = lines[i]!;
  return Boolean(openFence(line)) || QUOTE.test(line) || ATX.test(line) || SETEXT.test(line) || isRule(line) ||
    ITEM.test(line) || isTableStart(lines, i);
}

/** The columns of a line's leading blanks, a tab counting four. */
function indentOf(line: string): number {
  const lead = /^[ \t]*/.exec(line)![0];
  return lead.length + 3 * lead.replace(/ /g, '').length;
}

const dedent = (line: string, upTo: number) => line.slice(Math.min(upTo, /^[ \t]*/.exec(line)![0].length));

/** An opening fence: its indentation (taken off the code's lines), the code's language, what closes it. */
function openFence(line: string): { indent: number; lang: string; closing: RegExp } | undefined {
  const m = FENCE.exec(line);
  if (!m) return undefined;
  const [, indent, marker, info] = m as unknown as [string, string, string, string];
  if (marker[0] === '`' && info.includes('`')) return undefined; // ```a``` is inline code
  const lang = (info.trim().split(/\s/)[0] ?? '').replace(/[^A-Za-z0-9_+#.-]/g, '');
  return { indent: indent.length, lang, closing: new RegExp(`^\\s*\\${marker[0]}{${marker.length},}\\s*$`) };
}

/** An ATX heading's text; a closing run of #s goes only when a blank precedes it (or it is all there is). */
const atxText = (line: string): string =>
  line.replace(/^ {0,3}#{1,6}/, '').trim().replace(/(^|[ \t])#+$/, '').trimEnd();

const isRule = (line: string) => /^(?:\*{3,}|-{3,}|_{3,})$/.test(line.replace(/[ \t]/g, ''));

const renderBlocks = (blocks: Block[], ctx: Context, depth: number): string =>
  blocks.map((block) => (block.gap ? '\n' : '') + renderBlock(block, ctx, depth)).join('\n');

function renderBlock(block: Block, ctx: Context, depth: number): string {
  switch (block.t) {
    case 'para': return inlineHtml(block.text);
    case 'heading': return `<b>${inlineHtml(block.text)}</b>`;
    case 'rule': return RULE;
    case 'code': return renderCode(block.text, block.lang, ctx);
    case 'table': return renderTable(block.table);
    case 'item': {
      const marker = /^[-*+]$/.test(block.marker) ? BULLETS[Math.min(block.level, 2)]! : block.marker;
      const lead = `${'  '.repeat(block.level)}${marker} `;
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
  return html.split(/(<pre[\s\S]*?<\/pre>)/)
    .map((piece, k) => (k % 2 === 1 ? piece : (k === 0 ? mark : '') + piece.replace(/\n/g, `\n${mark}`))).join('');
}

const EXTENSIONS = new Set(`ts tsx js jsx mjs cjs py sh json jsonl yaml toml ini rs go java kt c h cpp cs rb php swift
  html xml css scss sql md diff lua r scala dart vue`.split(/\s+/));
const ALIASES: Record<string, string> = { typescript: 'ts', javascript: 'js', python: 'py', bash: 'sh', shell: 'sh',
  zsh: 'sh', yml: 'yaml', rust: 'rs', kotlin: 'kt', 'c++': 'cpp', csharp: 'cs', 'c#': 'cs', ruby: 'rb', markdown: 'md',
  patch: 'diff', perl: 'pl' };

function renderCode(code: string, lang: string, ctx: Context): string {
  const [open, close] = lang ? [`<pre><code class="language-${lang}">`, '</code></pre>'] : ['<pre>', '</pre>'];
  const lines = code.split('\n');
  if (lines.length <= ctx.maxCodeLines && code.length <= ctx.maxCodeChars) return open + escapeHtml(code) + close;
  const name = lang.toLowerCase();
  const extension = Object.hasOwn(ALIASES, name) ? ALIASES[name] : EXTENSIONS.has(name) ? name : 'txt';
  const filename = `code-${ctx.documents.length + 1}.${extension}`;
  ctx.documents.push({ filename, content: `${code}\n` });
  let shown = lines.slice(0, Math.min(PREVIEW_LINES, ctx.maxCodeLines)).join('\n');
  const maxChars = Math.min(PREVIEW_CHARS, ctx.maxCodeChars);
  const lineEnd = shown.lastIndexOf('\n', maxChars);
  // Too long: cut after the last whole line, else inside the first one (never between the halves of a surrogate pair).
  const firstCut = shown.length > maxChars && lineEnd <= 0;
  if (firstCut) shown = shown.slice(0, /[\uD800-\uDBFF]/.test(shown[maxChars - 1]!) ? maxChars - 1 : maxChars);
  else if (shown.length > maxChars) shown = shown.slice(0, lineEnd);
  const more = lines.length - (firstCut ? 0 : shown.split('\n').length);
  const note = `… ${more} more line${more === 1 ? '' : 's'}: full block sent as a file, ${filename}`;
  return `${open}${escapeHtml(shown)}${close}\n<i>${escapeHtml(note)}</i>`;
}
