import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execRun } from '#ccbot/exec.js';
import { TurnChanges } from '#ccbot/git-changes.js';
import { decodeAction } from '#ccbot/keyboards.js';
import type { Session } from '#ccbot/sessions.js';
import type { TranscriptEvent } from '#ccbot/transcript.js';
import { tempDir } from './daemon-fixture.js';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' };
const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' });
/** Every file under .git/objects: the person's object store, which ccbot must never write. */
const objectFiles = (repo: string): string[] => readdirSync(join(repo, '.git', 'objects'), { recursive: true, withFileTypes: true })
  .filter((e) => e.isFile()).map((e) => join(e.parentPath ?? e.path, e.name)).sort();

const prompt = (uuid: string): TranscriptEvent => ({ kind: 'prompt', text: 'do it', uuid, at: 0 });
const tool = (name: string): TranscriptEvent => ({ kind: 'toolCall', toolUseId: `t-${name}`, name, summary: '', input: {}, uuid: `c-${name}`, at: 0 });
/** The turn number the 📄 button carries. */
function turnOf(note: { keep: { inline_keyboard: { callback_data?: string }[][] } }): number {
  const action = decodeAction(note.keep.inline_keyboard[0]![0]!.callback_data!);
  return action?.t === 'patch' ? action.turn : -1;
}
const end: TranscriptEvent = { kind: 'turnEnd', reason: 'end_turn', uuid: 'end', at: 0 };

interface Ctx { root: { path: string; remove(): void }; repo: string; changes: TurnChanges; session: Session }
const test = suite<Ctx>('TurnChanges');
test.before.each((ctx) => {
  ctx.root = tempDir('ccbot-git-');
  ctx.repo = join(ctx.root.path, 'repo');
  mkdirSync(join(ctx.repo, 'src'), { recursive: true });
  git(ctx.repo, 'init', '-q');
  writeFileSync(join(ctx.repo, 'a.txt'), 'one\ntwo\nthree\n');
  writeFileSync(join(ctx.repo, 'src', 'b.txt'), 'bee\n');
  writeFileSync(join(ctx.repo, '.gitignore'), '*.log\n');
  git(ctx.repo, 'add', '-A');
  git(ctx.repo, 'commit', '-qm', 'start');
  ctx.changes = new TurnChanges({ objects: join(ctx.root.path, 'state', 'git-objects'), env: process.env, run: execRun });
  ctx.session = { id: 's1', workdir: join(ctx.repo, 'src') } as Session; // a folder inside the work tree
});
test.after.each((ctx) => ctx.root.remove());

/** One turn typed from the phone: the snapshot before typing, the prompt, `work`, the tools, its end. */
async function turn(ctx: Ctx, uuid: string, work: () => void, tools = ['Write']) {
  await ctx.changes.beforePrompt(ctx.session);
  await ctx.changes.see(ctx.session, prompt(uuid), 'en');
  work();
  for (const name of tools) await ctx.changes.see(ctx.session, tool(name), 'en');
  return ctx.changes.see(ctx.session, { ...end, uuid: `end-${uuid}` }, 'en');
}
const writeTwoAddOne = (repo: string) => () => {
  writeFileSync(join(repo, 'a.txt'), 'one\n2\nthree\nfour\n');
  writeFileSync(join(repo, 'src', 'b.txt'), 'bee\nbuzz\n');
  writeFileSync(join(repo, 'src', 'c.txt'), 'new\n');
  writeFileSync(join(repo, 'debug.log'), 'ignored\n'.repeat(50));
};

test('two files changed and one added: the line with their names and the 📄 button; ignored files not counted', async (ctx) => {
  const note = await turn(ctx, 'p1', writeTwoAddOne(ctx.repo));
  assert.ok(note);
  assert.is(note.html, '📝 3 files changed, +4 −1 (a.txt, src/b.txt, src/c.txt)');
  const action = decodeAction(note.keep.inline_keyboard[0]![0]!.callback_data!);
  assert.ok(action?.t === 'patch' && action.id === 's1', JSON.stringify(action));
  assert.is(note.keep.inline_keyboard[0]![0]!.text, '📄 .patch');
  const ru = await ctx.changes.see(ctx.session, { ...end, uuid: 'end-again' }, 'ru'); // the same turn, asked again
  assert.is(ru?.html, '📝 Изменено файлов: 3, +4 −1 (a.txt, src/b.txt, src/c.txt)');
});

