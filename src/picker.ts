/** Answering a menu Claude Code shows: arrow keys to the option, the pane read back until the selection is there,
 * then Enter (or a permission prompt's Tab). Reading between the steps, not a blind sleep, is what keeps Enter off the
 * wrong option. */
import { setTimeout as delay } from 'node:timers/promises';
import { keysToSelect, menuKey, readPane, type Picker } from './terminal.js';
import type { Key } from './tmux.js';
import { fail, type Failure } from './values.cjs';

interface PickDeps {
  capture: (windowId: string) => Promise<string | null>; press: (windowId: string, keys: Key[]) => Promise<unknown>;
  sleep?: (ms: number) => Promise<void>; settleMs?: number; // how long the selection may take to move; 1.5 s
}

/** gone: no window; noMenu: the pane shows no menu, or another question (an old button); noOption: not in this
 * menu; stuck: the selection did not reach the option. */
type PickFailure = Failure<'gone' | 'noMenu' | 'noOption' | 'stuck'>;

const STEP_MS = 60;

/** The menu on the pane now (and if given, only while it is still dialog `key`: terminal.ts menuKey). */
async function menuOn(windowId: string, deps: PickDeps, key?: string): Promise<Picker | PickFailure> {
  const pane = await deps.capture(windowId);
  if (pane === null) return fail('gone', `window ${windowId} is gone`);
  const state = readPane(pane);
  const isMenu = state.kind === 'picker' || state.kind === 'trust';
  if (isMenu && (key === undefined || menuKey(state.picker) === key)) return state.picker;
  return fail('noMenu', `the pane of ${windowId} shows no such menu`);
}

/** Selects option `number` of the menu on the pane and presses Enter. A free-text option ("Type something.") is
 * only selected: its text field then takes what the person writes next, which the caller types. `amend` presses Tab
 * instead of Enter (a permission prompt's "Tab to amend") and returns once that row shows as a text field. */
export async function pickOption(
  windowId: string, number: number, deps: PickDeps, key?: string, amend = false,
): Promise<{ ok: true; freeText: boolean; label: string } | PickFailure> {
  const sleep = deps.sleep ?? delay;
  let menu = await menuOn(windowId, deps, key);
  if ('ok' in menu) return menu;
  const option = menu.options.find((o) => o.number === number);
  if (!option) return fail('noOption', `the menu has no option ${number}`);
  const isSelected = (picker: Picker) => picker.options.find((o) => o.number === number)?.selected === true;
  for (let round = 0; round < 3 && !isSelected(menu); round++) {
    await deps.press(windowId, keysToSelect(menu, number));
    for (let waited = 0; waited < (deps.settleMs ?? 1_500) && !isSelected(menu); waited += STEP_MS) {
      await sleep(STEP_MS);
      const now = await menuOn(windowId, deps, key);
      if ('ok' in now) return now;
      menu = now;
    }
  }
  if (!isSelected(menu)) return fail('stuck', `option ${number} did not get selected`);
  if (option.freeText) return { ok: true, freeText: true, label: option.label };
  await deps.press(windowId, [amend ? 'Tab' : 'Enter']);
  if (!amend) return { ok: true, freeText: false, label: option.label };
  for (let waited = 0; waited < (deps.settleMs ?? 1_500); waited += STEP_MS) {
    await sleep(STEP_MS);
    const now = await menuOn(windowId, deps, key);
    if ('ok' in now) return now;
    const field = now.options.find((o) => o.number === number && o.selected && o.freeText);
    if (field) return { ok: true, freeText: true, label: field.label };
  }
  return fail('stuck', `option ${number} did not open a text field`);
}
