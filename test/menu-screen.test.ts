import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { menuMessage } from '#ccbot/menu-screen.js';
import { readPane, type Picker } from '#ccbot/terminal.js';
import { SAMPLES } from './samples.js';

const picker = (name: string): Picker => {
  const state = readPane(readFileSync(join(SAMPLES, `${name}-pane.txt`), 'utf8'));
  if (state.kind !== 'picker') throw new Error(`${name}: no picker`);
  return state.picker;
};

const message = suite('menuMessage');

message('an Edit\'s prompt (captured): the session, the tool, the diff as code, the question naming the file', () => {
  assert.is(menuMessage('api <1>', picker('permission-edit'), 'en', { approval: true }), [
    '<b>api &lt;1&gt;</b> · Claude needs your OK',
    '<i>Edit file</i>',
    '<pre>1 -# proj-a\n1 +edited\n2  hello from the readme</pre>',
    '',
    'Do you want to make this edit to README.md?',
  ].join('\n'));
});

message('a long diff is cut to 20 lines and 1,500 characters; the desk has the rest', () => {
  const diff = Array.from({ length: 300 }, (_, i) => `${i} +line <${i}> ${'x'.repeat(20)}`).join('\n');
  const html = menuMessage('api', { ...picker('permission-edit'), detail: diff }, 'en', { approval: true });
  const shown = /<pre>([\s\S]*)<\/pre>\n…\n/.exec(html)?.[1] ?? '';
  assert.is(shown.split('\n').length, 20);
  assert.ok(shown.length <= 1_500 + 20 * 6, 'escaped, at most 1,500 characters of diff');
  assert.match(shown, /0 \+line &lt;0&gt;/);
});

message('a plan: its Markdown as Telegram HTML between the heading and the question; no detail', () => {
  const html = menuMessage('api', picker('plan'), 'en', { approval: true, plan: '# Plan\n\nAdd **hello**\n' });
  assert.match(html, /^<b>api<\/b> · Claude needs your OK\n\n<b>Plan<\/b>\n\nAdd <b>hello<\/b>\n\nClaude has written up a plan/);
  assert.not.match(html, /<pre>/);
});

message('AskUserQuestion: "Claude asks", its options with descriptions listed', () => {
  const ask = picker('ask');
  const html = menuMessage('api', ask, 'en', { approval: false });
  assert.match(html, /^<b>api<\/b> · Claude asks\n<i>Choice<\/i>\n\npick one\?\n1\. Alpha — The first choice/);
});

message.run();
