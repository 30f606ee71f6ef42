/** Inline keyboards and the callback-data codec: every button's action in at most 64 bytes and back. Pure: nothing
 * from node:. Callback data comes back from Telegram as untrusted input (a stale or forged button): decodeAction
 * answers null for anything it does not know, and never throws. */
import type { InlineKeyboardButton, InlineKeyboardMarkup as Keyboard } from 'node-telegram-bot-api';
import { t, type Lang } from './i18n.js';
import { MODE_LABELS, MODES, type Mode } from './modes.js';

const SCREEN_KEYS = ['Esc', 'Enter', 'Up', 'Down', 'Left', 'Right', 'Tab', 'Space', 'C-c'] as const;
export type ScreenKey = (typeof SCREEN_KEYS)[number];
const STALL_CHOICES = ['esc', 'screenshot', 'continue', 'kill'] as const;
export type StallChoice = (typeof STALL_CHOICES)[number];
const MAX_CALLBACK_DATA_BYTES = 64;
/** How a field travels: ids, tokens and refs are short words; numbers are plain decimals (canonical, no sign). */
type FieldKind = 'word' | 'int' | 'bool' | 'setting' | readonly string[];
const WORD = /^[A-Za-z0-9_-]{1,16}$/;
const SETTING = /^[A-Za-z0-9_.-]{1,16}$/;
const INT = /^(0|[1-9][0-9]{0,5})$/;

/** Every action: its wire tag, then its fields in order. Tags are short because 64 bytes must also hold the fields. */
const CODEC = {
  switch: ['s', { id: 'word' }],
  new: ['n', {}],
  kill: ['k', { id: 'word' }],
  killYes: ['ky', { id: 'word' }],
  killNo: ['kn', { id: 'word' }],
  archivePage: ['ap', { page: 'int', all: 'bool' }],
  restore: ['r', { id: 'word' }],
  delete: ['d', { id: 'word' }],
  inspect: ['i', { id: 'word' }],
  killProcess: ['kp', { id: 'word' }],
  browse: ['b', { token: 'word', index: 'int' }],
  browseUp: ['bu', { token: 'word' }],
  browsePage: ['bp', { token: 'word', page: 'int' }],
  browseStart: ['bs', { token: 'word' }],
  resend: ['rs', { ref: 'word' }],
  settings: ['st', { key: 'setting', value: 'setting' }],
  key: ['x', { id: 'word', key: SCREEN_KEYS }],
  refresh: ['rf', { id: 'word' }],
  pick: ['p', { id: 'word', option: 'int' }],
  pickCancel: ['pc', { id: 'word' }],
  stall: ['sl', { id: 'word', what: STALL_CHOICES }],
  history: ['h', { id: 'word', page: 'int' }],
  mode: ['m', { id: 'word', mode: 'word' }], // switch a session to a permission mode (/mode)
  amend: ['am', { id: 'word' }], // a permission dialog's "Yes, and tell Claude…" (option 1's Tab)
  trip: ['tw', { id: 'word', allow: 'bool' }], // the tripwire's Allow once / Deny
  patch: ['pt', { id: 'word', turn: 'int' }], // the change card's 📄: a turn's diff as a .patch
  screenText: ['tx', { id: 'word' }], // a picture screenshot's text version
  desk: ['dk', { ref: 'word' }], // /resume: open a desk conversation
  deskPage: ['dp', { page: 'int' }],
  noop: ['-', {}],
} as const satisfies Record<string, readonly [string, Readonly<Record<string, FieldKind>>]>;
type Codec = typeof CODEC;
type FieldValue<K> =
  K extends 'int' ? number : K extends 'bool' ? boolean : K extends readonly (infer V)[] ? V : string;
/** What a button does: `t` names the action, CODEC its fields, e.g. `{ t: 'pick', id: 'a3f1', option: 2 }`. */
export type Action = {
  [T in keyof Codec]: { t: T } & { -readonly [F in keyof Codec[T][1]]: FieldValue<Codec[T][1][F]> };
}[keyof Codec];
const BY_TAG = new Map<string, { name: string; fields: [string, FieldKind][] }>(
  Object.entries(CODEC).map(([name, [tag, fields]]) => [tag, { name, fields: Object.entries(fields) }]),
);

