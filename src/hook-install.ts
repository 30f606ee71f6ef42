/** `ccbot hook --install / --uninstall`: ccbot's SessionStart and UserPromptSubmit entries in Claude Code's
 * settings.json. Changes nothing else (other keys, hooks, their order); a file it cannot understand is left alone. */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeJson } from './store.cjs';
import { fail, isObject, type Failure } from './values.cjs';

export const HOOK_EVENTS = ['SessionStart', 'UserPromptSubmit'] as const;
export const HOOK_TIMEOUT_S = 5; // seconds; hook.cts leaves on its own before this

type SettingsResult =
  { ok: true; changed: boolean; message: string } | Failure<'unreadable' | 'invalid' | 'unwritable'>;
type JsonObject = Record<string, unknown>;

const MAIN_JS = fileURLToPath(new URL('./main.cjs', import.meta.url));
/** An entry of ours, from any install: `<node> <path>/main.cjs hook` (main.js in older checkouts) or
 * `ccbot hook`, the path possibly quoted. */
const OURS = /(?:^|[\s/'"])(?:main\.c?js|ccbot)['"]?\s+hook$/;
export const isCcbotHookCommand = (command: string): boolean => OURS.test(command.trim());

/** What Claude Code runs, through a shell, from any cwd and PATH: absolute node and main.cjs, so neither a `node`
 * version manager nor a missing global install breaks it. Paths are sh-quoted only when needed (readable). */
export function ccbotHookCommand(execPath: string = process.execPath, mainJs: string = MAIN_JS): string {
  return `${ccbotCommand(execPath, mainJs)} hook`;
}

/** `ccbot` itself, as a shell command that works from any cwd and PATH (see ccbotHookCommand). */
export function ccbotCommand(execPath: string = process.execPath, mainJs: string = MAIN_JS): string {
  const quote = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);
  return `${quote(execPath)} ${quote(mainJs)}`;
}

/** Puts exactly one entry of ours under each event: adds it, replaces an older one in its place, or changes nothing. */
export function installHooks(path: string, command: string): SettingsResult {
  const ours = { hooks: [{ type: 'command', command, timeout: HOOK_TIMEOUT_S }] };
  const isDone = (groups: unknown[]) => JSON.stringify(groups.filter(hasOurs)) === JSON.stringify([ours]);
  const message = (events: string) =>
    events ? `ccbot hook installed in ${path} for ${events}: ${command}` : `ccbot hook is already installed in ${path}`;
  return editHooks(path, '--install', (groups) => (isDone(groups) ? undefined : replaceOurs(groups, ours)), message);
}

/** Removes every entry of ours, and an event list or `hooks` object that only they filled. */
export function uninstallHooks(path: string): SettingsResult {
  const message = (events: string) => (events
    ? `ccbot hook removed from ${path} for ${events}`
    : `ccbot hook is not installed in ${path}: nothing to remove`);
  return editHooks(path, '--uninstall', (groups) => (groups.some(hasOurs) ? replaceOurs(groups) : undefined), message);
}

/** Gives each event's list to `edit` (undefined: no change); writes the file only when something changed. */
function editHooks(path: string, flag: string, edit: (groups: unknown[]) => unknown[] | undefined,
  message: (events: string) => string): SettingsResult {
  const read = readSettings(path, flag);
  if (!read.ok) return read;
  const { settings, hooks } = read;
  const changed: string[] = [];
  for (const event of HOOK_EVENTS) {
    const next = edit((hooks[event] ?? []) as unknown[]);
    if (next === undefined) continue;
    if (next.length > 0) hooks[event] = next;
    else delete hooks[event];
    changed.push(event);
  }
  if (changed.length === 0) return { ok: true, changed: false, message: message('') };
  if (Object.keys(hooks).length > 0) settings.hooks = hooks;
  else delete settings.hooks;
  try {
    // A settings.json symlinked from a dotfiles repo must stay a symlink; an absent one is written where asked.
    writeJson(existsSync(path) ? realpathSync(path) : path, settings);
  } catch (err) {
    const why = (err as Error).message;
    return fail('unwritable', `cannot write ${path}: ${why}: check the permissions of its directory`);
  }
  return { ok: true, changed: true, message: message(changed.join(' and ')) };
}

const isOurs = (hook: unknown) =>
  isObject(hook) && typeof hook.command === 'string' && isCcbotHookCommand(hook.command);
const hasOurs = (group: unknown) => isObject(group) && Array.isArray(group.hooks) && group.hooks.some(isOurs);

/** `groups` without our hooks. A group that held only ours gives its place to `replacement` (the first such group;
 * later ones are duplicates and go); a group shared with other hooks keeps them. Without a place, it goes last. */
function replaceOurs(groups: readonly unknown[], replacement?: unknown): unknown[] {
  let placed = replacement === undefined;
  const out = groups.flatMap((group) => {
    if (!hasOurs(group)) return [group];
    const rest = ((group as JsonObject).hooks as unknown[]).filter((hook) => !isOurs(hook));
    if (rest.length > 0) return [{ ...(group as JsonObject), hooks: rest }];
    if (placed) return [];
    placed = true;
    return [replacement];
  });
  return placed ? out : [...out, replacement];
}

/** A missing file is an empty object; one that is not a JSON object with a sane `hooks` is an error to fix by hand. */
function readSettings(path: string, flag: string) {
  const fix = `fix or move it, then run ccbot hook ${flag} again`;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { ok: true as const, settings: {}, hooks: {} };
    const why = (err as Error).message;
    return fail('unreadable', `cannot read ${path}: ${why}: check its permissions, then run ccbot hook ${flag} again`);
  }
  let settings: unknown;
  try {
    settings = JSON.parse(text);
  } catch (err) {
    return fail('invalid', `${path} is not valid JSON (${(err as Error).message}): ${fix}`);
  }
  if (!isObject(settings)) {
    const what = Array.isArray(settings) ? 'an array' : settings === null ? 'null' : `a ${typeof settings}`;
    const error = `${path} is not valid JSON for Claude Code settings (it holds ${what}, not an object): ${fix}`;
    return fail('invalid', error);
  }
  const hooks = settings.hooks ?? {};
  if (!isObject(hooks)) return fail('invalid', `${path}: "hooks" is not an object: ${fix}`);
  const bad = HOOK_EVENTS.find((event) => hooks[event] !== undefined && !Array.isArray(hooks[event]));
  if (bad) return fail('invalid', `${path}: "hooks.${bad}" is not a list: ${fix}`);
  return { ok: true as const, settings, hooks };
}
