import { suite } from 'uvu';
import { setTimeout as delay } from 'node:timers/promises';
import * as assert from 'uvu/assert';
import { NetworkError, TelegramApiError, type GetUpdatesParams, type Update } from 'node-telegram-bot-api';
import { backoffMs } from '#ccbot/pacer.js';
import { pollUpdates, type Dispatch } from '#ccbot/poller.js';
import { setSink } from '#ccbot/log.cjs';

type Answer = Update[] | Error | 'hang';

/** A getUpdates that replays scripted answers and records each call's offset; after the script it aborts the poll. */
function scriptedApi(answers: Answer[], stop: AbortController) {
  const offsets: (number | undefined)[] = [];
  const params: GetUpdatesParams[] = [];
  const api = {
    getUpdates: async (p: GetUpdatesParams = {}, signal?: AbortSignal): Promise<Update[]> => {
      offsets.push(p.offset);
      params.push(p);
      const next = answers.shift();
      if (next === undefined) {
        stop.abort();
        throw new Error('aborted');
      }
      if (next === 'hang') {
        // A hung socket keeps the process alive; so does this timer (AbortSignal.timeout alone would not).
        const keepAlive = setTimeout(() => {}, 60_000);
        return new Promise((_, reject) =>
          signal?.addEventListener('abort', () => {
            clearTimeout(keepAlive);
            reject(new Error('watchdog'));
          }),
        );
      }
      if (next instanceof Error) throw next;
      return next;
    },
  };
  return { api: api as never, offsets, params };
}

const msg = (id: number, chat = 1): Update => ({ update_id: id, message: { message_id: id, date: 0, chat: { id: chat, type: 'private' }, text: `m${id}` } }) as Update;
const noSleep = async () => {};
const chatOf = (u: Update) => ('message' in u ? u.message.chat.id : 0);
/** Every update in its chat's lane, handled by `handle`. */
const inLanes = (handle: (u: Update) => Promise<void> | void): Dispatch => (u) => ({ lane: chatOf(u), run: async () => handle(u) });

let restoreSink: (line: string) => void;
const quiet = () => {
  restoreSink = setSink(() => {});
};
const loud = () => {
  setSink(restoreSink);
};

const poll = suite('pollUpdates');
poll.before.each(quiet);
poll.after.each(loud);

poll('hands every update to the handler in order and confirms each only on the next call', async () => {
  const stop = new AbortController();
  const { api, offsets } = scriptedApi([[msg(5), msg(6)], [msg(7)]], stop);
  const seen: number[] = [];
  const end = await pollUpdates(api, inLanes((u) => void seen.push(u.update_id)), stop.signal, { sleep: noSleep });
  assert.is(end, 'stopped');
  assert.equal(seen, [5, 6, 7]);
  assert.equal(offsets.slice(0, 3), [undefined, 7, 8]);
});

poll('confirms an update whose handler threw, so it is not handled twice', async () => {
  const stop = new AbortController();
  const { api, offsets } = scriptedApi([[msg(1)], [msg(2)]], stop);
  const seen: number[] = [];
  await pollUpdates(api, inLanes((u) => {
    seen.push(u.update_id);
    if (u.update_id === 1) throw new Error('boom');
  }), stop.signal, { sleep: noSleep });
  assert.equal(seen, [1, 2]);
  assert.is(offsets[1], 2);
});

poll('retries network errors with growing waits and keeps the offset', async () => {
  const stop = new AbortController();
  const { api, offsets } = scriptedApi([[msg(1)], new NetworkError('down'), new NetworkError('down'), [msg(2)]], stop);
  const waits: number[] = [];
  const seen: number[] = [];
  await pollUpdates(api, inLanes((u) => void seen.push(u.update_id)), stop.signal, { sleep: async (ms) => void waits.push(ms) });
  assert.equal(seen, [1, 2]);
  assert.equal(waits, [backoffMs(0), backoffMs(1)]);
  assert.ok(waits[1]! > waits[0]!);
  assert.equal(offsets.slice(1, 4), [2, 2, 2]);
});

poll('waits retry_after on a 429', async () => {
  const stop = new AbortController();
  const { api } = scriptedApi([new TelegramApiError(429, 'Too Many Requests: retry after 7', { retry_after: 7 })], stop);
  const waits: number[] = [];
  await pollUpdates(api, inLanes(() => {}), stop.signal, { sleep: async (ms) => void waits.push(ms) });
  assert.equal(waits, [7000]);
});

