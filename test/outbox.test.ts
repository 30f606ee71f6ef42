import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Outbox, type PendingText } from '#ccbot/outbox.js';
import { loadState, saveState, StateStore } from '#ccbot/state.js';
import { emptyState } from './state-fixture.js';

const text = (key?: number, more = {}) => ({ sessionId: 'a1', chatId: 7, userId: 7, messageId: 50, text: 'hello', ...(key === undefined ? {} : { key }), ...more });

interface Ctx {
  items: PendingText[];
  saves: number;
  outbox: Outbox;
}

const keyed = suite<Ctx>('Outbox: keyed by the Telegram update');
keyed.before.each((ctx) => {
  ctx.items = [];
  ctx.saves = 0;
  ctx.outbox = new Outbox(ctx.items, () => void ctx.saves++);
});

keyed('the same key again adds nothing and answers false; texts without a key always go in', ({ outbox, items }) => {
  assert.ok(outbox.enqueue(text(1001), 1));
  assert.not.ok(outbox.enqueue(text(1001, { text: 'hello again' }), 2));
  assert.ok(outbox.enqueue(text(1002), 3));
  assert.ok(outbox.enqueue(text(), 4));
  assert.ok(outbox.enqueue(text(), 5));
  assert.equal(items.map((p) => p.key), [1001, 1002, undefined, undefined]);
});

keyed('a delivered keyed text stays known (text blanked, out of line); one without a key goes entirely', ({ outbox, items }) => {
  outbox.enqueue(text(1001), 1);
  outbox.enqueue(text(), 2);
  const [first, second] = [items[0]!, items[1]!];
  outbox.remove(first.ref);
  assert.equal(outbox.heads().map((p) => p.ref), [second.ref], 'the blank record is no head');
  assert.not.ok(outbox.enqueue(text(1001), 3), 'the update redelivered after its text was typed');
  outbox.remove(second.ref);
  assert.equal(items.map((p) => [p.key, p.text, p.done]), [[1001, '', true]]);
  assert.equal(outbox.heads(), []);
  assert.not.ok(outbox.resend(first.ref), 'a delivered text cannot be resent');
});

keyed('keeps the keys of the last 200 delivered texts, the oldest going first', ({ outbox, items }) => {
  for (let key = 1; key <= 201; key++) {
    outbox.enqueue(text(key), key);
    outbox.remove(items.find((p) => p.key === key)!.ref);
  }
  assert.is(items.length, 200);
  assert.ok(outbox.enqueue(text(1), 300), 'the oldest is forgotten');
  assert.not.ok(outbox.enqueue(text(2), 301));
  assert.not.ok(outbox.enqueue(text(201), 302));
});

keyed('the blank records survive a restart (state.json), so a key is known across it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ccbot-outbox-'));
  try {
    const store = new StateStore(emptyState(), (state) => saveState(dir, state));
    store.outbox.enqueue(text(1001), 1);
    store.outbox.remove(store.outbox.heads()[0]!.ref);
    const again = new StateStore(loadState(dir), () => {});
    assert.not.ok(again.outbox.enqueue(text(1001), 2));
    assert.equal(again.outbox.heads(), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

const changes = suite<Ctx>('Outbox: changes');
changes.before.each((ctx) => {
  ctx.items = [];
  ctx.saves = 0;
  ctx.outbox = new Outbox(ctx.items, () => void ctx.saves++);
});

changes('an answer for a menu\'s open field goes before a text still waiting for the prompt, not before one typed', (ctx) => {
  const { outbox, items } = ctx;
  outbox.enqueue(text(1, { text: 'waits for the prompt' }), 1);
  outbox.enqueue(text(2, { text: 'into the field', messageId: 51, menuAnswer: true }), 2);
  assert.equal(outbox.heads().map((h) => h.text), ['into the field']);
  outbox.markTyping(items[0]!.ref, 3, false);
  assert.equal(outbox.heads().map((h) => h.text), ['waits for the prompt'], 'begun: it stays first');
});

changes('markTyping is saved at once, with where the text goes; resend clears it', (ctx) => {
  const { outbox, items } = ctx;
  outbox.enqueue(text(1001, { menuAnswer: true }), 1);
  const before = ctx.saves;
  outbox.markTyping(items[0]!.ref, 5, false);
  assert.is(ctx.saves, before + 1);
  assert.equal([items[0]!.typingAt, items[0]!.menuAnswer], [5, false]);
  outbox.markFailed(items[0]!.ref);
  assert.ok(outbox.resend(items[0]!.ref));
  assert.is(items[0]!.typingAt, null);
});

changes('failedBefore lists failed texts by when they failed (the extra Enter dates it), not those in line', ({ outbox, items }) => {
  outbox.enqueue(text(), 1);
  outbox.enqueue(text(), 2);
  const [a, b] = items;
  outbox.markEntered(a!.ref, 100);
  outbox.markFailed(a!.ref);
  outbox.markEntered(b!.ref, 100);
  assert.equal(outbox.failedBefore(101).map((p) => p.ref), [a!.ref]);
  assert.equal(outbox.failedBefore(100), []);
  outbox.remove(a!.ref);
  assert.equal(outbox.failedBefore(101), []);
});

keyed.run();
changes.run();
