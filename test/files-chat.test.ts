/**
 * Files from the phone, through the real daemon, the fake Bot API, real tmux and the stand-in claude: a photo, a
 * document or an album lands in the session's .ccbot-inbox/ and Claude gets the caption and the path(s) as one prompt;
 * what cannot be taken is answered, and nothing is written.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ME, newSession, startChatWorld, type ChatWorld } from './chat-fixture.js';
import { startDaemon, TEST_TOKEN } from './daemon-fixture.js';

const MB = 1024 * 1024;

/** Everything in the inbox of `dir`, hidden files included; [] when there is none. */
const inbox = (dir: string): string[] => {
  const path = join(dir, '.ccbot-inbox');
  return existsSync(path) ? readdirSync(path).sort() : [];
};
const saved = (dir: string) => inbox(dir).filter((f) => f !== '.gitignore');
const bytesOf = (dir: string, relative: string) => readFileSync(join(dir, relative));
const promptLike = (world: ChatWorld, test: (prompt: string) => boolean, label: string) =>
  world.fake.waitFor(() => world.prompts().find((p) => test(p.prompt)), 20_000, label);
const reactionsOn = (world: ChatWorld, messageId: number) =>
  world.fake.messages(ME.id).find((m) => m.message_id === messageId)?.reactions ?? [];

const files = suite<{ world: ChatWorld }>('files from the phone');
files.before.each(async (ctx) => {
  ctx.world = await startChatWorld();
});
files.after.each(async (ctx) => {
  await ctx.world.close();
});

files('a photo (its full size) and a document land in the inbox; Claude gets the caption, then the path; 👀 then 👍', async ({ world }) => {
  const dir = await newSession(world, 'photos');
  const jpeg = randomBytes(60_000);
  const photo = world.fake.userSendsMedia(ME, 'photo', { content: jpeg, caption: 'what is on this?' });
  const typed = await promptLike(world, (p) => p.startsWith('what is on this?'), 'the photo prompt');
  const [file] = saved(dir);
  assert.match(file!, /^\d{8}T\d{6}Z-photo\.jpg$/);
  assert.is(typed.prompt, `what is on this?\n\n.ccbot-inbox/${file}`);
  assert.is(typed.cwd, dir);
  assert.ok(bytesOf(dir, `.ccbot-inbox/${file}`).equals(jpeg), 'the largest size, byte for byte');
  assert.is(readFileSync(join(dir, '.ccbot-inbox', '.gitignore'), 'utf8'), '*\n');
  await world.fake.waitFor(() => reactionsOn(world, photo.message_id).includes('👍'), 15_000, '👍 on the photo');

  const notes = Buffer.from('# plan\n- ship it\n');
  world.fake.userSendsMedia(ME, 'document', { filename: 'notes.md', content: notes, mimeType: 'text/markdown' });
  const bare = await promptLike(world, (p) => p.includes('notes.md'), 'the document prompt');
  assert.match(bare.prompt, /^\.ccbot-inbox\/\d{8}T\d{6}Z-notes\.md$/, 'just the path without a caption');
  assert.ok(bytesOf(dir, bare.prompt).equals(notes));

  world.fake.userSendsMedia(ME, 'document', { filename: '../../evil.sh', content: Buffer.from('rm -rf ~') });
  const evil = await promptLike(world, (p) => p.includes('evil'), 'the hostile name');
  assert.match(evil.prompt, /^\.ccbot-inbox\/\d{8}T\d{6}Z-_\._evil\.sh$/);
  assert.equal(readdirSync(join(world.root, 'work')), ['photos'], 'nothing written beside the session');
  assert.equal(saved(dir).length, 3);
});

files('an album becomes one prompt: its caption, then every file in order', async ({ world }) => {
  const dir = await newSession(world, 'album');
  const parts = [randomBytes(30_000), randomBytes(40_000), Buffer.from('third part')];
  world.fake.userSendsMedia(ME, 'photo', { content: parts[0]!, caption: 'our trip', mediaGroupId: 'g-1' });
  world.fake.userSendsMedia(ME, 'photo', { content: parts[1]!, mediaGroupId: 'g-1' });
  world.fake.userSendsMedia(ME, 'document', { filename: 'route.gpx', content: parts[2]!, mediaGroupId: 'g-1' });
  const typed = await promptLike(world, (p) => p.startsWith('our trip'), 'the album prompt');
  const [caption, blank, ...paths] = typed.prompt.split('\n');
  assert.equal([caption, blank], ['our trip', '']);
  assert.is(paths.length, 3, typed.prompt);
  paths.forEach((path, i) => assert.ok(bytesOf(dir, path).equals(parts[i]!), `part ${i + 1}: ${path}`));
  await sleep(3_000); // a second prompt would be typed by now
  assert.is(world.prompts().length, 1);
});

