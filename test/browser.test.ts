import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chmodSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InlineKeyboardMarkup } from 'node-telegram-bot-api';
import {
  BrowserTokens, browserView, listDirectory, openChild, openParent, resolveUserPath, type Listing,
} from '#ccbot/browser.js';
import { decodeAction, type Action } from '#ccbot/keyboards.js';
import { encodeAction } from './keyboards-fixture.js';
import { ApiError, parseReplyMarkup } from './fake-telegram-rules.js';

interface Ctx { root: string }

/** A tree with the awkward cases: spaces, unicode, hidden, a file, symlinks (to a dir, to a file, dangling). */
function makeTree(ctx: Ctx): void {
  ctx.root = realpathSync(mkdtempSync(join(tmpdir(), 'ccbot-browser-')));
  for (const dir of ['alpha', 'Beta', 'with space', 'ünïcödé 日本', '.hidden', 'alpha/deep/er']) mkdirSync(join(ctx.root, dir), { recursive: true });
  writeFileSync(join(ctx.root, 'file.txt'), 'not a dir');
  symlinkSync(join(ctx.root, 'alpha', 'deep'), join(ctx.root, 'link-to-deep'));
  symlinkSync(join(ctx.root, 'file.txt'), join(ctx.root, 'link-to-file'));
  symlinkSync(join(ctx.root, 'nowhere'), join(ctx.root, 'dangling'));
}
const removeTree = (ctx: Ctx) => {
  chmodSync(ctx.root, 0o700);
  rmSync(ctx.root, { recursive: true, force: true });
};

const actions = (kb: InlineKeyboardMarkup): Action[] => kb.inline_keyboard.flat().map((b) => decodeAction(b.callback_data!)!);

const list = suite<Ctx>('listDirectory');
list.before.each(makeTree);
list.after.each(removeTree);

list('lists subdirectories and symlinks to them, sorted case-insensitively; no files, no hidden', async (ctx) => {
  const result = await listDirectory(ctx.root);
  assert.equal(result, { ok: true, path: ctx.root, dirs: ['alpha', 'Beta', 'link-to-deep', 'ünïcödé 日本', 'with space'] });
});

list('shows hidden directories when asked', async (ctx) => {
  const result = await listDirectory(ctx.root, { showHidden: true });
  assert.ok(result.ok && result.dirs[0] === '.hidden', JSON.stringify(result));
});

list('gives the real path of a directory reached through a symlink or ..', async (ctx) => {
  assert.equal(await listDirectory(join(ctx.root, 'link-to-deep')), { ok: true, path: join(ctx.root, 'alpha', 'deep'), dirs: ['er'] });
  const viaDots = await listDirectory(join(ctx.root, 'with space', '..', 'alpha'));
  assert.ok(viaDots.ok && viaDots.path === join(ctx.root, 'alpha'));
});

list('a missing path, a file and a dangling symlink are errors naming the path', async (ctx) => {
  const missing = join(ctx.root, 'gone');
  assert.equal(await listDirectory(missing), { ok: false, kind: 'missing', error: `${missing} does not exist` });
  const file = join(ctx.root, 'file.txt');
  assert.equal(await listDirectory(file), { ok: false, kind: 'missing', error: `${file} is not a directory` });
  const dangling = join(ctx.root, 'dangling');
  assert.equal(await listDirectory(dangling), { ok: false, kind: 'missing', error: `${dangling} does not exist` });
});

list('an unreadable directory is an error naming it (not checkable as root)', async (ctx) => {
  const locked = join(ctx.root, 'alpha');
  chmodSync(locked, 0o000);
  try {
    const result = await listDirectory(locked);
    if (process.getuid?.() === 0) assert.ok(result.ok, 'root reads anything');
    else assert.equal(result, { ok: false, kind: 'unreadable', error: `${locked} cannot be read: permission denied` });
  } finally {
    chmodSync(locked, 0o755);
  }
});

const resolveSuite = suite('resolveUserPath');

