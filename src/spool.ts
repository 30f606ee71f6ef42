/** The spool ($CCBOT_DIR/spool): files `ccbot send-file` hands to the running daemon, and the daemon's side, which
 * sends each one once, to the owner of the session it came from, answers, and removes it. It sends only the copy in
 * the spool, never a path a request names. */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, watch, type FSWatcher } from 'node:fs';
import { extname, join } from 'node:path';
import { clip, escapeHtml } from './format.js';
import { logger } from './log.cjs';
import type { Session } from './sessions.js';
import { writeJson } from './store.cjs';
import type { SendResult } from './telegram.js';
import { isObject } from './values.cjs';

const log = logger('spool');

export const SPOOL_DIR = 'spool';
/** A request's files by suffix, in the order of its life: the copied bytes; the request (renamed into place last);
 * claimed by the daemon (a rename: the one arbiter between the daemon sending it and the command withdrawing it);
 * done, so a restart does not send it again; the answer the command waits for. */
export const SPOOLED = { data: '.data', request: '.request', sending: '.sending', done: '.done', answer: '.answer' };

export interface SpoolRequest { chatId: number; sessionId: string; filename: string; caption: string }
export type SpoolAnswer = { ok: true } | { ok: false; error: string };

const PHOTO_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.gif', '.webp']);
/** Telegram takes photos up to 10 MB; a bigger image goes as a document (up to 50 MB) instead of failing first. */
const PHOTO_MAX_BYTES = 10 * 1024 * 1024;
const CAPTION_MAX_CHARS = 1024;
/** What fs.watch misses (some filesystems never report) is found this late. */
const POLL_MS = 5_000;

interface SpoolDeps {
  dir: string; allowed: ReadonlySet<number>; sessionOf: (id: string) => Readonly<Session> | undefined;
  sendFile: (chatId: number, path: string, options: { filename: string; caption: string; asPhoto: boolean }) =>
    Promise<SendResult>;
  pollMs?: number; now?: () => number;
}

export class Spool {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly deps: SpoolDeps) {}

  start(): void {
    mkdirSync(this.deps.dir, { recursive: true, mode: 0o700 });
    try {
      this.watcher = watch(this.deps.dir, () => this.kick()).on('error', () => undefined);
    } catch (err) {
      log.warn('cannot watch the spool; polling it only', { dir: this.deps.dir, error: err });
    }
    this.timer = setInterval(() => this.kick(), this.deps.pollMs ?? POLL_MS);
    this.kick(); // what came while no daemon ran, and a send a dead daemon left half done
  }

  /** Waits for the send under way: one that ccbot's stop cut short stays claimed, and the next start sends it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    clearInterval(this.timer);
    await this.pass;
  }

  /** One pass at a time; a change seen during a pass runs another after it. */
  private kick(): void {
    if (this.stopped) return;
    if (this.pass) return void (this.again = true);
    this.pass = (async () => {
      do {
        this.again = false;
        await this.sweep();
      } while (this.again && !this.stopped);
    })()
      .catch((err: unknown) => log.error('spool pass failed', { error: err }))
      .finally(() => (this.pass = undefined));
  }

  /** Oldest first (ids start with the time). Within a pass every claimed request ends done, so a claimed one found
   * here was left by a daemon that died while sending it: sent again (it may have arrived; losing it is worse). */
  private async sweep(): Promise<void> {
    const names = readdirSync(this.deps.dir).sort();
    const has = new Set(names);
    for (const name of names) {
      if (this.stopped) return;
      const suffix = extname(name);
      const id = name.slice(0, -suffix.length);
      if (suffix === SPOOLED.request || suffix === SPOOLED.sending) await this.handle(id, suffix === SPOOLED.sending);
      else if (suffix === SPOOLED.done) this.remove(id);
      else if (!has.has(id + SPOOLED.request) && !has.has(id + SPOOLED.sending)) {
        removeIfStale(join(this.deps.dir, name), (this.deps.now ?? Date.now)());
      }
    }
  }

  private async handle(id: string, claimed: boolean): Promise<void> {
    const at = (suffix: string) => join(this.deps.dir, id + suffix);
    if (!claimed && !moved(at(SPOOLED.request), at(SPOOLED.sending))) return; // the command withdrew it
    const answer = await this.send(id, at(SPOOLED.sending), at(SPOOLED.data));
    if (answer === undefined) return;
    renameSync(at(SPOOLED.sending), at(SPOOLED.done)); // first: after a crash from here on, it is not sent again
    writeJson(at(SPOOLED.answer), answer);
    this.remove(id);
  }

  /** The answer for the command; undefined when ccbot is stopping (the request stays claimed for the next start). */
  private async send(id: string, requestPath: string, dataPath: string): Promise<SpoolAnswer | undefined> {
    const request = readRequest(requestPath);
    const session = request && this.deps.sessionOf(request.sessionId);
    // The window's environment says whom to send to; only the session's owner, and only an allowed one, gets it.
    if (!request || !session || session.ownerUserId !== request.chatId || !this.deps.allowed.has(request.chatId)) {
      log.warn('send-file refused: not a session of an allowed chat', { id, request });
      return { ok: false, error: 'refused: this session does not belong to an allowed chat' };
    }
    const { chatId, filename } = request;
    const text = clip(request.caption.trim(), CAPTION_MAX_CHARS - session.name.length - 1);
    const caption = [`<b>${escapeHtml(session.name)}</b>`, ...(text ? [escapeHtml(text)] : [])].join('\n');
    const size = statSync(dataPath, { throwIfNoEntry: false })?.size;
    if (size === undefined) return { ok: false, error: 'its copy in the spool is gone' };
    const asPhoto = PHOTO_EXTENSIONS.has(extname(filename).toLowerCase()) && size <= PHOTO_MAX_BYTES;
    const sent = await this.deps.sendFile(chatId, dataPath, { filename, caption, asPhoto });
    if (sent.ok) {
      log.info('file sent', { id, session: session.name, file: filename, bytes: size });
      return { ok: true };
    }
    if (this.stopped) return undefined;
    if (sent.kind === 'uncertain') return { ok: false, error: 'Telegram did not answer: it may not have arrived' };
    return { ok: false, error: `Telegram did not take it (${sent.error})` };
  }

  private remove(id: string): void {
    for (const suffix of [SPOOLED.data, SPOOLED.done]) rmSync(join(this.deps.dir, id + suffix), { force: true });
  }
}

function readRequest(path: string): SpoolRequest | undefined {
  const r: unknown = attempt(() => JSON.parse(readFileSync(path, 'utf8')));
  const valid = isObject(r) && Number.isSafeInteger(r.chatId) && typeof r.sessionId === 'string'
    && typeof r.filename === 'string' && r.filename !== '' && typeof r.caption === 'string';
  return valid ? (r as unknown as SpoolRequest) : undefined;
}

/** What `f` returns, or undefined when it throws: a file not there (yet) or torn, a race the other side won. */
export function attempt<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** The rename that is the one arbiter between a request's writer withdrawing it and the daemon claiming it. */
export const moved = (from: string, to: string): boolean => attempt(() => renameSync(from, to) ?? true) ?? false;

/** Leftovers of a command or hook that died (a copy without its request, an answer nobody read) go after an hour. */
export function removeIfStale(path: string, now: number): void {
  if (now - (statSync(path, { throwIfNoEntry: false })?.mtimeMs ?? now) > 3_600_000) rmSync(path, { force: true });
}
