/** The directory browser behind /new: listing a directory, the view of one page of it, and the tokens that let a
 * 64-byte button point at a listing. The only file of the bot's UI that reads the file system; browserView is pure. */
import { randomBytes } from 'node:crypto';
import { readdir, realpath, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { absolutePath } from './config.cjs';
import { t, type Lang } from './i18n.js';
import { button, pagerRow, rowsOf, truncateLabel } from './keyboards.js';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'node-telegram-bot-api';
import { fail, type Failure } from './values.cjs';

/** A directory as the browser shows it: its real path (no symlinks: `..` is its real parent) and its subdirectories. */
export interface Listing { path: string; dirs: string[] }
/** missing: no such directory; stale: a button of a listing that changed. */
type ListingResult = ({ ok: true } & Listing) | Failure<'missing' | 'unreadable' | 'stale'>;

const DIRS_PER_PAGE = 8;
const DIR_LABEL_CHARS = 24;

// base: 'a' = 'A'; numeric: dir2 before dir10, as a person counts.
let collator: Intl.Collator | undefined; // made on first use: ICU's data stays out of memory until /new browses
const byName = (a: string, b: string) => (collator ??= new Intl.Collator('en', { sensitivity: 'base', numeric: true }))
  .compare(a, b) || (a < b ? -1 : a > b ? 1 : 0);

/** The subdirectories of `path` (symlinks to directories too, hidden ones when asked), or an error value naming it. */
export async function listDirectory(path: string, { showHidden = false } = {}): Promise<ListingResult> {
  const real = await realpath(path).catch((err: unknown) => fsFailure(path, err));
  if (typeof real !== 'string') return real;
  const entries = await readdir(real, { withFileTypes: true }).catch((err: unknown) => fsFailure(path, err));
  if (!Array.isArray(entries)) return entries;
  const visible = entries.filter((entry) => showHidden || !entry.name.startsWith('.'));
  // A symlink counts when it leads to a directory; a dangling or looping one leads nowhere to enter.
  const isDir = await Promise.all(visible.map((e) =>
    e.isDirectory() || (e.isSymbolicLink() && isDirectory(join(real, e.name)))));
  return { ok: true, path: real, dirs: visible.filter((_, i) => isDir[i]).map((e) => e.name).sort(byName) };
}

/** Whether `path` is a directory (symlinks followed); null when nothing is there that can be reached. */
export function isDirectory(path: string): Promise<boolean | null> {
  return stat(path).then((s) => s.isDirectory(), () => null);
}

function fsFailure(path: string, err: unknown): ListingResult {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return fail('missing', `${path} does not exist`);
  if (code === 'ENOTDIR') return fail('missing', `${path} is not a directory`);
  if (code === 'EACCES' || code === 'EPERM') return fail('unreadable', `${path} cannot be read: permission denied`);
  if (code === 'ELOOP') return fail('unreadable', `${path} is a symlink loop`);
  return fail('unreadable', `${path} cannot be read (${code ?? (err as Error).message})`);
}

/** A path as the person typed it: `~` and `~/x` are in `home`, a relative one is relative to `home`; `..` resolved. */
export function resolveUserPath(input: string, home: string): string {
  return absolutePath(input.trim() || '~', home, home);
}

/** Subdirectory number `index` of a listing; an index the listing no longer has (a stale button) is an error value. */
export async function openChild(listing: Listing, index: number): Promise<ListingResult> {
  const name = Number.isInteger(index) && index >= 0 ? listing.dirs[index] : undefined;
  if (name === undefined) {
    return fail('stale', `folder #${index + 1} is not in the list of ${listing.path} any more: open the folder again`);
  }
  return listDirectory(join(listing.path, name));
}

/** The real parent of a listing (its path is a realpath, so this is never the symlink's own parent); `/` stays `/`. */
export function openParent(listing: Listing): Promise<ListingResult> {
  return listDirectory(dirname(listing.path));
}

/** One page of a listing: plain text (the path and a hint; the caller escapes it for HTML) and its keyboard. Buttons
 * carry the token and an index, never a path (paths do not fit in 64 bytes). A page out of range shows the nearest. */
export function browserView(
  listing: Listing, page: number, lang: Lang, token: string,
): { text: string; keyboard: InlineKeyboardMarkup } {
  const pages = Math.max(1, Math.ceil(listing.dirs.length / DIRS_PER_PAGE));
  const current = Math.min(Math.max(0, Math.trunc(page) || 0), pages - 1);
  const first = current * DIRS_PER_PAGE;
  const dirButtons = listing.dirs.slice(first, first + DIRS_PER_PAGE)
    .map((name, i) => button(`📁 ${truncateLabel(name, DIR_LABEL_CHARS)}`, { t: 'browse', token, index: first + i }));
  const last: InlineKeyboardButton[] = [];
  if (listing.path !== '/') last.push(button('⬆️ ..', { t: 'browseUp', token }));
  last.push(button(`✅ ${t(lang, 'browser.startHere')}`, { t: 'browseStart', token }));
  const rows = [...rowsOf(dirButtons, 2), pagerRow(current, pages, (p) => ({ t: 'browsePage', token, page: p })), last];
  const lines = [`📁 ${listing.path}`, ''];
  if (listing.dirs.length === 0) lines.push(t(lang, 'browser.empty'));
  lines.push(t(lang, 'browser.hint'));
  return { text: lines.join('\n'), keyboard: { inline_keyboard: rows.filter((r) => r.length > 0) } };
}

/** token → listing, per user, for the buttons of the browser. Bounded: a user keeps the `perUser` most recently used
 * tokens, so an old browser message's buttons stop working (decoded as stale) instead of memory growing for ever. */
export class BrowserTokens {
  readonly #byUser = new Map<number, Map<string, Listing>>();

  /** newToken: 6 characters of base64url, 36 random bits, and valid in callback data. */
  constructor(readonly perUser = 20,
    readonly newToken = (): string => randomBytes(6).toString('base64url').slice(0, 6)) {}

  put(userId: number, listing: Listing): string {
    const tokens = this.#byUser.get(userId) ?? new Map<string, Listing>();
    this.#byUser.set(userId, tokens);
    let token = this.newToken();
    for (let tries = 0; tokens.has(token); tries++) {
      if (tries > 100) throw new Error('BrowserTokens: newToken keeps returning tokens already in use');
      token = this.newToken();
    }
    tokens.set(token, { path: listing.path, dirs: [...listing.dirs] });
    if (tokens.size > this.perUser) tokens.delete(tokens.keys().next().value!); // the least recently used
    return token;
  }

  /** The listing of a user's token (undefined when unknown, evicted or another user's); a hit counts as recent use. */
  get(userId: number, token: string): Listing | undefined {
    const tokens = this.#byUser.get(userId);
    const listing = tokens?.get(token);
    if (!tokens || !listing) return undefined;
    tokens.delete(token);
    tokens.set(token, listing);
    return listing;
  }
}
