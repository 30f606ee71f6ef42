import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setSink } from '#ccbot/log.cjs';
import { reconcile } from '#ccbot/recovery.js';
import { mapKey, readSessionMap, updateSessionMap } from '#ccbot/session-map.cjs';
import type { Session } from '#ccbot/sessions.js';
import { loadState, saveState, StateStore } from '#ccbot/state.js';
import { ensureSession, listWindows, newWindow, type WindowInfo } from '#ccbot/tmux.js';
import { emptyState, type State } from './state-fixture.js';
import { createTmuxFixture, type TmuxFixture } from './tmux-fixture.js';

const TMUX_SESSION = 'ccbot';
const CLAUDE_A = '2061e677-6298-4b4d-a740-c2bde142a0dc';

function session(id: string, windowId: string | null, extra: Partial<Session> = {}): Session {
  return {
    id, name: `s-${id}`, workdir: '/tmp', windowId, claudeSessionId: null, status: 'active', createdAt: 1, lastActivityAt: 1,
    archivedAt: null, archiveReason: null, ownerUserId: 1001, ...extra,
  };
}
const window = (id: string, name: string, tag = ''): WindowInfo => ({ id, name, tag });

let lines: string[] = [];
let restore: (line: string) => void;
const capture = () => {
  lines = [];
  restore = setSink((line) => lines.push(line));
};
const release = () => setSink(restore);

// ---------------------------------------------------------------------------------------------------------------

const orphans = suite<{ dir: string }>('reconcile: windows no session claims');
orphans.before.each((ctx) => {
  capture();
  ctx.dir = mkdtempSync(join(tmpdir(), 'ccbot-rec-'));
});
orphans.after.each((ctx) => {
  release();
  rmSync(ctx.dir, { recursive: true, force: true });
});
/** Reconciles one live session `a` (its window @1, tagged) against `windows`, listed by a fake tmux. */
const reconcileWith = (ctx: { dir: string }, windows: WindowInfo[], list = async () => windows) => {
  const state = emptyState();
  state.sessions.a = session('a', '@1');
  return reconcile(new StateStore(state, () => {}).sessions, { ccbotDir: ctx.dir, tmuxSession: TMUX_SESSION, list });
};
const warnings = () => lines.filter((l) => l.startsWith('warn:'));
/** The counts of the summary line reconcile logs at the end. */
const summary = () => lines.find((l) => l.startsWith('recovery: reconciled '));

orphans('warns once per unbound window, naming its Claude session from the map, and never for bound or reserved ones', async (ctx) => {
  await updateSessionMap(ctx.dir, (map) => {
    map[mapKey(TMUX_SESSION, '@21')] = { session_id: CLAUDE_A, cwd: '/w', window_name: 'foo', transcript_path: '/t' };
    return true;
  });
  const windows = [window('@0', '__main__'), window('@1', 'bound', 'a'), window('@21', 'foo'), window('@22', 'bar baz'), window('@23', 'ccbot-usage')];
  await reconcileWith(ctx, windows);
  assert.match(summary() ?? '', 'orphans=2');
  assert.equal(lines.filter((l) => l.includes('orphan_window')), [
    `warn: recovery: orphan_window window_id=@21 name="foo" session_id=${CLAUDE_A} — no session record references it`,
    'warn: recovery: orphan_window window_id=@22 name="bar baz" session_id=unknown — no session record references it',
  ]);
  assert.is(warnings().length, 3, 'plus one summary line');
});

orphans('lists the windows once', async (ctx) => {
  let listed = 0;
  const list = async () => {
    listed++;
    return [window('@0', '__main__'), window('@1', 'bound', 'a'), window('@5', 'stray')];
  };
  await reconcileWith(ctx, [], list);
  assert.match(summary() ?? '', 'orphans=1');
  assert.is(listed, 1);
  assert.is(lines.filter((l) => l.includes('orphan_window')).length, 1);
});

orphans('says nothing and counts 0 when every window is bound', async (ctx) => {
  await reconcileWith(ctx, [window('@0', '__main__'), window('@1', 'x', 'a')]);
  assert.match(summary() ?? '', 'orphans=0');
  assert.equal(warnings(), []);
});

// ---------------------------------------------------------------------------------------------------------------

interface RecCtx {
  tmux: TmuxFixture;
  dir: string;
}
const rec = suite<RecCtx>('reconcile');
rec.before.each(async (ctx) => {
  capture();
  ctx.tmux = createTmuxFixture();
  ctx.dir = join(ctx.tmux.dir, 'state');
  const made = await ensureSession(TMUX_SESSION, { env: ctx.tmux.env });
  if (!made.ok) throw new Error(made.error);
});
rec.after.each(async (ctx) => {
  release();
  await ctx.tmux.cleanup();
});

