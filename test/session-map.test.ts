import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { withFileLock } from '#ccbot/lock.cjs';
import { setSink } from '#ccbot/log.cjs';
import { mapKey, promptHash, pruneSessionMap, readSessionMap, SESSION_MAP_FILE, updateSessionMap, type SessionMap } from '#ccbot/session-map.cjs';

type SessionMapEntry = SessionMap[string];

const UPDATER = fileURLToPath(new URL('./fixtures/map-updater.js', import.meta.url));

interface Ctx {
  dir: string;
  map: string;
  lines: string[];
  restoreSink: (line: string) => void;
}

function withTempDir(name: string) {
  const s = suite<Ctx>(name);
  s.before.each((ctx) => {
    ctx.dir = mkdtempSync(join(tmpdir(), 'ccbot-map-'));
    ctx.map = join(ctx.dir, SESSION_MAP_FILE);
    ctx.lines = [];
    ctx.restoreSink = setSink((line) => ctx.lines.push(line));
  });
  s.after.each((ctx) => {
    setSink(ctx.restoreSink);
    rmSync(ctx.dir, { recursive: true, force: true });
  });
  return s;
}

const sid = (n: number) => `${String(n).padStart(8, '0')}-6298-4b4d-a740-c2bde142a0dc`;
const entry = (n: number, extra: Partial<SessionMapEntry> = {}): SessionMapEntry => ({
  session_id: sid(n),
  cwd: `/home/dev/proj-${n}`,
  window_name: `proj: ${n}`,
  transcript_path: `/home/dev/.claude/projects/-home-dev-proj-${n}/${sid(n)}.jsonl`,
  ...extra,
});

const fileId = (path: string) => {
  const s = statSync(path);
  return `${s.ino}:${s.mtimeMs}`;
};

// ---------------------------------------------------------------------------------------------------------------

const keys = suite('mapKey');

keys('joins the tmux session and the window id with a colon', () => {
  assert.is(mapKey('ccbot', '@12'), 'ccbot:@12');
});

keys.run();

// ---------------------------------------------------------------------------------------------------------------

const hash = suite('promptHash');

hash('is 16 hex characters, the same for any whitespace between the same words', () => {
  const h = promptHash('fix the\ttests\n\nthen  commit ');
  assert.match(h, /^[0-9a-f]{16}$/);
  assert.is(promptHash('  fix the tests then commit'), h);
  assert.is(promptHash('fix\r\nthe tests\u00a0then commit'), h);
});

hash('differs when the words differ', () => {
  assert.is.not(promptHash('fix the tests'), promptHash('fix the test'));
  assert.is.not(promptHash('ab'), promptHash('a b'));
});

hash.run();

// ---------------------------------------------------------------------------------------------------------------

const read = withTempDir('readSessionMap');

read('is empty when the file is missing', ({ dir }) => {
  assert.equal(readSessionMap(dir), {});
});

read('keeps well-formed entries (only the known fields) and drops malformed ones', ({ dir, map }) => {
  const good = entry(1, { prompt_at: 1_700_000_000_000, prompt_hash: 'abcdef0123456789' });
  const raw = {
    'ccbot:@1': { ...good, future_field: true },
    'ccbot:@2': entry(2),
    'ccbot:@3': { ...entry(3), cwd: 7 },
    'ccbot:@4': { ...entry(4), prompt_at: 'yesterday' },
    'ccbot:@5': { session_id: entry(5).session_id },
    'ccbot:@6': null,
    'ccbot:7': entry(7),
    'no key shape': entry(8),
    ['__proto__']: entry(9),
  };
  writeFileSync(map, JSON.stringify(raw));
  const result = readSessionMap(dir);
  assert.equal(result, { 'ccbot:@1': good, 'ccbot:@2': entry(2) });
  assert.is(Object.getPrototypeOf(result), Object.prototype);
});

read('re-validates what it reads: a session id that is not a UUID drops the entry, a foreign transcript path is blanked', ({ dir, map }) => {
  const raw = {
    'ccbot:@1': { ...entry(1), session_id: '--help' },
    'ccbot:@2': { ...entry(2), session_id: '../../x' },
    'ccbot:@3': { ...entry(3), transcript_path: '/etc/shadow' },
    'ccbot:@4': entry(4),
  };
  writeFileSync(map, JSON.stringify(raw));
  assert.equal(readSessionMap(dir), { 'ccbot:@3': { ...entry(3), transcript_path: '' }, 'ccbot:@4': entry(4) });
});

read('treats a file that is not an object as empty, and sets a corrupt one aside', ({ dir, map, lines }) => {
  writeFileSync(map, '[1, 2]');
  assert.equal(readSessionMap(dir), {});
  writeFileSync(map, '{"ccbot:@1": ');
  assert.equal(readSessionMap(dir), {});
  assert.not.ok(existsSync(map));
  assert.is(lines.length, 1);
  assert.match(lines[0]!, 'corrupt JSON file moved aside');
});

read.run();

// ---------------------------------------------------------------------------------------------------------------

const update = withTempDir('updateSessionMap');

update('writes what mutate changed, atomically, and reports changed', async ({ dir, map }) => {
  assert.equal(await updateSessionMap(dir, (m) => ((m['ccbot:@1'] = entry(1)), true)), { ok: true, changed: true });
  assert.equal(JSON.parse(readFileSync(map, 'utf8')), { 'ccbot:@1': entry(1) });
  assert.equal(await updateSessionMap(dir, (m) => (delete m['ccbot:@1'], true)), { ok: true, changed: true });
  assert.equal(readSessionMap(dir), {});
  assert.not.ok(existsSync(`${map}.lock`), 'the lock is released');
});

