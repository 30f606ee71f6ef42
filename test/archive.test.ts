import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sweeper } from '#ccbot/archive.js';
import { readSessionMap, recordWindow, updateSessionMap, type SessionMap } from '#ccbot/session-map.cjs';
import type { Session } from '#ccbot/sessions.js';
import { StateStore } from '#ccbot/state.js';
import { emptyState, type State } from './state-fixture.js';

const H = 3_600_000;
const NOW = 1_800_000_000_000;

function session(id: string, fields: Partial<Session> = {}): Session {
  return {
    id, name: id, workdir: `/w/${id}`, windowId: `@${id}`, claudeSessionId: null, status: 'active',
    createdAt: NOW - 100 * H, lastActivityAt: NOW - H, archivedAt: null, archiveReason: null, ownerUserId: 1, ...fields,
  };
}

type SweeperDeps = ConstructorParameters<typeof Sweeper>[0];
interface Ctx { state: State; store: StateStore; archived: string[]; sent: string[]; saves: number; midTurn: Set<string> }
const sweeper = suite<Ctx>('Sweeper');
sweeper.before.each((ctx) => {
  ctx.state = emptyState();
  ctx.store = new StateStore(ctx.state, () => void ctx.saves++);
  ctx.archived = [];
  ctx.sent = [];
  ctx.saves = 0;
  ctx.midTurn = new Set();
});
const deps = (ctx: Ctx, extra: Partial<SweeperDeps> = {}): SweeperDeps => ({
  sessions: ctx.store.sessions,
  users: ctx.store.users,
  telegram: { send: async (_chatId, html) => (ctx.sent.push(html), { ok: true, messageIds: [1] }) },
  defaultIdleHours: 12,
  purgeAfterMs: 14 * 24 * H,
  isMidTurn: async (s) => ctx.midTurn.has(s.id),
  archive: async (id) => {
    ctx.archived.push(id);
    Object.assign(ctx.state.sessions[id]!, { status: 'archived', archivedAt: NOW, archiveReason: 'idle' });
    return { ok: true };
  },
  windowIds: async () => null,
  now: () => NOW,
  ...extra,
});
const idleNotice = (name: string, hours: number) => `Archived ${name}: no message from you for ${hours} h. /archive restores it.`;

sweeper('picks live sessions idle for their owner\'s hours, oldest activity first', async (ctx) => {
  Object.assign(ctx.state.sessions, {
    fresh: session('fresh', { lastActivityAt: NOW - 11 * H }),
    old: session('old', { lastActivityAt: NOW - 30 * H }),
    edge: session('edge', { lastActivityAt: NOW - 12 * H }),
    gone: session('gone', { status: 'archived', lastActivityAt: NOW - 99 * H }),
    lost: session('lost', { status: 'lost', lastActivityAt: NOW - 99 * H }),
  });
  await new Sweeper(deps(ctx)).sweep();
  assert.equal(ctx.archived, ['old', 'edge']);
});

sweeper('each owner has their own hours', async (ctx) => {
  ctx.state.sessions.a = session('a', { ownerUserId: 1, lastActivityAt: NOW - 7 * H });
  ctx.state.sessions.b = session('b', { ownerUserId: 2, lastActivityAt: NOW - 7 * H });
  ctx.state.users['1'] = { activeSessionId: null, settings: { idleHours: 6 } };
  ctx.state.users['2'] = { activeSessionId: null, settings: { idleHours: 24 } };
  await new Sweeper(deps(ctx)).sweep();
  assert.equal(ctx.archived, ['a']);
  assert.equal(ctx.sent, [idleNotice('a', 6)]);
});

sweeper('old archived and lost records go; live ones and recent ones stay', async (ctx) => {
  const days = (n: number) => NOW - n * 24 * H;
  Object.assign(ctx.state.sessions, {
    oldArchived: session('oldArchived', { status: 'archived', archivedAt: days(15), lastActivityAt: days(16) }),
    newArchived: session('newArchived', { status: 'archived', archivedAt: days(13), lastActivityAt: days(20) }),
    oldLost: session('oldLost', { status: 'lost', lastActivityAt: days(15) }),
    oldLive: session('oldLive', { status: 'active', lastActivityAt: days(40) }),
  });
  await new Sweeper(deps(ctx)).sweep();
  assert.equal(Object.keys(ctx.state.sessions).sort(), ['newArchived', 'oldLive']);
});

sweeper('archives idle sessions and tells the owner; a mid-turn one waits for the next sweep', async (ctx) => {
  ctx.state.sessions.idle = session('idle', { lastActivityAt: NOW - 13 * H });
  ctx.state.sessions.busy = session('busy', { lastActivityAt: NOW - 13 * H });
  ctx.state.sessions.recent = session('recent', { lastActivityAt: NOW - H });
  ctx.midTurn.add('busy');
  await new Sweeper(deps(ctx)).sweep();
  assert.equal(ctx.archived, ['idle']);
  assert.equal(ctx.sent, [idleNotice('idle', 12)]);
  ctx.midTurn.clear();
  await new Sweeper(deps(ctx)).sweep();
  assert.equal(ctx.archived, ['idle', 'busy']);
});

