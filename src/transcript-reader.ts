/** The one reader of transcripts, and where a session's is: forward from a cursor (the monitor), backward from an
 * offset (/history, the tail for Inspect and the preview). Whole lines, parsed by transcript.ts; it never writes. */
import { access, open, realpath, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { logger } from './log.js';
import { mapKey, type SessionMap } from './session-map.js';
import type { Session } from './sessions.js';
import { lastExchange, parseLines, type Exchange, type PendingCalls, type TranscriptEvent } from './transcript.js';
import { fail, type Failure } from './values.js';

const log = logger('transcript');

/** Where reading stopped: the byte after the last complete line, and which file that was (its inode). */
export type Cursor = { offset: number; ino?: number };

/** `missing`: no such file, which is no error for a session that has not written one yet. */
export type ReadFailure = Failure<'missing' | 'unreadable'>;
type EventsResult =
  | { ok: true; events: TranscriptEvent[]; pending: PendingCalls; cursor: Cursor; restarted: boolean }
  | ReadFailure;

const MAX_BYTES = 8 * 1024 * 1024;
/** Enough for several turns; a transcript grows by megabytes (api-request entries) and is never read whole here. */
const TAIL_BYTES = 256 * 1024;
const NEWLINE = 0x0a;

/** Where a session's transcript is, the one rule: a session with a window, the path its hook recorded (none until
 * the hook has run; after /clear, the new one); one without (archived, lost), Claude Code's own place for its
 * Claude session id, where every character of the workdir that is not an ASCII letter or digit becomes '-'. Claude
 * records the cwd it sees, symlinks resolved: the workdir's real path is used when only that one exists. */
export async function findTranscript(
  session: Pick<Session, 'windowId' | 'workdir' | 'claudeSessionId'>, map: SessionMap,
  { tmuxSession, claudeConfigDir }: { tmuxSession: string; claudeConfigDir: string },
): Promise<string | null> {
  if (session.windowId) return map[mapKey(tmuxSession, session.windowId)]?.transcript_path ?? null;
  const id = session.claudeSessionId;
  if (!id) return null;
  const inProjects = (cwd: string) =>
    join(claudeConfigDir, 'projects', cwd.replace(/[^a-zA-Z0-9]/g, '-'), `${id}.jsonl`);
  const exists = (path: string) => access(path).then(() => true, () => false);
  const real = await realpath(session.workdir).catch(() => session.workdir);
  const [given, resolved] = [inProjects(session.workdir), inProjects(real)];
  return given === resolved || (await exists(given)) || !(await exists(resolved)) ? given : resolved;
}

/** The events after `cursor`, and the cursor after them. Bytes are cut at newline bytes and only then decoded (a
 * character split across two reads is never garbled); a partial last line stays for the next read. A file that
 * shrank below the cursor or was replaced (another inode) is read from its start again, with `restarted`. One read
 * takes up to `maxBytes`, more only to finish a longer line. A malformed line is logged and skipped. */
export async function readEvents(
  path: string, cursor: Cursor, pending: PendingCalls, options: { maxBytes?: number } = {},
): Promise<EventsResult> {
  const maxBytes = options.maxBytes ?? MAX_BYTES;
  const read = await withFile(path, async (handle) => {
    const info = await handle.stat();
    const restarted = info.size < cursor.offset || (cursor.ino !== undefined && cursor.ino !== info.ino);
    const start = restarted ? 0 : cursor.offset;
    let bytes: Buffer = Buffer.alloc(0);
    let end = -1; // just past the last newline in `bytes`
    while (start + bytes.length < info.size && (end < 0 || bytes.length < maxBytes)) {
      const chunk = await readAt(handle, start + bytes.length, Math.min(maxBytes, info.size - start - bytes.length));
      if (chunk.length === 0) break;
      const last = chunk.lastIndexOf(NEWLINE);
      if (last >= 0) end = bytes.length + last + 1;
      bytes = bytes.length === 0 ? chunk : Buffer.concat([bytes, chunk]); // a line longer than maxBytes: rare
    }
    const lines = end > 0 ? linesOf(bytes.subarray(0, end - 1)) : [];
    return { ok: true as const, lines, cursor: { offset: start + Math.max(end, 0), ino: info.ino }, restarted };
  });
  if (!read.ok) return read;
  const parsed = parseLines(read.lines, read.restarted ? {} : pending);
  if (parsed.malformed > 0) log.warn('skipped transcript lines that are not JSON', { path, count: parsed.malformed });
  return { ok: true, events: parsed.events, pending: parsed.pending, cursor: read.cursor, restarted: read.restarted };
}

/** The whole lines that end by byte `end` (the file's end when undefined), about `bytes` of them, in file order,
 * and `start`, where the first begins: the `end` of the next read back, 0 at the file's start. A line is whole
 * when the byte before it is a newline; when no line starts in the range, the read goes on back until one does.
 * Text after the last newline (a line being written) counts as a line: parsing skips it when torn. */
export async function readBefore(path: string, end: number | undefined, bytes: number) {
  return withFile(path, async (handle) => {
    let from = end ?? (await handle.stat()).size;
    let buffer = Buffer.alloc(0);
    let first = from === 0 ? 0 : -1; // where the first whole line starts in `buffer`
    while (first < 0) {
      // One byte more the first time: the one before the range says whether a line starts right at it.
      const length = Math.min(buffer.length === 0 ? bytes + 1 : Math.max(bytes, 1), from);
      from -= length;
      buffer = Buffer.concat([await readAt(handle, from, length), buffer]);
      const newline = buffer.indexOf(NEWLINE);
      if (from === 0) first = 0;
      else if (newline >= 0 && newline < buffer.length - 1) first = newline + 1;
    }
    return { ok: true as const, lines: linesOf(buffer.subarray(first)), start: from + first };
  });
}

/** The last exchange of the transcript's last `tailBytes` (whole lines), for Inspect and the switch preview. */
export async function readLastExchange(
  path: string, tailBytes = TAIL_BYTES,
): Promise<({ ok: true } & Exchange) | ReadFailure> {
  const read = await readBefore(path, undefined, tailBytes);
  return read.ok ? { ok: true, ...lastExchange(parseLines(read.lines, {}).events) } : read;
}

async function withFile<T>(path: string, use: (handle: FileHandle) => Promise<T>): Promise<T | ReadFailure> {
  const handle = await open(path, 'r').catch((err: NodeJS.ErrnoException) => err);
  if (handle instanceof Error) {
    return fail(handle.code === 'ENOENT' || handle.code === 'ENOTDIR' ? 'missing' : 'unreadable', handle.message);
  }
  return use(handle)
    .catch((err: Error) => fail('unreadable', String(err.message)))
    .finally(() => handle.close().catch(() => {}));
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/** Each line decoded on its own: one string per line parses faster than slices of one big string. */
function linesOf(bytes: Buffer): string[] {
  const lines: string[] = [];
  let from = 0;
  for (let newline = bytes.indexOf(NEWLINE); newline >= 0; newline = bytes.indexOf(NEWLINE, from)) {
    lines.push(bytes.toString('utf8', from, newline));
    from = newline + 1;
  }
  if (from < bytes.length) lines.push(bytes.toString('utf8', from));
  return lines;
}
