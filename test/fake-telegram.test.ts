import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Api, InputFile, NetworkError, TelegramApiError } from 'node-telegram-bot-api';
import type { CallbackQuery, InlineKeyboardMarkup, Message, Update } from 'node-telegram-bot-api';
import { startFakeTelegram, type FakeTelegram, type FakeTelegramOptions } from './fake-telegram.js';
import { png } from './png-fixture.js';

/** Every test talks to a fresh fake through the real client, which sends exactly what the daemon will send. */
interface Context { fake: FakeTelegram; api: Api }

const ALICE = { id: 1001, first_name: 'Alice', language_code: 'en' };
const NOT_MODIFIED =
  'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a ' +
  'current content and reply markup of the message';
const QUERY_TOO_OLD = 'Bad Request: query is too old and response timeout expired or query ID is invalid';

function fakeSuite(name: string, options: FakeTelegramOptions = {}) {
  const s = suite<Context>(name, {} as Context);
  s.before.each(async (context) => {
    context.fake = await startFakeTelegram(options);
    // maxRetries 0: the test sees each error the fake returns, not the client's retry of it.
    context.api = new Api(context.fake.token, { apiRoot: context.fake.url, maxRetries: 0 });
  });
  s.after.each(async (context) => {
    await context.fake.close();
  });
  return s;
}

/** The TelegramApiError a call rejects with (fails the test if it resolves). */
async function apiError(promise: Promise<unknown>): Promise<TelegramApiError> {
  const err = await promise.then(
    () => assert.unreachable('the call succeeded'),
    (e: unknown) => e,
  );
  assert.instance(err, TelegramApiError);
  return err as TelegramApiError;
}

function keyboard(...data: string[]): InlineKeyboardMarkup {
  return { inline_keyboard: [data.map((d) => ({ text: `button ${d}`, callback_data: d }))] };
}

const messageOf = (update: Update | undefined): Message | undefined =>
  update && 'message' in update ? update.message : undefined;
const pressOf = (update: Update | undefined): CallbackQuery | undefined =>
  update && 'callback_query' in update ? update.callback_query : undefined;

/** Alice's private chat exists once she wrote to the bot. */
const chatWithAlice = (fake: FakeTelegram) => fake.userSends(ALICE, 'hi').chat.id;

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────

const server = fakeSuite('startFakeTelegram');

server('listens on 127.0.0.1 and answers getMe with the bot', async ({ fake, api }) => {
  assert.match(fake.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  const me = await api.getMe();
  assert.is(me.is_bot, true);
  assert.is(me.username, 'ccbot_test_bot');
  assert.is(fake.callsTo('getMe')[0]?.ok, true);
});

server('answers a wrong token with 401 Unauthorized', async ({ fake }) => {
  const wrong = new Api('999:wrong', { apiRoot: fake.url, maxRetries: 0 });
  const err = await apiError(wrong.getMe());
  assert.is(err.errorCode, 401);
  assert.is(err.description, 'Unauthorized');
});

server('answers an unknown method with 404 Not Found', async ({ fake }) => {
  const response = await fetch(`${fake.url}/bot${fake.token}/sendTelepathy`, { method: 'POST' });
  assert.is(response.status, 404);
  assert.equal(await response.json(), { ok: false, error_code: 404, description: 'Not Found' });
});

server('reads a JSON body, decoding the objects inside it', async ({ fake }) => {
  const chatId = chatWithAlice(fake);
  const body = { chat_id: chatId, text: 'json', reply_markup: keyboard('a') };
  const response = await fetch(`${fake.url}/bot${fake.token}/sendMessage`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  assert.is(response.status, 200);
  assert.equal(fake.lastBotMessage(chatId)?.reply_markup, keyboard('a'));
});

server('reads parameters from the query string', async ({ fake }) => {
  const chatId = chatWithAlice(fake);
  const response = await fetch(`${fake.url}/bot${fake.token}/sendMessage?chat_id=${chatId}&text=query`);
  assert.is(response.status, 200);
  assert.is(fake.lastBotMessage(chatId)?.text, 'query');
});

server.run();

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────

const sendMessage = fakeSuite('sendMessage');

sendMessage('stores what was sent and what a person reads', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  const sent = await api.sendMessage({ chat_id: chatId, text: '<b>Hi</b> &amp; bye', parse_mode: 'HTML' });
  const [, message] = fake.messages(chatId);
  assert.is(message?.message_id, sent.message_id);
  assert.is(message?.from_bot, true);
  assert.is(message?.raw, '<b>Hi</b> &amp; bye');
  assert.is(message?.text, 'Hi & bye');
  assert.equal(message?.entities, [{ type: 'bold', offset: 0, length: 2 }]);
  assert.is(sent.text, 'Hi & bye');
});

sendMessage('refuses a chat nobody opened', async ({ api }) => {
  const err = await apiError(api.sendMessage({ chat_id: 42, text: 'hello?' }));
  assert.is(err.description, 'Bad Request: chat not found');
});

sendMessage('accepts 4096 characters and refuses 4097', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  await api.sendMessage({ chat_id: chatId, text: 'x'.repeat(4096) });
  const err = await apiError(api.sendMessage({ chat_id: chatId, text: 'x'.repeat(4097) }));
  assert.is(err.errorCode, 400);
  assert.is(err.description, 'Bad Request: message is too long');
});

