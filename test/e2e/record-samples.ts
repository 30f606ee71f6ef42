/**
 * `npm run record-samples`: records test/fixtures/samples/ from the real Claude Code CLI, run in an isolated tmux
 * server against the fake Anthropic API with a temp HOME: the transcripts, the pane captures the pane tests read,
 * and the hook payloads. Talks to nothing but 127.0.0.1; writes nowhere in the repo but that folder.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readPane } from '#ccbot/terminal.js';
import { capturePane, killWindow } from '#ccbot/tmux.js';
import { waitForExit } from '../tmux-fixture.js';
import { CLAUDE_VERSION, claudeEnv, findClaudeCli, readTranscriptLines, startClaudeTmux, waitFor, writeClaudeHome, type ClaudeTmux } from './claude-cli.js';
import { startFakeAnthropic, type FakeAnthropic } from './fake-anthropic.js';

type PaneState = ReturnType<typeof readPane>;

const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'test', 'fixtures', 'samples');
/** What the temp root becomes in every recorded file: the cwd then reads /home/dev/work/proj-a. */
const STABLE_ROOT = '/home/dev';
/** A capture counts once two of them this far apart are the same: Claude redraws the footer after a turn. */
const SETTLE_MS = 400;
const TURN_TIMEOUT_MS = 30_000;

/** Appends each hook payload it gets on stdin to the file named by its argument, one JSON line each. */
const HOOK_SCRIPT = `import { appendFileSync, readFileSync } from 'node:fs';
appendFileSync(process.argv[2], JSON.stringify(JSON.parse(readFileSync(0, 'utf8'))) + '\\n');
`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const slug = (path: string) => path.replace(/[^a-zA-Z0-9]/g, '-');

interface World {
  root: string;
  work: string;
  hookLog: string;
  api: FakeAnthropic;
  tmux: ClaudeTmux;
}

