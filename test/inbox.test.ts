/**
 * A session's .ccbot-inbox/: names from a phone are hostile until cleaned, a save never overwrites and never shows a
 * partial file, the sweep removes what is old. Real files in a temp dir; time is a number.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Sweeper } from '#ccbot/archive.js';
import { mergePrompts, promptFor, saveToInbox, sweepInbox } from '#ccbot/inbox.js';
import { setSink } from '#ccbot/log.cjs';
import { StateStore } from '#ccbot/state.js';
import { tempDir } from './daemon-fixture.js';
import { emptyState } from './state-fixture.js';

const AT = Date.UTC(2026, 0, 2, 3, 4, 5);
const STAMP = '20260102T030405Z';
const H = 3_600_000;

interface Ctx { dir: { path: string; remove(): void }; work: string; inbox: string }
const fixture = (name: string) => {
  const s = suite<Ctx>(name);
  s.before.each((ctx) => {
    ctx.dir = tempDir('ccbot-inbox-');
    ctx.work = join(ctx.dir.path, 'work');
    ctx.inbox = join(ctx.work, '.ccbot-inbox');
    mkdirSync(ctx.work);
  });
  s.after.each((ctx) => ctx.dir.remove());
  return s;
};
/** Every entry under `root`, relative, recursively. */
const tree = (root: string): string[] => readdirSync(root, { recursive: true, encoding: 'utf8' }).sort();

const save = fixture('saveToInbox');

save('saves the bytes as .ccbot-inbox/<UTC timestamp>-<name>, next to a .gitignore of *', async ({ work, inbox }) => {
  const saved = await saveToInbox(work, 'report.pdf', Buffer.from('%PDF-1.7'), AT);
  assert.equal(saved, { ok: true, path: `.ccbot-inbox/${STAMP}-report.pdf` });
  assert.is(readFileSync(join(work, `.ccbot-inbox/${STAMP}-report.pdf`), 'utf8'), '%PDF-1.7');
  assert.is(readFileSync(join(inbox, '.gitignore'), 'utf8'), '*\n');
  assert.equal(tree(inbox), ['.gitignore', `${STAMP}-report.pdf`], 'no partial file is left');
});

save('hostile names never leave the inbox, keep their extension and lose separators, .., controls and NUL', async ({ dir, work, inbox }) => {
  const names: Record<string, string> = {
    '../../etc/passwd': '_._etc_passwd',
    'a/b': 'a_b',
    '..\\..\\win.ini': '_._win.ini',
    '..': 'file',
    '.': 'file',
    '.....': 'file',
    '': 'file',
    '.jpg': 'file.jpg',
    '.bashrc': 'file.bashrc',
    'nul\u0000byte\n\r\u001b[31m.txt': 'nulbyte[31m.txt',
    'evil\u202egpj.exe': 'evilgpj.exe',
    'фото 🐈.png': 'фото 🐈.png',
  };
  for (const [i, [name, expected]] of Object.entries(names).entries()) {
    const saved = await saveToInbox(work, name, Buffer.from(name), AT + i * 1000); // a second apart: no name taken
    assert.ok(saved.ok, `${JSON.stringify(name)} is saved`);
    assert.is(saved.ok && saved.path.replace(/^\.ccbot-inbox\/\d{8}T\d{6}Z-/, ''), expected, JSON.stringify(name));
  }
  assert.equal(tree(dir.path).filter((p) => !p.startsWith('work/.ccbot-inbox')), ['work']);
  assert.not.ok(tree(inbox).some((p) => p.includes('/')), 'nothing in a subdirectory');
});

save('a long name is capped in bytes with its extension kept, emoji never cut in half', async ({ work, inbox }) => {
  for (const name of [`${'x'.repeat(300)}.tar.gz`, `${'🐈'.repeat(300)}.jpeg`]) {
    const saved = await saveToInbox(work, name, Buffer.from('x'), AT);
    assert.ok(saved.ok);
    const file = saved.ok ? saved.path.slice('.ccbot-inbox/'.length) : '';
    assert.ok(Buffer.byteLength(file) <= STAMP.length + 1 + 100, `${Buffer.byteLength(file)} bytes`);
    assert.ok(file.endsWith(name.endsWith('.gz') ? 'x.gz' : '🐈.jpeg'), file);
    assert.not.match(file, '\ufffd');
    assert.ok(existsSync(join(inbox, file)));
  }
});

save('an existing name is never overwritten: the next file gets -2, -3 before its extension', async ({ work, inbox }) => {
  mkdirSync(inbox);
  writeFileSync(join(inbox, `${STAMP}-a.txt`), 'mine');
  const second = await saveToInbox(work, 'a.txt', Buffer.from('second'), AT);
  const third = await saveToInbox(work, 'a.txt', Buffer.from('third'), AT);
  assert.equal([second, third].map((s) => s.ok && s.path), [`.ccbot-inbox/${STAMP}-a-2.txt`, `.ccbot-inbox/${STAMP}-a-3.txt`]);
  assert.is(readFileSync(join(inbox, `${STAMP}-a.txt`), 'utf8'), 'mine');
  assert.is(readFileSync(join(inbox, `${STAMP}-a-3.txt`), 'utf8'), 'third');
});

