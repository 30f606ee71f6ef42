/** Every tmux call: argument arrays and a timeout through exec.ts's execRun. The only file that runs tmux.
 * It knows tmux's traps, not ccbot's policy: which windows are sessions and what to type are decided elsewhere. */
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { execRun, type Run, type RunResult } from './exec.js';
import { logger } from './log.cjs';
import { fail, type Failure } from './values.cjs';

const log = logger('tmux');

/** `env` carries TMUX_TMPDIR in tests and the daemon's child env in production. Trap: a TMUX variable in it
 * makes the tmux client talk to the server named there, whatever TMUX_TMPDIR says. */
export interface TmuxOptions {
  env?: NodeJS.ProcessEnv;
  run?: Run;
  sleep?: (ms: number) => Promise<unknown>;
}
/** invalid: refused before tmux ran (an id, key, name, cwd) or an answer that is no window id; else exec's kinds. */
export type TmuxFailure = Failure<'invalid' | 'missing' | 'timeout' | 'exit'>;
export type TmuxResult<T = {}> = ({ ok: true } & T) | TmuxFailure;
export interface WindowInfo {
  id: string; // '@12': stable while the tmux server lives, unlike names
  name: string;
  tag: string; // the window's `@ccbot` option: newWindow's tag, '' on windows ccbot did not open
}
interface NewWindowSpec {
  name: string;
  cwd: string;
  argv: readonly string[];
  env?: Record<string, string>;
  /** Stored in the window's `@ccbot` option. Window ids restart at @0 with a new tmux server; the tag tells
   * our window from an unrelated one that happens to get the same id. */
  tag?: string;
}
export type PaneInfo = { sessionName: string; windowId: string; windowName: string };

const TMUX_TIMEOUT_MS = 5_000;
/** Claude Code's input box takes an Enter that follows the text too closely as part of the text. */
const ENTER_DELAY_MS = 300;
export const MAIN_WINDOW = '__main__';
const KEYS = ['Escape', 'Enter', 'Up', 'Down', 'Left', 'Right', 'Tab', 'Space', 'C-c', 'BSpace', 'BTab'] as const;
export type Key = (typeof KEYS)[number];

const WINDOW_ID = /^@\d+$/;

function tmux(args: readonly string[], opts: TmuxOptions, input?: string): Promise<RunResult> {
  return (opts.run ?? execRun)('tmux', args, { env: opts.env, timeoutMs: TMUX_TIMEOUT_MS, input });
}

/** tmux says "no such server / session / window" only in words, with exit 1: answers, not failures. */
function isAbsent(result: RunResult): boolean {
  const absent = /can't find (session|window|pane)|no server running|error connecting to .*No such file or directory/;
  return !result.ok && result.kind === 'exit' && result.code === 1 && absent.test(result.stderr);
}

const failure = (what: string, result: RunResult & { ok: false }) => fail(result.kind, `${what}: ${result.error}`);
const notWindow = (id: string) => fail('invalid', `"${id}" is not a tmux window id (@N)`);

/** `-n`, `-c` and `-F` are format-expanded: a literal '#' must be doubled or `#S` turns into the session name
 * (and a cwd containing '#' silently becomes another, missing directory). */
