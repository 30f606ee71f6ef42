import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAction } from '#ccbot/keyboards.js';
import { encodeAction } from './keyboards-fixture.js';
import { setSink } from '#ccbot/log.cjs';
import { findClaudeProcesses, killOrphanClaudeProcesses } from '#ccbot/procs.js';
import type { Session } from '#ccbot/sessions.js';
import { ME, startChatWorld, type ChatWorld } from './chat-fixture.js';
import { readTranscript, sessionIds, transcriptPathOf, typedPrompts } from './fake-claude.js';
import type { ChatMessage } from './fake-telegram-chats.js';

interface Ctx { world: ChatWorld; claudeIds: string[] }
const chat = suite<Ctx>('the archive from the chat');
chat.before.each(async (ctx) => {
  ctx.world = await startChatWorld();
  ctx.claudeIds = [];
});
chat.after.each(async (ctx) => {
  // A stand-in that ignored SIGHUP outlives the tmux server: end those of this test by their session id (quietly:
  // the live restored ones are ended here too, which is no news).
  const sink = setSink(() => {});
  try {
    for (const id of ctx.claudeIds) await killOrphanClaudeProcesses(id, { graceMs: 500 });
  } finally {
    setSink(sink);
  }
  await ctx.world.close();
});

const configDir = (world: ChatWorld) => join(world.root, 'claude-config');
const statePath = (world: ChatWorld) => join(world.root, 'state', 'state.json');
const waitPrompt = (world: ChatWorld, prompt: string, cwd: string) =>
  world.fake.waitFor(() => world.prompts().find((p) => p.prompt === prompt && p.cwd === cwd), 15_000, `prompt ${JSON.stringify(prompt)}`);

