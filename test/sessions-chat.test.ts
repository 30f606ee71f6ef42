import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAction } from '#ccbot/keyboards.js';
import { encodeAction } from './keyboards-fixture.js';
import { ME, newSession, startChatWorld, type ChatWorld } from './chat-fixture.js';

const chat = suite<{ world: ChatWorld }>('sessions from the chat');
chat.before.each(async (ctx) => {
  ctx.world = await startChatWorld();
});
chat.after.each(async (ctx) => {
  await ctx.world.close();
});

const reactionsOf = (world: ChatWorld, messageId: number) => world.fake.messages(ME.id).find((m) => m.message_id === messageId)?.reactions ?? [];
const waitPrompt = (world: ChatWorld, prompt: string, cwd?: string) =>
  world.fake.waitFor(() => world.prompts().find((p) => p.prompt === prompt && (cwd === undefined || p.cwd === cwd)), 15_000, `prompt ${JSON.stringify(prompt)}`);
/** The callback_data of the newest bot message's button whose label matches. */
function buttonOf(world: ChatWorld, label: RegExp): { messageId: number; data: string } {
  const message = world.fake.lastBotMessage(ME.id);
  const rows = (message?.reply_markup as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined)?.inline_keyboard ?? [];
  const found = rows.flat().find((b) => label.test(b.text));
  if (!message || !found?.callback_data) throw new Error(`no button ${label} on the newest bot message: ${JSON.stringify(rows)}`);
  return { messageId: message.message_id, data: found.callback_data };
}
/** Waits until message `messageId` reads `match` (a button press edits the message it sits on). */
const messageReads = (world: ChatWorld, messageId: number, match: RegExp) =>
  world.fake.waitFor((f) => f.messages(ME.id).find((m) => m.message_id === messageId && match.test(m.text)), 10_000, `message ${messageId} reads ${match}`);

chat('/new <path> starts Claude there; text reaches it once, with 👀 then 👍', async ({ world }) => {
  const dir = await newSession(world, 'api');
  const windows = await world.tmux.tmux(['list-windows', '-t', '=ccbot-test', '-F', '#{window_name} #{pane_current_path}']);
  assert.match(windows.ok ? windows.stdout : '', `api ${dir}`);
  const sent = world.say('hello from the phone');
  await waitPrompt(world, 'hello from the phone', dir);
  await world.fake.waitFor(() => reactionsOf(world, sent.message_id).includes('👍'), 10_000, '👍 receipt');
  assert.ok(reactionsOf(world, sent.message_id).length >= 1);
  assert.is(world.prompts().filter((p) => p.prompt === 'hello from the phone').length, 1);
});

chat('/new refuses a missing path and a file, with a clear reply', async ({ world }) => {
  world.say(`/new ${join(world.root, 'nope')}`);
  await world.botSays(/does not exist|not found|No such/i);
  const file = join(world.root, 'a-file');
  writeFileSync(file, 'x');
  world.say(`/new ${file}`);
  await world.botSays(/not a directory|is a file/i);
});

chat('a path with spaces and unicode works', async ({ world }) => {
  const dir = world.workdir('my проект 2');
  world.say(`/new ${dir}`);
  await world.botSays(/started/);
  world.say('привет');
  await waitPrompt(world, 'привет', dir);
});

chat('text sent while Claude is still starting is delivered after, in order', async ({ world }) => {
  await world.close();
  world = await startChatWorld({ startupMs: 2_500 });
  try {
    const dir = world.workdir('slow');
    world.say(`/new ${dir}`);
    await world.botSays(/started/);
    world.say('first');
    world.say('second\nwith two lines');
    await waitPrompt(world, 'second\nwith two lines', dir);
    assert.equal(world.prompts().map((p) => p.prompt), ['first', 'second\nwith two lines']);
  } finally {
    await world.close();
  }
});

chat('three sessions each get exactly their own text; the switcher picks the active one', async ({ world }) => {
  const a = await newSession(world, 'a');
  const b = await newSession(world, 'b');
  const c = await newSession(world, 'c');
  world.say('to c');
  await waitPrompt(world, 'to c', c);
  await world.botSays('echo: to c'); // the answer is the newest message, with the switcher
  const toA = buttonOf(world, /^a$/);
  world.fake.userPresses(ME, toA.messageId, toA.data);
  await messageReads(world, toA.messageId, /^a · /);
  world.say('to a');
  await waitPrompt(world, 'to a', a);
  await world.botSays('echo: to a'); // the answer is the newest message, with the switcher
  const toB = buttonOf(world, /^b$/);
  world.fake.userPresses(ME, toB.messageId, toB.data);
  await messageReads(world, toB.messageId, /^b · /);
  world.say('to b');
  await waitPrompt(world, 'to b', b);
  await world.botSays('echo: to b'); // the answer is the newest message, with the switcher
  assert.equal(world.prompts().map((p) => [p.prompt, p.cwd]), [['to c', c], ['to a', a], ['to b', b]]);
  assert.match(buttonOf(world, /✓/).data, 's:', 'the active one is marked');
  // Switching back shows a preview of the session: its last prompt and the start of the answer.
  const backToA = buttonOf(world, /^a$/);
  world.fake.userPresses(ME, backToA.messageId, backToA.data);
  const shown = await messageReads(world, backToA.messageId, /❯ to a/);
  assert.match(shown.text, 'echo: to a');
});

