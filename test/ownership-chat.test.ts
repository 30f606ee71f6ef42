import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeAction } from './keyboards-fixture.js';
import { ME, newSession, startChatWorld, type ChatWorld } from './chat-fixture.js';

/** A second allowed person: allowed to use the bot, never to touch ME's sessions. */
const OTHER = { id: 1002, first_name: 'Other', language_code: 'en' };

const owners = suite<{ world: ChatWorld }>('two allowed people: each one\'s sessions are their own');
owners.before.each(async (ctx) => {
  ctx.world = await startChatWorld({ daemonEnv: { ALLOWED_USERS: `${ME.id},${OTHER.id}` } });
});
owners.after.each(async (ctx) => {
  await ctx.world.close();
});

const sessionIds = (world: ChatWorld): Record<string, { status: string; ownerUserId: number }> =>
  (JSON.parse(readFileSync(join(world.root, 'state', 'state.json'), 'utf8')) as { sessions: Record<string, never> }).sessions;

owners('B\'s Kill for A\'s session (a forged or stale button) is refused: the window and the session live on', async ({ world }) => {
  await newSession(world, 'mine');
  const [id] = Object.keys(sessionIds(world));
  assert.ok(id, 'A has a session');
  const hello = world.fake.userSends(OTHER, '/help');
  await world.fake.waitFor((f) => f.messages(OTHER.id).find((m) => m.from_bot), 10_000, 'B gets help');
  for (const data of [encodeAction({ t: 'killYes', id: id! }), encodeAction({ t: 'switch', id: id! })]) {
    const before = world.fake.messages(OTHER.id).filter((m) => m.from_bot).length;
    world.fake.userPresses(OTHER, hello.message_id, data, { force: true });
    await world.fake.waitFor((f) => f.messages(OTHER.id).filter((m) => m.from_bot).length > before, 10_000, 'B is answered');
    assert.match(world.fake.lastBotMessage(OTHER.id)!.text, /Unknown session/);
  }
  assert.is(sessionIds(world)[id!]!.status, 'active');
  const windows = await world.tmux.tmux(['list-windows', '-t', '=ccbot-test', '-F', '#{window_name}']);
  assert.ok(windows.ok && windows.stdout.split('\n').includes('mine'), 'A\'s window is still there');
  assert.not.ok(world.fake.messages(ME.id).some((m) => /Killed/.test(m.text)), 'A hears of no kill');
});

owners.run();
