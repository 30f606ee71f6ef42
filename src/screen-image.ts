/** A pane captured with `tmux capture-pane -e` as a PNG: SGR colours (16, 256, truecolour), bold, dim and reverse
 * into cells, each cell an 8×16 glyph of GNU Unifont (src/font; wide characters take two cells), a box for a glyph
 * the font lacks. Other escapes are ignored. The font is read once, on first use; nothing else touches the disk. */
import { readFileSync } from 'node:fs';
import { encodePng } from './png.js';

/** From dist/screen-image.js: tsc copies no .hex, so the font stays in src/font. */
const FONT_FILE = new URL('../src/font/unifont-subset.hex', import.meta.url);
const [CELL_W, CELL_H] = [8, 16];
/** A blank or narrow screen is still drawn this wide: Telegram refuses a photo whose sides are over 20 to 1 apart. */
const MIN_COLS = 80;
const [FG, BG] = [0xd4d4d4, 0x1e1e1e];
// VS Code's dark terminal palette: black, red, green, yellow, blue, magenta, cyan, white, then the bright ones.
const BASE16 = [0x000000, 0xcd3131, 0x0dbc79, 0xe5e510, 0x2472c8, 0xbc3fbc, 0x11a8cd, 0xe5e5e5,
  0x666666, 0xf14c4c, 0x23d18b, 0xf5f543, 0x3b8eea, 0xd670d6, 0x29b8db, 0xffffff];
/** Characters a terminal gives two cells: East Asian wide ranges and emoji presentation (close to tmux's wcwidth). */
const WIDE = new RegExp('[\\p{Emoji_Presentation}\\u1100-\\u115f\\u2e80-\\ua4cf\\uac00-\\ud7a3\\uf900-\\ufaff' +
  '\\ufe30-\\ufe4f\\uff00-\\uff60\\uffe0-\\uffe6\\u{20000}-\\u{3fffd}]', 'u');
