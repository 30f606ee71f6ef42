import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { startFakeTelegram, type FakeTelegram } from './fake-telegram.js';
import { createTmuxFixture, type TmuxFixture } from './tmux-fixture.js';
import { daemonEnv, startDaemon, tempDir, TEST_TOKEN, type DaemonRun } from './daemon-fixture.js';

const ME = { id: 1001, first_name: 'Me', language_code: 'ru' };
const STRANGER = { id: 666, first_name: 'Mallory', language_code: 'en' };

interface Ctx {
  fake: FakeTelegram;
  tmux: TmuxFixture;
  dir: { path: string; remove(): void };
  run: DaemonRun;
}
const chat = suite<Ctx>('the chat, through the daemon');

chat.before.each(async (ctx) => {
  ctx.fake = await startFakeTelegram({ token: TEST_TOKEN });
  ctx.tmux = createTmuxFixture();
  ctx.dir = tempDir('ccbot-chat-');
  const env = daemonEnv({ ccbotDir: join(ctx.dir.path, 'state'), apiRoot: ctx.fake.url, tmux: ctx.tmux, allowedUsers: String(ME.id) });
  ctx.run = startDaemon(env, ctx.dir.path);
  await ctx.fake.waitFor((f) => f.isPolling, 10_000, 'daemon polling');
});

chat.after.each(async (ctx) => {
  ctx.run.child.kill('SIGKILL');
  await ctx.run.exited;
  await ctx.fake.close();
  await ctx.tmux.cleanup();
  ctx.dir.remove();
});

const menuRefused = (fake: FakeTelegram) =>
  fake.waitFor((f) => f.callsTo('setMyCommands').filter((c) => c.ok === false).length === 3, 5_000, 'refused');

chat('publishes its commands in English, Russian and Chinese to the allowed person\'s chat only, once Telegram knows it', async (ctx) => {
  const mine = (f: FakeTelegram) => f.commandsIn({ type: 'chat', chat_id: ME.id });
  // Until the person writes, Telegram refuses their chat (the fake too): the menu follows their first update.
  await menuRefused(ctx.fake);
  ctx.fake.userSends(ME, '/help');
  const commands = await ctx.fake.waitFor((f) => (Object.keys(mine(f)).length === 3 ? mine(f) : undefined), 5_000, 'setMyCommands');
  assert.equal(Object.keys(commands).sort(), ['', 'ru', 'zh']);
  assert.ok(commands['']!.some((c) => c.command === 'new'));
  assert.equal(ctx.fake.commands, {}, 'nothing in the default scope, which strangers see');
  assert.ok(ctx.fake.callsTo('setMyCommands').every((c) => (c.params.scope as { type?: string }).type === 'chat'));
});

chat('reads /name and /name@bot (any case) as a command; a command inside text is not one', async (ctx) => {
  ctx.fake.userSends(ME, '/HELP@ccbot_test_bot');
  const help = await ctx.fake.waitFor((f) => f.lastBotMessage(ME.id), 5_000, 'help reply');
  assert.match(help.text, '/new');
  ctx.fake.userSends(ME, 'please /help');
  // Text with no session waits for one: the folder browser opens, not the help.
  const next = await ctx.fake.waitFor((f) => (f.lastBotMessage(ME.id)?.message_id !== help.message_id ? f.lastBotMessage(ME.id) : undefined), 5_000, 'reply');
  assert.not.match(next!.text, '/new');
});

chat('answers /help in the person\'s language', async (ctx) => {
  ctx.fake.userSends(ME, '/help');
  const reply = await ctx.fake.waitFor((f) => f.lastBotMessage(ME.id), 5_000, 'help reply');
  assert.match(reply.text, '/new');
  assert.match(reply.text, /[а-я]/, 'in Russian');
});

chat('a stranger\'s text, command, photo, edit and button press cause no API call at all', async (ctx) => {
  await menuRefused(ctx.fake);
  ctx.fake.userSends(ME, '/help');
  const help = await ctx.fake.waitFor((f) => f.lastBotMessage(ME.id), 5_000, 'help reply');
  await ctx.fake.waitFor((f) => f.callsTo('setMyCommands').filter((c) => c.ok).length === 3, 5_000, 'setMyCommands');
  const before = ctx.fake.calls.length;

  const sent = ctx.fake.userSends(STRANGER, 'hello bot');
  ctx.fake.userSends(STRANGER, '/new /tmp');
  ctx.fake.userSends(STRANGER, '/help');
  ctx.fake.userSendsPhoto(STRANGER, { content: Buffer.from('not really a jpeg'), caption: 'look' });
  ctx.fake.userSendsDocument(STRANGER, { filename: 'x.txt', content: Buffer.from('x') });
  ctx.fake.userEditsMessage(STRANGER, sent.message_id, 'edited');
  ctx.fake.userPresses(STRANGER, help.message_id, 'anything', { force: true, chatId: STRANGER.id });
  // The allowed user's message after them: once it is answered, the stranger's updates were handled before it.
  ctx.fake.userSends(ME, '/help');
  await ctx.fake.waitFor((f) => f.callsTo('sendMessage').length === 2, 5_000, 'second help reply');

  const methods = ctx.fake.calls.slice(before).map((c) => c.method);
  const others = methods.filter((m) => m !== 'getUpdates');
  assert.equal(others, ['sendMessage'], `only the allowed user was answered; calls: ${methods.join(', ')}`);
  assert.equal(ctx.fake.messages(STRANGER.id).filter((m) => m.from_bot), [], 'the stranger sees nothing');
});

chat('an allowed user writing in a group is ignored: ccbot lives in the private chat', async (ctx) => {
  ctx.fake.userSends(ME, '/help', { chatId: -100123, chatType: 'supergroup' });
  ctx.fake.userSends(ME, '/help');
  await ctx.fake.waitFor((f) => f.lastBotMessage(ME.id), 5_000, 'private help reply');
  assert.equal(ctx.fake.messages(-100123).filter((m) => m.from_bot), []);
  assert.is(ctx.fake.callsTo('sendMessage').length, 1);
});

chat.run();
