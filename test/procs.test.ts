import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execRun, type Run, type RunResult } from '#ccbot/exec.js';
import { setSink } from '#ccbot/log.cjs';
import { findClaudeProcesses, killOrphanClaudeProcesses, runningClaudeIds } from '#ccbot/procs.js';

type ProcsDeps = NonNullable<Parameters<typeof killOrphanClaudeProcesses>[1]>;
type RunOptions = Parameters<Run>[2];

const ZOMBIE_PARENT = fileURLToPath(new URL('./fixtures/zombie-parent.js', import.meta.url));

// The stand-in for Claude: says it is ready (so a SIGTERM trap is in place before we signal) and sleeps.
const SLEEPER_SOURCE = `if (process.argv.includes('--ignore-sigterm')) process.on('SIGTERM', () => {});
setInterval(() => {}, 60000);
process.stdout.write('ready\\n');
`;

interface Ctx {
  dir: string;
  claude: string; // executable named `claude`: `#!<node>` + the sleeper
  sleeper: string; // the same code as sleeper.js, for decoys run as `node sleeper.js …`
  children: ChildProcess[];
  pids: number[]; // grandchildren we cannot hold a ChildProcess for
  lines: string[];
  restoreSink: (line: string) => void;
}

function withProcesses(name: string) {
  const s = suite<Ctx>(name);
  s.before.each((ctx) => {
    ctx.dir = mkdtempSync(join(tmpdir(), 'ccbot-procs-'));
    ctx.claude = join(ctx.dir, 'claude');
    ctx.sleeper = join(ctx.dir, 'sleeper.js');
    writeFileSync(ctx.claude, `#!${process.execPath}\n${SLEEPER_SOURCE}`);
    chmodSync(ctx.claude, 0o755);
    writeFileSync(ctx.sleeper, SLEEPER_SOURCE);
    ctx.children = [];
    ctx.pids = [];
    ctx.lines = [];
    ctx.restoreSink = setSink((line) => ctx.lines.push(line));
  });
  s.after.each(async (ctx) => {
    setSink(ctx.restoreSink);
    for (const pid of ctx.pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    for (const child of ctx.children) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = once(child, 'exit');
        child.kill('SIGKILL');
        await exited;
      }
    }
    rmSync(ctx.dir, { recursive: true, force: true });
  });
  return s;
}

/** Starts a real process and resolves once its first stdout line is out. */
async function start(ctx: Ctx, file: string, args: string[], options: { argv0?: string; env?: NodeJS.ProcessEnv } = {}) {
  const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'inherit'], ...options });
  ctx.children.push(child);
  let out = '';
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code, sig) => reject(new Error(`${file} exited early (${code ?? sig}): ${out}`)));
  });
  return { child, line };
}

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

/** How a child ended, or 'alive' if it has not within `ms`. */
async function endOf(child: ChildProcess, ms = 5_000): Promise<string> {
  if (!running(child)) return child.signalCode ?? `exit ${child.exitCode}`;
  const timer = new Promise<'alive'>((resolve) => setTimeout(resolve, ms, 'alive'));
  const ended = once(child, 'exit').then(([code, sig]) => (sig as string | null) ?? `exit ${code}`);
  return Promise.race([ended, timer]);
}

const warnings = (ctx: Ctx) => ctx.lines.filter((l) => l.startsWith('warn:'));
const answer = (result: RunResult): Run => async () => result;
const failed = (code: number | string | null, extra: Partial<RunResult> = {}): RunResult =>
  ({ ok: false, kind: 'exit', error: `pgrep exited with ${code}: ${extra.stderr ?? ''}`, code, stdout: '', stderr: '', ...extra }) as RunResult;
const errno = (code: string) => Object.assign(new Error(code), { code });

/** A run that records every call and passes it to the real execRun, so pgrep's own answer can be checked. */
function recordingRun() {
  const calls: { file: string; args: readonly string[]; options?: RunOptions; result: RunResult }[] = [];
  const run: Run = async (file, args, options) => {
    const result = await execRun(file, args, options);
    calls.push({ file, args, options, result });
    return result;
  };
  return { run, calls };
}

const A = () => randomUUID();

