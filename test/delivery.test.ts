import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { InlineKeyboardMarkup } from 'node-telegram-bot-api';
import { Delivery } from '#ccbot/delivery.js';
import { escapeHtml } from '#ccbot/format.js';
import { t } from '#ccbot/i18n.js';
import { decodeAction } from '#ccbot/keyboards.js';
import { setSink } from '#ccbot/log.cjs';
import { mapKey, promptHash, type SessionMap } from '#ccbot/session-map.cjs';
import { StateStore } from '#ccbot/state.js';
import { SAMPLES } from './samples.js';
import { emptyState, type State } from './state-fixture.js';

/** Claude Code's input box holding `text` (its rows after the first indented two spaces), as 2.1.328 draws it. */
const box = (text = '', footer = '  ⏵⏵ bypass permissions on (shift+tab to cycle)') =>
  `─────\n❯\u00a0${text.replace(/\n/g, '\n  ')}\n─────\n${footer}`;
const IDLE = box();
const BUSY = `✶ Composing… (1s · ↓ 5 tokens)\n\n${IDLE}`;
const menu = (rows: string[]) =>
  [' ☐ Choice', '', 'pick one?', '', ...rows, '', 'Enter to select · ↑/↓ to navigate · Esc to cancel'].join('\n');
const PICKER = menu(['❯ 1. Alpha', '  2. Beta', '  3. Type something.']);
/** The menu's free-text field open (its row selected), and holding `text`. */
const field = (text = 'Type something.') => menu(['  1. Alpha', '  2. Beta', `❯ 3. ${text}`]);

interface World {
  state: State;
  /** The outbox as each save wrote it. */
  saved: State['outbox'][];
  /** What typing does: by default it succeeds at once. */
  typing: (text: string) => Promise<{ ok: true }>;
  /** What a reaction request does: by default it is answered at once. */
  reacting: () => Promise<void>;
  clock: { now: number };
  pane: string | null;
  gone: boolean;
  map: SessionMap;
  events: string[];
  delivery: Delivery;
  /** The outbox itself, for the state a restart finds. */
  outbox: StateStore['outbox'];
}

function world(): World {
  const state = emptyState();
  state.sessions.a1 = {
    id: 'a1', name: 'api', workdir: '/w', windowId: '@3', claudeSessionId: null, status: 'active', createdAt: 1, lastActivityAt: 1,
    archivedAt: null, archiveReason: null, ownerUserId: 7,
  };
  const w = { state, clock: { now: 1_000 }, pane: IDLE, gone: false, map: {} as SessionMap, events: [] as string[] } as World;
  w.saved = [];
  w.typing = async () => ({ ok: true });
  w.reacting = async () => {};
  const owners = new StateStore(state, (s) => void w.saved.push(structuredClone(s.outbox)));
  w.outbox = owners.outbox;
  /** The notice the person got, by its text: `notify ref <why>` when it answers their message, as before. */
  const whyOf = (html: string) =>
    (['picker', 'unconfirmed', 'gone', 'expired'] as const).find((why) => html === escapeHtml(t('en', `delivery.${why}`, { name: 'api' })));
  w.delivery = new Delivery({
    outbox: owners.outbox,
    sessions: owners.sessions,
    users: owners.users,
    telegram: {
      react: (_chat, messageId, emoji) => (w.events.push(`react ${messageId} ${emoji}`), w.reacting()),
      send: async (chatId, html, options = {}) => {
        const buttons = (options.replyMarkup as InlineKeyboardMarkup | undefined)?.inline_keyboard.flat() ?? [];
        const resend = buttons.some((b) => decodeAction(b.callback_data ?? '')?.t === 'resend');
        const replied = chatId === 7 && options.replyTo === 50 ? 'ref' : 'elsewhere';
        w.events.push(`notify ${replied} ${whyOf(html)}${resend ? ' +resend' : ''}`);
        return { ok: true, messageIds: [1] };
      },
    },
    tmuxSession: 'ccbot',
    capture: async () => w.pane,
    windowIds: async () => new Set(w.gone ? [] : ['@3']),
    type: async (windowId, text) => (w.events.push(`type ${windowId} ${text}`), w.typing(text)),
    press: async (windowId, keys) => (w.events.push(`press ${windowId} ${keys.join(' ')}`), { ok: true }),
    readMap: () => w.map,
    now: () => w.clock.now,
  });
  return w;
}
const hookSaw = (w: World, text: string, at = w.clock.now) => {
  w.map[mapKey('ccbot', '@3')] = {
    session_id: '2061e677-6298-4b4d-a740-c2bde142a0dc', cwd: '/w', window_name: 'api', transcript_path: '/t',
    prompt_at: at, prompt_hash: promptHash(text),
  };
};
const message = { sessionId: 'a1', chatId: 7, userId: 7, messageId: 50, text: 'hello' };

