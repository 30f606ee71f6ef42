/** The one wrapper around execFile: argument array, timeout, bounded output, outcome as a value. Never a shell. */
import { execFile } from 'node:child_process';
import type { Failure } from './values.cjs';

/** A failed run is `missing` (not installed), `timeout` (killed after timeoutMs) or `exit` (it failed: an exit code,
 * a signal or another errno in `code`); `error` is one line naming the program. */
export type RunResult =
  | { ok: true; stdout: string; stderr: string }
  | (Failure<'missing' | 'timeout' | 'exit'> & { code: number | string | null; stdout: string; stderr: string });

interface RunOptions {
  timeoutMs?: number;
  /** Written to the child's stdin, which is closed either way: a child must never wait on ours. */
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export type Run = (file: string, args: readonly string[], options?: RunOptions) => Promise<RunResult>;

const DEFAULT_TIMEOUT_MS = 5_000;
const MAX_BUFFER_BYTES = 8 * 1024 * 1024;

/** Runs a program and resolves with its outcome; it never rejects for a failed, missing or slow program. */
export const execRun: Run = (file, args, { timeoutMs = DEFAULT_TIMEOUT_MS, input = '', env, cwd } = {}) =>
  new Promise((resolve) => {
    const options = { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_BUFFER_BYTES, env, cwd } as const;
    const child = execFile(file, [...args], { ...options, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (!error) return resolve({ ok: true, stdout, stderr });
      // Node sets `killed` when our timeout fired; `code` is the exit code, or an errno string such as ENOENT.
      const e = error as NodeJS.ErrnoException & { killed?: boolean; code?: number | string | null };
      const code = e.code ?? null;
      const kind = code === 'ENOENT' ? 'missing' : e.killed === true ? 'timeout' : 'exit';
      const detail = (stderr || e.message).trim().split('\n')[0] ?? '';
      const text = {
        missing: `${file} is not installed (not found on PATH)`,
        timeout: `${file} timed out`,
        exit: `${file} exited with ${String(code)}${detail ? `: ${detail}` : ''}`,
      }[kind];
      resolve({ ok: false, kind, error: text, code, stdout: stdout ?? '', stderr: stderr || e.message });
    });
    child.stdin?.end(input);
    child.stdin?.on('error', () => {}); // EPIPE when the child exits before reading: its exit code tells the story
  });