/** Drawn as nothing: controls, combining marks, zero-width joiners, variation selectors. */
const ZERO_WIDTH = /[\p{Cc}\p{Mn}\u200b-\u200f\ufe0e\ufe0f]/u;
const ESCAPE = /\x1b(?:\[([\d;:?<=>]*)[ -/]*([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[^[\]]?)/y;

interface Pen { fg: number; bg: number; bold: boolean; dim: boolean; reverse: boolean }
/** cp -1: the right half of the wide character before it. */
interface Cell { cp: number; fg: number; bg: number; bold: boolean; wide: boolean }
const PLAIN: Pen = { fg: -1, bg: -1, bold: false, dim: false, reverse: false };
const BLANK: Cell = { cp: 32, fg: FG, bg: BG, bold: false, wide: false };

let font: Map<number, string> | undefined;
/** Glyphs as drawn, by code point × 2 (+1 in two cells): 16 rows of 16 bits, the left pixel in the top bit. */
const drawn = new Map<number, Uint16Array>();

/** The rows to draw for `cp` in one cell (or two when `wide`); a 16-pixel glyph in one cell is squeezed to 8. The
 * font's lines (`XXXX:` and 32 or 64 hex digits) are decoded when first drawn. */
function glyphRows(cp: number, wide: boolean): Uint16Array {
  const key = cp * 2 + (wide ? 1 : 0);
  let rows = drawn.get(key);
  if (rows) return rows;
  font ??= new Map(readFileSync(FONT_FILE, 'latin1').split('\n').map((line) => [parseInt(line, 16), line.slice(5)]));
  const bytes = Buffer.from(font.get(cp) ?? '', 'hex');
  const twice = bytes.length === 32;
  const [edge, sides] = wide ? [0x7ffe, 0x4002] : [0x7e00, 0x4200];
  const box = (y: number) => (y === 1 || y === 14 ? edge : y > 1 && y < 14 ? sides : 0);
  rows = Uint16Array.from({ length: CELL_H }, (_, y) => {
    if (bytes.length !== 16 && !twice) return box(y);
    const row = twice ? (bytes[2 * y]! << 8) | bytes[2 * y + 1]! : bytes[y]! << 8;
    let squeezed = 0;
    for (let x = 0; x < CELL_W; x++) if ((row >> (14 - 2 * x)) & 3) squeezed |= 0x8000 >>> x;
    return wide || !twice ? row : squeezed;
  });
  drawn.set(key, rows);
  return rows;
}

function colour256(n: number): number {
  if (n < 16) return BASE16[n]!;
  if (n >= 232) return (8 + 10 * (n - 232)) * 0x010101;
  const level = (v: number) => (v ? 55 + 40 * v : 0);
  const i = n - 16;
  return (level(Math.floor(i / 36)) << 16) | (level(Math.floor(i / 6) % 6) << 8) | level(i % 6);
}

/** Applies one SGR sequence's parameters (`1;38;5;208`) to the pen; sub-parameters (`4:3`) count as their head. */
function applySgr(pen: Pen, params: string): void {
  const p = params.split(';').map((x) => parseInt(x, 10) || 0);
  for (let i = 0; i < p.length; i++) {
    const n = p[i]!;
    if (n === 0) Object.assign(pen, PLAIN);
    else if (n === 1 || n === 2) pen[n === 1 ? 'bold' : 'dim'] = true;
    else if (n === 22) pen.bold = pen.dim = false;
    else if (n === 7 || n === 27) pen.reverse = n === 7;
    else if (n === 39 || n === 49) pen[n === 39 ? 'fg' : 'bg'] = -1;
    else if ((n >= 30 && n <= 37) || (n >= 90 && n <= 97)) pen.fg = BASE16[n < 90 ? n - 30 : n - 82]!;
    else if ((n >= 40 && n <= 47) || (n >= 100 && n <= 107)) pen.bg = BASE16[n < 100 ? n - 40 : n - 92]!;
    else if (n === 38 || n === 48 || n === 58) {
      const [kind, a = 0, b = 0, c = 0] = p.slice(i + 1, i + 5);
      const colour = kind === 5 ? colour256(a & 255) : ((a & 255) << 16) | ((b & 255) << 8) | (c & 255);
      i += kind === 5 ? 2 : kind === 2 ? 4 : 1;
      if (n !== 58 && (kind === 5 || kind === 2)) pen[n === 38 ? 'fg' : 'bg'] = colour;
    }
  }
}

/** Halfway from `fg` to `bg`, channel by channel: how a terminal shows dim text. */
const blend = (fg: number, bg: number) => ((fg & 0xfefefe) >> 1) + ((bg & 0xfefefe) >> 1);

/** The capture's rows as cells; the pen carries across rows, as tmux writes only its changes. */
function parseScreen(capture: string): Cell[][] {
  const pen = { ...PLAIN };
  return capture.replace(/\n$/, '').split('\n').map((line) => {
    const cells: Cell[] = [];
    for (let i = 0; i < line.length;) {
      if (line[i] === '\x1b') {
        ESCAPE.lastIndex = i;
        const m = ESCAPE.exec(line)!;
        if (m[2] === 'm') applySgr(pen, m[1]!);
        i += m[0].length;
        continue;
      }
      const cp = line.codePointAt(i)!;
      const ch = String.fromCodePoint(cp);
      i += ch.length;
      if (ZERO_WIDTH.test(ch)) continue;
      let [fg, bg] = [pen.fg < 0 ? FG : pen.fg, pen.bg < 0 ? BG : pen.bg];
      if (pen.reverse) [fg, bg] = [bg, fg];
      if (pen.dim) fg = blend(fg, bg);
      const wide = WIDE.test(ch);
      cells.push({ cp, fg, bg, bold: pen.bold, wide });
      if (wide) cells.push({ ...BLANK, cp: -1, bg });
    }
    return cells;
  });
}

/** The PNG of a `capture-pane -e` text: 8 × 16 pixels per cell, one row per line, as wide as its widest row.
 * Throws only when the font cannot be read. */
export function renderScreen(capture: string): Buffer {
  const grid = parseScreen(capture);
  const cols = Math.max(MIN_COLS, ...grid.map((row) => row.length));
  const [width, stride] = [cols * CELL_W, 1 + cols * CELL_W * 3];
  const pixels = new Uint8Array(grid.length * CELL_H * stride);
  const line = Uint8Array.from({ length: width * 3 }, (_, i) => (BG >> (16 - 8 * (i % 3))) & 255);
  for (let y = 0; y < grid.length * CELL_H; y++) pixels.set(line, y * stride + 1); // blank cell rows: nothing more
  grid.forEach((row, r) => {
    for (let c = 0; c < cols; c++) {
      const cell = row[c] ?? BLANK;
      if (cell.cp === -1) continue;
      const [pixelsWide, rows] = [cell.wide ? CELL_W * 2 : CELL_W, glyphRows(cell.cp, cell.wide)];
      const [fr, fg, fb, br, bg, bb] = [cell.fg >> 16, (cell.fg >> 8) & 255, cell.fg & 255, cell.bg >> 16,
        (cell.bg >> 8) & 255, cell.bg & 255];
      for (let y = 0; y < CELL_H; y++) {
        const bits = cell.bold ? rows[y]! | (rows[y]! >> 1) : rows[y]!;
        if (bits === 0 && cell.bg === BG) continue;
        const end = (r * CELL_H + y + 1) * stride;
        let at = end - stride + 1 + c * CELL_W * 3;
        for (let x = 0; x < pixelsWide && at < end; x++, at += 3) {
          const on = bits & (0x8000 >>> x);
          pixels[at] = on ? fr : br;
          pixels[at + 1] = on ? fg : bg;
          pixels[at + 2] = on ? fb : bb;
        }
      }
    }
  });
  return encodePng(width, Math.max(1, grid.length) * CELL_H, pixels);
}
