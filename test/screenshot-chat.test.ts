/**
 * /screenshot from the chat, with the real daemon, an isolated tmux and the stand-in claude: a picture of the pane with
 * the key buttons and a text button; a key redraws the same picture (editMessageMedia); the text button sends the
 * pane as text, whose keys redraw the text.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ME, newSession, startChatWorld, type ChatWorld } from './chat-fixture.js';
import type { ChatMessage } from './fake-telegram-chats.js';
import type { State } from './state-fixture.js';

interface Ctx { world: ChatWorld }
const chat = suite<Ctx>('/screenshot from the chat');
chat.before.each(async (ctx) => {
  ctx.world = await startChatWorld();
});
chat.after.each(async (ctx) => {
  await ctx.world.close();
});

type Button = { text: string; callback_data?: string };
const buttonsOf = (m: ChatMessage | undefined): Button[] =>
  ((m?.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? []).flat();
const current = (world: ChatWorld, m: ChatMessage) => world.fake.messages(ME.id).find((x) => x.message_id === m.message_id)!;
const photos = (world: ChatWorld) => world.fake.messages(ME.id).filter((m) => m.from_bot && m.kind === 'photo');
const KEYS = ['Esc', '↑', 'Enter ⏎', '←', '↓', '→', 'Tab', 'Space', '^C', '🔄'];

function tap(world: ChatWorld, m: ChatMessage, text: string): void {
  const found = buttonsOf(current(world, m)).find((b) => b.text === text);
  if (!found?.callback_data) throw new Error(`no button ${text}: ${JSON.stringify(buttonsOf(current(world, m)).map((b) => b.text))}`);
  world.fake.userPresses(ME, m.message_id, found.callback_data);
}

/** The window's height in rows, as tmux has it. */
async function paneRows(world: ChatWorld): Promise<number> {
  const state = JSON.parse(readFileSync(join(world.root, 'state', 'state.json'), 'utf8')) as State;
  const windowId = Object.values(state.sessions).find((s) => s.name === 'alpha')!.windowId!;
  const shown = await world.tmux.tmux(['display-message', '-p', '-t', windowId, '#{pane_height}']);
  return Number(shown.stdout?.trim());
}

chat('a picture with the key buttons; a key redraws it in place; "As text" sends the text with its own keys', async ({ world }) => {
  await newSession(world, 'alpha');
  world.say('/screenshot');
  const shot = await world.fake.waitFor(() => photos(world)[0], 10_000, 'the picture');
  assert.is(shot.text, 'alpha', 'the caption names the session');
  const labels = buttonsOf(shot).map((b) => b.text);
  assert.equal(labels, [...KEYS, '🔤 As text']);
  const png = world.fake.fileContent(shot.photo!.file_id)!;
  assert.is(png.subarray(1, 4).toString('latin1'), 'PNG');
  assert.is(png.readUInt32BE(20), (await paneRows(world)) * 16, 'one 16-pixel row per pane row');

  const first = shot.photo!.file_id;
  tap(world, shot, '↓');
  await world.fake.waitFor(() => current(world, shot).photo!.file_id !== first || undefined, 10_000, 'the picture redrawn');
  assert.is(current(world, shot).editCount, 1);
  assert.equal(buttonsOf(current(world, shot)).map((b) => b.text), labels, 'the buttons stay');
  assert.is(photos(world).length, 1, 'in place: no second picture');

  tap(world, shot, '🔤 As text');
  const text = await world.botSays(/^alpha\n/);
  assert.is(text.kind, 'text');
  assert.ok(text.entities.some((e) => e.type === 'pre'), 'the pane in a <pre> block');
  assert.equal(buttonsOf(text).map((b) => b.text), KEYS, 'keys, and no text button under the text');
  tap(world, text, '🔄');
  // The chat's updates are handled in order: once the next /screenshot's picture is there, the tap was handled.
  world.say('/screenshot');
  await world.fake.waitFor(() => photos(world)[1], 10_000, 'the second picture');
  assert.is(photos(world).length, 2, 'a key under the text drew no picture of its own');
  assert.is(current(world, text).kind, 'text');
  assert.ok(!current(world, text).deleted);
});

chat.run();
