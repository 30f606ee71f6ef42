/**
 * transcribe with the real ffmpeg and the stand-in whisper-cli (fixtures/whisper-cli-standin.ts), which refuses
 * anything but a 16 kHz mono 16-bit WAV and a model file. The voice notes are made by ffmpeg itself: OGG/Opus, as
 * Telegram sends them. Every case checks that no temporary file is left behind.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execRun } from '#ccbot/exec.js';
import { transcribe } from '#ccbot/voice.js';
import { STANDIN_TEXT } from './fixtures/whisper-cli-standin.js';

const STANDIN_JS = fileURLToPath(new URL('./fixtures/whisper-cli-standin.js', import.meta.url));
const SLOW_MS = 60_000; // ffmpeg on a loaded 2-core machine

interface Ctx {
  dir: string;
  /** Where transcribe makes its temporary directory: empty again after every call. */
  temp: string;
  record: string;
  ogg: string;
  whisper: { cli: string; model: string; lang: string; threads: number };
}

/** Runs ffmpeg (quiet, never reading stdin) with these arguments; fails the test when it fails. */
async function ffmpeg(...args: string[]): Promise<void> {
  const result = await execRun('ffmpeg', ['-nostdin', '-loglevel', 'error', ...args], { timeoutMs: SLOW_MS });
  assert.ok(result.ok, result.ok ? '' : result.error);
}

const standinEnv = (ctx: Ctx, extra: Record<string, string> = {}) =>
  ({ ...process.env, WHISPER_STANDIN_RECORD: ctx.record, ...extra });
const recorded = (ctx: Ctx) =>
  JSON.parse(readFileSync(ctx.record, 'utf8')) as { pid: number; args: string[]; dirMode: number };
