import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reconcile } from '#ccbot/recovery.js';
import type { Session, Sessions } from '#ccbot/sessions.js';
import { StateStore } from '#ccbot/state.js';
import type { WindowInfo } from '#ccbot/tmux.js';
import { emptyState, type State } from './state-fixture.js';

type StartDeps = Parameters<Sessions['start']>[1];
type Spec = Parameters<StartDeps['openWindow']>[0];

/** start()'s deps with a scripted openWindow; `opened` lists what it was asked to open. */
function startDeps(openWindow: (spec: Spec) => ReturnType<StartDeps['openWindow']>, opened: Spec[] = []): StartDeps {
  return {
    ccbotDir: join(tmpdir(), 'ccbot-no-such-dir'), tmuxSession: 'ccbot', claudeCommand: 'claude', claudeFlags: [],
    claudeSettings: '/x/claude-settings.json', now: () => 1_000,
    openWindow: (spec) => (opened.push(spec), openWindow(spec)),
  };
}
const REQUEST = { workdir: '/srv/api', userId: 1001, chatId: 1001 };

const start = suite('Sessions.start keyed by the update that asked');

start('the same update twice opens one window and returns the same session', async () => {
  const sessions = new StateStore(emptyState(), () => {}).sessions;
  const opened: Spec[] = [];
  const deps = startDeps(async () => ({ ok: true, windowId: '@5' }), opened);
  const first = await sessions.start({ ...REQUEST, key: 77 }, deps);
  const again = await sessions.start({ ...REQUEST, key: 77 }, deps);
  assert.ok(first.ok && again.ok);
  assert.is(opened.length, 1, 'one window');
  assert.is(again.session.id, first.session.id);
  assert.is(sessions.live().length, 1);
  const other = await sessions.start({ ...REQUEST, key: 78 }, deps);
  assert.ok(other.ok && other.session.id !== first.session.id, 'another update is another session');
  assert.is(opened.length, 2);
});

