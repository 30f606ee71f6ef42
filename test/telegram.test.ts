import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createServer, connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { Api, type InlineKeyboardMarkup, type Update } from 'node-telegram-bot-api';
import { setLevel, setSink } from '#ccbot/log.cjs';
import { pollUpdates } from '#ccbot/poller.js';
import { t } from '#ccbot/i18n.js';
import { Telegram } from '#ccbot/telegram.js';
import { startFakeTelegram, type FakeTelegram } from './fake-telegram.js';
import { parseTelegramHtml } from './telegram-html.js';
import { fakeClock } from './fake-clock.js';

const ALICE = { id: 1001, first_name: 'Alice', language_code: 'en' };
const TOKEN = '123456:TEST-telegram-test-token';

type Clock = ReturnType<typeof fakeClock>;

interface Context {
  fake: FakeTelegram;
  api: Api;
  clock: Clock;
  tg: Telegram;
  chatId: number;
  logs: string[];
  cleanups: (() => Promise<void>)[];
  restoreSink: (line: string) => void;
}

/** A fresh fake Bot API, the real client (maxRetries 0: retries are ours) and a Telegram on a fake clock. */
function telegramSuite(name: string) {
  const s = suite<Context>(name, {} as Context);
  s.before.each(async (ctx) => {
    ctx.logs = [];
    ctx.cleanups = [];
    ctx.restoreSink = setSink((line) => ctx.logs.push(line));
    setLevel('debug');
    ctx.clock = fakeClock();
    ctx.fake = await startFakeTelegram({ token: TOKEN, now: () => ctx.clock.ms });
    ctx.api = new Api(TOKEN, { apiRoot: ctx.fake.url, maxRetries: 0 });
    ctx.tg = new Telegram(ctx.api, { now: ctx.clock.now, sleep: ctx.clock.sleep });
    ctx.chatId = ctx.fake.userSends(ALICE, 'hi').chat.id;
  });
  s.after.each(async (ctx) => {
    for (const cleanup of ctx.cleanups) await cleanup();
    await ctx.fake.close();
    setSink(ctx.restoreSink);
    setLevel('info');
  });
  return s;
}

const keyboard = (...data: string[]): InlineKeyboardMarkup => ({
  inline_keyboard: [data.map((d) => ({ text: `button ${d}`, callback_data: d }))],
});
const botMessages = (fake: FakeTelegram, chatId: number) => fake.messages(chatId).filter((m) => m.from_bot);
const warnings = (logs: string[]) => logs.filter((line) => /^(warn|error): /.test(line));
const withTelegram = (api: Api, clock: Clock, extra: ConstructorParameters<typeof Telegram>[1] = {}) =>
  new Telegram(api, { now: clock.now, sleep: clock.sleep, ...extra });

/** HTML as Claude's answers become: paragraphs, inline code, code blocks (one longer than a message), emoji. */
function longHtml(size: number): string {
  const blocks: string[] = [];
  for (let i = 1; blocks.join('\n').length < size; i++) {
    blocks.push(`<b>Step ${i}</b>: run <code>npm test -- --grep "case ${i}"</code> &amp; check that 1 &lt; 2 in <i>file${i}.ts</i> 🚀 ✓ Привет 你好.`);
    if (i % 3 === 0) {
      const lines = Array.from({ length: 12 }, (_, k) => `const v${k} = a &lt; b &amp;&amp; c &gt; d; // line ${k} of block ${i}`);
      blocks.push(`<pre><code class="language-ts">${lines.join('\n')}</code></pre>`);
    }
    if (i % 5 === 0) blocks.push(`<blockquote>Quoted ${i}: <a href="https://example.com/${i}">link ${i}</a></blockquote>`);
    if (i === 40) {
      const big = Array.from({ length: 150 }, (_, k) => `  x${k}: "${'y'.repeat(30)}",`).join('\n');
      blocks.push(`<pre>${big}</pre>`);
    }
  }
  return blocks.join('\n');
}