chat('a reply to a background session\'s message goes there and leaves the active session alone', async ({ world }) => {
  const a = await newSession(world, 'a');
  const started = world.fake.lastBotMessage(ME.id)!;
  const b = await newSession(world, 'b');
  world.say('for a, by reply', started.message_id);
  await waitPrompt(world, 'for a, by reply', a);
  world.say('for the active one');
  await waitPrompt(world, 'for the active one', b);
});

chat('/kill asks first, Kill archives and closes the window; /done archives at once; unknown names get a reply', async ({ world }) => {
  await newSession(world, 'x');
  await newSession(world, 'y');
  world.say('/kill x');
  await world.botSays(/x/);
  const kill = buttonOf(world, /kill/i);
  world.fake.userPresses(ME, kill.messageId, kill.data);
  await world.botSays(/Killed x/);
  const names = async () => {
    const listed = await world.tmux.tmux(['list-windows', '-t', '=ccbot-test', '-F', '#{window_name}']);
    return listed.ok ? listed.stdout.split('\n').filter(Boolean) : [];
  };
  assert.not.ok((await names()).includes('x'));
  world.say('/done');
  await world.botSays(/Archived y/);
  assert.equal(await names(), ['__main__']);
  world.say('/done nosuch');
  await world.botSays(/Unknown session nosuch/);
  world.say('/kill x');
  await world.botSays(/already archived/);
  // A double tap on the Kill button of an archived session changes nothing.
  world.fake.userPresses(ME, kill.messageId, kill.data, { force: true });
  await world.botSays(/already archived/);
});

chat('other /commands go to Claude verbatim; /stop presses Escape', async ({ world }) => {
  const dir = await newSession(world, 'cmds');
  world.say('/compact keep the tests');
  await waitPrompt(world, '/compact keep the tests', dir);
});

chat('a daemon killed between two messages loses neither', async ({ world }) => {
  const dir = await newSession(world, 'r');
  world.say('before the crash');
  await waitPrompt(world, 'before the crash', dir);
  await world.restartDaemon('SIGKILL');
  world.say('after the crash');
  await waitPrompt(world, 'after the crash', dir);
  assert.equal(world.prompts().map((p) => p.prompt), ['before the crash', 'after the crash']);
});

chat('a switcher button from a message two switches ago still switches to the session it names', async ({ world }) => {
  const a = await newSession(world, 'a');
  const oldMessage = world.fake.lastBotMessage(ME.id)!; // its switcher: [✓ a] [+ New]
  const b = await newSession(world, 'b');
  await newSession(world, 'c');
  for (const name of [/^b$/, /^c$/]) {
    const to = buttonOf(world, name);
    world.fake.userPresses(ME, to.messageId, to.data);
    await messageReads(world, to.messageId, new RegExp(`^${name.source.slice(1, -1)} · `));
  }
  const oldA = (oldMessage.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }).inline_keyboard.flat().find((x) => /a$/.test(x.text))!;
  world.fake.userPresses(ME, oldMessage.message_id, oldA.callback_data, { force: true });
  await world.botSays(/^a · /);
  world.say('to a again');
  await waitPrompt(world, 'to a again', a);
  assert.not.ok(world.prompts().some((p) => p.cwd === b));
});

chat('/help answers in English and in Chinese too, naming every command', async ({ world }) => {
  for (const [code, marker] of [['en', /session/], ['zh', /会话/]] as const) {
    world.fake.userSends({ ...ME, language_code: code }, '/help');
    const help = await world.botSays(marker);
    for (const command of ['/new', '/list', '/history', '/screenshot', '/stop', '/kill', '/done', '/archive', '/settings', '/help']) {
      assert.ok(help.text.includes(command), `${code} help names ${command}`);
    }
  }
});

chat('a button from an old message, or forged data, never crashes the daemon', async ({ world }) => {
  await newSession(world, 'old');
  const old = buttonOf(world, /old/);
  world.fake.userPresses(ME, old.messageId, encodeAction({ t: 'switch', id: 'zzzz' }), { force: true });
  world.fake.userPresses(ME, old.messageId, 'garbage:data', { force: true });
  await world.botSays(/Unknown session/);
  assert.is(decodeAction('garbage:data'), null);
  assert.is(world.daemon.child.exitCode, null);
});