files('too large, broken off, a sticker, a location, a voice note: a clear reply each, nothing written or typed', async ({ world }) => {
  const dir = await newSession(world, 'refused');
  world.fake.userSendsMedia(ME, 'video', { filename: 'big.mp4', content: Buffer.alloc(25 * MB), mimeType: 'video/mp4' });
  await world.botSays(/big\.mp4 is too large: .* up to 20 MB/);
  assert.is(world.fake.callsTo('getFile').length, 0, 'its declared size was enough');
  world.fake.userSendsMedia(ME, 'document', { filename: 'undeclared.iso', content: Buffer.alloc(25 * MB), fileSize: null });
  await world.botSays(/undeclared\.iso is too large/);
  world.fake.breakNextDownload();
  world.fake.userSendsMedia(ME, 'document', { filename: 'half.bin', content: randomBytes(300_000) });
  await world.botSays(/Could not save half\.bin \(.*\)\. Send it again\./);
  world.fake.userSendsOther(ME, { sticker: { file_id: 's1', file_unique_id: 's1', type: 'regular', width: 512, height: 512 } });
  await world.botSays(/not supported/);
  world.fake.userSendsOther(ME, { location: { latitude: 52.5, longitude: 13.4 } });
  await world.botSays(/not supported/);
  world.fake.userSendsMedia(ME, 'voice', { content: Buffer.from('OggS'), mimeType: 'audio/ogg' });
  await world.botSays(/Voice notes need whisper\.cpp on this machine/);
  assert.equal(inbox(dir).filter((f) => f !== '.gitignore'), [], 'no file, no partial file');
  assert.equal(world.prompts(), []);
  const secret = TEST_TOKEN.split(':')[1]!;
  assert.not.ok(world.fake.messages(ME.id).some((m) => m.text.includes(secret)), 'the token is in no reply');
  assert.not.match(world.daemon.stderr(), secret, 'nor in the log');
});

files('with no live session an album waits (across a restart) for the session the person starts; a reply to a session\'s message sends it there', async ({ world }) => {
  const plan = Buffer.from('step 1\nstep 2\n');
  const sketch = randomBytes(20_000);
  world.fake.userSendsMedia(ME, 'document', { filename: 'plan.txt', content: plan, caption: 'read this', mediaGroupId: 'g-2' });
  world.fake.userSendsMedia(ME, 'document', { filename: 'sketch.png', content: sketch, mediaGroupId: 'g-2' });
  await world.botSays(/Tap a folder/);
  await world.restartDaemon('SIGTERM'); // held in state.json: a restart loses nothing
  const first = await newSession(world, 'first');
  const held = await promptLike(world, (p) => p.startsWith('read this'), 'the held album');
  assert.is(held.cwd, first);
  const [planPath, sketchPath] = held.prompt.split('\n').slice(2);
  assert.ok(bytesOf(first, planPath!).equals(plan) && bytesOf(first, sketchPath!).equals(sketch));
  assert.is(world.fake.messages(ME.id).filter((m) => m.from_bot && m.text.includes('Tap a folder')).length, 1, 'one browser per album');

  const started = world.fake.messages(ME.id).find((m) => m.from_bot && m.text.includes('started') && m.text.includes(first))!;
  const second = await newSession(world, 'second');
  world.fake.userSendsMedia(ME, 'photo', { content: Buffer.from('for the first'), caption: 'to first' },
    { replyTo: started.message_id });
  const quoted = await promptLike(world, (p) => p.startsWith('to first'), 'the quoted photo');
  assert.is(quoted.cwd, first);
  assert.equal(saved(second), []);
});

files('a file update Telegram hands out again is neither fetched nor typed a second time', async ({ world }) => {
  const dir = await newSession(world, 'again');
  const photo = world.fake.userSendsMedia(ME, 'photo', { content: randomBytes(10_000), caption: 'once' });
  await promptLike(world, (p) => p.startsWith('once'), 'typed');
  await world.fake.waitFor(() => reactionsOn(world, photo.message_id).includes('👍'), 15_000, 'delivered');
  world.daemon.child.kill('SIGKILL');
  await world.daemon.exited;
  const statePath = join(world.root, 'state', 'state.json');
  const { lastUpdateId: _last, handledUpdateIds: _handled, ...rest } = JSON.parse(readFileSync(statePath, 'utf8')) as Record<string, unknown>;
  writeFileSync(statePath, JSON.stringify(rest));
  world.fake.redeliverMessage(photo.message_id);
  const polls = world.fake.callsTo('getUpdates').length;
  world.daemon = startDaemon(world.env, world.root);
  await world.fake.waitFor((f) => (f.callsTo('getUpdates').length > polls + 1 && f.pendingUpdates.length === 0) || undefined, 15_000, 'handled');
  await sleep(2_000);
  assert.is(world.fake.callsTo('getFile').length, 1);
  assert.is(saved(dir).length, 1);
  assert.is(world.prompts().filter((p) => p.prompt.startsWith('once')).length, 1);
});

files('a daemon killed mid-download leaves no file and, started again, fetches and types it once', async ({ world }) => {
  const dir = await newSession(world, 'crash');
  const content = randomBytes(100_000);
  world.fake.hangNext('(file download)');
  world.fake.userSendsMedia(ME, 'document', { filename: 'data.bin', content, caption: 'crash test' });
  await world.fake.waitFor((f) => f.callsTo('(file download)').length === 1, 15_000, 'downloading');
  world.daemon.child.kill('SIGKILL');
  await world.daemon.exited;
  assert.equal(saved(dir), [], 'nothing under a real name, no partial file');
  await world.restartDaemon('SIGKILL');
  const typed = await promptLike(world, (p) => p.startsWith('crash test'), 'typed after the restart');
  assert.ok(bytesOf(dir, typed.prompt.split('\n').at(-1)!).equals(content));
  await sleep(2_000);
  assert.equal(saved(dir).length, 1);
  assert.is(world.prompts().length, 1);
});

files.run();
