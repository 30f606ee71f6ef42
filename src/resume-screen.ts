/** /resume: the Claude conversations on this machine (desk.ts), paged, and opening one as a new session that runs
 * `claude --resume <id>` in its folder. One writer per conversation: one ccbot follows is switched to, one a live
 * Claude runs is refused. */
import { basename } from 'node:path';
import { isDirectory } from './browser.js';
import type { Accepted, Chat } from './chat.js';
import type { DeskConversation } from './desk.js';
import { escapeHtml } from './format.js';
import { t, type Lang } from './i18n.js';
import { button, pagerRow, truncateLabel } from './keyboards.js';
import type { Sessions, StartRequest } from './sessions.js';

interface ResumeScreenDeps {
  chat: Chat; desk: () => Promise<DeskConversation[]>; // the conversations with their marks, newest first
  start: (request: StartRequest) => ReturnType<Sessions['start']>;
  switchTo: (who: Accepted, lang: Lang, id: string) => Promise<void>; now: () => number;
}

const PER_PAGE = 6;
/** A button names a conversation by its id's first 16 characters (56 random bits): a word the codec takes, and
 * still right after a restart. */
const REF_CHARS = 16;
const mark = (c: DeskConversation) => (c.owned ? '📱 ' : c.running ? '🖥 ' : '');

/** "5 min. ago", "3 hr. ago", "2 days ago" in the person's language. */
function ago(lang: Lang, at: number, now: number): string {
  const minutes = Math.round((at - now) / 60_000);
  const [value, unit]: [number, Intl.RelativeTimeFormatUnit] = minutes > -60 ? [minutes, 'minute']
    : minutes > -2 * 1440 ? [Math.round(minutes / 60), 'hour'] : [Math.round(minutes / 1440), 'day'];
  return new Intl.RelativeTimeFormat(lang, { numeric: 'auto', style: 'short' }).format(value, unit);
}

export function createResumeScreen(deps: ResumeScreenDeps) {
  const { chat } = deps;
  return {
    /** One page of the list, in place of the message whose ◀ ▶ was tapped. */
    async show(who: Accepted, lang: Lang, page = 0, messageId?: number): Promise<void> {
      const all = await deps.desk();
      if (all.length === 0) return void (await chat.sayText(who, lang, 'desk.none'));
      const pages = Math.ceil(all.length / PER_PAGE);
      const current = Math.min(Math.max(0, page), pages - 1);
      const shown = all.slice(current * PER_PAGE, (current + 1) * PER_PAGE);
      const lines = shown.map((c) => `${mark(c)}<code>${escapeHtml(c.cwd)}</code> · ${ago(lang, c.at, deps.now())}\n`
        + escapeHtml(truncateLabel(c.prompt, 120) || '—'));
      const buttons = shown.map((c) => [button(truncateLabel(`${mark(c)}${basename(c.cwd)} · ${c.prompt}`, 48),
        { t: 'desk', ref: c.id.slice(0, REF_CHARS) })]);
      const rows = [...buttons, pagerRow(current, pages, (p) => ({ t: 'deskPage', page: p }))];
      const html = [escapeHtml(t(lang, 'desk.title')), ...lines].join('\n\n');
      const keyboard = { inline_keyboard: rows.filter((r) => r.length) };
      await chat.sayInPlace(who, lang, messageId, html, { keyboard });
    },

    async open(who: Accepted, lang: Lang, ref: string): Promise<void> {
      const found = (await deps.desk()).find((c) => c.id.startsWith(ref));
      if (!found) return void (await chat.sayText(who, lang, 'desk.gone'));
      const { owner } = found;
      if (owner?.status === 'active') return deps.switchTo(who, lang, owner.id); // another person's: "unknown"
      const say = (key: 'session.alreadyArchived' | 'desk.running' | 'desk.noFolder') =>
        chat.sayText(who, lang, key, { name: owner?.name ?? '', dir: found.cwd });
      if (owner) return void (await say('session.alreadyArchived')); // Restore in /archive continues it
      // A ccbot window no record names is a claude someone started there by hand: at the desk, too.
      if (found.owned || found.running) return void (await say('desk.running'));
      if (!(await isDirectory(found.cwd))) return void (await say('desk.noFolder'));
      const { userId, chatId, updateId: key } = who;
      const started = await deps.start({ workdir: found.cwd, userId, chatId, key, claudeSessionId: found.id });
      if (!started.ok) return void (await chat.sayText(who, lang, 'error.generic', { error: started.error }));
      const { session } = started;
      await chat.sayText(who, lang, 'session.started', { name: session.name, dir: found.cwd }, { session });
    },
  };
}