sendMessage('measures the text after entity parsing and trimming', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  await api.sendMessage({ chat_id: chatId, text: `<b>${'x'.repeat(4096)}</b>\n\n`, parse_mode: 'HTML' });
  assert.is(fake.lastBotMessage(chatId)?.text.length, 4096);
  const err = await apiError(api.sendMessage({ chat_id: chatId, text: `${'&lt;'.repeat(4097)}`, parse_mode: 'HTML' }));
  assert.is(err.description, 'Bad Request: message is too long');
});

sendMessage('counts UTF-16 units by default, code points when asked', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  await api.sendMessage({ chat_id: chatId, text: '😀'.repeat(2048) });
  const err = await apiError(api.sendMessage({ chat_id: chatId, text: '😀'.repeat(2049) }));
  assert.is(err.description, 'Bad Request: message is too long');

  const lenient = await startFakeTelegram({ lengthUnit: 'codepoint' });
  try {
    const other = chatWithAlice(lenient);
    const lenientApi = new Api(lenient.token, { apiRoot: lenient.url, maxRetries: 0 });
    await lenientApi.sendMessage({ chat_id: other, text: '😀'.repeat(4096) });
    assert.is(lenient.lastBotMessage(other)?.text.length, 8192);
  } finally {
    await lenient.close();
  }
});

sendMessage('refuses a text holding half of a split emoji (strict)', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  const split = '😀'.repeat(3).slice(0, 5); // ends with a lone high surrogate
  const err = await apiError(api.sendMessage({ chat_id: chatId, text: split }));
  assert.match(err.description, 'split surrogate pair');
});

sendMessage('refuses empty text, and text that is empty once trimmed', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  const empty = await apiError(api.sendMessage({ chat_id: chatId, text: '' }));
  assert.is(empty.description, 'Bad Request: message text is empty');
  const blank = await apiError(api.sendMessage({ chat_id: chatId, text: '<b> </b>\n', parse_mode: 'HTML' }));
  assert.is(blank.description, 'Bad Request: text must be non-empty');
});

sendMessage('refuses crossed HTML tags with Telegram\'s parse error', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  const err = await apiError(api.sendMessage({ chat_id: chatId, text: '<b>x</i>', parse_mode: 'HTML' }));
  const reason = 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"';
  assert.is(err.description, `Bad Request: can't parse entities: ${reason}`);
  assert.is(fake.messages(chatId).length, 1, 'nothing reached the chat');
});

