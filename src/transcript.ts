/** Claude Code's JSONL transcript parsed into events, each tool call paired with its result by tool_use_id. Pure:
 * reading the file is transcript-reader.ts. Facts from real Claude Code 2.1.328 transcripts. */
import { firstLine } from './format.js';
import { stripAnsi } from './terminal.js';
import { INTERRUPTED, smallInput, summarizeToolInput, summarizeToolResult } from './tool-summary.js';
import { isObject } from './values.cjs';

/** Where an event came from: the entry's uuid (stable across re-reads) and its timestamp in ms (0: none). */
type Origin = { uuid: string; at: number };

export type TranscriptEvent =
  /** What the person typed, system reminders out, pastes unwrapped. `command`: a slash command or a `!` bash-mode
   * one, which Claude Code runs without asking Claude. */
  | ({ kind: 'prompt'; text: string; command?: true } & Origin)
  /** `message`: the API message's id; Claude Code writes each content block of one message as its own entry. */
  | ({ kind: 'text'; text: string; message?: string } & Origin)
  | ({ kind: 'thinking'; text: string } & Origin)
  /** `summary` is one line: the Bash command, the Read/Edit/Write path, the Grep pattern, … */
  | ({ kind: 'toolCall'; toolUseId: string; name: string; summary: string; input: unknown } & Origin)
  /** Paired with its call by tool_use_id; `outcome` is one line ("Read 42 lines", "+3 −1", "Error: …"). */
  | ({ kind: 'toolResult'; toolUseId: string; name: string; summary: string; outcome: string; isError: boolean }
    & Origin)
  /** Output of a local slash command (/cost, /model, …) or of a bash-mode one. */
  | ({ kind: 'commandOutput'; text: string } & Origin)
  /** Token usage of an assistant entry, for the context fill. */
  | ({ kind: 'usage'; model: string; contextTokens: number } & Origin)
  /** The turn ended: assistant stop_reason end_turn / stop_sequence / max_tokens, or system turn_duration. */
  | ({ kind: 'turnEnd'; reason: string } & Origin)
  | ({ kind: 'apiError'; text: string } & Origin)
  /** Claude Code's own title for the conversation (an `ai-title` entry, written when its side request answered). */
  | ({ kind: 'title'; text: string } & Origin);

/** Tool calls whose result has not come yet, by tool_use_id. Plain JSON: saved with the offset, so a result
 * read after a daemon restart still finds its call. */
export type PendingCalls = Record<string, { name: string; summary: string; input?: unknown }>;
const PENDING_KEPT = 200;

/** Entry types that never carry conversation (api-request-blob holds copies of prompts that must never show as the
 * person's); checked on the raw line so their (often large) JSON is not parsed. */
