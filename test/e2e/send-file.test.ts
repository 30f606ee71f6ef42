/**
 * `ccbot send-file` run by the real Claude Code CLI through its Bash tool, with the command its own system prompt
 * gives it (`--append-system-prompt`): the image arrives in the chat as a photo under the session's name.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { png } from '../png-fixture.js';
import { findClaudeCli, ME, startE2EWorld, type E2EWorld } from './claude-world.js';

const cli = findClaudeCli();
const e2e = suite<{ world: E2EWorld }>('ccbot send-file from the real Claude Code CLI');
e2e.before.each(async (ctx) => {
  if (cli) ctx.world = await startE2EWorld(cli);
});
e2e.after.each(async (ctx) => {
  await ctx.world?.close();
});

e2e('Claude runs the send-file command of its system prompt; the photo arrives', async ({ world }) => {
  if (!cli) return; // real-claude.test.ts says it was skipped
  world.say(`/new ${world.workdir('alpha')}`);
  await world.botSays(/started/);
  const listed = await world.tmux.tmux(['list-windows', '-t', '=ccbot-test', '-F', '#{pane_pid} #{window_name}']);
  const pid = (listed.ok ? listed.stdout : '').split('\n').find((l) => l.endsWith(' alpha'))?.split(' ')[0];
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  const prompt = argv[argv.indexOf('--append-system-prompt') + 1] ?? '';
  const command = /run: (.+) send-file <path>/.exec(prompt)?.[1];
  assert.ok(command, argv.join(' '));
  const image = png(64, 48);
  writeFileSync(join(world.workdir('alpha'), 'chart.png'), image);

  world.say(`bash: ${command} send-file chart.png --caption 'the chart'`);
  await world.botSays(/^ran: sent chart\.png$/, 60_000);
  const photo = world.fake.messages(ME.id).find((m) => m.from_bot && m.kind === 'photo');
  assert.is(photo?.text, 'alpha\nthe chart');
  assert.equal(world.fake.fileContent(photo!.photo!.file_id), image);
});

e2e.run();
