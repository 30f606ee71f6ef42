/**
 * /history: the conversation of a session in pages, newest first. Reads the transcript from its end in chunks and
 * stops once it has the page asked for, so page 0 of a 200 MB transcript costs about what a small one does.
 */
import { clip, escapeHtml } from './format.js';
import { openTranscript } from './transcript-reader.js';
import { parseLines, toolLine, type TranscriptEvent } from './transcript.js';

export const CHUNK_BYTES = 256 * 1024;
/** A page's items, rendered; the title and Telegram's 4096 leave room around it. */
export const PAGE_CHARS = 3_000;
const PROMPT_CHARS = 500;
const TEXT_CHARS = 800;

export type HistoryItem =
  | { kind: 'prompt'; text: string }
  | { kind: 'text'; text: string }
  | { kind: 'tool'; toolUseId: string; line: string; outcome?: string; isError?: boolean };

export interface HistoryPage {
  /** Telegram HTML of the page's items in conversation order; empty when there are none. */
  html: string;
  page: number;
  /** Older pages exist (the caller shows ◀). */
  hasOlder: boolean;
}

export type HistoryResult = ({ ok: true } & HistoryPage) | { ok: false; missing: boolean; error: string };

/** Items of events in order; a result fills in the outcome of its call's item. */
export function historyItems(events: readonly TranscriptEvent[]): HistoryItem[] {
  const items: HistoryItem[] = [];
  const byId = new Map<string, Extract<HistoryItem, { kind: 'tool' }>>();
  for (const e of events) {
    if (e.kind === 'prompt') items.push({ kind: 'prompt', text: e.text });
    else if (e.kind === 'text') items.push({ kind: 'text', text: e.text });
    else if (e.kind === 'toolCall') {
      const item: Extract<HistoryItem, { kind: 'tool' }> = { kind: 'tool', toolUseId: e.toolUseId, line: toolLine(e) };
      byId.set(e.toolUseId, item);
      items.push(item);
    } else if (e.kind === 'toolResult') {
      const item = byId.get(e.toolUseId);
      if (item) Object.assign(item, { outcome: e.outcome, isError: e.isError });
    }
  }
  return items;
}

export function renderItem(item: HistoryItem): string {
  if (item.kind === 'prompt') return `❯ <b>${escapeHtml(clip(item.text, PROMPT_CHARS))}</b>`;
  if (item.kind === 'text') return escapeHtml(clip(item.text.trim(), TEXT_CHARS));
  const mark = item.outcome === undefined ? '…' : item.isError ? '✗' : '✓';
  return `${mark} <i>${escapeHtml(clip(item.line.replace(/\s+/g, ' '), 200))}${item.outcome ? ` → ${escapeHtml(clip(item.outcome, 80))}` : ''}</i>`;
}

/** Pages counted from the newest item back, each up to `pageChars` of rendered HTML (at least one item). */
export function paginate(rendered: readonly string[], pageChars = PAGE_CHARS): string[][] {
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

/** Page `page` (0 = newest) of the transcript at `path`. */
export async function readHistoryPage(path: string, page: number, options: { chunkBytes?: number; pageChars?: number } = {}): Promise<HistoryResult> {
  const chunkBytes = options.chunkBytes ?? CHUNK_BYTES;
  const pageChars = options.pageChars ?? PAGE_CHARS;
  const opened = await openTranscript(path);
  if (!opened.ok) return opened;
  const handle = opened.handle;
  try {
    const { size } = await handle.stat();
    let position = size;
    let carry = Buffer.alloc(0); // the start of the earliest line read so far, not yet complete
    let lines: string[] = [];
    let renderedChars = 0;
    // Enough for the page asked for and one item more (to know whether older ones exist). Chunks are sized up as
    // they come; the lines read are then parsed once, in order, so every result finds its call.
    while (position > 0 && renderedChars <= (page + 1) * pageChars + 1) {
      const length = Math.min(chunkBytes, position);
      position -= length;
      const chunk = Buffer.allocUnsafe(length);
      await handle.read(chunk, 0, length, position);
      let bytes = Buffer.concat([chunk, carry]);
      let start = 0;
      if (position > 0) {
        const firstNewline = bytes.indexOf(0x0a);
        if (firstNewline < 0) {
          carry = bytes; // one line longer than the chunk: read on
          continue;
        }
        start = firstNewline + 1;
      }
      carry = bytes.subarray(0, start);
      bytes = bytes.subarray(start);
      const chunkLines = bytes.toString('utf8').split('\n');
      renderedChars += historyItems(parseLines(chunkLines, {}).events).reduce((sum, item) => sum + renderItem(item).length + 2, 0);
      lines = [...chunkLines, ...lines];
    }
    const rendered = historyItems(parseLines(lines, {}).events).map(renderItem);
    const pages = paginate(rendered, pageChars);
    const shown = Math.min(page, Math.max(0, pages.length - 1));
    const hasOlder = shown < pages.length - 1 || (position > 0 && pages.length > 0);
    return { ok: true, html: (pages[shown] ?? []).join('\n\n'), page: shown, hasOlder };
  } catch (err) {
    return { ok: false, missing: false, error: String((err as Error).message) };
  } finally {
    await handle.close().catch(() => {});
  }
}
