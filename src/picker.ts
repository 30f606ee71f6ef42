/**
 * Answering a menu Claude Code shows (AskUserQuestion, a permission or plan question, /model): arrow keys to the
 * option, the pane read back until the selection is there, then Enter. The pane is read between the steps: a
 * blind sleep would either waste time or press Enter on the wrong option.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { keysToSelect, readPane, type Picker } from './terminal.js';
import type { Key } from './tmux.js';
import { fail, type Failure } from './values.js';

export interface PickDeps {
  capture: (windowId: string) => Promise<string | null>;
  press: (windowId: string, keys: Key[]) => Promise<unknown>;
  sleep?: (ms: number) => Promise<void>;
  /** How long to wait for the selection to move; default 1.5 s. */
  settleMs?: number;
}

export type PickOutcome =
  | { ok: true; freeText: boolean }
  /** gone: no window; noMenu: the pane shows no menu, or another question (an old button); noOption: not in this
   * menu; stuck: the selection did not reach the option. */
  | Failure<'gone' | 'noMenu' | 'noOption' | 'stuck'>;

const STEP_MS = 60;

/** The menu on the pane now, if any (and if given, only when it still asks `question`). */
export async function currentPicker(windowId: string, deps: Pick<PickDeps, 'capture'>, question?: string): Promise<Picker | 'gone' | null> {
  const pane = await deps.capture(windowId);
  if (pane === null) return 'gone';
  const state = readPane(pane);
  if (state.kind !== 'picker' && state.kind !== 'trust') return null;
  return question === undefined || state.picker.question === question ? state.picker : null;
}

/**
 * Selects option `number` of the menu on the pane and presses Enter. A free-text option ("Type something.") is
 * only selected: its text field then takes what the person writes next, which the caller types.
 */
export async function pickOption(windowId: string, number: number, deps: PickDeps, question?: string): Promise<PickOutcome> {
  const sleep = deps.sleep ?? delay;
  let picker = await currentPicker(windowId, deps, question);
  const gone = fail('gone', `window ${windowId} is gone`);
  const noMenu = fail('noMenu', `the pane of ${windowId} shows no such menu`);
  if (picker === 'gone') return gone;
  if (!picker) return noMenu;
  const option = picker.options.find((o) => o.number === number);
  if (!option) return fail('noOption', `the menu has no option ${number}`);
  for (let round = 0; round < 3 && !picker.options.find((o) => o.number === number)?.selected; round++) {
    await deps.press(windowId, keysToSelect(picker, number));
    const deadline = deps.settleMs ?? 1_500;
    for (let waited = 0; waited < deadline; waited += STEP_MS) {
      await sleep(STEP_MS);
      const now = await currentPicker(windowId, deps, question);
      if (now === 'gone') return gone;
      if (!now) return noMenu;
      picker = now;
      if (picker.options.find((o) => o.number === number)?.selected) break;
    }
  }
  const selected = picker.options.find((o) => o.number === number)?.selected;
  if (!selected) return fail('stuck', `option ${number} did not get selected`);
  if (option.freeText) return { ok: true, freeText: true };
  await deps.press(windowId, ['Enter']);
  return { ok: true, freeText: false };
}
