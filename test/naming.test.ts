import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { Run } from '#ccbot/exec.js';
import { createNaming, isValidName } from '#ccbot/naming.js';
import type { Session } from '#ccbot/sessions.js';
import type { TranscriptEvent } from '#ccbot/transcript.js';

const at = { uuid: 'u', at: 1 };
const FIRST_TURN: TranscriptEvent[] = [
  { kind: 'prompt', text: 'the login page redirects in a loop', ...at },
  { kind: 'text', text: 'The cookie path is wrong; I fixed it in auth.ts.', message: 'm1', ...at },
  { kind: 'turnEnd', reason: 'end_turn', ...at },
];

function world(stdout: string | null, autoName = true, named?: Session['named']) {
  const session = { id: 'a1b2', name: 'api', ownerUserId: 1001, ...(named ? { named } : {}) } as Session;
  const renamed: [string, string][] = [];
  const runs: { file: string; args: readonly string[]; input?: string; env?: NodeJS.ProcessEnv }[] = [];
  const run: Run = async (file, args, options) => {
    runs.push({ file, args, input: options?.input, env: options?.env });
    if (stdout === null) return { ok: false, kind: 'exit', error: 'claude exited with 1', code: 1, stdout: '', stderr: '' };
    return { ok: true, stdout, stderr: '' };
  };
  const sessions = {
    rename: (_id: string, name: string, by: 'hand' | 'title') => {
      if (by === 'title' && session.named === 'hand') return null;
      renamed.push([name, by]);
      Object.assign(session, { name, named: by });
      return name;
    },
  };
  const see = createNaming({ sessions, autoName: () => autoName, claudeCommand: '/bin/claude', env: { HOME: '/h' }, run });
  return { session, renamed, runs, see };
}
const settle = () => new Promise((resolve) => setImmediate(resolve));

const valid = suite('isValidName');
valid('1 to 40 characters on one line', () => {
  for (const name of ['api', 'Fix login bug', 'Исправить вход', '修复登录', 'x'.repeat(40)]) assert.ok(isValidName(name), name);
  for (const name of ['', '   ', 'x'.repeat(41), 'two\nlines', 'bell\u0007', 'tab\there']) assert.not.ok(isValidName(name), name);
});

const naming = suite('createNaming');
naming('after the first answer, with auto-naming on: claude -p with a small model names the session', async () => {
  const w = world('Login redirect loop\n');
  w.see(w.session, FIRST_TURN);
  await settle();
  assert.equal(w.renamed, [['Login redirect loop', 'title']]);
  assert.is(w.runs.length, 1);
  const [call] = w.runs;
  assert.is(call!.file, '/bin/claude');
  assert.equal(call!.args.slice(0, 3), ['-p', '--model', 'haiku']);
  assert.match(call!.input!, 'the login page redirects in a loop');
  assert.match(call!.input!, 'The cookie path is wrong');
  assert.equal(call!.env, { HOME: '/h' });
  w.see(w.session, FIRST_TURN.map((e) => ({ ...e, uuid: 'u2' })));
  await settle();
  assert.is(w.runs.length, 1, 'asked once: a later answer asks nothing');
});

naming('good titles are kept, quotes and Markdown out', async () => {
  const cases: [string, string][] = [
    ['**Refactor API**', 'Refactor API'], ['"Deploy script".', 'Deploy script'], ['Title: `Fix CI`', 'Fix CI'],
    ['修复登录问题', '修复登录问题'], ['  Починить логин  \n', 'Починить логин'],
  ];
  for (const [answer, title] of cases) {
    const w = world(answer);
    w.see(w.session, FIRST_TURN);
    await settle();
    assert.equal(w.renamed, [[title, 'title']], answer);
  }
});

naming('refusals and junk are rejected: the folder name stays', async () => {
  const junk = [
    "I can't help with that.", 'Sorry, there is not enough context', 'As an AI I have no titles', 'I cannot do that',
    "I'm unable to title this", '', '   ', 'one two three four five six', 'Fix login\nbug', 'bell\u0007ring',
    'x'.repeat(41), '""',
  ];
  for (const answer of [...junk, null]) {
    const w = world(answer);
    w.see(w.session, FIRST_TURN);
    await settle();
    assert.is(w.runs.length, 1);
    assert.equal(w.renamed, [], String(answer));
    assert.is(w.session.name, 'api');
  }
});

naming('with auto-naming off no claude runs (it spends tokens)', async () => {
  const w = world('Login redirect loop', false);
  w.see(w.session, FIRST_TURN);
  await settle();
  assert.equal([w.runs.length, w.renamed.length], [0, 0]);
});

naming("Claude Code's own title wins, without running claude", async () => {
  const w = world('Other title');
  w.see(w.session, [{ kind: 'title', text: 'Cookie path fix', uuid: '', at: 0 }, ...FIRST_TURN]);
  await settle();
  assert.equal(w.renamed, [['Cookie path fix', 'title']]);
  assert.is(w.runs.length, 0);
});

naming('a name the person gave is never replaced', async () => {
  const w = world('Login redirect loop', true, 'hand');
  w.see(w.session, [{ kind: 'title', text: 'Cookie path fix', uuid: '', at: 0 }, ...FIRST_TURN]);
  await settle();
  assert.equal([w.runs.length, w.renamed.length, w.session.name], [0, 0, 'api']);
});

valid.run();
naming.run();
