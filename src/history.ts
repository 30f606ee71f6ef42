/** /history's pages: a session's conversation as items, rendered and cut into pages, newest first. It reads back
 * from the transcript's end (transcript-reader.ts) only as far as the page asked for needs. */
import { clip, escapeHtml } from './format.js';
import { readBefore, type ReadFailure } from './transcript-reader.js';
import { parseLines, toolLine } from './transcript.js';

const CHUNK_BYTES = 256 * 1024;
/** A page's items, rendered; the title and Telegram's 4096 leave room around it. */
const PAGE_CHARS = 3_000;
const [PROMPT_CHARS, TEXT_CHARS] = [500, 800];
/** The oldest page shown: a page number comes from a button's callback data, and each page further back is read
 * from the end again, so the reading a press can cause stays bounded (the transcript on disk holds the rest). */
const LAST_PAGE = 99;

/** Page `page` (0 = newest) of the transcript at `path`: Telegram HTML of its items in conversation order (empty
 * when there are none), the page shown (the oldest when `page` is past it), and whether older pages exist. */
export async function readHistoryPage(path: string, page: number,
  { chunkBytes = CHUNK_BYTES, pageChars = PAGE_CHARS }: { chunkBytes?: number; pageChars?: number } = {},
): Promise<{ ok: true; html: string; page: number; hasOlder: boolean } | ReadFailure> {
  const wanted = Math.min(Math.max(0, page), LAST_PAGE);
  const chunks: string[][] = []; // from the end back, joined once at the end: no copying per chunk
  let start: number | undefined;
  let renderedChars = 0;
  // Enough for the page asked for and one item more (to know whether older ones exist). Chunks are sized up as
  // they come; the lines read are then parsed once, in order, so every result finds its call.
  while (start !== 0 && renderedChars <= (wanted + 1) * pageChars + 1) {
    const read = await readBefore(path, start, chunkBytes);
    if (!read.ok) return read;
    chunks.push(read.lines);
    start = read.start;
    renderedChars += render(read.lines).reduce((sum, item) => sum + item.length + 2, 0);
  }
  const pages = paginate(render(chunks.reverse().flat()), pageChars);
  const shown = Math.min(wanted, Math.max(0, pages.length - 1));
  const hasOlder = shown < LAST_PAGE && (shown < pages.length - 1 || (start !== 0 && pages.length > 0));
  return { ok: true, html: (pages[shown] ?? []).join('\n\n'), page: shown, hasOlder };
}

/** The items of transcript lines, rendered: prompts, texts, and tool calls, each with its result's outcome. */
function render(lines: string[]): string[] {
  const items: string[] = [];
  const calls = new Map<string, { at: number; line: string }>();
  for (const e of parseLines(lines, {}).events) {
    if (e.kind === 'prompt') items.push(`❯ <b>${escapeHtml(clip(e.text, PROMPT_CHARS))}</b>`);
    else if (e.kind === 'text') items.push(escapeHtml(clip(e.text.trim(), TEXT_CHARS)));
    else if (e.kind === 'toolCall') {
      calls.set(e.toolUseId, { at: items.length, line: toolLine(e) });
      items.push(toolItem(toolLine(e)));
    } else if (e.kind === 'toolResult') {
      const call = calls.get(e.toolUseId);
      if (call) items[call.at] = toolItem(call.line, e.outcome, e.isError);
    }
  }
  return items;
}

function toolItem(line: string, outcome?: string, isError?: boolean): string {
  const mark = outcome === undefined ? '…' : isError ? '✗' : '✓';
  const after = outcome ? ` → ${escapeHtml(clip(outcome, 80))}` : '';
  return `${mark} <i>${escapeHtml(clip(line.replace(/\s+/g, ' '), 200))}${after}</i>`;
}

/** Pages counted from the newest item back, each up to `pageChars` of rendered HTML (at least one item). */
function paginate(rendered: readonly string[], pageChars: number): string[][] {
  const pages: string[][] = [];
  let size = Infinity; // of the page being filled: none yet
  for (const item of [...rendered].reverse()) {
    if (size + item.length + 2 > pageChars) {
      pages.push([]);
      size = 0;
    }
    pages.at(-1)!.unshift(item);
    size += item.length + 2;
  }
  return pages;
}
