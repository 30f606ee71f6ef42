/**
 * Wall time of `ccbot hook` per run, as Claude Code sees it (spawn to exit): (a) outside tmux (TMUX_PANE unset),
 * (b) in a real pane of a temp tmux server, writing the session map each time. It runs on every prompt.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { ensureSession } from '#ccbot/tmux.js';
import { MAIN_JS } from '../test/daemon-fixture.js';
import { createTmuxFixture } from '../test/tmux-fixture.js';

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** The value should stay at or below this (at or above, when `better` is 'higher'). */
  goal: number;
  better?: 'lower' | 'higher';
}

const RUNS = 30;
const GOAL_MS = 100;
const HOOK_IN_PANE = fileURLToPath(new URL('../test/fixtures/hook-in-pane.js', import.meta.url));

const payload = (i: number) =>
  JSON.stringify({
    session_id: '2061e677-6298-4b4d-a740-c2bde142a0dc',
    transcript_path: '/home/dev/.claude/projects/-home-dev-work/2061e677-6298-4b4d-a740-c2bde142a0dc.jsonl',
    cwd: '/home/dev/work',
    prompt_id: '900dc9bd-b541-4de1-ba76-3b32255b1f70',
    permission_mode: 'bypassPermissions',
    hook_event_name: 'UserPromptSubmit',
    prompt: `prompt number ${i}: fix the failing test in src/hook.ts`,
  });

export async function benchHook(): Promise<BenchResult[]> {
  const tmux = createTmuxFixture();
  try {
    const floor = await timeRuns(['-e', ''], tmux.env);
    const outside = await timeRuns([MAIN_JS, 'hook'], { ...tmux.env, TMUX_PANE: undefined });
    const inPane = await inRealPane(tmux);
    return [
      // What no Node program can beat on this machine: the rows below are this plus ccbot's own cost.
      ...summary('node -e "" (startup floor)', floor),
      ...summary('ccbot hook, TMUX_PANE unset', outside),
      ...summary('ccbot hook, real pane, map written', inPane),
    ];
  } finally {
    await tmux.cleanup();
  }
}

async function timeRuns(args: string[], env: NodeJS.ProcessEnv): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'ignore', 'ignore'] });
    child.stdin.end(payload(i));
    await once(child, 'close');
    times.push(performance.now() - started);
  }
  return times;
}

/** One window runs the hook RUNS times in a row (test/fixtures/hook-in-pane), each run timed inside the pane. */
async function inRealPane(tmux: ReturnType<typeof createTmuxFixture>): Promise<number[]> {
  const made = await ensureSession('ccbot', { env: tmux.env });
  if (!made.ok) throw new Error(made.error);
  const out = mkdtempSync(join(tmux.dir, 'bench-'));
  const files = Array.from({ length: RUNS }, (_, i) => {
    writeFileSync(join(out, `go.${i}`), '');
    const file = join(out, `payload.${i}.json`);
    writeFileSync(file, payload(i));
    return file;
  });
  const window = await tmux.tmux([
    'new-window', '-d', '-t', '=ccbot:', '-n', 'bench: hook', '-e', `CCBOT_DIR=${join(tmux.dir, 'state')}`, '-e', 'TMUX_SESSION_NAME=ccbot',
    '--', process.execPath, HOOK_IN_PANE, MAIN_JS, out, '0', ...files,
  ]); // prettier-ignore
  if (!window.ok) throw new Error(`new-window failed: ${window.stderr}`);
  const last = join(out, `result.${RUNS - 1}.json`);
  for (const deadline = Date.now() + 60_000; !existsSync(last); await delay(50)) {
    if (Date.now() > deadline) throw new Error('the hook runs in the bench pane did not finish within 60 s');
  }
  const map = JSON.parse(readFileSync(join(tmux.dir, 'state', 'session_map.json'), 'utf8')) as Record<string, unknown>;
  if (Object.keys(map).length !== 1) throw new Error(`expected one map entry, found ${JSON.stringify(map)}`);
  return files.map((_, i) => {
    const run = JSON.parse(readFileSync(join(out, `result.${i}.json`), 'utf8')) as { code: number; stdout: string; ms: number };
    if (run.code !== 0 || run.stdout !== '') throw new Error(`hook run ${i} exited ${run.code} with stdout ${JSON.stringify(run.stdout)}`);
    return run.ms;
  });
}

function summary(name: string, times: number[]): BenchResult[] {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return [
    { name: `${name}, p50 of ${times.length}`, value: round(at(0.5)), unit: 'ms', goal: GOAL_MS },
    { name: `${name}, p95 of ${times.length}`, value: round(at(0.95)), unit: 'ms', goal: GOAL_MS },
  ];
}
