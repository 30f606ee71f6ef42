/** GFM tables: finding one in Markdown lines, its cells as plain text, and drawing it for a phone (a monospace grid,
 * or "header: value" lines when too wide). Pure: nothing from node:. Cells carry no entities: a <pre> cannot. */
import { backtickCloser, escapeHtml, inlinePlain, runLength } from './markdown-inline.js';

type Align = 'l' | 'c' | 'r';
export interface Table { rows: string[][]; align: Align[] }

const TABLE_MAX_WIDTH = 60;

/** A header row with `|` and, under it, a delimiter row (`---`, `:--`, `--:`, `:-:`) with as many cells. */
export function isTableStart(lines: string[], i: number): boolean {
  const delimiter = lines[i + 1];
  if (!delimiter?.includes('|') || !delimiter.includes('-') || !lines[i]!.includes('|')) return false;
  const cells = splitRow(delimiter);
  return cells.every((c) => /^:?-+:?$/.test(c)) && splitRow(lines[i]!).length === cells.length;
}

/** The table at lines[i] (where isTableStart holds) down to a blank or `|`-less line, cells as text; the line after. */
export function readTable(lines: string[], i: number): { table: Table; next: number } {
  const align = splitRow(lines[i + 1]!).map((c): Align => (c.endsWith(':') ? (c.startsWith(':') ? 'c' : 'r') : 'l'));
  const rows = [splitRow(lines[i]!)];
  for (i += 2; lines[i]?.trim() && lines[i]!.includes('|'); i++) rows.push(splitRow(lines[i]!));
  return { table: { rows: rows.map((row) => row.map(cellText)), align }, next: i };
}

/** A table row's cells, trimmed; "\|" and a "|" inside a code span do not split. */
function splitRow(line: string): string[] {
  let row = line.trim();
  if (row.startsWith('|')) row = row.slice(1);
  if (row.endsWith('|') && !row.endsWith('\\|')) row = row.slice(0, -1);
  const cells: string[] = [];
  const closer = backtickCloser(row);
  let from = 0;
  for (let k = 0; k < row.length; k++) {
    if (row[k] === '\\') k++;
    else if (row[k] === '`') {
      const n = runLength(row, k);
      const end = closer(k, n);
      k = (end < 0 ? k + n : end + n) - 1; // the last backtick of the run, or of the span's closing run
    } else if (row[k] === '|') {
      cells.push(row.slice(from, k));
      from = k + 1;
    }
  }
  cells.push(row.slice(from));
  return cells.map((cell) => cell.trim());
}

function cellText(cell: string): string {
  // Plain and on one line: the grid is one <pre>, which holds no other entity, and a newline would break its rows.
  return inlinePlain(cell.replace(/\\\|/g, '|')).replace(/\s/g, ' ');
}

/** A monospace grid when it fits a phone (about 60 columns), else one "header: value" line per cell. */
export function renderTable({ rows, align }: Table): string {
  const columns = rows.reduce((most, row) => Math.max(most, row.length), 0);
  const grid = rows.map((row) => Array.from({ length: columns }, (_, j) => row[j] ?? ''));
  const header = grid[0]!;
  const widths = header.map((_, j) => grid.reduce((w, row) => Math.max(w, displayWidth(row[j]!)), 0));
  if (widths.reduce((sum, w) => sum + w, 0) + 3 * (columns - 1) > TABLE_MAX_WIDTH) {
    if (grid.length === 1) return escapeHtml(header.filter(Boolean).join(' · '));
    const label = (j: number) => (header[j] ? `<b>${escapeHtml(header[j])}</b>: ` : '');
    const card = (row: string[]) => row.flatMap((v, j) => (v ? [label(j) + escapeHtml(v)] : [])).join('\n');
    return grid.slice(1).map(card).filter(Boolean).join('\n\n');
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
function displayWidth(text: string): number {
  let width = 0;
  let last = 0; // width of the previous character, for a variation selector that widens it
  let joined = false; // the previous character was a zero-width joiner
  let flagHalf = false; // a regional indicator waiting for its pair
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const regional = cp >= 0x1f1e6 && cp <= 0x1f1ff;
    if (cp === 0xfe0f) { // emoji presentation: "❤" is one column, "❤️" two
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
