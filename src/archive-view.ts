/** The /archive screen: which archived and lost sessions of a person it lists, in what order, on which page, and the
 * text (Telegram HTML) of the list and of Inspect. Pure: sessions, time and language in, text and keyboard out. */
import type { InlineKeyboardMarkup } from 'node-telegram-bot-api';
import { escapeHtml } from './format.js';
import { t, type Key, type Lang } from './i18n.js';
import { archiveKeyboard } from './keyboards.js';
import type { Session } from './sessions.js';
import type { Exchange } from './transcript.js';

const ARCHIVE_PAGE_SIZE = 5;
const RECENT_HOURS = 72; // `/archive` alone shows what ended this recently; `/archive all` everything still kept
/** Inspect shows this much of a prompt and of an answer: both must fit one message with room to spare. */
const INSPECT_CHARS = 1_500;

/** When a session left the switcher: archivedAt (for a lost one, when it was found gone), else its last activity. */
export function endedAt(session: Session): number {
  return session.status !== 'active' && session.archivedAt !== null ? session.archivedAt : session.lastActivityAt;
}

/** The person's archived and lost sessions, newest first; only the last RECENT_HOURS unless `all`. */
export function archivedSessions(sessions: readonly Session[], userId: number,
  options: { all: boolean; now: number }): Session[] {
  return sessions.filter((s) => s.ownerUserId === userId && (s.status === 'archived' || s.status === 'lost'))
    .filter((s) => options.all || options.now - endedAt(s) <= RECENT_HOURS * 3_600_000)
    .sort((a, b) => endedAt(b) - endedAt(a) || (a.id < b.id ? -1 : 1)); // unique ASCII ids; no ICU collator
}

/** One page of `listed`, `note` (plain text) above it; the page asked for, within the pages left (after a Delete). */
export function archiveView(listed: readonly Session[], page: number, all: boolean, lang: Lang, now: number,
  note?: string): { text: string; keyboard: InlineKeyboardMarkup; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(listed.length / ARCHIVE_PAGE_SIZE));
  const shown = Math.min(Math.max(0, Math.floor(page)), pages - 1);
  const entries = listed.slice(shown * ARCHIVE_PAGE_SIZE, (shown + 1) * ARCHIVE_PAGE_SIZE);
  const lines: string[] = note ? [escapeHtml(note), ''] : [];
  if (listed.length === 0) {
    lines.push(escapeHtml(all ? t(lang, 'archive.emptyAll') : t(lang, 'archive.empty', { hours: RECENT_HOURS })));
    return { text: lines.join('\n'), keyboard: { inline_keyboard: [] }, page: 0, pages: 1 };
  }
  const count = listed.length;
  const title = all ? t(lang, 'archive.titleAll', { count }) : t(lang, 'archive.title', { count, hours: RECENT_HOURS });
  lines.push(`<b>${escapeHtml(title)}</b>`);
  for (const s of entries) lines.push('', ...entryLines(s, lang, now));
  if (!all) lines.push('', escapeHtml(t(lang, 'archive.allHint')));
  return { text: lines.join('\n'), keyboard: archiveKeyboard(entries, shown, pages, all, lang), page: shown, pages };
}

function entryLines(s: Session, lang: Lang, now: number): string[] {
  const why = t(lang, s.status === 'lost' ? 'status.lost' : (`archive.reason.${s.archiveReason ?? 'done'}` as Key));
  const head = `📦 <b>${escapeHtml(s.name)}</b> · ${escapeHtml(why)} · ${escapeHtml(ago(now - endedAt(s), lang))}`;
  const lines = [head, `<code>${escapeHtml(s.workdir)}</code>`];
  if (!s.claudeSessionId) lines.push(`<i>${escapeHtml(t(lang, 'archive.noResume'))}</i>`);
  return lines;
}

/** "5 min ago", "3 h ago", "4 d ago": whole units, rounded down, never negative (a clock step back). */
function ago(ms: number, lang: Lang): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 60) return t(lang, 'archive.minutesAgo', { n: minutes });
  if (minutes < 48 * 60) return t(lang, 'archive.hoursAgo', { n: Math.floor(minutes / 60) });
  return t(lang, 'archive.daysAgo', { n: Math.floor(minutes / (24 * 60)) });
}

/** What Inspect shows: the session, then its last prompt and Claude's answer to it, each cut to INSPECT_CHARS. */
export function inspectText(session: Session, exchange: Exchange, lang: Lang): string {
  const part = (label: Key, text: string | null, none: Key) => [`<b>${escapeHtml(t(lang, label))}</b>`,
    text === null ? `<i>${escapeHtml(t(lang, none))}</i>` : `<blockquote>${escapeHtml(cut(text))}</blockquote>`];
  const head = `🔍 <b>${escapeHtml(session.name)}</b> · <code>${escapeHtml(session.workdir)}</code>`;
  const prompt = part('inspect.prompt', exchange.prompt, 'inspect.noPrompt');
  return [head, '', ...prompt, '', ...part('inspect.answer', exchange.answer, 'inspect.noAnswer')].join('\n');
}

/** The first INSPECT_CHARS characters (code points, so no emoji is split in half), with … when some were left out. */
function cut(text: string): string {
  const chars = [...text.trim()];
  return chars.length <= INSPECT_CHARS ? chars.join('') : chars.slice(0, INSPECT_CHARS - 1).join('').trimEnd() + '…';
}
