import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ME, newSession, startChatWorld, type ChatWorld } from './chat-fixture.js';

interface Ctx { world: ChatWorld }
const chat = suite<Ctx>('secrets are masked on the way to the chat');
chat.after.each(async (ctx) => {
  await ctx.world.close();
});

const ANTHROPIC_KEY = 'sk-ant-' + 'api03-Xy7Qk2mN9pL4vB8wR1tZ6cH3jF5dS0aE';
const DEPLOY_TOKEN = 'dpl' + '.7f3kQ9zW2x';
const botTexts = (world: ChatWorld) => world.fake.messages(ME.id).filter((m) => m.from_bot).map((m) => m.text);

chat('an answer holding an Anthropic key and a value from the session folder\'s .env arrives masked', async (ctx) => {
  ctx.world = await startChatWorld();
  const { world } = ctx;
  writeFileSync(join(world.workdir('app'), '.env'), `DEPLOY_TOKEN=${DEPLOY_TOKEN}\nPORT=8080\n`);
  await newSession(world, 'app');
  world.say(`the key is ${ANTHROPIC_KEY} and the deploy token ${DEPLOY_TOKEN} on 8080`);
  const answer = await world.botSays(/^echo: /, 20_000);
  assert.is(answer.text, 'echo: the key is sk-ant-…[redacted] and the deploy token [redacted] on 8080');
  const leaked = botTexts(world).filter((text) => text.includes(ANTHROPIC_KEY) || text.includes(DEPLOY_TOKEN));
  assert.equal(leaked, [], 'no bot message carries a secret');
});

chat('with CCBOT_REDACT=0 the same answer goes out as it is', async (ctx) => {
  ctx.world = await startChatWorld({ daemonEnv: { CCBOT_REDACT: '0' } });
  const { world } = ctx;
  await newSession(world, 'plain');
  world.say(`the key is ${ANTHROPIC_KEY}`);
  const answer = await world.botSays(/^echo: /, 20_000);
  assert.is(answer.text, `echo: the key is ${ANTHROPIC_KEY}`);
});

chat.run();