// ── ports that refuse, then accept ─────────────────────────────────────────────────────────────────────────────

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A TCP relay from `port` to `target`: until it starts, connecting to `port` is refused. Returns its stop. */
async function startRelay(port: number, target: number): Promise<() => Promise<void>> {
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => {});
      socket.on('close', () => {
        sockets.delete(socket);
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
}

const portOf = (url: string) => Number(new URL(url).port);

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────

const send = telegramSuite('send');

send('sends HTML with parse_mode HTML and returns the message id', async ({ fake, tg, chatId }) => {
  const result = await tg.send(chatId, '<b>Hi</b> &amp; bye', { silent: true });
  const [message] = botMessages(fake, chatId);
  assert.equal(result, { ok: true, messageIds: [message!.message_id] });
  assert.is(message!.text, 'Hi & bye');
  assert.is(message!.parse_mode, 'HTML');
  assert.is(fake.callsTo('sendMessage')[0]!.params.disable_notification, 'true');
});

for (const size of [10_000, 50_000]) {
  send(`splits ${size / 1000} KB of HTML with code blocks into ordered parts, losing no text`, async ({ fake, tg, chatId }) => {
    const html = longHtml(size);
    const result = await tg.send(chatId, html);
    assert.ok(result.ok, JSON.stringify(result));
    const original = parseTelegramHtml(html);
    if (!original.ok) return assert.unreachable(`the test's HTML is invalid: ${original.error}`);
    const plain = original.text;
    const messages = botMessages(fake, chatId);
    assert.ok(messages.length >= Math.max(2, Math.ceil(plain.length / 4096)), `only ${messages.length} parts`);
    assert.equal(result.ok && result.messageIds, messages.map((m) => m.message_id));
    for (const m of messages) assert.is(m.parse_mode, 'HTML', 'a part fell back to plain text');
    assert.is(fake.callsTo('sendMessage').filter((c) => !c.ok).length, 0, fake.describeCalls());
    // Telegram trims each message, so whitespace at the cuts is not kept; every other character is, in order.
    const squeeze = (text: string) => text.replace(/\s+/g, '');
    assert.is(squeeze(messages.map((m) => m.text).join('')), squeeze(plain));
  });
}

send('puts the reply on the first part and the keyboard on the last only', async ({ fake, tg, chatId }) => {
  const question = fake.userSends(ALICE, 'question').message_id;
  const result = await tg.send(chatId, `<b>${'a'.repeat(3000)}</b>\n${'b'.repeat(3000)}`, {
    replyTo: question, replyMarkup: keyboard('ok'),
  });
  assert.ok(result.ok);
  const messages = botMessages(fake, chatId);
  assert.is(messages.length, 2);
  assert.is(messages[0]!.reply_to_message_id, question);
  assert.is(messages[1]!.reply_to_message_id, undefined);
  assert.is(messages[0]!.reply_markup, undefined);
  assert.equal(messages[1]!.reply_markup, keyboard('ok'));
});

send('sends HTML Telegram cannot parse once more, as plain text', async ({ fake, tg, chatId, logs }) => {
  const result = await tg.send(chatId, '<b>x &amp; y</i>');
  const messages = botMessages(fake, chatId);
  assert.equal(result, { ok: true, messageIds: [messages[0]!.message_id] });
  assert.is(messages.length, 1);
  assert.is(messages[0]!.text, 'x & y');
  assert.is(messages[0]!.parse_mode, undefined);
  const calls = fake.callsTo('sendMessage');
  assert.is(calls.length, 2);
  assert.match(calls[0]!.description ?? '', /can't parse entities/);
  assert.is(warnings(logs).length, 1);
});

send('a blank text is a sure failure, long or short', async ({ fake, tg, chatId }) => {
  for (const blank of [' '.repeat(5000), ' \n ']) {
    const result = await tg.send(chatId, blank);
    assert.ok(!result.ok && result.kind === 'rejected', JSON.stringify(result));
  }
  assert.is(botMessages(fake, chatId).length, 0);
});

send('rides out a 429 storm: waits retry_after each time, then delivers exactly once', async ({ fake, tg, chatId, clock }) => {
  fake.failNext('sendMessage', { errorCode: 429, retryAfter: 2 }, 5);
  const result = await tg.send(chatId, 'after the storm');
  assert.ok(result.ok);
  assert.equal(clock.sleeps, [2000, 2000, 2000, 2000, 2000]);
  assert.is(fake.callsTo('sendMessage').length, 6);
  assert.equal(botMessages(fake, chatId).map((m) => m.text), ['after the storm']);
});

send('gives up after maxRetries 429s, sure that nothing was sent', async ({ fake, api, chatId }) => {
  const tg = withTelegram(api, fakeClock(), { maxRetries: 2 });
  fake.failNext('sendMessage', { errorCode: 429, retryAfter: 1 }, 3);
  const result = await tg.send(chatId, 'never');
  assert.equal(result.ok ? 'sent' : [result.kind, result.deliveredIds], ['rate-limited', []]);
  assert.is(fake.callsTo('sendMessage').length, 3);
  assert.is(botMessages(fake, chatId).length, 0);
});

send('retries a 5xx with growing backoff and delivers once', async ({ fake, tg, chatId, clock }) => {
  fake.failNext('sendMessage', { errorCode: 502 }, 2);
  const result = await tg.send(chatId, 'through');
  assert.ok(result.ok);
  assert.equal(clock.sleeps, [1000, 2000]);
  assert.equal(botMessages(fake, chatId).map((m) => m.text), ['through']);
});

send('does not repeat a request Telegram refused', async ({ fake, tg, chatId, logs }) => {
  fake.failNext('sendMessage', { errorCode: 403, description: 'Forbidden: bot was blocked by the user' });
  const result = await tg.send(chatId, 'blocked');
  assert.equal(result, { ok: false, kind: 'rejected', error: '403 Forbidden: bot was blocked by the user', deliveredIds: [] });
  assert.is(fake.callsTo('sendMessage').length, 1);
  assert.match(warnings(logs).join('\n'), /sendMessage failed/);
});

send('a timeout is uncertain and not repeated', async ({ fake, clock, chatId }) => {
  const api = new Api(TOKEN, { apiRoot: fake.url, maxRetries: 0, timeoutMs: 300 });
  const tg = withTelegram(api, clock);
  fake.hangNext('sendMessage');
  const result = await tg.send(chatId, 'maybe');
  assert.is(result.ok, false);
  assert.ok(!result.ok && result.kind === 'uncertain');
  assert.match(!result.ok ? result.error : '', /timed out/);
  await delay(50); // a repeat, if any, would have arrived by now
  assert.is(fake.callsTo('sendMessage').length, 1);
  assert.equal(clock.sleeps, []);
});

send('a connection dropped mid-request is uncertain and not repeated', async ({ fake, tg, chatId, logs }) => {
  fake.setDown(true);
  const result = await tg.send(chatId, 'maybe');
  assert.ok(!result.ok && result.kind === 'uncertain', JSON.stringify(result));
  assert.is(fake.callsTo('sendMessage').length, 1);
  assert.not.ok(logs.some((line) => line.includes(TOKEN)), 'a log line holds the token');
});

send('a refused connection is retried with backoff and delivered once the server is back', async (ctx) => {
  const { fake, clock, chatId } = ctx;
  const port = await freePort();
  const api = new Api(TOKEN, { apiRoot: `http://127.0.0.1:${port}`, maxRetries: 0 });
  const tg = new Telegram(api, {
    now: clock.now,
    sleep: async (ms) => {
      await clock.sleep(ms);
      if (clock.sleeps.length === 2) ctx.cleanups.push(await startRelay(port, portOf(fake.url)));
    },
  });
  const result = await tg.send(chatId, 'eventually');
  assert.ok(result.ok, JSON.stringify(result));
  assert.equal(clock.sleeps, [1000, 2000]);
  assert.is(fake.callsTo('sendMessage').length, 1);
  assert.equal(botMessages(fake, chatId).map((m) => m.text), ['eventually']);
  assert.not.ok(ctx.logs.some((line) => line.includes(TOKEN)), 'a log line holds the token');
});

send('a refused connection that never comes back ends in a sure failure', async ({ clock, chatId }) => {
  const api = new Api(TOKEN, { apiRoot: `http://127.0.0.1:${await freePort()}`, maxRetries: 0 });
  const result = await withTelegram(api, clock, { maxRetries: 3 }).send(chatId, 'lost');
  assert.equal(result.ok ? 'sent' : [result.kind, result.error], ['network', 'Network request failed: sendMessage (ECONNREFUSED)']);
  assert.equal(clock.sleeps, [1000, 2000, 4000]);
});

send.run();

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────

const edit = telegramSuite('edit');

edit('replaces the text and keeps the keyboard passed along', async ({ fake, tg, chatId }) => {
  const sent = await tg.send(chatId, 'v1', { replyMarkup: keyboard('a') });
  const id = sent.ok ? sent.messageIds[0]! : -1;
  assert.equal(await tg.edit(chatId, id, '<i>v2</i>', { replyMarkup: keyboard('a') }), { ok: true });
  const message = fake.lastBotMessage(chatId)!;
  assert.is(message.text, 'v2');
  assert.equal(message.reply_markup, keyboard('a'));
});

edit('counts "message is not modified" as success', async ({ fake, tg, chatId }) => {
  const sent = await tg.send(chatId, 'same');
  const id = sent.ok ? sent.messageIds[0]! : -1;
  assert.equal(await tg.edit(chatId, id, 'same'), { ok: true });
  assert.match(fake.callsTo('editMessageText')[0]!.description ?? '', /not modified/);
});

edit('a missing message, or one the bot cannot edit, is gone', async ({ fake, tg, chatId }) => {
  const kindOf = (result: Awaited<ReturnType<Telegram['edit']>>) => (result.ok ? 'edited' : result.kind);
  assert.is(kindOf(await tg.edit(chatId, 9999, 'x')), 'gone');
  const users = fake.userSends(ALICE, 'mine').message_id;
  assert.is(kindOf(await tg.edit(chatId, users, 'x')), 'gone');
});

edit('edits with plain text when Telegram cannot parse the HTML', async ({ fake, tg, chatId }) => {
  const sent = await tg.send(chatId, 'v1');
  const id = sent.ok ? sent.messageIds[0]! : -1;
  assert.equal(await tg.edit(chatId, id, '<b>v2</i>'), { ok: true });
  const message = fake.lastBotMessage(chatId)!;
  assert.is(message.text, 'v2');
  assert.is(message.parse_mode, undefined);
});

edit('repeats an edit through a dropped connection (an edit is idempotent)', async ({ fake, api, chatId }) => {
  const clock = fakeClock();
  // No spacing, so the only sleep is the backoff after the dropped edit; the fake comes back during it.
  const tg = new Telegram(api, {
    now: clock.now,
    minIntervalMs: 0,
    sleep: async (ms) => {
      await clock.sleep(ms);
      fake.setDown(false);
    },
  });
  const sent = await tg.send(chatId, 'v1');
  fake.setDown(true);
  const result = await tg.edit(chatId, sent.ok ? sent.messageIds[0]! : -1, 'v2');
  assert.equal(result, { ok: true });
  assert.equal(clock.sleeps, [1000]);
  assert.equal(fake.callsTo('editMessageText').map((c) => c.ok), [false, true]);
  assert.is(fake.lastBotMessage(chatId)!.text, 'v2');
});

edit('reports another refusal as an error, not gone', async ({ fake, tg, chatId }) => {
  const sent = await tg.send(chatId, 'v1');
  fake.failNext('editMessageText', { errorCode: 400, description: 'Bad Request: message is too long' });
  const result = await tg.edit(chatId, sent.ok ? sent.messageIds[0]! : -1, 'v2');
  assert.equal(result, { ok: false, kind: 'rejected', error: '400 Bad Request: message is too long' });
});

edit.run();

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────

const keyboards = telegramSuite('stripKeyboard / sendNewest');

keyboards('the older keyboard message loses its keyboard, the newest keeps it', async ({ fake, tg, chatId }) => {
  await tg.sendNewest(chatId, 'first', { replyMarkup: keyboard('a') });
  const second = await tg.sendNewest(chatId, 'second', { replyMarkup: keyboard('b') });
  const secondId = second.ok ? second.messageIds[0]! : -1;
  assert.ok(tg.isNewest(chatId, secondId), 'the newest at once; the strip follows in the chat\'s next slot');
  await fake.waitFor(() => botMessages(fake, chatId)[0]!.reply_markup === undefined || undefined, 5_000, 'the strip');
  const [a, b] = botMessages(fake, chatId);
  assert.is(a!.reply_markup, undefined);
  assert.equal(b!.reply_markup, keyboard('b'));
  assert.ok(tg.isNewest(chatId, secondId));
  assert.is(fake.callsTo('editMessageReplyMarkup').length, 1);
});

keyboards('stripping a bare, a deleted or an unknown message is quiet and never throws', async ({ fake, api, tg, chatId, logs }) => {
  const sent = await tg.send(chatId, 'bare');
  const id = sent.ok ? sent.messageIds[0]! : -1;
  await tg.stripKeyboard(chatId, id);
  await api.deleteMessage({ chat_id: chatId, message_id: id });
  await tg.stripKeyboard(chatId, id);
  await tg.stripKeyboard(chatId, 424242);
  assert.is(fake.callsTo('editMessageReplyMarkup').length, 3);
  assert.equal(warnings(logs), []);
});

keyboards('a failed strip is logged, not thrown', async ({ fake, tg, chatId, logs }) => {
  const sent = await tg.send(chatId, 'kb', { replyMarkup: keyboard('a') });
  fake.failNext('editMessageReplyMarkup', { errorCode: 403, description: 'Forbidden: bot was blocked by the user' });
  await tg.stripKeyboard(chatId, sent.ok ? sent.messageIds[0]! : -1);
  assert.match(warnings(logs).join('\n'), /editMessageReplyMarkup failed/);
});

keyboards.run();

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────

const small = telegramSuite('sendDocument / answerCallback / react');

small('sendDocument uploads the bytes under the file name, with an HTML caption', async ({ fake, tg, chatId }) => {
  const text = await tg.sendDocument(chatId, 'notes.txt', 'hello\nworld\n', '<b>notes</b>');
  const bytes = await tg.sendDocument(chatId, 'blob.bin', new Uint8Array([0, 1, 2, 255]));
  assert.ok(text.ok && bytes.ok);
  const [doc, bin] = botMessages(fake, chatId);
  assert.is(doc!.document!.file_name, 'notes.txt');
  assert.is(doc!.text, 'notes');
  assert.is(fake.fileContent(doc!.document!.file_id)!.toString(), 'hello\nworld\n');
  assert.equal([...fake.fileContent(bin!.document!.file_id)!], [0, 1, 2, 255]);
});

small('the mask covers every text that leaves: messages, edits, documents and captions', async ({ fake, api, clock, chatId }) => {
  const tg = withTelegram(api, clock, { mask: (text) => text.replaceAll('s3cret', '[redacted]') });
  const sent = await tg.send(chatId, '<b>a s3cret</b>');
  assert.ok(sent.ok);
  await tg.edit(chatId, sent.messageIds[0]!, '<i>the s3cret again</i>');
  await tg.sendDocument(chatId, 'patch.diff', '+KEY=s3cret\n', 'diff of <b>s3cret</b>');
  const [message, doc] = botMessages(fake, chatId);
  assert.is(message!.text, 'the [redacted] again');
  assert.is(doc!.text, 'diff of [redacted]');
  assert.is(fake.fileContent(doc!.document!.file_id)!.toString(), '+KEY=[redacted]\n');
});

small('sendDocument reports a refused upload as a sure failure', async ({ tg, chatId }) => {
  const result = await tg.sendDocument(chatId, 'empty.txt', '');
  assert.equal(result, { ok: false, kind: 'rejected', error: '400 Bad Request: file must be non-empty', deliveredIds: [] });
});

small('answerCallback answers a press; an expired query is fine', async ({ fake, tg, chatId, logs }) => {
  const sent = await tg.send(chatId, 'press', { replyMarkup: keyboard('go') });
  const queryId = fake.userPresses(ALICE, sent.ok ? sent.messageIds[0]! : -1, 'go');
  await tg.answerCallback(queryId, 'Done');
  await tg.answerCallback(queryId); // second answer: "query is too old"
  await tg.answerCallback('no-such-query');
  assert.equal(fake.answeredCallbacks, [{ id: queryId, show_alert: false, text: 'Done' }]);
  assert.equal(warnings(logs), []);
});

small('react sets the reaction; a refused one is only a debug line', async ({ fake, tg, chatId, logs }) => {
  const own = fake.userSends(ALICE, 'do it').message_id;
  await tg.react(chatId, own, '👍');
  await tg.react(chatId, own, 'not an emoji');
  await tg.react(chatId, 9999, '👍');
  assert.equal(fake.messages(chatId).find((m) => m.message_id === own)!.reactions, ['👍']);
  assert.equal(warnings(logs), []);
  assert.ok(logs.some((line) => line.startsWith('debug: telegram: setMessageReaction failed')));
});

small.run();

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────

const commands = telegramSuite('setCommands');

const PUBLISHED_COMMANDS = ['menu', 'help', 'new', 'list', 'history', 'screenshot', 'stop', 'kill', 'done', 'archive', 'settings', 'mode', 'resume', 'rename'] as const;

commands('publishes the commands to the person\'s chat only, in English by default and in ru and zh, from i18n', async ({ fake, tg, chatId }) => {
  assert.is(await tg.setCommands(chatId), true);
  const published = fake.commandsIn({ type: 'chat', chat_id: chatId });
  assert.equal(Object.keys(published).sort(), ['', 'ru', 'zh']);
  for (const [language, lang] of [['', 'en'], ['ru', 'ru'], ['zh', 'zh']] as const) {
    assert.equal(published[language]!.map((c) => c.command), [...PUBLISHED_COMMANDS]);
    assert.equal(published[language]!.map((c) => c.description), PUBLISHED_COMMANDS.map((c) => t(lang, `cmd.${c}`)));
  }
  assert.is.not(published.ru![0]!.description, published['']![0]!.description);
  assert.equal(fake.commands, {}, 'nothing in the default scope, which anyone who opens the bot sees');
});

commands('a failure is logged and reported, not thrown; the other languages are still set', async ({ fake, tg, logs, chatId }) => {
  fake.failNext('setMyCommands', { errorCode: 400, description: 'Bad Request: BOT_COMMAND_INVALID' });
  assert.is(await tg.setCommands(chatId), false);
  assert.equal(Object.keys(fake.commandsIn({ type: 'chat', chat_id: chatId })).sort(), ['ru', 'zh']);
  assert.match(warnings(logs).join('\n'), /setMyCommands failed/);
});

commands('a chat Telegram does not know yet (the person never wrote) is reported as not set', async ({ tg }) => {
  assert.is(await tg.setCommands(4242), false);
});

commands('clearDefaultCommands removes a menu an older version published for everyone, in every language', async ({ fake, api, tg }) => {
  await api.setMyCommands({ commands: [{ command: 'new', description: 'New session' }] });
  await api.setMyCommands({ commands: [{ command: 'new', description: 'Новая сессия' }], language_code: 'ru' });
  await tg.clearDefaultCommands();
  assert.equal(fake.commands, {});
});

commands.run();

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────

const pacing = telegramSuite('pacing');

pacing('on a fake clock: a burst of three messages goes at once, the next are spaced, one after a quiet spell is immediate', async ({ fake, tg, chatId, clock }) => {
  clock.ms = 50_000;
  await Promise.all(['one', 'two', 'three', 'four', 'five'].map((text) => tg.send(chatId, text)));
  clock.ms += 10_000;
  await tg.send(chatId, 'six');
  assert.equal(fake.callsTo('sendMessage').map((c) => c.at), [50_000, 50_000, 50_000, 51_000, 52_000, 62_000]);
  assert.equal(botMessages(fake, chatId).map((m) => m.text), ['one', 'two', 'three', 'four', 'five', 'six']);
  assert.equal(clock.sleeps, [1000, 1000]);
});

pacing('edits are spaced and wait behind messages; another chat is not held up', async ({ fake, tg, chatId, clock }) => {
  const other = fake.userSends({ id: 2002, first_name: 'Bob' }, 'hi').chat.id;
  const sent = await tg.send(chatId, 'v1');
  const id = sent.ok ? sent.messageIds[0]! : -1;
  await tg.edit(chatId, id, 'v2');
  await Promise.all([tg.edit(chatId, id, 'v3'), tg.sendDocument(chatId, 'a.txt', 'a'), tg.send(other, 'elsewhere')]);
  const order = fake.calls.filter((c) => /^(editMessageText|sendDocument)$/.test(c.method)).map((c) => c.params.text ?? c.method);
  assert.equal(order, ['v2', 'sendDocument', 'v3']);
  // v2 waited an interval; v3 one, then another once the document took the slot it waited for. Bob's chat: none.
  assert.equal(clock.sleeps, [1000, 1000, 1000]);
  assert.equal(botMessages(fake, other).map((m) => m.text), ['elsewhere']);
});

pacing('reactions and button answers neither wait for the chat\'s slot nor take one', async ({ fake, tg, chatId, clock }) => {
  const sent = await tg.send(chatId, 'v1', { replyMarkup: keyboard('x') });
  const id = sent.ok ? sent.messageIds[0]! : -1;
  await tg.edit(chatId, id, 'v2', { replyMarkup: keyboard('x') }); // waits the interval: the next edit slot is 2 000
  const press = fake.userPresses(ALICE, id, 'x');
  await tg.react(chatId, id, '👍');
  await tg.answerCallback(press);
  await tg.edit(chatId, id, 'v3');
  assert.equal(fake.callsTo('setMessageReaction').map((c) => c.at), [1000]);
  assert.equal(fake.callsTo('answerCallbackQuery').map((c) => c.at), [1000]);
  assert.equal(fake.callsTo('editMessageText').map((c) => c.at), [1000, 2000]);
});

pacing('in real time, with a small interval, sends to one chat past the burst are spaced by it', async () => {
  const fake = await startFakeTelegram({ token: TOKEN });
  try {
    const chatId = fake.userSends(ALICE, 'hi').chat.id;
    // Departure times, not arrival: a first request that opens the connection arrives later than the next ones.
    const departures: number[] = [];
    const recordingFetch: typeof fetch = (input, init) => {
      departures.push(performance.now());
      return fetch(input, init);
    };
    const api = new Api(TOKEN, { apiRoot: fake.url, maxRetries: 0, fetch: recordingFetch });
    const tg = new Telegram(api, { minIntervalMs: 80 });
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((text) => tg.send(chatId, text)));
    assert.is(departures.length, 5);
    for (let i = 3; i < departures.length; i++) { // after the burst of three, one an interval
      const gap = departures[i]! - departures[0]!;
      assert.ok(gap >= (i - 2) * 80 - 2, `request ${i}: ${gap} ms after the first`); // a timer may fire a little early
    }
    assert.equal(botMessages(fake, chatId).map((m) => m.text), ['a', 'b', 'c', 'd', 'e']);
  } finally {
    await fake.close();
  }
});

pacing.run();

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────

const polling = suite<{ fake: FakeTelegram; restoreSink: (line: string) => void }>('pollUpdates through the fake Bot API', {} as never);
polling.before.each(async (ctx) => {
  ctx.restoreSink = setSink(() => {});
  ctx.fake = await startFakeTelegram({ token: TOKEN });
});
polling.after.each(async (ctx) => {
  await ctx.fake.close();
  setSink(ctx.restoreSink);
});

polling('a 10 s outage: every message sent meanwhile is handled exactly once, in order', async ({ fake }) => {
  const api = new Api(TOKEN, { apiRoot: fake.url, maxRetries: 0 });
  const stop = new AbortController();
  const handled: Update[] = [];
  // The poller's own backoff, capped at 500 ms so the test ends soon after the fake is back.
  const sleep = (ms: number, signal: AbortSignal) => delay(Math.min(ms, 500), undefined, { signal });
  const dispatch = (update: Update) => ({ lane: 1, run: async () => void handled.push(update) });
  const polled = pollUpdates(api, dispatch, stop.signal, { timeoutS: 1, sleep });
  try {
    await fake.waitFor((f) => f.isPolling, 5000, 'first long poll');
    fake.setDown(true);
    for (let i = 1; i <= 5; i++) fake.userSends(ALICE, `m${i}`);
    await delay(10_000);
    assert.is(handled.length, 0);
    const failedPolls = fake.callsTo('getUpdates').filter((c) => c.ok === false).length;
    assert.ok(failedPolls >= 5, `only ${failedPolls} polls during the outage`);
    fake.setDown(false);
    await fake.waitFor((f) => handled.length >= 5 && f.pendingUpdates.length === 0, 10_000, 'all five handled and confirmed');
  } finally {
    stop.abort();
  }
  assert.is(await polled, 'stopped');
  const texts = handled.map((u) => ('message' in u ? u.message.text : undefined));
  assert.equal(texts, ['m1', 'm2', 'm3', 'm4', 'm5']);
  const ids = handled.map((u) => u.update_id);
  assert.equal(ids, [...ids].sort((a, b) => a - b));
  assert.is(new Set(ids).size, 5);
});

polling.run();
