import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { newCard, renderCard } from '#ccbot/card.js';
import { decodeAction, modeKeyboard, switcherKeyboard } from '#ccbot/keyboards.js';
import { cycleOf, MODES, modeOfFlags, modeOnPane, modeTag, permissionFlags, type Mode } from '#ccbot/modes.js';
import { SAMPLES } from './samples.js';

const sample = (name: string) => readFileSync(join(SAMPLES, `${name}-pane.txt`), 'utf8');

/** Footers as Claude Code 2.1.328 draws them in a 160-column pane (recorded in tmux: idle, at work, text typed). */
const FOOTERS: Record<Mode, string[]> = {
  bypass: ['  ⏵⏵ bypass permissions on (shift+tab to cycle) · ← for agents',
    '  ⏵⏵ bypass permissions on (shift+tab to cycle) · esc to interrupt · ← for agents'],
  auto: ['  ⏵⏵ auto mode on (shift+tab to cycle) · ← for agents',
    '  ⏵⏵ auto mode on (shift+tab to cycle) · esc to interrupt · ← for agents'],
  manual: ['  ⏸ manual mode on · ? for shortcuts · ← for agents', '  ⏸ manual mode on · esc to interrupt · ← for agents'],
  acceptEdits: ['  ⏵⏵ accept edits on (shift+tab to cycle) · ← for agents', '  ⏵⏵ accept edits on (shift+tab to cycle)'],
  plan: ['  ⏸ plan mode on (shift+tab to cycle) · ← for agents',
    '  ⏸ plan mode on (shift+tab to cycle) · esc to interrupt · ← for agents'],
};
const BYPASS_FOOTER = /^ {2}⏵⏵ bypass permissions on.*$/m;

const flags = suite('permissionFlags and modeOfFlags');

flags('no choice, or the operator\'s own: CLAUDE_FLAGS word for word', () => {
  const operator = ['--model', 'opus', '--dangerously-skip-permissions'];
  assert.equal(permissionFlags(operator), { flags: operator, mode: 'bypass', allowsBypass: true });
  assert.equal(permissionFlags(operator, 'bypass').flags, operator);
  const allowing = ['--allow-dangerously-skip-permissions', '--permission-mode', 'plan'];
  assert.equal(permissionFlags(allowing, 'plan'), { flags: allowing, mode: 'plan', allowsBypass: true });
});

flags('a choice replaces every permission word of CLAUDE_FLAGS and keeps the rest', () => {
  const operator = ['--model', 'opus', '--dangerously-skip-permissions', '--allow-dangerously-skip-permissions',
    '--permission-mode=auto', '--verbose'];
  const expected: Record<Mode, string[]> = {
    bypass: ['--dangerously-skip-permissions'], auto: ['--permission-mode', 'auto'],
    manual: ['--permission-mode', 'default'], acceptEdits: ['--permission-mode', 'acceptEdits'],
    plan: ['--permission-mode', 'plan'],
  };
  for (const mode of MODES.filter((m) => m !== 'auto')) {
    const got = permissionFlags(operator, mode);
    assert.equal(got.flags, ['--model', 'opus', '--verbose', ...expected[mode]], mode);
    assert.is(got.mode, mode);
    assert.is(got.allowsBypass, mode === 'bypass', `${mode}: bypass reachable only when chosen`);
    assert.is(modeOfFlags(got.flags), mode, `${mode}: the flags say what they start`);
  }
  assert.equal(permissionFlags(['--permission-mode', 'plan', '-c'], 'auto').flags, ['-c', '--permission-mode', 'auto']);
});

