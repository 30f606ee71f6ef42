import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { replyLang } from '#ccbot/i18n.js';
import { applySetting, storedSettings, userSettings } from '#ccbot/settings.js';

const read = suite('userSettings');
read('a person who chose nothing gets the defaults', () => {
  assert.equal(userSettings(undefined, 12), { idleHours: 12, notify: { done: true, error: true, input: true }, lang: 'auto', autoName: false });
});
read('keeps what is well-formed; anything else reads as the default', () => {
  const user = { activeSessionId: null, settings: { idleHours: 6, notify: { done: false, error: 'no' }, lang: 'ru' } };
  assert.equal(userSettings(storedSettings(user.settings), 12), { idleHours: 6, notify: { done: false, error: true, input: true }, lang: 'ru', autoName: false });
  const bad = { activeSessionId: null, settings: { idleHours: 7, notify: null, lang: 'klingon' } };
  assert.equal(userSettings(storedSettings(bad.settings), 12), { idleHours: 12, notify: { done: true, error: true, input: true }, lang: 'auto', autoName: false });
});
read('a permission mode is kept when it is one of the five; none means CLAUDE_FLAGS as the operator set it', () => {
  assert.is(userSettings(storedSettings({ mode: 'plan' }), 12).mode, 'plan');
  for (const mode of ['default', 'bypassPermissions', 'dontAsk', 7, null]) {
    assert.not.ok('mode' in userSettings(storedSettings({ mode }), 12), String(mode));
  }
});

const apply = suite('applySetting');
apply('each button of the screen changes its one setting', () => {
  const base = userSettings(undefined, 12);
  assert.is(applySetting(base, 'idle', '24')?.idleHours, 24);
  assert.is(applySetting(base, 'notify.error', 'off')?.notify.error, false);
  assert.is(applySetting(base, 'notify.error', 'off')?.notify.done, true);
  assert.is(applySetting(base, 'lang', 'zh')?.lang, 'zh');
  assert.is(applySetting(base, 'lang', 'auto')?.lang, 'auto');
  assert.is(applySetting(base, 'mode', 'acceptEdits')?.mode, 'acceptEdits');
  assert.is(applySetting({ ...base, mode: 'plan' }, 'mode', 'bypass')?.mode, 'bypass');
  assert.is(applySetting(base, 'autoName', 'on')?.autoName, true);
  assert.is(applySetting({ ...base, autoName: true }, 'autoName', 'off')?.autoName, false);
});
read('auto-naming is off unless the person turned it on (it spends tokens); a stored true is kept', () => {
  assert.is(userSettings(storedSettings({ autoName: true }), 12).autoName, true);
  assert.is(userSettings(storedSettings({ autoName: 'yes' }), 12).autoName, false);
});
apply('a forged or stale button changes nothing', () => {
  const base = userSettings(undefined, 12);
  for (const [key, value] of [['idle', '7'], ['idle', '06'], ['idle', '1e1'], ['lang', 'de'], ['notify.sound', 'on'], ['notify.done', 'yes'], ['theme', 'dark'], ['mode', 'default'], ['mode', 'yolo'], ['autoName', 'yes']]) {
    assert.is(applySetting(base, key!, value!), null, `${key}=${value}`);
  }
});

const lang = suite('replyLang');
lang('the override wins over the Telegram app\'s language; auto follows the app', () => {
  assert.is(replyLang(userSettings({ lang: 'zh' }, 12).lang, 'ru'), 'zh');
  assert.is(replyLang(userSettings({ lang: 'auto' }, 12).lang, 'ru'), 'ru');
  assert.is(replyLang(userSettings(undefined, 12).lang, 'de'), 'en');
});

read.run();
apply.run();
lang.run();