update('does not write when mutate returns false', async ({ dir, map }) => {
  assert.equal(await updateSessionMap(dir, () => false), { ok: true, changed: false });
  assert.not.ok(existsSync(map), 'no file created');
  writeFileSync(map, JSON.stringify({ 'ccbot:@1': entry(1) }));
  const before = fileId(map);
  let seen: unknown;
  const result = await updateSessionMap(dir, (m) => ((seen = structuredClone(m)), (m['ccbot:@2'] = entry(2)), false));
  assert.equal(result, { ok: true, changed: false });
  assert.equal(seen, { 'ccbot:@1': entry(1) });
  assert.is(fileId(map), before, 'same inode and mtime');
});

update('loses no entry when many updates run at once in one process', async ({ dir }) => {
  const n = 40;
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) => updateSessionMap(dir, (m) => ((m[`ccbot:@${i}`] = entry(i)), true), { timeoutMs: 30_000 })),
  );
  assert.ok(results.every((r) => r.ok && r.changed));
  assert.is(Object.keys(readSessionMap(dir)).length, n);
});

update('loses no entry when several processes update at once', async ({ dir }) => {
  const processes = 4;
  const each = 20;
  const startAt = Date.now() + 400;
  const children = Array.from({ length: processes }, (_, p) =>
    spawn(process.execPath, [UPDATER, dir, `p${p}`, String(each), String(startAt)], { stdio: ['ignore', 'ignore', 'pipe'] }),
  );
  const codes = await Promise.all(children.map(async (c) => (await once(c, 'exit'))[0]));
  assert.equal(codes, Array(processes).fill(0));
  const map = readSessionMap(dir);
  assert.is(Object.keys(map).length, processes * each);
  const id = `00000003-0000-4000-8000-${'19'.padStart(12, '0')}`;
  assert.equal(map['p3:@19'], { session_id: id, cwd: '/work', window_name: 'p3 19', transcript_path: '' });
});

update('breaks a lock left by a dead process', async ({ dir, map }) => {
  const dead = spawn(process.execPath, ['-e', '']);
  await once(dead, 'exit');
  writeFileSync(`${map}.lock`, JSON.stringify({ pid: dead.pid, at: Date.now() }));
  assert.equal(await updateSessionMap(dir, (m) => ((m['ccbot:@1'] = entry(1)), true), { timeoutMs: 1_000 }), { ok: true, changed: true });
  assert.equal(Object.keys(readSessionMap(dir)), ['ccbot:@1']);
});

update('gives up with an error value while a live process holds the lock, and writes nothing', async ({ dir, map }) => {
  const held = await withFileLock(`${map}.lock`, () => updateSessionMap(dir, (m) => ((m['ccbot:@1'] = entry(1)), true), { timeoutMs: 100 }));
  assert.ok(held.ok);
  const result = held.value;
  assert.ok(!result.ok && result.error.includes(`${map}.lock`) && result.error.includes('gave up'), JSON.stringify(result));
  assert.not.ok(existsSync(map), 'nothing written without the lock');
});

update('takes no lock when nothing would change: the hook on an event other than a prompt', async ({ dir, map }) => {
  writeFileSync(map, JSON.stringify({ 'ccbot:@1': entry(1) }));
  const before = fileId(map);
  const held = await withFileLock(`${map}.lock`, () => updateSessionMap(dir, (m) => m['ccbot:@1']?.cwd !== entry(1).cwd, { timeoutMs: 100 }));
  assert.equal(held, { ok: true, value: { ok: true, changed: false } }, 'answered while another process holds the lock');
  assert.is(fileId(map), before, 'same inode and mtime');
});

update('returns an error value when the directory cannot be created', async ({ dir }) => {
  writeFileSync(join(dir, 'file'), '');
  const result = await updateSessionMap(join(dir, 'file', 'ccbot'), () => true);
  assert.ok(!result.ok && result.error.includes(join(dir, 'file', 'ccbot')), JSON.stringify(result));
});

update('returns an error value when the map cannot be written', async ({ dir, map }) => {
  mkdirSync(map); // a directory where the file should be: rename over it fails, even for root
  const result = await updateSessionMap(dir, (m) => ((m['ccbot:@1'] = entry(1)), true));
  assert.ok(!result.ok, JSON.stringify(result));
});

update.run();

// ---------------------------------------------------------------------------------------------------------------

const prune = withTempDir('pruneSessionMap');

prune('drops the entries of this tmux session\'s windows tmux no longer has; other servers\' entries stay', async ({ dir }) => {
  await updateSessionMap(dir, (m) => Object.assign(m, { 'ccbot:@1': entry(1), 'ccbot:@2': entry(2), 'other:@2': entry(3) }) && true);
  const result = await pruneSessionMap(dir, 'ccbot', new Set(['@0', '@1']), readSessionMap(dir));
  assert.equal(result, { ok: true, pruned: 1 });
  assert.equal(Object.keys(readSessionMap(dir)).sort(), ['ccbot:@1', 'other:@2']);
  assert.equal(await pruneSessionMap(dir, 'ccbot', new Set(['@0', '@1']), readSessionMap(dir)), { ok: true, pruned: 0 });
});

prune('keeps an entry the hook wrote after the map was read: its window may be newer than the list', async ({ dir }) => {
  await updateSessionMap(dir, (m) => ((m['ccbot:@1'] = entry(1)), true));
  const before = readSessionMap(dir);
  await updateSessionMap(dir, (m) => ((m['ccbot:@9'] = entry(9)), true)); // a window opened while tmux was listing
  assert.equal(await pruneSessionMap(dir, 'ccbot', new Set(['@0']), before), { ok: true, pruned: 1 });
  assert.equal(Object.keys(readSessionMap(dir)), ['ccbot:@9']);
});

prune.run();