async function open(ctx: RecCtx, name: string, tag?: string): Promise<string> {
  const made = await newWindow(TMUX_SESSION, { name, cwd: ctx.tmux.dir, argv: ['sleep', '1000'], tag }, { env: ctx.tmux.env });
  if (!made.ok) throw new Error(made.error);
  return made.windowId;
}
const deps = (ctx: RecCtx) => ({ ccbotDir: ctx.dir, tmuxSession: TMUX_SESSION, tmux: { env: ctx.tmux.env } });
/** The sessions' owner over `state`, writing state.json in the test's directory. */
const sessionsOf = (ctx: RecCtx, state: State) => new StateStore(state, (saved) => saveState(ctx.dir, saved)).sessions;

rec('keeps sessions whose window lives, marks the others lost, prunes the map and warns about strays', async (ctx) => {
  const alive = await open(ctx, 'alive', 'a1');
  const doomed = await open(ctx, 'doomed', 'b2');
  const stray = await open(ctx, 'stray');
  await updateSessionMap(ctx.dir, (map) => {
    map[mapKey(TMUX_SESSION, alive)] = { session_id: CLAUDE_A, cwd: '/w', window_name: 'alive', transcript_path: '/t' };
    map[mapKey(TMUX_SESSION, doomed)] = { session_id: CLAUDE_A.replace('2', '3'), cwd: '/w', window_name: 'doomed', transcript_path: '/t' };
    map[mapKey('other-session', '@77')] = { session_id: CLAUDE_A, cwd: '/w', window_name: 'x', transcript_path: '/t' };
    return true;
  });
  // The daemon was down while the window was killed.
  assert.ok((await ctx.tmux.tmux(['kill-window', '-t', doomed])).ok);
  const state: State = emptyState();
  state.sessions.a1 = session('a1', alive);
  state.sessions.b2 = session('b2', doomed);
  state.sessions.c3 = session('c3', null, { status: 'archived', archiveReason: 'done', archivedAt: 5 });
  state.users['1001'] = { activeSessionId: 'a1' };

  await reconcile(sessionsOf(ctx, state), deps(ctx));

  assert.is(summary(), 'recovery: reconciled alive=1 lost=1 pruned=1 orphans=1');
  const saved = loadState(ctx.dir);
  assert.is(saved.sessions.a1?.status, 'active');
  assert.is(saved.sessions.a1?.windowId, alive);
  assert.is(saved.sessions.a1?.claudeSessionId, CLAUDE_A, 'the Claude session id comes from the map');
  assert.is(saved.sessions.b2?.status, 'lost');
  assert.is(saved.sessions.b2?.windowId, null);
  assert.is(saved.sessions.c3?.status, 'archived', 'archived records are left alone');
  assert.equal(Object.keys(readSessionMap(ctx.dir)).sort(), [mapKey(TMUX_SESSION, alive), mapKey('other-session', '@77')]);
  assert.ok(lines.some((l) => l.includes(`orphan_window window_id=${stray}`)));
  const windows = await listWindows(TMUX_SESSION, { env: ctx.tmux.env });
  assert.ok(windows?.some((w) => w.id === stray), 'the stray window is never killed');
});

rec('does not re-bind a session to an unrelated window that got its id after a tmux server restart', async (ctx) => {
  const old = await open(ctx, 'mine', 'a1');
  const state: State = emptyState();
  state.sessions.a1 = session('a1', old);
  assert.ok((await ctx.tmux.tmux(['kill-server'])).ok);
  // A new server: ids start again, and a window of someone else's lands on the recorded id.
  // The old server may still be exiting ("server exited unexpectedly"): try again for a moment.
  let started = false;
  for (let i = 0; i < 50 && !started; i++) {
    started = (await ctx.tmux.tmux(['new-session', '-d', '-s', TMUX_SESSION, '-n', 'someone-else'])).ok;
    if (!started) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(started, 'a new tmux server');
  let reused = '';
  for (let i = 0; i < 5 && reused !== old; i++) reused = await open(ctx, 'someone-else');
  assert.is(reused, old, 'the test needs the same window id again');

  await reconcile(sessionsOf(ctx, state), deps(ctx));

  assert.match(summary() ?? '', 'alive=0 lost=1');
  assert.is(state.sessions.a1?.status, 'lost');
  assert.is(state.sessions.a1?.windowId, null);
});

rec('changes nothing when tmux cannot list the windows', async (ctx) => {
  const alive = await open(ctx, 'alive', 'a1');
  const state: State = emptyState();
  state.sessions.a1 = session('a1', alive);
  for (const list of [async () => null, async () => []]) {
    lines = [];
    await reconcile(sessionsOf(ctx, state), { ...deps(ctx), list });
    assert.equal(lines, ['warn: recovery: tmux did not list any window; sessions are left as recorded until it does tmux_session=ccbot']);
    assert.is(state.sessions.a1?.status, 'active');
    assert.is(state.sessions.a1?.windowId, alive);
  }
});

orphans.run();
rec.run();
