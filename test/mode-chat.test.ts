/**
 * Permission modes from the chat, with the stand-in claude (it draws Claude Code 2.1.328's footers and cycles them on
 * Shift+Tab as the real CLI does): the mode chosen in /settings → the words the next Claude starts with; /mode reads
 * the footer and switches by BTab, only to modes that cycle offers; never into a dialog.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Mode } from '#ccbot/modes.js';
import { tempDir } from './daemon-fixture.js';
import { ME, newSession, startChatWorld, type ChatWorld } from './chat-fixture.js';
import type { ChatMessage } from './fake-telegram-chats.js';
import type { State } from './state-fixture.js';

interface Ctx { world: ChatWorld; keys: string; dir: ReturnType<typeof tempDir> }
const chat = suite<Ctx>('permission modes from the chat');
chat.before.each(async (ctx) => {
  ctx.dir = tempDir('ccbot-modes-');
  ctx.keys = join(ctx.dir.path, 'keys.log');
  ctx.world = await startChatWorld({ claudeEnv: { FAKE_CLAUDE_KEY_LOG: ctx.keys } });
});
chat.after.each(async (ctx) => {
  await ctx.world.close();
  ctx.dir.remove();
});

/** Button labels, and the footer text each mode draws (Claude Code 2.1.328). */
const LABEL: Record<Mode, string> = {
  bypass: '⏵⏵ bypass', auto: '⏵⏵ auto', manual: '✋ manual', acceptEdits: '⏵⏵ accept edits', plan: '⏸ plan',
};
const FOOTER: Record<Mode, RegExp> = {
  bypass: /⏵⏵ bypass permissions on/, auto: /⏵⏵ auto mode on/, manual: /⏸ manual mode on/,
  acceptEdits: /⏵⏵ accept edits on/, plan: /⏸ plan mode on/,
};
type Button = { text: string; callback_data?: string };
const buttonsOf = (m: ChatMessage | undefined): Button[] =>
  ((m?.reply_markup as { inline_keyboard?: Button[][] } | undefined)?.inline_keyboard ?? []).flat();
const current = (world: ChatWorld, m: ChatMessage) => world.fake.messages(ME.id).find((x) => x.message_id === m.message_id)!;
const readState = (world: ChatWorld) => JSON.parse(readFileSync(join(world.root, 'state', 'state.json'), 'utf8')) as State;
const sessionNamed = (world: ChatWorld, name: string) => Object.values(readState(world).sessions).find((s) => s.name === name)!;
/** Shift+Tab presses the stand-ins got (Enter is delivery's, after a prompt). */
const pressedKeys = (ctx: Ctx) =>
  (existsSync(ctx.keys) ? readFileSync(ctx.keys, 'utf8').split('\n').filter((key) => key === 'btab') : []);

function tap(world: ChatWorld, m: ChatMessage, text: string): void {
  const found = buttonsOf(current(world, m)).find((b) => b.text === text);
  if (!found?.callback_data) throw new Error(`no button ${text}: ${JSON.stringify(buttonsOf(current(world, m)).map((b) => b.text))}`);
  world.fake.userPresses(ME, m.message_id, found.callback_data);
}

/** The footer line of the session's pane (the last line drawn). */
async function footer(world: ChatWorld, name: string): Promise<string> {
  const captured = await world.tmux.tmux(['capture-pane', '-p', '-t', sessionNamed(world, name).windowId!]);
  return captured.ok ? captured.stdout.trimEnd().split('\n').at(-1)! : '';
}

/** The words the session's Claude was started with, from /proc/<pane pid>/cmdline (after the `claude` script). */
async function startedWith(world: ChatWorld, name: string): Promise<string[]> {
  const pid = await world.tmux.tmux(['display-message', '-p', '-t', sessionNamed(world, name).windowId!, '#{pane_pid}']);
  assert.ok(pid.ok);
  const argv = readFileSync(`/proc/${pid.stdout.trim()}/cmdline`, 'utf8').split('\0').filter(Boolean);
  return argv.slice(argv.findIndex((word) => word.endsWith('/claude')) + 1);
}

