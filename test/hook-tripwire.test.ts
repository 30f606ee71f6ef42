/**
 * `ccbot hook` on PreToolUse, run as Claude Code runs it: a process with the event on stdin and the window's
 * environment. A stand-in daemon answers through the approvals files (the real one: tripwire-chat.test.ts).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync, watch } from 'node:fs';
import { join } from 'node:path';
import { execRun, type RunResult } from '#ccbot/exec.js';
import { writeClaudeSettings } from '#ccbot/claude-settings.js';
import { MAIN_JS, tempDir } from './daemon-fixture.js';

interface Ctx { dir: ReturnType<typeof tempDir> }

/** Shaped like Claude Code 2.1.328's payload (samples: pretooluse-stdin-bypass.json). */
const preToolUse = (command: string, tool = 'Bash') => JSON.stringify({
  session_id: '9a596962-2066-4eb6-8746-04a192497e78',
  transcript_path: '/home/user/.claude/projects/-home-user-work-hookb/9a596962-2066-4eb6-8746-04a192497e78.jsonl',
  cwd: '/home/user/work/hookb', prompt_id: '1b03abfe-903b-410a-9345-cfca2e3ba9b5', permission_mode: 'bypassPermissions',
  effort: { level: 'medium' }, hook_event_name: 'PreToolUse', tool_name: tool,
  tool_input: tool === 'Bash' ? { command, description: 'run' } : { file_path: command },
  tool_use_id: 'toolu_01UzRqCBpZqSey4U3c',
});

const windowEnv = (dir: string) => ({ PATH: process.env.PATH, HOME: dir, CCBOT_DIR: dir, CCBOT_SESSION_ID: 'ab12', CCBOT_CHAT_ID: '1001' });

/** The hook as Claude Code runs it. 20 s: far below what an unanswered request waits (the timeout, 10 min). */
const hook = (dir: string, input: string, env: NodeJS.ProcessEnv = windowEnv(dir)): Promise<RunResult> =>
  execRun(process.execPath, [MAIN_JS, 'hook'], { env, input, timeoutMs: 20_000 });

const decisionOf = (run: RunResult) => {
  assert.ok(run.ok, JSON.stringify(run)); // exit 0, always
  return JSON.parse(run.stdout).hookSpecificOutput as { permissionDecision: string; permissionDecisionReason: string };
};

const liveDaemon = (dir: string) => writeFileSync(join(dir, 'ccbot.lock'), JSON.stringify({ pid: process.pid }));
const approvalsLeft = (dir: string) => (existsSync(join(dir, 'approvals')) ? readdirSync(join(dir, 'approvals')) : []);

/** A stand-in daemon: claims each request (checking what the hook wrote), then gives it `outcome`. */
function answerEvery(dir: string, outcome: string, seen: object[]): () => void {
  const at = approvalsDir(dir);
  const watcher = watch(at, () => {
    for (const name of readdirSync(at).filter((n) => n.endsWith('.request'))) {
      const id = name.slice(0, -'.request'.length);
      seen.push(JSON.parse(readFileSync(join(at, name), 'utf8')));
      renameSync(join(at, name), join(at, `${id}.asking`));
      renameSync(join(at, `${id}.asking`), join(at, `${id}.${outcome}`));
    }
  });
  return () => watcher.close();
}

const pre = suite<Ctx>('ccbot hook on PreToolUse');
pre.before.each((ctx) => {
  ctx.dir = tempDir('ccbot-hook-tripwire-');
  writeClaudeSettings(ctx.dir.path, undefined, { tripwire: { pattern: null }, timeoutMs: 600_000 });
});
pre.after.each((ctx) => ctx.dir.remove());

pre('a command not on the tripwire: nothing on stdout, nothing asked', async ({ dir }) => {
  liveDaemon(dir.path); // a daemon that would be asked, and never answers
  for (const input of [preToolUse('rm -rf build/'), preToolUse('git push origin main'), preToolUse('/etc/passwd', 'Read')]) {
    const run = await hook(dir.path, input);
    assert.ok(run.ok, JSON.stringify(run));
    assert.is(run.stdout, '');
  }
  assert.equal(approvalsLeft(dir.path), []);
});

