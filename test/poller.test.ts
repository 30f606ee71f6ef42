import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NetworkError, TelegramApiError, type Update } from 'node-telegram-bot-api';
import { backoffMs } from '#ccbot/pacer.js';
import { pollUpdates } from '#ccbot/poller.js';
import { setSink } from '#ccbot/log.js';

type Answer = Update[] | Error | 'hang';

/** A getUpdates that replays scripted answers and records each call's offset; after the script it aborts the poll. */
function scriptedApi(answers: Answer[], stop: AbortController) {
  const offsets: (number | undefined)[] = [];
  const api = {
    getUpdates: async (params?: { offset?: number }, signal?: AbortSignal): Promise<Update[]> => {
      offsets.push(params?.offset);
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
  return { api: api as never, offsets };
}

const msg = (id: number): Update => ({ update_id: id, message: { message_id: id, date: 0, chat: { id: 1, type: 'private' }, text: `m${id}` } }) as Update;
const noSleep = async () => {};

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
  const end = await pollUpdates(api, async (u) => void seen.push(u.update_id), stop.signal, { sleep: noSleep });
  assert.is(end, 'stopped');
  assert.equal(seen, [5, 6, 7]);
  assert.equal(offsets.slice(0, 3), [undefined, 7, 8]);
});

poll('confirms an update whose handler threw, so it is not handled twice', async () => {
  const stop = new AbortController();
  const { api, offsets } = scriptedApi([[msg(1)], [msg(2)]], stop);
  const seen: number[] = [];
  await pollUpdates(api, async (u) => {
    seen.push(u.update_id);
    if (u.update_id === 1) throw new Error('boom');
  }, stop.signal, { sleep: noSleep });
  assert.equal(seen, [1, 2]);
  assert.is(offsets[1], 2);
});

poll('retries network errors with growing waits and keeps the offset', async () => {
  const stop = new AbortController();
  const { api, offsets } = scriptedApi([[msg(1)], new NetworkError('down'), new NetworkError('down'), [msg(2)]], stop);
  const waits: number[] = [];
  const seen: number[] = [];
  await pollUpdates(api, async (u) => void seen.push(u.update_id), stop.signal, { sleep: async (ms) => void waits.push(ms) });
  assert.equal(seen, [1, 2]);
  assert.equal(waits, [backoffMs(0), backoffMs(1)]);
  assert.ok(waits[1]! > waits[0]!);
  assert.equal(offsets.slice(1, 4), [2, 2, 2]);
});

poll('waits retry_after on a 429', async () => {
  const stop = new AbortController();
  const { api } = scriptedApi([new TelegramApiError(429, 'Too Many Requests: retry after 7', { retry_after: 7 })], stop);
  const waits: number[] = [];
  await pollUpdates(api, async () => {}, stop.signal, { sleep: async (ms) => void waits.push(ms) });
  assert.equal(waits, [7000]);
});

poll('gives up with "conflict" after repeated 409s', async () => {
  const stop = new AbortController();
  const conflict = () => new TelegramApiError(409, 'Conflict: terminated by other getUpdates request');
  const { api, offsets } = scriptedApi([conflict(), conflict(), conflict(), [msg(1)]], stop);
  const end = await pollUpdates(api, async () => {}, stop.signal, { sleep: noSleep });
  assert.is(end, 'conflict');
  assert.is(offsets.length, 3);
});

poll('a success between 409s resets the count', async () => {
  const stop = new AbortController();
  const conflict = () => new TelegramApiError(409, 'Conflict');
  const { api } = scriptedApi([conflict(), conflict(), [], conflict(), conflict()], stop);
  assert.is(await pollUpdates(api, async () => {}, stop.signal, { sleep: noSleep }), 'stopped');
});

poll('stops with "unauthorized" on 401', async () => {
  const stop = new AbortController();
  const { api } = scriptedApi([new TelegramApiError(401, 'Unauthorized')], stop);
  assert.is(await pollUpdates(api, async () => {}, stop.signal, { sleep: noSleep }), 'unauthorized');
});

poll('restarts a poll that hangs past its timeout', async () => {
  const stop = new AbortController();
  const { api, offsets } = scriptedApi(['hang', [msg(3)]], stop);
  const seen: number[] = [];
  await pollUpdates(api, async (u) => void seen.push(u.update_id), stop.signal, { timeoutS: 0, watchdogGraceMs: 20, sleep: noSleep });
  assert.equal(seen, [3]);
  assert.ok(offsets.length >= 2);
});

poll('returns "stopped" at once when aborted during a long poll', async () => {
  const stop = new AbortController();
  const { api } = scriptedApi(['hang'], stop);
  setTimeout(() => stop.abort(), 10);
  assert.is(await pollUpdates(api, async () => {}, stop.signal), 'stopped');
});

poll('starts from a remembered offset, skips updates handled before a restart, and reports each handled id', async () => {
  const stop = new AbortController();
  const { api, offsets } = scriptedApi([[msg(4), msg(5), msg(6)]], stop);
  const seen: number[] = [];
  const handled: number[] = [];
  await pollUpdates(api, async (u) => void seen.push(u.update_id), stop.signal, { sleep: noSleep, offset: 5, onHandled: (id) => void handled.push(id) });
  assert.is(offsets[0], 5);
  assert.equal(seen, [5, 6]);
  assert.equal(handled, [5, 6]);
});

poll.run();
