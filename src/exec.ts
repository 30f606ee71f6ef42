/** The one wrapper around execFile: argument array, timeout, bounded output, outcome as a value. Never a shell. */
import { execFile } from 'node:child_process';

export type RunResult =
  | { ok: true; stdout: string; stderr: string }
  | { ok: false; code: number | string | null; stdout: string; stderr: string; timedOut: boolean; missing: boolean };

export interface RunOptions {
  timeoutMs?: number;
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  maxBufferBytes?: number;
}

export type Run = (file: string, args: readonly string[], options?: RunOptions) => Promise<RunResult>;

const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_MAX_BUFFER_BYTES = 8 * 1024 * 1024;

/** Runs a program and resolves with its outcome; it never rejects for a failed, missing or slow program. */
export const execRun: Run = (file, args, options = {}) =>
  new Promise((resolve) => {
    const child = execFile(
      file,
      [...args],
      {
        timeout: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        killSignal: 'SIGKILL',
        maxBuffer: options.maxBufferBytes ?? DEFAULT_MAX_BUFFER_BYTES,
        env: options.env,
        cwd: options.cwd,
        encoding: 'utf8',
        windowsHide: true,
      },
      (error, stdout, stderr) => {
        if (!error) return resolve({ ok: true, stdout, stderr });
        // Node sets `killed` when our timeout fired; `code` is the exit code, or an errno string such as ENOENT.
        const e = error as NodeJS.ErrnoException & { killed?: boolean; code?: number | string | null };
        resolve({
          ok: false,
          code: e.code ?? null,
          stdout: stdout ?? '',
          stderr: stderr || e.message,
          timedOut: e.killed === true,
          missing: e.code === 'ENOENT',
        });
      },
    );
    // Without input the child must not wait on our stdin.
    child.stdin?.end(options.input ?? '');
    child.stdin?.on('error', () => {}); // EPIPE when the child exits before reading: its exit code tells the story
  });

/** One line describing a failed run, for logs and error messages. */
export function describeFailure(file: string, result: RunResult): string {
  if (result.ok) return `${file} succeeded`;
  if (result.missing) return `${file} is not installed (not found on PATH)`;
  if (result.timedOut) return `${file} timed out`;
  const detail = result.stderr.trim().split('\n')[0] ?? '';
  return `${file} exited with ${String(result.code)}${detail ? `: ${detail}` : ''}`;
}
