import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'node-telegram-bot-api';
import {
  archiveKeyboard, decodeAction, historyKeyboard, killConfirmKeyboard, pickerKeyboard, resendKeyboard,
  screenshotKeyboard, settingsKeyboard, stallKeyboard, switcherKeyboard, truncateLabel, type Action,
} from '#ccbot/keyboards.js';
import { encodeAction } from './keyboards-fixture.js';
import { ApiError, parseReplyMarkup } from './fake-telegram-rules.js';

const SCREEN_KEYS = ['Esc', 'Enter', 'Up', 'Down', 'Left', 'Right', 'Tab', 'Space', 'C-c'] as const;
const STALL_CHOICES = ['esc', 'screenshot', 'continue', 'kill'] as const;
const bytes = (s: string) => new TextEncoder().encode(s).length;
const buttons = (kb: InlineKeyboardMarkup): InlineKeyboardButton[] => kb.inline_keyboard.flat();
const actions = (kb: InlineKeyboardMarkup): Action[] => buttons(kb).map((b) => decodeAction(b.callback_data!)!);
const labels = (kb: InlineKeyboardMarkup): string[] => buttons(kb).map((b) => b.text);

/** What Telegram (the fake's rules) would say of the keyboard, plus: every button decodes to an action. */
function assertSendable(kb: InlineKeyboardMarkup): void {
  const parsed = parseReplyMarkup(JSON.stringify(kb));
  assert.not.ok(parsed instanceof ApiError, parsed instanceof ApiError ? parsed.description : '');
  for (const b of buttons(kb)) {
    assert.ok(bytes(b.callback_data!) <= 64, b.callback_data);
    assert.ok(decodeAction(b.callback_data!), `undecodable ${b.callback_data}`);
    assert.not.match(b.text, /\uFFFD|[\uD800-\uDBFF](?![\uDC00-\uDFFF])/, 'a label with a split surrogate');
  }
}

// A seeded generator: a failing case can be reproduced.
function prng(seed: number): () => number {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}
const WORD_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-';
function generator(seed: number) {
  const r = prng(seed);
  const int = (max: number) => Math.floor(r() * (max + 1));
  const pick = <T>(xs: readonly T[]) => xs[int(xs.length - 1)]!;
  const word = (alphabet = WORD_CHARS, maxLen = 16) => Array.from({ length: 1 + int(maxLen - 1) }, () => pick([...alphabet])).join('');
  const num = () => pick([0, 1, 7, 42, 999_999, int(999_999)]);
  const action = (): Action => {
    const id = word();
    const all: Action[] = [
      { t: 'switch', id }, { t: 'new' }, { t: 'kill', id }, { t: 'killYes', id }, { t: 'killNo', id },
      { t: 'archivePage', page: num(), all: r() < 0.5 }, { t: 'restore', id }, { t: 'delete', id }, { t: 'inspect', id },
      { t: 'killProcess', id }, { t: 'browse', token: id, index: num() }, { t: 'browseUp', token: id },
      { t: 'browsePage', token: id, page: num() }, { t: 'browseStart', token: id }, { t: 'resend', ref: id },
      { t: 'settings', key: word(WORD_CHARS + '.'), value: word(WORD_CHARS + '.') }, { t: 'key', id, key: pick(SCREEN_KEYS) },
      { t: 'refresh', id }, { t: 'pick', id, option: num() }, { t: 'pickCancel', id }, { t: 'stall', id, what: pick(STALL_CHOICES) },
      { t: 'history', id, page: num() }, { t: 'noop' },
    ];
    return pick(all);
  };
  return { action, word, int, pick };
}

const encode = suite('encodeAction');

encode('writes compact data', () => {
  assert.is(encodeAction({ t: 'switch', id: 'a3f1' }), 's:a3f1');
  assert.is(encodeAction({ t: 'new' }), 'n');
  assert.is(encodeAction({ t: 'archivePage', page: 2, all: true }), 'ap:2:1');
  assert.is(encodeAction({ t: 'browse', token: 'Xy1_-z', index: 30 }), 'b:Xy1_-z:30');
  assert.is(encodeAction({ t: 'settings', key: 'notify.done', value: 'off' }), 'st:notify.done:off');
  assert.is(encodeAction({ t: 'key', id: 'a3f1', key: 'C-c' }), 'x:a3f1:C-c');
});

encode('stays within 64 bytes for the longest fields of every action type', () => {
  const g = generator(1);
  const seen = new Set<string>();
  for (let i = 0; i < 5000; i++) {
    const action = g.action();
    seen.add(action.t);
    assert.ok(bytes(encodeAction(action)) <= 64, JSON.stringify(action));
  }
  assert.is(seen.size, 23, 'the generator covers every action type');
  const long = 'x'.repeat(16);
  assert.ok(bytes(encodeAction({ t: 'settings', key: long, value: long })) <= 64);
  assert.ok(bytes(encodeAction({ t: 'browse', token: long, index: 999_999 })) <= 64);
});