resolveSuite('absolute stays, ~ is home, relative is under home, .. is resolved', () => {
  const home = '/home/me';
  const cases: [string, string][] = [
    ['/srv/api', '/srv/api'], ['/srv/api/', '/srv/api'], ['/srv/x/../api', '/srv/api'], ['/', '/'],
    ['~', home], ['~/', home], ['~/code/api', '/home/me/code/api'], ['~/code/../notes', '/home/me/notes'],
    ['code/api', '/home/me/code/api'], ['../other', '/home/other'], ['', home], ['  ~/my project  ', '/home/me/my project'],
    ['~bob', '/home/me/~bob'], ['/../..', '/'], ['проекты/日本', '/home/me/проекты/日本'],
  ];
  for (const [input, expected] of cases) assert.is(resolveUserPath(input, home), expected, JSON.stringify(input));
});

const child = suite<Ctx>('openChild');
child.before.each(makeTree);
child.after.each(removeTree);

child('enters subdirectory number `index`, spaces and unicode included', async (ctx) => {
  const listing = (await listDirectory(ctx.root)) as Listing;
  assert.equal(await openChild(listing, 4), { ok: true, path: join(ctx.root, 'with space'), dirs: [] });
  const unicode = await openChild(listing, 3);
  assert.ok(unicode.ok && unicode.path === join(ctx.root, 'ünïcödé 日本'));
});

child('a directory deleted since the listing, or an index it never had, is an error value', async (ctx) => {
  const listing = (await listDirectory(ctx.root)) as Listing;
  rmSync(join(ctx.root, 'Beta'), { recursive: true });
  const gone = await openChild(listing, 1);
  assert.equal(gone, { ok: false, kind: 'missing', error: `${join(ctx.root, 'Beta')} does not exist` });
  for (const index of [5, 99, -1, 1.5]) {
    const stale = await openChild(listing, index);
    assert.ok(!stale.ok && stale.error.includes(ctx.root) && stale.error.includes('open the folder again'), String(index));
  }
});

const parent = suite<Ctx>('openParent');
parent.before.each(makeTree);
parent.after.each(removeTree);

parent('.. of a directory entered through a symlink is its real parent', async (ctx) => {
  const viaLink = (await listDirectory(join(ctx.root, 'link-to-deep'))) as Listing;
  const up = await openParent(viaLink);
  assert.equal(up, { ok: true, path: join(ctx.root, 'alpha'), dirs: ['deep'] });
});

parent('.. of / is /', async () => {
  const up = await openParent({ path: '/', dirs: [] });
  assert.ok(up.ok && up.path === '/' && up.dirs.length > 0);
});

const view = suite<Ctx>('browserView');
view.before.each((ctx) => {
  ctx.root = realpathSync(mkdtempSync(join(tmpdir(), 'ccbot-browser-')));
  for (let i = 1; i <= 30; i++) mkdirSync(join(ctx.root, `dir ${String(i).padStart(2, '0')}`));
});
view.after.each(removeTree);

view('30 subdirectories make 4 pages of 8, two a row, with ◀ ▶, .. and Start here', async (ctx) => {
  const listing = (await listDirectory(ctx.root)) as Listing;
  const first = browserView(listing, 0, 'en', 'tok123');
  assert.match(first.keyboard.inline_keyboard[4]![0]!.text, '/4', '4 pages');
  assert.equal(first.keyboard.inline_keyboard.map((r) => r.length), [2, 2, 2, 2, 2, 2]);
  assert.equal(first.keyboard.inline_keyboard[4]!.map((b) => b.text), ['1/4', '▶']);
  assert.equal(actions(first.keyboard).slice(8), [
    { t: 'noop' }, { t: 'browsePage', token: 'tok123', page: 1 }, { t: 'browseUp', token: 'tok123' }, { t: 'browseStart', token: 'tok123' },
  ]);
  assert.match(first.keyboard.inline_keyboard[5]![1]!.text, 'Start here');

  const second = browserView(listing, 1, 'en', 'tok123');
  assert.equal(actions(second.keyboard)[0], { t: 'browse', token: 'tok123', index: 8 });
  assert.is(second.keyboard.inline_keyboard[0]![0]!.text, '📁 dir 09');
  assert.equal(second.keyboard.inline_keyboard[4]!.map((b) => b.text), ['◀', '2/4', '▶']);

  const last = browserView(listing, 3, 'en', 'tok123');
  const browsed = actions(last.keyboard).filter((a) => a.t === 'browse').map((a) => (a as { index: number }).index);
  assert.equal(browsed, [24, 25, 26, 27, 28, 29]);
  assert.equal(last.keyboard.inline_keyboard[3]!.map((b) => b.text), ['◀', '4/4']);
  assert.equal(browserView(listing, 99, 'en', 'tok123'), last, 'a page past the end shows the last');
});