let restore: (line: string) => void;
const delivery = suite<{ w: World }>('Delivery');
delivery.before.each((ctx) => {
  restore = setSink(() => {});
  ctx.w = world();
});
delivery.after.each(() => void setSink(restore));

delivery('types into an idle pane, 👀, then 👍 once the hook saw the prompt; the Claude id is recorded', async ({ w }) => {
  w.delivery.enqueue(message);
  await w.delivery.tick();
  assert.equal(w.events, ['type @3 hello', 'react 50 👀']);
  w.clock.now += 500;
  hookSaw(w, 'hello');
  await w.delivery.tick();
  assert.equal(w.events.slice(2), ['react 50 👍']);
  assert.equal(w.state.outbox, []);
  assert.is(w.state.sessions.a1?.claudeSessionId, '2061e677-6298-4b4d-a740-c2bde142a0dc');
});

delivery('/cost: the box empties before its panel is drawn — it waits for the panel, sends its text, closes it with Escape', async ({ w }) => {
  w.delivery.enqueue({ ...message, text: '/cost' });
  await w.delivery.tick();
  assert.equal(w.events, ['type @3 /cost', 'react 50 👀']);
  w.clock.now += 300; // Claude took it; the panel is not drawn yet
  await w.delivery.tick();
  assert.is(w.state.outbox.length, 1, 'not delivered without its panel');
  w.pane = '▔▔▔▔\n  Settings  Status   Usage\n\n  Session\n  Estimated cost:   $0.0552\n\n  ←/→ to switch · Esc to close';
  w.clock.now += 300;
  await w.delivery.tick();
  assert.equal(w.events.slice(2), ['notify ref undefined', 'press @3 Escape', 'react 50 👍']);
  assert.equal(w.state.outbox, []);
});

delivery('a window that vanished (Claude exited) makes the session lost and the person is told; an unreadable pane waits', async ({ w }) => {
  w.state.users['7'] = { activeSessionId: 'a1' };
  w.pane = null; // tmux failed, the window may still be there
  w.delivery.enqueue(message);
  await w.delivery.tick();
  assert.equal(w.events, []);
  assert.is(w.state.outbox.length, 1, 'still queued');
  w.gone = true;
  w.clock.now = 5_000;
  await w.delivery.tick();
  assert.equal(w.events, ['notify ref gone']);
  assert.equal(w.state.outbox, []);
  const s = w.state.sessions.a1!;
  assert.equal({ status: s.status, windowId: s.windowId, archivedAt: s.archivedAt }, { status: 'lost', windowId: null, archivedAt: 5_000 });
  assert.is(w.state.users['7']!.activeSessionId, null);
});

delivery('waits while Claude starts or works, and never types into a picker (the person is told once)', async ({ w }) => {
  w.pane = 'Claude Code v2.1.328\nloading…';
  w.delivery.enqueue(message);
  await w.delivery.tick();
  w.pane = PICKER;
  await w.delivery.tick();
  await w.delivery.tick();
  assert.equal(w.events, ['notify ref picker']);
  w.pane = IDLE;
  await w.delivery.tick();
  assert.equal(w.events.slice(1), ['type @3 hello', 'react 50 👀']);
});

delivery('keeps messages of one session in order', async ({ w }) => {
  w.delivery.enqueue({ ...message, text: 'first' });
  w.delivery.enqueue({ ...message, messageId: 51, text: 'second' });
  await w.delivery.tick();
  hookSaw(w, 'first');
  await w.delivery.tick();
  await w.delivery.tick();
  assert.equal(w.events.filter((e) => e.startsWith('type')), ['type @3 first', 'type @3 second']);
});

delivery('unconfirmed: one more Enter while the text sits in the box, then a notice and a Resend that types it again', async ({ w }) => {
  w.delivery.enqueue(message);
  const item = w.state.outbox[0]!;
  await w.delivery.tick();
  w.pane = box('hello'); // the Enter came too soon and made a newline
  w.clock.now += 4_001;
  await w.delivery.tick();
  assert.equal(w.events.slice(2), ['press @3 Enter']);
  w.pane = IDLE;
  w.clock.now += 4_001;
  await w.delivery.tick();
  assert.equal(w.events.slice(3), ['notify ref unconfirmed +resend']);
  assert.ok(w.state.outbox[0]?.failed);
  await w.delivery.tick();
  assert.is(w.events.length, 4, 'a failed message waits for Resend');
  assert.ok(w.delivery.resend(item.ref));
  assert.not.ok(w.delivery.resend('nope'));
  await w.delivery.tick();
  assert.equal(w.events.slice(4), ['type @3 hello', 'react 50 👀']);
});