sendMessage('accepts a code block with a language', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  const text = '<pre><code class="language-ts">let a = 1;</code></pre>';
  await api.sendMessage({ chat_id: chatId, text, parse_mode: 'HTML' });
  assert.equal(fake.lastBotMessage(chatId)?.entities, [{ type: 'pre', offset: 0, length: 10, language: 'ts' }]);
});

sendMessage('accepts callback_data of 64 bytes and refuses 65, counting UTF-8 bytes', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  await api.sendMessage({ chat_id: chatId, text: 'ascii', reply_markup: keyboard('a'.repeat(64)) });
  await api.sendMessage({ chat_id: chatId, text: 'emoji', reply_markup: keyboard('😀'.repeat(16)) });
  for (const data of ['a'.repeat(65), '😀'.repeat(22)]) {
    const err = await apiError(api.sendMessage({ chat_id: chatId, text: 'too long', reply_markup: keyboard(data) }));
    assert.is(err.description, 'Bad Request: BUTTON_DATA_INVALID', data);
  }
});

sendMessage('refuses an inline button without an action', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  const markup = { inline_keyboard: [[{ text: 'inert' }]] } as InlineKeyboardMarkup;
  const err = await apiError(api.sendMessage({ chat_id: chatId, text: 'x', reply_markup: markup }));
  const reason = 'Text buttons are unallowed in the inline keyboard';
  assert.is(err.description, `Bad Request: can't parse inline keyboard button: ${reason}`);
});

sendMessage('refuses a reply to a message that is not there', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  const err = await apiError(api.sendMessage({ chat_id: chatId, text: 'x', reply_parameters: { message_id: 99 } }));
  assert.is(err.description, 'Bad Request: message to be replied not found');
  await api.sendMessage({ chat_id: chatId, text: 'x', reply_parameters: { message_id: 1 } });
  assert.is(fake.lastBotMessage(chatId)?.reply_to_message_id, 1);
});

sendMessage.run();

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────

const edits = fakeSuite('editMessageText / editMessageReplyMarkup / deleteMessage');

edits('refuses an edit that changes neither text nor keyboard', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  const card = { chat_id: chatId, text: '<b>card</b>', parse_mode: 'HTML', reply_markup: keyboard('x') };
  const sent = await api.sendMessage(card);
  const same = { chat_id: chatId, message_id: sent.message_id, parse_mode: 'HTML', reply_markup: keyboard('x') };
  // <strong> renders as <b>: the content is the same.
  const err = await apiError(api.editMessageText({ ...same, text: '<strong>card</strong>' }));
  assert.is(err.description, NOT_MODIFIED);
  assert.is(fake.lastBotMessage(chatId)?.editCount, 0);
});

edits('applies a changed text and remembers the old one', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  const sent = await api.sendMessage({ chat_id: chatId, text: 'working…' });
  await api.editMessageText({ chat_id: chatId, message_id: sent.message_id, text: 'done' });
  const message = fake.lastBotMessage(chatId);
  assert.is(message?.text, 'done');
  assert.is(message?.editCount, 1);
  assert.equal(message?.previousTexts, ['working…']);
});

edits('removes the keyboard when an edit leaves reply_markup out', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  const sent = await api.sendMessage({ chat_id: chatId, text: 'pick', reply_markup: keyboard('a') });
  await api.editMessageText({ chat_id: chatId, message_id: sent.message_id, text: 'picked' });
  assert.is(fake.lastBotMessage(chatId)?.reply_markup, undefined);
});

edits('refuses to edit a message that is not there, or not the bot\'s', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  const unknown = await apiError(api.editMessageText({ chat_id: chatId, message_id: 77, text: 'x' }));
  assert.is(unknown.description, 'Bad Request: message to edit not found');
  const users = await apiError(api.editMessageText({ chat_id: chatId, message_id: 1, text: 'x' }));
  assert.is(users.description, "Bad Request: message can't be edited");
});

