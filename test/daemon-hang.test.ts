/** The daemon is never frozen by a Bot API request that never answers, and a stranger's flood costs it no write. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startFakeTelegram, type FakeTelegram } from './fake-telegram.js';
import { createTmuxFixture, type TmuxFixture } from './tmux-fixture.js';
import { daemonEnv, exitWithin, startDaemon, tempDir, TEST_TOKEN, type DaemonRun } from './daemon-fixture.js';

const ME = { id: 1001, first_name: 'Me', language_code: 'en' };
const STRANGER = { id: 666, first_name: 'Mallory', language_code: 'en' };

interface Ctx {
  fake: FakeTelegram;
  tmux: TmuxFixture;
  dir: { path: string; remove(): void };
  run: DaemonRun;
}
const hang = suite<Ctx>('the daemon, when a request hangs or strangers flood it');

hang.before.each(async (ctx) => {
  ctx.fake = await startFakeTelegram({ token: TEST_TOKEN });
  ctx.tmux = createTmuxFixture();
  ctx.dir = tempDir('ccbot-hang-');
  const env = daemonEnv({ ccbotDir: join(ctx.dir.path, 'state'), apiRoot: ctx.fake.url, tmux: ctx.tmux });
  ctx.run = startDaemon(env, ctx.dir.path);
  await ctx.fake.waitFor((f) => f.isPolling, 10_000, 'daemon polling');
});

hang.after.each(async (ctx) => {
  ctx.run.child.kill('SIGKILL');
  await ctx.run.exited;
  await ctx.fake.close();
  await ctx.tmux.cleanup();
  ctx.dir.remove();
});

/** The person's /help, whose reply Telegram receives and never answers. */
async function helpThatHangs(fake: FakeTelegram): Promise<void> {
  fake.hangNext('sendMessage');
  fake.userSends(ME, '/help');
  await fake.waitFor((f) => f.callsTo('sendMessage').some((c) => c.ok === undefined), 10_000, 'the reply hanging');
}

hang('a reply that never gets an answer does not freeze the chat: a later /help is answered within 30 s', async ({ fake }) => {
  await helpThatHangs(fake);
  fake.userSends(ME, '/help');
  const reply = await fake.waitFor((f) => f.lastBotMessage(ME.id), 30_000, 'the second /help answered');
  assert.match(reply.text, '/new');
});

hang('SIGTERM while a reply hangs stops the daemon within 10 s, cleanly', async ({ fake, run }) => {
  await helpThatHangs(fake);
  run.child.kill('SIGTERM');
  const exit = await exitWithin(run, 10_000);
  assert.equal(exit, { code: 0, signal: null }, run.stderr());
});

hang('a stranger\'s flood is dropped without rewriting state.json; getUpdates asks only for what the gate handles', async ({ fake, dir }) => {
  const file = join(dir.path, 'state', 'state.json');
  const before = { stat: statSync(file), text: readFileSync(file, 'utf8') };
  let last = fake.userSends(STRANGER, 'hello');
  for (let i = 0; i < 30; i++) last = fake.userSends(STRANGER, `/new /tmp/${i}`);
  fake.userEditsMessage(STRANGER, last.message_id, 'edited');
  fake.userPresses(STRANGER, last.message_id, 'anything', { force: true });
  await fake.waitFor((f) => f.pendingUpdates.length === 0 && f.isPolling, 10_000, 'the flood handled and confirmed');
  const after = statSync(file);
  assert.equal([after.ino, after.mtimeMs], [before.stat.ino, before.stat.mtimeMs], 'state.json not rewritten');
  assert.is(readFileSync(file, 'utf8'), before.text);
  const asked = fake.callsTo('getUpdates').map((c) => c.params.allowed_updates);
  assert.ok(asked.every((kinds) => JSON.stringify(kinds) === '["message","edited_message","callback_query"]'), String(asked[0]));
});

hang.run();