const SKIPPED_TYPE = /^\{"type":"(?!user"|assistant"|system")/;
const ATTACHMENT = /^\{"parentUuid":[^,]*,"isSidechain":(?:true|false),"attachment":/;
/** A line (or a line's start) of an entry that is never shown. */
export const isNoise = (line: string): boolean => SKIPPED_TYPE.test(line) || ATTACHMENT.test(line);
// Claude Code's own user entries open with one of its tags: slash commands, their output, bash mode. Only these
// exact tags: a prompt the person typed may well start with `<`.
const OWN_TAG = /^<(command-name|command-message|command-args|local-command-[a-z]+|bash-[a-z]+)>/;
const COMMAND_OUTPUT = /<(?:local-command|bash)-std(?:out|err)>([\s\S]*?)<\/(?:local-command|bash)-std(?:out|err)>/g;

/** The events of complete transcript lines, in order. Pure and total: a line that is not a JSON object counts as
 * malformed and is skipped; unknown entry types are ignored. `pending` is not changed; the result has the new one. */
export function parseLines(
  lines: readonly string[], pending: PendingCalls,
): { events: TranscriptEvent[]; pending: PendingCalls; malformed: number } {
  const events: TranscriptEvent[] = [];
  const calls: PendingCalls = { ...pending };
  let malformed = 0;
  for (const line of lines) {
    if (line.trim() === '' || (isNoise(line) && !line.startsWith('{"type":"ai-title"'))) continue;
    let entry: unknown = null;
    try {
      entry = JSON.parse(line);
    } catch {
      // not JSON: malformed, like JSON that is no object
    }
    if (isObject(entry)) parseEntry(entry, calls, events);
    else malformed++;
  }
  const ids = Object.keys(calls);
  for (const id of ids.slice(0, Math.max(0, ids.length - PENDING_KEPT))) delete calls[id];
  return { events, pending: calls, malformed };
}

function parseEntry(entry: Record<string, unknown>, calls: PendingCalls, out: TranscriptEvent[]): void {
  // Sub-agents write their own conversation into the same file; meta entries are Claude Code's own notes; /compact's
  // summary is a user entry the person never typed (and quotes old command output).
  if (entry.isSidechain === true || entry.isMeta === true || entry.isCompactSummary === true) return;
  const title = entry.type === 'ai-title' && typeof entry.aiTitle === 'string' ? entry.aiTitle : '';
  if (title) return void out.push({ kind: 'title', text: title, uuid: '', at: 0 }); // at 0: not filtered as the past
  const time = typeof entry.timestamp === 'string' ? Date.parse(entry.timestamp) : NaN;
  const origin = { uuid: typeof entry.uuid === 'string' ? entry.uuid : '', at: Number.isFinite(time) ? time : 0 };
  if (entry.type === 'system') {
    if (entry.subtype === 'turn_duration') out.push({ kind: 'turnEnd', reason: 'turn_duration', ...origin });
    else if (entry.subtype === 'api_error' || entry.level === 'error') {
      const text = typeof entry.content === 'string' ? entry.content : 'API error';
      out.push({ kind: 'apiError', text: firstLine(text), ...origin });
    } else if (entry.subtype === 'local_command' && typeof entry.content === 'string') {
      const output = commandOutput(entry.content);
      if (output !== null) out.push({ kind: 'commandOutput', text: output, ...origin });
    }
    return;
  }
  if (!isObject(entry.message)) return;
  if (entry.type === 'user') return parseUser(entry, entry.message, origin, calls, out);
  if (entry.type === 'assistant') return parseAssistant(entry, entry.message, origin, calls, out);
}

type Entry = Record<string, unknown>;

function parseUser(entry: Entry, message: Entry, origin: Origin, calls: PendingCalls, out: TranscriptEvent[]): void {
  const content = message.content;
  if (typeof content === 'string') return userText(content, origin, out);
  if (!Array.isArray(content)) return;
  const texts: string[] = [];
  for (const block of content) {
    if (!isObject(block)) continue;
    if (block.type === 'tool_result' && typeof block.tool_use_id === 'string') {
      const call = calls[block.tool_use_id];
      delete calls[block.tool_use_id];
      const isError = block.is_error === true;
      const name = call?.name ?? 'tool';
      const outcome = summarizeToolResult({ name, input: call?.input }, block.content, isError, entry.toolUseResult);
      const summary = call?.summary ?? '';
      out.push({ kind: 'toolResult', toolUseId: block.tool_use_id, name, summary, outcome, isError, ...origin });
    } else if (block.type === 'text' && typeof block.text === 'string') {
      texts.push(block.text);
    }
  }
  if (texts.length > 0) userText(texts.join('\n'), origin, out);
}

/** A person's text entry, the one rule for what they typed: a prompt; a slash or bash-mode command (a prompt with
 * `command`); a command's output; Claude Code's interrupt marker; or Claude Code's note to the model (dropped). */
function userText(raw: string, origin: Origin, out: TranscriptEvent[]): void {
  if (INTERRUPTED.test(raw.trim())) return void out.push({ kind: 'turnEnd', reason: 'interrupted', ...origin });
  const output = commandOutput(raw);
  if (output !== null) return void out.push({ kind: 'commandOutput', text: output, ...origin });
  if (OWN_TAG.test(raw.trimStart())) {
    const slash = /<command-name>([^<]*)<\/command-name>/.exec(raw)?.[1]?.trim().replace(/^\//, '');
    const args = /<command-args>([\s\S]*?)<\/command-args>/.exec(raw)?.[1]?.trim();
    const bash = /<bash-input>([\s\S]*?)<\/bash-input>/.exec(raw)?.[1]?.trim();
    const text = slash ? `/${slash}${args ? ` ${args}` : ''}` : bash ? `!${bash}` : '';
    if (text) out.push({ kind: 'prompt', text, command: true, ...origin });
    return;
  }
  const text = raw
    .replace(/<system-reminder>[\s\S]*?<\/system-reminder>/g, '')
    .replace(/<pasted_content[^>]*>([\s\S]*?)<\/pasted_content[^>]*>/g, '$1')
    .trim();
  if (text) out.push({ kind: 'prompt', text, ...origin });
}

/** What a local or bash-mode command printed, ANSI colours and key hints for the desk ("(ctrl+o to see full
 * summary)") out; null when `raw` is no command output. */
function commandOutput(raw: string): string | null {
  const parts = [...raw.matchAll(COMMAND_OUTPUT)].map((m) => m[1]!);
  return parts.length > 0 ? stripAnsi(parts.join('\n')).replace(/ *\(ctrl\+\w+ to [^)\n]*\)/g, '').trim() : null;
}

function parseAssistant(entry: Entry, message: Entry, origin: Origin, calls: PendingCalls, out: TranscriptEvent[]) {
  const content = Array.isArray(message.content) ? message.content : [];
  if (entry.isApiErrorMessage === true || (typeof entry.error === 'string' && entry.error)) {
    const text = content.map((b) => (isObject(b) && typeof b.text === 'string' ? b.text : '')).join(' ').trim();
    return void out.push({ kind: 'apiError', text: firstLine(text || String(entry.error ?? 'API error')), ...origin });
  }
  const id = typeof message.id === 'string' ? { message: message.id } : {};
  const says = (text: unknown): text is string => typeof text === 'string' && text.trim() !== '';
  for (const block of content) {
    if (!isObject(block)) continue;
    if (block.type === 'text' && says(block.text)) {
      out.push({ kind: 'text', text: block.text, ...id, ...origin });
    } else if (block.type === 'thinking' && says(block.thinking)) {
      out.push({ kind: 'thinking', text: block.thinking, ...origin });
    } else if (block.type === 'tool_use' && typeof block.id === 'string') {
      const name = typeof block.name === 'string' ? block.name : 'tool';
      const summary = summarizeToolInput(name, block.input);
      calls[block.id] = { name, summary, input: smallInput(block.input) };
      out.push({ kind: 'toolCall', toolUseId: block.id, name, summary, input: block.input, ...origin });
    }
  }
  const usage = isObject(message.usage) ? message.usage : undefined;
  if (usage) {
    const tokens = [usage.input_tokens, usage.cache_creation_input_tokens, usage.cache_read_input_tokens]
      .reduce<number>((sum, n) => sum + (typeof n === 'number' && Number.isFinite(n) ? n : 0), 0);
    const model = typeof message.model === 'string' ? message.model : '';
    if (tokens > 0) out.push({ kind: 'usage', model, contextTokens: tokens, ...origin });
  }
  const stop = message.stop_reason;
  if (stop === 'end_turn' || stop === 'stop_sequence' || stop === 'max_tokens') {
    out.push({ kind: 'turnEnd', reason: stop, ...origin });
  }
}

/** For Inspect and the switch preview: the last typed prompt (not a slash or bash-mode command; null: none) and its
 * answer (null: none yet): the text of the last assistant API message after it, so an earlier "let me check first" is
 * not taken for the answer, or the API error that ended it. */
export type Exchange = { prompt: string | null; answer: string | null };

export function lastExchange(events: readonly TranscriptEvent[]): Exchange {
  let prompt: string | null = null;
  let answer: { message?: string; texts: string[] } | null = null;
  for (const e of events) {
    if (e.kind === 'prompt' && !e.command) [prompt, answer] = [e.text, null]; // a newer prompt has no answer yet
    else if (e.kind === 'text' && e.message !== undefined && answer?.message === e.message) answer.texts.push(e.text);
    else if (e.kind === 'text') answer = { message: e.message, texts: [e.text] };
    else if (e.kind === 'apiError') answer = { texts: [e.text] };
  }
  return { prompt, answer: answer?.texts.join('\n').trim() || null };
}

/** A tool call as one line: `Bash: npm test`, `Read: src/a.ts`, or only the name. */
export const toolLine = (call: { name: string; summary: string }): string =>
  call.summary ? `${call.name}: ${call.summary}` : call.name;
