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
/** Before it knows there is something to do; outside tmux, all it ever loads (node:fs by getBuiltinModule). */
const ENTRY = ['main.js', 'hook-entry.js'];
/** In a pane of a window ccbot opened, writing the map (tmux.js only for windows ccbot did not open). */
const IN_PANE = [...ENTRY, 'node:fs', 'hook.js', 'config.js', 'dotenv.js', 'log.js', 'store.js', 'values.js', 'session-map.js',
  'lock.js', 'node:module', 'node:os', 'node:path', 'node:timers/promises']; // node:crypto: only when a prompt is hashed

const source = (file: string) => readFileSync(join(DIST, file), 'utf8');
/** Specifiers a compiled file imports statically (`import … from`, `export … from`, `import '…'`). */
const staticImports = (file: string) =>
  [...source(file).matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'|^import\s+'([^']+)'/gm)].map((m) => (m[1] ?? m[2])!);
const dynamicImports = (file: string) => [...source(file).matchAll(/\bimport\('([^']+)'\)/g)].map((m) => m[1]!);

/** Every module the roots load before any dynamic import runs: relative ones as file names, the rest as given. */
function closure(...roots: string[]): string[] {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    for (const spec of staticImports(name)) (spec.startsWith('./') ? visit(spec.slice(2)) : seen.add(spec));
  };
  roots.forEach(visit);
  return [...seen].sort();
}

const test = suite('the hook path');

test('outside tmux, ccbot hook loads main.js and hook-entry.js, and nothing else', () => {
  assert.equal(closure('main.js', 'hook-entry.js'), [...ENTRY].sort());
  assert.ok(dynamicImports('main.js').includes('./hook-entry.js'), 'main.js imports hook-entry.js when asked for');
  assert.equal(dynamicImports('hook-entry.js').sort(), ['./hook.js', './hook.js', 'node:fs'], 'then only hook.js, late');
  assert.match(source('hook-entry.js'), "process.getBuiltinModule?.('node:fs')", 'node:fs without its ESM wrapper');
});

test('in a pane, the rest is on its list: no package, no daemon module, no tmux.js for windows ccbot opened', () => {
  assert.equal(closure('main.js', 'hook-entry.js', 'hook.js', 'session-map.js'), [...IN_PANE].sort());
  assert.ok(dynamicImports('hook.js').includes('./tmux.js'), 'tmux.js is the fallback, loaded only when needed');
});

test('a PreToolUse check (every Bash command) loads neither the session map, nor the lock, nor tmux.js', () => {
  const loaded = closure('main.js', 'hook-entry.js', 'hook.js');
  for (const heavy of ['session-map.js', 'lock.js', 'tmux.js', 'node:crypto']) assert.not.ok(loaded.includes(heavy), heavy);
});

test.run();
