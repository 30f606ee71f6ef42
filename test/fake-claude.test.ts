import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execRun } from '#ccbot/exec.js';
import { findClaudeProcesses } from '#ccbot/procs.js';
import { capturePane, ensureSession, killWindow, newWindow, sendKeys, sendText, type TmuxOptions } from '#ccbot/tmux.js';
import {
  entryKinds,
  fakeClaudeEnv,
  installFakeClaude,
  installRecordingHooks,
  projectDir,
  readHookLog,
  readJsonLines,
  readPromptLog,
  readTranscript,
  sessionIds,
  transcriptPathOf,
  typedPrompts,
  type TranscriptEntry,
} from './fake-claude.js';
import { createTmuxFixture, panePid, windowExists, type TmuxFixture } from './tmux-fixture.js';

const SESSION = 'ccbot-test';
const PROMPT_LINE = '❯\u00a0'; // the empty input line: "❯" and a no-break space
const BUSY = /[·✢✳✶✻✽] \w+… \(\d+s · ↓ \d+ tokens\)/;

interface Ctx {
  tmux: TmuxFixture;
  opts: TmuxOptions;
  command: string;
  configDir: string;
  cwd: string;
  promptLog: string;
  hookLog: string;
}

function withFake(name: string) {
  const s = suite<Ctx>(name);
  s.before.each((ctx) => {
    ctx.tmux = createTmuxFixture();
    ctx.opts = { env: ctx.tmux.env };
    ctx.command = installFakeClaude(ctx.tmux.dir).command;
    ctx.configDir = join(ctx.tmux.dir, 'claude-config');
    // A space and a '#' in the cwd: both become '-' in the project folder name.
    ctx.cwd = join(realpathSync(ctx.tmux.dir), 'proj a#1');
    mkdirSync(ctx.cwd);
    ctx.promptLog = join(ctx.tmux.dir, 'prompts.jsonl');
    ctx.hookLog = join(ctx.tmux.dir, 'hooks.jsonl');
    installRecordingHooks(ctx.configDir, ctx.hookLog);
  });
  s.after.each((ctx) => ctx.tmux.cleanup());
  return s;
}

async function until<T>(what: string, check: () => T | undefined | Promise<T | undefined>, deadlineMs = 8_000): Promise<T> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(25);
  }
}

const pane = async (ctx: Ctx, windowId: string) => (await capturePane(windowId, ctx.opts)) ?? '';
const paneShows = (ctx: Ctx, windowId: string, what: string | RegExp) =>
  until(`the pane to show ${what}`, async () => {
    const text = await pane(ctx, windowId);
    return (typeof what === 'string' ? text.includes(what) : what.test(text)) ? text : undefined;
  });
const isIdle = (text: string) => text.includes(PROMPT_LINE) && text.includes('⏵⏵ bypass permissions on') && !text.includes('esc to interrupt');

/** Starts the fake in a new window and waits for its empty prompt. */
async function startClaude(ctx: Ctx, args: string[] = [], extra: Record<string, string> = {}, waitForPrompt = true) {
  await ensureSession(SESSION, ctx.opts);
  const env = fakeClaudeEnv(ctx.configDir, { log: ctx.promptLog, extra });
  const made = await newWindow(SESSION, { name: 'claude', cwd: ctx.cwd, argv: [ctx.command, '--dangerously-skip-permissions', ...args], env }, ctx.opts);
  if (!made.ok) throw new Error(made.error);
  if (waitForPrompt) await until('the idle prompt', async () => (isIdle(await pane(ctx, made.windowId)) ? true : undefined));
  return made.windowId;
}

const sessionIdOf = (ctx: Ctx, source = 'startup') =>
  until(`SessionStart ${source}`, () => readHookLog(ctx.hookLog).find((p) => p.hook_event_name === 'SessionStart' && p.source === source)?.session_id as string | undefined);
const turnsEnded = (entries: TranscriptEntry[]) => entries.filter((e) => e.type === 'system' && e.subtype === 'turn_duration').length;
/** Sends one prompt the way ccbot does and waits until its turn has ended in the transcript. */
async function sendPrompt(ctx: Ctx, windowId: string, path: string, prompt: string): Promise<TranscriptEntry[]> {
  const before = turnsEnded(readTranscript(path));
  const sent = await sendText(windowId, prompt, ctx.opts);
  assert.ok(sent.ok);
  return until(`the turn of ${JSON.stringify(prompt)} to end`, () => {
    const entries = readTranscript(path);
    return turnsEnded(entries) > before ? entries : undefined;
  });
}
const assistantBlocks = (entries: TranscriptEntry[]) =>
  entries.filter((e) => e.type === 'assistant').map((e) => (e.message as { content: Array<Record<string, unknown>> }).content[0]!);