edits('changes only the keyboard, refusing the same keyboard twice', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  const sent = await api.sendMessage({ chat_id: chatId, text: 'pick', reply_markup: keyboard('a') });
  await api.editMessageReplyMarkup({ chat_id: chatId, message_id: sent.message_id, reply_markup: keyboard('b') });
  assert.equal(fake.lastBotMessage(chatId)?.reply_markup, keyboard('b'));
  const again = { chat_id: chatId, message_id: sent.message_id, reply_markup: keyboard('b') };
  const err = await apiError(api.editMessageReplyMarkup(again));
  assert.is(err.description, NOT_MODIFIED);
});

edits('deletes once; the deleted message can be neither deleted nor edited again', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  const sent = await api.sendMessage({ chat_id: chatId, text: 'bye' });
  assert.is(await api.deleteMessage({ chat_id: chatId, message_id: sent.message_id }), true);
  assert.is(fake.messages(chatId).find((m) => m.message_id === sent.message_id)?.deleted, true);
  assert.is(fake.lastBotMessage(chatId), undefined);
  const again = await apiError(api.deleteMessage({ chat_id: chatId, message_id: sent.message_id }));
  assert.is(again.description, 'Bad Request: message to delete not found');
  const edit = await apiError(api.editMessageText({ chat_id: chatId, message_id: sent.message_id, text: 'x' }));
  assert.is(edit.description, 'Bad Request: message to edit not found');
});

edits.run();

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────

const callbacks = fakeSuite('userPresses / answerCallbackQuery');

callbacks('delivers a press as a callback_query and accepts one answer to it', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  const sent = await api.sendMessage({ chat_id: chatId, text: 'pick', reply_markup: keyboard('yes', 'no') });
  const id = fake.userPresses(ALICE, sent.message_id, 'no');
  const [, press] = await api.getUpdates({});
  assert.is(pressOf(press)?.id, id);
  assert.is(pressOf(press)?.data, 'no');
  assert.is(pressOf(press)?.message?.message_id, sent.message_id);

  assert.is(await api.answerCallbackQuery({ callback_query_id: id, text: 'Noted' }), true);
  assert.equal(fake.answeredCallbacks, [{ id, text: 'Noted', show_alert: false }]);
  assert.is((await apiError(api.answerCallbackQuery({ callback_query_id: id }))).description, QUERY_TOO_OLD);
  assert.is((await apiError(api.answerCallbackQuery({ callback_query_id: '123' }))).description, QUERY_TOO_OLD);
});

callbacks('will not press a button that is not on screen, unless forced', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  const sent = await api.sendMessage({ chat_id: chatId, text: 'pick', reply_markup: keyboard('yes') });
  assert.throws(() => fake.userPresses(ALICE, sent.message_id, 'maybe'), /has no button "maybe"/);
  assert.type(fake.userPresses(ALICE, sent.message_id, 'maybe', { force: true }), 'string');
});

callbacks.run();

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────

const chatSide = fakeSuite('sendChatAction / setMessageReaction');

chatSide('accepts a known chat action and refuses an unknown one', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  assert.is(await api.sendChatAction({ chat_id: chatId, action: 'typing' }), true);
  const err = await apiError(api.sendChatAction({ chat_id: chatId, action: 'dancing' }));
  assert.is(err.description, 'Bad Request: wrong parameter action in request');
});

chatSide('puts an allowed reaction on the message and refuses the rest', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  await api.setMessageReaction({ chat_id: chatId, message_id: 1, reaction: [{ type: 'emoji', emoji: '👀' }] });
  assert.equal(fake.messages(chatId)[0]?.reactions, ['👀']);
  // "❤️" with the variation selector is not the allowed "❤".
  const heart = { chat_id: chatId, message_id: 1, reaction: [{ type: 'emoji', emoji: '❤️' }] };
  const err = await apiError(api.setMessageReaction(heart));
  assert.is(err.description, 'Bad Request: REACTION_INVALID');
});

