import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { LANGS, replyLang, t, type Key } from '#ccbot/i18n.js';
import { MAIN_JS } from './daemon-fixture.js';

/** The texts are i18n.ts's own: each key and the languages it has are read from its source, the texts through t(). */
const SOURCE = readFileSync(join(MAIN_JS, '..', '..', 'src', 'i18n.ts'), 'utf8');
const TEXTS = SOURCE.slice(SOURCE.indexOf('\nconst TEXTS = {\n') + 1, SOURCE.indexOf('\n} satisfies'));
const ENTRIES = new Map(TEXTS.split(/\n(?= {2}'?[\w.]+'?: \{)/).slice(1).map((entry) => [
  /^ {2}'?([\w.]+)'?:/.exec(entry)![1]!,
  [...entry.matchAll(/(?:^ {4}|[{,] )(en|ru|zh): /gm)].map((m) => m[1]!),
]));
const KEYS = [...ENTRIES.keys()] as Key[];
const TRANSLATIONS = ['ru', 'zh'] as const;
/** A translation is real when it is written in its script, not a copy of the English. */
const SCRIPT = { ru: /\p{Script=Cyrillic}/u, zh: /\p{Script=Han}/u } as const;
/** The {placeholders} a template uses, sorted: translations must use exactly the ones English does. */
const placeholders = (template: string): string[] =>
  [...new Set([...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))].sort();

const tables = suite('translation tables');

tables('every English key is translated into ru and zh, in their own script', () => {
  assert.ok(KEYS.length > 50 && KEYS.includes('help'), KEYS.join(' '));
  for (const lang of TRANSLATIONS) {
    const missing = KEYS.filter((key) => !ENTRIES.get(key)!.includes(lang));
    assert.equal(missing, [], `${lang} lacks ${missing.join(', ')}`);
    const untranslated = KEYS.filter((key) => !SCRIPT[lang].test(t(lang, key)));
    assert.equal(untranslated, [], `${lang} has English copies for ${untranslated.join(', ')}`);
  }
});

tables('translations hold no key English lacks', () => {
  assert.equal(KEYS.filter((key) => !ENTRIES.get(key)!.includes('en')), []);
  assert.equal(KEYS.filter((key) => ENTRIES.get(key)!.length !== 3), []);
});

tables('every translation uses exactly the placeholders of the English text', () => {
  for (const lang of TRANSLATIONS) {
    for (const key of KEYS) assert.equal(placeholders(t(lang, key)), placeholders(t('en', key)), `${lang} ${key}`);
  }
});

tables('the help text lists every command with a description key, in every language', () => {
  const commands = KEYS.filter((key) => key.startsWith('cmd.')).map((key) => `/${key.slice('cmd.'.length)}`);
  assert.ok(commands.length >= 11);
  for (const lang of ['en', 'ru', 'zh'] as const) {
    const help = t(lang, 'help');
    for (const command of commands) assert.match(help, new RegExp(`^${command}\\b`, 'm'), `${lang} help lacks ${command}`);
  }
});

tables('command descriptions fit Telegram\'s limit of 256 characters', () => {
  for (const lang of LANGS) {
    for (const key of KEYS.filter((k) => k.startsWith('cmd.'))) assert.ok([...t(lang, key)].length <= 256, key);
  }
});

const translate = suite('t');

translate('returns the text of the language with its vars filled, numbers included', () => {
  assert.is(t('en', 'session.started', { name: 'api', dir: '/srv/api' }), 'Session api started in /srv/api');
  assert.is(t('ru', 'error.generic', { error: 'boom' }), 'Что-то пошло не так: boom');
  assert.is(t('zh', 'session.killed', { name: 7 }), '已终止 7');
});

translate('leaves a missing var visible instead of throwing', () => {
  assert.is(t('en', 'session.started', { name: 'api' }), 'Session api started in {dir}');
});

translate('falls back to English for a key the translation lacks', () => {
  const partial = { 'history.empty': { ru: 'Пока пусто' } };
  assert.is(t('ru', 'history.empty', {}, partial), 'Пока пусто');
  assert.is(t('ru', 'session.unknown', { name: 'x' }, partial), 'Unknown session x');
  assert.is(t('zh', 'btn.cancel', {}, partial), 'Cancel');
});

translate('does not treat a var value as a placeholder', () => {
  assert.is(t('en', 'session.started', { name: '{dir}', dir: '/a' }), 'Session {dir} started in /a');
});

const codes = suite('replyLang (auto)');

codes('maps Russian and every Chinese variant; the rest, absent included, to English', () => {
  const cases: [string | undefined, string][] = [
    ['ru', 'ru'], ['ru-RU', 'ru'], ['RU', 'ru'], ['zh', 'zh'], ['zh-hans', 'zh'], ['zh-TW', 'zh'], ['zh_CN', 'zh'],
    ['en', 'en'], ['en-GB', 'en'], ['uk', 'en'], ['be', 'en'], ['de', 'en'], ['', 'en'], [undefined, 'en'], ['rus', 'en'],
  ];
  for (const [code, lang] of cases) assert.is(replyLang('auto', code), lang, String(code));
});

tables.run();
translate.run();
codes.run();
