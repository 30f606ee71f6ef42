/**
 * Reading a transcript from a byte offset: complete lines only, bytes cut at newlines before decoding, a file that
 * shrank or was replaced read again from its start. The one piece of I/O of the transcript; parsing is transcript.ts.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { logger } from './log.js';
import { parseLines, type PendingCalls, type TranscriptEvent } from './transcript.js';

const log = logger('transcript');

/** Where reading stopped: the byte after the last complete line, and which file that was (its inode). */
export interface Cursor {
  offset: number;
  ino?: number;
}

export type ReadResult = { ok: true; lines: string[]; cursor: Cursor; restarted: boolean } | { ok: false; missing: boolean; error: string };

export const DEFAULT_MAX_BYTES = 8 * 1024 * 1024;
const NEWLINE = 0x0a;

/** A transcript opened for reading, or why not (`missing`: it does not exist, which is no error for a new session). */
export async function openTranscript(path: string): Promise<{ ok: true; handle: FileHandle } | { ok: false; missing: boolean; error: string }> {
  try {
    return { ok: true, handle: await open(path, 'r') };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return { ok: false, missing: code === 'ENOENT' || code === 'ENOTDIR', error: String((err as Error).message) };
  }
}

/**
 * The complete lines after `cursor`, as bytes cut at newline bytes and only then decoded (a character split
 * across two reads is never garbled). A partial last line stays for the next read. A file that shrank below the
 * cursor or was replaced (another inode) is read from its start again, with `restarted`. One read takes up to
 * `maxBytes`, more only to finish a line longer than that.
 */
export async function readTranscript(path: string, cursor: Cursor, options: { maxBytes?: number } = {}): Promise<ReadResult> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const opened = await openTranscript(path);
  if (!opened.ok) return opened;
  const handle = opened.handle;
  try {
    const info = await handle.stat();
    const restarted = info.size < cursor.offset || (cursor.ino !== undefined && cursor.ino !== info.ino);
    const start = restarted ? 0 : cursor.offset;
    const chunks: Buffer[] = [];
    let position = start;
    let end = -1; // offset in the concatenated bytes just past the last newline
    let total = 0;
    while (position < info.size) {
      const size = Math.min(maxBytes, info.size - position);
      const buffer = Buffer.allocUnsafe(size);
      const { bytesRead } = await handle.read(buffer, 0, size, position);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      const last = chunk.lastIndexOf(NEWLINE);
      chunks.push(chunk);
      if (last >= 0) end = total + last + 1;
      total += bytesRead;
      position += bytesRead;
      if (end >= 0 && total >= maxBytes) break; // enough for one read; a line longer than maxBytes reads on
    }
    const lines: string[] = [];
    if (end > 0) {
      const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
      let from = 0;
      while (from < end) {
        const nl = bytes.indexOf(NEWLINE, from);
        lines.push(bytes.toString('utf8', from, nl));
        from = nl + 1;
      }
    }
    return { ok: true, lines, cursor: { offset: start + Math.max(end, 0), ino: info.ino }, restarted };
  } catch (err) {
    return { ok: false, missing: false, error: String((err as Error).message) };
  } finally {
    await handle.close().catch(() => {});
  }
}

export type EventsResult =
  | { ok: true; events: TranscriptEvent[]; pending: PendingCalls; cursor: Cursor; restarted: boolean }
  | { ok: false; missing: boolean; error: string };

/** readTranscript, then parseLines; a malformed line is logged and skipped, never stalling the session. */
export async function readEvents(path: string, cursor: Cursor, pending: PendingCalls, options: { maxBytes?: number } = {}): Promise<EventsResult> {
  const read = await readTranscript(path, cursor, options);
  if (!read.ok) return read;
  const parsed = parseLines(read.lines, read.restarted ? {} : pending);
  if (parsed.malformed > 0) log.warn('skipped transcript lines that are not JSON', { path, count: parsed.malformed });
  return { ok: true, events: parsed.events, pending: parsed.pending, cursor: read.cursor, restarted: read.restarted };
}
