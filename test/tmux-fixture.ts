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
  /** Kills this server (if it ever started) and removes the dir. */
  cleanup(): Promise<void>;
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
      await tmux(['kill-server']); // "no server running" when the test never started one: fine
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
