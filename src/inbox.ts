/** A session's `.ccbot-inbox/`, where files from the person land: safe names, atomic saves that never overwrite, the
 * prompt that points Claude at them, and the sweep of old ones. Knows nothing of Telegram; writes only inside it. */
import { randomBytes } from 'node:crypto';
import { link, lstat, mkdir, open, readdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fail, type Failure } from './values.cjs';

const INBOX_DIR = '.ccbot-inbox';
const PARTIAL = '.partial-';
/** UTF-8 bytes of a name after the timestamp: well under the 255 a file name may have, emoji included. */
const MAX_NAME_BYTES = 100;
/** A partial file older than this belongs to a save that died (a save takes milliseconds: the bytes are in hand). */
const STALE_PARTIAL_MS = 3_600_000;

/** `name` fit for a file: no path separator, `..`, control or bidi character; its extension kept, its length capped;
 * `fallback` when nothing (or only dots) is left. */
function safeName(name: string, fallback: string): string {
  const clean = name.replace(/[\p{Cc}\u202a-\u202e\u2066-\u2069]/gu, '').replace(/[/\\]/g, '_')
    .replace(/\.{2,}/g, '.').trim();
  const ext = /\.[\p{L}\p{N}]{1,12}$/u.exec(clean)?.[0] ?? '';
  const chars = Array.from(clean.slice(0, clean.length - ext.length).replace(/^[.\s]+/, ''));
  while (chars.length > 0 && Buffer.byteLength(chars.join('') + ext) > MAX_NAME_BYTES) chars.pop();
  const base = chars.join('').trim();
  return base === '' ? `${fallback}${ext}` : `${base}${ext}`;
}

/** `<UTC timestamp>-<safe name>`, and `-2`, `-3`… before the extension when that is taken. */
function candidate(at: number, name: string, attempt: number): string {
  const stamp = new Date(at).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  if (attempt === 1) return `${stamp}-${name}`;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${stamp}-${name.slice(0, dot)}-${attempt}${name.slice(dot)}` : `${stamp}-${name}-${attempt}`;
}

/** The inbox of `workdir`, created with a .gitignore of `*` so it never lands in the person's commits. A symlink or a
 * file in its place is refused: a cloned repository could aim it anywhere. */
async function openInbox(workdir: string): Promise<string | Failure<'write'>> {
  const dir = join(workdir, INBOX_DIR);
  await mkdir(dir, { mode: 0o700 }).catch((err: NodeJS.ErrnoException) => { if (err.code !== 'EEXIST') throw err; });
  if (!(await lstat(dir)).isDirectory()) return fail('write', `${dir} is not a directory`);
  await writeFile(join(dir, '.gitignore'), '*\n', { flag: 'wx' })
    .catch((err: NodeJS.ErrnoException) => { if (err.code !== 'EEXIST') throw err; });
  return dir;
}

/** Saves `bytes` as `.ccbot-inbox/<timestamp>-<safe name>` of `workdir` and returns that relative path. Written to a
 * hidden partial file first, then linked to its name (link fails on a taken name where rename would overwrite), so
 * no name ever shows a partial file and none is ever overwritten. */
export async function saveToInbox(workdir: string, name: string, bytes: Uint8Array, at: number, fallback = 'file',
): Promise<{ ok: true; path: string } | Failure<'write'>> {
  let partial: string | undefined;
  try {
    const dir = await openInbox(workdir);
    if (typeof dir !== 'string') return dir;
    partial = join(dir, `${PARTIAL}${randomBytes(6).toString('hex')}`);
    const file = await open(partial, 'wx', 0o600);
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    const safe = safeName(name, fallback);
    for (let attempt = 1; ; attempt++) {
      const final = candidate(at, safe, attempt);
      try {
        await link(partial, join(dir, final));
        return { ok: true, path: `${INBOX_DIR}/${final}` };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 100) throw err;
      }
    }
  } catch (err) {
    return fail('write', `cannot save ${name} in ${join(workdir, INBOX_DIR)}: ${(err as Error).message}`);
  } finally {
    if (partial) await unlink(partial).catch(() => undefined);
  }
}

/** Removes `workdir`'s inbox files changed before `before`, and dead saves' partials; how many. .gitignore stays. */
export async function sweepInbox(workdir: string, before: number, now: number): Promise<number> {
  const dir = join(workdir, INBOX_DIR);
  const isDir = await lstat(dir).then((s) => s.isDirectory(), () => false);
  if (!isDir) return 0;
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [])) {
    if (name === '.gitignore') continue;
    const path = join(dir, name);
    const stat = await lstat(path).catch(() => undefined);
    const cutoff = name.startsWith(PARTIAL) ? Math.max(before, now - STALE_PARTIAL_MS) : before;
    if (!stat || stat.isDirectory() || stat.mtimeMs >= cutoff) continue;
    if (await unlink(path).then(() => true, () => false)) removed++;
  }
  return removed;
}

/** What Claude is sent for files: the caption, a blank line, then one path per line (the paths alone without one). */
export function promptFor(caption: string, paths: readonly string[]): string {
  const list = paths.join('\n');
  return caption.trim() ? `${caption.trim()}\n\n${list}` : list;
}

/** Two prompts of one album as one: both captions first, then every path. A path holds no newline (safeName), so the
 * last blank line of a prompt is where its paths begin. */
export function mergePrompts(first: string, next: string): string {
  const split = (prompt: string) => {
    const at = prompt.lastIndexOf('\n\n');
    return at < 0 ? ['', prompt] : [prompt.slice(0, at), prompt.slice(at + 2)];
  };
  const [a, aPaths] = split(first);
  const [b, bPaths] = split(next);
  return promptFor([a, b].filter(Boolean).join('\n'), [aPaths!, bPaths!]);
}