// ---------------------------------------------------------------------------------------------------------------

const kill = withProcesses('killOrphanClaudeProcesses');

kill('kills every claude resuming the id (both flag forms, -r, a trapped SIGTERM) and spares the rest', async (ctx) => {
  const idA = A();
  const idB = A();
  const spaced = await start(ctx, ctx.claude, ['--resume', idA]);
  const equals = await start(ctx, ctx.claude, [`--resume=${idA}`]);
  const short = await start(ctx, ctx.claude, ['-r', idA]);
  const trapping = await start(ctx, ctx.claude, ['--ignore-sigterm', '--resume', idA]);
  // argv[0] `claude` as a native binary shows it (spawn's argv0 sets it here).
  const native = await start(ctx, process.execPath, [ctx.sleeper, '--resume', idA], { argv0: 'claude' });
  const otherSession = await start(ctx, ctx.claude, ['--resume', idB]);
  // pgrep -f matches "notes-claude --resume <id>"; /proc shows the program is sleeper.js, not Claude.
  const decoy = await start(ctx, process.execPath, [ctx.sleeper, 'notes-claude', '--resume', idA]);
  const { run, calls } = recordingRun();

  const count = await killOrphanClaudeProcesses(idA, { run, graceMs: 1_000 });

  assert.is(count, 5);
  assert.is(await endOf(spaced.child), 'SIGTERM');
  assert.is(await endOf(equals.child), 'SIGTERM');
  assert.is(await endOf(short.child), 'SIGTERM');
  assert.is(await endOf(native.child), 'SIGTERM');
  assert.is(await endOf(trapping.child), 'SIGKILL');
  assert.ok(running(otherSession.child), 'the claude resuming another session survives');
  assert.ok(running(decoy.child), 'the decoy survives');
  process.kill(decoy.child.pid!, 0); // and really exists
  const listed = calls[0]!.result.ok ? calls[0]!.result.stdout.split('\n').map(Number) : [];
  assert.ok(listed.includes(decoy.child.pid!), 'pgrep matched the decoy, so the /proc check is what spared it');
  assert.not.ok(listed.includes(process.pid), 'pgrep did not match the test runner');
  assert.equal(warnings(ctx), []);
});

kill('runs pgrep -f with an argument array, a 5 s timeout and a pattern that fits claude but not this runner', async () => {
  const id = A();
  const calls: { file: string; args: readonly string[]; options?: RunOptions }[] = [];
  const run: Run = async (file, args, options) => (calls.push({ file, args, options }), failed(1));
  assert.is(await killOrphanClaudeProcesses(id, { run }), 0);
  assert.is(calls.length, 1);
  assert.is(calls[0]!.file, 'pgrep');
  assert.is(calls[0]!.args[0], '-f');
  assert.is(calls[0]!.options?.timeoutMs, 5_000);
  const pattern = new RegExp(calls[0]!.args[1]!); // pgrep's ERE and a JS RegExp agree on this small pattern
  assert.ok(pattern.test(`claude --resume ${id}`));
  assert.ok(pattern.test(`node /usr/lib/node_modules/@anthropic-ai/claude-code/cli.js --resume=${id}`));
  assert.ok(pattern.test(`claude --dangerously-skip-permissions -r ${id}`));
  assert.not.ok(pattern.test(`claude --resume ${A()}`));
  assert.not.ok(pattern.test(readFileSync('/proc/self/cmdline', 'utf8').split('\0').join(' ')));
});

kill('never runs pgrep for an id that is not a lowercase UUID', async () => {
  const calls: unknown[] = [];
  const run: Run = async (...args) => (calls.push(args), failed(1));
  for (const id of ['x; rm -rf /', '.*', A().toUpperCase(), '', `${A()} `, `${A()}\n`, 'claude']) {
    assert.is(await killOrphanClaudeProcesses(id, { run }), 0, JSON.stringify(id));
  }
  assert.is(await killOrphanClaudeProcesses(undefined as unknown as string, { run }), 0);
  assert.is(calls.length, 0);
});

