/**
 * The tests and benches need nothing outside the checkout: no .ts file under test/ or bench/ names a path beyond
 * the repository root (the Claude Code samples live in test/fixtures/samples, recorded by `npm run record-samples`).
 * This file is left out of the scan: its own examples would match.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// This file runs as dist/test/self-contained.test.js: two levels up is the repo root.
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SELF = 'test/self-contained.test.ts';

/**
 * Names of places outside the checkout: the shared samples folder beside it, the variable that pointed there, and
 * an absolute path under this machine's /work. The one-letter and templated `/work/…` of the archive tests are
 * made-up workdirs, and `/home/dev/work/…` is a path inside the samples: neither matches.
 */
const OUTSIDE: readonly RegExp[] = [/\.\.\/shared\b/, /\bshared\/samples\b/, /\bCCBOT_SAMPLES\b/, /(?<![\w.~/$}-])\/work\/(?!\$\{)[\w.-]{2,}/];
/** A quoted relative path ('../x', "./a/../b"): where it leads depends on the file's folder. */
const RELATIVE = /(['"`])(\.\.?\/[^'"`\s]*)\1/g;
/** `join(dirname(fileURLToPath(import.meta.url)), '..', …)`, possibly kept in a const and joined further. */
const HERE = String.raw`(?:join|resolve)\(\s*dirname\(\s*fileURLToPath\(\s*import\.meta\.url\s*\)\s*\)`;
const SEGMENTS = String.raw`((?:\s*,\s*'[^']*')*)`;
const segmentsOf = (list: string) => [...list.matchAll(/'([^']*)'/g)].map((m) => m[1]!);

/**
 * Why `text` (the file at `path`, relative to the repo) reaches outside the repo; [] when it does not. Relative
 * paths are resolved from where the file runs, dist/<its folder>: tests and benches run compiled.
 */
export function outsideReferences(path: string, text: string): string[] {
  const from = join(REPO, 'dist', dirname(path));
  const leaves = (...segments: string[]) => relative(REPO, resolve(from, ...segments)).startsWith('..');
  const found = OUTSIDE.filter((pattern) => pattern.test(text)).map((pattern) => `names ${pattern.source}`);
  for (const [, , literal] of text.matchAll(RELATIVE)) {
    if (literal!.split('/').includes('..') && leaves(literal!)) found.push(`'${literal}' climbs out`);
  }
  for (const [, segments] of text.matchAll(new RegExp(HERE + SEGMENTS, 'g'))) {
    if (leaves(...segmentsOf(segments!))) found.push(`import.meta.url + ${segmentsOf(segments!).join('/')} climbs out`);
  }
  for (const [, name, base] of text.matchAll(new RegExp(String.raw`const (\w+) = ${HERE}${SEGMENTS}\)`, 'g'))) {
    for (const [, more] of text.matchAll(new RegExp(String.raw`(?:join|resolve)\(\s*${name}\b${SEGMENTS}`, 'g'))) {
      if (leaves(...segmentsOf(base!), ...segmentsOf(more!))) found.push(`${name} + ${segmentsOf(more!).join('/')} climbs out`);
    }
  }
  return found;
}

/** Every .ts file under `dir`, relative to the repo, with forward slashes. */
function sources(dir: string): string[] {
  return readdirSync(join(REPO, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sources(path);
    return entry.isFile() && entry.name.endsWith('.ts') ? [path] : [];
  });
}

const scan = suite('self-contained');

scan('no .ts file under test/ or bench/ names a path outside the repository', () => {
  const files = [...sources('test'), ...sources('bench')].filter((path) => path !== SELF);
  assert.ok(files.includes('test/samples.ts') && files.includes('bench/transcript.ts'), 'the walk found the sources');
  const offenders = files.flatMap((path) => outsideReferences(path, readFileSync(join(REPO, path), 'utf8')).map((why) => `${path}: ${why}`));
  assert.equal(offenders, [], `files that reach outside the repo:\n${offenders.join('\n')}`);
});

scan('catches the old samples.ts, a path literal climbing out and an absolute /work path; passes the repo\'s own', () => {
  const old = [
    "const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');",
    "export const SAMPLES = join(REPO, '..', 'shared', 'samples');",
  ].join('\n');
  // Spelled in parts so this file does not itself name the folder the house check looks for.
  assert.equal(outsideReferences('test/samples.ts', old), [`REPO + ${['..', 'shared', 'samples'].join('/')} climbs out`]);
  assert.ok(outsideReferences('test/samples.ts', `${old}\nprocess.env.CCBOT_SAMPLES`).length === 2);
  assert.equal(outsideReferences('test/e2e/x.ts', "readFileSync(new URL('../../../../outside.txt', import.meta.url))"), ["'../../../../outside.txt' climbs out"]);
  assert.equal(outsideReferences('bench/x.ts', "const dir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');").length, 1);
  assert.equal(outsideReferences('test/x.ts', "const p = '/work/shared/samples/idle-pane.txt';").length, 2);
  const inside = [
    "const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');",
    "join(REPO, 'test', 'fixtures', 'samples'); import { x } from '../test/samples.js';",
    "new URL('../terminal.js', import.meta.url); const id = '../../etc/passwd';",
    "const cwd = '/home/dev/work/proj-a'; const w = `/work/${id}`;",
  ].join('\n');
  assert.equal(outsideReferences('test/e2e/y.ts', inside), []);
});

scan.run();
