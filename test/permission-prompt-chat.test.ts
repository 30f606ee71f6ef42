import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ME, newSession, startChatWorld, type ChatWorld } from './chat-fixture.js';
import type { ChatMessage } from './fake-telegram-chats.js';
import { readTranscript, sessionIds, transcriptPathOf, type TranscriptEntry } from './fake-claude.js';
import { join } from 'node:path';

/** Manual mode ("--permission-mode default"): the stand-in asks before each Bash command, as Claude Code 2.1.328 does. */
interface Ctx { world: ChatWorld }
const prompt = suite<Ctx>('a permission prompt, answered from the phone');
prompt.before.each(async (ctx) => {
  ctx.world = await startChatWorld({ daemonEnv: { CLAUDE_FLAGS: '--permission-mode default', MONITOR_POLL_INTERVAL: '0.5' } });
});
prompt.after.each(async (ctx) => {
  await ctx.world.close();
});

type Button = { text: string; callback_data?: string };
const buttonsOf = (m: ChatMessage | undefined): Button[] =>
  ((m?.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? []).flat();
const current = (world: ChatWorld, id: number) => world.fake.messages(ME.id).find((m) => m.message_id === id)!;
const press = (world: ChatWorld, m: ChatMessage, label: RegExp, force = false) => {
  const button = buttonsOf(m).find((b) => label.test(b.text));
  assert.ok(button, `no button ${label} in ${JSON.stringify(buttonsOf(m))}`);
  world.fake.userPresses(ME, m.message_id, button.callback_data!, { force });
};
const until = <T>(world: ChatWorld, what: () => T | undefined | false, label: string, ms = 15_000) =>
  world.fake.waitFor(() => what() || undefined, ms, label);
/** Every entry of every transcript the stand-in wrote in this world. */
const entries = (world: ChatWorld): TranscriptEntry[] => {
  const configDir = join(world.root, 'claude-config');
  return world.prompts().flatMap((p) => p.cwd ?? []).filter((cwd, i, all) => all.indexOf(cwd) === i)
    .flatMap((cwd) => sessionIds(configDir, cwd).flatMap((id) => readTranscript(transcriptPathOf(configDir, cwd, id))));
};
const toolResults = (world: ChatWorld) => entries(world).flatMap((e) => {
  const content = (e.message as { content?: unknown } | undefined)?.content;
  return Array.isArray(content) ? content.filter((b: { type?: string }) => b.type === 'tool_result') : [];
}) as { content: string; is_error: boolean }[];
const DIALOG = /Claude needs your OK\nBash command\ntouch a\.txt\n\nDo you want to proceed\?$/;

prompt('a Bash call: one message with the command and a button per option; Yes runs it and the answer arrives', async ({ world }) => {
  await newSession(world, 'manual');
  world.say('bash: touch a.txt');
  const asked = await world.botSays(DIALOG, 20_000);
  assert.match(asked.text, /^manual · /);
  const labels = buttonsOf(asked).map((b) => b.text);
  assert.equal(labels.filter((_, i) => i !== 2), ['1. Yes', '2. Yes, and don’t ask again for: touch *', '4. No', '✏️ Yes, and tell Claude…']);
  assert.match(labels[2]!, /^3\. Yes, and switch to auto mode · auto mode handles/); // cut to fit a button
  assert.is(world.fake.messages(ME.id).filter((m) => m.from_bot && /Claude needs your OK/.test(m.text)).length, 1, 'one message');
  press(world, asked, /^1\. Yes$/);
  await world.botSays(/^ran: fake-claude does not run commands: touch a\.txt$/, 20_000);
  await until(world, () => /→ Yes$/.test(current(world, asked.message_id).text), 'the message says what was chosen');
  assert.equal(buttonsOf(current(world, asked.message_id)), []);
  assert.equal(toolResults(world).map((r) => r.is_error), [false], 'the command ran');
});

prompt('No: the command does not run, Claude stops as the real CLI does, and the next prompt is answered', async ({ world }) => {
  await newSession(world, 'manual');
  world.say('bash: touch a.txt');
  const asked = await world.botSays(DIALOG, 20_000);
  press(world, asked, /^4\. No$/);
  await until(world, () => /→ No$/.test(current(world, asked.message_id).text), 'the message says No');
  await until(world, () => toolResults(world).length === 1, 'the refusal in the transcript');
  assert.ok(toolResults(world)[0]!.is_error);
  assert.match(toolResults(world)[0]!.content, /doesn't want to proceed with this tool use/);
  world.say('and now?');
  await world.botSays(/^echo: and now\?$/, 20_000);
  assert.not.ok(world.fake.messages(ME.id).some((m) => m.from_bot && /^ran: /.test(m.text)), 'never ran');
});

prompt('"don\'t ask again": the next identical call asks nothing', async ({ world }) => {
  await newSession(world, 'manual');
  world.say('bash: touch a.txt');
  press(world, await world.botSays(DIALOG, 20_000), /^2\. Yes, and don’t ask again/);
  await world.botSays(/^ran: .*touch a\.txt$/, 20_000);
  world.say('bash: touch a.txt');
  await world.botSays(/^ran: .*touch a\.txt$/, 20_000);
  assert.is(world.fake.messages(ME.id).filter((m) => m.from_bot && /Claude needs your OK/.test(m.text)).length, 1);
});

prompt('✏️ selects Yes and opens its field: the next message goes to Claude with the approval, not as a prompt', async ({ world }) => {
  await newSession(world, 'manual');
  world.say('bash: touch a.txt');
  const asked = await world.botSays(DIALOG, 20_000);
  press(world, asked, /^✏️/);
  await world.botSays(/your answer as the next message/);
  // The menu's edit may come after the new message (messages go first): it comes.
  await world.fake.waitFor(() => /→ Yes, and tell Claude what to do next$/.test(current(world, asked.message_id).text) || undefined, 10_000, 'the choice said');
  world.say('then list the files');
  await world.botSays(/^ran: .*touch a\.txt; you said: then list the files$/, 20_000);
  assert.not.ok(world.prompts().some((p) => p.prompt === 'then list the files'), 'not typed as a prompt');
});

prompt('text sent while the prompt is open waits in the outbox and is typed once it is answered', async ({ world }) => {
  await newSession(world, 'manual');
  world.say('bash: touch a.txt');
  const asked = await world.botSays(DIALOG, 20_000);
  const waiting = world.say('meanwhile');
  await world.botSays(/Claude is waiting for an answer in the terminal, so your message waits too/);
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // delivery polls every 250 ms: several passes
  assert.not.ok(world.prompts().some((p) => p.prompt === 'meanwhile'), 'not typed into the prompt');
  assert.is(toolResults(world).length, 0, 'nor did it answer the prompt');
  press(world, asked, /^1\. Yes$/);
  await world.botSays(/^ran: /, 20_000);
  await world.botSays(/^echo: meanwhile$/, 20_000);
  assert.is(world.prompts().filter((p) => p.prompt === 'meanwhile').length, 1);
  assert.ok(world.fake.messages(ME.id).find((m) => m.message_id === waiting.message_id));
});

prompt('a tap on a prompt that is gone says so; the same command asked again is a new message', async ({ world }) => {
  await newSession(world, 'manual');
  world.say('bash: touch a.txt');
  const first = await world.botSays(DIALOG, 20_000);
  press(world, first, /^1\. Yes$/);
  await world.botSays(/^ran: /, 20_000);
  world.say('bash: touch a.txt');
  const second = await world.botSays(DIALOG, 20_000);
  assert.ok(second.message_id !== first.message_id);
  press(world, first, /^1\. Yes$/, true); // the old message's button, still on a phone that did not redraw
  await world.botSays(/no longer on the screen/);
  assert.is(toolResults(world).length, 1, 'the old button did not answer the new prompt');
  press(world, second, /^4\. No$/);
  await until(world, () => toolResults(world).length === 2, 'the second answered');
});

prompt('a background session: its prompt reaches the person with buttons, even with "needs you" notices off', async ({ world }) => {
  world.say('/settings');
  const settings = await world.botSays(/Settings/);
  press(world, settings, /Notify when Claude needs you/);
  await until(world, () => buttonsOf(current(world, settings.message_id)).some((b) => /^🔕 Notify when Claude needs/.test(b.text)), 'off');
  await newSession(world, 'bg');
  const started = world.fake.messages(ME.id).filter((m) => m.from_bot && /started/.test(m.text)).at(-1)!;
  await newSession(world, 'fg');
  world.say('bash: touch a.txt', started.message_id); // a reply-quote: to bg, which stays in the background
  const asked = await world.botSays(/^bg · Claude needs your OK[\s\S]*touch a\.txt[\s\S]*Do you want to proceed\?$/, 20_000);
  press(world, asked, /^1\. Yes$/);
  await until(world, () => toolResults(world).length === 1, 'the command ran');
});

prompt.run();
