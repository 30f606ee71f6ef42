import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { applyEvent, CardPublisher, newCard, renderCard, setWaiting, type CardModel } from '#ccbot/card.js';
import type { TranscriptEvent } from '#ccbot/transcript.js';
import { parseTelegramHtml } from './telegram-html.js';

let n = 0;
const o = () => ({ uuid: `u${++n}`, at: 1_000 + n });
const prompt = (text: string): TranscriptEvent => ({ kind: 'prompt', text, ...o() });
const text = (t: string): TranscriptEvent => ({ kind: 'text', text: t, ...o() });
const call = (id: string, name = 'Bash', summary = 'echo hi'): TranscriptEvent => ({ kind: 'toolCall', toolUseId: id, name, summary, input: {}, ...o() });
const result = (id: string, outcome = 'Output 1 line', isError = false): TranscriptEvent => ({ kind: 'toolResult', toolUseId: id, name: 'Bash', summary: 'echo hi', outcome, isError, ...o() });
const end = (reason = 'end_turn'): TranscriptEvent => ({ kind: 'turnEnd', reason, ...o() });

type Answer = NonNullable<ReturnType<typeof applyEvent>['answer']>;
/** The card after the events, and the answers they hand out. */
function run(events: TranscriptEvent[], card = newCard('s1', 'api')): { card: CardModel; effects: Answer[] } {
  const effects: Answer[] = [];
  for (const e of events) {
    const applied = applyEvent(card, e);
    card = applied.card;
    if (applied.answer) effects.push(applied.answer);
  }
  return { card, effects };
}
/** How many tool lines a card keeps. */
const TOOL_LINES_SHOWN = 5;

const apply = suite('applyEvent');
apply("a local command's output ends the turn its command began; not one Claude is at work in", () => {
  const output: TranscriptEvent = { kind: 'commandOutput', text: 'Compacted', ...o() };
  const command: TranscriptEvent = { kind: 'prompt', text: '/compact', command: true, ...o() };
  assert.is(run([command, output]).card.state, 'idle');
  assert.is(run([prompt('go'), call('t1'), output]).card.state, 'working');
  assert.is(run([prompt('go'), text('thinking aloud'), output]).card.state, 'working');
});
apply('a turn: working with tool lines, then idle, and the final answer once although two turn ends arrive', () => {
  const { card, effects } = run([prompt('go'), text('Let me run a command first.'), call('t1'), result('t1'), text('ran: hi'), end(), end('turn_duration')]);
  assert.is(card.state, 'idle');
  assert.equal(card.toolLines, [{ toolUseId: 't1', line: 'Bash: echo hi', outcome: 'Output 1 line', isError: false }]);
  assert.is(effects.length, 1);
  assert.is(effects[0]!.text, 'ran: hi', 'the intermediate text is not the answer');
  assert.match(effects[0]!.key, /^answer:/);
});
apply('states: a prompt starts working with a new card message; a menu makes it waiting; an answer clears it', () => {
  let { card } = run([prompt('one'), end()]);
  card = { ...card, messageId: 42 };
  card = run([prompt('two')], card).card;
  assert.is(card.state, 'working');
  assert.is(card.messageId, null, 'each turn has its own card');
  card = setWaiting(card, 'pick one?');
  assert.is(card.state, 'waiting');
  assert.is(setWaiting(card, null).state, 'working');
  assert.is(run([call('t9'), result('t9')], card).card.waitingFor, null);
});
apply('keeps the last few tool lines; a result whose call came before a restart gets its own line', () => {
  const events = [prompt('go')];
  for (let i = 0; i < TOOL_LINES_SHOWN + 3; i++) events.push(call(`t${i}`, 'Read', `/f${i}`));
  const { card } = run(events);
  assert.is(card.toolLines.length, TOOL_LINES_SHOWN);
  assert.is(card.toolLines.at(-1)!.line, `Read: /f${TOOL_LINES_SHOWN + 2}`);
  const orphan = run([result('gone', 'Read 3 lines')], card).card;
  assert.equal(orphan.toolLines.at(-1), { toolUseId: 'gone', line: 'Bash: echo hi', outcome: 'Read 3 lines', isError: false });
});
apply('the same events applied again (a replay after a crash) do not add lines or answers twice', () => {
  const events = [prompt('go'), call('t1'), result('t1'), text('done'), end()];
  const first = run(events);
  const again = run(events.slice(1), first.card);
  assert.is(again.card.toolLines.length, 1);
  assert.is(again.effects.length, 0);
});
apply('an API error ends the turn (Claude Code writes no turn end after one); text said before it is still sent', () => {
  const error = (t: string): TranscriptEvent => ({ kind: 'apiError', text: t, ...o() });
  const failed = run([prompt('go'), text('Looking at the code.'), call('t1'), result('t1'), text('Found it:'), error('API Error: 529 Overloaded')]);
  assert.is(failed.card.state, 'idle');
  assert.is(failed.card.lastText, '⚠ API Error: 529 Overloaded');
  assert.equal(failed.effects.map((e) => e.text), ['Found it:']);
  const bare = run([prompt('go'), error('API Error: 500')]);
  assert.is(bare.card.state, 'idle');
  assert.equal(bare.effects, [], 'nothing said: the error notice alone tells it');
});
apply('a turn with no text sends no answer', () => {
  assert.equal(run([prompt('go'), call('t1'), result('t1'), end()]).effects, []);
});

