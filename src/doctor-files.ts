/** `ccbot doctor`'s view of what ccbot reads from disk: the configuration it would run with (never a thrown
 * ConfigError), where the token is set, CCBOT_DIR, the .env files' modes, the lock, the state files. Reads only. */
import { accessSync, constants, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ConfigError, loadConfig, SYSTEM_ENV_FILE, type Config } from './config.cjs';
import { fail, ok, warn, type Check } from './doctor-checks.js';
import { parseDotEnv } from './dotenv.cjs';
import { settingOf } from './hook.cjs';
import { isProcessAlive, LOCK_FILE, processStartTime } from './lock.cjs';
import { MONITOR_STATE_FILE } from './monitor.js';
import { SESSION_MAP_FILE } from './session-map.cjs';
import { STATE_FILE } from './state.js';
import { readIfExists } from './store.cjs';

/** Shaped like a token, so loadConfig gets past it and reads the settings the other checks need. Never sent. */
const PLACEHOLDER_TOKEN = '1:placeholder-so-the-other-settings-load';

/** What the checks run with: the whole Config when it loads, else the settings that can be read, and every reason it
 * does not load. loadConfig stops at the first problem; loading again with a placeholder token, then also placeholder
 * users, finds the next one and, once the rest loads, the real CCBOT_DIR, CLAUDE_COMMAND… from the .env files, so a
 * first run without a token still checks everything else. The environment wins over the files: the placeholders too. */
export function resolveSetup(env: NodeJS.ProcessEnv, load: (env: NodeJS.ProcessEnv) => Config = loadConfig) {
  const errors: string[] = [];
  const token = { TELEGRAM_BOT_TOKEN: PLACEHOLDER_TOKEN };
  for (const [i, override] of [{}, token, { ...token, ALLOWED_USERS: '1' }].entries()) {
    try {
      const c = load({ ...env, ...override });
      const { ccbotDir, claudeCommand, claudeConfigDir, tmuxSession } = c;
      return { config: i === 0 ? c : undefined, errors, ccbotDir, claudeCommand, claudeConfigDir, tmuxSession };
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      if (!errors.includes(err.message)) errors.push(err.message);
    }
  }
  return { config: undefined, errors, ccbotDir: settingOf(env, 'CCBOT_DIR'),
    claudeCommand: settingOf(env, 'CLAUDE_COMMAND'), claudeConfigDir: settingOf(env, 'CLAUDE_CONFIG_DIR'),
    tmuxSession: settingOf(env, 'TMUX_SESSION_NAME') };
}

/** Where a setting in use is set, in the order loadConfig gives them precedence, so a fix names the right place. */
export function settingSource(env: NodeJS.ProcessEnv, ccbotDir: string, name: string,
  systemFile: string = SYSTEM_ENV_FILE): string {
  if (env[name]?.trim()) return `${name} in the environment`;
  const own = join(ccbotDir, '.env');
  // Absent or unreadable: loadConfig has reported what matters.
  const sets = (file: string) =>
    tryOr(() => Boolean(parseDotEnv(readFileSync(file, 'utf8'))[name]?.trim()), () => false);
  return [systemFile, own].find(sets) ?? own;
}

/** Claude runs as the user ccbot runs as: when that user may change the file that sets ALLOWED_USERS (or replace it
 * in its directory), any session can let someone else in. README: the trust model. */
export function checkAllowlistFile(env: NodeJS.ProcessEnv, ccbotDir: string, systemFile: string = SYSTEM_ENV_FILE,
  writable = isWritable): Check {
  const where = settingSource(env, ccbotDir, 'ALLOWED_USERS', systemFile);
  if (where.endsWith(' in the environment')) {
    return ok('allowlist', 'ALLOWED_USERS comes from the environment (keep a systemd EnvironmentFile root-owned)');
  }
  const open = [where, dirname(where)].find(writable);
  if (open === undefined) return ok('allowlist', `ALLOWED_USERS is set in ${where}, which this user cannot change`);
  return warn('allowlist', `${open} can be changed by this user, and Claude runs as this user: a session could `
    + 'edit ALLOWED_USERS', `put ALLOWED_USERS and the token in ${SYSTEM_ENV_FILE}, owned by root, mode 0640, group `
    + 'of the service (README: the trust model)');
}

const isWritable = (path: string): boolean => tryOr(() => {
  accessSync(path, constants.W_OK);
  return true;
}, () => false);

/** f(), or what `onError` makes of what it throws. */
function tryOr<T, U>(f: () => T, onError: (err: unknown) => U): T | U {
  try {
    return f();
  } catch (err) {
    return onError(err);
  }
}

/** What a check needs of stat(2); undefined when the path does not exist. */
type StatFn = (path: string) => { isDirectory: boolean; mode: number; uid: number } | undefined;

