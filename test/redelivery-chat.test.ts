/**
 * Telegram hands an update out again when the bot's offset never confirmed it: a daemon that died after acting on an
 * update but before recording it as handled sees it a second time. Keyed by the update, the second time does nothing.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startDaemon } from './daemon-fixture.js';
import { ME, startChatWorld, type ChatWorld } from './chat-fixture.js';

const again = suite<{ world: ChatWorld }>('the same update delivered twice');
again.before.each(async (ctx) => {
  ctx.world = await startChatWorld();
});
again.after.each(async (ctx) => {
  await ctx.world.close();
});

again('a redelivered /new opens no second window and a redelivered text is not typed again', async ({ world }) => {
  const dir = world.workdir('once');
  const asked = world.say(`/new ${dir}`);
  await world.botSays(/started/);
  const hello = world.say('hello once');
  await world.fake.waitFor(() => world.prompts().find((p) => p.prompt === 'hello once'), 15_000, 'typed');
  await world.botSays(/^echo: hello once$/, 20_000);
  await sleep(1_000); // the daemon records the answer as sent (killed while Telegram's reply is on its way, it may repeat it)

  // The daemon dies, and state.json is as if it had died before recording either update as handled.
  world.daemon.child.kill('SIGKILL');
  await world.daemon.exited;
  const statePath = join(world.root, 'state', 'state.json');
  const { lastUpdateId: _last, handledUpdateIds: _handled, ...rest } = JSON.parse(readFileSync(statePath, 'utf8')) as Record<string, unknown>;
  writeFileSync(statePath, JSON.stringify(rest));
  world.fake.redeliverMessage(asked.message_id);
  world.fake.redeliverMessage(hello.message_id);
  const polls = world.fake.callsTo('getUpdates').length;
  world.daemon = startDaemon(world.env, world.root);
  await world.fake.waitFor((f) => f.callsTo('getUpdates').length > polls + 1 && f.pendingUpdates.length === 0 || undefined, 15_000, 'both handled and confirmed');
  world.say('/list');
  await world.botSays(/once/);
  await sleep(2_000); // a second prompt would be typed by now

  const windows = await world.tmux.tmux(['list-windows', '-t', '=ccbot-test', '-F', '#{window_name}']);
  assert.equal((windows.ok ? windows.stdout : '').split('\n').filter(Boolean).sort(), ['__main__', 'once']);
  assert.is(world.prompts().filter((p) => p.prompt === 'hello once').length, 1, 'typed once');
  assert.is(world.fake.messages(ME.id).filter((m) => m.from_bot && m.text === 'echo: hello once').length, 1, 'answered once');
});

again.run();
