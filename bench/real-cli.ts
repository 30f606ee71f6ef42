/**
 * Answer latency with the real Claude Code CLI (the e2e world: the daemon, a fake Bot API, isolated tmux, `claude`
 * talking to the fake Anthropic API): from the moment the API finished streaming a turn's last reply to the Bot API
 * call that shows the answer, over 30 turns: plain answers, a Bash call (a tool line on the card first), and every
 * fifth turn six Bash calls (a burst of tool lines: the card is edited at most about once a second).
 * Skipped, saying so, when the CLI is not installed (`bash .ci/run` installs it, or set CCBOT_CLAUDE_CLI).
 *
 * Where the tail came from (issue 18; BENCH_VERBOSE=1 prints, per turn, API end → the answer's line in the transcript
 * → its Bot API call, and the chat's calls in the 2.5 s before it). The CLI writes the answer's line 25–300 ms after
 * the stream ends; fs.watch wakes the monitor at once, and parse → output → HTTP took 5–40 ms. The seconds were all
 * pacing: every request of a chat shared one queue at one a second, so an answer right after the card (its
 * sendMessage, then taking the buttons off the message before, or an edit with a tool line) waited one slot or two:
 * here p50 1822 / p95 3102 / max 3103 ms. New messages now go first: they overtake the chat's waiting edits, within a
 * burst of three Telegram allows (pacer.ts), and a card edit waiting for its slot shows the newest card when it goes
 * (card.ts): p50 98 / p95 278 / max 340 ms. What is left is mostly the CLI's own write, and a monitor pass under way
 * (a pane capture) when the line lands.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { randomUUID } from 'node:crypto';
import type { ApiCall } from '../test/fake-telegram.js';
import { findClaudeCli, ME, startE2EWorld, type E2EWorld } from '../test/e2e/claude-world.js';
import type { BenchResult } from './hook.js';

const TURNS = 30;
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))]!;

/** When each chunk of the session's transcript appeared (polled every 5 ms), to tell the CLI's delay from ours. */
function watchTranscript(dir: string): { chunks: { at: number; text: string }[]; stop(): void } {
  const chunks: { at: number; text: string }[] = [];
  let size = 0;
  const timer = setInterval(() => {
    const file = existsSync(dir) ? readdirSync(dir).find((f) => f.endsWith('.jsonl')) : undefined;
    const now = file ? statSync(join(dir, file)).size : 0;
    if (!file || now <= size) return;
    chunks.push({ at: Date.now(), text: readFileSync(join(dir, file)).subarray(size).toString() });
    size = now;
  }, 5);
  return { chunks, stop: () => clearInterval(timer) };
}

interface Sample { ms: number; transcriptMs: number; before: string }

async function turn(world: E2EWorld, i: number, chunks: { at: number; text: string }[]): Promise<Sample> {
  const marker = `bench${i}x${randomUUID().slice(0, 6)}`;
  const [prompt, answer] = i % 5 === 4 ? ['tools: 6', /^ran 6 commands/]
    : i % 3 === 1 ? [`bash: echo ${marker}`, new RegExp(`^ran: ${marker}`)] : [`echo: ${marker}`, new RegExp(`^${marker}`)];
  const from = world.fake.calls.length;
  world.say(prompt);
  const isAnswer = (c: ApiCall) => c.method === 'sendMessage' && answer.test(String(c.params.text));
  const call = await world.fake.waitFor((f) => f.calls.slice(from).find(isAnswer), 60_000, String(answer));
  const calls = world.fake.calls.slice(from).filter((c) => String(c.params.chat_id) === String(ME.id));
  const last = world.api.requests.filter((r) => r.prompt === prompt && r.endedAt !== undefined).at(-1)!;
  const written = chunks.find((c) => c.text.includes(String(call.params.text)))?.at ?? NaN;
  const before = calls.filter((c) => c.at < call.at && c.at >= call.at - 2_500)
    .map((c: ApiCall) => `${c.method}@${c.at - last.endedAt!}`).join(' ');
  return { ms: call.at - last.endedAt!, transcriptMs: written - last.endedAt!, before };
}

/** The most card edits of one message within any second. */
function editBurst(calls: readonly ApiCall[]): number {
  const edits = calls.filter((c) => c.method === 'editMessageText');
  let most = 0;
  for (const edit of edits) {
    const same = edits.filter((e) => e.params.message_id === edit.params.message_id && e.at >= edit.at && e.at < edit.at + 1000);
    most = Math.max(most, same.length);
  }
  return most;
}

export async function benchRealCli(): Promise<BenchResult[]> {
  const cli = findClaudeCli();
  if (!cli) {
    console.log('real CLI latency: SKIPPED — Claude Code is not installed (`bash .ci/run`, or set CCBOT_CLAUDE_CLI)');
    return [];
  }
  const world = await startE2EWorld(cli);
  try {
    world.say(`/new ${world.workdir('alpha')}`);
    await world.botSays(/started/);
    const dir = join(world.root, '.claude', 'projects', world.workdir('alpha').replace(/[^A-Za-z0-9]/g, '-'));
    const transcript = watchTranscript(dir);
    const from = world.fake.calls.length;
    const samples: Sample[] = [];
    for (let i = 0; i < TURNS; i++) {
      samples.push(await turn(world, i, transcript.chunks));
      await sleep(300 + (i % 4) * 400); // a person reads, then types the next prompt
    }
    transcript.stop();
    const ms = samples.map((s) => s.ms);
    if (process.env.BENCH_VERBOSE) {
      for (const s of samples) console.log(`answer +${s.ms} ms (in the transcript +${s.transcriptMs} ms), calls: ${s.before}`);
    }
    return [
      { name: `API finished → Bot API, real CLI, p50 (${TURNS} turns)`, value: percentile(ms, 50), unit: 'ms', goal: 100 },
      { name: `API finished → Bot API, real CLI, p95 (${TURNS} turns)`, value: percentile(ms, 95), unit: 'ms', goal: 300 },
      { name: `API finished → Bot API, real CLI, max (${TURNS} turns)`, value: Math.max(...ms), unit: 'ms', goal: 1000 },
      { name: 'card edits of one card within 1 s, most', value: editBurst(world.fake.calls.slice(from)), unit: '', goal: 2 },
    ];
  } finally {
    await world.close();
  }
}