delivery('a message for a session that ended is dropped with a notice, not typed anywhere', async ({ w }) => {
  w.state.sessions.a1!.status = 'archived';
  w.state.sessions.a1!.windowId = null;
  w.delivery.enqueue(message);
  await w.delivery.tick();
  assert.equal(w.events, ['notify ref gone']);
  assert.equal(w.state.outbox, []);
});

const confirmed = suite<{ w: World }>('Delivery: the hook\'s confirmation');
confirmed.before.each((ctx) => {
  restore = setSink(() => {});
  ctx.w = world();
});
confirmed.after.each(() => void setSink(restore));
/** Types `text` at 10 000, lets the hook record `prompt` at `at`, and says whether 👍 came. */
async function confirms(w: World, text: string, prompt: string | null, at: number): Promise<boolean> {
  w.clock.now = 10_000;
  w.delivery.enqueue({ ...message, text });
  await w.delivery.tick();
  if (prompt !== null) hookSaw(w, prompt, at);
  w.clock.now += 500;
  await w.delivery.tick();
  return w.events.includes('react 50 👍');
}

confirmed('same text after typing, whitespace aside, confirms', async ({ w }) => {
  assert.ok(await confirms(w, 'a\tb  c', 'a b c', 10_500));
});
confirmed('an older prompt does not', async ({ w }) => {
  assert.not.ok(await confirms(w, 'hello', 'hello', 5_000));
});
confirmed('a different prompt does not', async ({ w }) => {
  assert.not.ok(await confirms(w, 'hello', 'other', 10_500));
});
confirmed('no prompt at all does not', async ({ w }) => {
  assert.not.ok(await confirms(w, 'hello', null, 0));
});

confirmed('a paste-sized text is confirmed by any prompt after it (Claude Code may pass a placeholder)', async ({ w }) => {
  const long = Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n');
  assert.ok(await confirms(w, long, '[Pasted text #1 +10 lines]', 10_200));
});

confirmed('a 4-line text, which Claude Code 2.1.328 already shows as a placeholder, is confirmed by any later prompt', async ({ w }) => {
  assert.ok(await confirms(w, 'one\ntwo\nthree\nfour', '[Pasted text #1 +3 lines]', 10_200));
});

/** A suite of its own per concern, each with a fresh world and the log silenced. */
function worldSuite(name: string) {
  const s = suite<{ w: World }>(name);
  s.before.each((ctx) => {
    restore = setSink(() => {});
    ctx.w = world();
  });
  s.after.each(() => void setSink(restore));
  return s;
}

const stopping = worldSuite('Delivery.stop');

stopping('waits for the text being typed to be finished and recorded, not for a receipt that hangs', async ({ w }) => {
  let finish = () => {};
  w.typing = () => new Promise((resolve) => (finish = () => resolve({ ok: true })));
  w.reacting = () => new Promise(() => {}); // the Bot API never answers
  w.delivery.start();
  w.delivery.enqueue(message);
  await new Promise((resolve) => setImmediate(resolve)); // the pass reaches the paste
  assert.equal(w.events, ['type @3 hello']);
  let stopped = false;
  const stop = w.delivery.stop().then(() => (stopped = true));
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.not.ok(stopped, 'stop() waits while the text is being typed');
  finish();
  const outcome = await Promise.race([stop, new Promise((resolve) => setTimeout(resolve, 5_000, 'still waiting'))]);
  assert.is(outcome, true, 'stop() resolved although the 👀 request never answers');
  assert.ok(w.state.outbox[0]?.typedAt, 'recorded as typed before stop() resolved');
});

stopping('after stop no pass starts: a text enqueued then waits for the next start', async ({ w }) => {
  await w.delivery.stop();
  w.delivery.enqueue(message);
  await w.delivery.tick();
  assert.equal(w.events, []);
  assert.is(w.state.outbox.length, 1);
});

const resumed = worldSuite('Delivery: a text whose typing began before a restart');
/** The outbox as a restart finds it after a kill between the paste and the record: typing begun, not typed. */
function cutShort(w: World, text = 'hello', more = {}) {
  w.outbox.enqueue({ ...message, text, ...more }, w.clock.now);
  w.outbox.markTyping(w.state.outbox[0]!.ref, w.clock.now, false);
  Object.assign(w.state.outbox[0]!, more);
  w.clock.now += 3_000;
}

