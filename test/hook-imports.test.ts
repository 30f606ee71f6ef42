/**
 * `ccbot hook` runs on every prompt and Claude Code waits for it before it sends the prompt: what it loads is a
 * list, and a later change cannot quietly add milliseconds to every turn (issue 17). A static walk of the compiled
 * import graph from the entry points.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { MAIN_JS } from './daemon-fixture.js';

const DIST = dirname(MAIN_JS);
/** Before it knows there is something to do; outside tmux, all it ever loads. */
const ENTRY = ['main.cjs', 'hook-entry.cjs', 'node:fs'];
/** In a pane of a window ccbot opened, writing the map (tmux.js only for windows ccbot did not open). */
const IN_PANE = [...ENTRY, 'hook.cjs', 'config.cjs', 'dotenv.cjs', 'log.cjs', 'store.cjs', 'values.cjs', 'session-map.cjs',
  'node:os', 'node:path', 'node:timers/promises'];
/** Only when the map is written, with a prompt to hash: not node:crypto, ~5 ms to load. */
const WRITING = ['lock.cjs', 'sha256.cjs'];

const source = (file: string) => readFileSync(join(DIST, file), 'utf8');
/** What a compiled CommonJS file requires when it loads: tsc's own top-level `const x_1 = require("…")` lines. */
const staticRequires = (file: string) => [...source(file).matchAll(/^(?:const \w+ = )?require\("([^"]+)"\);/gm)].map((m) => m[1]!);
/** What it loads later, inside a function: our own `require('…')` and `import('…')`. */
const lateLoads = (file: string) => [...source(file).matchAll(/\b(?:require|import)\('([^']+)'\)/g)].map((m) => m[1]!);

/** Every module the roots load before any late load runs: relative ones as file names, the rest as given. */
function closure(...roots: string[]): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const spec of staticRequires(name)) (spec.startsWith('./') ? visit(spec.slice(2)) : seen.add(spec));
  };
  roots.forEach(visit);
  return [...seen].sort();
}

const test = suite('the hook path');

test('outside tmux, ccbot hook loads main.cjs and hook-entry.cjs, and nothing else', () => {
  assert.equal(closure('main.cjs', 'hook-entry.cjs'), [...ENTRY].sort());
  assert.ok(lateLoads('main.cjs').includes('./hook-entry.cjs'), 'main.cjs requires hook-entry.cjs when asked for');
  assert.equal(lateLoads('hook-entry.cjs'), ['./hook.cjs', './hook.cjs'], 'then only hook.cjs, late');
});

test('in a pane, the rest is on its list: CommonJS only, no package, no daemon module, no tmux.js', () => {
  const loaded = closure('main.cjs', 'hook-entry.cjs', 'hook.cjs', 'session-map.cjs');
  assert.equal(loaded, [...IN_PANE].sort());
  assert.equal(lateLoads('session-map.cjs').map((spec) => spec.slice(2)).sort(), WRITING, 'the lock and the hash, late');
  assert.equal(closure(...WRITING), [...WRITING, 'node:fs', 'node:path', 'node:timers/promises', 'values.cjs'].sort());
  // One ES module would start Node's ESM loader: ~10 ms on every prompt (bench/hook.ts).
  assert.equal(loaded.filter((name) => !name.startsWith('node:') && !name.endsWith('.cjs')), []);
  assert.equal(lateLoads('hook.cjs').filter((spec) => !spec.endsWith('.cjs')), ['./hook-install.js', './tmux.js'],
    'ES modules only for --install and for windows ccbot did not open');
});

test('a PreToolUse check (every Bash command) loads neither the session map, nor the lock, nor tmux.js', () => {
  const loaded = closure('main.cjs', 'hook-entry.cjs', 'hook.cjs', 'tripwire.cjs');
  for (const heavy of ['session-map.cjs', 'lock.cjs', 'tmux.js', 'node:crypto']) assert.not.ok(loaded.includes(heavy), heavy);
});

test('nothing on the way touches a global that loads a module: performance (perf_hooks), process.stdin', () => {
  for (const file of ['main.cjs', 'hook-entry.cjs', 'hook.cjs', 'session-map.cjs', 'lock.cjs', 'store.cjs']) {
    const code = source(file).replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, ''); // comments may name them
    assert.not.match(code, /\bperformance\.|process\.stdin\b/, file);
  }
});

test.run();
