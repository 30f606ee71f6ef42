/**
 * The running daemon, measured from outside as the person would feel it (real daemon, fake Bot API, isolated tmux,
 * the stand-in claude), run with the V8 flags of `npm start` (package.json), as ccbot.service runs it. Each figure
 * stands next to a baseline measured in the same run, so the ratios mean the same on any machine:
 *  - start → first getUpdates: spawn of `node dist/main.cjs` to the fake receiving the first poll (median of 5), next to
 *    `node -e "await import('node-telegram-bot-api')"` run just before each (spawn to exit);
 *  - transcript → chat latency: a line appended to a live session's transcript (an answer that ends the turn) to the
 *    fake receiving the sendMessage with it (20 samples, 2.2 s apart: an answer costs two requests to the chat, the
 *    message and taking the switcher off the one before, and Telegram's pacing of ~1 a second is not what is measured);
 *  - RSS with 1 and with 20 live sessions, each having answered once (VmRSS, 3 s after the answer), and the slope per
 *    further session, next to a bare `node`'s VmRSS;
 *  - idle CPU: the daemon's utime+stime over 60 s with those 20 sessions idle, as % of one core.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import { startChatWorld, type ChatWorld } from '../test/chat-fixture.js';
import { startDaemon } from '../test/daemon-fixture.js';
import type { BenchResult } from './hook.js';

const SESSIONS = 20;
const CLOCK_TICKS = 100; // USER_HZ on Linux
/** Start-up may cost this many times loading the Bot API library alone (node's own start-up in both): the 500 ms goal
 * over the ~130 ms that import took here (spawn to exit). */
const START_RATIO = 4;
const LIBRARY = import.meta.resolve('node-telegram-bot-api');

const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;
const round = (n: number) => Math.round(n * 10) / 10;

function procStat(pid: number): { rssMb: number; cpuTicks: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { rssMb: rssKb / 1024, cpuTicks: Number(fields[11]) + Number(fields[12]) }; // utime, stime
}

/** Medians of 5: the daemon's spawn to its first poll, and just before each, `import('node-telegram-bot-api')`'s
 * spawn to exit. The last daemon started stays for the rest of the bench. */
async function startToFirstPoll(world: ChatWorld): Promise<{ daemon: number; library: number }> {
  const daemon: number[] = [];
  const library: number[] = [];
  for (let i = 0; i < 5; i++) {
    world.daemon.child.kill('SIGTERM');
    await world.daemon.exited;
    let started = Date.now();
    execFileSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(LIBRARY)})`]);
    library.push(Date.now() - started);
    const before = world.fake.callsTo('getUpdates').length;
    started = Date.now();
    world.daemon = startDaemon(world.env, world.root);
    const call = await world.fake.waitFor((f) => f.callsTo('getUpdates')[before], 10_000, 'first poll');
    daemon.push(call.at - started);
  }
  return { daemon: percentile(daemon, 50), library: percentile(library, 50) };
}

/** VmRSS of a bare `node`, the floor under every Node program here. */
function bareNodeRssMb(): number {
  const status = execFileSync(process.execPath, ['-e', "process.stdout.write(require('fs').readFileSync('/proc/self/status', 'utf8'))"], { encoding: 'utf8' });
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** An assistant entry in Claude Code 2.1.328's shape that ends a turn: the monitor sends its text as the answer. */
function answerLine(text: string): string {
  return JSON.stringify({
    parentUuid: null, isSidechain: false, type: 'assistant', uuid: randomUUID(), timestamp: new Date().toISOString(),
    message: { id: `msg_${randomUUID()}`, type: 'message', role: 'assistant', model: 'claude-opus-5-5', content: [{ type: 'text', text }], stop_reason: 'end_turn', usage: { input_tokens: 100, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 5 } },
  }) + '\n';
}

async function latency(world: ChatWorld, transcript: string): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < 20; i++) {
    await sleep(2_200);
    const marker = `bench answer ${i} ${randomUUID().slice(0, 8)}`;
    const before = world.fake.callsTo('sendMessage').length;
    const at = Date.now();
    appendFileSync(transcript, answerLine(marker));
    const call = await world.fake.waitFor((f) => f.callsTo('sendMessage').slice(before).find((c) => String(c.params.text).includes(marker)), 10_000, 'the answer');
    samples.push(call.at - at);
  }
  return samples;
}

export async function benchDaemon(): Promise<BenchResult[]> {
  const world = await startChatWorld({ startupMs: 50 });
  try {
    const start = await startToFirstPoll(world);
    const bare = bareNodeRssMb();
    let oneSession = 0;
    for (let i = 0; i < SESSIONS; i++) {
      world.say(`/new ${world.workdir(`s${i}`)}`);
      await world.botSays(/started/, 20_000);
      world.say(`hello ${i}`);
      await world.botSays(`echo: hello ${i}`, 20_000);
      if (i === 0) oneSession = (await sleep(3_000), procStat(world.daemon.child.pid!).rssMb);
    }
    const map = JSON.parse(readFileSync(join(world.root, 'state', 'session_map.json'), 'utf8')) as Record<string, { transcript_path: string; cwd: string }>;
    const last = Object.values(map).find((e) => e.cwd.endsWith(`/s${SESSIONS - 1}`))!;
    const pid = world.daemon.child.pid!;
    await sleep(3_000);
    const allSessions = procStat(pid).rssMb;
    const samples = await latency(world, last.transcript_path);
    await sleep(3_000); // settle
    const before = procStat(pid);
    await sleep(60_000);
    const after = procStat(pid);
    const cpuPercent = ((after.cpuTicks - before.cpuTicks) / CLOCK_TICKS / 60) * 100;
    return [
      { name: 'start → first getUpdates', value: start.daemon, unit: 'ms', goal: 500 },
      { name: `start / import('node-telegram-bot-api') (${start.library} ms)`, value: Math.round((start.daemon / start.library) * 100) / 100, unit: '×', goal: START_RATIO },
      { name: 'transcript line → Bot API, p50', value: percentile(samples, 50), unit: 'ms', goal: 150 },
      { name: 'transcript line → Bot API, p95', value: percentile(samples, 95), unit: 'ms', goal: 500 },
      { name: `daemon RSS, 1 live session (bare node ${round(bare)} MB)`, value: round(oneSession), unit: 'MB', goal: 60 },
      { name: `daemon RSS, ${SESSIONS} live sessions`, value: round(allSessions), unit: 'MB', goal: 60 },
      { name: `daemon RSS per further session, 1 → ${SESSIONS}`, value: Math.round(((allSessions - oneSession) / (SESSIONS - 1)) * 100) / 100, unit: 'MB', goal: 0.5 },
      { name: `daemon RSS after the idle minute, ${SESSIONS} sessions`, value: round(after.rssMb), unit: 'MB', goal: 60 },
      { name: `idle CPU over 60 s, ${SESSIONS} sessions`, value: round(cpuPercent * 10) / 10, unit: '%', goal: 1 },
    ];
  } finally {
    await world.close();
  }
}

