import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { TranscriptEvent } from '#ccbot/transcript.js';
import { findTranscript, readBefore, readEvents, readLastExchange, type Cursor } from '#ccbot/transcript-reader.js';
import { SAMPLES } from './samples.js';

const STARTUP = join(SAMPLES, 'transcript-startup.jsonl');
const SAMPLE_ID = '2061e677-6298-4b4d-a740-c2bde142a0dc';
const LAST_CHUNKS = Array.from({ length: 15 }, (_, i) => `chunk ${i + 1} of 15.`).join(' ');
/** readLastExchange's default tail. */
const TAIL_BYTES = 256 * 1024;

const line = (entry: object) => JSON.stringify(entry);
const user = (content: unknown) => line({ type: 'user', isSidechain: false, message: { role: 'user', content } });
const assistant = (id: string, blocks: object[]) => line({ type: 'assistant', isSidechain: false, message: { id, role: 'assistant', content: blocks } });
const text = (t: string) => ({ type: 'text', text: t });
const prompts = (events: TranscriptEvent[]) => events.flatMap((e) => (e.kind === 'prompt' ? [e.text] : []));

interface Ctx { dir: string; path: string; config: string; work: string }
const fixture = <T extends Ctx>(s: ReturnType<typeof suite<T>>) => {
  s.before.each((ctx) => {
    ctx.dir = mkdtempSync(join(tmpdir(), 'ccbot-transcript-'));
    ctx.path = join(ctx.dir, 't.jsonl');
    ctx.config = join(ctx.dir, 'claude');
    ctx.work = join(ctx.dir, 'work dir');
    mkdirSync(ctx.work);
  });
  s.after.each((ctx) => rmSync(ctx.dir, { recursive: true, force: true }));
  return s;
};
const place = (path: string, content: string) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
};
/** An archived session of the sample's Claude id in `workdir`: found by Claude Code's own place for it. */
const archived = (workdir: string) => ({ windowId: null, workdir, claudeSessionId: SAMPLE_ID });
const where = (ctx: Ctx) => ({ tmuxSession: 'ccbot', claudeConfigDir: ctx.config });

// ---------------------------------------------------------------------------------------------------------------

const forward = fixture(suite<Ctx>('readEvents'));