const octal = (mode: number): string => (mode & 0o777).toString(8).padStart(4, '0');
const codeOf = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** CCBOT_DIR holds chats' state and usually the token: only its owner may enter it. */
export function checkCcbotDir(dir: string, stat: StatFn = statPath, myUid = process.getuid?.()): Check {
  const name = 'CCBOT_DIR';
  const info = tryOr(() => stat(dir), (err) => ({ code: codeOf(err) }));
  if (info && 'code' in info) {
    return fail(name, `cannot look at ${dir} (${info.code})`, 'check the permissions of the directories above it');
  }
  if (!info) return warn(name, `${dir} does not exist yet`, 'it is created (mode 0700) when the daemon starts');
  if (!info.isDirectory) return fail(name, `${dir} is not a directory`, `move it away, or set ${name} to a directory`);
  if (myUid !== undefined && info.uid !== myUid) {
    return fail(name, `${dir} belongs to uid ${info.uid}, not to this user (uid ${myUid})`,
      'run ccbot doctor as the user ccbot runs as, or chown it');
  }
  const mode = `mode ${octal(info.mode)}`;
  if ((info.mode & 0o077) !== 0) return fail(name, `${dir} has ${mode}: others can look inside`, `chmod 700 ${dir}`);
  return ok(name, `${dir} (${mode})`);
}

/** The token lives in these files. `$CCBOT_DIR/.env` is the person's own: readable by its owner only.
 * SYSTEM_ENV_FILE is meant to be root-owned and group-readable, so only world-readable is a problem there. */
export function checkEnvFiles(ccbotDir: string, systemFile: string = SYSTEM_ENV_FILE, stat: StatFn = statPath): Check {
  const seen: string[] = [];
  const files = [[join(ccbotDir, '.env'), 0o044, 'chmod 600'], [systemFile, 0o004, 'chmod 640']] as const;
  for (const [path, tooOpen, chmod] of files) {
    // Thrown: a directory we may not enter; loadConfig reports what it cannot read.
    const info = tryOr(() => stat(path), () => undefined);
    if (!info) continue;
    const file = `${path} (mode ${octal(info.mode)})`;
    if ((info.mode & tooOpen) !== 0) {
      return warn('.env', `${file} can be read by others, and it holds the bot token`, `${chmod} ${path}`);
    }
    seen.push(file);
  }
  return ok('.env', seen.length > 0 ? seen.join(', ') : 'no .env file: the configuration comes from the environment');
}

/** The singleton lock, judged as lock.cts judges it (dead pid, or a pid reused by another process: stale). */
export function checkLock(ccbotDir: string, deps: {
  read?: (path: string) => string | undefined;
  isAlive?: (pid: number) => boolean;
  startTimeOf?: (pid: number) => string | undefined;
} = {}): Check {
  const { read = readIfExists, isAlive = isProcessAlive, startTimeOf = processStartTime } = deps;
  const path = join(ccbotDir, LOCK_FILE);
  const text = tryOr(() => read(path), (err) => ({ code: codeOf(err) }));
  if (typeof text === 'object') {
    return warn('daemon', `cannot read ${path} (${text.code})`, 'run ccbot doctor as the user ccbot runs as');
  }
  if (text === undefined) return ok('daemon', 'not running');
  // Unparsable: lock.cts treats it the same way (maybe a daemon between creating the file and writing its pid).
  const holder = tryOr(() => JSON.parse(text) as { pid?: unknown; startTime?: unknown } | undefined, () => undefined);
  const pid = holder?.pid;
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) {
    return warn('daemon', `${path} holds no pid`,
      'a daemon may be starting; if none is, the lock is taken over at the next start');
  }
  const started = startTimeOf(pid);
  const reused = typeof holder?.startTime === 'string' && started !== undefined && started !== holder.startTime;
  if (isAlive(pid) && !reused) return ok('daemon', `running (pid ${pid})`);
  return warn('daemon', `stale lock ${path} (pid ${pid} is not running)`, 'it is taken over at the next start');
}

/** The daemon moves a corrupt file aside at start and starts empty: the person should know before that happens. */
export function checkStateFiles(ccbotDir: string, read: (path: string) => string | undefined = readIfExists): Check {
  const present: string[] = [];
  const bad: string[] = [];
  for (const file of [STATE_FILE, SESSION_MAP_FILE, MONITOR_STATE_FILE]) {
    const path = join(ccbotDir, file);
    try {
      const text = read(path);
      if (text === undefined) continue;
      present.push(file);
      JSON.parse(text);
    } catch (err) {
      if (err instanceof SyntaxError) bad.push(path);
      else return fail('state', `cannot read ${path} (${codeOf(err)})`, 'check its owner and permissions');
    }
  }
  if (bad.length > 0) {
    return fail('state', `${bad.join(' and ')} ${bad.length > 1 ? 'are' : 'is'} not valid JSON`,
      'the daemon moves such a file aside at start and starts empty: look at it, or remove it');
  }
  return ok('state', present.length > 0 ? `${present.join(', ')} parse` : 'no state files yet');
}

function statPath(path: string): ReturnType<StatFn> {
  const s = statSync(path, { throwIfNoEntry: false });
  return s && { isDirectory: s.isDirectory(), mode: s.mode, uid: s.uid };
}
