import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readPane, type Picker } from '#ccbot/terminal.js';
import { dialogLines, permissionDialog, planDialog } from './fixtures/fake-claude-dialogs.js';
import { SAMPLES } from './samples.js';

/** The stand-in's dialogs read as the real CLI's do (test/fixtures/samples), in a wide pane and in a narrow one. */
const real = (name: string): Picker => {
  const state = readPane(readFileSync(join(SAMPLES, `${name}-pane.txt`), 'utf8'));
  if (state.kind !== 'picker') throw new Error(`${name}: no picker`);
  return state.picker;
};
const drawn = (lines: string[]): Picker => {
  const state = readPane(['❯ bash: touch approved.txt', '', ...lines].join('\n'));
  if (state.kind !== 'picker') throw new Error(`no picker in:\n${lines.join('\n')}`);
  return state.picker;
};
/** Everything but option 2, whose wording depends on the command (the real one's is about the folder). */
const shape = (p: Picker) => ({ ...p, options: p.options.filter((o) => o.number !== 2) });

const dialogs = suite('fake-claude dialogs');

dialogs('the permission prompt, before and after Tab, reads like 2.1.328\'s', () => {
  for (const width of [160, 80]) {
    const dialog = permissionDialog('touch approved.txt', 'run');
    assert.equal(shape(drawn(dialogLines(dialog, width))), shape(real('permission')), `width ${width}`);
    dialog.field = '';
    assert.equal(shape(drawn(dialogLines(dialog, width))), shape(real('permission-amend')), `width ${width}, after Tab`);
  }
});

dialogs('"Ready to code?" reads like 2.1.328\'s; a bypass session offers bypass first', () => {
  const plan = '# Plan\n\nAdd a greeting file\n\n## Steps\n\n1. Do it.\n2. Check it.\n';
  const path = '~/.claude/plans/plan-add-a-greeting-staged-snowflake.md';
  assert.equal(drawn(dialogLines(planDialog(plan, path, false), 160)), real('plan'));
  const narrow = drawn(dialogLines(planDialog(plan, path, true), 80));
  assert.equal(narrow.options.map((o) => o.label), [
    'Yes, and switch to BYPASS PERMISSIONS (no further prompts) for this session', 'Yes, manually approve edits',
    'Tell Claude what to change',
  ]);
  assert.is(narrow.question, real('plan').question);
});

dialogs.run();
