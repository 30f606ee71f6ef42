import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Session } from '#ccbot/sessions.js';
import type { State } from './state-fixture.js';
import { ME, startChatWorld, type ChatWorld } from './chat-fixture.js';
import type { ChatMessage } from './fake-telegram-chats.js';

interface Ctx { world: ChatWorld }
const chat = suite<Ctx>('settings and the idle sweep, from the chat');
chat.before.each(async (ctx) => {
  ctx.world = await startChatWorld();
});
chat.after.each(async (ctx) => {
  await ctx.world.close();
});

const H = 3_600_000;
type Button = { text: string; callback_data?: string };
const buttonsOf = (m: ChatMessage | undefined): Button[] => ((m?.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? []).flat();
const current = (world: ChatWorld, m: ChatMessage) => world.fake.messages(ME.id).find((x) => x.message_id === m.message_id)!;
const statePath = (world: ChatWorld) => join(world.root, 'state', 'state.json');
const readState = (world: ChatWorld) => JSON.parse(readFileSync(statePath(world), 'utf8')) as State;

function press(world: ChatWorld, m: ChatMessage, label: RegExp): void {
  const found = buttonsOf(current(world, m)).find((b) => label.test(b.text));
  if (!found?.callback_data) throw new Error(`no button ${label}: ${JSON.stringify(buttonsOf(current(world, m)).map((b) => b.text))}`);
  world.fake.userPresses(ME, m.message_id, found.callback_data);
}

const windowNames = async (world: ChatWorld) => {
  const listed = await world.tmux.tmux(['list-windows', '-a', '-F', '#{window_name}']);
  return listed.ok ? listed.stdout.trim().split('\n') : [];
};

chat('a settings button redraws the same message with the choice marked, and it is kept', async ({ world }) => {
  world.say('/settings');
  const screen = await world.botSays(/Settings/);
  assert.ok(buttonsOf(screen).some((b) => b.text === '✓ 12 h'), 'the default is marked');
  press(world, screen, /^6 h$/);
  await world.fake.waitFor(() => buttonsOf(current(world, screen)).some((b) => b.text === '✓ 6 h'), 5_000, '6 h marked');
  press(world, current(world, screen), /finishes/);
  await world.fake.waitFor(() => buttonsOf(current(world, screen)).some((b) => b.text.startsWith('🔕')), 5_000, 'done notices off');
  const saved = readState(world).users[String(ME.id)]!.settings as { idleHours: number; notify: { done: boolean } };
  assert.is(saved.idleHours, 6);
  assert.is(saved.notify.done, false);
  assert.is(world.fake.messages(ME.id).filter((m) => m.from_bot && /Settings/.test(m.text)).length, 1, 'edited, not sent again');
});

chat('the language override redraws the screen in that language and holds for every later answer', async ({ world }) => {
  world.say('/settings');
  const screen = await world.botSays(/Settings/);
  press(world, screen, /Русский/);
  await world.fake.waitFor(() => /Настройки/.test(current(world, screen).text), 5_000, 'redrawn in Russian');
  world.say('/help');
  assert.match((await world.botSays(/\/new/)).text, /[а-я]{4}/, 'help in Russian although the app speaks English');
  press(world, current(world, screen), /Auto|Авто/);
  await world.fake.waitFor(() => /Settings/.test(current(world, screen).text), 5_000, 'back to the app language');
});

chat('a forged settings button changes nothing', async ({ world }) => {
  world.say('/settings');
  const screen = await world.botSays(/Settings/);
  world.fake.userPresses(ME, screen.message_id, 'st:idle:7', { force: true });
  world.fake.userPresses(ME, screen.message_id, 'st:lang:de', { force: true });
  world.say('/help');
  await world.botSays(/\/new/);
  const settings = readState(world).users[String(ME.id)]?.settings as { idleHours?: number; lang?: string } | undefined;
  assert.ok(settings === undefined || (settings.idleHours === 12 && settings.lang === 'auto'), JSON.stringify(settings));
});

/** Starts a session, has one exchange, and returns its record. */
async function startSession(world: ChatWorld, name: string, prompt: string): Promise<Session> {
  const dir = world.workdir(name);
  world.say(`/new ${dir}`);
  await world.botSays(/started/);
  world.say(prompt);
  await world.fake.waitFor(() => world.prompts().find((p) => p.prompt === prompt), 15_000, `prompt ${prompt}`);
  return Object.values(readState(world).sessions).find((s) => s.name === name)!;
}

/** Moves the last input of sessions back in time and old archived records further, as if the daemon had slept. */
async function ageState(world: ChatWorld, change: (state: State) => void): Promise<void> {
  world.daemon.child.kill('SIGKILL');
  await world.daemon.exited;
  const state = readState(world);
  change(state);
  writeFileSync(statePath(world), JSON.stringify(state));
  await world.restartDaemon();
}

chat('an idle session is archived with a message naming /archive; one mid-turn is left alone; old records are purged', async ({ world }) => {
  const idle = await startSession(world, 'quiet', 'hello');
  const busy = await startSession(world, 'working', 'slow: 30');
  await world.fake.waitFor(async () => (await world.tmux.tmux(['capture-pane', '-p', '-t', busy.windowId!])).ok, 5_000, 'pane');
  await ageState(world, (state) => {
    state.sessions[idle.id]!.lastActivityAt = Date.now() - 13 * H;
    state.sessions[busy.id]!.lastActivityAt = Date.now() - 13 * H;
    state.sessions.old1 = { ...idle, id: 'old1', name: 'ancient', windowId: null, status: 'archived', archivedAt: Date.now() - 20 * 24 * H, archiveReason: 'done' };
  });
  const notice = await world.botSays(/Archived quiet/, 15_000);
  assert.match(notice.text, /12 h/);
  assert.match(notice.text, /\/archive/);
  await world.fake.waitFor(async () => !(await windowNames(world)).includes('quiet'), 5_000, 'the idle window closed');
  const state = readState(world);
  assert.is(state.sessions[idle.id]!.status, 'archived');
  assert.is(state.sessions[idle.id]!.archiveReason, 'idle');
  assert.is(state.sessions[busy.id]!.status, 'active', 'mid-turn: not archived');
  assert.ok((await windowNames(world)).includes('working'));
  assert.is(state.sessions.old1, undefined, 'purged');
});

chat('the idle hours chosen in /settings are the ones the sweep uses', async ({ world }) => {
  const s = await startSession(world, 'short', 'hello');
  world.say('/settings');
  const screen = await world.botSays(/Settings/);
  press(world, screen, /^6 h$/);
  await world.fake.waitFor(() => buttonsOf(current(world, screen)).some((b) => b.text === '✓ 6 h'), 5_000, '6 h marked');
  await ageState(world, (state) => void (state.sessions[s.id]!.lastActivityAt = Date.now() - 7 * H));
  assert.match((await world.botSays(/Archived short/, 15_000)).text, /6 h/);
});

chat.run();