kill('never signals its own process or its parent', async () => {
  const signals: number[] = [];
  const count = await killOrphanClaudeProcesses(A(), {
    run: answer({ ok: true, stdout: `${process.pid}\n${process.ppid}\n`, stderr: '' }),
    readCmdline: () => null, // even with every match trusted
    kill: (pid) => void signals.push(pid),
    isAlive: () => false,
  });
  assert.is(count, 0);
  assert.equal(signals, []);
});

kill('a missing pgrep is one warning and 0', async (ctx) => {
  const run: Run = (file, args, options) => execRun(file, args, { ...options, env: { PATH: ctx.dir } });
  assert.is(await killOrphanClaudeProcesses(A(), { run }), 0);
  assert.is(warnings(ctx).length, 1);
  assert.match(warnings(ctx)[0]!, 'pgrep is not installed');
});

kill('pgrep exit 1 (nothing matched) is 0 without a warning, for real and as an answer', async (ctx) => {
  assert.is(await killOrphanClaudeProcesses(A()), 0);
  assert.is(await killOrphanClaudeProcesses(A(), { run: answer(failed(1)) }), 0);
  assert.equal(ctx.lines, []);
});

kill('pgrep exit 2 or 3, or a timeout, is a warning and 0', async (ctx) => {
  const signals: number[] = [];
  for (const result of [failed(2, { stderr: 'pgrep: bad pattern' }), failed(3), failed(null, { kind: 'timeout', error: 'pgrep timed out' })]) {
    const count = await killOrphanClaudeProcesses(A(), { run: answer(result), kill: (pid) => void signals.push(pid) });
    assert.is(count, 0);
  }
  assert.is(warnings(ctx).length, 3);
  assert.match(warnings(ctx)[0]!, 'bad pattern');
  assert.match(warnings(ctx)[2]!, 'timed out');
  assert.equal(signals, []);
});

kill('EPERM from kill is a warning and not counted; ESRCH is neither', async (ctx) => {
  const id = A();
  const common: ProcsDeps = {
    run: answer({ ok: true, stdout: '424242\n', stderr: '' }),
    readCmdline: () => ['claude', '--resume', id],
    isAlive: () => false,
  };
  const denied = await killOrphanClaudeProcesses(id, { ...common, kill: () => { throw errno('EPERM'); } });
  assert.is(denied, 0);
  assert.is(warnings(ctx).length, 1);
  assert.match(warnings(ctx)[0]!, 'pid=424242');
  const gone = await killOrphanClaudeProcesses(id, { ...common, kill: () => { throw errno('ESRCH'); } });
  assert.is(gone, 0);
  assert.is(warnings(ctx).length, 1);
});

kill('trusts the pgrep match when /proc cannot be read, and skips a process whose entry is gone', async () => {
  const id = A();
  const sent: number[] = [];
  const deps = (readCmdline: ProcsDeps['readCmdline']): ProcsDeps => ({
    run: answer({ ok: true, stdout: '424242\n', stderr: '' }),
    readCmdline,
    kill: (pid) => void sent.push(pid),
    isAlive: () => false,
  });
  assert.is(await killOrphanClaudeProcesses(id, deps(() => null)), 1);
  assert.equal(sent, [424242]);
  assert.is(await killOrphanClaudeProcesses(id, deps(() => [])), 0);
  assert.equal(sent, [424242]);
});

kill('polls until the processes are gone and sends SIGKILL only to survivors of the grace period', async () => {
  const id = A();
  const sent: string[] = [];
  const slept: number[] = [];
  const stubborn = new Set([2]);
  const count = await killOrphanClaudeProcesses(id, {
    run: answer({ ok: true, stdout: '1\n2\n3\n', stderr: '' }),
    readCmdline: () => ['claude', '--resume', id],
    kill: (pid, sig) => void sent.push(`${pid} ${sig}`),
    isAlive: (pid) => stubborn.has(pid) || slept.length < 2, // 1 and 3 exit after two polls, 2 never
    sleep: async (ms) => void slept.push(ms),
    graceMs: 120,
  });
  assert.is(count, 3);
  assert.equal(sent, ['1 SIGTERM', '2 SIGTERM', '3 SIGTERM', '2 SIGKILL']);
  assert.equal(slept, [50, 50, 20]); // the whole grace, in polls, and not a millisecond more

  slept.length = 0;
  sent.length = 0;
  stubborn.clear();
  await killOrphanClaudeProcesses(id, {
    run: answer({ ok: true, stdout: '1\n', stderr: '' }),
    readCmdline: () => ['claude', '--resume', id],
    kill: (pid, sig) => void sent.push(`${pid} ${sig}`),
    isAlive: () => slept.length < 1,
    sleep: async (ms) => void slept.push(ms),
    graceMs: 1_500,
  });
  assert.equal(sent, ['1 SIGTERM'], 'no SIGKILL for a process that exited within the grace');
  assert.is(slept.length, 1, 'stops polling once it is gone');
});