const message = (e: TranscriptEntry) => e.message as Record<string, unknown>;
async function cmdlineOf(ctx: Ctx, windowId: string): Promise<string[]> {
  const pid = await panePid(windowId, ctx.opts);
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

// ---- installFakeClaude: the launcher and the process ------------------------------------------------------------

const launcher = withFake('installFakeClaude');

launcher('shows a splash without the prompt, then the prompt between two rules and the bypass footer', async (ctx) => {
  const windowId = await startClaude(ctx, [], { FAKE_CLAUDE_STARTUP_MS: '1500' }, false);
  const splash = await paneShows(ctx, windowId, 'Claude Code v2.1.328');
  assert.not.ok(splash.includes(PROMPT_LINE), 'no prompt during the splash');
  const idle = await paneShows(ctx, windowId, PROMPT_LINE);
  const lines = idle.split('\n');
  const at = lines.findIndex((line) => line === PROMPT_LINE);
  assert.match(lines[at - 1]!, /^─{20,}$/);
  assert.match(lines[at + 1]!, /^─{20,}$/);
  assert.is(lines[at + 2], '  ⏵⏵ bypass permissions on (shift+tab to cycle) · ← for agents');
});

launcher('is an executable named claude whose argv stays visible in /proc as claude … --resume <id>', async (ctx) => {
  assert.is(basename(ctx.command), 'claude');
  const first = await startClaude(ctx);
  const id = await sessionIdOf(ctx);
  await sendPrompt(ctx, first, transcriptPathOf(ctx.configDir, ctx.cwd, id), 'hello');
  const windowId = await startClaude(ctx, ['--resume', id]);
  const argv = await cmdlineOf(ctx, windowId);
  assert.is(argv[1], ctx.command);
  assert.is((await findClaudeProcesses(id)).length, 1, `not confirmed as claude resuming ${id}: ${argv.join(' ')}`);
  const found = await execRun('pgrep', ['-f', `claude.*--resume ${id}`], { timeoutMs: 5_000 });
  assert.ok(found.ok && found.stdout.trim().split('\n').length === 1, 'pgrep -f finds exactly the resumed fake');
});

launcher('exits on SIGTERM, survives it with FAKE_CLAUDE_TRAP_TERM=1, and exits on a second C-c', async (ctx) => {
  const plain = await startClaude(ctx);
  const trapping = await startClaude(ctx, [], { FAKE_CLAUDE_TRAP_TERM: '1' });
  process.kill((await panePid(plain, ctx.opts))!, 'SIGTERM');
  process.kill((await panePid(trapping, ctx.opts))!, 'SIGTERM');
  await until('the plain fake to exit', async () => ((await windowExists(plain, ctx.opts)) ? undefined : true));
  await delay(300);
  assert.ok(await windowExists(trapping, ctx.opts), 'the trapping fake ignored SIGTERM');

  assert.ok((await sendKeys(trapping, ['C-c'], ctx.opts)).ok);
  await paneShows(ctx, trapping, 'Press Ctrl-C again to exit');
  assert.ok(await windowExists(trapping, ctx.opts), 'one C-c does not exit');
  assert.ok((await sendKeys(trapping, ['C-c'], ctx.opts)).ok);
  await until('the second C-c to end it', async () => ((await windowExists(trapping, ctx.opts)) ? undefined : true));
});

launcher('with FAKE_CLAUDE_TRAP_HUP=1 it outlives its killed window, as an orphan', async (ctx) => {
  const windowId = await startClaude(ctx, [], { FAKE_CLAUDE_TRAP_HUP: '1' });
  const pid = (await panePid(windowId, ctx.opts))!;
  try {
    assert.ok(await killWindow(windowId, ctx.opts));
    await delay(300);
    assert.not.ok(await windowExists(windowId, ctx.opts));
    assert.not.throws(() => process.kill(pid, 0), 'still running without its pane');
  } finally {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // it did die: the assertion above says so
    }
  }
});

