/**
 * `ccbot hook`: run by Claude Code on SessionStart and UserPromptSubmit, records which Claude session runs in which
 * tmux window of ours in session_map.json. It runs on every prompt the person types, so: lean imports (no Telegram,
 * no daemon), nothing ever on stdout (Claude Code adds a UserPromptSubmit hook's stdout to the prompt), and exit 0
 * whatever happens (a broken ccbot must never get in Claude's way). `--install` / `--uninstall` live in hook-install.ts.
 */
import { appendFileSync, readFileSync, renameSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, isAbsolute, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { absolutePath, DEFAULTS } from './config.js';
import { parseDotEnv } from './dotenv.js';
import { logger, setSink } from './log.js';
import type { SessionMapEntry } from './session-map.js';
import type { PaneInfo, TmuxOptions } from './tmux.js';

const log = logger('hook');

/** A 1 MB prompt plus its JSON envelope still fits; anything larger is read to the end and ignored. */
const MAX_INPUT_BYTES = 1024 * 1024 + 64 * 1024;
/** Claude Code writes the event and closes our stdin at once; a stdin that stays open is not Claude's. */
const INPUT_WAIT_MS = 2_000;
/** The installed hook has `timeout: 5` (seconds): leave before Claude Code kills us and reports a failed hook. */
const HOOK_DEADLINE_MS = 4_000;
const HOOK_LOG_MAX_BYTES = 256 * 1024;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface HookDeps {
  now?: () => number;
  paneInfo?: (paneId: string, opts: TmuxOptions) => Promise<PaneInfo | null>;
}

export interface HookCommandDeps extends HookDeps {
  env?: NodeJS.ProcessEnv;
  stdin?: Readable & { isTTY?: boolean };
}

interface HookEvent {
  sessionId: string;
  cwd: string;
  transcriptPath: string;
  /** UserPromptSubmit only. */
  prompt?: string;
}

/**
 * Records the pane's window in the session map for one hook event (`stdin`: its JSON). Anything that is not a
 * well-formed SessionStart / UserPromptSubmit event from a pane of our tmux session is ignored; trouble is logged,
 * never thrown on purpose (hookCommand catches the rest).
 */
export async function runHook(stdin: string | Buffer, env: NodeJS.ProcessEnv, deps: HookDeps = {}): Promise<void> {
  const pane = env.TMUX_PANE;
  if (!pane) return; // Claude Code outside tmux: not one of ours
  const at = (deps.now ?? Date.now)();
  const event = parseEvent(stdin, projectsDirOf(env));
  if (!event) return log.debug('ignored: not a SessionStart or UserPromptSubmit event with a session id and an absolute cwd');
  // Loaded only now: most runs come from Claude sessions outside tmux, which stop above; this saves them ~15 ms.
  const { paneInfo } = await import('./tmux.js');
  const { mapKey, promptHash, updateSessionMap } = await import('./session-map.js');
  const where = await (deps.paneInfo ?? paneInfo)(pane, { env });
  if (!where) return log.warn('tmux could not say where this pane is; session not recorded', { pane });
  const dir = ccbotDirOf(env);
  if (where.sessionName !== tmuxSessionOf(env, dir)) return log.debug('ignored: pane of another tmux session', { session: where.sessionName });

  const key = mapKey(where.sessionName, where.windowId);
  const prompt = event.prompt === undefined ? undefined : { at, hash: promptHash(event.prompt) };
  const result = await updateSessionMap(dir, (map) => {
    const next = nextEntry(map[key], event, where.windowName, prompt);
    if (JSON.stringify(next) === JSON.stringify(map[key])) return false; // both in toEntry's field order
    map[key] = next;
    return true;
  });
  if (!result.ok) log.warn('session not recorded', { key, error: result.error });
}

/**
 * The CLI: `ccbot hook` (run by Claude Code; always 0, never a byte on stdout), `--install`, `--uninstall` (run by a
 * person; one line on stdout, or one on stderr and exit 1).
 */
export async function hookCommand(args: readonly string[], deps: HookCommandDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  const [flag, ...extra] = args;
  if ((flag === '--install' || flag === '--uninstall') && extra.length === 0) {
    const { ccbotHookCommand, installHooks, uninstallHooks } = await import('./hook-install.js');
    const settings = join(dirFromEnv(env.CLAUDE_CONFIG_DIR, DEFAULTS.CLAUDE_CONFIG_DIR, env), 'settings.json');
    const result = flag === '--install' ? installHooks(settings, ccbotHookCommand()) : uninstallHooks(settings);
    if (!result.ok) {
      process.stderr.write(`ccbot: ${result.error}\n`);
      return 1;
    }
    process.stdout.write(result.message + '\n');
    return 0;
  }
  if (flag !== undefined) {
    process.stderr.write(`ccbot: unknown arguments "hook ${args.join(' ')}": use ccbot hook, ccbot hook --install or ccbot hook --uninstall\n`);
    return 2;
  }
  return runAsHook(env, deps);
}

async function runAsHook(env: NodeJS.ProcessEnv, deps: HookCommandDeps): Promise<number> {
  setSink(hookLogSink(ccbotDirOf(env)));
  // The handlers stay for the life of this process, which ends right after: a late stream error must not turn
  // into exit 1 either. stderr may be a pipe Claude Code has already closed.
  const onFatal = (err: unknown) => log.error('unexpected failure', { error: err instanceof Error ? err : String(err) });
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
  process.stderr.on('error', () => {});
  const watchdog = setTimeout(() => {
    log.warn(`gave up after ${HOOK_DEADLINE_MS} ms (tmux or the map lock too slow)`);
    process.exit(0);
  }, HOOK_DEADLINE_MS).unref();
  try {
    const input = await readInput(deps.stdin ?? process.stdin, MAX_INPUT_BYTES, INPUT_WAIT_MS);
    if (input === undefined) log.debug('ignored: no complete input within the size and time limits');
    else await runHook(input, env, deps);
  } catch (err) {
    onFatal(err);
  } finally {
    clearTimeout(watchdog);
  }
  return 0;
}

/** A directory setting (CCBOT_DIR, CLAUDE_CONFIG_DIR) by config.ts's rules, without needing the rest of the configuration. */
function dirFromEnv(value: string | undefined, fallback: string, env: NodeJS.ProcessEnv): string {
  return absolutePath(value?.trim() || fallback, env.HOME || homedir());
}

const ccbotDirOf = (env: NodeJS.ProcessEnv) => dirFromEnv(env.CCBOT_DIR, DEFAULTS.CCBOT_DIR, env);

/**
 * Claude's environment often lacks TMUX_SESSION_NAME when the person set it in $CCBOT_DIR/.env, where config.ts
 * reads it too: without this the hook would silently ignore every window of a renamed session.
 */
function tmuxSessionOf(env: NodeJS.ProcessEnv, dir: string): string {
  if (env.TMUX_SESSION_NAME !== undefined) return env.TMUX_SESSION_NAME.trim() || DEFAULTS.TMUX_SESSION_NAME;
  try {
    return parseDotEnv(readFileSync(join(dir, '.env'), 'utf8')).TMUX_SESSION_NAME?.trim() || DEFAULTS.TMUX_SESSION_NAME;
  } catch {
    return DEFAULTS.TMUX_SESSION_NAME;
  }
}

const projectsDirOf = (env: NodeJS.ProcessEnv) => join(dirFromEnv(env.CLAUDE_CONFIG_DIR, DEFAULTS.CLAUDE_CONFIG_DIR, env), 'projects');

/**
 * The transcript path as given, only when it is where Claude Code keeps this session's transcript:
 * `<projects>/<folder>/<session id>.jsonl`. Anything else (another file, `..`) is '' and never followed or sent.
 */
function checkedTranscript(path: unknown, sessionId: string, projectsDir: string): string {
  if (typeof path !== 'string' || !isAbsolute(path)) return '';
  const normal = resolve(path);
  const inside = normal.startsWith(projectsDir + sep) && normal.slice(projectsDir.length + 1).split(sep).length === 2;
  return inside && basename(normal) === `${sessionId}.jsonl` ? normal : '';
}

function parseEvent(input: string | Buffer, projectsDir: string): HookEvent | undefined {
  if (input.length > MAX_INPUT_BYTES) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(typeof input === 'string' ? input : input.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof data !== 'object' || data === null) return undefined;
  const { hook_event_name: name, session_id: sessionId, cwd, transcript_path: transcriptPath, prompt } = data as Record<string, unknown>;
  if (name !== 'SessionStart' && name !== 'UserPromptSubmit') return undefined;
  if (typeof sessionId !== 'string' || !UUID.test(sessionId) || typeof cwd !== 'string' || !isAbsolute(cwd)) return undefined;
  return {
    sessionId,
    cwd,
    transcriptPath: checkedTranscript(transcriptPath, sessionId, projectsDir),
    prompt: name === 'UserPromptSubmit' && typeof prompt === 'string' ? prompt : undefined,
  };
}

/** A new session id (after /clear) replaces the entry; the same one keeps its last prompt until the next prompt. */
function nextEntry(prev: SessionMapEntry | undefined, event: HookEvent, windowName: string, prompt?: { at: number; hash: string }): SessionMapEntry {
  const entry: SessionMapEntry = { session_id: event.sessionId, cwd: event.cwd, window_name: windowName, transcript_path: event.transcriptPath };
  const last = prompt ?? (prev?.session_id === event.sessionId ? { at: prev.prompt_at, hash: prev.prompt_hash } : {});
  if (last.at !== undefined) entry.prompt_at = last.at;
  if (last.hash !== undefined) entry.prompt_hash = last.hash;
  return entry;
}

/**
 * Reads the whole of stdin, keeping at most `limit` bytes: undefined when there was more, or when it did not end in
 * time. Always drains: a hook that exits before reading gives Claude Code EPIPE on its write. A terminal (a person
 * trying `ccbot hook` by hand) is not read at all.
 */
function readInput(stream: Readable & { isTTY?: boolean }, limit: number, waitMs: number): Promise<Buffer | undefined> {
  if (stream.isTTY) return Promise.resolve(undefined);
  return new Promise((done) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (complete: boolean) => {
      clearTimeout(timer);
      done(complete && size <= limit ? Buffer.concat(chunks) : undefined);
    };
    const timer = setTimeout(() => {
      stream.destroy();
      finish(false);
    }, waitMs);
    stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else chunks.length = 0;
    });
    stream.once('end', () => finish(true));
    stream.once('error', () => finish(false));
  });
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
      process.stderr.write(line + '\n');
    }
  };
}
