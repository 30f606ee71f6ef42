/**
 * /history's pages: a session's conversation as items, rendered and cut into pages, newest first. It reads back
 * from the transcript's end (transcript-reader.ts) only as far as the page asked for needs.
 */
import { clip, escapeHtml } from './format.js';
import { readBefore, type ReadFailure } from './transcript-reader.js';
import { parseLines, toolLine } from './transcript.js';

const CHUNK_BYTES = 256 * 1024;
/** A page's items, rendered; the title and Telegram's 4096 leave room around it. */
const PAGE_CHARS = 3_000;
const PROMPT_CHARS = 500;
const TEXT_CHARS = 800;

type Item =
  | { kind: 'prompt'; text: string }
  | { kind: 'text'; text: string }
  | { kind: 'tool'; line: string; outcome?: string; isError?: boolean };

/**
 * Page `page` (0 = newest) of the transcript at `path`: Telegram HTML of its items in conversation order (empty
 * when there are none), the page shown (the oldest when `page` is past it), and whether older pages exist.
 */
export async function readHistoryPage(
  path: string, page: number, options: { chunkBytes?: number; pageChars?: number } = {},
): Promise<{ ok: true; html: string; page: number; hasOlder: boolean } | ReadFailure> {
  const pageChars = options.pageChars ?? PAGE_CHARS;
  let lines: string[] = [];
  let start: number | undefined;
  let renderedChars = 0;
  // Enough for the page asked for and one item more (to know whether older ones exist). Chunks are sized up as
  // they come; the lines read are then parsed once, in order, so every result finds its call.
  while (start !== 0 && renderedChars <= (page + 1) * pageChars + 1) {
    const read = await readBefore(path, start, options.chunkBytes ?? CHUNK_BYTES);
    if (!read.ok) return read;
    [lines, start] = [[...read.lines, ...lines], read.start];
    renderedChars += render(read.lines).reduce((sum, item) => sum + item.length + 2, 0);
  }
  const pages = paginate(render(lines), pageChars);
  const shown = Math.min(page, Math.max(0, pages.length - 1));
  const hasOlder = shown < pages.length - 1 || (start !== 0 && pages.length > 0);
  return { ok: true, html: (pages[shown] ?? []).join('\n\n'), page: shown, hasOlder };
}

/** The items of transcript lines, rendered; a result fills in the outcome of its call's item. */
function render(lines: string[]): string[] {
  const items: Item[] = [];
  const calls = new Map<string, Extract<Item, { kind: 'tool' }>>();
  for (const e of parseLines(lines, {}).events) {
    if (e.kind === 'prompt' || e.kind === 'text') items.push({ kind: e.kind, text: e.text });
    else if (e.kind === 'toolCall') {
      const item = { kind: 'tool' as const, line: toolLine(e) };
      calls.set(e.toolUseId, item);
      items.push(item);
    } else if (e.kind === 'toolResult') {
      const call = calls.get(e.toolUseId);
      if (call) Object.assign(call, { outcome: e.outcome, isError: e.isError });
    }
  }
  return items.map((item) => {
    if (item.kind === 'prompt') return `❯ <b>${escapeHtml(clip(item.text, PROMPT_CHARS))}</b>`;
    if (item.kind === 'text') return escapeHtml(clip(item.text.trim(), TEXT_CHARS));
    const mark = item.outcome === undefined ? '…' : item.isError ? '✗' : '✓';
    const outcome = item.outcome ? ` → ${escapeHtml(clip(item.outcome, 80))}` : '';
    return `${mark} <i>${escapeHtml(clip(item.line.replace(/\s+/g, ' '), 200))}${outcome}</i>`;
  });
}

/** Pages counted from the newest item back, each up to `pageChars` of rendered HTML (at least one item). */
function paginate(rendered: readonly string[], pageChars: number): string[][] {
  const pages: string[][] = [];
  let page: string[] = [];
  let size = 0;
  for (let i = rendered.length - 1; i >= 0; i--) {
    const item = rendered[i]!;
    if (page.length > 0 && size + item.length + 2 > pageChars) {
      pages.push(page);
      page = [];
      size = 0;
    }
    page.unshift(item);
    size += item.length + 2;
  }
  if (page.length > 0) pages.push(page);
  return pages;
}