/** The permission words of an argv: the flags and --permission-mode's value. */
const permissionWords = (argv: string[]) =>
  argv.filter((word, i) => /permission/.test(word) || argv[i - 1] === '--permission-mode');

/** Chooses `mode` in a fresh /settings (only the newest message has buttons) and waits for its ✓. */
async function chooseMode(world: ChatWorld, mode: Mode): Promise<void> {
  world.say('/settings');
  const settings = await world.botSays(/Settings/);
  tap(world, settings, LABEL[mode]);
  await world.fake.waitFor(() => buttonsOf(current(world, settings)).some((b) => b.text === `✓ ${LABEL[mode]}`) || undefined,
    5_000, `${mode} marked`);
}

/** /mode; resolves with its message once it names `mode`. */
async function showMode(world: ChatWorld, name: string, mode: Mode): Promise<ChatMessage> {
  world.say('/mode');
  return world.botSays(`${name}: ${LABEL[mode]} mode`);
}

/** Taps `mode` on the /mode message and waits for it to say that mode; the footer must show it too. */
async function switchTo(world: ChatWorld, screen: ChatMessage, name: string, mode: Mode): Promise<void> {
  tap(world, screen, LABEL[mode]);
  await world.fake.waitFor(() => current(world, screen).text.includes(`${name}: ${LABEL[mode]} mode`) || undefined,
    10_000, `the message says ${mode}`);
  assert.match(await footer(world, name), FOOTER[mode], `the footer shows ${mode}`);
  assert.is(sessionNamed(world, name).mode, mode, 'recorded');
  assert.not.ok(buttonsOf(current(world, screen)).some((b) => b.text === LABEL[mode]), 'no button for the mode it is in');
}

chat('the mode chosen in /settings is the one the next Claude starts in: its words, and none that conflict', async ({ world }) => {
  world.say('/settings');
  const settings = await world.botSays(/Settings/);
  assert.ok(buttonsOf(settings).some((b) => b.text === `✓ ${LABEL.bypass}`), 'CLAUDE_FLAGS give bypass: marked');
  await newSession(world, 'asis');
  const asIs = await startedWith(world, 'asis');
  assert.equal(permissionWords(asIs), ['--dangerously-skip-permissions'], 'no choice: CLAUDE_FLAGS as they are');
  assert.ok(asIs.includes('--settings'), asIs.join(' '));
  const words: Record<Mode, string[]> = {
    bypass: ['--dangerously-skip-permissions'], auto: ['--permission-mode', 'auto'],
    manual: ['--permission-mode', 'default'], acceptEdits: ['--permission-mode', 'acceptEdits'],
    plan: ['--permission-mode', 'plan'],
  };
  for (const mode of ['plan', 'manual', 'acceptEdits', 'auto', 'bypass'] as const) {
    await chooseMode(world, mode);
    const name = `s-${mode}`;
    await newSession(world, name);
    const argv = await startedWith(world, name);
    assert.equal(permissionWords(argv), words[mode], `${mode}: ${argv.join(' ')}`);
    await world.fake.waitFor(async () => FOOTER[mode].test(await footer(world, name)) || undefined, 10_000, `${mode} footer`);
    assert.is(sessionNamed(world, name).mode, mode);
  }
});

