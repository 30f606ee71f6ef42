/**
 * The real Claude Code CLI 2.1.328 in an isolated tmux server against the fake Anthropic API: what ccbot relies on
 * (transcripts, hooks, session_map.json, `--resume` in the command line) checked on the real thing. Without the CLI
 * each test says so and passes; the fake API's own suite runs regardless.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execRun } from '#ccbot/exec.js';
import { findClaudeProcesses } from '#ccbot/procs.js';
import { mapKey, promptHash, readSessionMap, type SessionMap } from '#ccbot/session-map.cjs';
import { killWindow } from '#ccbot/tmux.js';
import { MAIN_JS } from '../daemon-fixture.js';
import { assistantTexts, findClaudeCli, makeClaudeHome, readTranscriptLines, startClaudeTmux, waitFor, type ClaudeHome, type ClaudeTmux } from './claude-cli.js';
import { startFakeAnthropic, type FakeAnthropic } from './fake-anthropic.js';

type SessionMapEntry = SessionMap[string];

const cli = findClaudeCli();
if (!cli) console.log('e2e: SKIPPED test/e2e/cli.test — the real Claude Code CLI 2.1.328 is not installed (`bash .ci/run` installs it, or set CCBOT_CLAUDE_CLI)');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Ctx {
  root: string;
  /** The session's cwd, trusted in the HOME (its real path: the cwd Claude reports). */
  work: string;
  ccbotDir: string;
  api: FakeAnthropic;
  home: ClaudeHome;
  tmux: ClaudeTmux;
}

async function setUp(ctx: Ctx): Promise<void> {
  ctx.root = realpathSync(mkdtempSync(join(tmpdir(), 'ccbot-e2e-')));
  ctx.work = join(ctx.root, 'proj');
  ctx.ccbotDir = join(ctx.root, 'state');
  mkdirSync(ctx.work);
  mkdirSync(ctx.ccbotDir);
  ctx.api = await startFakeAnthropic();
  ctx.home = await makeClaudeHome([ctx.work]);
  ctx.tmux = await startClaudeTmux(ctx.home.env(ctx.api.url));
}