launcher('refuses --resume of a session that has no transcript, like the real CLI', async (ctx) => {
  const id = randomUUID();
  const result = await execRun(ctx.command, ['--resume', id], { cwd: ctx.cwd, env: { ...ctx.tmux.env, CLAUDE_CONFIG_DIR: ctx.configDir }, timeoutMs: 5_000 });
  assert.ok(!result.ok && result.code === 1);
  assert.ok(result.stdout.includes(`No conversation found with session ID: ${id}`));
});

launcher.run();

// ---- prompts, transcript and hooks --------------------------------------------------------------------------------

const prompts = withFake('prompts');

prompts('a multi-line hostile text sent with sendText arrives as exactly one prompt, byte for byte but its control characters', async (ctx) => {
  const windowId = await startClaude(ctx);
  const id = await sessionIdOf(ctx);
  const hostile = [
    `first $(touch pwned) \`id\` 'single' "double" ; rm -rf ~ && echo | cat`,
    '\tindented -n Enter C-c \\ \\n #{session_name} ## %s',
    'üñí 漢字 🎉 \x1b[B\x07 end',
    '',
    '! not bash mode',
  ].join('\n');
  const path = transcriptPathOf(ctx.configDir, ctx.cwd, id);
  const entries = await sendPrompt(ctx, windowId, path, hostile);
  const typed = hostile.replace('\x1b[B\x07', '[B'); // text is only text: ESC and BEL never reach the pane
  assert.equal(readPromptLog(ctx.promptLog).map((r) => r.prompt), [typed]);
  assert.equal(typedPrompts(entries), [typed], 'one user entry with string content, the api-request-blob copy aside');
  const hook = readHookLog(ctx.hookLog).filter((p) => p.hook_event_name === 'UserPromptSubmit');
  assert.equal(hook.map((p) => p.prompt), [typed]);
});

prompts('writes the transcript at the Claude Code path only once there is a prompt, in the real entry order', async (ctx) => {
  const windowId = await startClaude(ctx);
  const id = await sessionIdOf(ctx);
  assert.equal(sessionIds(ctx.configDir, ctx.cwd), [], 'no transcript before the first prompt');
  const entries = await sendPrompt(ctx, windowId, transcriptPathOf(ctx.configDir, ctx.cwd, id), 'hello');
  assert.ok(projectDir(ctx.configDir, ctx.cwd).endsWith(`${ctx.cwd.replace(/\//g, '-').replace(/[ #]/g, '-')}`));
  assert.equal(sessionIds(ctx.configDir, ctx.cwd), [id]);
  assert.equal(entryKinds(entries), [
    'mode', 'permission-mode', 'atis-latch', 'file-history-snapshot', 'user', 'attachment', 'api-request-shape',
    'api-request-blob', 'api-request', 'assistant', 'system/turn_duration', 'last-prompt',
  ]);
  const answer = message(entries.find((e) => e.type === 'assistant')!);
  assert.equal(answer.content, [{ type: 'text', text: 'echo: hello' }]);
  assert.is(answer.stop_reason, 'end_turn');
  assert.is(answer.model, 'claude-opus-5-5');
  assert.equal(Object.keys(answer.usage as object).slice(0, 4), ['input_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens', 'output_tokens']);
  // Conversation entries form one chain: each names the previous one as its parent.
  const chain = entries.filter((e) => 'uuid' in e);
  chain.forEach((e, i) => assert.is(e.parentUuid, i === 0 ? null : chain[i - 1]!.uuid));
  assert.ok(entries.every((e) => e.type === 'file-history-snapshot' || e.sessionId === id));
  const after = await pane(ctx, windowId);
  assert.ok(after.includes('● echo: hello') && isIdle(after), after);
});

