import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { inputText, keysToSelect, menuKey, readPane, settingsPanel, stripAnsi, visibleText, type Picker } from '#ccbot/terminal.js';
import { SAMPLES } from './samples.js';

/** Real Claude Code 2.1.328 panes (capture-pane -p -J), byte for byte. */

const sample = (name: string) => readFileSync(join(SAMPLES, `${name}-pane.txt`), 'utf8');
const IDLE = sample('idle');
const BUSY = sample('busy');
const ASK = sample('ask');
const AFTER_ANSWER = sample('after-answer');
const RESUME = sample('resume');

const NBSP = '\u00a0';
const rule = (width = 80) => '─'.repeat(width);
const FOOTER = '  ⏵⏵ bypass permissions on (shift+tab to cycle) · ← for agents';
const HISTORY = ['', '❯ echo: hello', '', '● hello', '', '✻ Cogitated for 0s · done 8:00 PM', ''];
/** An idle screen: history, then the input box and its footer, as Claude Code draws it. */
const idleWith = (history: string[], footer = FOOTER) => [...history, rule(), `❯${NBSP}`, rule(), footer].join('\n');
/** A menu screen: history, then the menu in place of the input box. */
const menuWith = (menu: string[]) => [...HISTORY, rule(), ...menu].join('\n');

/** SGR around every word, an OSC title and a hyperlink: what capture-pane -e adds to the same screen. */
const colour = (text: string) =>
  '\x1b]0;claude\x07' +
  text
    .split('\n')
    .map((line, i) => `\x1b[${i % 7}m` + line.replace(/\S+/g, (word) => `\x1b[38;5;${word.length}m\x1b]8;;https://x.test\x1b\\${word}\x1b]8;;\x1b\\\x1b[39m`) + '\x1b[0m')
    .join('\n');
const narrow = (text: string, width: number) => text.replace(/─{10,}/g, rule(width));

const ASK_PICKER: Picker = {
  title: 'Choice',
  question: 'pick one?',
  options: [
    { number: 1, label: 'Alpha', description: 'The first choice', selected: true },
    { number: 2, label: 'Beta', description: 'The second choice', selected: false },
    { number: 3, label: 'Gamma', description: 'The third choice', selected: false },
    { number: 4, label: 'Type something.', selected: false, freeText: true },
    { number: 5, label: 'Chat about this', selected: false },
  ],
  footer: 'Enter to select · ↑/↓ to navigate · Esc to cancel',
};
const selectIn = (picker: Picker, n: number): Picker => ({ ...picker, options: picker.options.map((o) => ({ ...o, selected: o.number === n })) });
const moveAskSelection = (n: number) =>
  ASK.replace('❯ 1. Alpha', '  1. Alpha').replace(new RegExp(`^  ${n}\\. `, 'm'), `❯ ${n}. `);

const PERMISSION = menuWith([
  ' Bash command',
  '',
  '   rm -rf build',
  '   Remove the build directory',
  '',
  ' Do you want to proceed?',
  ' ❯ 1. Yes',
  "   2. Yes, and don't ask again for rm commands in /home/dev/work/proj-a",
  '   3. No, and tell Claude what to do differently (esc)',
  '',
  ' Esc to cancel',
]);
const PERMISSION_PICKER: Picker = {
  title: 'Bash command',
  question: 'Do you want to proceed?',
  options: [
    { number: 1, label: 'Yes', selected: true },
    { number: 2, label: "Yes, and don't ask again for rm commands in /home/dev/work/proj-a", selected: false },
    { number: 3, label: 'No, and tell Claude what to do differently (esc)', selected: false },
  ],
  footer: 'Esc to cancel',
  detail: 'rm -rf build\nRemove the build directory',
};
const TRUST = [
  rule(),
  ' Do you trust the files in this folder?',
  '',
  ' /home/dev/work/proj-a',
  '',
  ' Claude Code may read, write, or execute files contained in this directory. This can pose security risks, so',
  '  only use files from trusted sources.',
  '',
  ' ❯ 1. Yes, proceed',
  '   2. No, exit',
  '',
  ' Enter to confirm · Esc to exit',
].join('\n');
const TRUST_PICKER: Picker = {
  question: 'Do you trust the files in this folder?',
  options: [
    { number: 1, label: 'Yes, proceed', selected: true },
    { number: 2, label: 'No, exit', selected: false },
  ],
  footer: 'Enter to confirm · Esc to exit',
};
const FAKE_MENU = [' ☐ Choice', '', 'pick one?', '', '❯ 1. Alpha', '     The first choice', '  2. Beta', rule(), 'Enter to select · ↑/↓ to navigate · Esc to cancel'];