kill('never SIGKILLs a pid that was reused by another program during the grace period', async () => {
  const id = A();
  const sent: string[] = [];
  let reads = 0;
  await killOrphanClaudeProcesses(id, {
    run: answer({ ok: true, stdout: '7\n', stderr: '' }),
    // Claude when found; by the time of the SIGKILL the pid is a new process (an editor of the person's).
    readCmdline: () => (++reads === 1 ? ['claude', '--resume', id] : ['vim', 'notes.txt']),
    kill: (pid, sig) => void sent.push(`${pid} ${sig}`),
    isAlive: () => true,
    sleep: async () => {},
    graceMs: 100,
  });
  assert.equal(sent, ['7 SIGTERM']);
  assert.ok(reads >= 2, 'the command line was read again before the SIGKILL');
});

kill('treats an exited but unreaped (zombie) claude as gone', async (ctx) => {
  const id = A();
  const parent = await start(ctx, process.execPath, [ZOMBIE_PARENT], {
    env: { ...process.env, ZOMBIE_CHILD_ARGV: JSON.stringify([ctx.claude, '--resume', id]) },
  });
  const childPid = Number(parent.line.split(' ')[1]);
  ctx.pids.push(childPid);
  let slept = 0;
  const sleep = (ms: number) => ((slept += ms), new Promise((resolve) => setTimeout(resolve, ms)));

  const count = await killOrphanClaudeProcesses(id, { graceMs: 5_000, sleep });

  assert.is(count, 1);
  const state = readFileSync(`/proc/${childPid}/stat`, 'utf8').split(') ')[1]![0];
  assert.is(state, 'Z', 'the child is a zombie: dead, but kill(pid, 0) still succeeds');
  assert.ok(slept < 2_000, `stopped polling once the child was a zombie (slept ${slept} ms)`);
  assert.ok(running(parent.child), 'the parent, whose command line names no session, is untouched');
});

kill.run();

// ---------------------------------------------------------------------------------------------------------------

const find = withProcesses('findClaudeProcesses');

find('lists the claude processes resuming the id, confirmed by /proc, and signals none of them', async (ctx) => {
  const id = A();
  const spaced = await start(ctx, ctx.claude, ['--resume', id]);
  const short = await start(ctx, ctx.claude, ['-r', id]);
  const other = await start(ctx, ctx.claude, ['--resume', A()]);
  const decoy = await start(ctx, process.execPath, [ctx.sleeper, 'notes-claude', '--resume', id]);

  const pids = await findClaudeProcesses(id);

  assert.equal([...pids].sort(), [spaced.child.pid!, short.child.pid!].sort());
  for (const child of [spaced.child, short.child, other.child, decoy.child]) assert.ok(running(child), 'looking kills nothing');
  assert.equal(warnings(ctx), []);
});

find('nothing running, a bad id, or a failing pgrep is [] (the last with a warning)', async (ctx) => {
  const calls: unknown[] = [];
  const run: Run = async (...args) => (calls.push(args), failed(1));
  assert.equal(await findClaudeProcesses(A()), []);
  assert.equal(await findClaudeProcesses('.*', { run }), []);
  assert.is(calls.length, 0, 'no pgrep for an id that is not a UUID');
  assert.equal(ctx.lines, []);
  assert.equal(await findClaudeProcesses(A(), { run: answer(failed(2, { stderr: 'pgrep: bad pattern' })) }), []);
  assert.is(warnings(ctx).length, 1);
});