function encodeField(kind: FieldKind, value: unknown): string | undefined {
  if (kind === 'int') return typeof value === 'number' && INT.test(String(value)) ? String(value) : undefined;
  if (kind === 'bool') return typeof value === 'boolean' ? (value ? '1' : '0') : undefined;
  if (typeof value !== 'string') return undefined;
  if (kind === 'word') return WORD.test(value) ? value : undefined;
  if (kind === 'setting') return SETTING.test(value) ? value : undefined;
  return kind.includes(value) ? value : undefined;
}
/** Only the canonical text of a value decodes: encoding it again must give the same text. */
function decodeField(kind: FieldKind, text: string): unknown {
  const value = kind === 'int' ? Number(text) : kind === 'bool' ? text === '1' : text;
  return encodeField(kind, value) === text ? value : undefined;
}

/** The callback_data of a button, e.g. `s:a3f1`. Throws on an action that cannot be encoded (an id with a colon, a
 * negative page): that is a bug in the caller, and a button Telegram would refuse is better caught here. */
function encodeAction(action: Action): string {
  if (!Object.hasOwn(CODEC, action.t)) throw new Error(`encodeAction: unknown action type ${JSON.stringify(action.t)}`);
  const [tag, fields]: readonly [string, Readonly<Record<string, FieldKind>>] = CODEC[action.t];
  const parts = Object.entries(fields).map(([name, kind]) => {
    const value = (action as Record<string, unknown>)[name];
    const encoded = encodeField(kind, value);
    if (encoded !== undefined) return encoded;
    const expected = Array.isArray(kind) ? kind.join('|') : kind;
    throw new Error(`encodeAction: ${action.t}.${name} = ${JSON.stringify(value)} is not a valid ${expected}`);
  });
  const data = [tag, ...parts].join(':');
  const tooLong = new TextEncoder().encode(data).length > MAX_CALLBACK_DATA_BYTES;
  if (tooLong) throw new Error(`encodeAction: ${data} is over ${MAX_CALLBACK_DATA_BYTES} bytes`);
  return data;
}

/** The action of a button's callback_data; null for anything unknown or malformed. encode(decode(d)) === d. */
export function decodeAction(data: string): Action | null {
  if (typeof data !== 'string' || data.length > MAX_CALLBACK_DATA_BYTES) return null;
  const [tag, ...parts] = data.split(':');
  const spec = BY_TAG.get(tag!);
  if (!spec || parts.length !== spec.fields.length) return null;
  const fields = spec.fields.map(([name, kind], i) => [name, decodeField(kind, parts[i]!)] as const);
  if (fields.some(([, value]) => value === undefined)) return null;
  return { t: spec.name, ...Object.fromEntries(fields) } as Action;
}

export const button = (text: string, action: Action) => ({ text, callback_data: encodeAction(action) });
export const NOOP: Action = { t: 'noop' };
let segmenter: Intl.Segmenter | undefined; // made on first need: ICU's data costs resident memory

/** Cuts a label to `max` user-perceived characters, never inside an emoji or a combining sequence. */
export function truncateLabel(text: string, max: number): string {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean; // never more characters than UTF-16 units
  segmenter ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' });
  const graphemes = [...segmenter.segment(clean)].map((s) => s.segment);
  return graphemes.length <= max ? clean : graphemes.slice(0, Math.max(1, max - 1)).join('').trimEnd() + '…';
}

export const rowsOf = <T>(items: T[], perRow: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / perRow) }, (_, i) => items.slice(i * perRow, (i + 1) * perRow));

/** ◀ label ▶, each arrow only where it leads somewhere. */
const arrowRow = (back: Action | undefined, label: string, forward: Action | undefined): InlineKeyboardButton[] =>
  [...(back ? [button('◀', back)] : []), button(label, NOOP), ...(forward ? [button('▶', forward)] : [])];