const strip = suite('stripAnsi');

strip('removes SGR, cursor movement, OSC titles and hyperlinks, DCS strings and charset escapes', () => {
  const raw = '\x1b[1;38;2;215;119;87m❯\x1b[0m\x1b[2K\x1b[3A \x1b]0;title\x07\x1b]8;;https://x.test\x1b\\link\x1b]8;;\x1b\\ \x1bP1$r0m\x1b\\\x1b(Bdone\x1b=\x1b7';
  assert.is(stripAnsi(raw), '❯ link done');
});

strip('drops stray control characters but keeps newlines, tabs and non-ASCII text', () => {
  assert.is(stripAnsi(`a\r\n\tb\x07c\x00d\x1b\x85e${NBSP}─☐`), `a\n\tbcde${NBSP}─☐`);
});

strip('leaves text without escapes as it is', () => {
  assert.is(stripAnsi(IDLE), IDLE);
});

const read = suite('readPane');

// 2.1.328's /model menu and /cost panel draw a ▔ edge, not a rule, over themselves (local-*-pane.txt).
const EDGE = '▔'.repeat(80);
read("a /model menu under its ▔ edge: the history above it is not its title", () => {
  const pane = [...HISTORY, '❯ /context', '  ⎿  Context usage', '     /context all to expand', EDGE, '  Select model',
    '  Your pick is the default for new sessions. For other models, use --model.', '',
    '  ❯ 1. Default (recommended) ✔  Use the default model', '    2. Sonnet                   Sonnet 5.5 · Efficient', '',
    '  s to use this session only · Enter to save · Esc to cancel'].join('\n');
  const read = readPane(pane);
  assert.is(read.kind, 'picker');
  if (read.kind !== 'picker') return;
  assert.is(read.picker.title, 'Select model');
  assert.is(read.picker.question, 'Your pick is the default for new sessions. For other models, use --model.');
  assert.is(read.picker.detail, undefined);
});
read('settingsPanel: the text of the panel /cost opens, without its key hints; null on other screens', () => {
  const panel = [...HISTORY, EDGE, '  Settings  Status   Config   Usage   Stats', '', '  Session',
    '  Estimated cost:         $0.0552', '', '  ←/→ to switch · Esc to close', '', ''].join('\n');
  assert.is(settingsPanel(panel), 'Settings  Status   Config   Usage   Stats\n\nSession\nEstimated cost:         $0.0552');
  assert.is(readPane(panel).kind, 'unknown');
  assert.is(settingsPanel(idleWith(HISTORY)), null);
});
read('the real idle, after-answer and resume panes are idle', () => {
  assert.equal(readPane(IDLE), { kind: 'idle' });
  assert.equal(readPane(AFTER_ANSWER), { kind: 'idle' });
  assert.equal(readPane(RESUME), { kind: 'idle' }); // "◐ medium · /effort" over the box, the finished "slow: 3" above it
});

read('a session started with --name: 2.1.328 draws the name in the input box\'s upper rule, and the pane is still idle', () => {
  const lines = IDLE.split('\n');
  const rules = lines.flatMap((line, i) => (/^─{40,}$/.test(line.trimEnd()) ? [i] : []));
  lines[rules.at(-2)!] = `${'─'.repeat(144)} Login fix ─`; // as captured from the real CLI
  assert.equal(readPane(lines.join('\n')), { kind: 'idle' });
  assert.is(inputText(lines.join('\n')), '');
});

read('the real busy pane is busy with its spinner status', () => {
  assert.equal(readPane(BUSY), { kind: 'busy', status: 'Composing… (1s · ↓ 5 tokens)' });
});

read('the real AskUserQuestion pane is a picker with its exact options, descriptions and selection', () => {
  assert.equal(readPane(ASK), { kind: 'picker', picker: ASK_PICKER });
});

read('follows the selection marker to any option, including the one under its own rule', () => {
  assert.equal(readPane(moveAskSelection(2)), { kind: 'picker', picker: selectIn(ASK_PICKER, 2) });
  assert.equal(readPane(moveAskSelection(5)), { kind: 'picker', picker: selectIn(ASK_PICKER, 5) });
});