type Button = { text: string; callback_data?: string };
const buttonsOf = (message: ChatMessage | undefined): Button[] =>
  ((message?.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? []).flat();
const messageById = (world: ChatWorld, id: number) => world.fake.messages(ME.id).find((m) => m.message_id === id);

/** Presses the button of `message` whose label matches and, when given, whose action names session `id`. */
function press(world: ChatWorld, message: ChatMessage, label: RegExp, id?: string, force = false): string {
  const current = messageById(world, message.message_id) ?? message;
  const found = buttonsOf(force ? message : current).find((b) => {
    const action = decodeAction(b.callback_data ?? '') as { id?: string } | null;
    return label.test(b.text) && (id === undefined || action?.id === id);
  });
  if (!found?.callback_data) throw new Error(`no button ${label} ${id ?? ''} on message ${message.message_id}: ${JSON.stringify(buttonsOf(current))}`);
  world.fake.userPresses(ME, message.message_id, found.callback_data, { force });
  return found.callback_data;
}

/** Starts a session in `<root>/work/<name>`, has one exchange with it, and returns its dir and Claude session id. */
async function sessionWithExchange(world: ChatWorld, name: string, prompt: string): Promise<{ dir: string; claudeId: string }> {
  const dir = world.workdir(name);
  world.say(`/new ${dir}`);
  await world.botSays(/started/);
  world.say(prompt);
  await waitPrompt(world, prompt, dir);
  const claudeId = await until(() => sessionIds(configDir(world), dir)[0], 'a transcript');
  // The answer is written last: once it is there, the turn is over and the transcript can be resumed.
  await until(() => JSON.stringify(readTranscript(transcriptPathOf(configDir(world), dir, claudeId))).includes(`echo: ${prompt}`), 'the answer');
  return { dir, claudeId };
}

async function windowOf(world: ChatWorld, name: string): Promise<{ id: string; pid: number } | undefined> {
  const listed = await world.tmux.tmux(['list-windows', '-t', '=ccbot-test', '-F', '#{window_id} #{pane_pid} #{window_name}']);
  const line = (listed.ok ? listed.stdout : '').split('\n').find((l) => l.split(' ').slice(2).join(' ') === name);
  return line ? { id: line.split(' ')[0]!, pid: Number(line.split(' ')[1]) } : undefined;
}
/** Asks until `find` answers: tmux and files change without a Telegram call, which is all fake.waitFor wakes up on. */
async function until<T>(find: () => T | undefined | false | Promise<T | undefined>, label: string, timeoutMs = 10_000): Promise<T> {
  for (const end = Date.now() + timeoutMs; ; ) {
    const found = await find();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > end) throw new Error(`timed out waiting for ${label}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
const argvOf = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);

async function archiveMessage(world: ChatWorld, command = '/archive', match: RegExp = /Archive/): Promise<ChatMessage> {
  world.say(command);
  return world.botSays(match);
}

/** Stops the daemon, adds `sessions` to its state.json, and starts it again. */
async function withSessions(world: ChatWorld, sessions: Session[]): Promise<void> {
  world.daemon.child.kill('SIGKILL');
  await world.daemon.exited;
  const state = JSON.parse(readFileSync(statePath(world), 'utf8')) as { sessions: Record<string, Session> };
  for (const s of sessions) state.sessions[s.id] = s;
  writeFileSync(statePath(world), JSON.stringify(state));
  await world.restartDaemon();
}
const archived = (id: string, fields: Partial<Session>): Session => ({
  id, name: id, workdir: '/nonexistent', windowId: null, claudeSessionId: null, status: 'archived', createdAt: Date.now() - 3_600_000,
  lastActivityAt: Date.now() - 3_600_000, archivedAt: Date.now() - 60_000, archiveReason: 'done', ownerUserId: ME.id, ...fields,
});

// ---------------------------------------------------------------------------------------------------------------

chat('/archive shows a killed session; Restore resumes the same Claude conversation and the next message goes there', async ({ world, claudeIds }) => {
  const { dir, claudeId } = await sessionWithExchange(world, 'api', 'first words');
  claudeIds.push(claudeId);
  world.say('/kill api');
  const confirm = await world.botSays(/Kill session api/);
  press(world, confirm, /Kill/);
  await world.botSays(/Killed api/);

  const list = await archiveMessage(world);
  assert.match(list.text, 'api');
  assert.match(list.text, 'killed');
  assert.match(list.text, dir);
  const restoreData = press(world, list, /Restore/);
  await world.botSays(/Restored api/);

  const window = await until(() => windowOf(world, 'api'), 'the restored window');
  const argv = argvOf(window.pid);
  assert.equal(argv.slice(-2), ['--resume', claudeId], argv.join(' '));
  world.say('second words');
  await waitPrompt(world, 'second words', dir);
  const transcript = transcriptPathOf(configDir(world), dir, claudeId);
  await until(() => typedPrompts(readTranscript(transcript)).includes('second words'), 'the same transcript goes on');
  assert.equal(typedPrompts(readTranscript(transcript)), ['first words', 'second words']);
  assert.equal(sessionIds(configDir(world), dir), [claudeId], 'no new conversation was started');

  // A double tap on Restore of the old archive message.
  world.fake.userPresses(ME, list.message_id, restoreData, { force: true });
  await world.botSays(/api is already running/);
  assert.is((await windowOf(world, 'api'))?.id, window.id, 'still the one window');
});

chat('Restore refuses while an orphan claude --resume of the session runs; its Kill button ends it; then Restore works', async ({ world, claudeIds }) => {
  const { claudeId } = await sessionWithExchange(world, 'orphan', 'hello');
  claudeIds.push(claudeId);
  world.say('/done orphan');
  await world.botSays(/Archived orphan/);

  // The restored Claude ignores SIGHUP: closing its window by hand leaves it running, as a real one can.
  assert.ok((await world.tmux.tmux(['set-environment', '-g', 'FAKE_CLAUDE_TRAP_HUP', '1'])).ok);
  press(world, await archiveMessage(world), /Restore/);
  await world.botSays(/Restored orphan/);
  const window = await until(() => windowOf(world, 'orphan'), 'the restored window');
  const mapPath = join(world.root, 'state', 'session_map.json');
  await until(() => existsSync(mapPath) && readFileSync(mapPath, 'utf8').includes(`ccbot-test:${window.id}`), 'the resumed claude is up');
  assert.ok((await world.tmux.tmux(['kill-window', '-t', window.id])).ok);
  assert.ok((await world.tmux.tmux(['set-environment', '-g', '-u', 'FAKE_CLAUDE_TRAP_HUP'])).ok);
  assert.equal(await findClaudeProcesses(claudeId), [window.pid], 'the orphan outlived its window');
  await world.restartDaemon(); // start-up finds the window gone: the session is lost

  const list = await archiveMessage(world);
  assert.match(list.text, 'lost');
  press(world, list, /Restore/);
  const refused = await world.botSays(/Cannot restore orphan yet/);
  assert.match(refused.text, String(window.pid));
  assert.is(await windowOf(world, 'orphan'), undefined, 'no second writer was started');
  const killData = press(world, refused, /Kill the old process/);
  assert.is(decodeAction(killData)?.t, 'killProcess');
  const killed = await world.botSays(/Stopped the old Claude of orphan/);
  assert.equal(await findClaudeProcesses(claudeId), []);

  press(world, killed, /Restore/);
  await world.botSays(/Restored orphan/);
  const again = await until(() => windowOf(world, 'orphan'), 'the window of the second Restore');
  assert.equal(argvOf(again.pid).slice(-2), ['--resume', claudeId]);
  // The Kill button of the refusal, pressed again now that the session runs, must not touch the live Claude.
  world.fake.userPresses(ME, refused.message_id, killData, { force: true });
  await world.botSays(/orphan is already running/);
  assert.equal(await findClaudeProcesses(claudeId), [again.pid]);
});

chat('Delete removes the record from /archive and nothing else; old buttons then say unknown session', async ({ world, claudeIds }) => {
  const { dir, claudeId } = await sessionWithExchange(world, 'gone', 'keep my files');
  claudeIds.push(claudeId);
  world.say('/done');
  await world.botSays(/Archived gone/);
  const list = await archiveMessage(world);
  assert.match(list.text, 'gone');
  const deleteData = press(world, list, /Delete/);
  const edited = await world.fake.waitFor(() => messageById(world, list.message_id)?.text.includes('Deleted gone') && messageById(world, list.message_id), 10_000, 'the list edited');
  assert.match(edited.text, 'Nothing archived');
  assert.equal(buttonsOf(edited), []);
  const again = await archiveMessage(world, '/archive all', /archive is empty/);
  assert.not.match(again.text, 'gone');
  assert.ok(existsSync(dir), 'the workdir stays');
  assert.ok(existsSync(transcriptPathOf(configDir(world), dir, claudeId)), 'the transcript stays');

  world.fake.userPresses(ME, list.message_id, deleteData, { force: true });
  await world.botSays(/Unknown session/);
  const id = (decodeAction(deleteData) as { id: string }).id;
  world.fake.userPresses(ME, list.message_id, encodeAction({ t: 'restore', id }), { force: true });
  await world.botSays(/Unknown session/);
});

chat('a live session cannot be deleted', async ({ world }) => {
  const dir = world.workdir('alive');
  world.say(`/new ${dir}`);
  await world.botSays(/started/);
  const state = JSON.parse(readFileSync(statePath(world), 'utf8')) as { sessions: Record<string, Session> };
  const id = Object.values(state.sessions).find((s) => s.name === 'alive')!.id;
  const last = world.fake.lastBotMessage(ME.id)!;
  world.fake.userPresses(ME, last.message_id, encodeAction({ t: 'delete', id }), { force: true });
  await world.botSays(/alive is running: end it with \/kill or \/done/);
  assert.ok(await windowOf(world, 'alive'));
});

chat('Inspect shows the last prompt and answer, and the archive keeps its buttons', async ({ world, claudeIds }) => {
  const { claudeId } = await sessionWithExchange(world, 'look', 'what is <up>?');
  claudeIds.push(claudeId);
  world.say('/done');
  await world.botSays(/Archived look/);
  const list = await archiveMessage(world);
  press(world, list, /Inspect/);
  const shown = await world.botSays(/Last prompt/);
  assert.match(shown.text, 'what is <up>?');
  assert.match(shown.text, 'Last answer');
  assert.match(shown.text, 'echo: what is <up>?');
  assert.ok(buttonsOf(messageById(world, list.message_id)).some((b) => /Restore/.test(b.text)), 'the archive still has its buttons');
});

chat('seven archived sessions: five a page, ▶ and ◀ edit the same message; the 72 h window and /archive all', async ({ world }) => {
  const now = Date.now();
  const seven = Array.from({ length: 7 }, (_, i) => archived(`p${i}`, { archivedAt: now - (i + 1) * 60_000 }));
  await withSessions(world, [...seven, archived('ancient', { archivedAt: now - 100 * 3_600_000 })]);

  const list = await archiveMessage(world);
  for (const name of ['p0', 'p1', 'p2', 'p3', 'p4']) assert.match(list.text, name);
  for (const name of ['p5', 'p6', 'ancient']) assert.not.match(list.text, name);
  assert.match(list.text, 'last 72 h: 7');
  press(world, list, /▶/);
  const second = await world.fake.waitFor(() => messageById(world, list.message_id)?.text.includes('p5') && messageById(world, list.message_id), 10_000, 'page 2');
  assert.match(second.text, 'p6');
  assert.not.match(second.text, 'p4');
  assert.is(world.fake.lastBotMessage(ME.id)!.message_id, list.message_id, 'no new message: the same one was edited');
  press(world, second, /◀/);
  await world.fake.waitFor(() => messageById(world, list.message_id)?.text.includes('p0'), 10_000, 'page 1 again');

  const all = await archiveMessage(world, '/archive all', /everything kept: 8/);
  press(world, all, /▶/);
  const allSecond = await world.fake.waitFor(() => messageById(world, all.message_id)?.text.includes('ancient') && messageById(world, all.message_id), 10_000, 'page 2 of all');
  assert.match(allSecond.text, 'p5');
});

chat('Restore without a recorded Claude conversation starts a new one and says so; a vanished workdir is refused', async ({ world, claudeIds }) => {
  const dir = world.workdir('fresh');
  const vanished = world.workdir('vanished');
  rmSync(vanished, { recursive: true });
  await withSessions(world, [archived('fresh', { workdir: dir }), archived('vanished', { workdir: vanished, claudeSessionId: '0d11532e-25c1-4578-a3a1-daf7d32919f7' })]);
  const list = await archiveMessage(world);
  press(world, list, /Restore/, 'vanished');
  const refused = await world.botSays(/Cannot restore vanished/);
  assert.match(refused.text, `${vanished} no longer exists`);
  press(world, list, /Restore/, 'fresh', true);
  await world.botSays(/Started fresh again .* new Claude conversation/);
  const window = await until(() => windowOf(world, 'fresh'), 'the window');
  assert.not.ok(argvOf(window.pid).includes('--resume'));
  world.say('from scratch');
  await waitPrompt(world, 'from scratch', dir);
  claudeIds.push(...sessionIds(configDir(world), dir));
});

chat.run();