chat('/new alone opens a directory browser: into a folder, Start here', async ({ world }) => {
  const dir = world.workdir('picked');
  world.say('/new');
  await world.botSays(world.root);
  const work = buttonOf(world, /^📁? ?work$/);
  world.fake.userPresses(ME, work.messageId, work.data);
  await world.fake.waitFor((f) => f.lastBotMessage(ME.id)?.text.includes(join(world.root, 'work')), 10_000, 'browser inside work');
  const picked = buttonOf(world, /picked/);
  world.fake.userPresses(ME, picked.messageId, picked.data);
  await world.fake.waitFor((f) => f.lastBotMessage(ME.id)?.text.includes(dir), 10_000, 'browser inside picked');
  const start = buttonOf(world, /Start here/);
  world.fake.userPresses(ME, start.messageId, start.data);
  await world.botSays(/started/);
  world.say('in the picked folder');
  await waitPrompt(world, 'in the picked folder', dir);
});

chat('free text without a session opens the browser and is delivered once the session is ready', async ({ world }) => {
  const dir = world.workdir('later');
  world.say('remember me');
  await world.botSays(world.root);
  world.say('and me too'); // a second text before the session starts is queued, never replacing the first
  await world.botSays(world.root);
  const up = buttonOf(world, /^📁? ?work$/);
  world.fake.userPresses(ME, up.messageId, up.data);
  await world.fake.waitFor((f) => f.lastBotMessage(ME.id)?.text.includes(join(world.root, 'work')), 10_000, 'browser inside work');
  const later = buttonOf(world, /later/);
  world.fake.userPresses(ME, later.messageId, later.data);
  await world.fake.waitFor((f) => f.lastBotMessage(ME.id)?.text.includes(dir), 10_000, 'browser inside later');
  const start = buttonOf(world, /Start here/);
  world.fake.userPresses(ME, start.messageId, start.data);
  await waitPrompt(world, 'and me too', dir);
  assert.equal(world.prompts().map((p) => p.prompt), ['remember me', 'and me too'], 'both, once each, in order');
});

chat('a window that vanished while the daemon was down shows as lost, with a way to /archive in the switcher', async ({ world }) => {
  await newSession(world, 'vanishing');
  world.daemon.child.kill('SIGTERM');
  await world.daemon.exited;
  const windows = await world.tmux.tmux(['list-windows', '-t', '=ccbot-test', '-F', '#{window_id} #{window_name}']);
  const id = (windows.ok ? windows.stdout : '').split('\n').find((l) => l.endsWith(' vanishing'))?.split(' ')[0];
  assert.ok(id, windows.ok ? windows.stdout : windows.stderr);
  assert.ok((await world.tmux.tmux(['kill-window', '-t', id!])).ok);
  await world.restartDaemon('SIGKILL');
  world.say('/list');
  const list = await world.botSays(/vanishing/);
  assert.match(list.text, 'lost', list.text);
  const note = buttonOf(world, /⚠/);
  assert.equal(decodeAction(note.data), { t: 'archivePage', page: 0, all: true });
});

chat('when Claude exits and its window closes, the next text is not lost in silence: the person is told, /archive restores', async ({ world }) => {
  await newSession(world, 'quitter');
  world.say('/exit'); // not ccbot's: forwarded to Claude, which quits
  for (let i = 0; ; i++) {
    const windows = await world.tmux.tmux(['list-windows', '-t', '=ccbot-test', '-F', '#{window_name}']);
    if (windows.ok && !windows.stdout.includes('quitter')) break;
    assert.ok(i < 100, 'the window closes within 10 s of /exit');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const before = new Set(world.fake.messages(ME.id).map((m) => m.message_id));
  const sent = world.say('are you there?');
  // The reply to that message; or, when the minutely sweep noticed the closed window first, its notice.
  // (The /exit itself, typed but never confirmed, may get its own notice first.)
  const answersIt = (m: { text: string; reply_to_message_id?: number }) =>
    (/no longer running/.test(m.text) && m.reply_to_message_id === sent.message_id) || /window closed/.test(m.text);
  const notice = await world.fake.waitFor((f) => f.messages(ME.id).find((m) => m.from_bot && !before.has(m.message_id) && answersIt(m)), 10_000, 'a notice answering it');
  assert.match(notice.text, 'quitter');
  assert.match(notice.text, '/archive');
  world.say('/archive');
  const archive = await world.botSays(/quitter/);
  assert.match(archive.text, /lost/i);
});

const late = suite<{ world: ChatWorld }>('sessions from the chat, with a slow hook');
late.before.each(async (ctx) => {
  ctx.world = await startChatWorld({ claudeEnv: { FAKE_CLAUDE_HOOK_DELAY_MS: '1500' } });
});
late.after.each(async (ctx) => {
  await ctx.world.close();
});

late('a daemon killed while a message is typed but not yet confirmed confirms it after the restart, typing it once', async ({ world }) => {
  const dir = await newSession(world, 'mid');
  const sent = world.say('in flight');
  await world.fake.waitFor(() => reactionsOf(world, sent.message_id).includes('👀'), 10_000, '👀');
  await world.restartDaemon('SIGKILL');
  await world.fake.waitFor(() => reactionsOf(world, sent.message_id).includes('👍'), 15_000, '👍 after the restart');
  await waitPrompt(world, 'in flight', dir);
  assert.equal(world.prompts().map((p) => p.prompt), ['in flight']);
});

chat.run();
late.run();