const context = suite('renderCard: context fill');
context('usage over the model\'s window: 200k, or 1M for the models marked so', () => {
  const card = run([prompt('x'), { kind: 'usage', model: 'claude-opus-5-5', contextTokens: 50_000, ...o() }]).card;
  assert.match(renderCard(card, 'en'), ' 25% context');
  assert.match(renderCard({ ...card, model: 'claude-sonnet-4-5[1m]' }, 'en'), ' 5% context');
  assert.not.match(renderCard(newCard('s', 'n'), 'en'), 'context');
});

const render = suite('renderCard');
render('name, state, context and tool lines with outcomes, as valid Telegram HTML', () => {
  const { card } = run([prompt('go'), { kind: 'usage', model: 'm', contextTokens: 74_000, ...o() }, call('t1'), result('t1'), call('t2', 'Read', '/a<b>&c'), result('t2', 'Error: no such file', true)]);
  const html = renderCard({ ...card, sessionName: 'api <x>' }, 'en');
  assert.ok(parseTelegramHtml(html).ok, html);
  assert.match(html, '<b>api &lt;x&gt;</b>');
  assert.match(html, 'working');
  assert.match(html, '37% context');
  assert.match(html, '✓ Bash: echo hi → Output 1 line');
  assert.match(html, '✗ Read: /a&lt;b&gt;&amp;c → Error: no such file');
  assert.match(renderCard(card, 'ru'), 'работает');
});
render('stays far below 4096 characters whatever the lines hold', () => {
  const huge = 'x'.repeat(100_000);
  const { card } = run([prompt('go'), ...Array.from({ length: 10 }, (_, i) => call(`t${i}`, 'Bash', huge)), text(`<${huge}>`)]);
  const html = renderCard({ ...card, sessionName: huge }, 'zh');
  assert.ok(html.length < 4096, String(html.length));
  assert.ok(parseTelegramHtml(html).ok);
});