async function tearDown(ctx: Ctx): Promise<void> {
  await ctx.tmux?.cleanup();
  await ctx.api?.close();
  await ctx.home?.cleanup();
  if (ctx.root) rmSync(ctx.root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
}

/** A suite whose tests run only with the CLI present (each one passes, saying so, without it). */
function cliSuite(name: string) {
  const s = suite<Ctx>(name);
  s.before.each(async (ctx) => {
    if (cli) await setUp(ctx);
  });
  s.after.each(async (ctx) => {
    if (cli) await tearDown(ctx);
  });
  const test = (title: string, fn: (ctx: Ctx) => Promise<void>) =>
    s(title, async (ctx) => (cli ? fn(ctx) : console.log(`e2e: skipped, no Claude Code CLI: ${name} › ${title}`)));
  return { s, test };
}

const startClaude = async (ctx: Ctx, args: string[] = [], windowEnv: Record<string, string> = {}) => {
  const windowId = await ctx.tmux.open('proj', ctx.work, [cli!, '--dangerously-skip-permissions', ...args], windowEnv);
  await ctx.tmux.waitForIdle(windowId);
  return windowId;
};

/** Types a prompt and waits until the fake API has answered it and the pane is idle again. */
async function ask(ctx: Ctx, windowId: string, prompt: string): Promise<string> {
  const before = ctx.api.requests.length;
  await ctx.tmux.type(windowId, prompt);
  const request = await waitFor(() => ctx.api.requests.slice(before).find((r) => r.script !== 'side'), `a request for "${prompt.slice(0, 40)}"`);
  await ctx.tmux.waitForPane(windowId, (state) => state.kind === 'idle', 'idle prompt after the answer');
  return request.sessionId;
}

// ---------------------------------------------------------------------------------------------------------------
const bare = cliSuite('the real claude against the fake API');

bare.test('answers "echo: hello" from the fake API, and its transcript holds the answer', async (ctx) => {
  const windowId = await startClaude(ctx);
  const sessionId = await ask(ctx, windowId, 'echo: hello');
  assert.match(sessionId, UUID);
  assert.match(await ctx.tmux.screen(windowId), /^● hello$/m);
  const path = ctx.home.transcriptPath(ctx.work, sessionId);
  const lines = await waitFor(() => {
    const read = readTranscriptLines(path);
    return assistantTexts(read).includes('hello') ? read : undefined;
  }, `the answer in ${path}`);
  assert.ok(lines.some((l) => l.type === 'user' && (l.message as { content?: unknown }).content === 'echo: hello'), 'the prompt as a plain string');
  assert.ok(ctx.api.requests.every((r) => r.path.startsWith('/v1/messages')), JSON.stringify(ctx.api.requests.map((r) => r.path)));
  assert.equal(ctx.api.unknownRoutes, []);
});

bare.test('`claude --resume <id>` keeps its arguments in /proc/<pid>/cmdline: procs.ts finds it, and it continues the transcript', async (ctx) => {
  const first = await startClaude(ctx);
  const sessionId = await ask(ctx, first, 'echo: one');
  assert.ok(await killWindow(first, ctx.tmux.opts));
  const resumed = await startClaude(ctx, ['--resume', sessionId]);
  const pid = Number((await ctx.tmux.tmux(['display-message', '-p', '-t', resumed, '#{pane_pid}'])).stdout?.trim());
  if (existsSync(`/proc/${pid}/cmdline`)) {
    // process.title = "claude" renames only the command (comm); the argument vector stays as it was exec'd.
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').slice(0, -1); // each argument ends in NUL
    assert.equal(argv.slice(-3), ['--dangerously-skip-permissions', '--resume', sessionId]);
  }
  assert.equal(await findClaudeProcesses(sessionId), [pid]);
  assert.match(await ctx.tmux.screen(resumed), /^❯ echo: one$/m, 'the history is back');
  assert.is(await ask(ctx, resumed, 'echo: two'), sessionId);
  const path = ctx.home.transcriptPath(ctx.work, sessionId);
  await waitFor(() => (assistantTexts(readTranscriptLines(path)).includes('two') ? true : undefined), `"two" in ${path}`);
  assert.equal(assistantTexts(readTranscriptLines(path)), ['one', 'two']);
});

bare.s.run();

// ---------------------------------------------------------------------------------------------------------------
const hooked = cliSuite('ccbot hook run by the real claude');
const TMUX_SESSION = 'ccbot-e2e';

/** ccbot's hooks installed into the HOME the way a person does it, then claude started in a window the way
 * sessions.ts's startSession opens one (its env and its @ccbot tag). */
async function startHookedClaude(ctx: Ctx): Promise<{ windowId: string; entry: () => SessionMapEntry | undefined }> {
  const installed = await execRun(process.execPath, [MAIN_JS, 'hook', '--install'], { env: ctx.home.env(ctx.api.url) });
  assert.ok(installed.ok, installed.ok ? '' : installed.stderr);
  const settings = JSON.parse(readFileSync(join(ctx.home.configDir, 'settings.json'), 'utf8')) as { hooks?: object; skipDangerousModePermissionPrompt?: boolean };
  assert.equal(Object.keys(settings.hooks ?? {}), ['SessionStart', 'UserPromptSubmit']);
  assert.is(settings.skipDangerousModePermissionPrompt, true, 'the install kept the other settings');
  const windowId = await startClaude(ctx, [], { CCBOT_DIR: ctx.ccbotDir, TMUX_SESSION_NAME: TMUX_SESSION, CCBOT_SESSION_ID: 'e2e1', CCBOT_CHAT_ID: '1001' });
  const entry = () => readSessionMap(ctx.ccbotDir)[mapKey(TMUX_SESSION, windowId)];
  return { windowId, entry };
}

hooked.test('SessionStart puts the window in session_map.json; a prompt adds its hash', async (ctx) => {
  const { windowId, entry } = await startHookedClaude(ctx);
  const started = await waitFor(entry, 'the SessionStart entry');
  assert.match(started.session_id, UUID);
  assert.is(started.cwd, ctx.work);
  assert.is(started.window_name, 'proj');
  assert.is(started.transcript_path, ctx.home.transcriptPath(ctx.work, started.session_id));
  assert.is(started.prompt_hash, undefined);

  const sessionId = await ask(ctx, windowId, 'echo: receipt');
  assert.is(sessionId, started.session_id);
  const prompted = await waitFor(() => (entry()?.prompt_hash ? entry() : undefined), 'prompt_hash');
  assert.is(prompted.prompt_hash, promptHash('echo: receipt'));
  assert.type(prompted.prompt_at, 'number');
  assert.ok(existsSync(prompted.transcript_path), 'the transcript exists once there was a prompt');
});

hooked.test('a 12-line paste with tabs: the hook gets it wrapped in <pasted_content>, and its hash still matches the text', async (ctx) => {
  const { windowId, entry } = await startHookedClaude(ctx);
  await waitFor(entry, 'the SessionStart entry');
  const text = Array.from({ length: 12 }, (_, i) => `line ${i + 1}\tof the paste`).join('\n');
  await ask(ctx, windowId, text);
  const prompted = await waitFor(() => (entry()?.prompt_hash ? entry() : undefined), 'prompt_hash');
  assert.is(prompted.prompt_hash, promptHash(text));
  // What Claude did with it: tabs became 4 spaces, and the transcript keeps the wrapper.
  assert.ok(ctx.api.requests.some((r) => r.prompt === text.replace(/\t/g, '    ')), JSON.stringify(ctx.api.requests.map((r) => r.prompt)));
  const stored = await waitFor(
    () => readTranscriptLines(prompted.transcript_path).find((l) => l.type === 'user' && typeof (l.message as { content?: unknown }).content === 'string'),
    'the prompt in the transcript',
  );
  assert.match(String((stored.message as { content: string }).content), /^\n\n<pasted_content id="[^"]+">\nline 1 {4}of the paste\n[\s\S]*\n<\/pasted_content id="[^"]+">\n$/);
});

hooked.test('/clear starts a new Claude session in the same window: the map follows it to the new transcript', async (ctx) => {
  const { windowId, entry } = await startHookedClaude(ctx);
  const before = await ask(ctx, windowId, 'echo: before clear');
  await waitFor(() => (entry()?.prompt_hash ? true : undefined), 'prompt_hash');
  await ctx.tmux.type(windowId, '/clear');
  const cleared = await waitFor(() => (entry() && entry()!.session_id !== before ? entry() : undefined), 'a new session id after /clear');
  assert.match(cleared.session_id, UUID);
  assert.is(cleared.transcript_path, ctx.home.transcriptPath(ctx.work, cleared.session_id));
  assert.is(cleared.prompt_hash, undefined, 'the old prompt belongs to the old session');
  // The new transcript starts at once, with the /clear command in it; the old one stays.
  const lines = await waitFor(() => {
    const read = readTranscriptLines(cleared.transcript_path);
    return read.some((l) => l.type === 'user') ? read : undefined;
  }, 'the new transcript');
  assert.ok(lines.some((l) => JSON.stringify(l.message ?? '').includes('<command-name>/clear</command-name>')));
  assert.ok(existsSync(ctx.home.transcriptPath(ctx.work, before)));
  await ctx.tmux.waitForIdle(windowId);
  assert.is(await ask(ctx, windowId, 'echo: after clear'), cleared.session_id);
});

hooked.s.run();

// ---------------------------------------------------------------------------------------------------------------
// The fake itself, without the CLI: the scripts the tests above (and the chat tests) rely on.
const fake = suite<{ api: FakeAnthropic }>('startFakeAnthropic');
fake.before.each(async (ctx) => {
  ctx.api = await startFakeAnthropic();
});
fake.after.each(async (ctx) => {
  await ctx.api.close();
});

const TOOLS = [{ name: 'Bash' }, { name: 'AskUserQuestion', input_schema: { properties: { questions: { items: { properties: { question: {}, header: {}, options: { items: { properties: { label: {}, description: {} } } }, multiSelect: {} } } } } } }];
const post = (api: FakeAnthropic, messages: object[], extra: object = {}) =>
  fetch(`${api.url}/v1/messages?beta=true`, { method: 'POST', body: JSON.stringify({ model: 'm', max_tokens: 32_000, stream: true, tools: TOOLS, messages, ...extra }) });
/** The SSE stream as [event, data] pairs. */
const events = async (res: Response) =>
  (await res.text()).split('\n\n').filter(Boolean).map((chunk) => {
    const [, event = ''] = /^event: (.*)$/m.exec(chunk) ?? [];
    const [, data = '{}'] = /^data: (.*)$/m.exec(chunk) ?? [];
    return [event, JSON.parse(data) as Record<string, any>] as const;
  });
const textOf = (evs: readonly (readonly [string, Record<string, any>])[]) => evs.filter(([e, d]) => e === 'content_block_delta' && d.delta.type === 'text_delta').map(([, d]) => d.delta.text).join('');

fake('streams a text answer as Anthropic\'s SSE events, in order', async ({ api }) => {
  const evs = await events(await post(api, [{ role: 'user', content: [{ type: 'text', text: '<system-reminder>x</system-reminder>' }, { type: 'text', text: 'echo: hi there' }] }, { role: 'system', content: 'env' }]));
  assert.equal([...new Set(evs.map(([e]) => e))], ['message_start', 'ping', 'content_block_start', 'content_block_delta', 'content_block_stop', 'message_delta', 'message_stop']);
  assert.is(textOf(evs), 'hi there');
  assert.is(evs.find(([e]) => e === 'message_delta')![1].delta.stop_reason, 'end_turn');
  assert.is(api.requests[0]!.prompt, 'echo: hi there');
});

fake('a prompt typed after an interrupted tool call is answered, not the old tool result', async ({ api }) => {
  const merged = [{ type: 'tool_result', tool_use_id: 't1', content: 'rejected' }, { type: 'text', text: '[Request interrupted by user for tool use]\n' }, { type: 'text', text: 'ask: which?' }];
  const evs = await events(await post(api, [{ role: 'user', content: 'bash: sleep 9' }, { role: 'assistant', content: [{ type: 'tool_use', id: 't1', name: 'Bash', input: {} }] }, { role: 'user', content: merged }]));
  const start = evs.find(([e, d]) => e === 'content_block_start' && d.content_block.type === 'tool_use')!;
  assert.is(start[1].content_block.name, 'AskUserQuestion');
  const input = JSON.parse(evs.filter(([e, d]) => e === 'content_block_delta' && d.delta.type === 'input_json_delta').map(([, d]) => d.delta.partial_json).join(''));
  assert.equal(input.questions[0].options.map((o: { label: string }) => o.label), ['Alpha', 'Beta', 'Gamma']);
  assert.is(input.questions[0].question, 'which?');
});

fake('a Bash turn: the call first, then "ran: <output>" after its tool_result', async ({ api }) => {
  const call = await events(await post(api, [{ role: 'user', content: 'bash: echo hi' }]));
  assert.is(call.find(([e]) => e === 'message_delta')![1].delta.stop_reason, 'tool_use');
  const after = await events(await post(api, [{ role: 'user', content: 'bash: echo hi' }, { role: 'assistant', content: [] }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: 'hi\n' }] }]));
  assert.is(textOf(after), 'ran: hi');
});

