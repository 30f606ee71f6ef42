/**
 * `ccbot send-file` as Claude runs it: inside a real session window (its environment read off the stand-in's
 * process), against the real daemon and the fake Bot API. The chat shows what the person gets; exit codes and the
 * one line are what Claude sees. Also: the system prompt every started Claude gets, and the command's own waiting.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { execRun, type RunResult } from '#ccbot/exec.js';
import { sendFileCommand } from '#ccbot/send-file.js';
import { ME, newSession, startChatWorld, type ChatWorld } from './chat-fixture.js';
import { MAIN_JS, TEST_TOKEN, tempDir } from './daemon-fixture.js';
import type { ChatMessage } from './fake-telegram-chats.js';
import { png } from './png-fixture.js';

const OTHER = { id: 2002, type: 'private' as const, first_name: 'Other' };

interface Window { pid: number; env: NodeJS.ProcessEnv; cwd: string; argv: string[] }
interface Ctx { world: ChatWorld; window: Window; dir: string }

/** The stand-in claude of the session's window, as /proc shows it: what Claude's Bash tool would run with. */
async function sessionWindow(world: ChatWorld, name: string, cwd: string): Promise<Window> {
  const listed = await world.tmux.tmux(['list-windows', '-t', '=ccbot-test', '-F', '#{pane_pid} #{window_name}']);
  const line = (listed.ok ? listed.stdout : '').split('\n').find((l) => l.split(' ')[1] === name);
  if (!line) throw new Error(`no window ${name}: ${JSON.stringify(listed)}`);
  const pid = Number(line.split(' ')[0]);
  const words = (file: string) => readFileSync(`/proc/${pid}/${file}`, 'utf8').split('\0').filter(Boolean);
  const env = Object.fromEntries(words('environ').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
  return { pid, env, cwd, argv: words('cmdline') };
}

const sendFile = (window: Window, args: string[], env: NodeJS.ProcessEnv = window.env): Promise<RunResult> =>
  execRun(process.execPath, [MAIN_JS, 'send-file', ...args], { env, cwd: window.cwd, timeoutMs: 60_000 });

const botFiles = (world: ChatWorld, chatId = ME.id): ChatMessage[] =>
  world.fake.messages(chatId).filter((m) => m.from_bot && (m.kind === 'photo' || m.kind === 'document'));

const spoolLeft = (world: ChatWorld) => readdirSync(join(world.root, 'state', 'spool'));

async function openWorld(ctx: Ctx, daemonEnv: Record<string, string> = {}) {
  ctx.world = await startChatWorld({ daemonEnv });
  ctx.dir = await newSession(ctx.world, 'files');
  ctx.window = await sessionWindow(ctx.world, 'files', ctx.dir);
}

const send = suite<Ctx>('ccbot send-file in a session window');
send.before.each((ctx) => openWorld(ctx));
send.after.each((ctx) => ctx.world.close());

send('an image goes as a photo, another file as a document; the caption starts with the session name', async ({ world, window, dir }) => {
  const image = png(40, 30);
  writeFileSync(join(dir, 'shot.png'), image);
  writeFileSync(join(dir, 'report.pdf'), '%PDF-1.4 the numbers');

  const photo = await sendFile(window, ['shot.png']);
  assert.ok(photo.ok, JSON.stringify(photo));
  assert.is(photo.stdout, 'sent shot.png\n');
  const doc = await sendFile(window, [join(dir, 'report.pdf'), '--caption', 'Q3 <numbers> & more']);
  assert.ok(doc.ok, JSON.stringify(doc));
  assert.is(doc.stdout, 'sent report.pdf\n');

  const [first, second] = botFiles(world);
  assert.is(first?.kind, 'photo');
  assert.equal(world.fake.fileContent(first!.photo!.file_id), image);
  assert.is(first!.text, 'files');
  assert.equal(first!.entities, [{ type: 'bold', offset: 0, length: 'files'.length }]);
  assert.is(second?.kind, 'document');
  assert.is(second!.document!.file_name, 'report.pdf');
  assert.is(world.fake.fileContent(second!.document!.file_id)!.toString(), '%PDF-1.4 the numbers');
  assert.is(second!.text, 'files\nQ3 <numbers> & more');
  assert.equal(spoolLeft(world), [], 'the spool is empty once sent');
});

send('a photo Telegram refuses is sent again as a document', async ({ world, window, dir }) => {
  const tall = png(10, 400); // a long screenshot: Telegram's sides ratio is at most 20
  writeFileSync(join(dir, 'tall.png'), tall);
  writeFileSync(join(dir, 'fake.jpg'), 'not an image at all');

  assert.is((await sendFile(window, ['tall.png'])).stdout, 'sent tall.png\n');
  assert.is((await sendFile(window, ['fake.jpg', '--caption=look'])).stdout, 'sent fake.jpg\n');

  const refusals = world.fake.callsTo('sendPhoto').map((c) => c.description);
  assert.equal(refusals, ['Bad Request: PHOTO_INVALID_DIMENSIONS', 'Bad Request: IMAGE_PROCESS_FAILED']);
  const files = botFiles(world);
  assert.equal(files.map((m) => [m.kind, m.document?.file_name, m.text]),
    [['document', 'tall.png', 'files'], ['document', 'fake.jpg', 'files\nlook']]);
  assert.equal(world.fake.fileContent(files[0]!.document!.file_id), tall);
});

send('refuses what it cannot send, with one line and a non-zero exit; nothing reaches the chat', async ({ world, window, dir }) => {
  mkdirSync(join(dir, 'folder'));
  const big = openSync(join(dir, 'big.bin'), 'w');
  ftruncateSync(big, 60 * 1024 * 1024); // sparse: 60 MB on paper
  closeSync(big);
  const refused = async (args: string[], code: number, reason: RegExp, env?: NodeJS.ProcessEnv) => {
    const run = await sendFile(window, args, env);
    assert.is(run.ok ? 0 : run.code, code, `${args.join(' ')}: ${JSON.stringify(run)}`);
    assert.is(run.stdout, '');
    assert.match(run.stderr, reason);
    assert.is(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
  };
  await refused(['missing.pdf'], 1, /^ccbot send-file: no such file: missing\.pdf: not sent\n$/);
  await refused(['folder'], 1, /folder is a directory/);
  await refused(['big.bin'], 1, /big\.bin is 60\.0 MB; Telegram takes up to 50 MB/);
  await refused(['/dev/null'], 1, /not a regular file/);
  await refused([], 2, /usage: ccbot send-file <path>/);
  writeFileSync(join(dir, 'ok.txt'), 'fine');
  const outside = { PATH: window.env.PATH, HOME: window.env.HOME };
  await refused(['ok.txt'], 1, /not in a ccbot session window/, outside);
  assert.equal(world.fake.callsTo('sendDocument').length + world.fake.callsTo('sendPhoto').length, 0);
});

send.run();

const owner = suite<Ctx>('the daemon behind ccbot send-file');
owner.before.each((ctx) => openWorld(ctx, { ALLOWED_USERS: `${ME.id},${OTHER.id}` }));
owner.after.each((ctx) => ctx.world.close());

owner('sends only to the owner of the session, and only to an allowed chat', async ({ world, window, dir }) => {
  world.fake.registerChat(OTHER); // a send to it would succeed: only the daemon's check stops it
  writeFileSync(join(dir, 'secret.txt'), 'for the owner only');
  for (const env of [{ CCBOT_CHAT_ID: String(OTHER.id) }, { CCBOT_CHAT_ID: '3003' }, { CCBOT_SESSION_ID: 'ffff' }]) {
    const run = await sendFile(window, ['secret.txt'], { ...window.env, ...env });
    assert.is(run.ok ? 0 : run.code, 1, JSON.stringify(env));
    assert.match(run.stderr, /secret\.txt: refused: this session does not belong to an allowed chat: not sent/);
  }
  assert.equal(world.fake.callsTo('sendDocument'), []);
  assert.equal(spoolLeft(world), []);
  assert.ok((await sendFile(window, ['secret.txt'])).ok, 'its own owner gets it');
  assert.is(botFiles(world).length, 1);
  assert.is(botFiles(world, OTHER.id).length, 0);
});

owner.run();

const told = suite<Ctx>('Claude knows');
told.before.each((ctx) => openWorld(ctx));
told.after.each((ctx) => ctx.world.close());

told('every Claude ccbot starts is told of the inbox and of the send-file command, which works as written', async ({ world, window, dir }) => {
  const at = window.argv.indexOf('--append-system-prompt');
  assert.ok(at > 0, window.argv.join(' '));
  const prompt = window.argv[at + 1]!;
  assert.match(prompt, '.ccbot-inbox/');
  const command = /run: (.+) send-file <path> \[--caption TEXT\]/.exec(prompt)?.[1];
  assert.ok(command?.includes(MAIN_JS) && command.includes(process.execPath), prompt);
  assert.not.match(Object.values(window.env).join('\n'), TEST_TOKEN, 'the token stays out of the window');
  // As Claude's Bash tool runs it: through a shell, in the window's directory and environment.
  writeFileSync(join(dir, 'notes.md'), '# notes');
  const run = await execRun('/bin/sh', ['-c', `${command} send-file notes.md`], { env: window.env, cwd: dir, timeoutMs: 60_000 });
  assert.ok(run.ok, JSON.stringify(run));
  assert.is(botFiles(world)[0]?.document?.file_name, 'notes.md');
});

told.run();

const restart = suite<Ctx>('ccbot send-file across a daemon restart');
restart.before.each((ctx) => openWorld(ctx));
restart.after.each((ctx) => ctx.world.close());

restart('a daemon killed while sending: after its restart each file is sent exactly once', async ({ world, window, dir }) => {
  writeFileSync(join(dir, 'a.pdf'), 'first');
  writeFileSync(join(dir, 'b.txt'), 'second');
  world.fake.hangNext('sendDocument'); // Telegram never answers this upload, and never shows it
  const first = sendFile(window, ['a.pdf']);
  await world.fake.waitFor((f) => f.callsTo('sendDocument').some((c) => c.ok === undefined), 20_000, 'a.pdf uploading');
  const second = sendFile(window, ['b.txt']); // spooled while the daemon is stuck: not claimed yet
  for (const end = Date.now() + 20_000; !spoolLeft(world).some((n) => n.endsWith('.request')); ) {
    if (Date.now() > end) throw new Error(`b.txt never spooled: ${spoolLeft(world)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await world.restartDaemon('SIGKILL');

  const [a, b] = await Promise.all([first, second]);
  assert.is(a.stdout, 'sent a.pdf\n', JSON.stringify(a));
  assert.is(b.stdout, 'sent b.txt\n', JSON.stringify(b));
  assert.equal(botFiles(world).map((m) => m.document?.file_name), ['a.pdf', 'b.txt']);
  assert.equal(spoolLeft(world), []);
});

restart.run();

const waiting = suite<{ dir: ReturnType<typeof tempDir> }>('sendFileCommand waiting for the daemon');
waiting.before.each((ctx) => {
  ctx.dir = tempDir('ccbot-send-file-');
  writeFileSync(join(ctx.dir.path, 'a.txt'), 'a');
});
waiting.after.each((ctx) => ctx.dir.remove());

const windowEnv = (dir: string) => ({ CCBOT_DIR: dir, CCBOT_CHAT_ID: String(ME.id), CCBOT_SESSION_ID: 'ab12' });

waiting('no live daemon (a stale lock): refused at once, nothing spooled', async ({ dir }) => {
  writeFileSync(join(dir.path, 'ccbot.lock'), JSON.stringify({ pid: 2 ** 22 + 1 }));
  const result = await sendFileCommand([join(dir.path, 'a.txt')], windowEnv(dir.path));
  assert.equal(result, { code: 1, line: 'ccbot send-file: ccbot is not running: not sent' });
  assert.equal(readdirSync(dir.path).filter((n) => n === 'spool'), []);
});

waiting('a daemon that never claims the request: it is withdrawn, nothing left in the spool', async ({ dir }) => {
  writeFileSync(join(dir.path, 'ccbot.lock'), JSON.stringify({ pid: process.pid })); // alive, but nobody reads the spool
  const timing = { claimMs: 300, answerMs: 1_000, pollMs: 20 };
  const result = await sendFileCommand([join(dir.path, 'a.txt')], windowEnv(dir.path), timing);
  assert.is(result.code, 1);
  assert.match(result.line, /^ccbot send-file: ccbot is not running \(no answer within \d+ s\): not sent$/);
  assert.equal(readdirSync(join(dir.path, 'spool')), []);
});

waiting.run();