chat('/mode from a bypass start: each other mode selected by Shift+Tab and read back from the footer', async (ctx) => {
  const { world } = ctx;
  await newSession(world, 'alpha');
  const screen = await showMode(world, 'alpha', 'bypass');
  assert.equal(buttonsOf(screen).map((b) => b.text), ['manual', 'acceptEdits', 'plan', 'auto'].map((m) => LABEL[m as Mode]));
  for (const mode of ['plan', 'auto', 'manual', 'acceptEdits', 'bypass'] as const) await switchTo(world, screen, 'alpha', mode);
  // Shift+Tab only goes forward: to plan 4, auto 2, manual 1, accept edits 1, bypass 2; not one more.
  assert.is(pressedKeys(ctx).length, 10);
  await switchTo(world, screen, 'alpha', 'plan');
  world.say('/list');
  const list = await world.botSays(/alpha/);
  assert.ok(buttonsOf(list).some((b) => b.text === '✓ alpha ⏸ plan'), JSON.stringify(buttonsOf(list).map((b) => b.text)));
});

chat('/mode from a manual start: bypass is not offered; every other mode is reached and read back', async (ctx) => {
  const { world } = ctx;
  await chooseMode(world, 'manual');
  await newSession(world, 'beta');
  const screen = await showMode(world, 'beta', 'manual');
  assert.equal(buttonsOf(screen).map((b) => b.text), [LABEL.acceptEdits, LABEL.plan, LABEL.auto]);
  for (const mode of ['auto', 'acceptEdits', 'plan', 'manual'] as const) await switchTo(world, screen, 'beta', mode);
  // A forged button for bypass: one round (accept edits, plan, auto, manual), said so, back where it was.
  const presses = pressedKeys(ctx).length;
  world.fake.userPresses(ME, screen.message_id, `m:${sessionNamed(world, 'beta').id}:bypass`, { force: true });
  await world.fake.waitFor(() => /bypass could not be reached/.test(current(world, screen).text) || undefined, 15_000, 'said');
  assert.match(await footer(world, 'beta'), FOOTER.manual);
  assert.is(pressedKeys(ctx).length - presses, 4);
  assert.is(sessionNamed(world, 'beta').allowsBypass, false);
});

chat('a mode the cycle does not hold is said so, after one round at most, and the session stays as it was', async (ctx) => {
  const { world } = ctx;
  await world.close();
  ctx.world = await startChatWorld({ claudeEnv: { FAKE_CLAUDE_KEY_LOG: ctx.keys, FAKE_CLAUDE_NO_AUTO: '1' } });
  await newSession(ctx.world, 'gamma');
  const screen = await showMode(ctx.world, 'gamma', 'bypass');
  tap(ctx.world, screen, LABEL.auto);
  await ctx.world.fake.waitFor(() => /could not be reached/.test(current(ctx.world, screen).text) || undefined, 15_000, 'unreachable');
  assert.match(current(ctx.world, screen).text, /⏵⏵ auto could not be reached[\s\S]*gamma: ⏵⏵ bypass mode/);
  assert.match(await footer(ctx.world, 'gamma'), FOOTER.bypass);
  assert.is(pressedKeys(ctx).length, 4, 'once round: manual, accept edits, plan, bypass');
});

chat('a dialog on the pane: /mode and its buttons say so and press nothing; no session: a clear reply', async (ctx) => {
  const { world } = ctx;
  world.say('/mode');
  await world.botSays(/No active session/);
  await newSession(world, 'delta');
  const screen = await showMode(world, 'delta', 'bypass');
  const plan = buttonsOf(screen).find((b) => b.text === LABEL.plan)!.callback_data!;
  world.say('ask: which one?');
  await world.botSays(/which one\?/, 15_000);
  world.fake.userPresses(ME, screen.message_id, plan, { force: true }); // its buttons went to the newer messages
  await world.fake.waitFor(() => /shows a dialog/.test(current(world, screen).text) || undefined, 10_000, 'dialog said');
  world.say('/mode');
  await world.botSays(/delta shows a dialog/);
  assert.equal(pressedKeys(ctx), [], 'not one Shift+Tab');
  const pane = await world.tmux.tmux(['capture-pane', '-p', '-t', sessionNamed(world, 'delta').windowId!]);
  assert.match(pane.ok ? pane.stdout : '', /Type something/, 'the question is still open');
});

chat.run();