chatSide.run();

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────

const updates = fakeSuite('getUpdates');

updates('delivers a command with its bot_command entities, found where Telegram finds them', async ({ fake, api }) => {
  // TDLib starts a command at any "/" not preceded by a word character, "/", "<" or ">": "~/project" holds one.
  fake.userSends(ALICE, '/new ~/project src/app');
  const [update] = await api.getUpdates({});
  assert.is(messageOf(update)?.text, '/new ~/project src/app');
  assert.equal(messageOf(update)?.entities, [
    { type: 'bot_command', offset: 0, length: 4 },
    { type: 'bot_command', offset: 6, length: 8 },
  ]);
  assert.is(messageOf(update)?.from?.language_code, 'en');
});

updates('redelivers until an offset confirms, then never again', async ({ fake, api }) => {
  fake.userSends(ALICE, 'one');
  fake.userSends(ALICE, 'two');
  const first = await api.getUpdates({});
  assert.equal((await api.getUpdates({})).map((u) => u.update_id), first.map((u) => u.update_id));
  const second = await api.getUpdates({ offset: first[0]!.update_id + 1 });
  assert.equal(second.map((u) => messageOf(u)?.text), ['two']);
  assert.equal((await api.getUpdates({})).map((u) => messageOf(u)?.text), ['two'], 'confirmed updates stay gone');
  assert.equal(await api.getUpdates({ offset: second[0]!.update_id + 1 }), []);
});

updates('returns at most limit updates', async ({ fake, api }) => {
  for (const text of ['a', 'b', 'c']) fake.userSends(ALICE, text);
  assert.equal((await api.getUpdates({ limit: 2 })).map((u) => messageOf(u)?.text), ['a', 'b']);
});

updates('answers a long poll as soon as an update arrives', async ({ fake, api }) => {
  const started = Date.now();
  const poll = api.getUpdates({ timeout: 30 });
  await fake.waitFor((f) => f.isPolling);
  fake.userSends(ALICE, 'ping');
  const received = await poll;
  assert.equal(received.map((u) => messageOf(u)?.text), ['ping']);
  assert.ok(Date.now() - started < 5000, 'did not wait for the 30 s timeout');
});

updates('ends an empty long poll after its timeout', async ({ api }) => {
  const started = Date.now();
  assert.equal(await api.getUpdates({ timeout: 1 }), []);
  assert.ok(Date.now() - started >= 900, 'waited about a second');
});

updates('ends the older of two waiting polls with 409 Conflict', async ({ fake, api }) => {
  const older = apiError(api.getUpdates({ timeout: 30 }));
  await fake.waitFor((f) => f.isPolling);
  const newer = api.getUpdates({ timeout: 30 });
  const err = await older;
  assert.is(err.errorCode, 409);
  const conflict = 'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running';
  assert.is(err.description, conflict);
  await fake.waitFor((f) => f.isPolling);
  fake.userSends(ALICE, 'for the newer');
  assert.equal((await newer).map((u) => messageOf(u)?.text), ['for the newer']);
});

updates.run();

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────

const failures = fakeSuite('failNext / hangNext / setDown');

failures('makes the next call fail with 429 and retry_after, then work again', async ({ fake, api }) => {
  fake.failNext('getMe', { errorCode: 429, retryAfter: 7 });
  const err = await apiError(api.getMe());
  assert.is(err.errorCode, 429);
  assert.is(err.retryAfter, 7);
  assert.is(err.description, 'Too Many Requests: retry after 7');
  assert.is((await api.getMe()).is_bot, true);
});

failures('fails as many times as asked, with any code', async ({ fake, api }) => {
  fake.failNext('getMe', { errorCode: 502 }, 2);
  assert.is((await apiError(api.getMe())).errorCode, 502);
  assert.is((await apiError(api.getMe())).description, 'Bad Gateway');
  await api.getMe();
  assert.equal(fake.callsTo('getMe').map((c) => c.ok), [false, false, true]);
});

