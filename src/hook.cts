/** `ccbot hook` past hook-entry.cts: on SessionStart and UserPromptSubmit, records which Claude session runs
 * in which tmux window of ours in session_map.json; on PreToolUse (Bash), holds a command on the tripwire until the
 * person allows or denies it. It runs on every prompt and command, so: lean imports (no Telegram, no daemon), nothing
 * on stdout but a PreToolUse decision, and exit 0 whatever happens (a broken ccbot must never get in Claude's way).
 * `--install` / `--uninstall`: hook-install.ts. */
import { appendFileSync, existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, resolve, sep } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { absolutePath, DEFAULTS } from './config.cjs';
import { parseDotEnv } from './dotenv.cjs';
import { logger, setSink } from './log.cjs';
import { readIfExists, writeJson } from './store.cjs';
import type { PaneInfo, TmuxOptions } from './tmux.js';
import type { ApprovalRequest, Outcome } from './tripwire.cjs';
import { isObject } from './values.cjs';

const log = logger('hook');

/** The installed hook has `timeout: 5` (seconds): leave before Claude Code kills us and reports a failed hook. */
const HOOK_DEADLINE_MS = 4_000;
const HOOK_LOG_MAX_BYTES = 256 * 1024;
/** How often the hook looks for the person's answer. */
const POLL_MS = 100;

export interface HookDeps {
  env?: NodeJS.ProcessEnv; stdin?: number; /* the event's file descriptor, 0 */ now?: () => number;
  paneInfo?: (paneId: string, opts: TmuxOptions) => Promise<PaneInfo | null>;
}

/** `ccbot hook --install` / `--uninstall`, run by a person: one line on stdout, or one on stderr and exit 1. */
export async function hookFlags(args: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [flag, ...extra] = args;
  if ((flag === '--install' || flag === '--uninstall') && extra.length === 0) {
    const { ccbotHookCommand, installHooks, uninstallHooks } = await import('./hook-install.js');
    const settings = join(settingOf(env, 'CLAUDE_CONFIG_DIR'), 'settings.json');
    const result = flag === '--install' ? installHooks(settings, ccbotHookCommand()) : uninstallHooks(settings);
    if (!result.ok) process.stderr.write(`ccbot: ${result.error}\n`);
    else process.stdout.write(result.message + '\n');
    return result.ok ? 0 : 1;
  }
  const use = 'use ccbot hook, ccbot hook --install or ccbot hook --uninstall';
  process.stderr.write(`ccbot: unknown arguments "hook ${args.join(' ')}": ${use}\n`);
  return 2;
}

/** One event read by hook-entry.cts since `startedAt` (Date.now()); undefined: no complete input. Always 0,
 * nothing on stdout but a PreToolUse decision (Claude Code adds a UserPromptSubmit hook's stdout to the prompt). */
export async function handleEvent(
  event: Record<string, unknown> | undefined, env: NodeJS.ProcessEnv, deps: HookDeps, startedAt: number,
): Promise<number> {
  setSink(hookLogSink(settingOf(env, 'CCBOT_DIR')));
  // The handlers stay for the life of this process, which ends right after: a late error must not turn into exit 1.
  const onFatal = (err: unknown) => log.error('unexpected failure', { error: err instanceof Error ? err : `${err}` });
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
  const watchdog = setTimeout(() => {
    log.warn(`gave up after ${HOOK_DEADLINE_MS} ms (tmux or the map lock too slow)`);
    process.exit(0);
  }, HOOK_DEADLINE_MS - (Date.now() - startedAt)).unref();
  try {
    if (event === undefined) log.debug('ignored: no complete input within the size and time limits');
    else if (event.hook_event_name === 'PreToolUse') {
      clearTimeout(watchdog); // it waits for the person, up to its own deadline below the hook's timeout
      await checkTripwire(event, env);
    } else await recordEvent(event, env, deps);
  } catch (err) {
    onFatal(err);
  } finally {
    clearTimeout(watchdog);
  }
  return 0;
}

/** A setting by config.cts's rules (trimmed, empty means the default, `~` expanded in a directory), without loading
 * the rest of the configuration: the hook must not need the token, and doctor reads these when the rest fails. */