fake('fail answers 529 overloaded_error, fail: 500 an api_error; side requests get a short text; other routes a 404', async ({ api }) => {
  const overloaded = await post(api, [{ role: 'user', content: 'fail' }]);
  assert.is(overloaded.status, 529);
  assert.is(((await overloaded.json()) as { error: { type: string } }).error.type, 'overloaded_error');
  assert.is((await post(api, [{ role: 'user', content: 'fail: 500' }])).status, 500);
  const side = await post(api, [{ role: 'user', content: 'echo: x' }], { stream: false, tools: [] });
  assert.is(((await side.json()) as { content: { text: string }[] }).content[0]!.text, 'Fake title');
  const tokens = await fetch(`${api.url}/v1/messages/count_tokens?beta=true`, { method: 'POST', body: '{}' });
  assert.is(tokens.status, 404);
  assert.equal(api.unknownRoutes, ['POST /v1/messages/count_tokens?beta=true']);
  assert.is((await fetch(`${api.url}/v1/messages`, { method: 'POST', body: 'not json' })).status, 400, 'a bad body is an error answer, not a crash');
});

fake('long answers with more than 4096 characters of Markdown, a fenced block and a table', async ({ api }) => {
  const text = textOf(await events(await post(api, [{ role: 'user', content: 'long' }])));
  assert.ok(text.length > 4096, String(text.length));
  assert.match(text, /```ts\n[\s\S]*\n```/);
  assert.match(text, /^\| --- \| --- \| --- \|$/m);
});

fake.run();
