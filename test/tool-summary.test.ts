import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { smallInput, summarizeToolInput, summarizeToolResult } from '#ccbot/tool-summary.js';

const input = suite('summarizeToolInput');
input('one line per tool: command, path, pattern, URL, query, description, count, question', () => {
  const cases: [string, object, string][] = [
    ['Bash', { command: 'npm test\n  && echo done' }, 'npm test'],
    ['Read', { file_path: '/a/b.ts' }, '/a/b.ts'],
    ['Write', { file_path: '/a/c.ts', content: 'x' }, '/a/c.ts'],
    ['NotebookEdit', { notebook_path: '/n.ipynb' }, '/n.ipynb'],
    ['Grep', { pattern: 'TODO', path: 'src' }, 'TODO in src'],
    ['Glob', { pattern: '**/*.ts' }, '**/*.ts'],
    ['WebFetch', { url: 'https://example.com' }, 'https://example.com'],
    ['WebSearch', { query: 'tmux paste-buffer' }, 'tmux paste-buffer'],
    ['Task', { description: 'find callers', prompt: 'long' }, 'find callers'],
    ['TodoWrite', { todos: [{}, {}, {}] }, '3 todos'],
    ['AskUserQuestion', { questions: [{ question: 'which?' }] }, 'which?'],
    ['ExitPlanMode', { plan: '...' }, 'plan'],
    ['mcp__x__y', { thing: 'value' }, 'value'],
  ];
  for (const [name, args, want] of cases) assert.is(summarizeToolInput(name, args), want, name);
  assert.ok(summarizeToolInput('Bash', { command: 'x'.repeat(500) }).length <= 120);
});

const outcome = suite('summarizeToolResult');
outcome('outcomes from what the result says', () => {
  assert.is(summarizeToolResult({ name: 'Bash' }, 'a\nb\nc\n', false), 'Output 3 lines');
  assert.is(summarizeToolResult({ name: 'Bash' }, '', false, { stdout: '', stderr: '' }), 'No output');
  assert.is(summarizeToolResult({ name: 'Edit' }, 'ok', false, { structuredPatch: [{ lines: [' c', '-b', '+a', '+d'] }] }), '+2 −1');
  assert.is(summarizeToolResult({ name: 'Grep' }, 'x', false, { numFiles: 5 }), 'Found 5 files');
  assert.is(summarizeToolResult({ name: 'Read' }, 'x', true), 'Error: x');
  assert.is(summarizeToolResult({ name: 'Bash' }, '<tool_use_error>Exit code 1\nmore</tool_use_error>', true), 'Error: Exit code 1');
  assert.is(summarizeToolResult({ name: 'Write', input: { content_lines: 12 } }, 'ok', false), 'Wrote 12 lines');
});

const small = suite('smallInput');
small('keeps line counts of edits, and the plan of ExitPlanMode (its approval shows it), cut when very long', () => {
  assert.equal(smallInput({ file_path: '/a', old_string: 'a\nb', new_string: 'c' }), { old_string_lines: 2, new_string_lines: 1 });
  assert.equal(smallInput({ plan: '# Plan\n\n1. Do it.', planFilePath: '/p.md' }), { plan: '# Plan\n\n1. Do it.' });
  const long = smallInput({ plan: 'x'.repeat(50_000) }) as { plan: string };
  assert.ok(long.plan.length <= 16_000 && long.plan.endsWith('…'));
});

input.run();
outcome.run();
small.run();
