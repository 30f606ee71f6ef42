import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ME, newSession, startChatWorld, type ChatWorld } from './chat-fixture.js';
import type { ChatMessage } from './fake-telegram-chats.js';

/** Plan mode: the stand-in writes a plan and asks "Ready to code?" with ExitPlanMode, as Claude Code 2.1.328 does. */
interface Ctx { world: ChatWorld }
const plan = suite<Ctx>('a plan approved from the phone');
plan.after.each(async (ctx) => {
  await ctx.world.close();
});
const inMode = (flags: string) => async (ctx: Ctx) => {
  ctx.world = await startChatWorld({ daemonEnv: { CLAUDE_FLAGS: flags, MONITOR_POLL_INTERVAL: '0.5' } });
};

type Button = { text: string; callback_data?: string };
const buttonsOf = (m: ChatMessage | undefined): Button[] =>
  ((m?.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? []).flat();
const press = (world: ChatWorld, m: ChatMessage, label: RegExp) => {
  const button = buttonsOf(m).find((b) => label.test(b.text));
  assert.ok(button, `no button ${label} in ${JSON.stringify(buttonsOf(m))}`);
  world.fake.userPresses(ME, m.message_id, button.callback_data!);
};
const ASKED = /^planner · Claude needs your OK\n\nPlan\n\nAdd a greeting\n\nSteps\n[\s\S]*Would you like to proceed\?$/;

plan.before.each(inMode('--permission-mode plan'));

plan('the plan and its options arrive as one message; "Yes, manually approve edits" lets the turn go on', async ({ world }) => {
  await newSession(world, 'planner');
  world.say('plan: Add a greeting');
  const asked = await world.botSays(ASKED, 20_000);
  assert.match(asked.raw, /<b>Plan<\/b>/); // Markdown, as answers are shown
  assert.equal(buttonsOf(asked).map((b) => b.text), [
    '1. Yes, and use auto mode', '2. Yes, manually approve edits', '3. Tell Claude what to change', 'Cancel',
  ]);
  press(world, asked, /^2\. /);
  await world.botSays(/^planned: User has approved your plan\./, 20_000);
  // The menu's edit may come after the answer (answers go first): it comes.
  const said = () => world.fake.messages(ME.id).find((m) => m.message_id === asked.message_id)!.text;
  await world.fake.waitFor(() => /→ Yes, manually approve edits$/.test(said()) || undefined, 10_000, 'the choice said');
});

plan('"Tell Claude what to change" takes the next message as the feedback Claude gets', async ({ world }) => {
  await newSession(world, 'planner');
  world.say('plan: Add a greeting');
  press(world, await world.botSays(ASKED, 20_000), /^3\. Tell Claude what to change$/);
  await world.botSays(/your answer as the next message/);
  world.say('make it shorter');
  await world.botSays(/^revising the plan: make it shorter$/, 20_000);
  assert.not.ok(world.prompts().some((p) => p.prompt === 'make it shorter'), 'not typed as a prompt');
});

const bypass = suite<Ctx>('a plan in a session started in bypass mode');
bypass.before.each(inMode('--dangerously-skip-permissions'));
bypass.after.each(async (ctx) => {
  await ctx.world.close();
});

bypass('the options are the ones the pane shows', async ({ world }) => {
  await newSession(world, 'planner');
  world.say('plan: Add a greeting');
  const asked = await world.botSays(ASKED, 20_000);
  assert.match(buttonsOf(asked)[0]!.text, /^1\. Yes, and switch to BYPASS PERMISSIONS/);
  press(world, asked, /^1\. /);
  await world.botSays(/^planned: /, 20_000);
});

plan.run();
bypass.run();