encode('throws on a field that is a bug: bad ids, numbers out of range, unknown types and choices', () => {
  const bad: unknown[] = [
    { t: 'switch', id: 'a:b' }, { t: 'switch', id: '' }, { t: 'switch', id: 'x'.repeat(17) }, { t: 'switch', id: 'сессия' },
    { t: 'switch' }, { t: 'resend', ref: 'a b' }, { t: 'browse', token: 'tok', index: -1 }, { t: 'browse', token: 'tok', index: 1.5 },
    { t: 'history', id: 'a', page: 1_000_000 }, { t: 'archivePage', page: 0, all: 'yes' }, { t: 'key', id: 'a', key: 'F1' },
    { t: 'stall', id: 'a', what: 'reboot' }, { t: 'settings', key: 'lang', value: 'e:n' }, { t: 'bogus' }, { t: 'toString' },
  ];
  for (const action of bad) assert.throws(() => encodeAction(action as Action), /encodeAction/, JSON.stringify(action));
});

const decode = suite('decodeAction');

decode('round-trips thousands of generated actions', () => {
  const g = generator(42);
  for (let i = 0; i < 5000; i++) {
    const action = g.action();
    assert.equal(decodeAction(encodeAction(action)), action);
  }
});

decode('answers null for unknown or malformed data', () => {
  const bad = [
    '', 'zz', 's', 's:', 's:a:b', 'n:1', 'ap:01:1', 'ap:1:2', 'ap:-1:0', 'ap:1.0:0', 'b:tok:1e3', 'b:tok:', 'x:a3f1:F1',
    'sl:a:nap', 'st:lang', '__proto__:x', 'constructor', 'toString', 's:ünï', 's:' + 'x'.repeat(17), 'p:a:1000000',
    'h:a: 1', ' s:a', 's:a ', 'S:a', 'x'.repeat(65), 's:a\n',
  ];
  for (const data of bad) assert.is(decodeAction(data), null, JSON.stringify(data));
});

decode('never throws on random data, and what it accepts is canonical', () => {
  const g = generator(7);
  const alphabet = 'sknyarbdiuphtclfx-:0123456789._ Ж日';
  let accepted = 0;
  for (let i = 0; i < 20000; i++) {
    const data = g.word(alphabet, 24);
    const action = decodeAction(data);
    if (action) {
      accepted++;
      assert.is(encodeAction(action), data);
    }
  }
  assert.ok(accepted > 0, 'some random data decodes, so the canonical check ran');
});

const truncate = suite('truncateLabel');

truncate('keeps short labels, cuts long ones with … and never splits an emoji', () => {
  assert.is(truncateLabel('api', 20), 'api');
  assert.is(truncateLabel('  two\n words ', 20), 'two words');
  assert.is(truncateLabel('abcdefghij', 5), 'abcd…');
  const family = '👨‍👩‍👧‍👦';
  assert.is(truncateLabel(family.repeat(10), 3), family.repeat(2) + '…');
  assert.is(truncateLabel('é'.normalize('NFD').repeat(10), 4), 'é'.normalize('NFD').repeat(3) + '…');
});

const switcher = suite('switcherKeyboard');

switcher('one button per session in the given order, the active one ✓, badges on the others, then + New', () => {
  const kb = switcherKeyboard(
    [{ id: 'a1', name: 'api' }, { id: 'b2', name: 'web', badge: '⏳' }, { id: 'c3', name: 'docs', badge: '❓' }, { id: 'd4', name: 'ops' }],
    'a1',
    'en',
  );
  assert.equal(labels(kb), ['✓ api', '⏳ web', '❓ docs', 'ops', '+ New']);
  assert.equal(actions(kb), [
    { t: 'switch', id: 'a1' }, { t: 'switch', id: 'b2' }, { t: 'switch', id: 'c3' }, { t: 'switch', id: 'd4' }, { t: 'new' },
  ]);
  assert.equal(kb.inline_keyboard.map((r) => r.length), [3, 1, 1]);
  assertSendable(kb);
});

switcher('translates + New, and with no sessions shows only it', () => {
  assert.equal(labels(switcherKeyboard([], null, 'ru')), ['+ Новая']);
  assert.equal(labels(switcherKeyboard([], null, 'zh')), ['+ 新建']);
});

