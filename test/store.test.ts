import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { setSink } from '#ccbot/log.cjs';
import { readJson, writeJson } from '#ccbot/store.cjs';
import { bigContent } from './fixtures/big-content.js';

const WRITER = fileURLToPath(new URL('./fixtures/store-writer.js', import.meta.url));

interface Ctx {
  dir: string;
  lines: string[];
  restoreSink: (line: string) => void;
}

function withTempDir(name: string) {
  const s = suite<Ctx>(name);
  s.before.each((ctx) => {
    ctx.dir = mkdtempSync(join(tmpdir(), 'ccbot-store-'));
    ctx.lines = [];
    ctx.restoreSink = setSink((line) => ctx.lines.push(line));
  });
  s.after.each((ctx) => {
    setSink(ctx.restoreSink);
    rmSync(ctx.dir, { recursive: true, force: true });
  });
  return s;
}

const readJsonSuite = withTempDir('readJson');

readJsonSuite('returns the fallback for a missing file and logs nothing', ({ dir, lines }) => {
  const fallback = { version: 1 };
  assert.is(readJson(join(dir, 'state.json'), fallback), fallback);
  assert.equal(lines, []);
});

readJsonSuite('moves a corrupt file aside, logs one error line naming both files, returns the fallback', ({ dir, lines }) => {
  const path = join(dir, 'state.json');
  writeFileSync(path, '{"sessions": {"a3f1": ');
  const at = Date.UTC(2024, 0, 2, 3, 4, 5, 678);
  assert.equal(readJson(path, { empty: true }, { now: () => at }), { empty: true });
  const aside = `${path}.corrupt-2024-01-02T03-04-05.678Z`;
  assert.is(readFileSync(aside, 'utf8'), '{"sessions": {"a3f1": ');
  assert.not.ok(existsSync(path), 'the original name is free for a fresh write');
  assert.is(lines.length, 1);
  assert.match(lines[0]!, /^error: store: /);
  assert.ok(lines[0]!.includes(path) && lines[0]!.includes(aside), lines[0]);
});

readJsonSuite('returns what parsed even when it is not an object', ({ dir, lines }) => {
  const path = join(dir, 'list.json');
  writeFileSync(path, '[1,2]');
  assert.equal(readJson<unknown>(path, {}), [1, 2]);
  assert.equal(lines, []);
});

readJsonSuite.run();

const writeJsonSuite = withTempDir('writeJson');

writeJsonSuite('round-trips through readJson, creating the parent directory 0700 and the file 0600', ({ dir }) => {
  const path = join(dir, 'nested', 'state.json');
  const value = { version: 1, users: { '42': { activeSessionId: 'a3f1' } }, text: 'ünïcode ✓' };
  writeJson(path, value);
  assert.equal(readJson(path, {}), value);
  assert.is(statSync(join(dir, 'nested')).mode & 0o777, 0o700);
  assert.is(statSync(path).mode & 0o777, 0o600);
  assert.equal(readdirSync(join(dir, 'nested')), ['state.json'], 'no temp file is left after a normal write');
});

writeJsonSuite('replaces an existing file', ({ dir }) => {
  const path = join(dir, 'state.json');
  writeJson(path, { n: 1 });
  writeJson(path, { n: 2 });
  assert.equal(readJson(path, {}), { n: 2 });
});

writeJsonSuite('throws for a value JSON cannot represent, leaving the old file', ({ dir }) => {
  const path = join(dir, 'state.json');
  writeJson(path, { n: 1 });
  assert.throws(() => writeJson(path, undefined), /not JSON-serialisable/);
  assert.equal(readJson(path, {}), { n: 1 });
});

writeJsonSuite('a writer SIGKILLed at random moments never leaves a torn or empty file', async ({ dir, lines }) => {
  const path = join(dir, 'state.json');
  const a = bigContent('a');
  const b = bigContent('b');
  writeJson(path, a);
  const KILLS = 50;
  for (let i = 0; i < KILLS; i++) {
    const child = spawn(process.execPath, [WRITER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    await once(child.stdout, 'data'); // it is about to enter its write loop
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
    child.kill('SIGKILL');
    const [code, signal] = await exited;
    assert.is(signal, 'SIGKILL', `writer ${i} ended on its own (code ${code})`);
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { tag: string };
    assert.equal(parsed, parsed.tag === 'a' ? a : b, `after kill ${i} the file is one of the two contents`);
  }
  const temps = readdirSync(dir).filter((name) => name !== 'state.json');
  assert.ok(temps.length <= KILLS, `at most one temp file per kill, found ${temps.length}`);
  assert.ok(temps.every((name) => /^\.state\.json\.\d+\.[0-9a-f]{8}\.tmp$/.test(name)), temps.join(', '));
  assert.ok(['a', 'b'].includes(readJson(path, { tag: 'fallback' }).tag), 'leftover temp files do not disturb reading');
  assert.equal(lines, [], 'nothing was ever judged corrupt');
});

writeJsonSuite.run();