failures('fails a call at the network level while down, and serves again once up', async ({ fake, api }) => {
  fake.setDown(true);
  const err = await api.getMe().then(() => undefined, (e: unknown) => e);
  assert.instance(err, NetworkError);
  assert.is(fake.callsTo('getMe')[0]?.ok, false);
  fake.setDown(false);
  assert.is((await api.getMe()).is_bot, true);
});

failures('holds a call while asked, and drops it when going down', async ({ fake, api }) => {
  fake.hangNext('getMe');
  const held = api.getMe().then(() => undefined, (e: unknown) => e);
  await fake.waitFor((f) => f.callsTo('getMe')[0]);
  assert.is(fake.callsTo('getMe')[0]?.ok, undefined, 'still in flight');
  fake.setDown(true);
  assert.instance(await held, NetworkError);
});

failures.run();

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────

const files = fakeSuite('sendDocument / getFile / file download');

files('takes a multipart upload with a caption and a keyboard, and serves the bytes back', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  const bytes = new TextEncoder().encode('line 1\nline "2"\n');
  const document = new InputFile(bytes, { filename: 'report "final".txt', contentType: 'text/plain' });
  const sent = await api.sendDocument({
    chat_id: chatId, document, caption: '<b>Отчёт</b> ✓', parse_mode: 'HTML', reply_markup: keyboard('open'),
  });
  const message = fake.lastBotMessage(chatId);
  assert.is(message?.kind, 'document');
  assert.is(message?.text, 'Отчёт ✓', 'text fields are UTF-8');
  assert.is(message?.document?.file_name, 'report "final".txt');
  assert.equal(message?.reply_markup, keyboard('open'), 'JSON fields in multipart bodies are decoded');

  const file = await api.getFile({ file_id: sent.document!.file_id });
  const download = await fetch(`${fake.url}/file/bot${fake.token}/${file.file_path}`);
  assert.is(download.status, 200);
  assert.equal(new Uint8Array(await download.arrayBuffer()), bytes);
});

files('sends a file again by its file_id and refuses an unknown one', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  const upload = new InputFile(new Uint8Array([1, 2, 3]), { filename: 'a.bin' });
  const first = await api.sendDocument({ chat_id: chatId, document: upload });
  await api.sendDocument({ chat_id: chatId, document: first.document!.file_id });
  assert.is(fake.lastBotMessage(chatId)?.document?.file_id, first.document!.file_id);
  const err = await apiError(api.sendDocument({ chat_id: chatId, document: 'no-such-file' }));
  assert.is(err.description, 'Bad Request: wrong file identifier/HTTP URL specified');
});

files('refuses a caption over 1024 characters', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  const document = new InputFile(new Uint8Array([1]), { filename: 'a.bin' });
  const err = await apiError(api.sendDocument({ chat_id: chatId, document, caption: 'x'.repeat(1025) }));
  assert.is(err.description, 'Bad Request: message caption is too long');
});

files('lets the bot fetch a document the user sent', async ({ fake, api }) => {
  fake.userSendsDocument(ALICE, { filename: 'notes.md', content: Buffer.from('# notes'), caption: 'for you' });
  const [update] = await api.getUpdates({});
  const document = messageOf(update)?.document;
  assert.is(document?.file_name, 'notes.md');
  assert.is(messageOf(update)?.caption, 'for you');
  const file = await api.getFile({ file_id: document!.file_id });
  const download = await fetch(`${fake.url}/file/bot${fake.token}/${file.file_path}`);
  assert.is(await download.text(), '# notes');
  assert.is((await fetch(`${fake.url}/file/bot${fake.token}/documents/missing`)).status, 404);
});

files.run();

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────

const commands = fakeSuite('setMyCommands / getMyCommands');

