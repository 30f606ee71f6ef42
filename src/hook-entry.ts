/** `ccbot hook`'s entry point. Claude Code waits for it on every prompt, and most runs come from Claude sessions
 * outside tmux, none of ours: so it loads nothing until it has read the event and knows there is something to do.
 * The rest, and `--install`, is hook.ts (test/hook-imports.test.ts keeps this file's imports to its list). */
import type { HookDeps } from './hook.js';

/** A 1 MB prompt plus its JSON envelope still fits; anything larger is read to the end and ignored. */
const MAX_INPUT_BYTES = 1024 * 1024 + 64 * 1024;
/** Claude Code writes the event and closes our stdin at once; a stdin that stays open is not Claude's. */
const INPUT_WAIT_MS = 2_000;

/** `ccbot hook`: always 0, nothing on stdout but a PreToolUse decision. */
export async function hookCommand(args: readonly string[], deps: HookDeps = {}): Promise<number> {
  const env = deps.env ?? process.env;
  if (args.length > 0) {
    const { hookFlags } = await import('./hook.js');
    return hookFlags(args, env);
  }
  const startedAt = performance.now();
  // Not `import 'node:fs'`, whose ESM wrapper alone costs ~2.5 ms; Node before 20.16 has no getBuiltinModule.
  const fs = process.getBuiltinModule?.('node:fs') ?? await import('node:fs');
  const input = await readInput(fs, deps.stdin ?? 0);
  let event: Record<string, unknown> | undefined;
  try {
    const data: unknown = input && JSON.parse(input.toString('utf8'));
    event = !input ? undefined : isRecord(data) ? data : {};
  } catch {
    event = {}; // not JSON: no event of ours
  }
  // Outside tmux only a PreToolUse command (the tripwire) concerns us.
  if (event && !env.TMUX_PANE && event.hook_event_name !== 'PreToolUse') return 0;
  const { handleEvent } = await import('./hook.js');
  const code = await handleEvent(event, env, deps, startedAt);
  if (input === null) process.exit(code); // the read still pending on a stdin nobody closes would keep us alive
  return code;
}

const isRecord = (data: unknown): data is Record<string, unknown> =>
  typeof data === 'object' && data !== null && !Array.isArray(data);

/** The whole of stdin (`fd`) if it ends within INPUT_WAIT_MS, undefined if larger than MAX_INPUT_BYTES, null if it
 * is still open then. Always drains: a hook that exits before reading gives Claude Code EPIPE on its write. A terminal
 * (a person trying `ccbot hook` by hand) is not read at all. Plain reads: process.stdin's streams cost ~10 ms. */
function readInput({ fstatSync, read }: typeof import('node:fs'), fd: number): Promise<Buffer | undefined | null> {
  try {
    if (fstatSync(fd).isCharacterDevice()) return Promise.resolve(undefined);
  } catch {
    return Promise.resolve(undefined); // no stdin at all
  }
  const chunks: Buffer[] = [];
  let size = 0;
  return new Promise((done) => {
    const timer = setTimeout(() => done(null), INPUT_WAIT_MS);
    const next = () => read(fd, Buffer.allocUnsafe(64 * 1024), 0, 64 * 1024, null, (err, n, buffer) => {
      if (!err && n > 0 && (size += n) <= MAX_INPUT_BYTES) chunks.push(buffer.subarray(0, n));
      if (!err && n > 0) return next();
      clearTimeout(timer);
      done(!err && size <= MAX_INPUT_BYTES ? Buffer.concat(chunks) : undefined);
    });
    next();
  });
}
