/**
 * The last prompt and the last answer of a Claude session, for the archive's Inspect button: a pure parser of a
 * transcript's tail, and a thin reader that finds the file and reads only its end. It follows nothing (monitor.ts
 * does that) and never writes.
 */
import { open, realpath } from 'node:fs/promises';
import { join } from 'node:path';

export interface Exchange {
  /** What the person last typed; null when the tail holds no prompt. */
  prompt: string | null;
  /** Claude's last text after that prompt; null when it has not answered (yet). */
  answer: string | null;
}

export type InspectResult = ({ ok: true; path: string } & Exchange) | { ok: false; missing: true; path: string } | { ok: false; missing: false; error: string };

/** Enough for several turns; a transcript grows by megabytes (api-request entries) and is never read whole here. */
export const TAIL_BYTES = 256 * 1024;

// What Claude Code itself writes as a user entry with string content: slash commands and their output, bash mode.
// Only these exact tags: a prompt the person typed may well start with `<`.
const NOT_TYPED = /^<(command-name|command-message|command-args|local-command-[a-z]+|bash-[a-z]+)>/;

type Entry = { type?: unknown; isMeta?: unknown; isSidechain?: unknown; message?: { id?: unknown; content?: unknown } };

/**
 * Reads JSONL text (possibly starting mid-line: the first line of a tail is dropped when `partial`) and returns the
 * last typed prompt and the answer to it. The answer is the text blocks of the last assistant API message (Claude
 * Code writes one entry per content block, all with the message's id), so an earlier "let me check first" is not
 * taken for the answer. Lines that are not JSON (a torn write) are skipped; `api-request-blob` entries, which
 * repeat the prompt inside a request, are not user entries and so never count.
 */
export function lastExchange(jsonl: string, partial = false): Exchange {
  const lines = jsonl.split('\n');
  if (partial) lines.shift();
  let prompt: string | null = null;
  let answer: { id: unknown; texts: string[] } | null = null;
  for (const line of lines) {
    if (!line.trim()) continue;
    let entry: Entry;
    try {
      entry = JSON.parse(line) as Entry;
    } catch {
      continue;
    }
    if (typeof entry !== 'object' || entry === null || entry.isSidechain === true) continue;
    const content = entry.message?.content;
    if (entry.type === 'user' && typeof content === 'string' && entry.isMeta !== true && !NOT_TYPED.test(content)) {
      prompt = content;
      answer = null; // an answer belongs to its prompt: a newer prompt without one has no answer yet
      continue;
    }
    if (entry.type !== 'assistant' || !Array.isArray(content)) continue;
    const texts = content
      .filter((b): b is { type: 'text'; text: string } => typeof b === 'object' && b !== null && b.type === 'text' && typeof b.text === 'string')
      .map((b) => b.text);
    if (texts.length === 0) continue;
    const id = entry.message?.id;
    if (answer && id !== undefined && answer.id === id) answer.texts.push(...texts);
    else answer = { id, texts };
  }
  const text = answer?.texts.join('\n').trim();
  return { prompt, answer: text ? text : null };
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
