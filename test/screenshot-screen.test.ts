import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SCREEN_CHARS, screenshotHtml } from '#ccbot/screenshot-screen.js';
import { SAMPLES } from './samples.js';
import { parseTelegramHtml } from './telegram-html.js';

const html = suite('screenshotHtml');
html('a pane becomes a <pre> block without escapes, valid Telegram HTML', () => {
  const pane = readFileSync(join(SAMPLES, 'ask-pane.txt'), 'utf8');
  const shot = screenshotHtml('api <x>', `\x1b[1m${pane}\x1b[0m`);
  assert.not.ok(shot.cut);
  assert.ok(shot.html.startsWith('<b>api &lt;x&gt;</b>\n<pre>'));
  assert.not.match(shot.html, '\x1b');
  assert.ok(parseTelegramHtml(shot.html).ok, 'Telegram accepts it');
});
html('a tall pane keeps its bottom lines within the limit and says it was cut', () => {
  const pane = Array.from({ length: 400 }, (_, i) => `line ${i} <&>`).join('\n');
  const shot = screenshotHtml('big', pane);
  assert.ok(shot.cut);
  assert.ok(shot.html.length <= SCREEN_CHARS + 100);
  assert.match(shot.html, 'line 399 &lt;&amp;&gt;');
  assert.not.match(shot.html, 'line 0 ');
  assert.is(shot.text.split('\n').length, 400, 'the whole screen is kept for the file');
  assert.ok(parseTelegramHtml(shot.html).ok);
});
html('an empty pane still makes a message Telegram accepts', () => {
  assert.ok(parseTelegramHtml(screenshotHtml('e', '\n\n').html).ok);
  assert.match(screenshotHtml('e', '').html, '<pre> </pre>');
});

html.run();