read('the free-text field as real 2.1.328 draws it: "Type something." selected, then the typed text in its place', () => {
  // Down to option 4 opens the field (the footer gains "ctrl+g to edit in Vim"); a paste replaces the label, and a
  // second line sits under it like a description.
  const open = moveAskSelection(4).replace('navigate · Esc', 'navigate · ctrl+g to edit in Vim · Esc');
  const row = (pane: string) => {
    const state = readPane(pane);
    return state.kind === 'picker' ? state.picker.options.find((o) => o.selected) : undefined;
  };
  assert.equal(row(open), { number: 4, label: 'Type something.', selected: true, freeText: true });
  assert.equal(row(open.replace('❯ 4. Type something.', '❯ 4. my own answer')), { number: 4, label: 'my own answer', selected: true });
  const twoLines = open.replace('❯ 4. Type something.', '❯ 4. first line\n     second line');
  assert.equal(row(twoLines), { number: 4, label: 'first line', description: 'second line', selected: true });
});

read('classifies ANSI-coloured captures exactly like the plain ones', () => {
  for (const pane of [IDLE, BUSY, ASK, AFTER_ANSWER, RESUME, PERMISSION, TRUST]) assert.equal(readPane(colour(pane)), readPane(pane));
  assert.is(readPane(colour(ASK)).kind, 'picker');
});

read('classifies narrow panes (short rules) and tall panes (blank rows under the box) the same', () => {
  for (const pane of [IDLE, BUSY, ASK, AFTER_ANSWER, RESUME, PERMISSION, TRUST]) {
    for (const width of [40, 20]) assert.equal(readPane(narrow(pane, width)), readPane(pane), `width ${width}`);
    assert.equal(readPane(pane + '\n'.repeat(12)), readPane(pane));
  }
});

read('a permission prompt is a picker titled by the tool, asking the question under the command', () => {
  assert.equal(readPane(PERMISSION), { kind: 'picker', picker: PERMISSION_PICKER });
});

read('a permission prompt that ends on its last option, with no key hints, is still a picker', () => {
  const fetch = menuWith([
    ' Fetch',
    '   url: "https://example.com", prompt: "1. summarise"',
    '   Claude wants to fetch content from example.com',
    '',
    ' Do you want to allow Claude to fetch this content?',
    '   1. Yes',
    "   2. Yes, and don't ask again for npm run build commands in",
    '      /home/dev/work/proj-a',
    ' ❯ 3. No, and tell Claude what to do differently (esc)',
  ]);
  const state = readPane(fetch);
  assert.equal(state, {
    kind: 'picker',
    picker: {
      title: 'Fetch',
      question: 'Do you want to allow Claude to fetch this content?',
      options: [
        { number: 1, label: 'Yes', selected: false },
        { number: 2, label: "Yes, and don't ask again for npm run build commands in /home/dev/work/proj-a", selected: false },
        { number: 3, label: 'No, and tell Claude what to do differently (esc)', selected: true },
      ],
      detail: 'url: "https://example.com", prompt: "1. summarise"\nClaude wants to fetch content from example.com',
    },
  });
});

read('plan approval is a picker asking "Would you like to proceed?"', () => {
  const plan = menuWith([
    ' Ready to code?',
    '',
    " Here is Claude's plan:",
    '╭──────────────────────────╮',
    '│ Plan: greet the user     │',
    '│ 1. add greet()           │',
    '╰──────────────────────────╯',
    '',
    ' Would you like to proceed?',
    '',
    '   1. Yes, and auto-accept edits',
    ' ❯ 2. Yes, and manually approve edits',
    '   3. Type here to tell Claude what to change',
    '',
    ' ctrl-g to edit in Vim · ~/.claude/plans/greet.md',
  ]);
  const state = readPane(plan);
  assert.equal(state, {
    kind: 'picker',
    picker: {
      title: 'Ready to code?',
      question: 'Would you like to proceed?',
      options: [
        { number: 1, label: 'Yes, and auto-accept edits', selected: false },
        { number: 2, label: 'Yes, and manually approve edits', selected: true },
        { number: 3, label: 'Type here to tell Claude what to change', selected: false, freeText: true },
      ],
      footer: 'ctrl-g to edit in Vim · ~/.claude/plans/greet.md',
      detail: "Here is Claude's plan:\n╭──────────────────────────╮\n│ Plan: greet the user     │\n│ 1. add greet()           │\n╰──────────────────────────╯",
    },
  });
});