forward('a partial last line waits for its newline; the cursor stays before it', async ({ path }) => {
  writeFileSync(path, `${user('one')}\n${user('tw')}`);
  const first = await readEvents(path, { offset: 0 }, {});
  assert.ok(first.ok);
  assert.equal(prompts(first.events), ['one']);
  appendFileSync(path, '\n'); // the line's newline arrives
  const second = await readEvents(path, first.cursor, first.pending);
  assert.ok(second.ok);
  assert.equal(prompts(second.events), ['tw']);
  assert.not.ok(second.restarted);
});
forward('a multi-byte character split across reads is decoded whole', async ({ path }) => {
  writeFileSync(path, `${user('привет 世界 🙂')}\n${user('привет 世界 🙂')}\n`);
  let cursor: Cursor = { offset: 0 };
  const got: string[] = [];
  for (let i = 0; i < 50 && got.length < 2; i++) {
    const read = await readEvents(path, cursor, {}, { maxBytes: 7 });
    assert.ok(read.ok);
    got.push(...prompts(read.events));
    cursor = read.cursor;
  }
  assert.equal(got, ['привет 世界 🙂', 'привет 世界 🙂']);
});
forward('a line over 8 MB is skipped with a note, the cursor past it; the lines around it are read', async ({ path }) => {
  const big = assistant('m', [text('x'.repeat(10 * 1024 * 1024))]);
  writeFileSync(path, `${user('before')}\n${big}\n${user('after')}\n`);
  const got: TranscriptEvent[] = [];
  let cursor: Cursor = { offset: 0 };
  for (let i = 0; i < 5; i++) {
    const read = await readEvents(path, cursor, {}, { maxBytes: 64 * 1024 });
    assert.ok(read.ok);
    got.push(...read.events);
    cursor = read.cursor;
  }
  assert.equal(got.map((e) => (e.kind === 'prompt' || e.kind === 'text' ? e.text : e.kind)), ['before', '⚠ A transcript record over 8 MB was skipped.', 'after']);
  assert.is(cursor.offset, readFileSync(path).length);
});
forward('a long line still being written is skipped as it grows, never read again from its start', async ({ path }) => {
  const head = `${user('one')}\n`;
  writeFileSync(path, `${head}${'x'.repeat(5_000)}`);
  const first = await readEvents(path, { offset: 0 }, {}, { maxLineBytes: 1_000 });
  assert.ok(first.ok);
  assert.equal(prompts(first.events), ['one']);
  const second = await readEvents(path, first.cursor, {}, { maxLineBytes: 1_000 });
  assert.ok(second.ok);
  assert.equal(second.events.map((e) => e.kind), ['text'], 'the note');
  assert.is(second.cursor.offset, readFileSync(path).length, 'past what was written of it');
  const idle = await readEvents(path, second.cursor, {}, { maxLineBytes: 1_000 });
  assert.ok(idle.ok);
  assert.equal([idle.events, idle.cursor], [[], second.cursor]);
  appendFileSync(path, `${'y'.repeat(3_000)}\n${user('two')}\n`);
  const third = await readEvents(path, idle.cursor, {}, { maxLineBytes: 1_000 });
  assert.ok(third.ok);
  assert.equal(prompts(third.events), ['two'], 'no second note, no malformed rest');
  assert.equal(third.cursor, { offset: readFileSync(path).length, ino: third.cursor.ino });
});
forward('a long entry that is never shown (an api-request copy) is skipped without a note', async ({ path }) => {
  writeFileSync(path, `${line({ type: 'api-request-blob', blob: 'z'.repeat(5_000) })}\n${user('next')}\n`);
  const first = await readEvents(path, { offset: 0 }, {}, { maxLineBytes: 1_000 });
  assert.ok(first.ok);
  assert.equal(first.events, []);
  const second = await readEvents(path, first.cursor, {}, { maxLineBytes: 1_000 });
  assert.ok(second.ok);
  assert.equal(prompts(second.events), ['next']);
});
forward('a file that shrank, or was replaced, is read again from its start', async ({ path, dir }) => {
  writeFileSync(path, `${user('one')}\n${user('two')}\n`);
  const first = await readEvents(path, { offset: 0 }, {});
  assert.ok(first.ok);
  truncateSync(path, 0);
  writeFileSync(path, `${user('new')}\n`);
  const shrunk = await readEvents(path, first.cursor, {});
  assert.ok(shrunk.ok && shrunk.restarted);
  assert.equal(prompts(shrunk.events), ['new']);
  const other = join(dir, 'other.jsonl');
  writeFileSync(other, `${user('replaced')}\n${user('and longer')}\n${user('than before')}\n`);
  renameSync(other, path);
  const replaced = await readEvents(path, shrunk.cursor, {});
  assert.ok(replaced.ok && replaced.restarted, 'another inode');
  assert.equal(prompts(replaced.events), ['replaced', 'and longer', 'than before']);
});
forward('a missing file is reported as missing', async ({ dir }) => {
  const read = await readEvents(join(dir, 'nope.jsonl'), { offset: 0 }, {});
  assert.ok(!read.ok && read.kind === 'missing');
});
forward('a malformed line is skipped, never stalling the reader', async ({ path }) => {
  writeFileSync(path, `${user('a')}\nnot json\n${user('b')}\n`);
  const read = await readEvents(path, { offset: 0 }, {});
  assert.ok(read.ok);
  assert.equal(prompts(read.events), ['a', 'b']);
  assert.is(read.cursor.offset, readFileSync(path).length);
});

forward.run();

// ---------------------------------------------------------------------------------------------------------------

const backward = fixture(suite<Ctx>('readBefore'));

backward('reads back page by page: each read ends where the last began, lines whole, down to 0', async ({ path }) => {
  const lines = Array.from({ length: 30 }, (_, i) => user(`line ${i} ${'.'.repeat(i * 7)}`));
  writeFileSync(path, `${lines.join('\n')}\n`);
  const got: string[] = [];
  let end: number | undefined;
  do {
    const read = await readBefore(path, end, 100);
    assert.ok(read.ok);
    assert.ok(end === undefined || read.start < end, 'always further back');
    got.unshift(...read.lines.filter((l) => l !== ''));
    end = read.start;
  } while (end > 0);
  assert.equal(got, lines);
});

backward('a line of 16 MB read back in 512-byte steps is read in linear time', async ({ path }) => {
  // Joining the chunks on every step copied the line again each time: about 256 GB here, minutes instead of a blink.
  const long = user('l'.repeat(16 * 1024 * 1024));
  writeFileSync(path, `${user('first')}\n${long}\n`);
  const read = await Promise.race([
    readBefore(path, undefined, 512),
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error('still reading after 30 s')), 30_000).unref()),
  ]);
  assert.ok(read.ok);
  assert.is(read.lines.at(-1), long);
});

backward.run();

// ---------------------------------------------------------------------------------------------------------------

const tail = fixture(suite<Ctx>('findTranscript + readLastExchange'));

tail('finds the transcript under projects/<workdir slug> and reads the exchange', async (ctx) => {
  const path = join(ctx.config, 'projects', ctx.work.replace(/[^a-zA-Z0-9]/g, '-'), `${SAMPLE_ID}.jsonl`);
  place(path, readFileSync(STARTUP, 'utf8'));
  assert.is(await findTranscript(archived(ctx.work), {}, where(ctx)), path);
  assert.equal(await readLastExchange(path), { ok: true, prompt: 'slow: 3', answer: LAST_CHUNKS });
});

