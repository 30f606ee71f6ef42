/**
 * Permission prompts and plan approval with the real Claude Code CLI: ccbot reads 2.1.328's own dialogs, answers
 * them from a tap (Tab for "Yes, and tell Claude…") and types the person's words into the field that opens.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatMessage } from '../fake-telegram-chats.js';
import { findClaudeCli, ME, startE2EWorld, type E2EWorld } from './claude-world.js';

const cli = findClaudeCli();
if (!cli) console.log('e2e: SKIPPED — the real Claude Code CLI is not installed (see README: How it is tested).');

interface Ctx { world: E2EWorld }
const e2e = suite<Ctx>('permission prompts and plan approval with the real Claude Code CLI');
e2e.before.each(async (ctx) => {
  if (cli) ctx.world = await startE2EWorld(cli);
});
e2e.after.each(async (ctx) => {
  await ctx.world?.close();
});
const test = (name: string, fn: (ctx: Ctx) => Promise<void>) => e2e(name, async (ctx) => (cli ? fn(ctx) : undefined));

type Button = { text: string; callback_data?: string };
const buttonsOf = (m: ChatMessage | undefined): Button[] =>
  ((m?.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? []).flat();
const current = (world: E2EWorld, m: ChatMessage) => world.fake.messages(ME.id).find((x) => x.message_id === m.message_id)!;

function tap(world: E2EWorld, m: ChatMessage, label: RegExp): void {
  const found = buttonsOf(current(world, m)).find((b) => label.test(b.text));
  if (!found?.callback_data) throw new Error(`no button ${label}: ${JSON.stringify(buttonsOf(current(world, m)).map((b) => b.text))}`);
  world.fake.userPresses(ME, m.message_id, found.callback_data);
}

/** /settings → the mode for new sessions, then /new in workdir `name`. */
async function startIn(world: E2EWorld, mode: RegExp, name: string): Promise<void> {
  world.say('/settings');
  const settings = await world.botSays(/Settings/);
  tap(world, settings, mode);
  await world.fake.waitFor(() => buttonsOf(current(world, settings)).some((b) => b.text.startsWith('✓ ') && mode.test(b.text.slice(2))) || undefined,
    10_000, 'the mode marked');
  world.say(`/new ${world.workdir(name)}`);
  await world.botSays(/started/);
}

test('manual mode: the Bash prompt as buttons; ✏️ approves it and Claude gets the next message with the approval', async ({ world }) => {
  await startIn(world, /manual/, 'alpha');
  world.say('bash: touch approved.txt');
  const asked = await world.botSays(/^alpha · Claude needs your OK\nBash command\ntouch approved\.txt\n\nDo you want to proceed\?$/, 60_000);
  const labels = buttonsOf(asked).map((b) => b.text);
  assert.is(labels[0], '1. Yes');
  assert.is(labels.at(-2), '4. No');
  tap(world, asked, /^✏️ /);
  await world.botSays(/your answer as the next message/, 30_000);
  world.say('then say done');
  await world.botSays(/^ok: then say done$/, 60_000);
  assert.ok(existsSync(join(world.workdir('alpha'), 'approved.txt')), 'the command ran');
  assert.ok(world.api.requests.some((r) => r.lastUserText === 'then say done'), 'Claude got the words');
});

test('plan mode: the plan and "Ready to code?" as one message; "Yes, manually approve edits" lets the turn go on', async ({ world }) => {
  await startIn(world, /plan/, 'beta');
  world.say('plan: Add a greeting file');
  const asked = await world.botSays(/^beta · Claude needs your OK\n\nPlan\n\nAdd a greeting file\n[\s\S]*Would you like to proceed\?$/, 60_000);
  assert.equal(buttonsOf(asked).map((b) => b.text).slice(1, 3), ['2. Yes, manually approve edits', '3. Tell Claude what to change']);
  tap(world, asked, /^2\. /);
  await world.botSays(/^planned: User has approved your plan/, 60_000);
  // The menu's edit may come after the answer (answers go first): it comes.
  await world.fake.waitFor(() => /→ Yes, manually approve edits$/.test(current(world, asked).text) || undefined, 10_000, 'the choice said');
});

e2e.run();