/** ◀ page/pages ▶ (pages counted from 0, shown from 1); no row at all when everything fits on one page. */
export function pagerRow(page: number, pages: number, to: (page: number) => Action): InlineKeyboardButton[] {
  if (pages <= 1) return [];
  const [back, forward] = [page > 0 ? to(page - 1) : undefined, page < pages - 1 ? to(page + 1) : undefined];
  return arrowRow(back, `${page + 1}/${pages}`, forward);
}

const keyboard = (...rows: InlineKeyboardButton[][]): Keyboard => ({ inline_keyboard: rows.filter((r) => r.length) });
/** Session names are cut to this many characters: three buttons a row still read on a phone. */
const SESSION_LABEL_CHARS = 20;
export interface SwitcherEntry { id: string; name: string; badge?: string; modeTag?: string }

/** One button per live session in the caller's order (oldest first), three a row, the active one ✓, then + New. */
export function switcherKeyboard(sessions: SwitcherEntry[], activeId: string | null, lang: Lang): Keyboard {
  const buttons = sessions.map((s) => {
    const name = truncateLabel(s.name, SESSION_LABEL_CHARS) || s.id; // Telegram refuses a button without text
    const mark = s.id === activeId ? '✓' : s.badge;
    const label = [mark, name, s.modeTag].filter(Boolean).join(' ');
    return button(label, { t: 'switch', id: s.id });
  });
  return keyboard(...rowsOf(buttons, 3), [button(t(lang, 'btn.new'), { t: 'new' })]);
}

export const killConfirmKeyboard = (id: string, lang: Lang): Keyboard => keyboard([
  button(`🗑 ${t(lang, 'btn.kill')}`, { t: 'killYes', id }), button(t(lang, 'btn.cancel'), { t: 'killNo', id }),
]);

/** Per archived session: its name (a label), then Restore · Delete · Inspect; ◀ ▶ keep `all` as it was. */
export function archiveKeyboard(
  entries: { id: string; name: string }[], page: number, pages: number, all: boolean, lang: Lang,
): Keyboard {
  const rows = entries.flatMap(({ id, name }) => [
    [button(`📦 ${truncateLabel(name, 40)}`, NOOP)],
    [
      button(`♻️ ${t(lang, 'btn.restore')}`, { t: 'restore', id }),
      button(`🗑 ${t(lang, 'btn.delete')}`, { t: 'delete', id }),
      button(`🔍 ${t(lang, 'btn.inspect')}`, { t: 'inspect', id }),
    ],
  ]);
  return keyboard(...rows, pagerRow(page, pages, (p) => ({ t: 'archivePage', page: p, all })));
}

const NOTICES = { done: 'settings.notifyDone', error: 'settings.notifyError', input: 'settings.notifyInput' } as const;
interface SettingsView {
  idleHours: number; notify: Record<keyof typeof NOTICES, boolean>; lang: Lang | 'auto'; mode?: Mode;
  autoName?: boolean;
}
export const IDLE_HOURS_CHOICES: readonly number[] = [6, 12, 24];
/** Language names are written in their own language: someone lost in a foreign UI must still find theirs. */
const LANGUAGE_NAMES: Record<Lang, string> = { en: 'English', ru: 'Русский', zh: '中文' };

/** Each setting: a label row, then its choices with the current one ✓; a notice kind is one on/off row. Without a
 * mode of their own, the one CLAUDE_FLAGS gives (`defaultMode`) is ✓. */
export function settingsKeyboard(settings: SettingsView, lang: Lang, defaultMode?: Mode): Keyboard {
  const { idleHours, notify } = settings;
  const choice = (label: string, key: string, value: string, current: string) =>
    button(value === current ? `✓ ${label}` : label, { t: 'settings', key, value });
  const notices = Object.entries(NOTICES).map(([kind, label]) => {
    const on = notify[kind as keyof typeof NOTICES];
    const toggle: Action = { t: 'settings', key: `notify.${kind}`, value: on ? 'off' : 'on' };
    return [button(`${on ? '🔔' : '🔕'} ${t(lang, label)}`, toggle)];
  });
  return keyboard(
    [button(t(lang, 'settings.idle'), NOOP)],
    IDLE_HOURS_CHOICES.map((h) => choice(t(lang, 'settings.hours', { hours: h }), 'idle', `${h}`, `${idleHours}`)),
    ...notices,
    [button(`${settings.autoName ? '✓' : '✗'} ${t(lang, 'settings.autoName')}`,
      { t: 'settings', key: 'autoName', value: settings.autoName ? 'off' : 'on' })],
    [button(t(lang, 'settings.lang'), NOOP)],
    [
      ...Object.entries(LANGUAGE_NAMES).map(([code, name]) => choice(name, 'lang', code, settings.lang)),
      choice(t(lang, 'settings.langAuto'), 'lang', 'auto', settings.lang),
    ],
    [button(t(lang, 'settings.mode'), NOOP)],
    ...rowsOf(MODES.map((m) => choice(MODE_LABELS[m], 'mode', m, settings.mode ?? defaultMode ?? '')), 3),
  );
}