poll('gives up with "conflict" after repeated 409s', async () => {
  const stop = new AbortController();
  const conflict = () => new TelegramApiError(409, 'Conflict: terminated by other getUpdates request');
  const { api, offsets } = scriptedApi([conflict(), conflict(), conflict(), [msg(1)]], stop);
  const end = await pollUpdates(api, inLanes(() => {}), stop.signal, { sleep: noSleep });
  assert.is(end, 'conflict');
  assert.is(offsets.length, 3);
});

poll('a success between 409s resets the count', async () => {
  const stop = new AbortController();
  const conflict = () => new TelegramApiError(409, 'Conflict');
  const { api } = scriptedApi([conflict(), conflict(), [], conflict(), conflict()], stop);
  assert.is(await pollUpdates(api, inLanes(() => {}), stop.signal, { sleep: noSleep }), 'stopped');
});

poll('stops with "unauthorized" on 401', async () => {
  const stop = new AbortController();
  const { api } = scriptedApi([new TelegramApiError(401, 'Unauthorized')], stop);
  assert.is(await pollUpdates(api, inLanes(() => {}), stop.signal, { sleep: noSleep }), 'unauthorized');
});

poll('restarts a poll that hangs past its timeout', async () => {
  const stop = new AbortController();
  const { api, offsets } = scriptedApi(['hang', [msg(3)]], stop);
  const seen: number[] = [];
  await pollUpdates(api, inLanes((u) => void seen.push(u.update_id)), stop.signal, { timeoutS: 0, watchdogGraceMs: 20, sleep: noSleep });
  assert.equal(seen, [3]);
  assert.ok(offsets.length >= 2);
});

poll('returns "stopped" at once when aborted during a long poll', async () => {
  const stop = new AbortController();
  const { api } = scriptedApi(['hang'], stop);
  setTimeout(() => stop.abort(), 10);
  assert.is(await pollUpdates(api, inLanes(() => {}), stop.signal), 'stopped');
});

poll('starts from a remembered watermark, skips what was handled before a restart, and reports the watermark', async () => {
  const stop = new AbortController();
  const { api, offsets } = scriptedApi([[msg(4), msg(5), msg(6), msg(7), msg(8)]], stop);
  const seen: number[] = [];
  const handled: [number, number[]][] = [];
  await pollUpdates(api, inLanes((u) => void seen.push(u.update_id)), stop.signal, {
    sleep: noSleep, offset: 5, handled: [7], onHandled: (last, above) => void handled.push([last, above]),
  });
  assert.is(offsets[0], 5);
  assert.equal(seen, [5, 6, 8]);
  assert.equal(handled, [[5, [7]], [7, []], [8, []]]);
  assert.is(offsets[1], 9);
});

poll('asks only for the update kinds the gate handles', async () => {
  const stop = new AbortController();
  const { api, params } = scriptedApi([[]], stop);
  await pollUpdates(api, inLanes(() => {}), stop.signal, { sleep: noSleep });
  assert.equal(params[0]!.allowed_updates, ['message', 'edited_message', 'callback_query']);
});

poll.run();

// ── lanes, against a getUpdates that keeps what was not confirmed, as Telegram does ──────────────────────────────

/** Returns every queued update at or above the offset (dropping those below: confirmed), or [] after a short wait. */
function telegramQueue(updates: Update[]) {
  let queue = [...updates];
  const polls: { offset?: number; at: number }[] = [];
  const api = {
    getUpdates: async (p: GetUpdatesParams = {}, signal?: AbortSignal): Promise<Update[]> => {
      polls.push({ offset: p.offset, at: Date.now() });
      if (p.offset !== undefined) queue = queue.filter((u) => u.update_id >= p.offset!);
      if (queue.length > 0) return queue;
      await delay(5, undefined, { signal });
      return [];
    },
  };
  return { api: api as never, polls, push: (u: Update) => void queue.push(u) };
}

/** Resolves once `check` holds; a bound on hanging, not a timing. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 5) {
    if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
    await delay(5);
  }
}

/** A handler that hangs on `hangOn` until released. */
function hangingHandler(hangOn: number) {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const seen: number[] = [];
  const dispatch = inLanes(async (u) => {
    if (u.update_id === hangOn) await gate;
    seen.push(u.update_id);
  });
  return { dispatch, seen, release };
}

const lanes = suite('pollUpdates: lanes');
lanes.before.each(quiet);
lanes.after.each(loud);

