/**
 * Wall time of `ccbot hook` per run, as Claude Code sees it (spawn to exit), each run next to a `node -e ""` run
 * just before it (the floor no Node program beats here), so the ratios mean the same on any machine: (a) outside tmux
 * (TMUX_PANE unset), (b) in a real pane of a temp tmux server writing a UserPromptSubmit entry each time, (c) the
 * same pane's SessionStart repeated, where the entry does not change. It runs on every prompt.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { recordWindow } from '#ccbot/session-map.cjs';
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
/** Goals as a ratio to the floor: where there is nothing to do, and where the map is written. */
const IDLE_RATIO = 1.1;
const WRITE_RATIO = 1.15;
const HOOK_IN_PANE = fileURLToPath(new URL('../test/fixtures/hook-in-pane.js', import.meta.url));

const payload = (i: number, event = 'UserPromptSubmit') =>
  JSON.stringify({
    session_id: '2061e677-6298-4b4d-a740-c2bde142a0dc',
    transcript_path: '/home/dev/.claude/projects/-home-dev-work/2061e677-6298-4b4d-a740-c2bde142a0dc.jsonl',
    cwd: '/home/dev/work',
    prompt_id: '900dc9bd-b541-4de1-ba76-3b32255b1f70',
    permission_mode: 'bypassPermissions',
    hook_event_name: event,
    prompt: `prompt number ${i}: fix the failing test in src/hook.ts`,
  });

export async function benchHook(): Promise<BenchResult[]> {
  const tmux = createTmuxFixture();
  try {
    const outside = await timeRuns([MAIN_JS, 'hook'], { ...tmux.env, TMUX_PANE: undefined });
    const made = await ensureSession('ccbot', { env: tmux.env });
    if (!made.ok) throw new Error(made.error);
    return [
      ...summary('ccbot hook, TMUX_PANE unset', outside, IDLE_RATIO),
      ...summary('ccbot hook, real pane, map written', await inRealPane(tmux, 'write'), WRITE_RATIO),
      ...summary('ccbot hook, real pane, entry unchanged', await inRealPane(tmux, 'same'), IDLE_RATIO),
    ];
  } finally {
    await tmux.cleanup();
  }
}

interface Timed { floor: number[]; hook: number[] }

/** RUNS pairs, interleaved: `node -e ""`, then the hook, so both see the same load on a shared machine. */
async function timeRuns(args: string[], env: NodeJS.ProcessEnv): Promise<Timed> {
  const timed: Timed = { floor: [], hook: [] };
  for (let i = 0; i < RUNS; i++) {
    for (const [list, argv] of [[timed.floor, ['-e', '']], [timed.hook, args]] as const) {
      const started = performance.now();
      const child = spawn(process.execPath, argv, { env, stdio: ['pipe', 'ignore', 'ignore'] });
      child.stdin.end(payload(i));
      await once(child, 'close');
      list.push(performance.now() - started);
    }
  }
  return timed;
}

/** One window runs the hook RUNS times in a row (test/fixtures/hook-in-pane), each run timed inside the pane. */
async function inRealPane(tmux: ReturnType<typeof createTmuxFixture>, kind: 'write' | 'same'): Promise<Timed> {
  const out = mkdtempSync(join(tmux.dir, 'bench-'));
  const files = Array.from({ length: RUNS }, (_, i) => {
    writeFileSync(join(out, `go.${i}`), '');
    const file = join(out, `payload.${i}.json`);
    writeFileSync(file, kind === 'write' ? payload(i) : payload(0, 'SessionStart'));
    return file;
  });
  // A window as the daemon opens one: its ccbot session id in the environment, its place in the window index,
  // written before the first run starts.
  const dir = join(tmux.dir, kind);
  const window = await tmux.tmux([
    'new-window', '-d', '-P', '-F', '#{window_id}', '-t', '=ccbot:', '-n', `bench: ${kind}`, '-e', `CCBOT_DIR=${dir}`, '-e', 'TMUX_SESSION_NAME=ccbot',
    '-e', `CCBOT_SESSION_ID=${kind}`, '-e', 'HOOK_IN_PANE_FLOOR=1', '--', process.execPath, HOOK_IN_PANE, MAIN_JS, out, String(Date.now() + 1_000), ...files,
  ]); // prettier-ignore
  if (!window.ok) throw new Error(`new-window failed: ${window.stderr}`);
  recordWindow(dir, kind, { sessionName: 'ccbot', windowId: window.stdout.trim(), windowName: `bench: ${kind}` });
  const last = join(out, `result.${RUNS - 1}.json`);
  for (const deadline = Date.now() + 60_000; !existsSync(last); await delay(50)) {
    if (Date.now() > deadline) throw new Error('the hook runs in the bench pane did not finish within 60 s');
  }
  const map = JSON.parse(readFileSync(join(dir, 'session_map.json'), 'utf8')) as Record<string, unknown>;
  if (Object.keys(map).length !== 1) throw new Error(`expected one map entry, found ${JSON.stringify(map)}`);
  const timed: Timed = { floor: [], hook: [] };
  for (const i of files.keys()) {
    const run = JSON.parse(readFileSync(join(out, `result.${i}.json`), 'utf8')) as { code: number; stdout: string; ms: number; floorMs: number };
    if (run.code !== 0 || run.stdout !== '') throw new Error(`hook run ${i} exited ${run.code} with stdout ${JSON.stringify(run.stdout)}`);
    timed.floor.push(run.floorMs);
    timed.hook.push(run.ms);
  }
  return timed;
}

/** The hook's p50 and p95 (goals: the floor's of the same run times `ratio`) and the p50 ratio, floor named. */
function summary(name: string, { floor, hook }: Timed, ratio: number): BenchResult[] {
  const at = (times: number[], q: number) => {
    const sorted = [...times].sort((a, b) => a - b);
    return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
  };
  const round = (value: number, to = 10) => Math.round(value * to) / to;
  const base = at(floor, 0.5);
  const goal = round(base * ratio);
  return [
    { name: `${name}, p50 of ${hook.length}`, value: round(at(hook, 0.5)), unit: 'ms', goal },
    { name: `${name}, p95 of ${hook.length}`, value: round(at(hook, 0.95)), unit: 'ms', goal: round(at(floor, 0.95) * ratio) },
    { name: `${name}, p50 / node -e "" p50 (${round(base)} ms)`, value: round(at(hook, 0.5) / base, 1000), unit: '×', goal: ratio },
  ];
}
