import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { addSecret, logger, parseLevel, redact, setLevel, setSink } from '#ccbot/log.cjs';

const lines: string[] = [];
let restore: (line: string) => void;
const capture = () => {
  lines.length = 0;
  restore = setSink((line) => lines.push(line));
};
const release = () => {
  setSink(restore);
  setLevel('info');
};

const logs = suite('log');
logs.before.each(capture);
logs.after.each(release);

logs('writes one line "scope: message key=value", quoting values with spaces', () => {
  logger('tmux').warn('send failed', { window: '@3', error: 'no such\nwindow', skipped: undefined });
  assert.equal(lines, ['warn: tmux: send failed window=@3 error="no such\\nwindow"']);
});

logs('drops lines below the level', () => {
  setLevel('warn');
  logger('x').info('hidden');
  logger('x').debug('hidden');
  logger('x').error('shown');
  assert.equal(lines, ['error: x: shown']);
});

logs('redacts a registered secret everywhere, including inside URLs and error messages', () => {
  const token = '123456789:AAsecret-token-value-xyz';
  addSecret(token);
  logger('poll').error('getUpdates failed', { url: `https://api.telegram.org/bot${token}/getUpdates`, error: new Error(`bad ${token}`) });
  assert.is(lines.length, 1);
  assert.not.match(lines[0]!, token);
  assert.match(lines[0]!, 'bot<redacted>/getUpdates');
  assert.is(redact(`x${token}y`), 'x<redacted>y');
});

const level = suite('parseLevel');
level('accepts the four levels in any case and rejects the rest', () => {
  assert.is(parseLevel('DEBUG'), 'debug');
  assert.is(parseLevel(' warn '), 'warn');
  assert.is(parseLevel('verbose'), undefined);
  assert.is(parseLevel(undefined), undefined);
});

logs.run();
level.run();
