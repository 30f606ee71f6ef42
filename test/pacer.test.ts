import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Pacer } from '#ccbot/pacer.js';
import { fakeClock } from './fake-clock.js';

const pacer = suite('Pacer');

pacer('lets the first request go at once and spaces the next ones by minIntervalMs', async () => {
  const clock = fakeClock(5_000);
  const p = new Pacer({ ...clock, minIntervalMs: 1000 });
  const startedAt: number[] = [];
  const request = () => p.run(1, async (turn) => {
    await turn();
    startedAt.push(clock.now());
  });
  await Promise.all([request(), request(), request()]);
  assert.equal(startedAt, [5_000, 6_000, 7_000]);
  clock.ms += 60_000; // a quiet minute
  await request();
  assert.equal(startedAt.at(-1), 67_000);
  assert.equal(clock.sleeps, [1000, 1000]);
});

pacer('paces every request inside one task, and only requests spent since', async () => {
  const clock = fakeClock();
  const p = new Pacer({ ...clock, minIntervalMs: 1000 });
  await p.run(1, async (turn) => {
    await turn();
    clock.ms += 300; // the request took 300 ms
    await turn();
  });
  assert.equal(clock.sleeps, [700]);
});

pacer('runs the tasks of one chat in call order, never overlapping; other chats do not wait', async () => {
  const p = new Pacer({ minIntervalMs: 0 });
  const events: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const slow = p.run(1, async () => {
    events.push('a start');
    await gate;
    events.push('a end');
  });
  const queued = p.run(1, async () => void events.push('b'));
  await p.run(2, async () => void events.push('other chat'));
  assert.equal(events, ['a start', 'other chat']);
  release();
  await Promise.all([slow, queued]);
  assert.equal(events, ['a start', 'other chat', 'a end', 'b']);
});

pacer('pause stretches the wait of the next request but never shortens it', async () => {
  const clock = fakeClock();
  const p = new Pacer({ ...clock, minIntervalMs: 1000 });
  await p.run(1, async (turn) => {
    await turn();
    p.pause(1, 2000); // retry_after 2
    await turn();
    p.pause(1, 10); // shorter than the spacing already due
    await turn();
  });
  assert.equal(clock.sleeps, [2000, 1000]);
});

pacer('a message goes before an edit waiting for its turn, which then waits an interval after it', async () => {
  const clock = fakeClock();
  const p = new Pacer({ ...clock, minIntervalMs: 1000 });
  const order: string[] = [];
  const request = (name: string, queue: 'message' | 'edit') => p.run(1, async () => void order.push(name), queue);
  await request('card', 'edit');
  await Promise.all([request('edit', 'edit'), request('answer', 'message')]);
  assert.equal(order, ['card', 'answer', 'edit']);
  assert.equal(clock.sleeps, [1000, 1000], 'only the edit waited: the card\'s interval, then the answer\'s');
});

pacer('tidying (old keyboards) waits for edits already waiting, even ones queued after it', async () => {
  const clock = fakeClock();
  const p = new Pacer({ ...clock, minIntervalMs: 1000 });
  const order: string[] = [];
  const request = (name: string, queue: 'edit' | 'tidy') => p.run(1, async () => void order.push(name), queue);
  await request('card', 'edit');
  await Promise.all([request('strip 1', 'tidy'), request('strip 2', 'tidy'), request('tapped screen', 'edit')]);
  assert.equal(order, ['card', 'tapped screen', 'strip 1', 'strip 2']);
});

pacer('messages: three at once, then one an interval; edits meanwhile wait for a free slot', async () => {
  const clock = fakeClock();
  const p = new Pacer({ ...clock, minIntervalMs: 1000 });
  const at: number[] = [];
  const message = () => p.run(1, async () => void at.push(clock.now()), 'message');
  await Promise.all([message(), message(), message(), message()]);
  assert.equal(at, [0, 0, 0, 1000]);
  await p.run(1, async () => void at.push(clock.now()));
  assert.equal(at.at(-1), 4000, 'the edit waits until the burst is paid back');
});

pacer('a pause (429) holds messages too', async () => {
  const clock = fakeClock();
  const p = new Pacer({ ...clock, minIntervalMs: 1000 });
  p.pause(1, 5000);
  await p.run(1, async () => assert.is(clock.now(), 5000), 'message');
  assert.equal(clock.sleeps, [5000]);
});

pacer('a task that throws rejects its caller and the queue goes on', async () => {
  const p = new Pacer({ minIntervalMs: 0 });
  const failed = p.run(1, async () => {
    throw new Error('bug');
  });
  const next = p.run(1, async () => 'next ran');
  await failed.then(() => assert.unreachable('should reject'), (err: Error) => assert.is(err.message, 'bug'));
  assert.is(await next, 'next ran');
});

pacer.run();