start('the record is saved before the window opens: after a crash in between, start-up attaches the window by its tag '
  + 'and the redelivered update opens none', async () => {
  let saved: State | undefined;
  const sessions = new StateStore(emptyState(), (s) => (saved = structuredClone(s))).sessions;
  let tag = '';
  // The daemon dies while tmux opens the window: the window exists, the call never returns here.
  void sessions.start({ ...REQUEST, key: 90 }, startDeps((spec) => ((tag = spec.tag), new Promise(() => {}))));
  await new Promise((r) => setImmediate(r));
  assert.ok(saved, 'saved before the window opened');
  const recorded = Object.values(saved.sessions)[0] as Session;
  assert.equal({ status: recorded.status, windowId: recorded.windowId, startedBy: recorded.startedBy },
    { status: 'active', windowId: null, startedBy: 90 });

  const dir = mkdtempSync(join(tmpdir(), 'ccbot-start-'));
  try {
    const restarted = new StateStore(saved, () => {}).sessions;
    const windows: WindowInfo[] = [
      { id: '@0', name: '__main__', tag: '' } as WindowInfo, { id: '@9', name: 'api', tag } as WindowInfo,
    ];
    await reconcile(restarted, { ccbotDir: dir, tmuxSession: 'ccbot', list: async () => windows });
    assert.is(restarted.get(recorded.id)?.windowId, '@9', 'the window is the session\'s');
    const opened: Spec[] = [];
    const again = await restarted.start({ ...REQUEST, key: 90 }, startDeps(async () => ({ ok: true, windowId: '@10' }), opened));
    assert.ok(again.ok && again.session.id === recorded.id);
    assert.is(opened.length, 0, 'no second window');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

start('a window that cannot open leaves no record behind, and a Restore that fails leaves the archived one as it was',
  async () => {
    const state = emptyState();
    const sessions = new StateStore(state, () => {}).sessions;
    const failing = startDeps(async () => ({ ok: false, kind: 'exit', error: 'no tmux' }));
    const failed = await sessions.start({ ...REQUEST, key: 5 }, failing);
    assert.ok(!failed.ok);
    assert.equal(state.sessions, {});
    const archived: Session = {
      id: 'b7c2', name: 'web', workdir: '/srv/web', windowId: null, claudeSessionId: null, status: 'archived',
      createdAt: 1, lastActivityAt: 1, archivedAt: 2, archiveReason: 'done', ownerUserId: 1001,
    };
    state.sessions.b7c2 = { ...archived };
    const restore = await sessions.start({ ...REQUEST, resume: state.sessions.b7c2, key: 6 }, failing);
    assert.ok(!restore.ok);
    assert.equal(state.sessions.b7c2, archived);
  });

start('the person\'s permission mode replaces the permission words of CLAUDE_FLAGS, for new sessions and Restores; '
  + 'the record keeps the mode and whether Shift+Tab reaches bypass', async () => {
  const store = new StateStore(emptyState(), () => {});
  const opened: Spec[] = [];
  const deps = { ...startDeps(async () => ({ ok: true, windowId: '@5' }), opened),
    claudeFlags: ['--dangerously-skip-permissions', '--model', 'opus'] };
  const flagsOf = (spec: Spec) => spec.argv.slice(1, spec.argv.indexOf('--settings'));
  const operator = await store.sessions.start({ ...REQUEST, key: 1 }, deps);
  assert.equal(flagsOf(opened[0]!), ['--dangerously-skip-permissions', '--model', 'opus'], 'no choice: as the operator set it');
  assert.ok(operator.ok);
  assert.equal([operator.session.mode, operator.session.allowsBypass], ['bypass', true]);

  store.users.setSettings(1001, { ...store.users.settings(1001, 12), mode: 'manual' });
  const manual = await store.sessions.start({ ...REQUEST, key: 2 }, deps);
  assert.equal(flagsOf(opened[1]!), ['--model', 'opus', '--permission-mode', 'default']);
  assert.ok(manual.ok);
  assert.equal([manual.session.mode, manual.session.allowsBypass], ['manual', false]);
  store.sessions.setMode(manual.session.id, 'plan');
  assert.is(store.sessions.get(manual.session.id)?.mode, 'plan', 'the mode seen on its footer is kept');

  await store.sessions.archive(operator.session.id, 'done', { ...deps, killWindow: async () => true, killOrphans: async () => 0 });
  store.users.setSettings(1001, { ...store.users.settings(1001, 12), mode: 'acceptEdits' });
  const restored = await store.sessions.start({ ...REQUEST, resume: store.sessions.get(operator.session.id), key: 3 }, deps);
  assert.equal(flagsOf(opened[2]!), ['--model', 'opus', '--permission-mode', 'acceptEdits'], 'a Restore too');
  assert.ok(restored.ok);
  assert.equal([restored.session.mode, restored.session.allowsBypass], ['acceptEdits', false]);
});

start('rename: unique among live sessions, saved at once; a title never replaces a name the person gave; a Restore '
  + 'passes the name to Claude with --name (a folder\'s name is not passed: Claude Code would then make no title)', async () => {
  let saves = 0;
  const store = new StateStore(emptyState(), () => saves++);
  const opened: Spec[] = [];
  const deps = startDeps(async () => ({ ok: true, windowId: `@${opened.length}` }), opened);
  const api = await store.sessions.start({ ...REQUEST, key: 1 }, deps);
  const web = await store.sessions.start({ ...REQUEST, workdir: '/srv/web', key: 2 }, deps);
  assert.ok(api.ok && web.ok);
  assert.not.ok(opened[0]!.argv.includes('--name'), 'a new session is named after its folder only');
  const before = saves;
  assert.is(store.sessions.rename(web.session.id, 'Fix login', 'title'), 'Fix login');
  assert.ok(saves > before, 'saved');
  assert.is(store.sessions.rename(api.session.id, 'Fix login', 'hand'), 'Fix login-2', 'unique among live sessions');
  assert.is(store.sessions.rename(api.session.id, 'Cookie path', 'title'), null, 'the person\'s name stays');
  assert.equal([store.sessions.get(api.session.id)?.name, store.sessions.get(api.session.id)?.named], ['Fix login-2', 'hand']);
  assert.is(store.sessions.find('fix login-2')?.id, api.session.id, 'found by its new name');

  await store.sessions.archive(api.session.id, 'done', { ...deps, killWindow: async () => true, killOrphans: async () => 0 });
  const restored = await store.sessions.start({ ...REQUEST, resume: store.sessions.get(api.session.id), key: 3 }, deps);
  assert.ok(restored.ok);
  const argv = opened.at(-1)!.argv;
  assert.equal(argv.slice(argv.indexOf('--name'), argv.indexOf('--name') + 2), ['--name', 'Fix login-2']);
  assert.equal([restored.session.name, restored.session.named], ['Fix login-2', 'hand'], 'kept across the Restore');
});

start.run();