tail('reads only the tail: a prompt before it is not seen, the last one is', async ({ path }) => {
  const filler = line({ type: 'api-request', params: { padding: 'x'.repeat(4_000) } });
  const answer = assistant('m', [text('yes')]);
  writeFileSync(path, [user('too far back'), ...Array(Math.ceil(TAIL_BYTES / 4_000) + 2).fill(filler), user('recent'), answer].join('\n') + '\n');
  assert.equal(await readLastExchange(path), { ok: true, prompt: 'recent', answer: 'yes' });
  const early = await readLastExchange(path, 10 * 4_000);
  assert.ok(early.ok && early.prompt === 'recent');
  const nothing = await readLastExchange(path, Buffer.byteLength(`${answer}\n`)); // only the answer fits
  assert.ok(nothing.ok && nothing.prompt === null && nothing.answer === 'yes');
});

tail('a tail that starts exactly at a line keeps that line', async ({ path }) => {
  const last = user('exactly at the edge');
  writeFileSync(path, `${user('before')}\n${last}\n`);
  const result = await readLastExchange(path, Buffer.byteLength(`${last}\n`));
  assert.ok(result.ok && result.prompt === 'exactly at the edge', JSON.stringify(result));
});

tail('a tail that starts inside a line never takes its cut part: the line comes whole', async ({ path }) => {
  const whole = user('whole');
  writeFileSync(path, `${user('before')}\n${whole}\n`);
  const result = await readLastExchange(path, Buffer.byteLength(`${whole}\n`) - 10);
  assert.equal(result, { ok: true, prompt: 'whole', answer: null });
});

tail('a workdir reached through a symlink is also looked up by its real path', async (ctx) => {
  const link = join(ctx.dir, 'link');
  symlinkSync(ctx.work, link);
  const real = join(ctx.config, 'projects', ctx.work.replace(/[^a-zA-Z0-9]/g, '-'), `${SAMPLE_ID}.jsonl`);
  place(real, user('through the link'));
  assert.is(await findTranscript(archived(link), {}, where(ctx)), real);
  assert.equal(await readLastExchange(real), { ok: true, prompt: 'through the link', answer: null });
});

tail('no transcript is a value naming where it looked', async (ctx) => {
  const path = await findTranscript(archived(ctx.work), {}, where(ctx));
  assert.is(path, join(ctx.config, 'projects', ctx.work.replace(/[^a-zA-Z0-9]/g, '-'), `${SAMPLE_ID}.jsonl`));
  const result = await readLastExchange(path!);
  assert.ok(!result.ok && result.kind === 'missing', JSON.stringify(result));
});

tail('an unreadable transcript is an error value, not a throw', async (ctx) => {
  const path = (await findTranscript(archived(ctx.work), {}, where(ctx)))!;
  mkdirSync(path, { recursive: true }); // a directory where the file should be
  const result = await readLastExchange(path);
  assert.ok(!result.ok && result.kind === 'unreadable' && result.error.includes('EISDIR'), JSON.stringify(result));
});

tail.run();

// ---------------------------------------------------------------------------------------------------------------

const find = suite('findTranscript');
const config = { tmuxSession: 'ccbot', claudeConfigDir: '/c' };
const entry = (transcript_path: string) => ({ session_id: 'x', cwd: '/w', window_name: 'w', transcript_path });

find('every non-alphanumeric character of the workdir becomes -', async () => {
  const mine = { windowId: null, workdir: '/home/dev/my проект_2.0', claudeSessionId: SAMPLE_ID };
  assert.is(await findTranscript(mine, {}, config), `/c/projects/-home-dev-my${'-'.repeat(8)}2-0/${SAMPLE_ID}.jsonl`);
  const other = { windowId: null, workdir: '/home/dev/work/proj-a', claudeSessionId: 'x' };
  assert.is(await findTranscript(other, {}, config), '/c/projects/-home-dev-work-proj-a/x.jsonl');
});

find('a session with a window: the path its hook recorded (after /clear, the new one), none before the hook', async () => {
  const live = { windowId: '@3', workdir: '/w', claudeSessionId: 'old' };
  assert.is(await findTranscript(live, { 'ccbot:@3': entry('/t/new.jsonl'), 'other:@3': entry('/t/no.jsonl') }, config), '/t/new.jsonl');
  assert.is(await findTranscript(live, {}, config), null);
  assert.is(await findTranscript({ windowId: null, workdir: '/w', claudeSessionId: null }, {}, config), null, 'no Claude id');
});

find.run();
