/** A tool call and its result, one line each: what the call does, how it ended. Pure; transcript.ts pairs the two. */
import { clip, firstLine } from './format.js';
import { isObject } from './values.cjs';

/** Claude Code's marker for a turn or a tool call the person interrupted. */
export const INTERRUPTED = /^\[Request interrupted by user(?: for tool use)?\]/;

/** Plan approval shows the plan in the chat; a longer one is cut (the pending calls are saved). */
const PLAN_KEPT_CHARS = 16_000;

/** What a result summary needs of a call's input, kept small: it is saved with the pending calls. ExitPlanMode keeps
 * its plan while Claude waits for approval: "Ready to code?" shows it. */
export function smallInput(input: unknown): unknown {
  if (!isObject(input)) return undefined;
  const keep: Record<string, unknown> = {};
  if (typeof input.plan === 'string') keep.plan = clip(input.plan, PLAN_KEPT_CHARS);
  for (const key of ['old_string', 'new_string', 'content']) {
    if (typeof input[key] === 'string') keep[`${key}_lines`] = lineCount(input[key] as string);
  }
  return keep;
}

/** One line saying what a tool call does: its command, path, pattern, URL, query or description. */
export function summarizeToolInput(name: string, input: unknown): string {
  const i = isObject(input) ? input : {};
  const str = (key: string) => (typeof i[key] === 'string' ? (i[key] as string) : '');
  const question = Array.isArray(i.questions) && isObject(i.questions[0]) ? i.questions[0].question : undefined;
  const summary = (): string => {
    switch (name) {
      case 'Bash': return str('command');
      case 'Read': case 'Write': case 'Edit': case 'MultiEdit': return str('file_path');
      case 'NotebookEdit': return str('notebook_path');
      case 'Grep': case 'Glob': return str('path') ? `${str('pattern')} in ${str('path')}` : str('pattern');
      case 'WebFetch': return str('url');
      case 'WebSearch': return str('query');
      case 'Task': case 'Agent': return str('description') || str('prompt');
      case 'TodoWrite': return count(Array.isArray(i.todos) ? i.todos.length : 0, 'todo');
      case 'AskUserQuestion': return typeof question === 'string' ? question : str('question');
      case 'ExitPlanMode': return 'plan';
      default: return Object.values(i).find((v): v is string => typeof v === 'string' && v.length > 0) ?? '';
    }
  };
  return clip(firstLine(summary()), 120);
}

/** One line saying how a call ended: "Read 42 lines", "Output 3 lines", "+3 −1", "Error: …", "Interrupted". */
export function summarizeToolResult(call: { name: string; input?: unknown }, content: unknown, isError: boolean,
  toolUseResult?: unknown): string {
  const text = resultText(content);
  const r = isObject(toolUseResult) ? toolUseResult : {};
  const input = isObject(call.input) ? call.input : {};
  if (INTERRUPTED.test(text.trim()) || r.interrupted === true) return 'Interrupted';
  const error = firstLine(text.replace(/^<tool_use_error>|<\/tool_use_error>$/g, ''));
  if (isError) return clip(`Error: ${error || 'failed'}`, 160);
  switch (call.name) {
    case 'Bash': {
      const stderr = typeof r.stderr === 'string' && r.stderr ? `\n${r.stderr}` : '';
      const n = lineCount((typeof r.stdout === 'string' ? `${r.stdout}${stderr}` : text).trim());
      return n === 0 ? 'No output' : `Output ${count(n, 'line')}`;
    }
    case 'Read': {
      const file = isObject(r.file) ? r.file : {};
      return `Read ${count(typeof file.numLines === 'number' ? file.numLines : lineCount(text), 'line')}`;
    }
    case 'Edit': case 'MultiEdit': {
      if (!Array.isArray(r.structuredPatch)) return `+${num(input.new_string_lines)} −${num(input.old_string_lines)}`;
      const patch = r.structuredPatch.flatMap((h) => (isObject(h) && Array.isArray(h.lines) ? h.lines : []));
      const signed = (sign: string) => patch.filter((line) => typeof line === 'string' && line.startsWith(sign));
      return `+${signed('+').length} −${signed('-').length}`;
    }
    case 'Write': {
      const written = typeof r.content === 'string' ? lineCount(r.content) : 0;
      return `Wrote ${count(num(input.content_lines) || written, 'line')}`;
    }
    case 'Grep': case 'Glob': {
      const found = Array.isArray(r.filenames) ? r.filenames.length : lineCount(text.trim());
      return `Found ${count(typeof r.numFiles === 'number' ? r.numFiles : found, 'file')}`;
    }
    case 'AskUserQuestion': {
      const answers = isObject(r.answers) ? Object.values(r.answers).filter((v) => typeof v === 'string') : [];
      return clip(answers.length > 0 ? `Answered: ${answers.join(', ')}` : firstLine(text), 160);
    }
    default: return clip(firstLine(text) || 'Done', 160);
  }
}

function resultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((b) => (isObject(b) && typeof b.text === 'string' ? b.text : '')).join('\n');
}

const count = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function lineCount(text: string): number {
  if (text === '') return 0;
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0 && i < text.length - 1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}