export function settingOf(env: NodeJS.ProcessEnv, name: keyof typeof DEFAULTS): string {
  const value = env[name]?.trim() || DEFAULTS[name];
  return name.endsWith('_DIR') ? absolutePath(value, env.HOME || homedir()) : value;
}

/** Records the pane's window in the session map for one hook event. Anything that is not a well-formed SessionStart
 * / UserPromptSubmit event from a pane of our tmux session is ignored; trouble is logged, never thrown on purpose. */
async function recordEvent(event: Record<string, unknown>, env: NodeJS.ProcessEnv, deps: HookDeps): Promise<void> {
  const pane = env.TMUX_PANE;
  if (!pane) return; // Claude Code outside tmux: not one of ours
  const at = (deps.now ?? Date.now)();
  // Loaded only now: the tripwire's runs, on every Bash command, do not need them.
  const { indexedWindow, isClaudeSessionId, mapKey, promptHash, updateSessionMap } =
    require('./session-map.cjs') as typeof import('./session-map.cjs');
  const { hook_event_name: name, session_id: sessionId, cwd, prompt } = event;
  if ((name !== 'SessionStart' && name !== 'UserPromptSubmit') || !isClaudeSessionId(sessionId)
    || typeof cwd !== 'string' || !isAbsolute(cwd)) {
    return log.debug('ignored: not a SessionStart or UserPromptSubmit event with a session id and an absolute cwd');
  }
  const dir = settingOf(env, 'CCBOT_DIR');
  // A window ccbot opened is in its index (no tmux round trip); any other is asked about.
  let where: PaneInfo | null | undefined = indexedWindow(dir, env.CCBOT_SESSION_ID);
  if (!where) {
    const { paneInfo } = await import('./tmux.js');
    where = await (deps.paneInfo ?? paneInfo)(pane, { env });
  }
  if (!where) return log.warn('tmux could not say where this pane is; session not recorded', { pane });
  if (where.sessionName !== tmuxSessionOf(env, dir)) {
    return log.debug('ignored: pane of another tmux session', { session: where.sessionName });
  }
  const { windowName: window_name } = where;
  const key = mapKey(where.sessionName, where.windowId);
  const prompted = name === 'UserPromptSubmit' && typeof prompt === 'string';
  const transcript_path = checkedTranscript(event.transcript_path, sessionId, env);
  const result = await updateSessionMap(dir, (map) => {
    const prev = map[key];
    // A new session id (after /clear) replaces the entry; the same one keeps its last prompt until the next prompt.
    const last = prompted ? { prompt_at: at, prompt_hash: promptHash(prompt) }
      : prev?.session_id === sessionId ? { prompt_at: prev.prompt_at, prompt_hash: prev.prompt_hash } : {};
    // In toEntry's field order (JSON.stringify drops an undefined prompt), so that the comparison holds.
    const next = { session_id: sessionId, cwd, window_name, transcript_path, ...last };
    if (JSON.stringify(next) === JSON.stringify(prev)) return false;
    map[key] = next;
    return true;
  });
  if (!result.ok) log.warn('session not recorded', { key, error: result.error });
}

/** PreToolUse, matcher Bash (claude-settings.ts): a command on the tripwire waits for the person's Allow once / Deny,
 * asked by the daemon (the window has no token), and the decision is printed. Any other command prints nothing, which
 * leaves it to Claude Code's own rules: it costs one small file read and a few regexes. */
async function checkTripwire(event: Record<string, unknown>, env: NodeJS.ProcessEnv): Promise<void> {
  const command = isObject(event.tool_input) ? event.tool_input.command : undefined;
  if (event.tool_name !== 'Bash' || typeof command !== 'string') return;
  const dir = settingOf(env, 'CCBOT_DIR');
  const { decisionJson, isTripped, parseTripwireFile, TRIPWIRE_FILE } =
    require('./tripwire.cjs') as typeof import('./tripwire.cjs');
  const { isDaemonRunning } = require('./lock.cjs') as typeof import('./lock.cjs');
  const { tripwire, timeoutMs } = parseTripwireFile(readIfExists(join(dir, TRIPWIRE_FILE)));
  if (tripwire === 'off' || !isTripped(command, tripwire.pattern)) return;
  const { CCBOT_CHAT_ID: chat, CCBOT_SESSION_ID: sessionId } = env;
  // Careful defaults: no one to ask, or no daemon to ask them, is a "no".
  const outcome = !sessionId || !/^\d+$/.test(chat ?? '') ? 'unasked'
    : !isDaemonRunning(dir) ? 'noDaemon'
    : await askDaemon(dir, { chatId: Number(chat), sessionId, command, at: Date.now() }, timeoutMs);
  log.info('tripwire', { outcome, session: sessionId });
  process.stdout.write(decisionJson(outcome, command, timeoutMs) + '\n');
}

