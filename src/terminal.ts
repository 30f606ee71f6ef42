/** Reading Claude Code's tmux pane: which screen it shows (starting, idle, busy, a menu) and a menu's options.
 * Pure: pane text in, values out; imports nothing from node:. Layout facts from real Claude Code 2.1.328 captures. */
import type { Key } from './tmux.js';

/** freeText: "Type something." / "Type here to …", which opens a text field instead of answering. */
interface PickerOption { number: number; label: string; description?: string; selected: boolean; freeText?: boolean }
/** detail: what a permission prompt asks about, between its title and its question: the command, or file and diff. */
export interface Picker { title?: string; question: string; options: PickerOption[]; footer?: string; detail?: string }
type PaneState = { kind: 'starting' } | { kind: 'idle' } | { kind: 'unknown' } | { kind: 'busy'; status?: string }
  | { kind: 'picker'; picker: Picker } | { kind: 'trust'; picker: Picker };

// OSC and the DCS/SOS/PM/APC strings first: their payload may hold anything, including '[' and letters.
const OSC = /\x1b\][\s\S]*?(?:\x07|\x1b\\)/g;
const STRING_SEQUENCE = /\x1b[PX^_][\s\S]*?\x1b\\/g;
const CSI = /(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]/g;
const OTHER_ESCAPE = /\x1b[ -/]*[0-~]/g; // ESC 7, ESC ( B, ESC =, and the opener of an unterminated sequence
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g; // keeps \t and \n; drops \r, BEL, a lone ESC, C1

export function stripAnsi(text: string): string {
  return [OSC, STRING_SEQUENCE, CSI, OTHER_ESCAPE, CONTROL].reduce((rest, re) => rest.replace(re, ''), text);
}

/** The pane as a person sees it: no escapes, no trailing blanks on lines, no blank lines under the content
 * (Claude Code draws inline from the top, so a tall pane has empty rows below the input box). */
export const visibleText = (text: string): string => screenLines(text).join('\n');

