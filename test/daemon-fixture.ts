/**
 * Runs the real daemon (`node <npm start's flags> dist/main.cjs`, as shipped: V8 interpreting) as a child process
 * against a fake Bot API and an isolated tmux server, with its own CCBOT_DIR and HOME. Integration tests of every issue
 * start ccbot through here.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TmuxFixture } from './tmux-fixture.js';

export const MAIN_JS = join(dirname(fileURLToPath(import.meta.url)), '..', 'main.cjs');
/** The node flags of `npm start` (`node <flags> dist/main.cjs`), which ccbot.service repeats. */
export const START_FLAGS = (JSON.parse(readFileSync(join(dirname(MAIN_JS), '..', 'package.json'), 'utf8')) as
  { scripts: { start: string } }).scripts.start.split(' ').slice(1, -1);
/** Shaped like a real token (config.ts checks the shape). */
export const TEST_TOKEN = '123456789:AAtest-token-for-ccbot-tests_0123456';
export const TEST_SESSION = 'ccbot-test';

export interface DaemonRun {
  child: ChildProcess;
  /** Everything written to stderr so far. */
  stderr(): string;
  stdout(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** The env a test daemon runs with: nothing from the person's own ccbot or tmux leaks in. */
export function daemonEnv(opts: { ccbotDir: string; apiRoot: string; tmux: TmuxFixture; allowedUsers?: string; extra?: NodeJS.ProcessEnv }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...opts.tmux.env,
    CCBOT_DIR: opts.ccbotDir,
    TELEGRAM_BOT_TOKEN: TEST_TOKEN,
    ALLOWED_USERS: opts.allowedUsers ?? '1001',
    TELEGRAM_API_ROOT: opts.apiRoot,
    TMUX_SESSION_NAME: TEST_SESSION,
    LOG_LEVEL: 'debug',
    ...opts.extra,
  };
  return env;
}

export function startDaemon(env: NodeJS.ProcessEnv, cwd: string): DaemonRun {
  const child = spawn(process.execPath, [...START_FLAGS, MAIN_JS], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  let out = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stderr: () => err, stdout: () => out, exited };
}

/** Resolves with the exit, or rejects when the process is still running after `ms`. */
export function exitWithin(run: DaemonRun, ms: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return Promise.race([
    run.exited,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running after ${ms} ms; stderr:\n${run.stderr()}`)), ms).unref()),
  ]);
}

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}