const literal = (text: string) => text.replace(/#/g, '##');
/** tmux reads an argument ending in `;` as the end of a command, even after `--` (`\;` is a literal `;`, tmux 3.3a
 * checked): `--append-system-prompt "be brief;"` would otherwise run "the rest" as a second tmux command. */
const arg = (text: string) => (text.endsWith(';') ? `${text.slice(0, -1)}\\;` : text);

/** Exact session target. Trap: `-t ccbot` also matches a session named `ccbot-old` by prefix; `=` forbids that. */
const sessionTarget = (session: string) => `=${session}`;

/** Fields are joined by a separator made fresh for each call: names, paths and commands may contain tabs,
 * \x1f or newlines (tmux keeps them raw), but not a random token they have never seen. */
function formatOf(fields: readonly string[]) {
  const token = randomBytes(6).toString('hex');
  const sep = `\x1f${token}\x1f`;
  const end = `\x1e${token}\x1e`;
  const format = fields.map((f) => `#{${f}}`).join(sep) + end;
  const parse = (stdout: string) => stdout.split(`${end}\n`).slice(0, -1).map((record) => record.split(sep));
  return { format, parse };
}

/** Creates the detached session (first window `__main__`, which keeps it alive when every Claude window is gone). */
export async function ensureSession(name: string, opts: TmuxOptions = {}): Promise<TmuxResult<{ created: boolean }>> {
  if (!name || /[:.]/.test(name)) {
    return fail('invalid', `tmux session name "${name}" is empty or holds ':' or '.': change TMUX_SESSION_NAME`);
  }
  const has = () => tmux(['has-session', '-t', sessionTarget(name)], opts);
  const before = await has();
  if (before.ok) return { ok: true, created: false };
  if (before.code !== 1) return failure(`cannot check tmux session ${name}`, before);
  const made = await tmux(['new-session', '-d', '-s', name, '-n', MAIN_WINDOW], opts);
  if (made.ok) return { ok: true, created: true };
  if ((await has()).ok) return { ok: true, created: false }; // someone else created it between our two calls
  return failure(`cannot create tmux session ${name}`, made);
}

/** The session's windows; [] when the session or the server is gone, null when tmux could not tell (failed). */
export async function listWindows(session: string, opts: TmuxOptions = {}): Promise<WindowInfo[] | null> {
  const { format, parse } = formatOf(['window_id', 'window_name', '@ccbot']);
  const result = await tmux(['list-windows', '-t', sessionTarget(session), '-F', format], opts);
  if (!result.ok) {
    if (isAbsent(result)) return [];
    log.warn('list-windows failed', { session, error: result.error });
    return null;
  }
  return parse(result.stdout).map(([id = '', name = '', tag = '']) => ({ id, name, tag }));
}

/** Starts `argv` in a new background window and returns its id. Traps handled here:
 * - tmux hands a command of ONE argument to `default-shell -c` (so `$`, `;`, spaces are parsed, by whatever the
 *   user's shell is) and execs two or more arguments directly (tmux 3.3a, checked). A one-element argv is therefore
 *   run as `env -- argv0`: still no shell, and env execs the program in its place.
 * - a missing cwd is not an error for tmux: it silently starts in another directory, so we check it first.
 * - tmux also reports success for a program that cannot be executed; the window just closes at once. */
export async function newWindow(
  session: string,
  spec: NewWindowSpec,
  opts: TmuxOptions = {},
): Promise<TmuxResult<{ windowId: string }>> {
  const { name, cwd, argv, env = {} } = spec;
  if (!name || argv.length === 0) return fail('invalid', 'newWindow needs a window name and a command');
  const bad = Object.keys(env).find((key) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key));
  if (bad !== undefined) return fail('invalid', `invalid environment variable name "${bad}" for window ${name}`);
  const isDir = await stat(cwd).then((s) => s.isDirectory(), () => false);
  if (!isDir) {
    return fail('invalid', `working directory ${cwd} does not exist or is not a directory: create it or pick another`);
  }
  const envArgs = Object.entries(env).flatMap(([key, value]) => ['-e', arg(`${key}=${value}`)]);
  const command = (argv.length === 1 ? ['env', '--', argv[0]!] : argv).map(arg);
  const target = `${sessionTarget(session)}:`; // the session, next free index
  const made = await tmux([
    'new-window', '-d', '-P', '-F', '#{window_id}', '-t', target, '-n', arg(literal(name)), '-c', arg(literal(cwd)),
    ...envArgs, '--', ...command,
  ], opts);
  if (!made.ok) return failure(`cannot open tmux window ${name} in session ${session}`, made);
  const windowId = made.stdout.trim();
  if (!WINDOW_ID.test(windowId)) return fail('invalid', `tmux new-window printed "${windowId}" instead of a window id`);
  // A program that sets its terminal title (Claude Code does) must not rename the window the person knows by name
  // (`-n` already stops automatic-rename; say both). A lone ';' argument separates two tmux commands in one call.
  const set = ['set-option', '-w', '-t', windowId];
  const tag = spec.tag === undefined ? [] : [';', ...set, '@ccbot', spec.tag];
  const locked = await tmux([...set, 'allow-rename', 'off', ';', ...set, 'automatic-rename', 'off', ...tag], opts);
  const closed = `tmux window ${windowId} (${name}) closed right after start? check that ${argv[0]} runs`;
  return locked.ok ? { ok: true, windowId } : failure(closed, locked);
}

// Sends to one window wait for each other: a message is paste + pause + Enter, and two of them must never
// interleave. The map holds only windows with a send in flight.
const chains = new Map<string, Promise<unknown>>();

function serialise<T>(windowId: string, task: () => Promise<T>): Promise<T> {
  const next = (chains.get(windowId) ?? Promise.resolve()).then(task);
  const tail = next.catch(() => undefined); // a send that threw (a bug) must not block the next one
  chains.set(windowId, tail);
  void tail.then(() => chains.get(windowId) === tail && chains.delete(windowId));
  return next;
}

let bufferSeq = 0;

