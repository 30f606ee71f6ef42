import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ME, startChatWorld, type ChatWorld } from './chat-fixture.js';
import { readTranscript, transcriptPathOf, typedPrompts } from './fake-claude.js';

const DESK = '8ef56897-33cd-4944-8e98-2541bf6fd5ea';
const RUNNING = '9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d';
const MOVED = '0f1e2d3c-4b5a-4697-8887-a9b8c7d6e5f4';

interface Ctx { world: ChatWorld; desk?: ChildProcess }
const chat = suite<Ctx>('/resume from the chat');
chat.before.each(async (ctx) => {
  ctx.world = await startChatWorld();
});
chat.after.each(async (ctx) => {
  ctx.desk?.kill('SIGKILL');
  await ctx.world.close();
});

/** A conversation `claude -p` left in `cwd`, as Claude Code 2.1.328 writes it (queue lines, the prompt, the answer). */
function deskConversation(world: ChatWorld, cwd: string, id: string, prompt: string): string {
  const path = transcriptPathOf(join(world.root, 'claude-config'), cwd, id);
  mkdirSync(dirname(path), { recursive: true });
  const base = { isSidechain: false, userType: 'external', entrypoint: 'sdk-cli', cwd, sessionId: id, version: '2.1.328' };
  writeFileSync(path, [
    { type: 'queue-operation', operation: 'enqueue', timestamp: '2026-12-05T02:59:30.035Z', sessionId: id, content: prompt },
    { parentUuid: null, ...base, type: 'user', message: { role: 'user', content: prompt }, uuid: 'u-1', timestamp: '2026-12-05T02:59:30.040Z' },
    { parentUuid: 'u-1', ...base, type: 'assistant', uuid: 'a-1', timestamp: '2026-12-05T02:59:30.300Z',
      message: { id: 'msg_1', role: 'assistant', model: 'claude-opus-5-5', content: [{ type: 'text', text: 'done' }], stop_reason: 'end_turn' } },
  ].map((e) => JSON.stringify(e)).join('\n') + '\n');
  return path;
}

type Button = { text: string; callback_data?: string };
const buttonsOf = (world: ChatWorld) => {
  const message = world.fake.lastBotMessage(ME.id);
  const rows = (message?.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? [];
  return { messageId: message!.message_id, buttons: rows.flat() };
};
function tap(world: ChatWorld, label: RegExp): void {
  const { messageId, buttons } = buttonsOf(world);
  const found = buttons.find((b) => label.test(b.text));
  if (!found?.callback_data) throw new Error(`no button ${label}: ${JSON.stringify(buttons)}`);
  world.fake.userPresses(ME, messageId, found.callback_data);
}
/** The argv of the process running in the window whose pane is in `cwd`. */
async function windowArgv(world: ChatWorld, cwd: string): Promise<string[]> {
  const listed = await world.tmux.tmux(['list-windows', '-t', '=ccbot-test', '-F', '#{pane_pid} #{pane_current_path}']);
  const pid = (listed.ok ? listed.stdout : '').split('\n').find((l) => l.endsWith(` ${cwd}`))?.split(' ')[0];
  assert.ok(pid, `a window in ${cwd}: ${listed.ok ? listed.stdout : ''}`);
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0$/, '').split('\0');
}

chat('lists the desk\'s conversations with folder and first prompt; opening one runs `--resume <id>` in its folder, '
  + 'the next prompt goes into the same transcript, and it is then marked as followed', async ({ world }) => {
  const dir = world.workdir('desk1');
  const transcript = deskConversation(world, dir, DESK, 'echo: desk-1');
  world.say('/resume');
  const list = await world.botSays(/Claude conversations/);
  assert.match(list.text, dir);
  assert.match(list.text, 'echo: desk-1');
  tap(world, /desk1 · echo: desk-1/);
  await world.botSays(/started in/);
  const argv = await windowArgv(world, dir);
  assert.equal(argv.slice(argv.indexOf('--resume'), argv.indexOf('--resume') + 2), ['--resume', DESK]);

  world.say('and now from the phone');
  await world.fake.waitFor(() => world.prompts().find((p) => p.prompt === 'and now from the phone' && p.cwd === dir), 15_000, 'the prompt');
  await world.fake.waitFor(() => typedPrompts(readTranscript(transcript)).includes('and now from the phone') || undefined, 10_000, 'the same transcript');
  assert.equal(typedPrompts(readTranscript(transcript)).slice(0, 1), ['echo: desk-1']);

  world.say('/resume');
  await world.botSays(/Claude conversations/);
  tap(world, /^📱 desk1/);
  await world.botSays(/^desk1 · /);
  const windows = await world.tmux.tmux(['list-windows', '-t', '=ccbot-test', '-F', '#{window_name}']);
  assert.is((windows.ok ? windows.stdout : '').split('\n').filter((n) => n.startsWith('desk1')).length, 1, 'switched to, not opened again');
});

chat('a conversation a live claude runs is refused; one whose folder is gone says so; none at all says so', async (ctx) => {
  const { world } = ctx;
  world.say('/resume');
  await world.botSays(/No Claude conversations/);
  deskConversation(world, world.workdir('busy'), RUNNING, 'busy at the desk');
  const moved = world.workdir('moved');
  deskConversation(world, moved, MOVED, 'in a folder since removed');
  rmSync(moved, { recursive: true });
  // A desk `claude --session-id <id>`: node running a script at a path named claude, as a native install would look.
  const claude = join(world.root, 'desk', 'claude');
  mkdirSync(dirname(claude));
  writeFileSync(claude, 'setInterval(() => {}, 60000); process.stdout.write("ready\\n");\n');
  ctx.desk = spawn(process.execPath, [claude, '--session-id', RUNNING], { stdio: ['ignore', 'pipe', 'ignore'] });
  await once(ctx.desk.stdout!, 'data');

  world.say('/resume');
  await world.botSays(/Claude conversations/);
  tap(world, /^🖥 busy/);
  await world.botSays(/open in a claude at the desk/);
  world.say('/resume');
  await world.botSays(/Claude conversations/);
  tap(world, /moved/);
  await world.botSays(`Its folder ${moved} is gone`);
});

chat.run();
