import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { lastExchange, readLastExchange, TAIL_BYTES, transcriptPath } from '#ccbot/inspect.js';
import { SAMPLES } from './samples.js';

const STARTUP = join(SAMPLES, 'transcript-startup.jsonl');
const RESUMED = join(SAMPLES, 'transcript-resumed.jsonl');
const SAMPLE_ID = '2061e677-6298-4b4d-a740-c2bde142a0dc';
const LAST_CHUNKS = Array.from({ length: 15 }, (_, i) => `chunk ${i + 1} of 15.`).join(' ');

const line = (entry: object) => JSON.stringify(entry);
const user = (content: unknown, extra: object = {}) => line({ type: 'user', isSidechain: false, message: { role: 'user', content }, ...extra });
const assistant = (id: string, blocks: object[], extra: object = {}) =>
  line({ type: 'assistant', isSidechain: false, message: { id, role: 'assistant', content: blocks }, ...extra });
const text = (t: string) => ({ type: 'text', text: t });

// ---------------------------------------------------------------------------------------------------------------

const parse = suite('lastExchange');

parse('the real 2.1.328 transcript: the last typed prompt and the whole last answer', () => {
  const exchange = lastExchange(readFileSync(STARTUP, 'utf8'));
  assert.is(exchange.prompt, 'slow: 3');
  assert.is(exchange.answer, LAST_CHUNKS);
});

parse('the resumed transcript ends with the prompt typed after --resume', () => {
  assert.equal(lastExchange(readFileSync(RESUMED, 'utf8')), { prompt: 'echo: after resume', answer: 'after resume' });
});

parse('the answer is the last API message, not the text Claude wrote before its tool calls', () => {
  const lines = readFileSync(STARTUP, 'utf8').split('\n');
  const multiEnds = lines.findIndex((l) => l.includes('multi done: ran echo'));
  const exchange = lastExchange(lines.slice(0, multiEnds + 1).join('\n'));
  assert.is(exchange.prompt, 'multi');
  assert.is(exchange.answer, 'multi done: ran echo and read a file.');
});

parse('ignores api-request-blob, tool results, meta, sidechain and Claude Code\'s own command entries', () => {
  const jsonl = [
    user('the real prompt'),
    assistant('m1', [text('the real answer')]),
    line({ type: 'api-request-blob', message: { role: 'user', content: 'not typed (blob)' } }),
    user('not typed (meta)', { isMeta: true }),
    user('not typed (sidechain)', { isSidechain: true }),
    assistant('m2', [text('a sub-agent talking')], { isSidechain: true }),
    user([{ type: 'tool_result', tool_use_id: 't1', content: 'a tool result' }]),
    user('<command-name>/clear</command-name>\n<command-message>clear</command-message>\n<command-args></command-args>'),
    user('<local-command-stdout></local-command-stdout>'),
    user([{ type: 'text', text: '[Request interrupted by user]' }]),
  ].join('\n');
  assert.equal(lastExchange(jsonl), { prompt: 'the real prompt', answer: 'the real answer' });
});

parse('a prompt the person typed may start with <', () => {
  assert.is(lastExchange(user('<div> renders twice, why?')).prompt, '<div> renders twice, why?');
});

parse('text blocks of one API message written as several entries are joined; a later message replaces them', () => {
  const oneMessage = [user('go'), assistant('m1', [text('part one')]), assistant('m1', [{ type: 'tool_use', id: 't', name: 'Bash', input: {} }]), assistant('m1', [text('part two')])];
  assert.is(lastExchange(oneMessage.join('\n')).answer, 'part one\npart two');
  assert.is(lastExchange([...oneMessage, assistant('m2', [text('final')])].join('\n')).answer, 'final');
});

parse('a prompt without an answer yet has none (not the previous turn\'s)', () => {
  const jsonl = [user('first'), assistant('m1', [text('first answer')]), user('second')].join('\n');
  assert.equal(lastExchange(jsonl), { prompt: 'second', answer: null });
});

parse('torn, empty and non-JSON lines are skipped; a partial tail drops its cut first line', () => {
  const jsonl = ['{"type":"user","mess', '', 'garbage', user('kept'), assistant('m', [text('ok')]), '{"type":"assis'].join('\n');
  assert.equal(lastExchange(jsonl), { prompt: 'kept', answer: 'ok' });
  const cut = user('cut off at the front').slice(10);
  assert.equal(lastExchange(cut, true), { prompt: null, answer: null });
  assert.equal(lastExchange(`${user('whole')}\n`, true), { prompt: null, answer: null }, 'partial: the first line is never trusted');
  assert.equal(lastExchange(''), { prompt: null, answer: null });
});