prompts('runs the SessionStart and UserPromptSubmit hooks with Claude Code payloads, TMUX_PANE set, before the turn', async (ctx) => {
  const paneLog = join(ctx.tmux.dir, 'pane.log');
  const marker = join(ctx.tmux.dir, 'hook-done');
  installRecordingHooks(ctx.configDir, ctx.hookLog, {
    SessionStart: [{ hooks: [{ type: 'command', command: `printf '%s\\n' "$TMUX_PANE" >> '${paneLog}'` }] }],
    UserPromptSubmit: [{ hooks: [{ type: 'command', command: `sleep 0.3; touch '${marker}'`, timeout: 5 }] }],
  });
  const windowId = await startClaude(ctx);
  const id = await sessionIdOf(ctx);
  const path = transcriptPathOf(ctx.configDir, ctx.cwd, id);
  const entries = await sendPrompt(ctx, windowId, path, 'echo: hello');
  const [start, submit, ...rest] = readHookLog(ctx.hookLog);
  assert.is(rest.length, 0);
  assert.equal(start, { session_id: id, transcript_path: path, cwd: ctx.cwd, hook_event_name: 'SessionStart', source: 'startup', model: 'claude-opus-5-5' });
  assert.equal(Object.keys(submit!), ['session_id', 'transcript_path', 'cwd', 'prompt_id', 'permission_mode', 'hook_event_name', 'prompt']);
  assert.is(submit!.permission_mode, 'bypassPermissions');
  assert.is(submit!.prompt, 'echo: hello');
  assert.match(readFileSync(paneLog, 'utf8'), /^%\d+\n$/, 'the hook saw the pane it runs in');
  const user = entries.find((e) => e.type === 'user')!;
  assert.ok(Math.floor(statSync(marker).mtimeMs) <= Date.parse(user.timestamp as string), 'the prompt is written after its hooks finished');
});

prompts('a prompt sent while a turn runs is queued and answered after it', async (ctx) => {
  const windowId = await startClaude(ctx);
  const path = transcriptPathOf(ctx.configDir, ctx.cwd, await sessionIdOf(ctx));
  assert.ok((await sendText(windowId, 'slow: 1', ctx.opts)).ok);
  await paneShows(ctx, windowId, 'esc to interrupt');
  assert.ok((await sendText(windowId, 'next', ctx.opts)).ok);
  await paneShows(ctx, windowId, 'Queued: next');
  assert.equal(typedPrompts(readTranscript(path)), ['slow: 1'], 'not sent to the model while the turn runs');
  const entries = await until('both turns', () => (turnsEnded(readTranscript(path)) === 2 ? readTranscript(path) : undefined));
  assert.equal(typedPrompts(entries), ['slow: 1', 'next']);
  assert.equal(readPromptLog(ctx.promptLog).map((r) => r.prompt), ['slow: 1', 'next']);
});

prompts.run();

// ---- scripted turns -----------------------------------------------------------------------------------------------

const turns = withFake('scripted turns');

turns('ask: shows the picker like the real CLI; Down and Enter pick Beta', async (ctx) => {
  const windowId = await startClaude(ctx);
  const path = transcriptPathOf(ctx.configDir, ctx.cwd, await sessionIdOf(ctx));
  assert.ok((await sendText(windowId, 'ask: pick one?', ctx.opts)).ok);
  const picker = await paneShows(ctx, windowId, 'Esc to cancel');
  const lines = picker.split('\n');
  for (const line of [' ☐ Choice', 'pick one?', '❯ 1. Alpha', '     The first choice', '  2. Beta', '  3. Gamma', '  4. Type something.', '  5. Chat about this', 'Enter to select · ↑/↓ to navigate · Esc to cancel']) {
    assert.ok(lines.includes(line), `picker line ${JSON.stringify(line)}`);
  }
  assert.ok((await sendKeys(windowId, ['Down'], ctx.opts)).ok);
  await paneShows(ctx, windowId, '❯ 2. Beta');
  assert.ok((await sendKeys(windowId, ['Enter'], ctx.opts)).ok);
  const entries = await until('the turn to end', () => (turnsEnded(readTranscript(path)) === 1 ? readTranscript(path) : undefined));
  const [call, answer] = assistantBlocks(entries);
  assert.is(call!.name, 'AskUserQuestion');
  const result = entries.find((e) => e.type === 'user' && Array.isArray(message(e).content))!;
  assert.is((message(result).content as Array<Record<string, unknown>>)[0]!.tool_use_id, call!.id);
  assert.equal((result.toolUseResult as { answers: object }).answers, { 'pick one?': 'Beta' });
  assert.ok(String(answer!.text).includes('"pick one?"="Beta"'));
  await paneShows(ctx, windowId, '· pick one? → Beta');
});