/** Writes the request (whole, by rename) and polls for its outcome; the daemon decides by renaming the request.
 * Past the daemon's deadline and GRACE_MS (a daemon gone meanwhile) it is withdrawn, and then it is "expired" unless
 * the daemon has just decided it: a rename and an unlink of one file cannot both succeed. */
async function askDaemon(dir: string, request: ApprovalRequest, timeoutMs: number): Promise<Outcome> {
  const { APPROVALS_DIR, ASKED, GRACE_MS, OUTCOMES } = require('./tripwire.cjs') as typeof import('./tripwire.cjs');
  // A keyboards.ts word, 16 characters; not node:crypto, whose loading costs every Bash command ~5 ms.
  const id = `${Date.now().toString(36)}${Math.floor(Math.random() * 2 ** 32).toString(16).padStart(8, '0')}`;
  const at = (suffix: string) => join(dir, APPROVALS_DIR, id + suffix);
  const decided = () => OUTCOMES.find((outcome) => existsSync(at(`.${outcome}`)));
  writeJson(at(ASKED.request), request);
  const deadline = Date.now() + timeoutMs + GRACE_MS;
  let outcome = decided();
  for (; !outcome && Date.now() < deadline; outcome = decided()) await sleep(POLL_MS);
  if (!outcome) for (const suffix of [ASKED.request, ASKED.asking]) rmSync(at(suffix), { force: true });
  outcome ??= decided() ?? 'expired';
  rmSync(at(`.${outcome}`), { force: true });
  return outcome;
}

/** Claude's environment often lacks TMUX_SESSION_NAME when the person set it in $CCBOT_DIR/.env, where config.cts
 * reads it too: without this the hook would silently ignore every window of a renamed session. */
function tmuxSessionOf(env: NodeJS.ProcessEnv, dir: string): string {
  if (env.TMUX_SESSION_NAME !== undefined) return settingOf(env, 'TMUX_SESSION_NAME');
  try {
    return settingOf(parseDotEnv(readFileSync(join(dir, '.env'), 'utf8')), 'TMUX_SESSION_NAME');
  } catch {
    return DEFAULTS.TMUX_SESSION_NAME;
  }
}

/** The transcript path as given, only when it is where Claude Code keeps this session's transcript:
 * `<projects>/<folder>/<session id>.jsonl`. Anything else (another file, `..`) is '' and never followed or sent. */
function checkedTranscript(path: unknown, sessionId: string, env: NodeJS.ProcessEnv): string {
  if (typeof path !== 'string' || !isAbsolute(path)) return '';
  const normal = resolve(path);
  const projects = join(settingOf(env, 'CLAUDE_CONFIG_DIR'), 'projects');
  const inside = normal.startsWith(projects + sep) && normal.slice(projects.length + 1).split(sep).length === 2;
  return inside && basename(normal) === `${sessionId}.jsonl` ? normal : '';
}

/** Diagnostics go to `$CCBOT_DIR/hook.log` (Claude Code shows a successful hook's stderr to nobody), bounded by one
 * rotation; to stderr when that file cannot be written. Unlike journald, nothing adds the time for us here. */
function hookLogSink(dir: string): (line: string) => void {
  const path = join(dir, 'hook.log');
  return (line) => {
    try {
      if ((statSync(path, { throwIfNoEntry: false })?.size ?? 0) >= HOOK_LOG_MAX_BYTES) renameSync(path, `${path}.1`);
      appendFileSync(path, `${new Date().toISOString()} pid=${process.pid} ${line}\n`, { mode: 0o600 });
    } catch {
      // Touched only now: process.stderr's stream costs ~2.5 ms to create. It may be a pipe Claude Code has closed.
      if (process.stderr.listenerCount('error') === 0) process.stderr.on('error', () => {});
      process.stderr.write(line + '\n');
    }
  };
}
