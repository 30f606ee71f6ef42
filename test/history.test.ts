import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readHistoryPage } from '#ccbot/history.js';
import { SAMPLES } from './samples.js';

const at = '2026-11-23T20:00:00.000Z';
let n = 0;
const entry = (fields: object) => JSON.stringify({ parentUuid: null, isSidechain: false, uuid: `u${n++}`, timestamp: at, ...fields });
const prompt = (text: string) => entry({ type: 'user', message: { role: 'user', content: text } });
const answer = (text: string) => entry({ type: 'assistant', message: { role: 'assistant', model: 'm', content: [{ type: 'text', text }], stop_reason: 'end_turn' } });
const call = (id: string, command: string) => entry({ type: 'assistant', message: { role: 'assistant', model: 'm', content: [{ type: 'tool_use', id, name: 'Bash', input: { command } }], stop_reason: 'tool_use' } });
const result = (id: string, out: string) => entry({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content: out }] } });
const noise = (size: number) => JSON.stringify({ type: 'api-request-blob', blob: 'z'.repeat(size) });

interface Ctx { dir: string; path: string }
const read = suite<Ctx>('readHistoryPage');
read.before.each((ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'ccbot-history-'));
  ctx.path = join(ctx.dir, 't.jsonl');
});
read.after.each((ctx) => rmSync(ctx.dir, { recursive: true, force: true }));

read('page 0 holds the newest items in conversation order; older pages go back in time', async ({ path }) => {
  const lines: string[] = [];
  for (let i = 0; i < 40; i++) lines.push(prompt(`question ${i}`), answer(`answer ${i} ${'.'.repeat(200)}`));
  writeFileSync(path, `${lines.join('\n')}\n`);
  const newest = await readHistoryPage(path, 0, { pageChars: 1_000 });
  assert.ok(newest.ok);
  assert.ok(newest.hasOlder);
  assert.match(newest.html, /question 39[\s\S]*answer 39/);
  assert.not.match(newest.html, 'question 0<');
  const older = await readHistoryPage(path, 1, { pageChars: 1_000 });
  assert.ok(older.ok);
  assert.not.match(older.html, 'question 39');
  const beyond = await readHistoryPage(path, 999, { pageChars: 1_000 });
  assert.ok(beyond.ok);
  assert.not.ok(beyond.hasOlder, 'the oldest page');
  assert.match(beyond.html, 'question 0<');
  assert.ok(beyond.page < 999);
});
read('a page number past the 100th (from a button) is clamped: reading stops there, no ▶ beyond it', async ({ path }) => {
  writeFileSync(path, `${Array.from({ length: 300 }, (_, i) => answer(`item ${i}`)).join('\n')}\n`);
  const far = await readHistoryPage(path, 999_999, { pageChars: 12 }); // one item per page
  assert.ok(far.ok);
  assert.equal([far.page, far.hasOlder, far.html], [99, false, 'item 200']);
  const before = await readHistoryPage(path, 98, { pageChars: 12 });
  assert.ok(before.ok && before.hasOlder && before.html === 'item 201');
});
read('small chunks: lines straddling chunks, a line longer than a chunk, a result read before its call', async ({ path }) => {
  writeFileSync(path, [prompt('run it'), call('t1', 'echo hi'), noise(5_000), result('t1', 'hi'), answer('ran: hi'), ''].join('\n'));
  const page = await readHistoryPage(path, 0, { chunkBytes: 200 });
  assert.ok(page.ok);
  assert.match(page.html, /❯ <b>run it<\/b>[\s\S]*Bash: echo hi → Output 1 line[\s\S]*ran: hi/);
  assert.not.ok(page.hasOlder);
});
read('the real sample transcript, from its end', async () => {
  const page = await readHistoryPage(join(SAMPLES, 'transcript-resumed.jsonl'), 0);
  assert.ok(page.ok);
  assert.match(page.html, /echo: after resume/);
  assert.not.match(page.html, 'api-request');
});
read('a missing file is missing; an empty one has nothing', async ({ dir, path }) => {
  const missing = await readHistoryPage(join(dir, 'nope.jsonl'), 0);
  assert.ok(!missing.ok && missing.kind === 'missing');
  writeFileSync(path, '');
  const empty = await readHistoryPage(path, 0);
  assert.ok(empty.ok);
  assert.is(empty.html, '');
  assert.not.ok(empty.hasOlder);
});

const pure = suite<Ctx>('items, rendering, pages');
pure.before.each((ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'ccbot-history-'));
  ctx.path = join(ctx.dir, 't.jsonl');
});
pure.after.each((ctx) => rmSync(ctx.dir, { recursive: true, force: true }));
const toolTurn = (tool: object, result: object) => [
  entry({ type: 'assistant', message: { role: 'assistant', model: 'm', content: [{ type: 'tool_use', ...tool }] } }),
  entry({ type: 'user', message: { role: 'user', content: [{ type: 'tool_result', ...result }] } }),
];
pure('items keep order; results fill their call; HTML is escaped', async ({ path }) => {
  const [call, done] = toolTurn({ id: 't', name: 'Read', input: { file_path: '/x' } }, { tool_use_id: 't', content: 'a\nb\nc' });
  writeFileSync(path, [prompt('a <b> & c'), call, done, answer('done'), ''].join('\n'));
  const page = await readHistoryPage(path, 0);
  assert.ok(page.ok);
  assert.is(page.html, ['❯ <b>a &lt;b&gt; &amp; c</b>', '✓ <i>Read: /x → Read 3 lines</i>', 'done'].join('\n\n'));
});
pure('pages are cut from the newest item back', async ({ path }) => {
  writeFileSync(path, ['aaaa', 'bbbb', 'cccc', 'dddd', 'eeee'].map(answer).join('\n'));
  const pages = await Promise.all([0, 1, 2].map((n) => readHistoryPage(path, n, { pageChars: 13 })));
  assert.equal(pages.map((p) => p.ok && [p.html, p.hasOlder]), [['dddd\n\neeee', true], ['bbbb\n\ncccc', true], ['aaaa', false]]);
});

read.run();
pure.run();
