/**
 * A private tmux server for one test: a fresh TMUX_TMPDIR (the server's socket lives inside it) and the env that
 * every tmux call of the test must use. Never touches the default server of the person running the tests.
 *
 *   s.before.each((ctx) => { ctx.tmux = createTmuxFixture(); });
 *   s.after.each((ctx) => ctx.tmux.cleanup());
 *   await ensureSession('ccbot-test', { env: ctx.tmux.env });
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execRun, type RunResult } from '#ccbot/exec.js';

export interface TmuxFixture {
  /** The temp dir: TMUX_TMPDIR and HOME of the server; tests may put their own files here too. */
  dir: string;
  env: NodeJS.ProcessEnv;
  /** Runs `tmux <args>` against this server, for checks the code under test does not offer. */
  tmux(args: readonly string[], input?: string): Promise<RunResult>;
  /** Kills this server (if it ever started), waits for its panes' processes to end, and removes the dir. */
  cleanup(): Promise<void>;
}

const EXIT_WAIT_MS = 5_000;

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Waits for `pids` (the panes of a server we started) to end; SIGKILL for any still there after `ms`. */
export async function waitForExit(pids: readonly number[], ms = EXIT_WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  while (pids.some(isAlive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  for (const pid of pids.filter(isAlive)) process.kill(pid, 'SIGKILL');
}

/** Whether window `windowId` (@N) is open, in any session of the server that `opts.env` reaches. */
export async function windowExists(windowId: string, opts: { env?: NodeJS.ProcessEnv }): Promise<boolean> {
  const listed = await execRun('tmux', ['list-windows', '-a', '-F', '#{window_id}'], { env: opts.env, timeoutMs: 5_000 });
  return listed.ok && listed.stdout.split('\n').includes(windowId);
}

/** The pid of the program in window `windowId`'s pane; undefined when there is no such window. */
export async function panePid(windowId: string, opts: { env?: NodeJS.ProcessEnv }): Promise<number | undefined> {
  const shown = await execRun('tmux', ['display-message', '-p', '-t', windowId, '#{pane_pid}'], { env: opts.env, timeoutMs: 5_000 });
  return shown.ok && /^\d+$/.test(shown.stdout.trim()) ? Number(shown.stdout.trim()) : undefined;
}

export function createTmuxFixture(): TmuxFixture {
  // Short prefix: the socket path ($TMUX_TMPDIR/tmux-<uid>/default) must stay under ~100 bytes.
  const dir = mkdtempSync(join(tmpdir(), 'ccbot-tmux-'));
  mkdirSync(join(dir, '.config'));
  const env: NodeJS.ProcessEnv = { ...process.env, TMUX_TMPDIR: dir, HOME: dir, XDG_CONFIG_HOME: join(dir, '.config') };
  // Inside a tmux pane TMUX names the outer server's socket, and the tmux client prefers it to TMUX_TMPDIR:
  // left in, every call of the test would land on the person's own server.
  delete env.TMUX;
  delete env.TMUX_PANE;
  const tmux = (args: readonly string[], input?: string) => execRun('tmux', args, { env, input, timeoutMs: 5_000 });
  return {
    dir,
    env,
    tmux,
    async cleanup() {
      // A pane's program (Claude Code above all) may still write into this dir on its way out after SIGHUP: wait
      // for it, or removing the dir races with those writes.
      const listed = await tmux(['list-panes', '-a', '-F', '#{pane_pid}']);
      const pids = listed.ok ? listed.stdout.split('\n').filter((line) => /^\d+$/.test(line)).map(Number) : [];
      await tmux(['kill-server']); // "no server running" when the test never started one: fine
      await waitForExit(pids);
      rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    },
  };
}
