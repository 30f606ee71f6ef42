import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ME, newSession, startChatWorld, type ChatWorld } from './chat-fixture.js';
import type { ChatMessage } from './fake-telegram-chats.js';

const menu = suite<{ world: ChatWorld }>('a menu\'s "Type something" answered from the phone');
menu.before.each(async (ctx) => {
  ctx.world = await startChatWorld();
});
menu.after.each(async (ctx) => {
  await ctx.world.close();
});

type Button = { text: string; callback_data?: string };
const buttonsOf = (m: ChatMessage | undefined): Button[] =>
  ((m?.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? []).flat();
const reactionsOf = (world: ChatWorld, id: number) => world.fake.messages(ME.id).find((m) => m.message_id === id)?.reactions ?? [];

menu('the answer goes into the menu\'s own field through the outbox, with 👀 and 👍, and never becomes a prompt', async ({ world }) => {
  await newSession(world, 'asker');
  world.say('ask: which one?');
  const asked = await world.botSays(/Claude asks[\s\S]*which one\?/, 20_000);
  const typeSomething = buttonsOf(asked).find((b) => /Type something/.test(b.text));
  assert.ok(typeSomething, JSON.stringify(buttonsOf(asked)));
  world.fake.userPresses(ME, asked.message_id, typeSomething.callback_data!);
  await world.botSays(/your answer as the next message/);
  const mine = world.say('my own answer');
  await world.botSays(/^answered: .*"my own answer"/, 20_000);
  await world.fake.waitFor(() => reactionsOf(world, mine.message_id).includes('👍') || undefined, 10_000, '👍 on the answer');
  assert.ok(reactionsOf(world, mine.message_id).includes('👀') || reactionsOf(world, mine.message_id).includes('👍'));
  assert.not.ok(world.prompts().some((p) => p.prompt === 'my own answer'), 'not typed as a prompt');
});

menu.run();
