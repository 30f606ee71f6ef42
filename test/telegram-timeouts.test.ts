import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { setTimeout as delay } from 'node:timers/promises';
import { Api } from 'node-telegram-bot-api';
import { setSink } from '#ccbot/log.cjs';
import { Telegram, type SendResult } from '#ccbot/telegram.js';
import { startFakeTelegram, type FakeTelegram } from './fake-telegram.js';

const TOKEN = '123456:TEST-telegram-timeouts-token';
const ALICE = { id: 1001, first_name: 'Alice' };

interface Ctx { fake: FakeTelegram; api: Api; chatId: number; restoreSink: (line: string) => void }

/** The value, or 'hung' when it takes longer than `ms`: a bound on hanging, far above the timeouts under test. */
const within = <T>(promise: Promise<T>, ms = 10_000) =>
  Promise.race([promise, delay(ms, 'hung' as const, { ref: false })]);
/** What became of a send: 'hung', 'ok', or the failure's kind. */
const outcome = async (send: Promise<SendResult>) => {
  const sent = await within(send);
  return sent === 'hung' ? sent : sent.ok ? 'ok' : sent.kind;
};
const inFlight = (fake: FakeTelegram, method: string) =>
  fake.waitFor((f) => f.callsTo(method).some((c) => c.ok === undefined), 5_000, `${method} in flight`);

const timeouts = suite<Ctx>('Telegram: every request has a deadline', {} as Ctx);
timeouts.before.each(async (ctx) => {
  ctx.restoreSink = setSink(() => {});
  ctx.fake = await startFakeTelegram({ token: TOKEN });
  ctx.api = new Api(TOKEN, { apiRoot: ctx.fake.url, maxRetries: 0 });
  ctx.chatId = ctx.fake.userSends(ALICE, 'hi').chat.id;
});
timeouts.after.each(async (ctx) => {
  await ctx.fake.close();
  setSink(ctx.restoreSink);
});

timeouts('a message that never gets an answer ends as uncertain after its timeout, sent once', async ({ fake, api, chatId }) => {
  fake.hangNext('sendMessage');
  const tg = new Telegram(api, { timeouts: { sendMs: 200 } });
  assert.is(await outcome(tg.send(chatId, 'hello')), 'uncertain');
  assert.is(fake.callsTo('sendMessage').length, 1, 'not repeated: it may be on screen');
});

timeouts('an upload has a longer deadline than a message', async ({ fake, api, chatId }) => {
  const tg = new Telegram(api, { timeouts: { sendMs: 100, uploadMs: 10_000 }, minIntervalMs: 0 });
  fake.hangNext('sendDocument', 400);
  assert.is(await outcome(tg.sendDocument(chatId, 'a.txt', 'a')), 'ok', 'the slow upload went through');
  fake.hangNext('sendMessage', 400);
  assert.is(await outcome(tg.send(chatId, 'slow')), 'uncertain', 'the equally slow message timed out');
});

timeouts('a reaction and a button answer that never get an answer end after the short timeout', async ({ fake, api, chatId }) => {
  const tg = new Telegram(api, { timeouts: { quickMs: 100 } });
  fake.hangNext('setMessageReaction');
  assert.is(await within(tg.react(chatId, 1, '👀')), undefined);
  fake.hangNext('answerCallbackQuery');
  assert.is(await within(tg.answerCallback('q1')), undefined);
});

timeouts('on stop, a request under way is aborted after the grace, and nothing is sent after it', async ({ fake, api, chatId }) => {
  const stop = new AbortController();
  const tg = new Telegram(api, { stop: stop.signal, timeouts: { sendMs: 60_000, afterStopMs: 50 } });
  fake.hangNext('sendMessage');
  const hung = tg.send(chatId, 'under way');
  await inFlight(fake, 'sendMessage');
  stop.abort();
  assert.is(await outcome(hung), 'uncertain', 'it may have reached Telegram');
  assert.is(await outcome(tg.send(chatId, 'too late')), 'network', 'not sent: Telegram saw nothing');
  assert.is(fake.callsTo('sendMessage').length, 1);
});

timeouts('a stop ends a chat\'s pause after a 429 too', async ({ fake, api, chatId }) => {
  const stop = new AbortController();
  const tg = new Telegram(api, { stop: stop.signal, timeouts: { afterStopMs: 50 } });
  fake.failNext('sendMessage', { errorCode: 429, retryAfter: 600 });
  const paused = tg.send(chatId, 'after the flood wait');
  await fake.waitFor((f) => f.callsTo('sendMessage').some((c) => c.errorCode === 429), 5_000, 'the 429');
  stop.abort();
  assert.is(await outcome(paused), 'network', 'not sent');
});

timeouts.run();
