import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { claudeSettingsPath, readHookCommands, writeClaudeSettings } from '#ccbot/claude-settings.js';
import { ccbotHookCommand } from '#ccbot/hook-install.js';
import { readSessionMap } from '#ccbot/session-map.cjs';
import { ME, newSession, startChatWorld, type ChatWorld } from './chat-fixture.js';
import { tempDir } from './daemon-fixture.js';

const write = suite<{ dir: ReturnType<typeof tempDir> }>('writeClaudeSettings');
write.before.each((ctx) => {
  ctx.dir = tempDir('ccbot-claude-settings-');
});
write.after.each((ctx) => ctx.dir.remove());

write('writes one hook of ours per event, naming this ccbot', ({ dir }) => {
  const path = writeClaudeSettings(dir.path);
  assert.is(path, claudeSettingsPath(dir.path));
  assert.equal(readHookCommands(path), { SessionStart: [ccbotHookCommand()], UserPromptSubmit: [ccbotHookCommand()] });
});

write('leaves an up-to-date file alone and rewrites one naming another ccbot', ({ dir }) => {
  const path = writeClaudeSettings(dir.path);
  const first = statSync(path).ino;
  writeClaudeSettings(dir.path);
  assert.is(statSync(path).ino, first, 'same content: not rewritten');
  writeClaudeSettings(dir.path, '/old/node /old/ccbot/dist/main.js hook');
  writeClaudeSettings(dir.path);
  assert.equal(readHookCommands(path).UserPromptSubmit, [ccbotHookCommand()]);
});

write('readHookCommands: a missing or unparsable file holds no hooks', ({ dir }) => {
  assert.equal(readHookCommands(join(dir.path, 'absent.json')), {});
  writeFileSync(join(dir.path, 'bad.json'), '{nope');
  assert.equal(readHookCommands(join(dir.path, 'bad.json')), {});
});

write.run();

const chat = suite<{ world: ChatWorld; theirs: ReturnType<typeof tempDir>; settings: string; theirLog: string }>('hooks without ccbot hook --install');
chat.before.each(async (ctx) => {
  // The person's own settings.json, with a hook of theirs and no ccbot hook: nobody ran --install on this machine.
  ctx.theirs = tempDir('ccbot-theirs-');
  ctx.theirLog = join(ctx.theirs.path, 'theirs.log');
  const hook = { type: 'command', command: `echo theirs >> '${ctx.theirLog}'` };
  ctx.settings = JSON.stringify({ model: 'opus', hooks: { UserPromptSubmit: [{ hooks: [hook] }] } }, null, 4);
  ctx.world = await startChatWorld({ claudeSettingsJson: ctx.settings });
});
chat.after.each(async (ctx) => {
  await ctx.world.close();
  ctx.theirs.remove();
});

chat('a session gets its map entry and receipts, their hook runs too, and settings.json is unchanged', async (ctx) => {
  const { world } = ctx;
  await newSession(world, 'api');
  const sent = world.say('hello without install');
  const receipt = () => world.fake.messages(ME.id).find((m) => m.message_id === sent.message_id)?.reactions?.includes('👍');
  await world.fake.waitFor(receipt, 15_000, '👍 receipt');
  const entries = Object.values(readSessionMap(join(world.root, 'state')));
  assert.is(entries.length, 1, 'one map entry, written by the hook the daemon handed to claude');
  assert.ok(entries[0]!.session_id);
  assert.ok(existsSync(ctx.theirLog) && readFileSync(ctx.theirLog, 'utf8').includes('theirs'), 'their own hook ran as well');
  assert.is(readFileSync(join(world.root, 'claude-config', 'settings.json'), 'utf8'), ctx.settings, 'byte for byte');
});

chat.run();