/** A fake clock with timers, and a recorder of what the publisher sends and edits. */
function world(options: { editResults?: Array<'ok' | 'gone' | 'rejected' | 'fail'>; sendResults?: Array<'ok' | 'rejected'> } = {}) {
  const w = {
    now: 0,
    timers: [] as { at: number; fn: () => void }[],
    calls: [] as string[],
    cardIds: [] as (number | null)[],
    nextId: 100,
    editResults: options.editResults ?? [],
    sendResults: options.sendResults ?? [],
    /** An edit waits for it before reading its text, as an edit waiting for the chat's turn does. */
    turn: Promise.resolve(),
  };
  const telegram: ConstructorParameters<typeof CardPublisher>[0]['telegram'] = {
    sendNewest: async (chatId, html) => {
      w.calls.push(`send ${chatId} ${html}`);
      if (w.sendResults.shift() === 'rejected') return { ok: false, kind: 'rejected', error: '403 blocked', deliveredIds: [] };
      return { ok: true, messageIds: [w.nextId++] };
    },
    edit: async (chatId, messageId, html) => {
      await w.turn;
      w.calls.push(`edit ${chatId}:${messageId} ${typeof html === 'string' ? html : html()}`);
      const r = w.editResults.shift() ?? 'ok';
      return r === 'ok' ? { ok: true } : { ok: false, kind: r === 'fail' ? 'network' : r, error: r };
    },
    isNewest: () => false,
  };
  const deps: ConstructorParameters<typeof CardPublisher>[0] = {
    telegram,
    switcher: () => ({ inline_keyboard: [] }),
    now: () => w.now,
    setTimer: (fn, ms) => {
      const timer = { at: w.now + ms, fn };
      w.timers.push(timer);
      return timer;
    },
    clearTimer: (handle) => void (w.timers = w.timers.filter((t) => t !== handle)),
    onCardMessage: (_chat, _s, _turn, id) => void w.cardIds.push(id),
  };
  const advance = async (ms: number) => {
    w.now += ms;
    for (const t of w.timers.filter((t) => t.at <= w.now)) {
      w.timers = w.timers.filter((x) => x !== t);
      t.fn();
    }
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return { w, deps, advance };
}
const card = (turn: string, messageId: number | null = null): CardModel => ({ ...newCard('s1', 'api'), turn, messageId });

const publish = suite('CardPublisher');
publish('ten shows within a second: the card is sent at once, then one edit with the newest text', async () => {
  const { w, deps, advance } = world();
  const p = new CardPublisher(deps);
  p.show(1, card('t'), 'v0');
  await advance(0);
  for (let i = 1; i <= 9; i++) {
    p.show(1, card('t'), `v${i}`);
    await advance(50);
  }
  await advance(1_000);
  await p.flush();
  assert.equal(w.calls, ['send 1 v0', 'edit 1:100 v9']);
  assert.equal(w.cardIds, [100]);
});
publish('the wait before an edit: none after a quiet spell; otherwise the rest of the interval', async () => {
  // [the interval, when the last edit went out, the wait of an edit asked for at 5 000 ms]
  const cases: Array<[number | undefined, number | undefined, number]> = [
    [undefined, undefined, 0], [undefined, 1_000, 0], [undefined, 4_600, 600], [2_000, 4_600, 1_600],
  ];
  for (const [intervalMs, lastEditAt, wait] of cases) {
    const { w, deps, advance } = world();
    const p = new CardPublisher({ ...deps, intervalMs });
    if (lastEditAt !== undefined) {
      w.now = lastEditAt;
      p.show(1, card('t', 7), 'a');
      await advance(0);
    }
    w.now = 5_000;
    p.show(1, card('t', 7), 'b');
    assert.is((w.timers[0]?.at ?? w.now) - 5_000, wait, `interval ${intervalMs}, last edit at ${lastEditAt}`);
    await advance(wait);
    assert.is(w.calls.at(-1), 'edit 1:7 b');
  }
});
publish('the first edit after a quiet spell goes out at once', async () => {
  const { w, deps, advance } = world();
  const p = new CardPublisher(deps);
  p.show(1, card('t', 7), 'a');
  await advance(0);
  assert.equal(w.calls, ['edit 1:7 a']);
  await advance(5_000);
  p.show(1, card('t', 7), 'b');
  await advance(0);
  assert.equal(w.calls, ['edit 1:7 a', 'edit 1:7 b']);
});
publish('an edit waiting for its turn (an answer went first) shows the newest card, and no later edit repeats it', async () => {
  const { w, deps, advance } = world();
  let release!: () => void;
  w.turn = new Promise((resolve) => (release = resolve));
  const p = new CardPublisher(deps);
  p.show(1, card('t', 7), 'working');
  await advance(0);
  p.show(1, card('t', 7), 'idle');
  release();
  await advance(0);
  await advance(2_000);
  await p.flush();
  assert.equal(w.calls, ['edit 1:7 idle']);
});
publish('cards of two chats do not wait for each other', async () => {
  const { w, deps, advance } = world();
  const p = new CardPublisher(deps);
  p.show(1, card('t', 7), 'a');
  p.show(2, { ...card('t', 8), sessionId: 's2' }, 'b');
  await advance(0);
  assert.equal(w.calls.sort(), ['edit 1:7 a', 'edit 2:8 b']);
});
publish('an unchanged card is not edited again ("message is not modified" avoided)', async () => {
  const { w, deps, advance } = world();
  const p = new CardPublisher(deps);
  p.show(1, card('t', 7), 'same');
  await advance(0);
  await advance(2_000);
  p.show(1, card('t', 7), 'same');
  await p.flush();
  assert.is(w.calls.length, 1);
});
publish('a card deleted by the person is recreated once, never twice', async () => {
  const { w, deps, advance } = world({ editResults: ['gone', 'gone'] });
  const p = new CardPublisher(deps);
  p.show(1, card('t', 7), 'a');
  await p.flush();
  assert.equal(w.calls, ['edit 1:7 a', 'send 1 a']);
  await advance(2_000);
  p.show(1, card('t', 7), 'b');
  await p.flush();
  assert.equal(w.calls, ['edit 1:7 a', 'send 1 a', 'edit 1:100 b']);
  await advance(2_000);
  p.show(1, card('t', 7), 'c');
  await p.flush();
  assert.is(w.calls.filter((c) => c.startsWith('send')).length, 1, 'not recreated a second time');
  assert.equal(w.cardIds, [100, null]);
});
publish('an edit or a send Telegram refused for good is not retried: that turn\'s card is given up', async () => {
  const { w, deps, advance } = world({ editResults: ['rejected'], sendResults: ['rejected'] });
  const p = new CardPublisher(deps);
  p.show(1, card('t', 7), 'a');
  await p.flush();
  await advance(5_000);
  p.show(1, card('t', 7), 'b');
  await p.flush();
  assert.equal(w.calls, ['edit 1:7 a']);
  p.show(2, { ...card('u'), sessionId: 's2' }, 'c');
  await p.flush();
  await advance(5_000);
  await p.flush();
  assert.equal(w.calls, ['edit 1:7 a', 'send 2 c']);
});
publish('a network failure is retried in the next round', async () => {
  const { w, deps, advance } = world({ editResults: ['fail'] });
  const p = new CardPublisher(deps);
  p.show(1, card('t', 7), 'a');
  await advance(0);
  await advance(1_000);
  await p.flush();
  assert.equal(w.calls, ['edit 1:7 a', 'edit 1:7 a']);
});
publish('a session that ended is forgotten: its pending card is not published, nothing of it is kept', async () => {
  const { w, deps, advance } = world();
  const p = new CardPublisher(deps);
  p.show(1, card('t', 7), 'a');
  p.show(1, { ...card('u', 8), sessionId: 's2' }, 'b');
  await advance(0);
  p.forget('s2');
  await advance(5_000);
  await p.flush();
  assert.equal(w.calls, ['edit 1:7 a']);
  assert.is(p.size, 1);
  p.forget('s1');
  assert.is(p.size, 0);
});
publish('a show while the card is being sent edits that card instead of sending another', async () => {
  const { w, deps, advance } = world();
  let release!: () => void;
  const slowSend = deps.telegram.sendNewest;
  deps.telegram = {
    ...deps.telegram,
    sendNewest: async (chatId, html, options) => {
      await new Promise<void>((resolve) => (release = resolve));
      return slowSend(chatId, html, options);
    },
  };
  const p = new CardPublisher(deps);
  p.show(1, card('t'), 'a');
  await advance(0);
  p.show(1, card('t'), 'b');
  p.show(1, card('t'), 'c');
  release();
  await advance(1_000);
  await p.flush();
  assert.equal(w.calls, ['send 1 a', 'edit 1:100 c']);
});
publish('a new turn gets a new card; the old one stays', async () => {
  const { w, deps } = world();
  const p = new CardPublisher(deps);
  p.show(1, card('t1'), 'first');
  await p.flush();
  p.show(1, card('t2'), 'second');
  await p.flush();
  assert.equal(w.calls, ['send 1 first', 'send 1 second']);
});
publish('after a restart mid-turn the saved card is edited, not sent again', async () => {
  const { w, deps } = world();
  const events = [prompt('go'), call('t1')];
  const before = run(events).card;
  const saved: CardModel = { ...before, messageId: 55 }; // what monitor_state.json held
  const replay = run([...events, result('t1'), text('done')], saved).card; // the events read again after the restart
  const p = new CardPublisher(deps);
  p.show(1, replay, renderCard(replay, 'en'));
  await p.flush();
  assert.is(w.calls.length, 1);
  assert.match(w.calls[0]!, /^edit 1:55 /);
});

apply.run();
context.run();
render.run();
publish.run();