find('never lists its own process or its parent', async () => {
  const pids = await findClaudeProcesses(A(), {
    run: answer({ ok: true, stdout: `${process.pid}\n${process.ppid}\n77\n`, stderr: '' }),
    readCmdline: () => null,
  });
  assert.equal(pids, [77]);
});

find.run();

// ---------------------------------------------------------------------------------------------------------------

const argv = suite('findClaudeProcesses: which command lines are Claude resuming the id');
const ID = '0d11532e-25c1-4578-a3a1-daf7d32919f7';
/** Whether findClaudeProcesses confirms a pgrep match whose /proc command line is `cmdline`. */
const resumes = async (cmdline: string[], id: string) =>
  (await findClaudeProcesses(id, { run: answer({ ok: true, stdout: '4242\n', stderr: '' }), readCmdline: () => cmdline })).length === 1;

argv('accepts claude resuming the id in each form Claude Code takes', async () => {
  assert.ok(await resumes(['claude', '--resume', ID], ID));
  assert.ok(await resumes(['claude', '--dangerously-skip-permissions', `--resume=${ID}`], ID));
  assert.ok(await resumes(['claude', '-r', ID], ID));
  assert.ok(await resumes(['/home/me/.local/bin/claude', '--resume', ID], ID));
  assert.ok(await resumes(['node', '/usr/local/bin/claude', '--resume', ID], ID));
  assert.ok(await resumes(['node', '/usr/lib/node_modules/@anthropic-ai/claude-code/cli.js', '--resume', ID], ID));
  assert.ok(await resumes(['/opt/npm/@anthropic-ai/claude-code/bin/claude.exe', '--resume', ID], ID));
});

argv('rejects other programs that mention claude, and claude resuming something else', async () => {
  assert.not.ok(await resumes(['vim', `notes-claude--resume-${ID}.txt`], ID));
  assert.not.ok(await resumes(['node', 'sleeper.js', 'notes-claude', '--resume', ID], ID));
  assert.not.ok(await resumes(['grep', 'claude', '--resume', ID], ID));
  assert.not.ok(await resumes(['pgrep', '-f', `claude.*(--resume[= ]|-r )${ID}`], ID));
  assert.not.ok(await resumes(['sh', '-c', `claude --resume ${ID}`], ID));
  assert.not.ok(await resumes(['claude', '--resume', `${ID}0`], ID));
  assert.not.ok(await resumes(['claude', '--resume'], ID));
  assert.not.ok(await resumes(['claude', `--resume=${ID}`.toUpperCase()], ID));
  assert.not.ok(await resumes(['node', 'app.js', '--resume', ID, '/usr/local/bin/claude'], ID));
  assert.not.ok(await resumes([], ID));
});

argv.run();

const ids = suite('runningClaudeIds: the conversations live Claude processes run');
const OTHER = '5e0b3f1a-9c2d-4e8f-b7a6-1d2c3b4a5f60';

ids('the ids of --resume, -r and --session-id, in both forms, of Claude only; nothing when pgrep fails', async () => {
  const argvs: Record<number, string[]> = {
    10: ['claude', '--session-id', ID],
    11: ['node', '/usr/local/bin/claude', `--resume=${OTHER}`],
    12: ['vim', '--resume', '6a6a6a6a-6a6a-4a6a-8a6a-6a6a6a6a6a6a'],
    13: ['grep', 'claude', '-r', '7b7b7b7b-7b7b-4b7b-8b7b-7b7b7b7b7b7b'],
    14: ['claude', '--resume', 'not-a-uuid'],
  };
  const patterns: string[] = [];
  const run: Run = async (_file, args) => (patterns.push(args[1]!), { ok: true, stdout: '10\n11\n12\n13\n14\n', stderr: '' });
  const found = await runningClaudeIds({ run, readCmdline: (pid) => argvs[pid] ?? null });
  assert.equal([...found].sort(), [ID, OTHER].sort());
  assert.match(patterns[0]!, /--session-id/);
  assert.equal([...await runningClaudeIds({ run: answer(failed(2)), readCmdline: () => ['claude', '-r', ID] })], []);
});

ids.run();