parse.run();

// ---------------------------------------------------------------------------------------------------------------

const paths = suite('transcriptPath');

paths('every non-alphanumeric character of the workdir becomes -', () => {
  assert.is(transcriptPath('/c', '/home/dev/my проект_2.0', SAMPLE_ID), `/c/projects/-home-dev-my${'-'.repeat(8)}2-0/${SAMPLE_ID}.jsonl`);
  assert.is(transcriptPath('/c', '/home/dev/work/proj-a', 'x'), '/c/projects/-home-dev-work-proj-a/x.jsonl');
});

paths.run();

// ---------------------------------------------------------------------------------------------------------------

const read = suite<{ dir: string; config: string; work: string }>('readLastExchange');
read.before.each((ctx) => {
  ctx.dir = mkdtempSync(join(tmpdir(), 'ccbot-inspect-'));
  ctx.config = join(ctx.dir, 'claude');
  ctx.work = join(ctx.dir, 'work dir');
  mkdirSync(ctx.work);
});
read.after.each((ctx) => {
  rmSync(ctx.dir, { recursive: true, force: true });
});

const place = (path: string, content: string) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
};

read('finds the transcript under projects/<workdir slug> and reads the exchange', async (ctx) => {
  const path = transcriptPath(ctx.config, ctx.work, SAMPLE_ID);
  place(path, readFileSync(STARTUP, 'utf8'));
  assert.equal(await readLastExchange(ctx.config, ctx.work, SAMPLE_ID), { ok: true, path, prompt: 'slow: 3', answer: LAST_CHUNKS });
});

read('reads only the tail: a prompt before it is not seen, the last one is', async (ctx) => {
  const path = transcriptPath(ctx.config, ctx.work, SAMPLE_ID);
  const filler = line({ type: 'api-request', params: { padding: 'x'.repeat(4_000) } });
  const answer = assistant('m', [text('yes')]);
  place(path, [user('too far back'), ...Array(Math.ceil(TAIL_BYTES / 4_000) + 2).fill(filler), user('recent'), answer].join('\n') + '\n');
  const result = await readLastExchange(ctx.config, ctx.work, SAMPLE_ID);
  assert.equal(result, { ok: true, path, prompt: 'recent', answer: 'yes' });
  const early = await readLastExchange(ctx.config, ctx.work, SAMPLE_ID, 10 * 4_000);
  assert.ok(early.ok && early.prompt === 'recent');
  const nothing = await readLastExchange(ctx.config, ctx.work, SAMPLE_ID, Buffer.byteLength(`${answer}\n`)); // only the answer fits
  assert.ok(nothing.ok && nothing.prompt === null && nothing.answer === 'yes');
});

read('a tail that starts exactly at a line keeps that line', async (ctx) => {
  const path = transcriptPath(ctx.config, ctx.work, SAMPLE_ID);
  const last = user('exactly at the edge');
  place(path, `${user('before')}\n${last}\n`);
  const result = await readLastExchange(ctx.config, ctx.work, SAMPLE_ID, Buffer.byteLength(`${last}\n`));
  assert.ok(result.ok && result.prompt === 'exactly at the edge', JSON.stringify(result));
});

read('a workdir reached through a symlink is also looked up by its real path', async (ctx) => {
  const link = join(ctx.dir, 'link');
  symlinkSync(ctx.work, link);
  const real = transcriptPath(ctx.config, ctx.work, SAMPLE_ID);
  place(real, user('through the link'));
  const result = await readLastExchange(ctx.config, link, SAMPLE_ID);
  assert.equal(result, { ok: true, path: real, prompt: 'through the link', answer: null });
});

read('no transcript is a value naming where it looked', async (ctx) => {
  const result = await readLastExchange(ctx.config, ctx.work, SAMPLE_ID);
  assert.equal(result, { ok: false, missing: true, path: transcriptPath(ctx.config, ctx.work, SAMPLE_ID) });
});

read('an unreadable transcript is an error value, not a throw', async (ctx) => {
  mkdirSync(transcriptPath(ctx.config, ctx.work, SAMPLE_ID), { recursive: true }); // a directory where the file should be
  const result = await readLastExchange(ctx.config, ctx.work, SAMPLE_ID);
  assert.ok(!result.ok && !result.missing && result.error.includes('EISDIR'), JSON.stringify(result));
});

read.run();
