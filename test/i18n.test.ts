import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { en, placeholders, replyLang, ru, t, TABLES, zh, type Key, type Table } from '#ccbot/i18n.js';

const KEYS = Object.keys(en) as Key[];
const TRANSLATIONS = { ru, zh } as const;
/** A translation is real when it is written in its script, not a copy of the English. */
const SCRIPT = { ru: /\p{Script=Cyrillic}/u, zh: /\p{Script=Han}/u } as const;

const tables = suite('translation tables');

tables('every English key is translated into ru and zh, in their own script', () => {
  for (const [lang, table] of Object.entries(TRANSLATIONS) as [keyof typeof TRANSLATIONS, Table][]) {
    const missing = KEYS.filter((key) => !table[key]?.trim());
    assert.equal(missing, [], `${lang} lacks ${missing.join(', ')}`);
    const untranslated = KEYS.filter((key) => !SCRIPT[lang].test(table[key]!));
    assert.equal(untranslated, [], `${lang} has English copies for ${untranslated.join(', ')}`);
  }
});

tables('translations hold no key English lacks', () => {
  for (const table of Object.values(TRANSLATIONS)) {
    assert.equal(Object.keys(table).filter((key) => !(key in en)), []);
  }
});

tables('every translation uses exactly the placeholders of the English text', () => {
  for (const [lang, table] of Object.entries(TRANSLATIONS)) {
    for (const key of KEYS) {
      assert.equal(placeholders(table[key] ?? ''), placeholders(en[key]), `${lang} ${key}`);
    }
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
  for (const table of Object.values(TABLES)) {
    for (const key of KEYS.filter((k) => k.startsWith('cmd.'))) assert.ok([...(table[key] ?? '')].length <= 256, key);
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
  const partial = { en, ru: { 'nothing.yet': 'Пока пусто' }, zh: {} };
  assert.is(t('ru', 'nothing.yet', {}, partial), 'Пока пусто');
  assert.is(t('ru', 'session.unknown', { name: 'x' }, partial), 'Unknown session x');
  assert.is(t('zh', 'error.telegramUnreachable', {}, partial), 'Telegram is unreachable, retrying');
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