read("2.1.328's plan approval: 'Tell Claude what to change' is a free-text row, and the key hint under it no label", () => {
  // The bottom of a real capture (plan mode, a bypass session), and the same with feedback typed into option 3.
  const plan = (third: string, selected: 1 | 3) => menuWith([
    '   Claude has written up a plan and is ready to execute. Would you like to proceed?',
    '',
    `   ${selected === 1 ? '❯' : ' '} 1. Yes, and use auto mode`,
    '     2. Yes, manually approve edits',
    `   ${selected === 3 ? '❯' : ' '} 3. ${third}`,
    '        shift+tab to approve with this feedback',
    '',
    '   ctrl+g to edit in Vim · ~/.claude/plans/echo-hi-plan-hidden-glacier.md',
  ]);
  const offered = readPane(plan('Tell Claude what to change', 1));
  assert.ok(offered.kind === 'picker');
  assert.equal(offered.picker.options[2], { number: 3, label: 'Tell Claude what to change', selected: false, freeText: true });
  assert.is(offered.picker.question, 'Claude has written up a plan and is ready to execute. Would you like to proceed?');
  const typed = readPane(plan('make it shorter', 3));
  assert.ok(typed.kind === 'picker');
  assert.equal(typed.picker.options[2], { number: 3, label: 'make it shorter', selected: true });
});

read("2.1.328's permission prompts (captured): the framed command or diff is the detail, Tab turns option 1 into a field", () => {
  const bash = readPane(sample('permission'));
  assert.ok(bash.kind === 'picker');
  assert.equal({ ...bash.picker, options: bash.picker.options.map((o) => o.label) }, {
    title: 'Bash command',
    question: 'Do you want to proceed?',
    options: [
      'Yes', 'Yes, and always allow access to /home/dev/work/proj-a from this project',
      'Yes, and switch to auto mode · auto mode handles these prompts for you', 'No',
    ],
    footer: 'Esc to cancel · Tab to amend',
    detail: 'touch approved.txt',
  });
  const amended = readPane(sample('permission-amend'));
  assert.ok(amended.kind === 'picker');
  assert.equal(amended.picker.options[0], { number: 1, label: 'Yes, and tell Claude what to do next', selected: true, freeText: true });
  assert.is(menuKey(amended.picker), menuKey(bash.picker), 'the same dialog');
  const edit = readPane(sample('permission-edit'));
  assert.ok(edit.kind === 'picker');
  assert.equal([edit.picker.title, edit.picker.detail, edit.picker.question], [
    'Edit file', '1 -# proj-a\n1 +edited\n2  hello from the readme', 'Do you want to make this edit to README.md?',
  ]);
});

read('the Tip over a permission prompt wraps in an 80-column pane and stays out of the detail', () => {
  const narrowed = sample('permission').replace(/^( Tip: .*"switch to auto mode") (below)$/m, '$1\n $2');
  const state = readPane(narrowed);
  assert.ok(state.kind === 'picker');
  assert.is(state.picker.detail, 'touch approved.txt');
});

read("2.1.328's plan approval (captured): the question, the options, no detail", () => {
  const state = readPane(sample('plan'));
  assert.ok(state.kind === 'picker');
  assert.equal(state.picker.options.map((o) => [o.label, o.freeText ?? false]), [
    ['Yes, and use auto mode', false], ['Yes, manually approve edits', false], ['Tell Claude what to change', true],
  ]);
  assert.is(state.picker.question, 'Claude has written up a plan and is ready to execute. Would you like to proceed?');
  assert.is(state.picker.detail, undefined);
});

read('menuKey tells two permission prompts for two commands apart', () => {
  const other = readPane(sample('permission').replace(/^ touch approved\.txt$/m, ' rm -rf build'));
  const bash = readPane(sample('permission'));
  assert.ok(other.kind === 'picker' && bash.kind === 'picker');
  assert.is(other.picker.question, bash.picker.question);
  assert.is.not(menuKey(other.picker), menuKey(bash.picker));
});

