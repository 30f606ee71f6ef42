/**
 * /screenshot's picture: a 120×40 pane as `capture-pane -e` gives it → PNG (screen-image.ts), in this process.
 * Every cell is inked and the colour changes every few cells (256-colour and 24-bit SGR, bold, reverse), with
 * Claude Code's glyphs (box drawing, ❯ ● ⎿ ✻, braille spinner), so it is a worse case than a real screen. The first
 * render includes reading the font; the rest are timed one by one.
 */
import { renderScreen } from '#ccbot/screen-image.js';
import type { BenchResult } from './hook.js';

const [COLS, ROWS, RUNS, GOAL_MS] = [120, 40, 30, 100];
const GLYPHS = [...'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ0123456789(){}[]<>=;:.,-─│╭╮╰╯❯●⎿✻✶⏵·…▐▛█▜▌⠋⠙⠹щЖ'];

function paneCapture(): string {
  const rows: string[] = [];
  for (let r = 0; r < ROWS; r++) {
    let row = '';
    for (let c = 0; c < COLS; c++) {
      if (c % 6 === 0) row += c % 12 ? `\x1b[38;5;${(r * 7 + c) % 256}m` : `\x1b[38;2;${r * 6};${c * 2};200m`;
      if (c % 30 === 0) row += (r + c) % 60 ? '\x1b[1m' : '\x1b[7m';
      row += GLYPHS[(r * COLS + c) % GLYPHS.length];
    }
    rows.push(`${row}\x1b[0m`);
  }
  return `${rows.join('\n')}\n`;
}

export async function benchScreenImage(): Promise<BenchResult[]> {
  const capture = paneCapture();
  let started = performance.now();
  renderScreen(capture);
  const first = performance.now() - started;
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    started = performance.now();
    renderScreen(capture);
    times.push(performance.now() - started);
  }
  const median = [...times].sort((a, b) => a - b)[Math.floor(RUNS / 2)]!;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return [
    { name: 'screenshot picture 120×40, first (font read)', value: round(first), unit: 'ms', goal: GOAL_MS },
    { name: `screenshot picture 120×40, p50 of ${RUNS}`, value: round(median), unit: 'ms', goal: GOAL_MS },
  ];
}