const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** A suite whose tests each get a temp dir with the stand-in as `bin/whisper-cli`, a model file and a voice note. */
function withVoiceWorld(name: string) {
  const s = suite<Ctx>(name);
  s.before.each(async (ctx) => {
    ctx.dir = mkdtempSync(join(tmpdir(), 'ccbot-voice-test-'));
    ctx.temp = join(ctx.dir, 'tmp');
    ctx.record = join(ctx.dir, 'record.json');
    ctx.ogg = join(ctx.dir, 'voice.ogg');
    mkdirSync(ctx.temp);
    mkdirSync(join(ctx.dir, 'bin'));
    // A Node script named whisper-cli: one process, so a kill reaches the stand-in itself.
    const cli = join(ctx.dir, 'bin', 'whisper-cli');
    writeFileSync(cli, `#!${process.execPath}\nimport(${JSON.stringify(pathToFileURL(STANDIN_JS).href)});\n`);
    chmodSync(cli, 0o755);
    const model = join(ctx.dir, 'ggml-base.bin');
    writeFileSync(model, 'a model');
    ctx.whisper = { cli, model, lang: 'auto', threads: 2 };
    await ffmpeg('-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'libopus', ctx.ogg);
  });

  s.after.each((ctx) => {
    rmSync(ctx.dir, { recursive: true, force: true });
  });
  return s;
}

const voice = withVoiceWorld('transcribe');

voice('a voice note becomes the text whisper-cli printed, from a 16 kHz mono s16 WAV in a private dir', async (ctx) => {
  const result = await transcribe(readFileSync(ctx.ogg), ctx.whisper, { tempRoot: ctx.temp, env: standinEnv(ctx) });
  assert.equal(result, { ok: true, text: STANDIN_TEXT.trim() });
  const { args, dirMode } = recorded(ctx);
  const wav = args[args.indexOf('-f') + 1]!;
  assert.equal(args, ['-m', ctx.whisper.model, '-f', wav, '-l', 'auto', '-t', '2', '-nt', '-np']);
  assert.ok(wav.startsWith(ctx.temp), wav);
  assert.is(dirMode, 0o700);
  assert.equal(readdirSync(ctx.temp), []);
});

voice('an audio file is read where it is; the transcript\'s lines are joined with spaces', async (ctx) => {
  const env = standinEnv(ctx, { WHISPER_STANDIN_TEXT: ' First line.\n Second line. \n' });
  const result = await transcribe(ctx.ogg, { ...ctx.whisper, lang: 'de' }, { tempRoot: ctx.temp, env });
  assert.equal(result, { ok: true, text: 'First line. Second line.' });
  assert.ok(recorded(ctx).args.join(' ').includes('-l de'));
  assert.ok(existsSync(ctx.ogg), 'the caller\'s file is the caller\'s to remove');
  assert.equal(readdirSync(ctx.temp), []);
});

voice('silence ([BLANK_AUDIO]) is empty, not text to type', async (ctx) => {
  const env = standinEnv(ctx, { WHISPER_STANDIN_MODE: 'blank' });
  const result = await transcribe(readFileSync(ctx.ogg), ctx.whisper, { tempRoot: ctx.temp, env });
  assert.ok(!result.ok && result.kind === 'empty', JSON.stringify(result));
  assert.equal(readdirSync(ctx.temp), []);
});

voice('a failing whisper-cli: its error line, one line, no temporary file left', async (ctx) => {
  const env = standinEnv(ctx, { WHISPER_STANDIN_MODE: 'fail' });
  const result = await transcribe(readFileSync(ctx.ogg), ctx.whisper, { tempRoot: ctx.temp, env });
  assert.ok(!result.ok && result.kind === 'whisper', JSON.stringify(result));
  assert.is(result.error, `${ctx.whisper.cli} failed: error: failed to initialize whisper context`);
  assert.equal(readdirSync(ctx.temp), []);
});

voice('whisper-cli refusing its arguments with exit 0 (an unknown language) is a failure, not silence', async (ctx) => {
  const whisper = { ...ctx.whisper, lang: 'klingon' };
  const result = await transcribe(readFileSync(ctx.ogg), whisper, { tempRoot: ctx.temp, env: standinEnv(ctx) });
  assert.ok(!result.ok && result.kind === 'whisper', JSON.stringify(result));
  assert.match(result.error, "error: unknown language 'klingon'");
  assert.equal(readdirSync(ctx.temp), []);
});

voice('a whisper-cli that hangs past the timeout: timeout, the process killed, no temporary file left', async (ctx) => {
  const env = standinEnv(ctx, { WHISPER_STANDIN_MODE: 'hang' });
  const started = Date.now();
  const result = await transcribe(readFileSync(ctx.ogg), ctx.whisper, { tempRoot: ctx.temp, env, timeoutMs: 5_000 });
  assert.ok(!result.ok && result.kind === 'timeout', JSON.stringify(result));
  assert.ok(Date.now() - started < 60_000, 'stopped near its 5 s budget, not the default 120 s');
  assert.match(result.error, 'took longer than 5 s');
  assert.not.ok(isAlive(recorded(ctx).pid), 'the stand-in is gone');
  assert.equal(readdirSync(ctx.temp), []);
});

voice('without ffmpeg on PATH: says to install ffmpeg, nothing left', async (ctx) => {
  const env = standinEnv(ctx, { PATH: join(ctx.dir, 'bin') });
  const result = await transcribe(readFileSync(ctx.ogg), ctx.whisper, { tempRoot: ctx.temp, env });
  assert.ok(!result.ok && result.kind === 'ffmpeg', JSON.stringify(result));
  assert.match(result.error, /^ffmpeg is not installed: .*apt-get install ffmpeg/);
  assert.not.ok(existsSync(ctx.record), 'whisper-cli never ran');
  assert.equal(readdirSync(ctx.temp), []);
});

voice('bytes ffmpeg cannot read: ffmpeg\'s reason on one line, whisper-cli never runs, nothing left', async (ctx) => {
  const result = await transcribe(new TextEncoder().encode('not audio at all'), ctx.whisper,
    { tempRoot: ctx.temp, env: standinEnv(ctx) });
  assert.ok(!result.ok && result.kind === 'ffmpeg', JSON.stringify(result));
  assert.match(result.error, /^ffmpeg could not convert the voice note: \S/);
  assert.not.ok(result.error.includes(ctx.temp), 'no name of a temporary file the person never saw');
  assert.not.ok(result.error.includes('\n'));
  assert.not.ok(existsSync(ctx.record));
  assert.equal(readdirSync(ctx.temp), []);
});

voice('a WHISPER_MODEL that does not exist, or a WHISPER_CLI not found: what to do, by name', async (ctx) => {
  const options = { tempRoot: ctx.temp, env: standinEnv(ctx) };
  const noModel = await transcribe(ctx.ogg, { ...ctx.whisper, model: join(ctx.dir, 'nope.bin') }, options);
  assert.ok(!noModel.ok && noModel.kind === 'whisper');
  assert.match(noModel.error, `WHISPER_MODEL ${join(ctx.dir, 'nope.bin')} does not exist`);
  const noCli = await transcribe(ctx.ogg, { ...ctx.whisper, cli: 'ccbot-no-such-whisper-cli' }, options);
  assert.ok(!noCli.ok && noCli.kind === 'whisper');
  assert.match(noCli.error, /^WHISPER_CLI ccbot-no-such-whisper-cli was not found: build whisper\.cpp's whisper-cli/);
  assert.equal(readdirSync(ctx.temp), []);
});

voice.run();

const standin = withVoiceWorld('whisper-cli stand-in');

standin('refuses a WAV that is not 16 kHz mono 16-bit, so the transcribe tests prove the conversion', async (ctx) => {
  const wav = join(ctx.dir, 'cd.wav');
  await ffmpeg('-i', ctx.ogg, '-ar', '44100', '-ac', '2', '-c:a', 'pcm_s16le', wav);
  const result = await execRun(ctx.whisper.cli, ['-m', ctx.whisper.model, '-f', wav, '-l', 'auto', '-nt', '-np'],
    { timeoutMs: SLOW_MS });
  assert.ok(!result.ok && result.code === 2, JSON.stringify(result));
  assert.match(result.stderr, 'error: expected 16 kHz mono 16-bit PCM, got format 1, 2 channels, 44100 Hz, 16 bits');
  const ogg = await execRun(ctx.whisper.cli, ['-m', ctx.whisper.model, '-f', ctx.ogg], { timeoutMs: SLOW_MS });
  assert.ok(!ogg.ok && ogg.code === 2 && ogg.stderr.includes('not a RIFF/WAVE file'), JSON.stringify(ogg));
});

standin.run();
