import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArchiveReason, Session, Sessions } from '#ccbot/sessions.js';
import { mapKey, updateSessionMap } from '#ccbot/session-map.cjs';
import { loadState, saveState, StateStore } from '#ccbot/state.js';
import { ensureSession, killWindow, newWindow } from '#ccbot/tmux.js';
import { killOrphanClaudeProcesses } from '#ccbot/procs.js';
import { emptyState, type State } from './state-fixture.js';
import { createTmuxFixture, windowExists } from './tmux-fixture.js';

const CLAUDE_ID = '2061e677-6298-4b4d-a740-c2bde142a0dc';

function session(extra: Partial<Session> = {}): Session {
  return {
    id: 'a3f1', name: 'api', workdir: '/tmp', windowId: '@4', claudeSessionId: CLAUDE_ID, status: 'active', createdAt: 1,
    lastActivityAt: 1, archivedAt: null, archiveReason: null, ownerUserId: 1001, ...extra,
  };
}
function stateWith(s: Session): State {
  const state = emptyState();
  state.sessions[s.id] = s;
  state.users['1001'] = { activeSessionId: s.id };
  return state;
}
type ArchiveDeps = Parameters<Sessions['archive']>[2];
/**
 * Archives through the owner; `save` sees the state as written (the default writes nowhere). Without a ccbotDir the
 * session map is a missing file, i.e. empty.
 */
function archiveSession(
  state: State, id: string, reason: ArchiveReason,
  deps: Omit<ArchiveDeps, 'ccbotDir' | 'tmuxSession'> & { ccbotDir?: string; save?: (state: State) => void },
) {
  const sessions = new StateStore(state, deps.save ?? (() => {})).sessions;
  return sessions.archive(id, reason, { ccbotDir: join(tmpdir(), 'ccbot-no-such-dir'), tmuxSession: 'ccbot', ...deps });
}

const archive = suite('archiveSession');

archive('closes the window, then kills leftover claude processes, then records the archive — in that order', async () => {
  const steps: string[] = [];
  const state = stateWith(session());
  const result = await archiveSession(state, 'a3f1', 'killed', {
    killWindow: async (id) => (steps.push(`window ${id}`), true),
    killOrphans: async (id) => {
      steps.push(`orphans ${id} status=${state.sessions.a3f1?.status}`);
      return 2;
    },
    save: (saved) => void steps.push(`save ${saved.sessions.a3f1?.status}`),
    now: () => 42,
  });
  assert.equal(steps, ['window @4', `orphans ${CLAUDE_ID} status=active`, 'save archived']);
  assert.ok(result.ok && result.windowClosed && result.processesKilled === 2);
  assert.equal(
    { status: state.sessions.a3f1?.status, archivedAt: state.sessions.a3f1?.archivedAt, reason: state.sessions.a3f1?.archiveReason, windowId: state.sessions.a3f1?.windowId },
    { status: 'archived', archivedAt: 42, reason: 'killed', windowId: null },
  );
  assert.is(state.users['1001']?.activeSessionId, null, 'no longer anyone\'s active session');
});

archive('first adopts the Claude id the map has for its window (after /clear, a newer one): Restore resumes that one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ccbot-archive-'));
  try {
    const newer = '3c9f1a2b-0d4e-4f5a-8b6c-7d8e9f0a1b2c';
    await updateSessionMap(dir, (map) => {
      map[mapKey('ccbot', '@4')] = { session_id: newer, cwd: '/tmp', window_name: 'api', transcript_path: '' };
      return true;
    });
    const state = stateWith(session());
    const killed: string[] = [];
    const result = await archiveSession(state, 'a3f1', 'done', {
      ccbotDir: dir,
      killWindow: async () => true,
      killOrphans: async (id) => (killed.push(id), 0),
    });
    assert.ok(result.ok);
    assert.is(state.sessions.a3f1?.claudeSessionId, newer);
    assert.equal(killed, [newer]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

archive('kills leftover processes even when the session has no window', async () => {
  const calls: string[] = [];
  const state = stateWith(session({ windowId: null, status: 'lost' }));
  const result = await archiveSession(state, 'a3f1', 'done', {
    killWindow: async () => (calls.push('window'), true),
    killOrphans: async () => (calls.push('orphans'), 0),
    save: () => {},
  });
  assert.ok(result.ok);
  assert.equal(calls, ['orphans']);
});

archive('refuses an unknown or already archived session without touching anything', async () => {
  const calls: string[] = [];
  const deps = { killWindow: async () => (calls.push('w'), true), killOrphans: async () => (calls.push('o'), 0), save: () => void calls.push('s') };
  const state = stateWith(session({ status: 'archived' }));
  const unknown = await archiveSession(state, 'zzzz', 'done', deps);
  const again = await archiveSession(state, 'a3f1', 'done', deps);
  assert.ok(!unknown.ok && unknown.error.includes('zzzz'));
  assert.ok(!again.ok && again.error.includes('already archived'));
  assert.equal(calls, []);
});

archive('with real tmux: the window is gone and the archived record is on disk', async () => {
  const tmux = createTmuxFixture();
  const dir = join(tmux.dir, 'state');
  try {
    const opts = { env: tmux.env };
    assert.ok((await ensureSession('ccbot', opts)).ok);
    const made = await newWindow('ccbot', { name: 'api', cwd: tmux.dir, argv: ['sleep', '1000'], tag: 'a3f1' }, opts);
    if (!made.ok) throw new Error(made.error);
    const state = stateWith(session({ windowId: made.windowId }));
    const result = await archiveSession(state, 'a3f1', 'done', {
      killWindow: (id) => killWindow(id, opts),
      killOrphans: (id) => killOrphanClaudeProcesses(id),
      save: (saved) => saveState(dir, saved),
    });
    assert.ok(result.ok && result.windowClosed);
    assert.is(await windowExists(made.windowId, opts), false);
    const saved = loadState(dir).sessions.a3f1;
    assert.is(saved?.status, 'archived');
    assert.is(saved?.archiveReason, 'done');
  } finally {
    await tmux.cleanup();
  }
});

const state = suite('loadState / saveState');

state('round-trips sessions and users, and keeps only well-formed records', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ccbot-state-'));
  try {
    const s = stateWith(session());
    saveState(dir, s);
    assert.equal(loadState(dir), s);
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ version: 1, sessions: { ok: session({ id: 'x' }), bad: { name: 3 }, arr: [] }, users: { '5': 'nope' } }));
    const loaded = loadState(dir);
    assert.equal(Object.keys(loaded.sessions), ['ok']);
    assert.is(loaded.sessions.ok?.id, 'ok', 'the key is the id');
    assert.equal(loaded.users, {});
    assert.not.ok(existsSync(join(dir, 'missing')));
    writeFileSync(join(dir, 'state.json'), '"garbage"');
    assert.equal(loadState(dir), emptyState());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

archive.run();
state.run();
