/**
 * `ccbot doctor`'s checks of ccbot's own files: CCBOT_DIR and its mode, the .env files' modes, the singleton lock,
 * the state files. Reads only; never creates, repairs or removes anything.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { SYSTEM_ENV_FILE } from './config.js';
import { LOCK_FILE } from './daemon.js';
import { fail, ok, warn, type Check } from './doctor-checks.js';
import { isProcessAlive, processStartTime } from './lock.js';
import { MONITOR_STATE_FILE } from './monitor.js';
import { SESSION_MAP_FILE } from './session-map.js';
import { STATE_FILE } from './state.js';
import { readIfExists } from './store.js';

/** What a check needs of stat(2); undefined when the path does not exist. */
interface FileInfo { isDirectory: boolean; mode: number; uid: number }
type StatFn = (path: string) => FileInfo | undefined;

const octal = (mode: number): string => (mode & 0o777).toString(8).padStart(4, '0');

/** CCBOT_DIR holds chats' state and usually the token: only its owner may enter it. */
export function checkCcbotDir(dir: string, stat: StatFn = statPath, myUid: number | undefined = process.getuid?.()): Check {
  const name = 'CCBOT_DIR';
  let info: FileInfo | undefined;
  try {
    info = stat(dir);
  } catch (err) {
    return fail(name, `cannot look at ${dir} (${(err as NodeJS.ErrnoException).code})`, `check the permissions of the directories above it`);
  }
  if (!info) return warn(name, `${dir} does not exist yet`, 'it is created (mode 0700) when the daemon starts');
  if (!info.isDirectory) return fail(name, `${dir} is not a directory`, `move it away, or set CCBOT_DIR to a directory`);
  if (myUid !== undefined && info.uid !== myUid) {
    return fail(name, `${dir} belongs to uid ${info.uid}, not to this user (uid ${myUid})`, `run ccbot doctor as the user ccbot runs as, or chown it`);
  }
  if ((info.mode & 0o077) !== 0) return fail(name, `${dir} has mode ${octal(info.mode)}: others can look inside`, `chmod 700 ${dir}`);
  return ok(name, `${dir} (mode ${octal(info.mode)})`);
}

/**
 * The token lives in these files. `$CCBOT_DIR/.env` is the person's own: readable by its owner only.
 * SYSTEM_ENV_FILE is meant to be root-owned and group-readable, so only world-readable is a problem there.
 */
export function checkEnvFiles(ccbotDir: string, systemFile: string = SYSTEM_ENV_FILE, stat: StatFn = statPath): Check {
  const files = [
    { path: join(ccbotDir, '.env'), tooOpen: 0o044, fix: 'chmod 600' },
    { path: systemFile, tooOpen: 0o004, fix: 'chmod 640' },
  ];
  const seen: string[] = [];
  for (const file of files) {
    let info: FileInfo | undefined;
    try {
      info = stat(file.path);
    } catch {
      continue; // a directory we may not enter: loadConfig reports what it cannot read
    }
    if (!info) continue;
    if ((info.mode & file.tooOpen) !== 0) {
      return warn('.env', `${file.path} (mode ${octal(info.mode)}) can be read by others, and it holds the bot token`, `${file.fix} ${file.path}`);
    }
    seen.push(`${file.path} (mode ${octal(info.mode)})`);
  }
  return ok('.env', seen.length > 0 ? seen.join(', ') : 'no .env file: the configuration comes from the environment');
}

interface LockCheckDeps {
  read?: (path: string) => string | undefined;
  isAlive?: (pid: number) => boolean;
  startTimeOf?: (pid: number) => string | undefined;
}

/** The singleton lock, judged as lock.ts judges it (dead pid, or a pid reused by another process: stale). */
export function checkLock(ccbotDir: string, deps: LockCheckDeps = {}): Check {
  const { read = readIfExists, isAlive = isProcessAlive, startTimeOf = processStartTime } = deps;
  const path = join(ccbotDir, LOCK_FILE);
  let text: string | undefined;
  try {
    text = read(path);
  } catch (err) {
    return warn('daemon', `cannot read ${path} (${(err as NodeJS.ErrnoException).code})`, 'run ccbot doctor as the user ccbot runs as');
  }
  if (text === undefined) return ok('daemon', 'not running');
  let holder: { pid?: unknown; startTime?: unknown } | undefined;
  try {
    holder = JSON.parse(text) as typeof holder;
  } catch {
    // lock.ts treats it the same way: maybe a daemon between creating the file and writing its pid
  }
  const pid = holder?.pid;
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) {
    return warn('daemon', `${path} holds no pid`, 'a daemon may be starting; if none is, the lock is taken over at the next start');
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
    let text: string | undefined;
    try {
      text = read(join(ccbotDir, file));
    } catch (err) {
      return fail('state', `cannot read ${join(ccbotDir, file)} (${(err as NodeJS.ErrnoException).code})`, 'check its owner and permissions');
    }
    if (text === undefined) continue;
    present.push(file);
    try {
      JSON.parse(text);
    } catch {
      bad.push(join(ccbotDir, file));
    }
  }
  if (bad.length > 0) {
    return fail('state', `${bad.join(' and ')} ${bad.length > 1 ? 'are' : 'is'} not valid JSON`, 'the daemon moves such a file aside at start and starts empty: look at it, or remove it');
  }
  return ok('state', present.length > 0 ? `${present.join(', ')} parse` : 'no state files yet');
}

function statPath(path: string): FileInfo | undefined {
  try {
    const s = statSync(path);
    return { isDirectory: s.isDirectory(), mode: s.mode, uid: s.uid };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