switcher('20 sessions with long unicode names: at most 3 a row, names cut to 20, every button valid', () => {
  const sessions = Array.from({ length: 20 }, (_, i) => ({
    id: `s${i}`, name: `проект-日本語-🚀👨‍💻-очень-длинное-имя-${i}`, badge: i % 3 === 0 ? '✓' : undefined,
  }));
  const kb = switcherKeyboard(sessions, 's19', 'zh');
  assertSendable(kb);
  assert.ok(kb.inline_keyboard.every((row) => row.length <= 3));
  assert.is(buttons(kb).length, 21);
  assert.equal(actions(kb).slice(0, 20), sessions.map((s) => ({ t: 'switch', id: s.id })));
  for (const b of buttons(kb).slice(0, 20)) {
    const name = b.text.replace(/^[✓⏳❓] /, '');
    assert.ok([...new Intl.Segmenter().segment(name)].length <= 20, name);
    assert.ok(name.endsWith('…'), name);
  }
  assert.ok(buttons(kb)[19]!.text.startsWith('✓ проект'));
});

switcher('a session whose name is blank still gets a button Telegram accepts', () => {
  const kb = switcherKeyboard([{ id: 'a1', name: '   ' }], null, 'en');
  assert.is(buttons(kb)[0]!.text, 'a1');
  assertSendable(kb);
});

const killConfirm = suite('killConfirmKeyboard');

killConfirm('Kill confirms and Cancel declines, for that session', () => {
  const kb = killConfirmKeyboard('a3f1', 'ru');
  assert.equal(actions(kb), [{ t: 'killYes', id: 'a3f1' }, { t: 'killNo', id: 'a3f1' }]);
  assert.match(labels(kb)[0]!, 'Завершить');
  assert.is(labels(kb)[1], 'Отмена');
  assertSendable(kb);
});

const archive = suite('archiveKeyboard');

archive('per entry Restore, Delete, Inspect; ◀ ▶ page and keep `all`', () => {
  const kb = archiveKeyboard([{ id: 'a1', name: 'api' }, { id: 'b2', name: 'web' }], 1, 3, true, 'en');
  assertSendable(kb);
  const acts = actions(kb);
  for (const id of ['a1', 'b2']) {
    for (const t of ['restore', 'delete', 'inspect'] as const) assert.ok(acts.some((a) => a.t === t && a.id === id), `${t} ${id}`);
  }
  assert.ok(labels(kb).some((l) => l.includes('api')));
  const pager = kb.inline_keyboard.at(-1)!;
  assert.equal(pager.map((b) => b.text), ['◀', '2/3', '▶']);
  assert.equal(actions({ inline_keyboard: [pager] }), [
    { t: 'archivePage', page: 0, all: true }, { t: 'noop' }, { t: 'archivePage', page: 2, all: true },
  ]);
});

archive('no ◀ on the first page, no ▶ on the last, no pager for one page', () => {
  assert.equal(archiveKeyboard([{ id: 'a', name: 'a' }], 0, 2, false, 'en').inline_keyboard.at(-1)!.map((b) => b.text), ['1/2', '▶']);
  assert.equal(archiveKeyboard([{ id: 'a', name: 'a' }], 1, 2, false, 'en').inline_keyboard.at(-1)!.map((b) => b.text), ['◀', '2/2']);
  const single = archiveKeyboard([{ id: 'a', name: 'a' }], 0, 1, false, 'zh');
  assert.not.ok(actions(single).some((a) => a.t === 'archivePage'));
  assert.not.ok(labels(single).some((l) => /^\d+\/\d+$/.test(l)));
  assert.ok(labels(single).some((l) => l.includes('恢复')));
});

const settings = suite('settingsKeyboard');

settings('marks the current choices; a notice row toggles; every button sets its key to a value', () => {
  const kb = settingsKeyboard({ idleHours: 12, notify: { done: false, error: true, input: true }, lang: 'auto' }, 'en');
  assertSendable(kb);
  const chosen = buttons(kb).filter((b) => b.text.startsWith('✓ ')).map((b) => decodeAction(b.callback_data!));
  assert.equal(chosen, [{ t: 'settings', key: 'idle', value: '12' }, { t: 'settings', key: 'lang', value: 'auto' }]);
  const set = actions(kb).filter((a) => a.t === 'settings').map((a) => `${a.key}=${a.value}`);
  assert.equal(set, ['idle=6', 'idle=12', 'idle=24', 'notify.done=on', 'notify.error=off', 'notify.input=off', 'autoName=on', 'lang=en', 'lang=ru', 'lang=zh', 'lang=auto', 'mode=bypass', 'mode=auto', 'mode=manual', 'mode=acceptEdits', 'mode=plan']);
  assert.ok(labels(kb).some((l) => l.startsWith('🔕') && l.includes('finishes')), 'done is off');
  assert.ok(labels(kb).some((l) => l.startsWith('🔔') && l.includes('errors')), 'errors are on');
  assert.ok(labels(kb).includes('✗ Name new sessions with Claude (uses tokens)'), 'auto-naming is off by default');
  const on = settingsKeyboard({ idleHours: 12, notify: { done: true, error: true, input: true }, lang: 'auto', autoName: true }, 'en');
  assert.ok(actions(on).some((a) => a.t === 'settings' && a.key === 'autoName' && a.value === 'off'), 'on: the button turns it off');
});

