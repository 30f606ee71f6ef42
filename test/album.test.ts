/**
 * An album (one media_group_id) arrives as one update per part: the outbox merges the parts into one untyped text,
 * keyed by every part's update, and delivery types it only once the album has settled.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Delivery } from '#ccbot/delivery.js';
import { setSink } from '#ccbot/log.cjs';
import type { NewText } from '#ccbot/outbox.js';
import { StateStore } from '#ccbot/state.js';
import { emptyState, type State } from './state-fixture.js';

const IDLE = '─────\n❯\u00a0\n─────\n  ⏵⏵ bypass permissions on (shift+tab to cycle)';
const part = (n: number, caption = ''): NewText => ({
  sessionId: 'a1', chatId: 7, userId: 7, messageId: 50 + n, key: 900 + n, group: 'album-1',
  text: caption ? `${caption}\n\n.ccbot-inbox/${n}.jpg` : `.ccbot-inbox/${n}.jpg`,
});

interface World { state: State; store: StateStore; typed: string[]; clock: { now: number }; delivery: Delivery }
function world(): World {
  const state = emptyState();
  state.sessions.a1 = {
    id: 'a1', name: 'api', workdir: '/w', windowId: '@3', claudeSessionId: null, status: 'active', createdAt: 1,
    lastActivityAt: 1, archivedAt: null, archiveReason: null, ownerUserId: 7,
  };
  const w = { state, typed: [] as string[], clock: { now: 10_000 } } as World;
  w.store = new StateStore(state, () => {});
  w.delivery = new Delivery({
    outbox: w.store.outbox, sessions: w.store.sessions, users: w.store.users, tmuxSession: 'ccbot',
    telegram: { react: async () => {}, send: async () => ({ ok: true, messageIds: [1] }) },
    capture: async () => IDLE,
    windowIds: async () => new Set(['@3']),
    type: async (_id, text) => (w.typed.push(text), { ok: true }),
    press: async () => ({ ok: true }),
    readMap: () => ({}),
    now: () => w.clock.now,
  });
  return w;
}

/** Enqueues and lets the pass that enqueuing starts finish, so the next tick() reads the clock anew. */
const enqueue = async (w: World, text: NewText) => {
  const added = w.delivery.enqueue(text);
  await w.delivery.tick();
  return added;
};

let restore: (line: string) => void;
const album = suite<{ w: World }>('an album in the outbox and delivery');
album.before.each((ctx) => {
  restore = setSink(() => {});
  ctx.w = world();
});
album.after.each(() => void setSink(restore));

album('the parts become one text: the caption first, then every file; typed once, 1.5 s after the newest part', async ({ w }) => {
  await enqueue(w, part(1, 'our trip'));
  w.clock.now += 1_000;
  await enqueue(w, part(2));
  w.clock.now += 1_000;
  await enqueue(w, part(3));
  assert.equal(w.typed, [], 'not typed while parts keep coming');
  assert.is(w.state.outbox.length, 1);
  w.clock.now += 1_499;
  await w.delivery.tick();
  assert.equal(w.typed, []);
  w.clock.now += 1;
  await w.delivery.tick();
  assert.equal(w.typed, ['our trip\n\n.ccbot-inbox/1.jpg\n.ccbot-inbox/2.jpg\n.ccbot-inbox/3.jpg']);
});

album('every part\'s update is known: a redelivered part adds nothing, before or after the text is delivered', async ({ w }) => {
  for (const n of [1, 2]) assert.ok(await enqueue(w, part(n)));
  assert.not.ok(await enqueue(w, part(2)), 'the second part again');
  assert.not.ok(await enqueue(w, part(1)), 'the first part again');
  assert.ok(w.delivery.knows(902));
  w.store.outbox.remove(w.state.outbox[0]!.ref);
  assert.ok(w.delivery.knows(901) && w.delivery.knows(902), 'kept as known once delivered');
  assert.not.ok(await enqueue(w, part(2)));
  assert.equal(w.state.outbox.filter((p) => !p.done), []);
});

album('while a part is being downloaded the album waits, however long; then it settles as usual', async ({ w }) => {
  await enqueue(w, part(1));
  const release = w.delivery.holdGroup('album-1');
  w.clock.now += 60_000;
  await w.delivery.tick();
  assert.equal(w.typed, []);
  await enqueue(w, part(2));
  release();
  w.clock.now += 1_500;
  await w.delivery.tick();
  assert.equal(w.typed, ['.ccbot-inbox/1.jpg\n.ccbot-inbox/2.jpg']);
});

album('a part that comes after its album was typed goes as a text of its own, not into the typed one', async ({ w }) => {
  await enqueue(w, part(1));
  w.clock.now += 1_500;
  await w.delivery.tick();
  await enqueue(w, part(2));
  assert.is(w.state.outbox.length, 2);
  assert.is(w.state.outbox[0]!.text, '.ccbot-inbox/1.jpg');
  assert.is(w.state.outbox[1]!.text, '.ccbot-inbox/2.jpg');
});

album.run();