read('a /model menu splits each row into label and description and skips the effort slider', () => {
  const model = menuWith([
    ' Select model',
    ' Switch between Claude models. Applies to this session and future Claude Code sessions.',
    '',
    ' ❯ 1. Default (recommended) ✔  Opus 5.5 · Most capable for complex work',
    '   2. Sonnet                   Sonnet 5 · Best for everyday tasks',
    '',
    '   ▌▌▌ Medium effort (default) ← → to adjust',
    '',
    ' Enter to confirm · Esc to exit',
  ]);
  assert.equal(readPane(model), {
    kind: 'picker',
    picker: {
      title: 'Select model',
      question: 'Switch between Claude models. Applies to this session and future Claude Code sessions.',
      options: [
        { number: 1, label: 'Default (recommended) ✔', description: 'Opus 5.5 · Most capable for complex work', selected: true },
        { number: 2, label: 'Sonnet', description: 'Sonnet 5 · Best for everyday tasks', selected: false },
      ],
      footer: 'Enter to confirm · Esc to exit',
    },
  });
});

read('the trust dialog is its own kind, in the old and the new wording', () => {
  assert.equal(readPane(TRUST), { kind: 'trust', picker: TRUST_PICKER });
  const moved = TRUST.replace(' ❯ 1. Yes', '   1. Yes').replace('   2. No', ' ❯ 2. No');
  assert.equal(readPane(moved), { kind: 'trust', picker: selectIn(TRUST_PICKER, 2) });
  const newer = [
    rule(), ' Accessing workspace:', '', ' /home/dev/work/proj-a', '',
    ' Quick safety check: Is this a project you created or one you trust? If not, review it first.', '',
    ' ❯ 1. Yes, I trust this folder', '   2. No, exit', '', ' Enter to confirm · Esc to cancel',
  ].join('\n');
  const state = readPane(newer);
  assert.is(state.kind, 'trust');
  assert.is(state.kind === 'trust' && state.picker.options[0]!.label, 'Yes, I trust this folder');
});

read('the trust dialog of 2.1.328, drawn without numbers (captured from the real CLI), is trust with No, exit selected', () => {
  const captured = [
    rule(), ' Accessing workspace:', '', ' /tmp/e2e-explore/home/work/untrusted', '',
    ' Quick safety check: Is this a project you created or one you trust? (Like your own code, a well-known open source project, or work from your team). If not,',
    ' take a moment to review what\'s in this folder first.', '', ' Claude Code\'ll be able to read, edit, and execute files here.', '',
    ' Security guide', '', ' ❯ No, exit', '   Yes, I trust this folder', '', ' Enter to confirm · Esc to cancel', '', '',
  ].join('\n');
  const state = readPane(captured);
  assert.is(state.kind, 'trust');
  if (state.kind !== 'trust') return;
  assert.equal(state.picker.options, [
    { number: 1, label: 'No, exit', selected: true },
    { number: 2, label: 'Yes, I trust this folder', selected: false },
  ]);
  assert.match(state.picker.question, /Is this a project you created or one you trust\?/);
  assert.equal(keysToSelect(state.picker, 2), ['Down']);
  const moved = captured.replace(' ❯ No, exit', '   No, exit').replace('   Yes, I trust', ' ❯ Yes, I trust');
  const after = readPane(moved);
  assert.is(after.kind === 'trust' && after.picker.options.find((o) => o.selected)?.label, 'Yes, I trust this folder');
});

read('unnumbered "❯ " rows that are not under the trust question are no menu', () => {
  const history = [' ❯ fix the tests', '   and the lint', '', ' Enter to confirm · Esc to cancel'].join('\n');
  assert.is(readPane(history).kind, 'unknown');
});

read('the splash screen before the input box, and an empty pane, are starting', () => {
  const splash = ['', ' ▐▛███▛█   Claude Code v2.1.328', '▝▜██████▀  Opus 5.5 · API Usage Billing', ' ▝▝   ▝▝   /home/dev/work/proj-a', ''];
  assert.equal(readPane(splash.join('\n')), { kind: 'starting' });
  assert.equal(readPane(''), { kind: 'starting' });
  assert.equal(readPane('\n\n   \n'), { kind: 'starting' });
});

read('a shell prompt or anything else without box, menu or banner is unknown', () => {
  assert.equal(readPane('dev@box:~/work/proj-a$ claude\nbash: claude: command not found\ndev@box:~/work/proj-a$'), { kind: 'unknown' });
});

read('"esc to interrupt" in the footer alone is busy, without a status', () => {
  assert.equal(readPane(idleWith(HISTORY, '  ⏵⏵ bypass permissions on · esc to interrupt')), { kind: 'busy' });
});

