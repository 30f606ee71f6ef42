import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { InlineKeyboardMarkup } from 'node-telegram-bot-api';
import { Delivery } from '#ccbot/delivery.js';
import { escapeHtml } from '#ccbot/format.js';
import { t } from '#ccbot/i18n.js';
import { decodeAction } from '#ccbot/keyboards.js';
import { setSink } from '#ccbot/log.js';
import { mapKey, promptHash, type SessionMap } from '#ccbot/session-map.js';
import { StateStore } from '#ccbot/state.js';
import { emptyState, type State } from './state-fixture.js';

const IDLE = '─────\n❯ \n─────\n  ⏵⏵ bypass permissions on (shift+tab to cycle)';
const PICKER = ' ☐ Choice\n\npick one?\n\n❯ 1. Alpha\n  2. Beta\n\nEnter to select · ↑/↓ to navigate · Esc to cancel';

interface World {
  state: State;
  clock: { now: number };
  pane: string | null;
  gone: boolean;
  map: SessionMap;
  events: string[];
  delivery: Delivery;
}

function world(): World {
  const state = emptyState();
  state.sessions.a1 = {
    id: 'a1', name: 'api', workdir: '/w', windowId: '@3', claudeSessionId: null, status: 'active', createdAt: 1, lastActivityAt: 1,
    archivedAt: null, archiveReason: null, ownerUserId: 7,
  };
  const w = { state, clock: { now: 1_000 }, pane: IDLE, gone: false, map: {} as SessionMap, events: [] as string[] } as World;
  const owners = new StateStore(state, () => {});
  /** The notice the person got, by its text: `notify ref <why>` when it answers their message, as before. */
  const whyOf = (html: string) =>
    (['picker', 'unconfirmed', 'gone'] as const).find((why) => html === escapeHtml(t('en', `delivery.${why}`, { name: 'api' })));
  w.delivery = new Delivery({
    outbox: owners.outbox,
    sessions: owners.sessions,
    users: owners.users,
    telegram: {
      react: async (_chat, messageId, emoji) => void w.events.push(`react ${messageId} ${emoji}`),
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
    type: async (windowId, text) => (w.events.push(`type ${windowId} ${text}`), { ok: true }),
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

delivery('unconfirmed: one more Enter, then a notice and a Resend that types it again', async ({ w }) => {
  w.delivery.enqueue(message);
  const item = w.state.outbox[0]!;
  await w.delivery.tick();
  w.clock.now += 4_001;
  await w.delivery.tick();
  assert.equal(w.events.slice(2), ['press @3 Enter']);
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

delivery.run();
confirmed.run();