/** POSIX sh single quotes. */
const shellQuote = (word: string): string => `'${word.replace(/'/g, `'\\''`)}'`;

/**
 * The temp HOME as makeClaudeHome writes it, plus two settings of the recording: a hook that logs SessionStart and
 * UserPromptSubmit (the two ccbot installs), and one spinner verb, so the busy capture reads "Composing…" on every
 * recording instead of a verb drawn at random.
 */
function writeHome(root: string, work: string, hookLog: string): void {
  writeClaudeHome(root, [work]);
  const script = join(root, 'record-hook.mjs');
  writeFileSync(script, HOOK_SCRIPT);
  const command = [process.execPath, script, hookLog].map(shellQuote).join(' ');
  const settingsPath = join(root, '.claude', 'settings.json');
  const settings = JSON.parse(readFileSync(settingsPath, 'utf8')) as object;
  const hook = [{ hooks: [{ type: 'command', command, timeout: 5 }] }];
  const spinnerVerbs = { mode: 'replace', verbs: ['Composing'] };
  writeFileSync(settingsPath, JSON.stringify({ ...settings, spinnerVerbs, hooks: { SessionStart: hook, UserPromptSubmit: hook } }, null, 2));
}

/**
 * `capture-pane -p -J` as a sample: -J keeps the spaces that pad every row to the pane's width, and the rows under
 * the content are blank; both go, so a sample reads like the screen and diffs line by line.
 */
async function capture(world: World, windowId: string): Promise<string> {
  return ((await capturePane(windowId, world.tmux.opts)) ?? '').replace(/ +$/gm, '').replace(/\s+$/, '') + '\n';
}

/** The capture once `test` holds and it stays still for SETTLE_MS. */
async function settledCapture(world: World, windowId: string, test: (state: PaneState) => boolean, what: string): Promise<string> {
  await world.tmux.waitForPane(windowId, (state) => test(state), what, TURN_TIMEOUT_MS);
  let last = '';
  for (;;) {
    const raw = await capture(world, windowId);
    if (raw === last && test(readPane(raw))) return raw;
    last = raw;
    await sleep(SETTLE_MS);
  }
}

const turnEnds = (path: string) => readTranscriptLines(path).filter((line) => line.type === 'system' && line.subtype === 'turn_duration').length;

/** Types a prompt and returns once its turn is written to the transcript (a turn_duration entry) and the pane is idle. */
async function runTurn(world: World, windowId: string, transcript: () => string, prompt: string): Promise<string> {
  const before = turnEnds(transcript());
  await world.tmux.type(windowId, prompt);
  await waitFor(() => (turnEnds(transcript()) > before ? true : undefined), `the end of the turn "${prompt}"`, TURN_TIMEOUT_MS);
  return settledCapture(world, windowId, (state) => state.kind === 'idle', `idle prompt after "${prompt}"`);
}

/** Every recorded text with the temp root replaced by STABLE_ROOT, in paths and in the projects/ slug of the cwd. */
const stable = (root: string) => (text: string) => text.split(root).join(STABLE_ROOT).split(slug(root)).join(slug(STABLE_ROOT));

async function record(cli: string, world: World): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  // Claude's session id, from its first request; --resume keeps it, and the transcript file with it.
  const sessionId = () => world.api.requests.find((r) => r.sessionId)?.sessionId ?? '';
  const transcript = () => join(world.root, '.claude', 'projects', slug(world.work), `${sessionId()}.jsonl`);

  const first = await world.tmux.open('proj-a', world.work, [cli, '--dangerously-skip-permissions']);
  await world.tmux.waitForIdle(first);
  await runTurn(world, first, transcript, 'echo: hello');
  await runTurn(world, first, transcript, 'bash: echo hi');
  // Idle with tool calls in the history, taken early on purpose: for its first ~10 s Claude adds "· ← for agents"
  // to the footer, which the idle sample has always shown.
  files.set('idle-pane.txt', await runTurn(world, first, transcript, 'multi'));
  // The same screen with its colours (-e), its rows as tmux holds them: what /screenshot draws its picture from.
  files.set('idle-pane-colour.txt', (await capturePane(first, world.tmux.opts, true)) ?? '');

  // The AskUserQuestion picker, open; then Beta (one Down from Alpha) and the answered turn.
  await world.tmux.type(first, 'ask: pick one?');
  files.set('ask-pane.txt', await settledCapture(world, first, (state) => state.kind === 'picker' && state.picker.options.length === 5, 'the AskUserQuestion picker'));
  const asked = turnEnds(transcript());
  await world.tmux.press(first, ['Down']);
  await world.tmux.waitForPane(first, (state) => state.kind === 'picker' && state.picker.options[1]!.selected, 'Beta selected');
  await world.tmux.press(first, ['Enter']);
  await waitFor(() => (turnEnds(transcript()) > asked ? true : undefined), 'the end of the answered turn', TURN_TIMEOUT_MS);
  files.set('after-answer-pane.txt', await settledCapture(world, first, (state) => state.kind === 'idle', 'idle prompt after the answer'));

  // Busy: the text of "slow: 3" streams for three seconds; the capture is taken one second in, tokens arriving.
  await world.tmux.type(first, 'slow: 3');
  const busy = await waitFor(async () => {
    const raw = await capture(world, first);
    const state = readPane(raw);
    return state.kind === 'busy' && /\(1s · ↓ \d+ tokens\)$/.test(state.status ?? '') ? raw : undefined;
  }, 'a busy pane one second into "slow: 3"', TURN_TIMEOUT_MS);
  files.set('busy-pane.txt', busy);
  await waitFor(() => (turnEnds(transcript()) === 5 ? true : undefined), 'the end of "slow: 3"', TURN_TIMEOUT_MS);
  await world.tmux.waitForIdle(first, TURN_TIMEOUT_MS);
  files.set('transcript-startup.jsonl', readFileSync(transcript(), 'utf8'));

  // Claude ends the way a closed window ends it (SIGHUP), writes its last entries, and is resumed in a new window.
  const pid = Number((await world.tmux.tmux(['display-message', '-p', '-t', first, '#{pane_pid}'])).stdout?.trim());
  await killWindow(first, world.tmux.opts);
  await waitForExit([pid], 10_000);
  const resumed = await world.tmux.open('proj-a', world.work, [cli, '--dangerously-skip-permissions', '--resume', sessionId()]);
  files.set('resume-pane.txt', await settledCapture(world, resumed, (state) => state.kind === 'idle', 'idle prompt after --resume'));
  await runTurn(world, resumed, transcript, 'echo: after resume');
  files.set('transcript-resumed.jsonl', readFileSync(transcript(), 'utf8'));

  // Two SessionStart (startup, resume) and six UserPromptSubmit payloads.
  const hooks = await waitFor(() => {
    const text = existsSync(world.hookLog) ? readFileSync(world.hookLog, 'utf8') : '';
    return text.split('\n').filter(Boolean).length >= 8 ? text : undefined;
  }, 'eight hook payloads');
  files.set('hooks.jsonl', hooks);
  await recordApprovals(cli, world, files);
  return files;
}

/** Escape until the prompt is back: the first one may only close a text field. */
async function dismiss(world: World, windowId: string): Promise<void> {
  for (let i = 0; i < 3 && readPane(await capture(world, windowId)).kind !== 'idle'; i++) {
    await world.tmux.press(windowId, ['Escape']);
    await sleep(SETTLE_MS);
  }
  await world.tmux.waitForIdle(windowId, TURN_TIMEOUT_MS);
}

/** Manual mode (`--permission-mode default`): the Bash permission prompt, the same after Tab ("Tab to amend"), an
 * Edit's prompt; plan mode: "Ready to code?". Each is refused with Escape. */
async function recordApprovals(cli: string, world: World, files: Map<string, string>): Promise<void> {
  const isMenu = (state: PaneState): state is Extract<PaneState, { kind: 'picker' }> => state.kind === 'picker';
  const manual = await world.tmux.open('manual', world.work, [cli, '--permission-mode', 'default']);
  await world.tmux.waitForIdle(manual);
  await world.tmux.type(manual, 'bash: touch approved.txt');
  files.set('permission-pane.txt', await settledCapture(world, manual, isMenu, 'the Bash permission prompt'));
  await world.tmux.press(manual, ['Tab']);
  const amended = (state: PaneState) => isMenu(state) && state.picker.options[0]!.freeText === true;
  files.set('permission-amend-pane.txt', await settledCapture(world, manual, amended, 'option 1 as a text field'));
  await dismiss(world, manual);
  await world.tmux.type(manual, 'edit: README.md');
  const edit = (state: PaneState) => isMenu(state) && /make this edit/.test(state.picker.question);
  files.set('permission-edit-pane.txt', await settledCapture(world, manual, edit, 'the Edit permission prompt'));
  await dismiss(world, manual);
  const planning = await world.tmux.open('plan', world.work, [cli, '--permission-mode', 'plan']);
  await world.tmux.waitForIdle(planning);
  await world.tmux.type(planning, 'plan: Add a greeting file');
  files.set('plan-pane.txt', await settledCapture(world, planning, isMenu, '"Ready to code?"'));
  await dismiss(world, planning);
}

async function main(): Promise<number> {
  const cli = findClaudeCli();
  if (!cli) {
    console.error(`record-samples: the real Claude Code CLI ${CLAUDE_VERSION} is not installed (\`bash .ci/run\` installs it, or set CCBOT_CLAUDE_CLI)`);
    return 1;
  }
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'ccbot-rec-')));
  const work = join(root, 'work', 'proj-a');
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'README.md'), '# proj-a\nhello from the readme\n'); // what "multi" reads: 3 lines
  const hookLog = join(root, 'hooks.jsonl');
  writeHome(root, work, hookLog);
  const api = await startFakeAnthropic();
  const tmux = await startClaudeTmux(claudeEnv(root, api.url), 'ccbot-rec');
  try {
    const files = await record(cli, { root, work, hookLog, api, tmux });
    mkdirSync(OUT, { recursive: true });
    const clean = stable(root);
    for (const [name, text] of files) writeFileSync(join(OUT, name), clean(text));
    console.log(`record-samples: wrote ${[...files.keys()].join(', ')} to ${OUT} (Claude Code ${CLAUDE_VERSION}, ${api.requests.length} API requests)`);
    return 0;
  } finally {
    await tmux.cleanup();
    await api.close();
    rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`record-samples: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