/** /mode: one button per mode to switch the session `id` to. */
export const modeKeyboard = (id: string, modes: readonly Mode[]): Keyboard =>
  keyboard(...rowsOf(modes.map((mode) => button(MODE_LABELS[mode], { t: 'mode', id, mode })), 3));

/** Under a screenshot: the arrow cluster in the middle, as on a keyboard. Key names are the same in all languages.
 * With `lang` (under a picture), a last row for the text version. */
export function screenshotKeyboard(id: string, lang?: Lang): Keyboard {
  const key = (text: string, k: ScreenKey) => button(text, { t: 'key', id, key: k });
  return keyboard(
    [key('Esc', 'Esc'), key('↑', 'Up'), key('Enter ⏎', 'Enter')],
    [key('←', 'Left'), key('↓', 'Down'), key('→', 'Right')],
    [key('Tab', 'Tab'), key('Space', 'Space'), key('^C', 'C-c'), button('🔄', { t: 'refresh', id })],
    lang ? [button(`🔤 ${t(lang, 'btn.screenText')}`, { t: 'screenText', id })] : [],
  );
}

/** One option a row (their labels are sentences), then Cancel; a permission prompt that offers "Tab to amend" gets
 * ✏️ (option 1 with words for Claude) instead: its Esc is the same as its No. */
export function pickerKeyboard(
  id: string, options: { number: number; label: string }[], lang: Lang, amend = false,
): Keyboard {
  const pick = ({ number, label }: { number: number; label: string }) =>
    [button(truncateLabel(`${number}. ${label}`, 60), { t: 'pick', id, option: number })];
  const last = amend
    ? button(`✏️ ${t(lang, 'btn.amend')}`, { t: 'amend', id })
    : button(t(lang, 'btn.cancel'), { t: 'pickCancel', id });
  return keyboard(...options.map(pick), [last]);
}

/** Offered when a session seems stuck. */
export function stallKeyboard(id: string, lang: Lang): Keyboard {
  const stall = (text: string, what: StallChoice) => button(text, { t: 'stall', id, what });
  return keyboard(
    [stall(`⏹ ${t(lang, 'btn.interrupt')}`, 'esc'), stall(`🖼 ${t(lang, 'btn.screenshot')}`, 'screenshot')],
    [stall(`▶️ ${t(lang, 'btn.continue')}`, 'continue'), stall(`🗑 ${t(lang, 'btn.kill')}`, 'kill')],
  );
}

export const resendKeyboard = (ref: string, lang: Lang): Keyboard =>
  keyboard([button(`🔁 ${t(lang, 'btn.resend')}`, { t: 'resend', ref })]);

/** History pages run newest (0) to oldest: ◀ goes back in time, ▶ forward; nothing when there is one page. */
export function historyKeyboard(id: string, page: number, hasOlder: boolean): Keyboard {
  if (page === 0 && !hasOlder) return keyboard();
  const to = (p: number): Action => ({ t: 'history', id, page: p });
  return keyboard(arrowRow(hasOlder ? to(page + 1) : undefined, `${page + 1}`, page > 0 ? to(page - 1) : undefined));
}

/** Under an answer whose turn changed files: its diff as a .patch. */
export const patchRow = (id: string, turn: number) => [button('📄 .patch', { t: 'patch', id, turn })];