pre('the person\'s answer, through the daemon, is the decision; nothing is left behind', async ({ dir }) => {
  liveDaemon(dir.path);
  const seen: object[] = [];
  for (const [outcome, decision, reason] of [
    ['allow', 'allow', /^ccbot's tripwire: the user allowed this command once$/],
    ['deny', 'deny', /^ccbot's tripwire: the user denied `rm -rf ~`: do not run it another way/],
    ['expired', 'deny', /no answer from the user within 10 min/],
    ['unasked', 'deny', /ccbot could not ask the user/],
  ] as const) {
    const stop = answerEvery(dir.path, outcome, seen);
    const made = decisionOf(await hook(dir.path, preToolUse('rm -rf ~')));
    stop();
    assert.is(made.permissionDecision, decision, outcome);
    assert.match(made.permissionDecisionReason, reason);
  }
  assert.equal(seen.map((r) => ({ ...r, at: 0 })), Array(4).fill({ chatId: 1001, sessionId: 'ab12', command: 'rm -rf ~', at: 0 }));
  assert.equal(approvalsLeft(dir.path), []);
});

pre('no daemon running: denied at once, saying so; nothing is asked', async ({ dir }) => {
  writeFileSync(join(dir.path, 'ccbot.lock'), JSON.stringify({ pid: 2 ** 22 + 1 })); // a dead daemon's lock
  const made = decisionOf(await hook(dir.path, preToolUse('git reset --hard')));
  assert.is(made.permissionDecision, 'deny');
  assert.match(made.permissionDecisionReason, 'ccbot is not running to ask them');
  assert.equal(approvalsLeft(dir.path), []);
});

pre('outside a ccbot window (no session to ask about): denied', async ({ dir }) => {
  liveDaemon(dir.path);
  const made = decisionOf(await hook(dir.path, preToolUse('mkfs.ext4 /dev/sdb'), { PATH: process.env.PATH, CCBOT_DIR: dir.path }));
  assert.is(made.permissionDecision, 'deny');
  assert.equal(approvalsLeft(dir.path), []);
});

pre('CCBOT_TRIPWIRE=off: nothing is asked, and new Claudes get no PreToolUse hook', async ({ dir }) => {
  liveDaemon(dir.path);
  const settings = writeClaudeSettings(dir.path, undefined, { tripwire: 'off', timeoutMs: 600_000 });
  assert.not.ok('PreToolUse' in JSON.parse(readFileSync(settings, 'utf8')).hooks);
  const run = await hook(dir.path, preToolUse('rm -rf /'));
  assert.ok(run.ok, JSON.stringify(run));
  assert.is(run.stdout, '');
  assert.equal(approvalsLeft(dir.path), []);
});

pre('a pattern of its own replaces the built-in list', async ({ dir }) => {
  liveDaemon(dir.path);
  writeClaudeSettings(dir.path, undefined, { tripwire: { pattern: 'terraform\\s+destroy' }, timeoutMs: 600_000 });
  assert.is((await hook(dir.path, preToolUse('rm -rf /'))).stdout, '');
  const stop = answerEvery(dir.path, 'deny', []);
  const made = decisionOf(await hook(dir.path, preToolUse('terraform destroy')));
  stop();
  assert.is(made.permissionDecision, 'deny');
});

pre.run();

const settings = suite<Ctx>('writeClaudeSettings with the tripwire');
settings.before.each((ctx) => {
  ctx.dir = tempDir('ccbot-hook-tripwire-');
});
settings.after.each((ctx) => ctx.dir.remove());

settings('a PreToolUse hook for Bash whose timeout outlasts the wait for the person', ({ dir }) => {
  const path = writeClaudeSettings(dir.path, 'ccbot hook', { tripwire: { pattern: null }, timeoutMs: 600_000 });
  const { PreToolUse } = JSON.parse(readFileSync(path, 'utf8')).hooks;
  assert.equal(PreToolUse.length, 1);
  assert.is(PreToolUse[0].matcher, 'Bash');
  assert.is(PreToolUse[0].hooks[0].command, 'ccbot hook');
  assert.ok(PreToolUse[0].hooks[0].timeout > 600 + 30, `${PreToolUse[0].hooks[0].timeout} s`);
});

settings.run();

/** The folder the daemon creates at start. */
function approvalsDir(dir: string): string {
  mkdirSync(join(dir, 'approvals'), { recursive: true });
  return join(dir, 'approvals');
}