commands('keeps a command list per language and refuses an invalid command', async ({ fake, api }) => {
  await api.setMyCommands({ commands: [{ command: 'new', description: 'New session' }] });
  await api.setMyCommands({ commands: [{ command: 'new', description: 'Новая сессия' }], language_code: 'ru' });
  assert.equal(fake.commands, {
    '': [{ command: 'new', description: 'New session' }],
    ru: [{ command: 'new', description: 'Новая сессия' }],
  });
  assert.equal(await api.getMyCommands({ language_code: 'ru' }), [{ command: 'new', description: 'Новая сессия' }]);
  const err = await apiError(api.setMyCommands({ commands: [{ command: 'New', description: 'x' }] }));
  assert.is(err.description, 'Bad Request: BOT_COMMAND_INVALID');
});

commands('a chat scope needs a chat the bot knows, as Telegram; commandsIn reads it back', async ({ fake, api }) => {
  const list = [{ command: 'new', description: 'New session' }];
  const err = await apiError(api.setMyCommands({ commands: list, scope: { type: 'chat', chat_id: 4242 } }));
  assert.is(err.description, 'Bad Request: chat not found');
  const chatId = chatWithAlice(fake);
  await api.setMyCommands({ commands: list, scope: { type: 'chat', chat_id: chatId } });
  assert.equal(fake.commandsIn({ type: 'chat', chat_id: chatId }), { '': list });
  assert.equal(fake.commands, {});
});

commands.run();

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────

const waiting = fakeSuite('waitFor');

waiting('resolves with the value once the state matches', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  const arrived = fake.waitFor((f) => f.lastBotMessage(chatId));
  await api.sendMessage({ chat_id: chatId, text: 'here' });
  assert.is((await arrived).text, 'here');
});

waiting('rejects on timeout, listing the recent calls', async ({ fake, api }) => {
  await apiError(api.sendMessage({ chat_id: 5, text: 'lost' }));
  const err = await fake.waitFor(() => false, 50, 'a message that never comes').then(() => undefined, (e: unknown) => e);
  assert.instance(err, Error);
  assert.match((err as Error).message, 'waitFor timed out after 50 ms: a message that never comes');
  assert.match((err as Error).message, /sendMessage .* → 400 Bad Request: chat not found/);
});

waiting.run();

const media = fakeSuite('editMessageMedia');
media('a photo takes a new upload and caption in place; a text message has no media to edit', async ({ fake, api }) => {
  const chatId = chatWithAlice(fake);
  const photo = (size: number) => ({ type: 'photo' as const, media: new InputFile(png(size, size), { filename: 'a.png' }) });
  const sent = await api.sendPhoto({ chat_id: chatId, photo: new InputFile(png(8, 8), { filename: 'a.png' }) });
  const edited = await api.editMessageMedia({
    chat_id: chatId, message_id: sent.message_id, media: { ...photo(16), caption: '<b>new</b>', parse_mode: 'HTML' },
    reply_markup: keyboard('k'),
  });
  assert.is(typeof edited === 'object' && edited.caption, 'new');
  const shown = fake.messages(chatId).find((m) => m.message_id === sent.message_id)!;
  assert.is(fake.fileContent(shown.photo!.file_id)!.readUInt32BE(16), 16, 'the new picture');
  assert.is(shown.editCount, 1);
  assert.equal(shown.reply_markup, keyboard('k'));
  const text = await api.sendMessage({ chat_id: chatId, text: 'words' });
  const refused = await apiError(api.editMessageMedia({ chat_id: chatId, message_id: text.message_id, media: photo(8) }));
  assert.is(refused.description, 'Bad Request: there is no media in the message to edit');
  const bad = await apiError(api.editMessageMedia({ chat_id: chatId, message_id: sent.message_id, media: photo(0) }));
  assert.match(bad.description, 'PHOTO_INVALID_DIMENSIONS');
});
media.run();
