import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ME, newSession, startChatWorld, type ChatWorld } from './chat-fixture.js';
import type { ChatMessage } from './fake-telegram-chats.js';

// Claude Code's own commands, typed from the phone into the stand-in, which records and draws them as 2.1.328 does:
// no UserPromptSubmit hook fires for them and they write no turn end.
const local = suite<{ world: ChatWorld }>('local commands (/context, /model, /compact, /cost) through the chat');
local.before.each(async (ctx) => {
  ctx.world = await startChatWorld();
});
local.after.each(async (ctx) => {
  await ctx.world.close();
});

type Button = { text: string; callback_data?: string };
const buttonsOf = (m: ChatMessage | undefined): Button[] =>
  ((m?.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? []).flat();
const botTexts = (world: ChatWorld) => world.fake.messages(ME.id).filter((m) => m.from_bot && !m.deleted);

/** The command gets 👍 (never "did not confirm"); then the next prompt is answered and no card says "working". */
async function settles(world: ChatWorld, command: { message_id: number }, next: string): Promise<void> {
  await world.fake.waitFor(() => {
    const mine = world.fake.messages(ME.id).find((m) => m.message_id === command.message_id);
    return mine?.reactions.includes('👍') || undefined;
  }, 15_000, '👍 on the command');
  world.say(next);
  await world.botSays(`echo: ${next}`, 20_000);
  await world.fake.waitFor(() => (botTexts(world).every((m) => !/⏳ working/.test(m.text)) ? true : undefined),
    10_000, 'no card left working');
  assert.not.ok(botTexts(world).some((m) => /did not confirm/.test(m.text)), 'no "not confirmed" notice');
}

local('/context: its table comes back as text, the card ends idle, the next prompt is answered', async ({ world }) => {
  await newSession(world, 'ctx');
  world.say('first');
  await world.botSays('echo: first', 20_000);
  const command = world.say('/context');
  const table = await world.botSays(/Context usage[\s\S]*13\.8k\/1m tokens \(1%\)/, 20_000);
  assert.match(table.raw, /^<pre>/);
  assert.not.match(table.raw, /\x1b|\[38;5/, 'ANSI colours stripped');
  await settles(world, command, 'after context');
});

local('/model: its menu as buttons, a tap picks a model, the confirmation comes back', async ({ world }) => {
  await newSession(world, 'model');
  world.say('first');
  await world.botSays('echo: first', 20_000);
  const command = world.say('/model');
  const menu = await world.botSays(/Select model/, 20_000);
  const sonnet = buttonsOf(menu).find((b) => /Sonnet/.test(b.text));
  assert.ok(sonnet, JSON.stringify(buttonsOf(menu)));
  world.fake.userPresses(ME, menu.message_id, sonnet.callback_data!);
  await world.botSays(/Set model to Sonnet 5\.5 and saved as your default/, 20_000);
  await settles(world, command, 'after model');
});

local('/compact: "Compacted" comes back, its summary never shows as a prompt', async ({ world }) => {
  await newSession(world, 'compact');
  world.say('first');
  await world.botSays('echo: first', 20_000);
  const command = world.say('/compact');
  const done = await world.botSays(/^Compacted$/, 20_000);
  assert.is(done.text, 'Compacted');
  await settles(world, command, 'after compact');
  assert.not.ok(botTexts(world).some((m) => /being continued from a previous conversation/.test(m.text)));
});

local('/cost: the panel it opens is sent as text and closed with Escape, so the next prompt goes through', async ({ world }) => {
  await newSession(world, 'cost');
  const command = world.say('/cost');
  const panel = await world.botSays(/Estimated cost:\s+\$0\.0552/, 20_000);
  assert.match(panel.raw, /^<pre>/);
  assert.not.match(panel.text, /Esc to close/);
  await settles(world, command, 'after cost');
});

local.run();