sweeper('a failed archive is not announced', async (ctx) => {
  ctx.state.sessions.idle = session('idle', { lastActivityAt: NOW - 13 * H });
  await new Sweeper(deps(ctx, { archive: async () => ({ ok: false, error: 'tmux is gone' }) })).sweep();
  assert.equal(ctx.sent, []);
});

sweeper('purges old records from state and saves; recent ones stay', async (ctx) => {
  ctx.state.sessions.old = session('old', { status: 'archived', archivedAt: NOW - 20 * 24 * H });
  ctx.state.sessions.kept = session('kept', { status: 'archived', archivedAt: NOW - 2 * 24 * H });
  await new Sweeper(deps(ctx)).sweep();
  assert.equal(Object.keys(ctx.state.sessions), ['kept']);
  assert.is(ctx.saves, 1);
});

sweeper('a purged record takes its window index file along; a kept one keeps it', async (ctx) => {
  const dir = mkdtempSync(join(tmpdir(), 'ccbot-purge-'));
  try {
    ctx.state.sessions.old = session('old', { status: 'archived', archivedAt: NOW - 20 * 24 * H });
    ctx.state.sessions.kept = session('kept', { status: 'archived', archivedAt: NOW - 2 * 24 * H });
    for (const id of ['old', 'kept']) recordWindow(dir, id, { sessionName: 'ccbot', windowId: '@1', windowName: id });
    await new Sweeper(deps(ctx, { sessionMap: { ccbotDir: dir, tmuxSession: 'ccbot' } })).sweep();
    assert.equal(readdirSync(join(dir, 'windows')), ['kept.json']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

sweeper('a live session whose window tmux no longer has becomes lost, and its owner is told once', async (ctx) => {
  ctx.state.sessions.gone = session('gone');
  ctx.state.sessions.here = session('here');
  ctx.state.sessions.fresh = session('fresh', { createdAt: NOW - 1_000 }); // started while tmux was listing
  ctx.state.sessions.closing = session('closing'); // /kill under way: its window is closed first
  ctx.state.users['1'] = { activeSessionId: 'gone' };
  let closeWindow = () => {};
  const closing = ctx.store.sessions.archive('closing', 'killed', {
    ccbotDir: '/nonexistent', tmuxSession: 'ccbot', killOrphans: async () => 0,
    killWindow: () => new Promise((resolve) => (closeWindow = () => resolve(true))),
  });
  const d = deps(ctx, { windowIds: async () => new Set(['@here']) });
  await new Sweeper(d).sweep();
  await new Sweeper(d).sweep();
  assert.equal(ctx.sent, ['gone ended: its window closed (Claude exited). /archive can restore it.']);
  const gone = ctx.state.sessions.gone!;
  assert.equal({ status: gone.status, windowId: gone.windowId, archivedAt: gone.archivedAt }, { status: 'lost', windowId: null, archivedAt: NOW });
  assert.is(ctx.state.users['1']!.activeSessionId, null);
  assert.equal(['here', 'fresh', 'closing'].map((id) => ctx.state.sessions[id]!.status), ['active', 'active', 'active']);
  closeWindow();
  assert.ok((await closing).ok);
});

sweeper('when tmux cannot list its windows, no session is taken for lost', async (ctx) => {
  ctx.state.sessions.a = session('a');
  const silent = { send: async () => (assert.unreachable('no notice'), { ok: true as const, messageIds: [] }) };
  await new Sweeper(deps(ctx, { windowIds: async () => null, telegram: silent })).sweep();
  assert.is(ctx.state.sessions.a!.status, 'active');
});

sweeper('session_map.json loses the entries of windows tmux no longer has, but not one written while tmux was listing', async (ctx) => {
  const dir = mkdtempSync(join(tmpdir(), 'ccbot-sweep-'));
  const entry = (n: number): SessionMap[string] => ({ session_id: `${n}0000000-6298-4b4d-a740-c2bde142a0dc`, cwd: '/w', window_name: 'w', transcript_path: '' });
  try {
    await updateSessionMap(dir, (m) => Object.assign(m, { 'ccbot:@1': entry(1), 'ccbot:@2': entry(2), 'other:@2': entry(3) }) && true);
    const windowIds = async () => {
      await updateSessionMap(dir, (m) => ((m['ccbot:@3'] = entry(4)), true)); // the hook of a window opened meanwhile
      return new Set(['@0', '@1']);
    };
    await new Sweeper(deps(ctx, { windowIds, sessionMap: { ccbotDir: dir, tmuxSession: 'ccbot' } })).sweep();
    assert.equal(Object.keys(readSessionMap(dir)).sort(), ['ccbot:@1', 'ccbot:@3', 'other:@2']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

sweeper('two sweeps at once make one pass', async (ctx) => {
  ctx.state.sessions.idle = session('idle', { lastActivityAt: NOW - 13 * H });
  let checks = 0;
  const s = new Sweeper(deps(ctx, { isMidTurn: async () => (checks++, false) }));
  await Promise.all([s.sweep(), s.sweep()]);
  assert.is(checks, 1);
  assert.equal(ctx.archived, ['idle']);
});

sweeper.run();