turns('slow: 2 shows the busy line for about two seconds, writing text blocks as they come, then goes idle', async (ctx) => {
  const windowId = await startClaude(ctx);
  const path = transcriptPathOf(ctx.configDir, ctx.cwd, await sessionIdOf(ctx));
  assert.ok((await sendText(windowId, 'slow: 2', ctx.opts)).ok);
  const busy = await paneShows(ctx, windowId, BUSY);
  assert.ok(busy.includes('esc to interrupt'));
  assert.not.ok(isIdle(busy));
  await until('idle again', async () => (isIdle(await pane(ctx, windowId)) ? true : undefined));
  const entries = readTranscript(path);
  const texts = entries.filter((e) => e.type === 'assistant');
  assert.ok(texts.length >= 3, 'several text lines');
  assert.equal(texts.map((e) => message(e).stop_reason), [...texts.slice(1).map(() => null), 'end_turn']);
  assert.ok(Date.parse(texts.at(-1)!.timestamp as string) - Date.parse(texts[0]!.timestamp as string) >= 1_000, 'spread in time');
  assert.ok((entries.find((e) => e.subtype === 'turn_duration')!.durationMs as number) >= 1_900);
});

turns('Escape while working interrupts: an "[Request interrupted by user]" entry, then the end of the turn', async (ctx) => {
  const windowId = await startClaude(ctx);
  const path = transcriptPathOf(ctx.configDir, ctx.cwd, await sessionIdOf(ctx));
  assert.ok((await sendText(windowId, 'slow: 10', ctx.opts)).ok);
  await paneShows(ctx, windowId, 'chunk 1 of 20');
  assert.ok((await sendKeys(windowId, ['Escape'], ctx.opts)).ok);
  const entries = await until('the turn to end', () => (turnsEnded(readTranscript(path)) === 1 ? readTranscript(path) : undefined));
  const kinds = entryKinds(entries);
  const last = entries[kinds.lastIndexOf('system/turn_duration') - 1]!;
  assert.equal(message(last).content, [{ type: 'text', text: '[Request interrupted by user]' }]);
  assert.ok(entries.filter((e) => e.type === 'assistant').length < 20);
  await paneShows(ctx, windowId, 'Interrupted · What should Claude do instead?');
});

turns('bash: a Bash tool_use, its paired tool_result with stdout, then the answer', async (ctx) => {
  const windowId = await startClaude(ctx);
  const entries = await sendPrompt(ctx, windowId, transcriptPathOf(ctx.configDir, ctx.cwd, await sessionIdOf(ctx)), 'bash: echo hi');
  const [call, answer] = assistantBlocks(entries);
  assert.equal([call!.type, call!.name, call!.input], ['tool_use', 'Bash', { command: 'echo hi', description: 'Run echo hi' }]);
  const result = entries.find((e) => e.toolUseResult !== undefined)!;
  assert.equal(message(result).content, [{ tool_use_id: call!.id, type: 'tool_result', content: 'hi', is_error: false }]);
  assert.is((result.toolUseResult as { stdout: string }).stdout, 'hi');
  assert.is(answer!.text, 'ran: hi');
  assert.equal(entryKinds(entries).filter((k) => ['assistant', 'user', 'system/turn_duration'].includes(k)), ['user', 'assistant', 'user', 'assistant', 'system/turn_duration']);
});

turns('long: N answers about N characters of Markdown with a code block and a table; think: writes a thinking block', async (ctx) => {
  const windowId = await startClaude(ctx);
  const path = transcriptPathOf(ctx.configDir, ctx.cwd, await sessionIdOf(ctx));
  const [long] = assistantBlocks(await sendPrompt(ctx, windowId, path, 'long: 3000'));
  const text = long!.text as string;
  assert.ok(text.length >= 3000 && text.length <= 3200, `${text.length} characters`);
  assert.ok(text.includes('```ts\n') && text.includes('| --- | --- |'));
  const thought = assistantBlocks(await sendPrompt(ctx, windowId, path, 'think: it over')).slice(1);
  assert.equal(thought.map((b) => b.type), ['thinking', 'text']);
});

turns('fail: records an API error as the real CLI does (isApiErrorMessage, no turn_duration); the next prompt works', async (ctx) => {
  const windowId = await startClaude(ctx);
  const path = transcriptPathOf(ctx.configDir, ctx.cwd, await sessionIdOf(ctx));
  assert.ok((await sendText(windowId, 'fail: now', ctx.opts)).ok);
  const error = await until('the error entry', () => readTranscript(path).find((e) => e.isApiErrorMessage === true));
  assert.is(message(error).model, '<synthetic>');
  assert.match(String((message(error).content as Array<{ text: string }>)[0]!.text), /^API Error: 529/);
  await paneShows(ctx, windowId, 'API Error: 529');
  await until('idle again', async () => (isIdle(await pane(ctx, windowId)) ? true : undefined));
  const entries = await sendPrompt(ctx, windowId, path, 'again');
  assert.is(turnsEnded(entries), 1, 'only the second prompt ended with turn_duration');
});

