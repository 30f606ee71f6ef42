/**
 * The last prompt and the last answer of a Claude session, for the archive's Inspect button: a pure parser of a
 * transcript's tail, and a thin reader that finds the file and reads only its end. It follows nothing (monitor.ts
 * does that) and never writes.
 */
import { open, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { lastExchange as exchangeOf, parseLines, type Exchange } from './transcript.js';

export type { Exchange };

export type InspectResult = ({ ok: true; path: string } & Exchange) | { ok: false; missing: true; path: string } | { ok: false; missing: false; error: string };

/** Enough for several turns; a transcript grows by megabytes (api-request entries) and is never read whole here. */
export const TAIL_BYTES = 256 * 1024;

/** transcript.ts's lastExchange of JSONL text; when `partial`, its first line (cut by the tail) is dropped. */
export function lastExchange(jsonl: string, partial = false): Exchange {
  const lines = jsonl.split('\n');
  if (partial) lines.shift();
  return exchangeOf(parseLines(lines, {}).events);
}

/** Claude Code's folder for a cwd: every character that is not an ASCII letter or digit becomes '-'. */
export function transcriptPath(claudeConfigDir: string, workdir: string, claudeSessionId: string): string {
  return join(claudeConfigDir, 'projects', workdir.replace(/[^a-zA-Z0-9]/g, '-'), `${claudeSessionId}.jsonl`);
}

/**
 * Finds the transcript of `claudeSessionId` for `workdir` (also under the workdir's real path: Claude records the
 * cwd it sees, which has symlinks resolved) and returns the last exchange from its last `tailBytes`.
 */
export async function readLastExchange(claudeConfigDir: string, workdir: string, claudeSessionId: string, tailBytes = TAIL_BYTES): Promise<InspectResult> {
  const first = transcriptPath(claudeConfigDir, workdir, claudeSessionId);
  const real = await realpath(workdir).catch(() => workdir);
  const candidates = real === workdir ? [first] : [first, transcriptPath(claudeConfigDir, real, claudeSessionId)];
  for (const path of candidates) {
    const tail = await readTail(path, tailBytes);
    if (tail.ok) return { ok: true, path, ...lastExchange(tail.text, tail.partial) };
    if (tail.code !== 'ENOENT') return { ok: false, missing: false, error: `cannot read ${path}: ${tail.code}` };
  }
  return { ok: false, missing: true, path: first };
}

async function readTail(path: string, bytes: number): Promise<{ ok: true; text: string; partial: boolean } | { ok: false; code: string }> {
  let file;
  try {
    file = await open(path, 'r');
  } catch (err) {
    return { ok: false, code: (err as NodeJS.ErrnoException).code ?? String(err) };
  }
  try {
    const { size } = await file.stat();
    // One byte more than asked: when it is the newline before a whole line, dropping the "partial" first line
    // drops only an empty string.
    const start = Math.max(0, size - bytes - 1);
    const buffer = Buffer.alloc(size - start);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, start);
    // A cut inside a multi-byte character only garbles the first line, which is dropped as partial anyway.
    return { ok: true, text: buffer.subarray(0, bytesRead).toString('utf8'), partial: start > 0 };
  } catch (err) {
    return { ok: false, code: (err as NodeJS.ErrnoException).code ?? String(err) };
  } finally {
    await file.close();
  }
}