/** Types `text` into the window as ONE prompt, then Enter. Why a paste and not `send-keys -l`: `paste-buffer -p`
 * wraps the text in bracketed-paste markers (ESC[200~ … ESC[201~) when the program asked for them, as Claude Code
 * does, so newlines inside are text, not "submit"; and the text travels on stdin, never as an argument that tmux
 * could read as a key name or an option (`Enter`, `-n`).
 * `-r`: without it tmux turns every LF into CR, and a CR is Enter to a TUI that did not ask for bracketed paste;
 * with it, bytes arrive exactly as given. The only change made to the text: see typable(). */
export async function sendText(windowId: string, text: string, opts: TmuxOptions = {}): Promise<TmuxResult> {
  if (!WINDOW_ID.test(windowId)) return notWindow(windowId);
  const clean = typable(text);
  if (clean === '') return { ok: true };
  return serialise(windowId, async (): Promise<TmuxResult> => {
    const buffer = `ccbot-${process.pid}-${++bufferSeq}`;
    const loaded = await tmux(['load-buffer', '-b', buffer, '-'], opts, clean);
    if (!loaded.ok) return failure(`cannot send to ${windowId}`, loaded);
    const pasted = await tmux(['paste-buffer', '-p', '-r', '-d', '-b', buffer, '-t', windowId], opts);
    if (!pasted.ok) {
      await tmux(['delete-buffer', '-b', buffer], opts); // -d only deletes after a paste
      return failure(`cannot send to ${windowId}`, pasted);
    }
    await (opts.sleep ?? delay)(ENTER_DELAY_MS);
    const entered = await tmux(['send-keys', '-t', windowId, 'Enter'], opts);
    return entered.ok ? { ok: true } : failure(`text reached ${windowId} but Enter did not`, entered);
  });
}

/** Text is only text: every ESC and every other C0/C1 control character (and DEL) goes, keeping only tab and LF.
 * Stripping just the paste markers is not enough: `ESC[20` + `ESC[201~` + `1~` rebuilds the end marker once the
 * inner one is removed, and the rest would arrive as keys (CR = Enter, ETX = Ctrl-C). With no ESC left, no byte
 * of a message can end the paste or act as a key. */
const typable = (text: string): string => text.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, '');

/** Presses keys (menus, Escape to interrupt). Only names from KEYS pass: send-keys reads any other word as text
 * or as a key name, which is exactly what must not reach it from a chat. Waits behind sendText on this window. */
export async function sendKeys(windowId: string, keys: readonly Key[], opts: TmuxOptions = {}): Promise<TmuxResult> {
  if (!WINDOW_ID.test(windowId)) return notWindow(windowId);
  const bad = keys.find((key) => !KEYS.includes(key));
  if (bad !== undefined) return fail('invalid', `unknown key ${JSON.stringify(bad)}: use one of ${KEYS.join(' ')}`);
  if (keys.length === 0) return { ok: true };
  return serialise(windowId, async (): Promise<TmuxResult> => {
    const sent = await tmux(['send-keys', '-t', windowId, ...keys], opts);
    return sent.ok ? { ok: true } : failure(`cannot press ${keys.join(' ')} in ${windowId}`, sent);
  });
}

/** The visible pane text, wrapped lines joined (-J); with `colour`, rows as on screen, padded to the pane's width
 * (-N), with SGR escapes (-e). null: tmux failed. */
export async function capturePane(windowId: string, opts: TmuxOptions = {}, colour = false): Promise<string | null> {
  if (!WINDOW_ID.test(windowId)) return null;
  const result = await tmux(['capture-pane', '-p', ...(colour ? ['-e', '-N'] : ['-J']), '-t', windowId], opts);
  if (!result.ok && !isAbsent(result)) log.warn('capture-pane failed', { window: windowId, error: result.error });
  return result.ok ? result.stdout : null;
}

/** false when the window did not exist (or tmux failed, which is logged). */
export async function killWindow(windowId: string, opts: TmuxOptions = {}): Promise<boolean> {
  if (!WINDOW_ID.test(windowId)) return false;
  const result = await tmux(['kill-window', '-t', windowId], opts);
  if (!result.ok && !isAbsent(result)) log.warn('kill-window failed', { window: windowId, error: result.error });
  return result.ok;
}

/** Where a pane lives, for the Claude Code hook given `$TMUX_PANE` (%N). null: no such pane, or tmux failed. */
export async function paneInfo(paneId: string, opts: TmuxOptions = {}): Promise<PaneInfo | null> {
  if (!/^%\d+$/.test(paneId)) return null;
  const { format, parse } = formatOf(['pane_id', 'session_name', 'window_id', 'window_name']);
  const result = await tmux(['display-message', '-p', '-t', paneId, format], opts);
  const [pane, sessionName = '', windowId = '', windowName = ''] = (result.ok && parse(result.stdout)[0]) || [];
  return pane === paneId ? { sessionName, windowId, windowName } : null;
}