turns.run();

// ---- sessions: resume, /clear, trust --------------------------------------------------------------------------------

const sessions = withFake('sessions');

sessions('--resume <id> appends to the same transcript and runs SessionStart with source resume', async (ctx) => {
  const first = await startClaude(ctx);
  const id = await sessionIdOf(ctx);
  const path = transcriptPathOf(ctx.configDir, ctx.cwd, id);
  await sendPrompt(ctx, first, path, 'before');
  const resumed = await startClaude(ctx, ['--resume', id]);
  assert.is(await sessionIdOf(ctx, 'resume'), id);
  await paneShows(ctx, resumed, '❯ before'); // the earlier conversation is on screen again
  const entries = await sendPrompt(ctx, resumed, path, 'after');
  assert.equal(sessionIds(ctx.configDir, ctx.cwd), [id]);
  assert.equal(typedPrompts(entries), ['before', 'after']);
  const chain = entries.filter((e) => 'uuid' in e);
  chain.forEach((e, i) => assert.is(e.parentUuid, i === 0 ? null : chain[i - 1]!.uuid));
});

sessions('/clear starts a new session: SessionStart source clear, a new transcript for the next prompts', async (ctx) => {
  const windowId = await startClaude(ctx);
  const id = await sessionIdOf(ctx);
  await sendPrompt(ctx, windowId, transcriptPathOf(ctx.configDir, ctx.cwd, id), 'old');
  assert.ok((await sendText(windowId, '/clear', ctx.opts)).ok);
  const next = await sessionIdOf(ctx, 'clear');
  assert.is.not(next, id);
  const entries = await sendPrompt(ctx, windowId, transcriptPathOf(ctx.configDir, ctx.cwd, next), 'new');
  assert.equal(typedPrompts(entries), ['new']);
  assert.equal(typedPrompts(readTranscript(transcriptPathOf(ctx.configDir, ctx.cwd, id))), ['old']);
  assert.equal(sessionIds(ctx.configDir, ctx.cwd).sort(), [id, next].sort());
});

sessions('FAKE_CLAUDE_TRUST=1 shows the trust dialog; text typed into it ends the program', async (ctx) => {
  const windowId = await startClaude(ctx, [], { FAKE_CLAUDE_TRUST: '1' }, false);
  const dialog = await paneShows(ctx, windowId, 'Do you trust the files in this folder?');
  assert.ok(dialog.includes('❯ 1. Yes, proceed') && dialog.includes('2. No, exit'));
  assert.not.ok(dialog.includes(PROMPT_LINE));
  await sendText(windowId, 'hello', ctx.opts); // its Enter may find the window gone already: no result to check
  await until('the program to exit', async () => ((await windowExists(windowId, ctx.opts)) ? undefined : true));
  assert.equal(readPromptLog(ctx.promptLog), []);
  assert.equal(readHookLog(ctx.hookLog), [], 'no session started');
});

sessions('FAKE_CLAUDE_TRUST=1: Enter on "Yes, proceed" goes on to the prompt', async (ctx) => {
  const windowId = await startClaude(ctx, [], { FAKE_CLAUDE_TRUST: '1' }, false);
  await paneShows(ctx, windowId, 'Do you trust the files in this folder?');
  assert.ok((await sendKeys(windowId, ['Enter'], ctx.opts)).ok);
  await until('the idle prompt', async () => (isIdle(await pane(ctx, windowId)) ? true : undefined));
  assert.ok(await sessionIdOf(ctx));
});

sessions.run();

// ---- readers -----------------------------------------------------------------------------------------------------

const readers = suite('readJsonLines');

readers('reads every complete line, skips a torn last line, and is [] for a missing file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ccbot-fake-claude-'));
  try {
    const path = join(dir, 'x.jsonl');
    assert.equal(readJsonLines(path), []);
    writeFileSync(path, '{"a":1}\n\n{"b":2}\n{"c":');
    assert.equal(readJsonLines(path), [{ a: 1 }, { b: 2 }]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

readers('projectDir matches the sample transcript_path of Claude Code', () => {
  assert.is(projectDir('/home/dev/.claude', '/home/dev/work/proj-a'), '/home/dev/.claude/projects/-home-dev-work-proj-a');
  assert.is(transcriptPathOf('/c', '/a b/c.d_e', 'id'), '/c/projects/-a-b-c-d-e/id.jsonl');
});

readers.run();
