import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Api } from 'node-telegram-bot-api';
import type { Follow } from '#ccbot/monitor.js';
import { LiveOutput } from '#ccbot/output.js';
import type { Session } from '#ccbot/sessions.js';
import { Telegram } from '#ccbot/telegram.js';
import type { TranscriptEvent } from '#ccbot/transcript.js';
import { startFakeTelegram, type FakeTelegram } from './fake-telegram.js';

const TOKEN = '123456789:AAtest-token-for-answer-first_01234';
const ME = { id: 1001, first_name: 'Me', language_code: 'en' };

/** A clock that moves only when the test says; a sleep waits until then (so a wait shows as a pending sleep). */
function manualClock() {
  const clock = {
    ms: 0,
    pending: [] as { until: number; wake: () => void }[],
    now: () => clock.ms,
    sleep: (ms: number) => new Promise<void>((wake) => clock.pending.push({ until: clock.ms + ms, wake })),
    advance(ms: number) {
      clock.ms += ms;
      for (const sleep of clock.pending.filter((s) => s.until <= clock.ms)) sleep.wake();
      clock.pending = clock.pending.filter((s) => s.until > clock.ms);
    },
  };
  return clock;
}

interface Ctx { fake: FakeTelegram; clock: ReturnType<typeof manualClock>; output: LiveOutput; follow: Follow }
const session: Session = {
  id: 's1', name: 'api', workdir: '/w', windowId: '@1', claudeSessionId: null, status: 'active', createdAt: 0,
  lastActivityAt: 0, archivedAt: null, archiveReason: null, ownerUserId: ME.id,
};

const chat = suite<Ctx>('answer first: the chat on a fake clock (LiveOutput, Telegram, the fake Bot API)');
chat.before.each(async (ctx) => {
  ctx.clock = manualClock();
  ctx.fake = await startFakeTelegram({ token: TOKEN, now: () => ctx.clock.ms });
  ctx.fake.userSends(ME, 'hi');
  const api = new Api(TOKEN, { apiRoot: ctx.fake.url, maxRetries: 0 });
  const telegram = new Telegram(api, { now: ctx.clock.now, sleep: ctx.clock.sleep });
  ctx.output = new LiveOutput({
    users: { activeSession: () => session, rememberMessage: () => {} },
    telegram,
    switcher: () => ({ inline_keyboard: [[{ text: '✓ api', callback_data: 's:1' }]] }),
    capture: async () => null,
    settingsOf: () => ({ idleHours: 12, notify: { done: true, error: true, input: true }, lang: 'auto', autoName: false }),
    langOf: () => 'en',
    save: () => {},
    stallMs: 3_600_000,
    now: ctx.clock.now,
  });
  ctx.follow = { path: '/t.jsonl', cursor: { offset: 0 }, pending: {}, since: 0, grewAt: 0, seenAt: 0, card: null, sent: [] };
});
chat.after.each(async (ctx) => {
  await ctx.fake.close();
});

let n = 0;
const at = { uuid: '', at: 0 };
const prompt = (): TranscriptEvent => ({ ...at, uuid: `p${n++}`, kind: 'prompt', text: 'run the tests' });
const call = (id: string): TranscriptEvent =>
  ({ ...at, uuid: `c${n++}`, kind: 'toolCall', toolUseId: id, name: 'Bash', summary: `echo ${id}`, input: { command: `echo ${id}` } });
const answer = (text: string): TranscriptEvent[] =>
  [{ ...at, uuid: `t${n++}`, kind: 'text', text }, { ...at, uuid: `e${n++}`, kind: 'turnEnd', reason: 'end_turn' }];
const calls = (fake: FakeTelegram, method: string) => fake.callsTo(method).filter((c) => c.ok !== undefined);
const settled = () => new Promise((resolve) => setTimeout(resolve, 50));
/** Moves the clock half a second at a time until `work` is done. */
async function drain(clock: ReturnType<typeof manualClock>, work: Promise<unknown>): Promise<void> {
  let done = false;
  void work.finally(() => (done = true));
  for (let i = 0; i < 40 && !done; i++) {
    await settled();
    clock.advance(500);
  }
  await work;
}

chat('a card edit just before the answer: the answer is not held up by the pacing interval', async ({ fake, clock, output, follow }) => {
  assert.ok(await output.deliver(session, follow, [prompt()]));
  await output.flush(); // the card, at 0
  clock.advance(1_500);
  assert.ok(await output.deliver(session, follow, [call('a')]));
  await fake.waitFor((f) => calls(f, 'editMessageText')[0], 5_000, 'the card edit');
  assert.is(fake.callsTo('editMessageText')[0]!.at, 1_500);
  // Claude answers at once: the chat's next edit slot is 2 500, but the answer goes now, with no wait at all.
  assert.ok(await output.deliver(session, follow, answer('all green')));
  const sent = fake.callsTo('sendMessage').find((c) => c.params.text === 'all green');
  assert.is(sent?.at, 1_500);
  // The card's final state still comes, in an edit slot of its own.
  await drain(clock, output.flush());
  const edits = fake.callsTo('editMessageText');
  assert.match(String(edits.at(-1)!.params.text), /idle/);
  assert.ok(edits.at(-1)!.at >= 2_500, String(edits.at(-1)!.at));
});

chat('ten tool lines within a second edit the card at most twice', async ({ fake, clock, output, follow }) => {
  assert.ok(await output.deliver(session, follow, [prompt()]));
  await output.flush();
  clock.advance(5_000);
  for (let i = 0; i < 10; i++) {
    assert.ok(await output.deliver(session, follow, [call(`t${i}`)]));
    clock.advance(90);
  }
  await drain(clock, output.flush());
  const edits = fake.callsTo('editMessageText');
  assert.ok(edits.length >= 1 && edits.length <= 2, `${edits.length} edits`);
  assert.match(String(edits.at(-1)!.params.text), /echo t9/, 'the last edit shows the last tool line');
});

chat('a 429 on a card edit: retry_after holds everything in the chat, the answer too', async ({ fake, clock, output, follow }) => {
  assert.ok(await output.deliver(session, follow, [prompt()]));
  await output.flush();
  clock.advance(1_500);
  fake.failNext('editMessageText', { errorCode: 429, retryAfter: 5 });
  assert.ok(await output.deliver(session, follow, [call('a')]));
  for (let i = 0; i < 100 && !clock.pending.some((sleep) => sleep.until === 6_500); i++) await settled();
  assert.ok(clock.pending.length > 0, 'the edit waits out retry_after');
  const delivered = output.deliver(session, follow, answer('done'));
  await settled();
  assert.not.ok(fake.callsTo('sendMessage').some((c) => c.params.text === 'done'), 'the answer waits out retry_after');
  clock.advance(5_000);
  assert.ok(await delivered);
  const sent = fake.callsTo('sendMessage').find((c) => c.params.text === 'done')!;
  assert.ok(sent.at >= 6_500, String(sent.at));
});

chat.run();