save('when every name is taken it fails and leaves no partial file; nothing is overwritten', async ({ work, inbox }) => {
  mkdirSync(inbox);
  writeFileSync(join(inbox, `${STAMP}-b`), 'taken');
  for (let n = 2; n <= 100; n++) writeFileSync(join(inbox, `${STAMP}-b-${n}`), 'taken');
  const before = tree(inbox);
  const saved = await saveToInbox(work, 'b', Buffer.from('new'), AT);
  assert.is(saved.ok, false);
  assert.equal(tree(inbox), [...before, '.gitignore'].sort());
  assert.ok(readdirSync(inbox).every((f) => f === '.gitignore' || readFileSync(join(inbox, f), 'utf8') === 'taken'));
});

save('an inbox that is a symlink (a cloned repository could plant one) is refused; nothing is written through it', async ({ dir, work }) => {
  const elsewhere = join(dir.path, 'elsewhere');
  mkdirSync(elsewhere);
  symlinkSync(elsewhere, join(work, '.ccbot-inbox'));
  const saved = await saveToInbox(work, 'x.txt', Buffer.from('x'), AT);
  assert.is(saved.ok, false);
  assert.equal(readdirSync(elsewhere), []);
});

save('a workdir that is gone is a failure value, not a throw', async ({ dir }) => {
  const saved = await saveToInbox(join(dir.path, 'missing'), 'x.txt', Buffer.from('x'), AT);
  assert.is(saved.ok, false);
  assert.match(!saved.ok ? saved.error : '', 'cannot save x.txt');
});

save.run();

const sweep = fixture('sweepInbox and the Sweeper');
const age = (path: string, at: number) => utimesSync(path, at / 1000, at / 1000);

sweep('removes files older than the cutoff and stale partials; keeps new ones and the .gitignore', async ({ work, inbox }) => {
  const now = Date.now();
  await saveToInbox(work, 'old.txt', Buffer.from('o'), now);
  await saveToInbox(work, 'new.txt', Buffer.from('n'), now);
  const [old, fresh] = readdirSync(inbox).filter((f) => f !== '.gitignore').sort();
  age(join(inbox, old!), now - 25 * H);
  age(join(inbox, fresh!), now - 23 * H);
  writeFileSync(join(inbox, '.partial-dead'), 'half');
  age(join(inbox, '.partial-dead'), now - 2 * H);
  writeFileSync(join(inbox, '.partial-live'), 'being written');
  assert.is(await sweepInbox(work, now - 24 * H, now), 2);
  assert.equal(readdirSync(inbox).sort(), ['.gitignore', '.partial-live', fresh!].sort());
  assert.is(await sweepInbox(join(work, 'nowhere'), now, now), 0, 'no inbox: nothing to do');
});

sweep('the periodic sweep clears the inboxes of every session it knows, by INBOX_TTL_HOURS, on its clock', async ({ dir }) => {
  const restore = setSink(() => {});
  const state = emptyState();
  const now = 1_900_000_000_000;
  const base = { windowId: null, claudeSessionId: null, createdAt: now, lastActivityAt: now, archivedAt: null, archiveReason: null, ownerUserId: 1 };
  const files: string[] = [];
  for (const [id, status] of [['live', 'active'], ['done', 'archived']] as const) {
    const workdir = join(dir.path, id);
    mkdirSync(join(workdir, '.ccbot-inbox'), { recursive: true });
    state.sessions[id] = { id, name: id, workdir, status, ...base, ...(status === 'archived' && { archivedAt: now }) };
    for (const hours of [30, 2]) {
      const file = join(workdir, '.ccbot-inbox', `${hours}h.txt`);
      writeFileSync(file, 'x');
      age(file, now - hours * H);
      files.push(file);
    }
  }
  const store = new StateStore(state, () => {});
  const sweeper = new Sweeper({
    sessions: store.sessions, users: store.users, telegram: { send: async () => ({ ok: true, messageIds: [1] }) },
    defaultIdleHours: 1_000, purgeAfterMs: 1_000 * H, isMidTurn: async () => false,
    archive: async () => ({ ok: true }), windowIds: async () => null, now: () => now, inboxTtlMs: 24 * H,
  });
  await sweeper.sweep();
  setSink(restore);
  assert.equal(files.filter((f) => existsSync(f)).map((f) => f.slice(dir.path.length)), ['/live/.ccbot-inbox/2h.txt', '/done/.ccbot-inbox/2h.txt']);
});

sweep.run();

const prompts = suite('promptFor and mergePrompts');

prompts('the caption, a blank line, then the paths; the paths alone without a caption', () => {
  assert.is(promptFor('look at this', ['.ccbot-inbox/a.jpg']), 'look at this\n\n.ccbot-inbox/a.jpg');
  assert.is(promptFor('  ', ['.ccbot-inbox/a.jpg']), '.ccbot-inbox/a.jpg');
});

prompts('an album\'s parts make one prompt: every caption first, then every path in order', () => {
  const one = promptFor('first\n\nwith a blank line', ['.ccbot-inbox/1.jpg']);
  const two = mergePrompts(one, promptFor('', ['.ccbot-inbox/2.jpg']));
  const three = mergePrompts(two, promptFor('late caption', ['.ccbot-inbox/3.jpg']));
  assert.is(three, 'first\n\nwith a blank line\nlate caption\n\n.ccbot-inbox/1.jpg\n.ccbot-inbox/2.jpg\n.ccbot-inbox/3.jpg');
  assert.is(mergePrompts('.ccbot-inbox/1.jpg', '.ccbot-inbox/2.jpg'), '.ccbot-inbox/1.jpg\n.ccbot-inbox/2.jpg');
});

prompts.run();
