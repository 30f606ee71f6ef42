/** The one reader of transcripts, and where a session's is: forward from a cursor (the monitor), backward from an
 * offset (/history, the tail for Inspect and the preview). Whole lines, parsed by transcript.ts; it never writes. */
import { access, open, realpath, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { logger } from './log.cjs';
import { mapKey, type SessionMap } from './session-map.cjs';
import type { Session } from './sessions.js';
import { isNoise, lastExchange, parseLines, type Exchange, type PendingCalls,
  type TranscriptEvent } from './transcript.js';
import { fail, type Failure } from './values.cjs';

const log = logger('transcript');

/** Where reading stopped: the byte after the last complete line, and which file that was (its inode); `skipping`:
 * inside a line too long to read, whose newline has not come yet. */
export type Cursor = { offset: number; ino?: number; skipping?: true };

/** `missing`: no such file, which is no error for a session that has not written one yet. */
export type ReadFailure = Failure<'missing' | 'unreadable'>;
type EventsResult =
  | { ok: true; events: TranscriptEvent[]; pending: PendingCalls; cursor: Cursor; restarted: boolean }
  | ReadFailure;

const MAX_BYTES = 8 * 1024 * 1024;
/** A longer line (an image's base64 in a tool result) is skipped with a note: read whole, it would cost that much
 * memory, and a torn one at the file's end would be read again on every pass. */
const MAX_LINE_BYTES = 8 * 1024 * 1024;
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
 * takes up to `maxBytes`, more only to finish a longer line. A malformed line is logged and skipped; so is a line
 * over `maxLineBytes`, without being read whole: the cursor moves past it, and a note in the events says so. */
export async function readEvents(path: string, cursor: Cursor, pending: PendingCalls,
  { maxBytes = MAX_BYTES, maxLineBytes = MAX_LINE_BYTES }: { maxBytes?: number; maxLineBytes?: number } = {},
): Promise<EventsResult> {
  const read = await withFile(path, async (handle) => {
    const info = await handle.stat();
    const restarted = info.size < cursor.offset || (cursor.ino !== undefined && cursor.ino !== info.ino);
    let start = restarted ? 0 : cursor.offset;
    // Reading goes on at `offset`; -1: inside a long line whose newline has not come, so on from the file's end.
    const past = (offset: number, lines: string[] = [], tooLarge = false) => {
      const { ino } = info;
      const next: Cursor = offset < 0 ? { offset: info.size, ino, skipping: true } : { offset, ino };
      return { ok: true as const, lines, tooLarge, restarted, cursor: next };
    };
    if (cursor.skipping && !restarted) {
      start = await skipLine(handle, start, info.size);
      if (start < 0) return past(-1);
    }
    const chunks: Buffer[] = []; // concatenated once: a line longer than maxBytes costs no quadratic copying
    let [length, end, firstEnd] = [0, -1, -1]; // just past the last and the first newline read
    while (start + length < info.size && (end < 0 ? length <= maxLineBytes : length < maxBytes)) {
      const chunk = await readAt(handle, start + length, Math.min(maxBytes, info.size - start - length));
      if (chunk.length === 0) break;
      const last = chunk.lastIndexOf(NEWLINE);
      if (last >= 0) end = length + last + 1;
      if (last >= 0 && firstEnd < 0) firstEnd = length + chunk.indexOf(NEWLINE) + 1;
      chunks.push(chunk);
      length += chunk.length;
    }
    if ((firstEnd < 0 ? length : firstEnd - 1) > maxLineBytes) {
      log.warn('skipped a transcript line over the size limit', { path, offset: start, max_bytes: maxLineBytes });
      const shown = !isNoise(chunks[0]!.toString('latin1', 0, 99)); // api-request copies need no note
      return past(firstEnd > 0 ? start + firstEnd : await skipLine(handle, start + length, info.size), [], shown);
    }
    return past(start + Math.max(end, 0), end > 0 ? linesOf(Buffer.concat(chunks, length).subarray(0, end - 1)) : []);
  });
  if (!read.ok) return read;
  const parsed = parseLines(read.lines, read.restarted ? {} : pending);
  if (parsed.malformed > 0) log.warn('skipped transcript lines that are not JSON', { path, count: parsed.malformed });
  const mb = Math.round(maxLineBytes / 1024 / 1024);
  const note = { kind: 'text' as const, text: `⚠ A transcript record over ${mb} MB was skipped.`, uuid: '', at: 0 };
  const events = read.tooLarge ? [note] : parsed.events;
  return { ok: true, events, pending: parsed.pending, cursor: read.cursor, restarted: read.restarted };
}

/** The offset just past the next newline at or after `from`, -1 when none is written yet; nothing is kept. */
async function skipLine(handle: FileHandle, from: number, size: number): Promise<number> {
  for (let at = from; at < size;) {
    const chunk = await readAt(handle, at, Math.min(TAIL_BYTES, size - at));
    if (chunk.length === 0) break;
    const newline = chunk.indexOf(NEWLINE);
    if (newline >= 0) return at + newline + 1;
    at += chunk.length;
  }
  return -1;
}

/** The whole lines that end by byte `end` (the file's end when undefined), about `bytes` of them, in file order,
 * and `start`, where the first begins: the `end` of the next read back, 0 at the file's start. A line is whole
 * when the byte before it is a newline; when no line starts in the range, the read goes on back until one does.
 * Text after the last newline (a line being written) counts as a line: parsing skips it when torn. */
export async function readBefore(path: string, end: number | undefined, bytes: number) {
  return withFile(path, async (handle) => {
    let from = end ?? (await handle.stat()).size;
    const chunks: Buffer[] = []; // from the end back, joined once: a long line costs no quadratic copying
    let first = from === 0 ? 0 : -1; // where the first whole line starts in the oldest chunk
    while (first < 0) {
      // One byte more the first time: the one before the range says whether a line starts right at it.
      const length = Math.min(chunks.length === 0 ? bytes + 1 : Math.max(bytes, 1), from);
      from -= length;
      const chunk = await readAt(handle, from, length);
      chunks.push(chunk);
      // A newline as the very last byte read starts no line inside the range.
      const newline = chunk.indexOf(NEWLINE);
      if (from === 0) first = 0;
      else if (newline >= 0 && (chunks.length > 1 || newline < chunk.length - 1)) first = newline + 1;
    }
    return { ok: true as const, lines: linesOf(Buffer.concat(chunks.reverse()).subarray(first)), start: from + first };
  });
}

/** The last exchange of the transcript's last `tailBytes` (whole lines), for Inspect and the switch preview. */
export async function readLastExchange(path: string, tailBytes = TAIL_BYTES,
): Promise<({ ok: true } & Exchange) | ReadFailure> {
  const read = await readBefore(path, undefined, tailBytes);
  return read.ok ? { ok: true, ...lastExchange(parseLines(read.lines, {}).events) } : read;
}

/** A transcript's opening, for /resume: the folder its first entry with a `cwd` ran in, and the first prompt typed
 * (no slash command, meta entry or tool result), from the whole lines of its first `bytes`. */
export async function readOpening(path: string, bytes = 64 * 1024) {
  return withFile(path, async (handle) => {
    const head = await readAt(handle, 0, bytes);
    const lines = linesOf(head.length < bytes ? head : head.subarray(0, head.lastIndexOf(NEWLINE) + 1));
    const cwd = lines.filter((l) => !isNoise(l)).map((l) => /"cwd":("(?:[^"\\]|\\.)*")/.exec(l)?.[1]).find(Boolean);
    const prompt = parseLines(lines, {}).events.find((e) => e.kind === 'prompt' && !e.command);
    const text = prompt?.kind === 'prompt' ? prompt.text : '';
    return { ok: true as const, cwd: cwd ? (JSON.parse(cwd) as string) : null, prompt: text };
  });
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