resumed('typing is recorded as begun, and saved, before the paste', async ({ w }) => {
  w.typing = async () => {
    const last = w.saved[w.saved.length - 1]!;
    assert.is(last[0]?.typingAt, 1_000, 'saved before the paste');
    assert.is(last[0]?.typedAt, null);
    return { ok: true };
  };
  w.delivery.enqueue(message);
  await w.delivery.tick();
  assert.equal(w.events, ['type @3 hello', 'react 50 👀']);
});

resumed('the text still in the input box: Enter, never a second paste', async ({ w }) => {
  cutShort(w);
  w.pane = box('hello');
  await w.delivery.tick();
  assert.equal(w.events, ['press @3 Enter', 'react 50 👀']);
  hookSaw(w, 'hello');
  await w.delivery.tick();
  assert.equal(w.events.slice(2), ['react 50 👍']);
});

resumed("a large text shown as Claude Code's paste placeholder: Enter", async ({ w }) => {
  const long = Array.from({ length: 12 }, (_, i) => `line ${i}`).join('\n');
  cutShort(w, long);
  w.pane = box('[Pasted text #1 +11 lines]', '  paste again to expand');
  await w.delivery.tick();
  assert.equal(w.events, ['press @3 Enter', 'react 50 👀']);
});

resumed('the hook already saw it: 👍, nothing typed or pressed', async ({ w }) => {
  cutShort(w);
  hookSaw(w, 'hello');
  w.pane = IDLE;
  await w.delivery.tick();
  assert.equal(w.events, ['react 50 👍']);
  assert.equal(w.state.outbox, []);
});

resumed('Claude busy: it took the prompt, recorded as typed, the hook awaited as usual', async ({ w }) => {
  cutShort(w);
  w.pane = BUSY;
  await w.delivery.tick();
  assert.equal(w.events, ['react 50 👀']);
  assert.ok(w.state.outbox[0]?.typedAt);
  w.clock.now += 4_001;
  await w.delivery.tick();
  assert.equal(w.events.slice(1), [], 'no blind Enter into an empty box');
});

resumed('idle with an empty box: it never arrived, so it is typed', async ({ w }) => {
  cutShort(w);
  await w.delivery.tick();
  assert.equal(w.events, ['type @3 hello', 'react 50 👀']);
});

resumed('a menu: it waits (the person is told once), then types it into the prompt once the menu is gone', async ({ w }) => {
  cutShort(w);
  w.pane = PICKER;
  await w.delivery.tick();
  await w.delivery.tick();
  assert.equal(w.events, ['notify ref picker']);
  w.pane = IDLE;
  await w.delivery.tick();
  assert.equal(w.events.slice(1), ['type @3 hello', 'react 50 👀']);
});

resumed('a failed paste leaves it to the pane: the next pass presses Enter if the text arrived', async ({ w }) => {
  w.typing = async () => ({ ok: false, code: 1, stderr: '', timedOut: false, error: 'Enter did not' }) as never;
  w.delivery.enqueue(message);
  await w.delivery.tick();
  w.pane = box('hello');
  await w.delivery.tick();
  assert.equal(w.events, ['type @3 hello', 'press @3 Enter', 'react 50 👀']);
});

const extra = worldSuite('Delivery: the extra Enter reads the pane first');
async function typedThenLate(w: World): Promise<void> {
  w.delivery.enqueue(message);
  await w.delivery.tick();
  w.clock.now += 4_001;
}

extra('not into an empty box (Claude took the text), and the notice still comes', async ({ w }) => {
  await typedThenLate(w);
  w.pane = BUSY;
  await w.delivery.tick();
  w.clock.now += 4_001;
  await w.delivery.tick();
  assert.equal(w.events.slice(2), ['notify ref unconfirmed +resend']);
});

extra('never into a menu', async ({ w }) => {
  await typedThenLate(w);
  w.pane = PICKER;
  await w.delivery.tick();
  assert.equal(w.events.slice(2), []);
});

extra('not when the box holds some other text', async ({ w }) => {
  await typedThenLate(w);
  w.pane = box('something typed at the desk');
  await w.delivery.tick();
  assert.equal(w.events.slice(2), []);
});

const keys = worldSuite('Delivery: keyed by the Telegram update');

keys('the same update twice gives one prompt, also after the first was delivered and removed', async ({ w }) => {
  assert.ok(w.delivery.enqueue({ ...message, key: 901 }));
  assert.not.ok(w.delivery.enqueue({ ...message, key: 901 }), 'while pending');
  await w.delivery.tick();
  hookSaw(w, 'hello');
  await w.delivery.tick();
  assert.not.ok(w.delivery.enqueue({ ...message, key: 901 }), 'after delivery');
  await w.delivery.tick();
  assert.equal(w.events, ['type @3 hello', 'react 50 👀', 'react 50 👍']);
});

