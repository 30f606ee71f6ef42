/** pgrep / kill: ends orphan `claude --resume <id>` processes left behind by a window that went away.
 * It kills only what it has confirmed is Claude resuming that exact session; it never decides *when* to clean up. */
import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { execRun, type Run } from './exec.js';
import { isProcessAlive } from './lock.cjs';
import { logger } from './log.cjs';
import { isClaudeSessionId } from './session-map.cjs';

const log = logger('procs');

interface ProcsDeps {
  run?: Run;
  kill?: (pid: number, signal: NodeJS.Signals) => void;
  isAlive?: (pid: number) => boolean;
  /** argv from /proc/<pid>/cmdline; `null` = cannot tell (no /proc), and then the pgrep match is trusted. */
  readCmdline?: (pid: number) => string[] | null;
  graceMs?: number;
  sleep?: (ms: number) => Promise<unknown>;
}

const PGREP_TIMEOUT_MS = 5_000;
/** Claude may trap SIGTERM (or take a while to flush); after this it gets SIGKILL. */
const TERM_GRACE_MS = 1_500;
const POLL_MS = 50;

/** True when `pid` runs Claude Code resuming `id` (or readCmdline cannot tell): `--resume <id>`,
 * `--resume=<id>` or `-r <id>`, and a program part (the arguments before that flag) that is Claude — argv[0] named
 * `claude` (native binary, or process.title), a path to `claude` (`node /usr/local/bin/claude`), or a file of the npm
 * package (`node …/@anthropic-ai/claude-code/cli.js`). pgrep -f matches text anywhere, so `vim notes-claude --resume
 * <id>` or a grep for the id would match it too; this is what keeps them alive. */
function isClaudeResuming(
  pid: number, id: string, readCmdline: (pid: number) => string[] | null, flags = ['--resume', '-r'],
): boolean {
  const argv = readCmdline(pid);
  if (argv === null) return true;
  const flagAt = argv.findIndex((arg, i) =>
    flags.some((flag) => arg === `${flag}=${id}` || (arg === flag && argv[i + 1] === id)));
  if (flagAt < 0) return false;
  return argv.slice(0, flagAt).some((arg, i) => {
    const name = basename(arg);
    const namedClaude = name === 'claude' || name === 'claude.exe';
    // Past argv[0] a bare word is data (`grep claude`), so only a path counts.
    return (namedClaude && (i === 0 || arg.includes('/'))) || arg.includes('/@anthropic-ai/claude-code/');
  });
}

/** The pids of every process confirmed to be `claude … --resume <claudeSessionId>` (pgrep, then /proc). Never
 * throws: an id that is not a Claude UUID gives [], and a missing or failing pgrep is a warning and [] — so a
 * caller deciding "nothing runs, go ahead" must accept that pgrep may be unable to tell. */
export async function findClaudeProcesses(claudeSessionId: string, deps: ProcsDeps = {}): Promise<number[]> {
  // The id goes into a regular expression and onto a kill decision: only Claude's own format gets that far.
  if (!isClaudeSessionId(claudeSessionId)) return [];
  const { run = execRun, readCmdline = readProcCmdline } = deps;
  // pgrep -f matches the arguments joined by spaces (and never lists itself); the /proc check is the real filter.
  const pattern = `claude.*(--resume[= ]|-r )${claudeSessionId}`;
  const result = await run('pgrep', ['-f', pattern], { timeoutMs: PGREP_TIMEOUT_MS });
  if (!result.ok) {
    if (result.kind === 'exit' && result.code === 1) return []; // 1 = nothing matched: an answer, not a failure
    const message = 'could not look for orphan claude processes; any left running must be ended by hand';
    log.warn(message, { session_id: claudeSessionId, error: result.error });
    return [];
  }
  return pidsOf(result.stdout).filter((pid) => isClaudeResuming(pid, claudeSessionId, readCmdline));
}

const pidsOf = (stdout: string): number[] => stdout.split('\n').filter((line) => /^\s*\d+\s*$/.test(line)).map(Number)
  .filter((pid) => pid > 0 && pid !== process.pid && pid !== process.ppid);

/** The Claude session ids live Claude processes run (`--resume <id>`, `--session-id <id>`): each is a writer to that
 * conversation, so /resume must not open a second. Never throws; pgrep trouble or no /proc gives an empty set. */
export async function runningClaudeIds(deps: ProcsDeps = {}): Promise<Set<string>> {
  const { run = execRun, readCmdline = readProcCmdline } = deps;
  const flags = ['--resume', '-r', '--session-id'];
  const result = await run('pgrep', ['-f', 'claude.*(--resume|-r |--session-id)'], { timeoutMs: PGREP_TIMEOUT_MS });
  const ids = new Set<string>();
  for (const pid of result.ok ? pidsOf(result.stdout) : []) {
    const argv = readCmdline(pid) ?? [];
    const named = argv.map((arg, i) => (flags.includes(arg) ? argv[i + 1] : /^--[a-z-]+=(.*)$/.exec(arg)?.[1]));
    for (const id of named.filter(isClaudeSessionId)) if (isClaudeResuming(pid, id, () => argv, flags)) ids.add(id);
  }
  return ids;
}

/** Signals every process running `claude … --resume <claudeSessionId>` (SIGTERM, then SIGKILL after the grace
 * period) and resolves with how many it signalled. Never throws: a missing or failing pgrep is a warning and 0. */
export async function killOrphanClaudeProcesses(claudeSessionId: string, deps: ProcsDeps = {}): Promise<number> {
  const { kill = (pid, sig) => void process.kill(pid, sig), isAlive = isProcessAlive, sleep = delay } = deps;
  const { readCmdline = readProcCmdline, graceMs = TERM_GRACE_MS } = deps;
  const found = await findClaudeProcesses(claudeSessionId, deps);
  const signalled = found.filter((pid) => signal(kill, pid, 'SIGTERM', claudeSessionId));
  if (signalled.length === 0) return 0;
  // Poll rather than wait out the whole grace: a Claude that exits at once should not cost 1.5 s.
  let alive = signalled;
  for (let waited = 0; waited < graceMs; waited += POLL_MS) {
    alive = alive.filter((pid) => isAlive(pid));
    if (alive.length === 0) break;
    await sleep(Math.min(POLL_MS, graceMs - waited));
  }
  for (const pid of alive.filter((p) => isAlive(p))) {
    // The pid may have been reused during the grace period: SIGKILL only what still is that Claude, read now.
    if (!isClaudeResuming(pid, claudeSessionId, readCmdline)) continue;
    log.info('orphan claude outlived SIGTERM; sending SIGKILL', { pid, session_id: claudeSessionId });
    signal(kill, pid, 'SIGKILL', claudeSessionId);
  }
  log.info('ended orphan claude processes', { count: signalled.length, session_id: claudeSessionId });
  return signalled.length;
}

/** Sends one signal; true when it was delivered. A process that is already gone (ESRCH) is no error. */
function signal(kill: NonNullable<ProcsDeps['kill']>, pid: number, sig: NodeJS.Signals, sessionId: string): boolean {
  try {
    kill(pid, sig);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return false;
    const hint = code === 'EPERM' ? 'it belongs to another user; end it as that user' : 'end it by hand';
    const fields = { pid, session_id: sessionId, error: code ?? String(err) };
    log.warn(`could not send ${sig} to orphan claude: ${hint}`, fields);
    return false;
  }
}

function readProcCmdline(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, '').split('\0');
  } catch {
    // With /proc mounted, an unreadable entry means the process is gone: nothing to confirm, nothing to kill.
    return existsSync('/proc/self/cmdline') ? [] : null;
  }
}
