/**
 * /mode and the permission mode of /settings with the real Claude Code CLI: the footer ccbot reads and the Shift+Tab
 * cycle it drives are 2.1.328's own, from a bypass start and from a manual one.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Mode } from '#ccbot/modes.js';
import type { ChatMessage } from '../fake-telegram-chats.js';
import type { State } from '../state-fixture.js';
import { findClaudeCli, ME, startE2EWorld, type E2EWorld } from './claude-world.js';

const cli = findClaudeCli();
if (!cli) console.log('e2e: SKIPPED — the real Claude Code CLI is not installed (see README: How it is tested).');

interface Ctx { world: E2EWorld }
const e2e = suite<Ctx>('permission modes with the real Claude Code CLI');
e2e.before.each(async (ctx) => {
  if (cli) ctx.world = await startE2EWorld(cli);
});
e2e.after.each(async (ctx) => {
  await ctx.world?.close();
});
const test = (name: string, fn: (ctx: Ctx) => Promise<void>) => e2e(name, async (ctx) => (cli ? fn(ctx) : undefined));

const LABEL: Record<Mode, string> = {
  bypass: '⏵⏵ bypass', auto: '⏵⏵ auto', manual: '✋ manual', acceptEdits: '⏵⏵ accept edits', plan: '⏸ plan',
};
/** What 2.1.328 writes under its input box in each mode. */
const FOOTER: Record<Mode, RegExp> = {
  bypass: /⏵⏵ bypass permissions on/, auto: /⏵⏵ auto mode on/, manual: /⏸ manual mode on/,
  acceptEdits: /⏵⏵ accept edits on/, plan: /⏸ plan mode on/,
};
type Button = { text: string; callback_data?: string };
const buttonsOf = (m: ChatMessage | undefined): Button[] =>
  ((m?.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? []).flat();
const current = (world: E2EWorld, m: ChatMessage) => world.fake.messages(ME.id).find((x) => x.message_id === m.message_id)!;
const readState = (world: E2EWorld) => JSON.parse(readFileSync(join(world.root, 'state', 'state.json'), 'utf8')) as State;
const windowOf = (world: E2EWorld, name: string) =>
  Object.values(readState(world).sessions).find((s) => s.name === name && s.status === 'active')!.windowId!;

function tap(world: E2EWorld, m: ChatMessage, text: string): void {
  const found = buttonsOf(current(world, m)).find((b) => b.text === text);
  if (!found?.callback_data) throw new Error(`no button ${text}: ${JSON.stringify(buttonsOf(current(world, m)).map((b) => b.text))}`);
  world.fake.userPresses(ME, m.message_id, found.callback_data);
}

async function footer(world: E2EWorld, name: string): Promise<string> {
  const captured = await world.tmux.tmux(['capture-pane', '-p', '-t', windowOf(world, name)]);
  return captured.ok ? captured.stdout.trimEnd().split('\n').at(-1)! : '';
}

/** Every reachable mode in turn: the message says it and the real footer shows it. */
async function visitAll(world: E2EWorld, name: string, from: Mode, order: Mode[], offered: Mode[]): Promise<void> {
  world.say('/mode');
  const screen = await world.botSays(`${name}: ${LABEL[from]} mode`, 30_000);
  assert.equal(buttonsOf(screen).map((b) => b.text), offered.map((m) => LABEL[m]));
  for (const mode of order) {
    tap(world, screen, LABEL[mode]);
    await world.fake.waitFor(() => current(world, screen).text.includes(`${name}: ${LABEL[mode]} mode`) || undefined,
      20_000, `${mode} said`);
    assert.match(await footer(world, name), FOOTER[mode]);
  }
}

test('/mode from a bypass start: every other mode, selected with Shift+Tab and read back from the real footer', async ({ world }) => {
  world.say(`/new ${world.workdir('alpha')}`);
  await world.botSays(/started/);
  await visitAll(world, 'alpha', 'bypass', ['plan', 'auto', 'manual', 'acceptEdits', 'bypass'],
    ['manual', 'acceptEdits', 'plan', 'auto']);
});

test('manual chosen in /settings: Claude starts in it (--permission-mode default) and /mode offers no bypass', async ({ world }) => {
  world.say('/settings');
  const settings = await world.botSays(/Settings/);
  tap(world, settings, LABEL.manual);
  await world.fake.waitFor(() => buttonsOf(current(world, settings)).some((b) => b.text === `✓ ${LABEL.manual}`) || undefined,
    10_000, 'manual marked');
  world.say(`/new ${world.workdir('beta')}`);
  await world.botSays(/started/);
  await visitAll(world, 'beta', 'manual', ['auto', 'acceptEdits', 'plan', 'manual'], ['acceptEdits', 'plan', 'auto']);
});

e2e.run();