settings('speaks the language asked, language names in their own', () => {
  const kb = settingsKeyboard({ idleHours: 24, notify: { done: true, error: true, input: true }, lang: 'ru' }, 'zh');
  assert.ok(labels(kb).includes('✓ 24 小时'));
  assert.ok(labels(kb).includes('🔔 Claude 完成时通知'));
  assert.ok(labels(kb).includes('✓ Русский'));
  assert.ok(labels(kb).includes('English'));
});

const screenshot = suite('screenshotKeyboard');

screenshot('has every key and Refresh, for that session', () => {
  const kb = screenshotKeyboard('a3f1');
  assertSendable(kb);
  const acts = actions(kb);
  assert.equal(acts.filter((a) => a.t === 'key').map((a) => (a as { key: string }).key).sort(), [...SCREEN_KEYS].sort());
  assert.ok(acts.some((a) => a.t === 'refresh' && a.id === 'a3f1'));
  assert.ok(acts.every((a) => 'id' in a && a.id === 'a3f1'));
});

const picker = suite('pickerKeyboard');

picker('one option a row with its number, then Cancel', () => {
  const kb = pickerKeyboard('a3f1', [{ number: 1, label: 'Yes' }, { number: 2, label: 'Yes, and don\'t ask again '.repeat(5) }], 'en');
  assertSendable(kb);
  assert.equal(actions(kb), [{ t: 'pick', id: 'a3f1', option: 1 }, { t: 'pick', id: 'a3f1', option: 2 }, { t: 'pickCancel', id: 'a3f1' }]);
  assert.is(labels(kb)[0], '1. Yes');
  assert.ok(labels(kb)[1]!.startsWith('2. Yes') && labels(kb)[1]!.length <= 60);
  assert.is(labels(kb)[2], 'Cancel');
});

picker('a permission prompt that offers Tab to amend: ✏️ in place of Cancel (its Esc is its No)', () => {
  const kb = pickerKeyboard('a3f1', [{ number: 1, label: 'Yes' }, { number: 2, label: 'No' }], 'en', true);
  assertSendable(kb);
  assert.equal(actions(kb), [{ t: 'pick', id: 'a3f1', option: 1 }, { t: 'pick', id: 'a3f1', option: 2 }, { t: 'amend', id: 'a3f1' }]);
  assert.is(labels(kb)[2], '✏️ Yes, and tell Claude…');
});

const stall = suite('stallKeyboard');

stall('offers every way out of a stall', () => {
  const kb = stallKeyboard('a3f1', 'ru');
  assertSendable(kb);
  assert.equal(actions(kb), STALL_CHOICES.map((what) => ({ t: 'stall', id: 'a3f1', what })));
  assert.ok(labels(kb).every((l) => /\p{Script=Cyrillic}/u.test(l)));
});

const resend = suite('resendKeyboard');

resend('carries the delivery ref', () => {
  const kb = resendKeyboard('m-1234', 'en');
  assertSendable(kb);
  assert.equal(actions(kb), [{ t: 'resend', ref: 'm-1234' }]);
  assert.match(labels(kb)[0]!, 'Send again');
});

const history = suite('historyKeyboard');

history('◀ goes to older pages, ▶ to newer ones; nothing when it fits on one page', () => {
  assert.equal(historyKeyboard('a3f1', 0, false).inline_keyboard, []);
  const kb = historyKeyboard('a3f1', 1, true);
  assertSendable(kb);
  assert.equal(actions(kb), [{ t: 'history', id: 'a3f1', page: 2 }, { t: 'noop' }, { t: 'history', id: 'a3f1', page: 0 }]);
  assert.equal(labels(historyKeyboard('a3f1', 0, true)), ['◀', '1']);
  assert.equal(labels(historyKeyboard('a3f1', 3, false)), ['4', '▶']);
});

const purity = suite('keyboards.ts');

purity('imports nothing from node: (the codec stays pure)', () => {
  const source = readFileSync(fileURLToPath(import.meta.resolve('#ccbot/keyboards.js')), 'utf8');
  assert.ok(source.includes('encodeAction'));
  assert.not.match(source, /from ['"]node:|import\(['"]node:|require\(/);
});

encode.run();
decode.run();
truncate.run();
switcher.run();
killConfirm.run();
archive.run();
settings.run();
screenshot.run();
picker.run();
stall.run();
resend.run();
history.run();
purity.run();
