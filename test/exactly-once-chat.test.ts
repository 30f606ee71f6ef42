/**
 * Nothing lost, nothing twice, with the real daemon killed at moments the test does not choose: a burst of prompts,
 * SIGTERM and SIGKILL in between (a seeded sequence, so a failure can be replayed), then every prompt must have
 * reached Claude exactly once and every answer must be in the chat exactly once.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { ME, newSession, startChatWorld, type ChatWorld } from './chat-fixture.js';

const SEEDS = [7, 1234];
const PROMPTS = 12;

/** Park–Miller: the same seed gives the same moments. */
function random(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 48271) % 0x7fffffff) / 0x7fffffff;
}

const once = suite<{ world: ChatWorld }>('a burst of prompts while the daemon is stopped and killed');
once.before.each(async (ctx) => {
  ctx.world = await startChatWorld();
});
once.after.each(async (ctx) => {
  await ctx.world.close();
});

for (const seed of SEEDS) {
  once(`seed ${seed}: each prompt typed exactly once, each answer in the chat exactly once`, async ({ world }) => {
    const dir = await newSession(world, 'burst');
    const next = random(seed);
    const tag = (i: number) => `q${i}z`;
    const botCount = () => world.fake.messages(ME.id).filter((m) => m.from_bot).length;
    for (let i = 0; i < PROMPTS; i++) {
      const before = botCount();
      world.say(`burst ${tag(i)}`);
      if (next() < 0.5) {
        // Soon after the bot said something (an answer, a card): where a send and its record are apart.
        await world.fake.waitFor(() => botCount() > before || undefined, 5_000, 'the bot says something').catch(() => {});
        await sleep(Math.floor(next() * 400));
        await world.restartDaemon(next() < 0.5 ? 'SIGTERM' : 'SIGKILL');
      } else await sleep(Math.floor(next() * 600));
    }
    const typed = (i: number) => world.prompts().filter((p) => p.prompt === `burst ${tag(i)}` && p.cwd === dir).length;
    const answered = (i: number) => world.fake.messages(ME.id)
      .filter((m) => m.from_bot && new RegExp(`echo: burst ${tag(i)}\\b`).test(m.text)).length;
    const all = [...Array(PROMPTS).keys()];
    const status = () => all.map((i) => `${tag(i)} typed ${typed(i)} answered ${answered(i)}`).join(', ');
    await world.fake.waitFor(() => all.every((i) => typed(i) >= 1 && answered(i) >= 1) || undefined, 120_000,
      'every prompt typed and answered').catch((err: Error) => assert.unreachable(`${err.message}: ${status()}`));
    await sleep(3_000); // a late duplicate would show by now
    for (const i of all) {
      assert.is(typed(i), 1, `${tag(i)} typed once`);
      assert.is(answered(i), 1, `${tag(i)} answered once`);
    }
  });
}

once.run();