const expiry = worldSuite('Delivery: failed messages expire');

expiry('a day after failing it is dropped, the person told in a reply; before that it waits for Resend', async ({ w }) => {
  w.delivery.enqueue({ ...message, key: 902 });
  await w.delivery.tick();
  for (let i = 0; i < 2; i++) {
    w.clock.now += 4_001;
    await w.delivery.tick();
  }
  assert.equal(w.events.slice(-1), ['notify ref unconfirmed +resend']);
  w.clock.now += 23 * 3_600_000;
  await w.delivery.tick();
  assert.is(w.events.length, 3);
  w.clock.now += 3_600_000;
  await w.delivery.tick();
  assert.equal(w.events.slice(3), ['notify ref expired']);
  assert.equal(w.state.outbox.filter((p) => !p.done), []);
  assert.not.ok(w.delivery.resend(w.state.outbox[0]!.ref), 'Resend on the old notice finds nothing');
  assert.not.ok(w.delivery.enqueue({ ...message, key: 902 }), 'its key is still known');
});

const answers = worldSuite('Delivery: the answer to a menu\'s free-text field');
const answer = { ...message, text: 'my own answer', menuAnswer: true };

answers('typed into the open field, 👀, then 👍 once the menu is gone (no hook fires for it)', async ({ w }) => {
  w.pane = field();
  w.delivery.enqueue(answer);
  await w.delivery.tick();
  assert.equal(w.events, ['type @3 my own answer', 'react 50 👀']);
  w.pane = field('my own answer'); // drawn, not yet taken
  await w.delivery.tick();
  assert.is(w.events.length, 2);
  w.pane = BUSY;
  await w.delivery.tick();
  assert.equal(w.events.slice(2), ['react 50 👍']);
  assert.equal(w.state.outbox, []);
});

answers('the field still holding it after 4 s gets one Enter', async ({ w }) => {
  w.pane = field();
  w.delivery.enqueue(answer);
  await w.delivery.tick();
  w.pane = field('my own answer');
  w.clock.now += 4_001;
  await w.delivery.tick();
  assert.equal(w.events.slice(2), ['press @3 Enter']);
});

answers('a permission prompt\'s option 1 after Tab: typed into it; still showing "Yes, <text>" after 4 s gets one Enter', async ({ w }) => {
  const amended = readFileSync(join(SAMPLES, 'permission-amend-pane.txt'), 'utf8');
  w.pane = amended;
  w.delivery.enqueue(answer);
  await w.delivery.tick();
  assert.equal(w.events, ['type @3 my own answer', 'react 50 👀']);
  w.pane = amended.replace('❯ 1. Yes, and tell Claude what to do next', '❯ 1. Yes, my own answer');
  await w.delivery.tick();
  assert.is(w.events.length, 2, 'not delivered while it sits in the field');
  w.clock.now += 4_001;
  await w.delivery.tick();
  assert.equal(w.events.slice(2), ['press @3 Enter']);
});

answers('a menu without the field open: not typed, the person told once; typed when the field opens', async ({ w }) => {
  w.pane = PICKER;
  w.delivery.enqueue(answer);
  await w.delivery.tick();
  await w.delivery.tick();
  assert.equal(w.events, ['notify ref picker']);
  w.pane = field();
  await w.delivery.tick();
  assert.equal(w.events.slice(1), ['type @3 my own answer', 'react 50 👀']);
});

answers('the menu answered at the desk: typed as an ordinary prompt, 👍 only from the hook', async ({ w }) => {
  w.delivery.enqueue(answer);
  await w.delivery.tick();
  assert.equal(w.events, ['type @3 my own answer', 'react 50 👀']);
  await w.delivery.tick();
  assert.is(w.events.length, 2, 'an idle pane does not confirm a prompt');
  hookSaw(w, 'my own answer');
  await w.delivery.tick();
  assert.equal(w.events.slice(2), ['react 50 👍']);
});

answers('after a restart cut it short: the field holding it gets Enter, never a second paste', async ({ w }) => {
  cutShort(w, 'my own answer', { menuAnswer: true });
  w.pane = field('my own answer');
  await w.delivery.tick();
  assert.equal(w.events, ['press @3 Enter', 'react 50 👀']);
  w.pane = IDLE;
  await w.delivery.tick();
  assert.equal(w.events.slice(2), ['react 50 👍']);
});

delivery.run();
confirmed.run();
stopping.run();
resumed.run();
extra.run();
keys.run();
expiry.run();
answers.run();
