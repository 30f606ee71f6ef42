import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ME, newSession, startChatWorld, type ChatWorld } from './chat-fixture.js';
import type { ChatMessage } from './fake-telegram-chats.js';

interface Ctx { world: ChatWorld }
const chat = suite<Ctx>('what the person sees of Claude\'s work');
chat.before.each(async (ctx) => {
  // A stall after 3 s, so the hint can be seen in a test.
  ctx.world = await startChatWorld({ daemonEnv: { CCBOT_STALL_MINUTES: '0.05', MONITOR_POLL_INTERVAL: '0.5' } });
});
chat.after.each(async (ctx) => {
  await ctx.world.close();
});

type Button = { text: string; callback_data?: string };
const buttonsOf = (m: ChatMessage | undefined): Button[] => ((m?.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? []).flat();
const botMessages = (world: ChatWorld) => world.fake.messages(ME.id).filter((m) => m.from_bot && !m.deleted);
const current = (world: ChatWorld, id: number) => world.fake.messages(ME.id).find((m) => m.message_id === id)!;
/** The sizes in the daemon's last `monitor: tracking` line (what it keeps per session). */
const tracking = (world: ChatWorld): Record<string, number> => {
  const line = world.daemon.stderr().split('\n').filter((l) => l.startsWith('debug: monitor: tracking ')).at(-1) ?? '';
  return Object.fromEntries([...line.matchAll(/(\w+)=(\d+)/g)].map(([, key, size]) => [key, Number(size)]));
};
const waitFor = <T>(world: ChatWorld, what: () => T | undefined | false, label: string, ms = 15_000) => world.fake.waitFor(() => what() || undefined, ms, label);


chat('a tool call shows on the card with its outcome; the answer comes once, as a new message after the card', async ({ world }) => {
  await newSession(world, 'api');
  world.say('bash: echo hi');
  const answer = await world.botSays(/^ran: hi$/, 20_000);
  const card = await waitFor(world, () => botMessages(world).find((m) => /Bash: echo hi → Output 1 line/.test(m.text)), 'card with the tool line');
  assert.ok(card.message_id < answer.message_id, 'the card sits above the answer');
  await waitFor(world, () => /idle/.test(current(world, card.message_id).text), 'the card says idle');
  assert.match(card.text, /^api · /);
  assert.is(botMessages(world).filter((m) => m.text === 'ran: hi').length, 1);
  assert.ok(buttonsOf(answer).some((b) => /api/.test(b.text)), 'the answer carries the switcher');
  // The next turn gets a card of its own; the first one stays as it was.
  world.say('again');
  await world.botSays(/^echo: again$/, 20_000);
  assert.match(current(world, card.message_id).text, /Bash: echo hi/);
  assert.is(botMessages(world).filter((m) => m.text === 'echo: again').length, 1);
});

chat('after /clear the window runs a new Claude session: its answers arrive from the new transcript, the old ones are not repeated; the old watcher is closed, and /done leaves nothing kept', async ({ world }) => {
  await newSession(world, 'api');
  world.say('before clear');
  await world.botSays(/^echo: before clear$/, 20_000);
  world.say('/clear'); // forwarded verbatim; the stand-in starts a new session and a new transcript, like Claude Code
  await new Promise((resolve) => setTimeout(resolve, 1_500));
  world.say('after clear');
  await world.botSays(/^echo: after clear$/, 20_000);
  await new Promise((resolve) => setTimeout(resolve, 1_000)); // time for a repeat to show up, if there were one
  assert.is(botMessages(world).filter((m) => m.text === 'echo: before clear').length, 1);
  assert.is(botMessages(world).filter((m) => m.text === 'echo: after clear').length, 1);
  // What the daemon keeps per session (its debug line): one follow and one watcher, the old transcript's closed.
  assert.equal([tracking(world).follows, tracking(world).watchers], [1, 1], world.daemon.stderr());
  world.say('/done');
  await world.botSays(/Archived api/);
  await waitFor(world, () => tracking(world).follows === 0, 'the ended session forgotten');
  assert.ok(Object.values(tracking(world)).every((size) => size === 0), JSON.stringify(tracking(world)));
});

chat('a daemon killed mid-turn: after the restart the answer arrives exactly once and the card is not doubled', async ({ world }) => {
  await newSession(world, 'long');
  world.say('slow: 4');
  // Killed once the card has been edited, i.e. once the daemon knows its message id: between Telegram taking a
  // message and the daemon writing its id down there is a window no one can close.
  await waitFor(world, () => botMessages(world).find((m) => /^long · .*working/.test(m.text) && m.editCount > 0), 'the card, working');
  await world.restartDaemon('SIGKILL');
  await world.botSays(/chunk 8 of 8/, 20_000);
  await new Promise((resolve) => setTimeout(resolve, 1_500)); // time for a duplicate to show up, if there were one
  assert.is(botMessages(world).filter((m) => /chunk 8 of 8/.test(m.text)).length, 1, 'one answer');
  assert.is(botMessages(world).filter((m) => /^long · /.test(m.text)).length, 1, 'one card');
});

chat('a background session sends one short notice when it finishes; its badge shows in the switcher', async ({ world }) => {
  await newSession(world, 'bg');
  const bgStarted = world.fake.lastBotMessage(ME.id)!;
  await newSession(world, 'fg');
  world.say('slow: 2', bgStarted.message_id); // a reply-quote: to bg, which stays in the background
  const notice = await world.botSays(/^bg: finished\. chunk 1 of 4\.$/, 20_000);
  assert.ok(buttonsOf(notice).some((b) => b.text === '✅ bg'), JSON.stringify(buttonsOf(notice)));
  assert.not.ok(botMessages(world).some((m) => /^bg · /.test(m.text)), 'no card for a background session');
  assert.not.ok(botMessages(world).some((m) => /chunk 4 of 4/.test(m.text)), 'no full answer either');
});

chat('AskUserQuestion: the options arrive as buttons; tapping one answers it and the turn goes on', async ({ world }) => {
  await newSession(world, 'asker');
  world.say('ask: pick one?');
  const menu = await world.botSays(/Claude asks[\s\S]*pick one\?/, 20_000);
  assert.equal(buttonsOf(menu).map((b) => b.text).slice(0, 3), ['1. Alpha', '2. Beta', '3. Gamma']);
  await waitFor(world, () => botMessages(world).find((m) => /^asker · .*waiting for you/.test(m.text)), 'the card says waiting');
  world.fake.userPresses(ME, menu.message_id, buttonsOf(menu).find((b) => b.text === '2. Beta')!.callback_data!);
  const answer = await world.botSays(/^answered: .*"Beta"/, 20_000);
  assert.ok(answer);
  await waitFor(world, () => buttonsOf(current(world, menu.message_id)).length === 0, 'the menu loses its buttons');
});

chat('/screenshot\'s text version shows the pane with key buttons; a key redraws the same message', async ({ world }) => {
  await newSession(world, 'shot');
  world.say('hello there');
  await world.botSays(/^echo: hello there$/, 20_000);
  world.say('/screenshot');
  const picture = await world.fake.waitFor(
    () => world.fake.messages(ME.id).find((m) => m.from_bot && m.kind === 'photo'), 10_000, 'the picture');
  world.fake.userPresses(ME, picture.message_id, buttonsOf(picture).find((b) => /As text/.test(b.text))!.callback_data!);
  const shot = await world.botSays(/❯ hello there/);
  assert.match(shot.raw, '<pre>');
  assert.ok(buttonsOf(shot).some((b) => b.text === 'Esc'));
  world.fake.userPresses(ME, shot.message_id, buttonsOf(shot).find((b) => b.text === '🔄')!.callback_data!);
  world.fake.userPresses(ME, shot.message_id, buttonsOf(shot).find((b) => b.text === 'Tab')!.callback_data!);
  await waitFor(world, () => world.fake.callsTo('answerCallbackQuery').length >= 2, 'both presses answered');
  assert.is(botMessages(world).filter((m) => /❯ hello there/.test(m.text) && m.raw.includes('<pre>')).length, 1, 'edited, not sent again');
});

chat('/history pages the conversation, newest first', async ({ world }) => {
  await newSession(world, 'hist');
  world.say('bash: echo one');
  await world.botSays(/^ran: one$/, 20_000);
  world.say('second question');
  await world.botSays(/^echo: second question$/, 20_000);
  world.say('/history');
  const page = await world.botSays(/history, page 1/);
  assert.match(page.text, /❯ bash: echo one[\s\S]*Bash: echo one → Output 1 line[\s\S]*ran: one[\s\S]*❯ second question[\s\S]*echo: second question/);
});

chat('a turn that stops moving while the pane looks busy gets one hint with Esc, Screenshot, Continue and Kill', async ({ world }) => {
  await newSession(world, 'stuck');
  world.say('hang: 30');
  const hint = await world.botSays(/^stuck: no progress/, 20_000);
  assert.equal(buttonsOf(hint).map((b) => b.text.replace(/^\S+ /, '')), ['Interrupt', 'Screenshot', 'Continue', 'Kill']);
  await new Promise((resolve) => setTimeout(resolve, 2_000));
  assert.is(botMessages(world).filter((m) => /no progress/.test(m.text)).length, 1, 'once');
  world.fake.userPresses(ME, hint.message_id, buttonsOf(hint).find((b) => /Interrupt/.test(b.text))!.callback_data!);
  await waitFor(world, () => world.prompts().length === 1 && buttonsOf(current(world, hint.message_id)).length === 0, 'the hint loses its buttons');
});

chat.run();
