/**
 * A tool call and its result, one line each: what the call does, how it ended. Pure; transcript.ts pairs the two.
 */
import { clip, firstLine } from './format.js';
import { isObject } from './values.js';

/** Claude Code's marker for a turn or a tool call the person interrupted. */
export const INTERRUPTED = /^\[Request interrupted by user(?: for tool use)?\]/;

/** What a result summary needs of a call's input, kept small: it is saved with the pending calls. */
export function smallInput(input: unknown): unknown {
  if (!isObject(input)) return undefined;
  const keep: Record<string, unknown> = {};
  for (const key of ['old_string', 'new_string', 'content']) {
    if (typeof input[key] === 'string') keep[`${key}_lines`] = lineCount(input[key] as string);
  }
  return keep;
}

/** One line saying what a tool call does: its command, path, pattern, URL, query or description. */
export function summarizeToolInput(name: string, input: unknown): string {
  const i = isObject(input) ? input : {};
  const str = (key: string) => (typeof i[key] === 'string' ? (i[key] as string) : '');
  let summary: string;
  switch (name) {
    case 'Bash':
      summary = str('command');
      break;
    case 'Read':
    case 'Write':
    case 'Edit':
    case 'MultiEdit':
      summary = str('file_path');
      break;
    case 'NotebookEdit':
      summary = str('notebook_path');
      break;
    case 'Grep':
    case 'Glob':
      summary = str('path') ? `${str('pattern')} in ${str('path')}` : str('pattern');
      break;
    case 'WebFetch':
      summary = str('url');
      break;
    case 'WebSearch':
      summary = str('query');
      break;
    case 'Task':
    case 'Agent':
      summary = str('description') || str('prompt');
      break;
    case 'TodoWrite': {
      const todos = Array.isArray(i.todos) ? i.todos.length : 0;
      summary = `${todos} todo${todos === 1 ? '' : 's'}`;
      break;
    }
    case 'AskUserQuestion': {
      const first = Array.isArray(i.questions) && isObject(i.questions[0]) ? i.questions[0] : {};
      summary = typeof first.question === 'string' ? first.question : str('question');
      break;
    }
    case 'ExitPlanMode':
      summary = 'plan';
      break;
    default:
      summary = Object.values(i).find((v): v is string => typeof v === 'string' && v.length > 0) ?? '';
  }
  return clip(firstLine(summary), 120);
}

/** One line saying how a call ended: "Read 42 lines", "Output 3 lines", "+3 −1", "Error: …", "Interrupted". */
export function summarizeToolResult(
  call: { name: string; input?: unknown }, content: unknown, isError: boolean, toolUseResult?: unknown,
): string {
  const text = resultText(content);
  const r = isObject(toolUseResult) ? toolUseResult : {};
  const input = isObject(call.input) ? call.input : {};
  const lines = (n: number, what: string) => `${what} ${n} line${n === 1 ? '' : 's'}`;
  if (INTERRUPTED.test(text.trim()) || r.interrupted === true) return 'Interrupted';
  const error = firstLine(text.replace(/^<tool_use_error>|<\/tool_use_error>$/g, ''));
  if (isError) return clip(`Error: ${error || 'failed'}`, 160);
  switch (call.name) {
    case 'Bash': {
      const stderr = typeof r.stderr === 'string' && r.stderr ? `\n${r.stderr}` : '';
      const n = lineCount((typeof r.stdout === 'string' ? `${r.stdout}${stderr}` : text).trim());
      return n === 0 ? 'No output' : lines(n, 'Output');
    }
    case 'Read': {
      const file = isObject(r.file) ? r.file : {};
      return lines(typeof file.numLines === 'number' ? file.numLines : lineCount(text), 'Read');
    }
    case 'Edit':
    case 'MultiEdit': {
      if (!Array.isArray(r.structuredPatch)) return `+${num(input.new_string_lines)} −${num(input.old_string_lines)}`;
      const patch = r.structuredPatch.flatMap((h) => (isObject(h) && Array.isArray(h.lines) ? h.lines : []));
      const count = (sign: string) => patch.filter((line) => typeof line === 'string' && line.startsWith(sign)).length;
      return `+${count('+')} −${count('-')}`;
    }
    case 'Write':
      return lines(num(input.content_lines) || (typeof r.content === 'string' ? lineCount(r.content) : 0), 'Wrote');
    case 'Grep':
    case 'Glob': {
      const found = Array.isArray(r.filenames) ? r.filenames.length : lineCount(text.trim());
      const n = typeof r.numFiles === 'number' ? r.numFiles : found;
      return `Found ${n} file${n === 1 ? '' : 's'}`;
    }
    case 'AskUserQuestion': {
      const answers = isObject(r.answers) ? Object.values(r.answers).filter((v) => typeof v === 'string') : [];
      return clip(answers.length > 0 ? `Answered: ${answers.join(', ')}` : firstLine(text), 160);
    }
    default:
      return clip(firstLine(text) || 'Done', 160);
  }
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((b) => (isObject(b) && typeof b.text === 'string' ? b.text : '')).join('\n');
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function lineCount(text: string): number {
  if (text === '') return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < text.length - 1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
