/** `ccbot hook`'s entry point. Claude Code waits for it on every prompt, and most runs come from Claude sessions
 * outside tmux, none of ours: so it loads nothing until it has read the event and knows there is something to do.
 * The rest, and `--install`, is hook.cts (test/hook-imports.test.ts keeps this file's imports to its list). */
import { fstatSync, readSync } from 'node:fs'; // already loaded by Node itself: free in CommonJS
import type { HookDeps } from './hook.cjs';

/** A 1 MB prompt plus its JSON envelope still fits; anything larger is read to the end and ignored. */
const MAX_INPUT_BYTES = 1024 * 1024 + 64 * 1024;
/** Claude Code writes the event and closes our stdin at once; a stdin that stays open is not Claude's. */
const INPUT_WAIT_MS = 2_000;

/** `ccbot hook`: always 0, nothing on stdout but a PreToolUse decision. */
export async function hookCommand(args: readonly string[], deps: HookDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  if (args.length > 0) {
    const { hookFlags } = require('./hook.cjs') as typeof import('./hook.cjs');
    return hookFlags(args, env);
  }
  const startedAt = Date.now(); // not performance.now(): the global's first use loads node:perf_hooks (~1.5 ms)
  const input = readInput(deps.stdin ?? 0);
  let event: Record<string, unknown> | undefined;
  try {
    const data: unknown = input && JSON.parse(input.toString('utf8'));
    event = !input ? undefined : isRecord(data) ? data : {};
  } catch {
    event = {}; // not JSON: no event of ours
  }
  // Outside tmux only a PreToolUse command (the tripwire) concerns us.
  if (event && !env.TMUX_PANE && event.hook_event_name !== 'PreToolUse') return 0;
  const { handleEvent } = require('./hook.cjs') as typeof import('./hook.cjs');
  return handleEvent(event, env, deps, startedAt);
}

const isRecord = (data: unknown): data is Record<string, unknown> =>
  typeof data === 'object' && data !== null && !Array.isArray(data);

/** The whole of stdin (`fd`), undefined if larger than MAX_INPUT_BYTES, null if a non-blocking stdin is still open
 * after INPUT_WAIT_MS; a terminal (`ccbot hook` by hand) is not read. Always drains: else Claude Code gets EPIPE.
 * Synchronous: Claude Code has written the event and closed its socket long before Node is up, and process.stdin
 * (~10 ms) and fs.read (libuv's threads, ~3 ms) cost more; a blocking stdin left open holds us to Claude's timeout. */
function readInput(fd: number): Buffer | undefined | null {
  try {
    if (fstatSync(fd).isCharacterDevice()) return undefined;
  } catch {
    return undefined; // no stdin at all
  }
  const chunks: Buffer[] = [];
  let size = 0;
  const deadline = Date.now() + INPUT_WAIT_MS;
  for (;;) {
    const buffer = Buffer.allocUnsafe(64 * 1024);
    let n: number;
    try {
      n = readSync(fd, buffer, 0, buffer.length, null);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') return undefined;
      if (Date.now() > deadline) return null;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5); // a non-blocking stdin with more to come
      continue;
    }
    if (n === 0) return size <= MAX_INPUT_BYTES ? Buffer.concat(chunks) : undefined;
    if ((size += n) <= MAX_INPUT_BYTES) chunks.push(buffer.subarray(0, n));
  }
}
