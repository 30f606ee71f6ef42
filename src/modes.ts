/** Claude Code's permission modes: the five ccbot offers, the CLAUDE_FLAGS words that choose one, the footer line that
 * shows it and the order Shift+Tab cycles them in (facts from Claude Code 2.1.328). Pure: nothing from node:. */
import { visibleText } from './terminal.js';

export const MODES = ['bypass', 'auto', 'manual', 'acceptEdits', 'plan'] as const;
export type Mode = (typeof MODES)[number];
export const isMode = (value: unknown): value is Mode => MODES.some((mode) => mode === value);

/** As the footer names them, with its glyphs (manual gets a hand: ⏸ alone would read as plan); one language. */
export const MODE_LABELS: Record<Mode, string> = {
  bypass: '⏵⏵ bypass', auto: '⏵⏵ auto', manual: '✋ manual', acceptEdits: '⏵⏵ accept edits', plan: '⏸ plan',
};
/** The short tag a session shows in the switcher and on its card; none for bypass, the default nobody needs told. */
export const modeTag = (mode: unknown): string | undefined =>
  isMode(mode) && mode !== 'bypass' ? MODE_LABELS[mode] : undefined;

const [SKIP, ALLOW_SKIP] = ['--dangerously-skip-permissions', '--allow-dangerously-skip-permissions'];
const MODE_FLAG = '--permission-mode';
/** --permission-mode values. Manual is `default`: every version takes it (2.1.328 also takes `manual`). */
const CLI_NAMES: Record<Mode, string> = {
  bypass: 'bypassPermissions', auto: 'auto', manual: 'default', acceptEdits: 'acceptEdits', plan: 'plan',
};
const BY_CLI_NAME: Record<string, Mode | undefined> = { ...Object.fromEntries(MODES.map((m) => [CLI_NAMES[m], m])),
  manual: 'manual' };

/** The --permission-mode value in `flags` (either spelling), null without one. */
function modeWord(flags: readonly string[]): string | null {
  const at = flags.findLastIndex((f) => f === MODE_FLAG || f.startsWith(`${MODE_FLAG}=`));
  if (at < 0) return null;
  return flags[at] === MODE_FLAG ? (flags[at + 1] ?? '') : flags[at]!.slice(MODE_FLAG.length + 1);
}

/** The mode `flags` start Claude in: manual when they name none (Claude Code's own default); undefined for a mode
 * ccbot does not offer (dontAsk). */
export function modeOfFlags(flags: readonly string[]): Mode | undefined {
  const word = modeWord(flags);
  if (word !== null) return BY_CLI_NAME[word];
  return flags.includes(SKIP) ? 'bypass' : 'manual';
}

/** The flags for a new Claude when its person chose `chosen`: CLAUDE_FLAGS as the operator wrote them when the choice
 * is theirs anyway (or none), else with their permission words replaced. `allowsBypass`: bypass is one of the modes
 * Shift+Tab cycles through, which it is only in a Claude started allowing it. */
export function permissionFlags(flags: readonly string[], chosen?: Mode) {
  const given = modeOfFlags(flags);
  if (chosen === undefined || chosen === given) {
    return { flags: [...flags], mode: given, allowsBypass: given === 'bypass' || flags.includes(ALLOW_SKIP) };
  }
  const rest = flags.filter((f, i) => f !== SKIP && f !== ALLOW_SKIP && !f.startsWith(`${MODE_FLAG}=`)
    && f !== MODE_FLAG && flags[i - 1] !== MODE_FLAG);
  const words = chosen === 'bypass' ? [SKIP] : [MODE_FLAG, CLI_NAMES[chosen]];
  return { flags: [...rest, ...words], mode: chosen, allowsBypass: chosen === 'bypass' };
}

/** Shift+Tab's cycle, in its order: manual → accept edits → plan → (bypass) → auto → manual. Recorded with
 * 2.1.328 from every start; auto may be missing for accounts or models without it. */
const CYCLE: readonly Mode[] = ['manual', 'acceptEdits', 'plan', 'bypass', 'auto'];
export const cycleOf = (allowsBypass: boolean): Mode[] => CYCLE.filter((m) => allowsBypass || m !== 'bypass');

// The footer under the input box: "⏵⏵ bypass permissions on (shift+tab to cycle) · ← for agents",
// "⏸ manual mode on · ? for shortcuts", "⏵⏵ accept edits on …", "⏸ plan mode on …", "⏵⏵ auto mode on …".
const FOOTERS: readonly [RegExp, Mode][] = [
  [/⏵⏵ bypass permissions on\b/, 'bypass'], [/⏵⏵ auto mode on\b/, 'auto'], [/⏸ manual mode on\b/, 'manual'],
  [/⏵⏵ accept edits on\b/, 'acceptEdits'], [/⏸ plan mode on\b/, 'plan'],
];

/** The mode the pane's footer shows: only the lines under the last rule count (history may quote a footer). null
 * when none shows one (a dialog, a starting Claude, a notice in its place). */
export function modeOnPane(pane: string): Mode | null {
  const lines = visibleText(pane).split('\n');
  const rule = lines.findLastIndex((line) => /^\s*─{4,}/.test(line));
  const footer = rule < 0 ? '' : lines.slice(rule + 1).join('\n');
  return FOOTERS.find(([pattern]) => pattern.test(footer))?.[1] ?? null;
}