flags('what CLAUDE_FLAGS start: Claude Code\'s default is manual; both names of manual; dontAsk is none of ours', () => {
  assert.is(modeOfFlags([]), 'manual');
  assert.is(modeOfFlags(['--dangerously-skip-permissions']), 'bypass');
  assert.is(modeOfFlags(['--permission-mode', 'default']), 'manual');
  assert.is(modeOfFlags(['--permission-mode=manual']), 'manual');
  assert.is(modeOfFlags(['--permission-mode', 'bypassPermissions']), 'bypass');
  assert.is(modeOfFlags(['--permission-mode', 'dontAsk']), undefined);
  assert.is(permissionFlags(['--permission-mode', 'dontAsk'], 'plan').flags.join(' '), '--permission-mode plan');
});

const pane = suite('modeOnPane');

pane('reads each mode from the real footer: idle, at work, with text typed', () => {
  const idle = sample('idle');
  const busy = sample('busy');
  assert.ok(BYPASS_FOOTER.test(idle) && BYPASS_FOOTER.test(busy), 'the samples end in the footer');
  for (const mode of MODES) {
    for (const footer of FOOTERS[mode]) {
      assert.is(modeOnPane(idle.replace(BYPASS_FOOTER, footer)), mode, footer);
      assert.is(modeOnPane(busy.replace(BYPASS_FOOTER, footer)), mode, footer);
    }
  }
});

pane('only the footer counts: a mode quoted above the input box, a menu, an empty pane say nothing', () => {
  const quoted = sample('idle').replace(/^❯ $/m, '● It shows ⏸ plan mode on in the footer.\n❯ ')
    .replace(BYPASS_FOOTER, '  Press Ctrl-C again to exit');
  assert.is(modeOnPane(quoted), null);
  assert.is(modeOnPane(sample('ask')), null);
  assert.is(modeOnPane(''), null);
});

pane('escapes and colours do not hide it (a capture with -e)', () => {
  const coloured = '\x1b[39m  \x1b[38;5;73m⏸ plan mode on\x1b[38;5;246m (shift+tab to cycle) · ← for agents\x1b[39m';
  assert.is(modeOnPane(`❯ \n${'─'.repeat(40)}\n${coloured}`), 'plan');
});

const cycle = suite('cycleOf');

cycle('Shift+Tab order from 2.1.328; bypass only in a Claude started allowing it', () => {
  assert.equal(cycleOf(true), ['manual', 'acceptEdits', 'plan', 'bypass', 'auto']);
  assert.equal(cycleOf(false), ['manual', 'acceptEdits', 'plan', 'auto']);
});

const shown = suite('the mode on the switcher, the card and /mode');

shown('a tag for every mode but bypass; anything else (an old or hand-edited record) shows none', () => {
  assert.is(modeTag('bypass'), undefined);
  assert.is(modeTag('plan'), '⏸ plan');
  assert.is(modeTag('manual'), '✋ manual');
  assert.is(modeTag('sudo'), undefined);
  assert.is(modeTag(undefined), undefined);
});

shown('the switcher button and the card head name a mode that is not bypass', () => {
  const kb = switcherKeyboard([{ id: 'a1', name: 'api', modeTag: modeTag('plan') }, { id: 'b2', name: 'web' }], 'b2', 'en');
  assert.equal(kb.inline_keyboard[0]!.map((b) => b.text), ['api ⏸ plan', '✓ web']);
  const card = newCard('a1', 'api');
  assert.match(renderCard(card, 'en', 'manual').split('\n')[0]!, /✋ manual/);
  assert.not.match(renderCard(card, 'en', 'bypass'), /bypass/);
  assert.is(renderCard(card, 'en'), renderCard(card, 'en', 'bypass'));
});

shown('/mode buttons switch that session to that mode, and decode back', () => {
  const kb = modeKeyboard('a1', ['acceptEdits', 'plan', 'auto']);
  const actions = kb.inline_keyboard.flat().map((b) => decodeAction(b.callback_data!));
  assert.equal(actions, [{ t: 'mode', id: 'a1', mode: 'acceptEdits' }, { t: 'mode', id: 'a1', mode: 'plan' },
    { t: 'mode', id: 'a1', mode: 'auto' }]);
});

flags.run();
pane.run();
cycle.run();
shown.run();