read('finds the spinner above a todo list, queued prompts and tips', () => {
  const pane = idleWith([...HISTORY, '✶ Reticulating… (1m 13s · ↑ 2.3k tokens)', '  ⎿  ☐ Write the tests', '     ☐ Run them', `  ⎿ ${NBSP}Queued: and then?`]);
  assert.equal(readPane(pane), { kind: 'busy', status: 'Reticulating… (1m 13s · ↑ 2.3k tokens)' });
});

read('finished-turn summaries and answers with an ellipsis are not a spinner', () => {
  assert.equal(readPane(idleWith([...HISTORY, '✻ Worked for 1m 2s'])), { kind: 'idle' });
  assert.equal(readPane(idleWith([...HISTORY, '● Let me think… (2 options)'])), { kind: 'idle' });
  assert.equal(readPane(idleWith([...HISTORY, '✻ Conversation compacted (ctrl+o for history)'])), { kind: 'idle' });
});

read('numbered lists, past "❯ 1." prompts and menu text in the history never make a picker', () => {
  const histories = [
    [...HISTORY, '❯ 1. foo', '', '● done', '', '❯ 2. bar', ''],
    [...HISTORY, '● Options:', '  1. Alpha', '  2. Beta', ''],
    [...HISTORY, '● 1. Alpha', '2. Beta', ''],
    [...HISTORY, '● Press keys: Enter to select · ↑/↓ to navigate · Esc to cancel', ''],
    [...HISTORY, '● A menu looks like this:', '', '```', ...FAKE_MENU, '```', ''],
    [...HISTORY, ...FAKE_MENU], // the fake menu drawn flush against the input box
  ];
  for (const history of histories) {
    assert.equal(readPane(idleWith(history)), { kind: 'idle' }, history.join('|'));
    assert.equal(readPane(colour(narrow(idleWith(history), 30))), { kind: 'idle' });
  }
  assert.is(readPane(idleWith(histories[4]!, '  esc to interrupt')).kind, 'busy');
});

read('a real menu under a history full of numbered lists reads only the menu', () => {
  const pane = [...HISTORY, '❯ 1. foo', '● 1. Alpha', '  2. Beta', '  3. Gamma', ''].join('\n') + '\n' + PERMISSION.split('\n').slice(HISTORY.length).join('\n');
  assert.equal(readPane(pane), { kind: 'picker', picker: PERMISSION_PICKER });
});

read('a menu whose options sit right under a rule is not mistaken for the input box', () => {
  const pane = menuWith(['❯ 1. Yes', '  2. No', rule(), '  3. Chat about this', '', 'Enter to select · ↑/↓ to navigate · Esc to cancel']);
  const state = readPane(pane);
  assert.is(state.kind, 'picker');
  assert.equal(state.kind === 'picker' && state.picker.options.map((o) => o.label), ['Yes', 'No', 'Chat about this']);
});

read('a scrolled menu starts at its first visible option, not at an unrelated number above it', () => {
  const state = readPane(['● list:', '  7. seven', '  2. Beta', '❯ 3. Gamma', '', 'Enter to select · ↑/↓ to navigate · Esc to cancel'].join('\n'));
  assert.ok(state.kind === 'picker');
  assert.equal(state.picker.options.map((o) => [o.number, o.label, o.selected]), [[2, 'Beta', false], [3, 'Gamma', true]]);
});

read('without an input box, "❯" lists that are not one menu at the bottom are unknown', () => {
  const panes = [
    ['❯ 1. Alpha', '  2. Beta', '', 'one', 'two', 'three', 'four', 'five'], // a screenful under it
    ['$ history', '❯ 1. only one'], // a single option
    ['❯ 1. Alpha', '❯ 2. Beta', '', 'Enter to select'], // two selection markers
  ];
  for (const lines of panes) assert.equal(readPane(lines.join('\n')), { kind: 'unknown' }, lines.join('|'));
});

const ready = suite('readPane: ready for input');

ready('only the idle input box is ready', () => {
  const isReadyForInput = (pane: string) => readPane(pane).kind === 'idle';
  assert.ok(isReadyForInput(IDLE));
  assert.ok(isReadyForInput(colour(AFTER_ANSWER)));
  for (const pane of [BUSY, ASK, PERMISSION, TRUST, '']) assert.not.ok(isReadyForInput(pane));
});