test('the patch applies with git apply --check to a checkout of the tree before the turn, and gives the tree after', async (ctx) => {
  const note = await turn(ctx, 'p1', writeTwoAddOne(ctx.repo));
  const patch = await ctx.changes.patch('s1', turnOf(note!));
  assert.ok(patch.ok);
  assert.not.match(patch.text, 'debug.log');
  const copy = join(ctx.root.path, 'copy');
  git(ctx.root.path, 'clone', '-q', ctx.repo, copy);
  writeFileSync(join(copy, 'turn.patch'), patch.text);
  git(copy, 'apply', '--check', 'turn.patch'); // throws on a patch that does not apply
  git(copy, 'apply', 'turn.patch');
  assert.is(readFileSync(join(copy, 'a.txt'), 'utf8'), 'one\n2\nthree\nfour\n');
  assert.is(readFileSync(join(copy, 'src', 'c.txt'), 'utf8'), 'new\n');
});

test("the person's index and object store are untouched", async (ctx) => {
  const objects = objectFiles(ctx.repo);
  const index = readFileSync(join(ctx.repo, '.git', 'index'));
  let status = '';
  const note = await turn(ctx, 'p1', () => {
    writeTwoAddOne(ctx.repo)();
    status = git(ctx.repo, 'status', '--porcelain');
  });
  assert.ok(note);
  assert.ok((await ctx.changes.patch('s1', turnOf(note))).ok);
  assert.is(git(ctx.repo, 'status', '--porcelain'), status);
  assert.equal(objectFiles(ctx.repo), objects);
  assert.ok(readFileSync(join(ctx.repo, '.git', 'index')).equals(index));
});

test('changes made before the turn are not its own; a turn that changed nothing, or used no editing tool, has no line', async (ctx) => {
  writeFileSync(join(ctx.repo, 'a.txt'), 'changed before the turn\n');
  const own = await turn(ctx, 'p1', () => writeFileSync(join(ctx.repo, 'src', 'b.txt'), 'by the turn\n'), ['Bash']);
  assert.is(own?.html, '📝 1 file changed, +1 −1 (src/b.txt)');
  assert.is(await turn(ctx, 'p2', () => {}, ['Edit']), null);
  assert.is(await turn(ctx, 'p3', () => writeFileSync(join(ctx.repo, 'z.txt'), 'z\n'), ['Read', 'Grep']), null);
});

test('a turn typed at the desk counts from when its prompt shows in the transcript', async (ctx) => {
  await ctx.changes.see(ctx.session, prompt('desk'), 'en'); // no beforePrompt: nothing was typed from the phone
  writeFileSync(join(ctx.repo, 'd.txt'), 'desk\n');
  await ctx.changes.see(ctx.session, tool('MultiEdit'), 'en');
  const note = await ctx.changes.see(ctx.session, end, 'en');
  assert.is(note?.html, '📝 1 file changed, +1 −0 (d.txt)');
});

test('outside a git work tree, or without git: no line, and a 📄 for an unknown turn is "forgotten"', async (ctx) => {
  const plain = { id: 's2', workdir: join(ctx.root.path, 'state') } as Session;
  await ctx.changes.beforePrompt(plain);
  await ctx.changes.see(plain, prompt('x'), 'en');
  writeFileSync(join(plain.workdir, 'e.txt'), 'e\n');
  await ctx.changes.see(plain, tool('Write'), 'en');
  assert.is(await ctx.changes.see(plain, end, 'en'), null);
  const noGit = new TurnChanges({ objects: join(ctx.root.path, 'other-objects'), env: process.env, run: async () =>
    ({ ok: false, kind: 'missing', error: 'git is not installed', code: 'ENOENT', stdout: '', stderr: '' }) });
  assert.is(await turn({ ...ctx, changes: noGit }, 'p1', writeTwoAddOne(ctx.repo)), null);
  const gone = await ctx.changes.patch('s1', 123);
  assert.ok(!gone.ok && gone.kind === 'forgotten');
});

test.run();