view('the text is the path and a hint, in the language asked', async (ctx) => {
  const listing = (await listDirectory(ctx.root)) as Listing;
  const { text } = browserView(listing, 0, 'ru', 'tok123');
  assert.ok(text.startsWith(`📁 ${ctx.root}\n`));
  assert.match(text, 'Начать здесь');
  const empty = browserView({ path: join(ctx.root, 'dir 01'), dirs: [] }, 0, 'zh', 'tok123');
  assert.match(empty.text, '这里没有文件夹');
  assert.equal(actions(empty.keyboard), [{ t: 'browseUp', token: 'tok123' }, { t: 'browseStart', token: 'tok123' }]);
});

view('no .. at /', () => {
  const { keyboard } = browserView({ path: '/', dirs: ['etc', 'home'] }, 0, 'en', 'tok123');
  assert.not.ok(actions(keyboard).some((a) => a.t === 'browseUp'));
  assert.ok(actions(keyboard).some((a) => a.t === 'browseStart'));
});

view('long unicode names and deep paths still give buttons Telegram accepts', () => {
  const dirs = Array.from({ length: 12 }, (_, i) => `очень-длинное-название-каталога-日本語-👨‍💻-${i}`);
  const { keyboard } = browserView({ path: '/' + 'глубокий/'.repeat(40) + 'x', dirs }, 1, 'zh', 'Ab_-9z');
  const parsed = parseReplyMarkup(JSON.stringify(keyboard));
  assert.not.ok(parsed instanceof ApiError, parsed instanceof ApiError ? parsed.description : '');
  for (const b of keyboard.inline_keyboard.flat()) assert.ok(new TextEncoder().encode(b.callback_data!).length <= 64);
  assert.ok(keyboard.inline_keyboard[0]![0]!.text.endsWith('…'));
});

const tokens = suite('BrowserTokens');

tokens('gives back the listing of a token, only to the user who has it', () => {
  const store = new BrowserTokens();
  const listing = { path: '/srv', dirs: ['api', 'web'] };
  const token = store.put(1, listing);
  assert.equal(store.get(1, token), listing);
  assert.is(store.get(2, token), undefined);
  assert.is(store.get(1, 'nope00'), undefined);
});

tokens('default tokens are 6 random characters that fit the callback codec', () => {
  const seen = new Set<string>();
  const { newToken } = new BrowserTokens();
  for (let i = 0; i < 200; i++) {
    const token = newToken();
    assert.match(token, /^[A-Za-z0-9_-]{6}$/);
    encodeAction({ t: 'browse', token, index: 0 });
    seen.add(token);
  }
  assert.ok(seen.size > 190);
});

tokens('keeps the last `perUser` tokens of each user; a use counts as recent', () => {
  let n = 0;
  const store = new BrowserTokens(3, () => `t${n++}`);
  const [a, b, c] = [store.put(1, { path: '/a', dirs: [] }), store.put(1, { path: '/b', dirs: [] }), store.put(1, { path: '/c', dirs: [] })];
  store.put(2, { path: '/other', dirs: [] });
  assert.ok(store.get(1, a), 'another user does not evict');
  store.put(1, { path: '/d', dirs: [] });
  assert.is(store.get(1, b), undefined, 'the least recently used went');
  assert.ok(store.get(1, a) && store.get(1, c));
});

tokens('draws again when a token is already in use', () => {
  const draws = ['same00', 'same00', 'other0'];
  const store = new BrowserTokens(20, () => draws.shift()!);
  assert.is(store.put(1, { path: '/a', dirs: [] }), 'same00');
  assert.is(store.put(1, { path: '/b', dirs: [] }), 'other0');
  assert.is(store.get(1, 'same00')!.path, '/a');
});

list.run();
resolveSuite.run();
child.run();
parent.run();
view.run();
tokens.run();