const keys = suite('keysToSelect');

keys('presses Down or Up from the selected option to the wanted one', () => {
  assert.equal(keysToSelect(ASK_PICKER, 1), []);
  assert.equal(keysToSelect(ASK_PICKER, 3), ['Down', 'Down']);
  assert.equal(keysToSelect(ASK_PICKER, 5), ['Down', 'Down', 'Down', 'Down']);
  assert.equal(keysToSelect(selectIn(ASK_PICKER, 4), 2), ['Up', 'Up']);
  assert.equal(keysToSelect(selectIn(TRUST_PICKER, 2), 1), ['Up']);
});

keys('works on the picker read from a pane', () => {
  const state = readPane(moveAskSelection(3));
  assert.ok(state.kind === 'picker');
  assert.equal(keysToSelect(state.picker, 1), ['Up', 'Up']);
});

keys('throws, naming the options, for a number the menu lacks', () => {
  assert.throws(() => keysToSelect(ASK_PICKER, 6), (err: unknown) => err instanceof RangeError && /option 6 .*1, 2, 3, 4, 5/.test(err.message));
  assert.throws(() => keysToSelect({ question: 'q', options: [] }, 1), RangeError);
});

const input = suite('inputText');

/** The idle sample with the input box as real 2.1.328 drew it holding a paste (Enter not pressed yet): the first row
 * after "❯" and a no-break space, further rows indented two spaces, the footer unchanged or "paste again to expand". */
const holding = (rows: string[], footer?: string) => {
  const pane = IDLE.replace(`❯${NBSP}\n`, `❯${NBSP}${rows.join('\n')}\n`);
  return footer === undefined ? pane : pane.replace(/\n[^\n]*\n?$/, `\n${footer}\n`);
};

input('the empty idle, busy, after-answer and resumed boxes hold nothing', () => {
  for (const pane of [IDLE, BUSY, AFTER_ANSWER, RESUME]) assert.is(inputText(pane), '');
  assert.is(inputText(colour(narrow(IDLE, 30))), '');
});

input('reads the text pasted into the box, one line or several, the rows under the first without their indent', () => {
  assert.is(inputText(holding(['echo: typed but not entered'])), 'echo: typed but not entered');
  assert.is(inputText(colour(holding(['echo: line one', '  line two', '  line three']))), 'echo: line one\nline two\nline three');
  assert.equal(readPane(holding(['echo: typed but not entered'])), { kind: 'idle' }, 'still idle: the box is there');
});

input("gives Claude Code's placeholder for a large paste as it stands", () => {
  assert.is(inputText(holding(['[Pasted text #1 +11 lines]'], '  paste again to expand')), '[Pasted text #1 +11 lines]');
  assert.is(inputText(holding(['[Pasted text #2]'], '  paste again to expand')), '[Pasted text #2]');
});

input('a text typed while Claude works is read too (the spinner above the box)', () => {
  assert.is(inputText(BUSY.replace(`❯${NBSP}\n`, `❯${NBSP}echo: queued while busy\n`)), 'echo: queued while busy');
});

input('null where no input box is drawn: a menu, a trust dialog, the splash screen, an empty pane', () => {
  for (const pane of [ASK, PERMISSION, TRUST, 'Claude Code v2.1.328', '']) assert.is(inputText(pane), null);
});

const visible = suite('visibleText');

visible('strips escapes, trailing spaces and the blank rows under the content', () => {
  assert.is(visibleText(colour('hello  \n❯\u00a0\n\n   \n')), 'hello\n❯');
  assert.is(visibleText(''), '');
});

visible('its last n lines are the last visible lines of the screen', () => {
  const lastLines = (text: string, n: number) => visibleText(text).split('\n').slice(-n).join('\n');
  assert.is(lastLines(IDLE + '\n\n', 3), `❯\n${rule(160)}\n${FOOTER}`);
  assert.is(lastLines('a\nb', 10), 'a\nb');
});

const purity = suite('terminal.ts purity');

purity('the compiled module imports nothing at run time', () => {
  const js = readFileSync(fileURLToPath(new URL('../terminal.js', import.meta.url)), 'utf8');
  assert.not.match(js, /^\s*import\s|\brequire\(|\bimport\(/m);
});

strip.run();
read.run();
ready.run();
input.run();
keys.run();
visible.run();
purity.run();
