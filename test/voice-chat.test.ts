/**
 * A voice note from the phone, through the real daemon: real ffmpeg, the stand-in whisper-cli, the stand-in claude.
 * What was heard comes back as "🎤 …" and reaches Claude like typed text; a failing transcription types nothing.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { execRun } from '#ccbot/exec.js';
import { ME, newSession, startChatWorld, type ChatWorld } from './chat-fixture.js';
import { STANDIN_TEXT } from './fixtures/whisper-cli-standin.js';

const STANDIN_JS = fileURLToPath(new URL('./fixtures/whisper-cli-standin.js', import.meta.url));
const HEARD = STANDIN_TEXT.trim();

interface Ctx { world: ChatWorld; dir: string; ogg: Buffer }

/** The stand-in as `<dir>/bin/whisper-cli`, a model, a temp dir the daemon's transcriptions use, a voice note. */
async function voiceWorld(ctx: Ctx, mode?: string): Promise<void> {
  ctx.dir = mkdtempSync(join(tmpdir(), 'ccbot-voice-chat-'));
  mkdirSync(join(ctx.dir, 'bin'));
  mkdirSync(join(ctx.dir, 'tmp'));
  const cli = join(ctx.dir, 'bin', 'whisper-cli');
  writeFileSync(cli, `#!${process.execPath}\nimport(${JSON.stringify(pathToFileURL(STANDIN_JS).href)});\n`);
  chmodSync(cli, 0o755);
  writeFileSync(join(ctx.dir, 'ggml-base.bin'), 'a model');
  const ogg = join(ctx.dir, 'note.ogg');
  const made = await execRun('ffmpeg', ['-nostdin', '-loglevel', 'error', '-f', 'lavfi', '-i',
    'sine=frequency=440:duration=1', '-c:a', 'libopus', ogg], { timeoutMs: 60_000 });
  assert.ok(made.ok, made.ok ? '' : made.error);
  ctx.ogg = readFileSync(ogg);
  ctx.world = await startChatWorld({ daemonEnv: {
    WHISPER_CLI: cli, WHISPER_MODEL: join(ctx.dir, 'ggml-base.bin'), TMPDIR: join(ctx.dir, 'tmp'),
    ...(mode === undefined ? {} : { WHISPER_STANDIN_MODE: mode }),
  } });
}
async function close(ctx: Ctx): Promise<void> {
  await ctx.world.close();
  rmSync(ctx.dir, { recursive: true, force: true });
}
const reactionsOf = (world: ChatWorld, id: number) => world.fake.messages(ME.id).find((m) => m.message_id === id)?.reactions ?? [];

const heard = suite<Ctx>('a voice note, transcribed');
heard.before.each((ctx) => voiceWorld(ctx));
heard.after.each(close);

heard('the person sees "🎤 <text>", Claude gets the text with receipts on the voice note, no temp file is left', async (ctx) => {
  const { world } = ctx;
  const dir = await newSession(world, 'listener');
  const note = world.fake.userSendsMedia(ME, 'voice', { content: ctx.ogg, mimeType: 'audio/ogg' });
  const shown = await world.botSays(`🎤 ${HEARD}`, 60_000);
  assert.is(shown.reply_to_message_id, note.message_id);
  await world.fake.waitFor(() => world.prompts().find((p) => p.prompt === HEARD && p.cwd === dir), 20_000, 'the text typed');
  await world.fake.waitFor(() => reactionsOf(world, note.message_id).includes('👍') || undefined, 10_000, '👍 on the note');
  assert.equal(readdirSync(join(ctx.dir, 'tmp')), [], 'temporary audio removed');
});

heard.run();

const broken = suite<Ctx>('a voice note whisper cannot transcribe');
broken.before.each((ctx) => voiceWorld(ctx, 'fail'));
broken.after.each(close);

broken('the error is the reply, nothing is typed, no temp file is left', async (ctx) => {
  const { world } = ctx;
  await newSession(world, 'deaf');
  const note = world.fake.userSendsMedia(ME, 'voice', { content: ctx.ogg, mimeType: 'audio/ogg' });
  const said = await world.botSays(/Could not transcribe the voice note/, 60_000);
  assert.is(said.reply_to_message_id, note.message_id);
  assert.not.ok(world.fake.messages(ME.id).some((m) => m.from_bot && m.text.startsWith('🎤')));
  assert.equal(world.prompts(), []);
  assert.equal(readdirSync(join(ctx.dir, 'tmp')), []);
});

broken.run();
