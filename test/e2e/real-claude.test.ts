import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findClaudeProcesses } from '#ccbot/procs.js';
import type { State } from '../state-fixture.js';
import { parseLines } from '#ccbot/transcript.js';
import { waitFor } from './claude-cli.js';
import { findClaudeCli, ME, startE2EWorld, type E2EWorld } from './claude-world.js';

const cli = findClaudeCli();
if (!cli) {
  console.log('e2e: SKIPPED — the real Claude Code CLI is not installed. `bash .ci/run` installs it, or set CCBOT_CLAUDE_CLI.');
}

interface Ctx { world: E2EWorld }
const e2e = suite<Ctx>('end to end with the real Claude Code CLI');
e2e.before.each(async (ctx) => {
  if (cli) ctx.world = await startE2EWorld(cli);
});
e2e.after.each(async (ctx) => {
  await ctx.world?.close();
});
/** A test that runs only with the CLI present. */
const test = (name: string, fn: (ctx: Ctx) => Promise<void>) => e2e(name, async (ctx) => (cli ? fn(ctx) : undefined));

async function newSession(world: E2EWorld, name: string): Promise<void> {
  world.say(`/new ${world.workdir(name)}`);
  await world.botSays(/started/);
}
const reactionsOf = (world: E2EWorld, messageId: number) => world.fake.messages(ME.id).find((m) => m.message_id === messageId)?.reactions ?? [];

test('/new, a prompt, the answer arrives; the receipts show 👀 then 👍 (no hook installed by hand)', async ({ world }) => {
  const settingsJson = join(world.root, '.claude', 'settings.json');
  const before = readFileSync(settingsJson);
  assert.not.match(before.toString(), /hook/, 'the person never ran ccbot hook --install');
  await newSession(world, 'alpha');
  const sent = world.say('echo: hello from the phone');
  const answer = await world.botSays(/^hello from the phone$/, 60_000);
  assert.ok(answer);
  await world.fake.waitFor(() => reactionsOf(world, sent.message_id).includes('👍') || undefined, 10_000, '👍');
  assert.ok(world.api.requests.some((r) => r.prompt === 'echo: hello from the phone'));
  assert.ok(readFileSync(settingsJson).equals(before), 'settings.json byte for byte unchanged');
});

