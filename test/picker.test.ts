import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pickOption } from '#ccbot/picker.js';
import { menuKey, readPane } from '#ccbot/terminal.js';
import type { Key } from '#ccbot/tmux.js';
import { SAMPLES } from './samples.js';

type PickDeps = Parameters<typeof pickOption>[2];
const kindOf = (outcome: Awaited<ReturnType<typeof pickOption>>) => (outcome.ok ? 'picked' : outcome.kind);

const ASK = readFileSync(join(SAMPLES, 'ask-pane.txt'), 'utf8');
const IDLE = readFileSync(join(SAMPLES, 'idle-pane.txt'), 'utf8');
const PERMISSION = readFileSync(join(SAMPLES, 'permission-pane.txt'), 'utf8');
const AMENDED = readFileSync(join(SAMPLES, 'permission-amend-pane.txt'), 'utf8');
const keyOf = (pane: string) => {
  const state = readPane(pane);
  return state.kind === 'picker' ? menuKey(state.picker) : '';
};

/** A menu like the sample's, answering arrow keys (optionally late or never) and Enter. */
function fakeMenu(options: { frozen?: boolean } = {}) {
  const world = { selected: 1, pressed: [] as Key[], answered: null as number | null, captures: 0 };
  const render = () =>
    ASK.replace(/^(❯ | {2})(\d)\. /gm, (_line, _mark, n: string) => `${Number(n) === world.selected ? '❯ ' : '  '}${n}. `);
  const deps: PickDeps = {
    capture: async () => {
      world.captures++;
      if (world.answered !== null) return IDLE;
      return render();
    },
    press: async (_w, keys) => {
      world.pressed.push(...keys);
      if (options.frozen) return;
      for (const key of keys) {
        if (key === 'Down') world.selected = Math.min(5, world.selected + 1);
        if (key === 'Up') world.selected = Math.max(1, world.selected - 1);
        if (key === 'Enter') world.answered = world.selected;
      }
    },
    sleep: async () => {},
    settleMs: 300,
  };
  return { world, deps };
}

const pick = suite('pickOption');
pick('moves the selection to the option, reads it back, then presses Enter', async () => {
  const { world, deps } = fakeMenu();
  assert.equal(await pickOption('@1', 3, deps), { ok: true, freeText: false, label: 'Gamma' });
  assert.equal(world.pressed, ['Down', 'Down', 'Enter']);
  assert.is(world.answered, 3);
});
pick('the option already selected: just Enter', async () => {
  const { world, deps } = fakeMenu();
  assert.equal(await pickOption('@1', 1, deps), { ok: true, freeText: false, label: 'Alpha' });
  assert.equal(world.pressed, ['Enter']);
});
pick('a free-text option is selected but not submitted: the person\'s text comes next', async () => {
  const { world, deps } = fakeMenu();
  assert.equal(await pickOption('@1', 4, deps), { ok: true, freeText: true, label: 'Type something.' });
  assert.not.ok(world.pressed.includes('Enter'));
  assert.is(world.selected, 4);
});
pick('a selection that never moves is reported, and Enter is never pressed', async () => {
  const { world, deps } = fakeMenu({ frozen: true });
  assert.is(kindOf(await pickOption('@1', 2, deps)), 'stuck');
  assert.not.ok(world.pressed.includes('Enter'));
});
pick('an option the menu lacks, a button for another question, no menu, no window', async () => {
  const { deps } = fakeMenu();
  assert.is(kindOf(await pickOption('@1', 9, deps)), 'noOption');
  assert.is(kindOf(await pickOption('@1', 2, deps, keyOf(PERMISSION))), 'noMenu');
  assert.is(kindOf(await pickOption('@1', 2, { ...deps, capture: async () => IDLE })), 'noMenu');
  assert.is(kindOf(await pickOption('@1', 2, { ...deps, capture: async () => null })), 'gone');
});

const current = suite('pickOption: the menu on the pane');
current('reads the question and options of the menu on the pane', async () => {
  const { world, deps } = fakeMenu();
  assert.equal(await pickOption('@1', 2, deps, keyOf(ASK)), { ok: true, freeText: false, label: 'Beta' });
  assert.is(world.answered, 2, 'Beta');
  assert.is(kindOf(await pickOption('@1', 2, { ...deps, capture: async () => IDLE }, keyOf(ASK))), 'noMenu');
});

current('amend: Tab on option 1 of a permission prompt, then the pane read until that row is a text field', async () => {
  const pressed: Key[] = [];
  let [pane, reads] = [PERMISSION, 0];
  const deps: PickDeps = {
    capture: async () => (++reads > 3 && pressed.includes('Tab') ? AMENDED : pane),
    press: async (_w, keys) => void pressed.push(...keys),
    sleep: async () => {},
    settleMs: 600,
  };
  const picked = await pickOption('@1', 1, deps, keyOf(PERMISSION), true);
  assert.equal(picked, { ok: true, freeText: true, label: 'Yes, and tell Claude what to do next' });
  assert.equal(pressed, ['Tab'], 'never Enter');
  [pane, reads] = [PERMISSION, -1_000]; // Tab that changes nothing on the pane
  pressed.length = 0;
  assert.is(kindOf(await pickOption('@1', 1, deps, keyOf(PERMISSION), true)), 'stuck');
});

pick.run();
current.run();
