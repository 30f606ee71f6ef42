import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, inflateSync } from 'node:zlib';
import { renderScreen } from '#ccbot/screen-image.js';
import { SAMPLES } from './samples.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The real Claude Code 2.1.328 idle screen as `tmux capture-pane -e` gives it (160×50, 256-colour SGR). */
const COLOUR_PANE = readFileSync(join(SAMPLES, 'idle-pane-colour.txt'), 'utf8');
const ANSI = /\x1b\[[\d;:]*m/g;

interface Decoded { width: number; height: number; chunks: string[]; pixels: Buffer; rawLength: number }

/** Decodes a PNG as any viewer would: the signature, every chunk's length and CRC, IHDR, the inflated IDAT. */
function decode(png: Buffer): Decoded {
  assert.equal([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  const chunks: string[] = [];
  const idat: Buffer[] = [];
  let header: Buffer = Buffer.alloc(0);
  for (let at = 8; at < png.length;) {
    const length = png.readUInt32BE(at);
    const type = png.subarray(at + 4, at + 8).toString('latin1');
    const data = png.subarray(at + 8, at + 8 + length);
    assert.is(png.readUInt32BE(at + 8 + length), crc32(png.subarray(at + 4, at + 8 + length)), `${type}'s CRC`);
    chunks.push(type);
    if (type === 'IHDR') header = data;
    if (type === 'IDAT') idat.push(data);
    at += 12 + length;
  }
  const [width, height] = [header.readUInt32BE(0), header.readUInt32BE(4)];
  assert.equal([...header.subarray(8)], [8, 2, 0, 0, 0], '8-bit RGB, no interlace');
  const raw = inflateSync(Buffer.concat(idat));
  const stride = 1 + width * 3;
  const rows = Array.from({ length: height }, (_, y) => raw.subarray(y * stride + 1, (y + 1) * stride));
  return { width, height, chunks, pixels: Buffer.concat(rows), rawLength: raw.length };
}

/** The pixel colours of a decoded picture, as 0xRRGGBB. */
const coloursOf = ({ pixels }: Decoded) => {
  const colours = new Set<number>();
  for (let i = 0; i < pixels.length; i += 3) colours.add((pixels[i]! << 16) | (pixels[i + 1]! << 8) | pixels[i + 2]!);
  return colours;
};
const pixel = ({ pixels, width }: Decoded, x: number, y: number) => {
  const i = (y * width + x) * 3;
  return (pixels[i]! << 16) | (pixels[i + 1]! << 8) | pixels[i + 2]!;
};

const png = suite('renderScreen');

png('a real Claude Code capture is a valid PNG of 8×16 pixels per cell', () => {
  const picture = decode(renderScreen(COLOUR_PANE));
  assert.equal(picture.chunks, ['IHDR', 'IDAT', 'IEND']);
  const rows = COLOUR_PANE.replace(/\n$/, '').split('\n');
  const cols = Math.max(...rows.map((row) => [...row.replace(ANSI, '')].length));
  assert.is(cols, 160, 'the input box rule spans the pane');
  assert.is(picture.width, cols * 8);
  assert.is(picture.height, rows.length * 16);
  assert.is(picture.rawLength, picture.height * (1 + picture.width * 3), 'a filter byte and RGB per row');
});

png("the capture's 256 colours are in the picture: the logo's 174, the prompt line's 237 background", () => {
  const colours = coloursOf(decode(renderScreen(COLOUR_PANE)));
  assert.ok(COLOUR_PANE.includes('\x1b[38;5;174m') && COLOUR_PANE.includes('\x1b[48;5;237m'));
  assert.ok(colours.has(0xd78787), 'xterm colour 174');
  assert.ok(colours.has(0x3a3a3a), 'xterm colour 237');
  assert.ok(colours.has(0x949494), 'xterm colour 246, the dim grey of the status lines');
});

/** Whether the cell at column `col` of the first row has any pixel other than the picture's background. */
const inked = (picture: Decoded, col: number) => {
  const background = pixel(picture, picture.width - 1, 15);
  for (let y = 0; y < 16; y++) for (let x = 0; x < 8; x++) if (pixel(picture, col * 8 + x, y) !== background) return true;
  return false;
};

png('truecolour, the 16 colours, reverse and the default background', () => {
  const picture = decode(renderScreen('\x1b[38;2;1;2;3m█\x1b[0m\x1b[41m \x1b[7m \x1b[0m \n'));
  assert.is(pixel(picture, 4, 8), 0x010203, 'a full block in 24-bit colour');
  assert.is(pixel(picture, 8 + 4, 8), 0xcd3131, 'red background (41)');
  const [reversed, plain] = [pixel(picture, 16 + 4, 8), pixel(picture, 24 + 4, 8)];
  assert.is.not(reversed, plain, 'reverse video swaps the default colours');
  assert.is(plain, pixel(picture, picture.width - 1, 15), 'a plain space is the background');
});

png('a wide character takes two cells; a glyph the font lacks is a box, not nothing', () => {
  const wide = decode(renderScreen('中a\n'));
  assert.ok(inked(wide, 0) && inked(wide, 1), 'the box of 中 spans two cells');
  assert.ok(inked(wide, 2) && !inked(wide, 3), '"a" in the third');
  const boxed = decode(renderScreen('\u{10400}\n'));
  assert.is.not(pixel(boxed, 1, 8), pixel(boxed, 4, 8), 'the box edge differs from its inside');
});

png('a blank or narrow screen is drawn 80 cells wide, a wider one as wide as its rows', () => {
  assert.equal([decode(renderScreen('')).width, decode(renderScreen('')).height], [80 * 8, 16]);
  assert.is(decode(renderScreen(`${'x'.repeat(100)}\n\n`)).width, 100 * 8);
});

png('escapes other than SGR take no cells', () => {
  const picture = decode(renderScreen('\x1b]8;;https://x\x1b\\link\x1b]8;;\x1b\\\x1b[?25h\x1b[1mb\n'));
  assert.equal([0, 1, 2, 3, 4, 5].map((col) => inked(picture, col)), [true, true, true, true, true, false]);
});

const font = suite('the font');

font('covers every character of the recorded Claude Code screens', () => {
  const hex = readFileSync(join(REPO, 'src', 'font', 'unifont-subset.hex'), 'latin1');
  const covered = new Set(hex.split('\n').filter(Boolean).map((line) => parseInt(line.split(':')[0]!, 16)));
  const panes = readdirSync(SAMPLES).filter((name) => name.endsWith('-pane.txt') || name.endsWith('-colour.txt'));
  assert.ok(panes.length >= 10, 'the samples are there');
  const missing = new Set<string>();
  for (const name of panes) {
    for (const ch of readFileSync(join(SAMPLES, name), 'utf8').replace(ANSI, '')) {
      if (ch !== '\n' && !covered.has(ch.codePointAt(0)!)) missing.add(`${name}: U+${ch.codePointAt(0)!.toString(16)}`);
    }
  }
  assert.equal([...missing], []);
  for (const ch of '❯●⎿✻✶✢✳─│╭╮╰╯▐▛▜▌▝▘█▀▄←↑→↓⏵·…ЖщЁ') assert.ok(covered.has(ch.codePointAt(0)!), ch);
});

png.run();
font.run();