lanes('a hung handler holds up its own chat only; order within a chat is kept; Telegram never hears of it early', async () => {
  const stop = new AbortController();
  const telegram = telegramQueue([msg(1, 10), msg(2, 20), msg(3, 10), msg(4, 20)]);
  const { dispatch, seen, release } = hangingHandler(1);
  const handled: [number, number[]][] = [];
  const polled = pollUpdates(telegram.api, dispatch, stop.signal, {
    settleMs: 10, onHandled: (last, above) => void handled.push([last, above]),
  });
  await until(() => seen.length === 2, 'the other chat');
  assert.equal(seen, [2, 4], 'chat 20 went on while chat 10 hung');
  telegram.push(msg(5, 20));
  await until(() => seen.length === 3, 'a new update during the hang');
  assert.equal(seen, [2, 4, 5]);
  assert.ok(telegram.polls.every((p) => p.offset === undefined || p.offset <= 1), 'update 1 not confirmed while running');
  release();
  await until(() => seen.length === 5, 'chat 10');
  assert.equal(seen, [2, 4, 5, 1, 3]);
  stop.abort();
  assert.is(await polled, 'stopped');
  assert.equal(handled.slice(0, 3), [[0, [2]], [0, [2, 4]], [0, [2, 4, 5]]], 'the watermark waits for update 1');
  assert.equal(handled.at(-1), [5, []]);
  assert.is(telegram.polls.at(-1)!.offset, 6, 'all confirmed at the end');
});

lanes('after a restart, what was handled is skipped and what was still running is handled again', async () => {
  const updates = [msg(1, 10), msg(2, 20), msg(3, 10), msg(4, 20)];
  const first = new AbortController();
  const hung = hangingHandler(1);
  let saved: { last: number; above: number[] } | undefined;
  const polled = pollUpdates(telegramQueue(updates).api, hung.dispatch, first.signal, {
    settleMs: 10, drainMs: 10, onHandled: (last, above) => (saved = { last, above }),
  });
  await until(() => hung.seen.length === 2, 'the other chat');
  first.abort(); // a crash, as far as update 1 is concerned: it never finished
  await polled;
  assert.equal(saved, { last: 0, above: [2, 4] });

  const second = new AbortController();
  const seen: number[] = [];
  const again = pollUpdates(telegramQueue(updates).api, inLanes((u) => void seen.push(u.update_id)), second.signal, {
    settleMs: 10, offset: saved!.last + 1, handled: saved!.above,
  });
  await until(() => seen.length === 2, 'the rest');
  second.abort();
  await again;
  assert.equal(seen, [1, 3]);
});

lanes('no busy loop while a handler runs: polls are spaced by settleMs though Telegram returns its update at once', async () => {
  const stop = new AbortController();
  const telegram = telegramQueue([msg(1)]);
  const { dispatch, seen, release } = hangingHandler(1);
  const polled = pollUpdates(telegram.api, dispatch, stop.signal, { settleMs: 50 });
  await delay(500);
  release();
  await until(() => seen.length === 1, 'update 1');
  stop.abort();
  await polled;
  const during = telegram.polls.filter((p) => p.offset === undefined || p.offset === 1).length;
  assert.ok(during >= 2 && during <= 15, `${during} polls in 500 ms`);
});

lanes('an update the gate drops is confirmed but never reported as handled (no state write)', async () => {
  const stop = new AbortController();
  const telegram = telegramQueue([msg(1, 666), msg(2, 666)]);
  const reported: number[] = [];
  const polled = pollUpdates(telegram.api, () => undefined, stop.signal, { onHandled: (last) => void reported.push(last) });
  await until(() => telegram.polls.some((p) => p.offset === 3), 'the confirmation');
  stop.abort();
  await polled;
  assert.equal(reported, []);
});

lanes('once stopped, a handler still running gets drainMs, and the last confirmation stops below it', async () => {
  const stop = new AbortController();
  const telegram = telegramQueue([msg(1, 10), msg(2, 20)]);
  const { dispatch, seen } = hangingHandler(1);
  const polled = pollUpdates(telegram.api, dispatch, stop.signal, { settleMs: 10, drainMs: 50 });
  await until(() => seen.length === 1, 'update 2');
  stop.abort();
  assert.is(await polled, 'stopped');
  assert.is(telegram.polls.at(-1)!.offset, 1);
});

lanes.run();