function screenLines(text: string): string[] {
  const lines = stripAnsi(text).split('\n').map((line) => line.trimEnd()); // trimEnd also drops the NBSP after "❯"
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

// A rule is as wide as the pane, so its length says nothing; a line made of ─ (text may sit inside it: the session's
// --name near its right end, `──── api ─`) is one.
const isRule = (line: string) => /^\s*─{4,}(?:.*─)?$/.test(line);
// 2.1.328's permission prompts frame the command or the diff between two dashed lines: paragraph breaks.
const DASHED = /^\s*╌{4,}$/;
// The upper edge 2.1.328 draws over a local command's menu (/model) or panel (/cost): where its own lines begin.
const EDGE = /^\s*▔{4,}$/;
// The input box's prompt. History repeats past prompts as "❯ text" too, which is why the box is only
// recognised between the last two rules at the bottom, never by the glyph alone.
const PROMPT = /^[❯>](?:\s|$)/;
// Key hints only a menu draws under itself; the input box's footer says "? for shortcuts" or the mode.
const MENU_FOOTER = /Enter to (?:select|confirm)|to navigate/i;
const FOOTER_HINT = /\b(?:Enter|Esc|Tab|ctrl[-+]\w+)\s+to\s+\w|to navigate/i;
const BANNER = /Claude Code v\d|Welcome to Claude Code/;
const TRUST =
  /Do you trust the files in this folder\?|trust this folder|Is this a project you created or one you trust/i;
// The last two, 2.1.328: plan mode's feedback row; a permission prompt's option 1 after Tab ("Tab to amend").
const FREE_TEXT =
  /^(?:Type something\.?|Type here to .*|Tell Claude what to change|Yes, and tell Claude what to do next)$/i;
// Lines Claude Code writes into the history at column 0: a past prompt, an answer, a tool result, a turn summary.
const HISTORY = /^(?:❯ |● |⎿|✻ )/;
const indent = (line: string) => line.length - line.trimStart().length;

export function readPane(text: string): PaneState {
  const lines = screenLines(text);
  // A menu replaces the input box, so where the box is drawn, nothing above it is a menu: numbered lists,
  // "❯ 1." lines and "Enter to select" in the history or an answer can never make a picker.
  const box = findInputBox(lines);
  if (box) {
    const status = spinnerStatus(lines, box.top);
    if (status !== undefined) return { kind: 'busy', status };
    return { kind: lines.slice(box.bottom + 1).some((l) => /esc to interrupt/i.test(l)) ? 'busy' : 'idle' };
  }
  const picker = findPicker(lines);
  if (picker) {
    const texts = [picker.title ?? '', picker.question, ...picker.options.map((o) => o.label)];
    return { kind: texts.some((text) => TRUST.test(text)) ? 'trust' : 'picker', picker };
  }
  const trust = findBareTrustMenu(lines);
  if (trust) return { kind: 'trust', picker: trust };
  // Before the input box is drawn the pane is empty or holds only the banner (and, on --resume, history).
  return lines.length === 0 || lines.some((line) => BANNER.test(line)) ? { kind: 'starting' } : { kind: 'unknown' };
}

/** What the input box holds now: the text after its "❯", the rows under it without their two-space indent; '' when
 * empty, null when the pane shows no input box (a menu, a starting Claude). A large paste is Claude Code's
 * placeholder ("[Pasted text #1 +3 lines]"), returned as it stands. */
export function inputText(text: string): string | null {
  const lines = screenLines(text);
  const box = findInputBox(lines);
  const rows = box ? lines.slice(box.top + 1, box.bottom) : null;
  return rows?.map((row, i) => row.replace(i === 0 ? /^[❯>]\s?/ : /^ {1,2}/, '')).join('\n') ?? null;
}

/** The panel /cost and /usage open in place of the input box (2.1.328: tabs "Settings  Status  Config  Usage", "←/→ to
 * switch · Esc to close" under it): its text between the ▔ line over it and the key hints; null when none shows. */
export function settingsPanel(text: string): string | null {
  const lines = screenLines(text);
  if (!/to switch · Esc to close$/.test(lines.at(-1) ?? '')) return null;
  const top = lines.findLastIndex((line) => EDGE.test(line));
  const body = lines.slice(top + 1, -1).join('\n').replace(/^\n+|\s+$/g, '');
  const margin = Math.min(...body.split('\n').filter((l) => l.trim()).map(indent));
  return body.split('\n').map((line) => line.slice(margin)).join('\n');
}

/** The last two rules with the prompt line right under the upper one; below the lower one only the footer
 * (mode line, status line, slash-command suggestions). null when a menu's key hints sit down there. */
function findInputBox(lines: string[]): { top: number; bottom: number } | null {
  let bottom = lines.length - 1;
  while (bottom >= 0 && !isRule(lines[bottom]!)) bottom--;
  if (bottom < 1 || lines.slice(bottom + 1).some((line) => MENU_FOOTER.test(line))) return null;
  let top = bottom - 1;
  while (top >= 0 && !isRule(lines[top]!)) top--;
  return top >= 0 && top < bottom - 1 && PROMPT.test(lines[top + 1]!) ? { top, bottom } : null;
}

// Spinner glyphs of the live status line ("✢ Composing… (1s · ↓ 17 tokens)"); the glyph cycles, and some
// builds or fonts show '*'. A finished turn leaves "✻ Cogitated for 0s · done 8:00 PM" in the same place:
// past tense and no "…" after the verb, which is what tells the two apart.
const SPINNER = /^[·✢✳✶✻✽*]\s+(\S[^(]*….*)$/;
// '●' also starts every answer, so as a spinner it needs the timer "(12s" right after the ellipsis.
const DOT_SPINNER = /^●\s+(\S[^(]*… \(\d+(?:m \d+)?[smh]\b.*)$/;

/** The status text when the nearest column-0 line above the input box is a live spinner. Indented lines
 * between them (the "⎿ Tip", todo lists, queued prompts, right-aligned notices) are skipped. */
function spinnerStatus(lines: string[], boxTop: number): string | undefined {
  const line = lines.slice(0, boxTop).findLast((l) => /^\S/.test(l)) ?? '';
  return (SPINNER.exec(line) ?? DOT_SPINNER.exec(line))?.[1]?.trim();
}

/** A numbered menu row ("  2. Beta"; "❯ 1. Alpha" is the selected one), and the column of its number. */
function optionLine(line: string) {
  const m = /^(\s*(?:❯\s*)?)(\d+)\.\s+(\S.*)$/.exec(line);
  return m ? { number: Number(m[2]), label: m[3]!, selected: m[1]!.includes('❯'), digitColumn: m[1]!.length } : null;
}

/** A menu anchored at the bottom: the last "❯ N." line, the options numbered consecutively around it, and at
 * most a few lines (key hints, an effort slider) under them. Permission prompts may end on their last option. */
function findPicker(lines: string[]): Picker | null {
  let selected = lines.length - 1;
  while (selected >= 0 && optionLine(lines[selected]!)?.selected !== true) selected--;
  if (selected < 0) return null;
  const { digitColumn, number: selectedNumber } = optionLine(lines[selected]!)!;
  // Descriptions and wrapped labels sit under the label; the question and the key hints sit further left.
  const isUnder = (line: string) => indent(line) >= Math.max(2, digitColumn) && !isRule(line);
  const optionNear = (i: number, step: 1 | -1) => {
    while (lines[i] === '') i += step;
    return optionLine(lines[i] ?? '');
  };

  // Up to the first option: by descending numbers, so a "1." inside a command being approved is not taken.
  let start = selected;
  for (let i = selected - 1, want = selectedNumber - 1; i >= 0 && want > 0; i--) {
    const line = lines[i]!;
    const option = optionLine(line);
    if (option) {
      if (option.number !== want) break;
      [start, want] = [i, want - 1];
    } else if (line !== '' && !isUnder(line) && !(isRule(line) && optionNear(i - 1, -1))) break;
  }

  const region = headerLines(lines, start);
  const isQuestion = /^[←\s]*[☐✔☒✓]/.test(region[0] ?? ''); // AskUserQuestion: "☐ Choice"
  const options: PickerOption[] = [];
  let end = start;
  for (let i = start; i < lines.length; i++) {
    const line = lines[i]!;
    const option = optionLine(line);
    const last = options[options.length - 1];
    if (option && (!last || option.number === last.number + 1)) {
      // /model-style rows put the description on the option's line after a run of spaces.
      const [label, ...rest] = option.label.split(/\s{2,}/);
      const description = rest.length > 0 ? { description: rest.join(' · ') } : {};
      options.push({ number: option.number, label: label!, ...description, selected: option.selected });
    } else if (last && !option && isUnder(line) && i > start && lines[i - 1] !== '') {
      // Only AskUserQuestion puts a description under an option; elsewhere the line is a wrapped label.
      // Neither is a key hint under plan mode's free-text row ("shift+tab to approve with this feedback").
      const text = FOOTER_HINT.test(line) ? '' : line.trim();
      if (isQuestion) last.description = [last.description, text].filter(Boolean).join(' ');
      else last.label = [last.label, text].filter(Boolean).join(' ');
    } else if (line === '' || (isRule(line) && last && optionNear(i + 1, 1)?.number === last.number + 1)) {
      continue; // "5. Chat about this" sits under its own rule
    } else break;
    end = i + 1;
  }
  const tail = lines.slice(end).filter((line) => line.trim() !== '');
  if (options.length < 2 || tail.length > 4 || options.filter((o) => o.selected).length !== 1) return null;
  for (const option of options) if (FREE_TEXT.test(option.label)) option.freeText = true;

  // Paragraphs above the options: the last one asking something is the question ("Do you want to proceed?"
  // under a command, "pick one?" under "☐ Choice"); the first line names the menu ("Bash command", "Select
  // model") unless it is the question itself. A lone paragraph without '?' is a title with its explanation.
  const text = region.map((line) => (DASHED.test(line) ? '' : line)).join('\n').replace(/^\n+|\n+$/g, '');
  const paragraphs = text.split(/\n{2,}/).map((p) => p.split('\n').map((l) => l.trim()));
  const asking = paragraphs.map((p) => p.join(' ').includes('?')).lastIndexOf(true);
  const at = asking >= 0 ? asking : paragraphs.length - 1;
  const first = paragraphs[0]!; // an empty region still splits into one paragraph
  const titled = at > 0 || (asking < 0 && first.length > 1);
  const questionLines = at === 0 && titled ? first.slice(1) : paragraphs[at]!;
  const name = titled ? first[0]!.replace(/^←\s*/, '').replace(/\s*→$/, '').replace(/^[☐✔☒✓]\s*/, '') : undefined;
  const footer = tail.at(-1)?.trim();
  // What is asked about: the command or diff 2.1.328 frames under its title (the title's own lines, a description and
  // a "Tip:" that wraps in a narrow pane, are left out), else the lines under the title.
  const asked = !titled || at === 0 ? [] : at > 1 ? paragraphs.slice(1, at).flat() : first.slice(1);
  const detail = asked.filter((line) => !/^Tip:/.test(line)).join('\n');
  return { ...(name ? { title: name } : {}), question: questionLines.join(' '), options,
    ...(footer && FOOTER_HINT.test(footer) ? { footer } : {}), ...(detail ? { detail } : {}) };
}

/** 2.1.328 draws the trust dialog without numbers ("❯ No, exit" over "  Yes, I trust this folder") and its default
 * ends Claude, so it must be recognised. Unnumbered rows are accepted only under the trust question: elsewhere a
 * "❯ " line is as likely to be history. */
function findBareTrustMenu(lines: string[]): Picker | null {
  const footer = lines.length - 1; // screenLines leaves no blank line at the bottom
  if (footer < 0 || !MENU_FOOTER.test(lines[footer]!)) return null;
  let selected = footer - 1;
  while (selected >= 0 && footer - selected <= 4 && !/^\s*❯\s+\S/.test(lines[selected]!)) selected--;
  const row = selected >= 0 ? /^(\s*❯\s+)(\S.*)$/.exec(lines[selected]!) : null;
  if (!row || optionLine(lines[selected]!)) return null;
  const column = row[1]!.length;
  const isRow = (line: string) => indent(line) === column && line.trim() !== '';
  let start = selected;
  while (start > 0 && isRow(lines[start - 1]!)) start--;
  let end = selected + 1;
  while (end < footer && isRow(lines[end]!)) end++;
  const labels = lines.slice(start, end).map((line, i) => (start + i === selected ? row[2]! : line.trim()));
  const region = headerLines(lines, start);
  if (labels.length < 2 || !region.some((line) => TRUST.test(line))) return null;
  const trimmed = region.map((line) => line.trim());
  const question = trimmed.find((line) => line.includes('?')) ?? trimmed.join(' ');
  const options = labels.map((label, i) => ({ number: i + 1, label, selected: start + i === selected }));
  return { question, options, footer: lines[footer]!.trim() };
}

/** The menu's own lines above its options: up to its top rule or edge, a history line, or 30 lines, blank-trimmed. */
function headerLines(lines: string[], start: number): string[] {
  let from = start;
  const isTop = (line: string) => isRule(line) || EDGE.test(line) || HISTORY.test(line);
  while (from > 0 && start - from < 30 && !isTop(lines[from - 1]!)) from--;
  const region = lines.slice(from, start);
  while (region[0] === '') region.shift();
  while (region[region.length - 1] === '') region.pop();
  return region;
}

/** Which dialog this is, to tell it from the next one: two permission prompts ask the same question. */
export const menuKey = (picker: Picker): string => [picker.title, picker.detail, picker.question].join('\n');

/** The arrow presses from the selected option to option `number`; the caller presses Enter after reading the
 * pane again. Throws on a number the menu lacks: check `picker.options` first (a stale button is expected). */
export function keysToSelect(picker: Picker, number: number): Key[] {
  const from = picker.options.findIndex((o) => o.selected);
  const to = picker.options.findIndex((o) => o.number === number);
  if (from < 0 || to < 0) {
    const numbers = picker.options.map((o) => o.number).join(', ');
    throw new RangeError(`option ${number} is not selectable in this menu (options ${numbers}): read the pane again`);
  }
  return new Array<Key>(Math.abs(to - from)).fill(to > from ? 'Down' : 'Up');
}