type Button = { text: string; callback_data?: string };
const buttonsOf = (m: { reply_markup?: object } | undefined): Button[] => ((m?.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? []).flat();
const botMessages = (world: E2EWorld) => world.fake.messages(ME.id).filter((m) => m.from_bot && !m.deleted);
const readState = (world: E2EWorld) => JSON.parse(readFileSync(join(world.root, 'state', 'state.json'), 'utf8')) as State;
const sessionNamed = (world: E2EWorld, name: string) => Object.values(readState(world).sessions).find((s) => s.name === name)!;
/** The person's prompts in the session's transcript, as Claude Code stored them. */
function transcriptPrompts(world: E2EWorld, workdir: string): string[] {
  const dir = join(world.root, '.claude', 'projects', workdir.replace(/[^A-Za-z0-9]/g, '-'));
  return readdirSync(dir).filter((f) => f.endsWith('.jsonl')).flatMap((f) => {
    const read = parseLines(readFileSync(join(dir, f), 'utf8').split('\n'), {});
    return read.events.filter((e) => e.kind === 'prompt').map((e) => (e as { text: string }).text);
  });
}

test('a Bash call: the tool line and its outcome on the card, then the answer as a new message', async ({ world }) => {
  await newSession(world, 'alpha');
  world.say('bash: echo hi from bash');
  const answer = await world.botSays(/^ran: hi from bash$/, 60_000);
  const card = botMessages(world).find((m) => /^alpha · /.test(m.text));
  assert.ok(card, 'a card');
  await world.fake.waitFor(() => (/Bash: echo hi from bash → Output 1 line/.test(botMessages(world).find((m) => m.message_id === card!.message_id)!.text) ? true : undefined), 10_000, 'tool line');
  assert.ok(card!.message_id < answer.message_id);
});

test('AskUserQuestion: the options arrive as buttons; tapping one continues the turn to its answer', async ({ world }) => {
  await newSession(world, 'alpha');
  world.say('ask: which one?');
  const menu = await world.botSays(/Claude asks[\s\S]*which one\?/, 60_000);
  const beta = buttonsOf(menu).find((b) => /Beta/.test(b.text));
  assert.ok(beta, JSON.stringify(buttonsOf(menu)));
  world.fake.userPresses(ME, menu.message_id, beta!.callback_data!);
  const answer = await world.botSays(/^answered: .*Beta/, 60_000);
  assert.ok(answer);
});

test('multi-line and hostile text arrives in the transcript verbatim, as one prompt', async ({ world }) => {
  await newSession(world, 'beta');
  const hostile = "line one\n  $(rm -rf /) `id` ; echo 'q' \"dq\"\n<b>html</b> & \\ back\\slash\nlast line";
  const sent = world.say(hostile);
  await world.botSays(/^ok: line one/, 60_000);
  assert.equal(transcriptPrompts(world, world.workdir('beta')), [hostile]);
  // Claude Code hands this paste to the hook wrapped in <pasted_content>: still confirmed.
  await world.fake.waitFor(() => (reactionsOf(world, sent.message_id).includes('👍') ? true : undefined), 10_000, '👍');
});

test('/kill: the window is gone and a leftover claude --resume of it started by hand is gone too', async ({ world }) => {
  await newSession(world, 'gamma');
  world.say('echo: first');
  await world.botSays(/^first$/, 60_000);
  const claudeId = sessionNamed(world, 'gamma').claudeSessionId ?? readMapId(world);
  assert.ok(claudeId, 'a Claude session id');
  // A second writer, as if started at the desk: same conversation, another tmux session of the same server.
  const started = await world.tmux.tmux(['new-session', '-d', '-s', 'desk', '-c', world.workdir('gamma'), cli!, '--dangerously-skip-permissions', '--resume', claudeId!]);
  assert.ok(started.ok, started.ok ? '' : started.stderr);
  await world.fake.waitFor(async () => ((await findClaudeProcesses(claudeId!)).length > 0 ? true : undefined), 10_000, 'the hand-started claude');
  world.say('/kill');
  const confirm = await world.botSays(/gamma/);
  world.fake.userPresses(ME, confirm.message_id, buttonsOf(confirm).find((b) => /Kill/.test(b.text))!.callback_data!);
  await world.botSays(/Killed gamma/, 30_000);
  assert.equal(await findClaudeProcesses(claudeId!), []);
  const windows = await world.tmux.tmux(['list-windows', '-a', '-F', '#{window_name}']);
  assert.not.ok(windows.ok && windows.stdout.split('\n').includes('gamma'));
});

function readMapId(world: E2EWorld): string | undefined {
  const map = JSON.parse(readFileSync(join(world.root, 'state', 'session_map.json'), 'utf8')) as Record<string, { session_id: string; cwd: string }>;
  return Object.values(map).find((e) => e.cwd.endsWith('/gamma'))?.session_id;
}

test('/archive → Restore: the same Claude conversation continues and the next answer arrives', async ({ world }) => {
  await newSession(world, 'delta');
  world.say('echo: before archive');
  await world.botSays(/^before archive$/, 60_000);
  world.say('/done');
  await world.botSays(/Archived delta/, 30_000);
  const claudeId = sessionNamed(world, 'delta').claudeSessionId;
  assert.ok(claudeId);
  world.say('/archive');
  const list = await world.botSays(/Archive, last/);
  world.fake.userPresses(ME, list.message_id, buttonsOf(list).find((b) => /Restore/.test(b.text))!.callback_data!);
  await world.botSays(/Restored delta/, 30_000);
  world.say('echo: after restore');
  await world.botSays(/^after restore$/, 60_000);
  assert.is(sessionNamed(world, 'delta').claudeSessionId, claudeId);
  assert.equal(transcriptPrompts(world, world.workdir('delta')), ['echo: before archive', 'echo: after restore']);
});

test('the daemon SIGKILLed in the middle of a streaming turn: after the restart the answer arrives exactly once', async ({ world }) => {
  await newSession(world, 'alpha');
  world.say('slow: 4');
  await world.fake.waitFor(() => botMessages(world).find((m) => /^alpha · .*working/.test(m.text) && m.editCount >= 0) ?? undefined, 30_000, 'the card');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  await world.restartDaemon('SIGKILL');
  // Any bot message, also one sent while the restart was awaited.
  await world.fake.waitFor(() => botMessages(world).find((m) => /chunk 20 of 20/.test(m.text)), 60_000, 'the answer');
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  assert.is(botMessages(world).filter((m) => /chunk 20 of 20/.test(m.text)).length, 1);
});

test('two sessions working at once: switching pauses neither, each answer lands with its own session', async ({ world }) => {
  await newSession(world, 'alpha');
  const alphaStarted = world.fake.lastBotMessage(ME.id)!;
  await newSession(world, 'beta');
  // Both waits start before either text is sent: the two arrive in either order.
  const answers = Promise.all([world.botSays(/chunk 10 of 10/, 60_000), world.botSays(/^alpha: finished/, 60_000)]);
  world.say('slow: 3', alphaStarted.message_id); // to alpha, in the background
  world.say('slow: 2'); // to beta, the active one
  const [betaAnswer, alphaNotice] = await answers;
  assert.ok(betaAnswer && alphaNotice);
  assert.not.ok(botMessages(world).some((m) => /chunk 15 of 15/.test(m.text) && !/^alpha: /.test(m.text)), 'alpha\'s full answer did not land in beta\'s place');
});

test('an API error: the person is told, the card stops saying working, and the next prompt is answered', async ({ world }) => {
  await newSession(world, 'alpha');
  world.say('fail: 500'); // the fake answers HTTP 500; with CLAUDE_CODE_MAX_RETRIES=0 the CLI gives up at once
  const notice = await world.botSays(/^alpha: error: /, 60_000);
  assert.match(notice.text, /500|API Error/i);
  // The turn is over although Claude Code wrote no turn end after the error: the saved card says idle.
  const cardState = () => {
    const path = join(world.root, 'state', 'monitor_state.json');
    if (!existsSync(path)) return undefined; // written after the first delivery
    const saved = JSON.parse(readFileSync(path, 'utf8')) as { follows: Record<string, { card?: { state: string } }> };
    return saved.follows[sessionNamed(world, 'alpha').id]?.card?.state;
  };
  await waitFor(() => (cardState() === 'idle' ? true : undefined), 'the card idle');
  // The card's last edit takes the chat's next free slot: it follows the saved state within seconds.
  await waitFor(() => (botMessages(world).some((m) => /^alpha · .*working/.test(m.text)) ? undefined : true), 'no card still says working');
  world.say('echo: after the error');
  await world.botSays(/^after the error$/, 60_000);
});

test('a stranger\'s messages change nothing and get no reply', async ({ world }) => {
  const stranger = { id: 666, first_name: 'Mallory', language_code: 'en' };
  const before = world.fake.callsTo('sendMessage').length;
  world.fake.userSends(stranger, `/new ${world.workdir('alpha')}`);
  world.fake.userSends(stranger, 'echo: pwned');
  world.say('/help');
  await world.botSays(/\/new/);
  assert.is(world.fake.callsTo('sendMessage').length, before + 1);
  assert.is(world.api.requests.length, 0, 'Claude was never asked anything');
  assert.is(world.fake.messages(stranger.id).filter((m) => m.from_bot).length, 0);
});

e2e.run();
