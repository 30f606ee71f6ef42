/**
 * The shape of src/ that an auditor relies on: every export has an importer in src/ (test-only helpers live in
 * test/), every file is in the README's code map and opens with a line saying its concern, files and lines stay short.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAIN_JS } from './daemon-fixture.js';

const REPO = join(MAIN_JS, '..', '..');
const SRC = join(REPO, 'src');
const files = readdirSync(SRC).filter((f) => /\.c?ts$/.test(f)).sort();
const text = new Map(files.map((f) => [f, readFileSync(join(SRC, f), 'utf8')]));

/** Names a file exports: `export function|const|class|interface|type|enum X` and `export { X, Y }`. */
function exportsOf(source: string): string[] {
  const declared = [...source.matchAll(/^export\s+(?:declare\s+)?(?:async\s+)?(?:function\*?|const|let|class|abstract\s+class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]!);
  const listed = [...source.matchAll(/^export\s+(?:type\s+)?\{([^}]*)\}/gm)].flatMap((m) => m[1]!.split(',').map((n) => n.trim().split(/\s+as\s+/).pop()!.replace(/^type\s+/, '')));
  return [...declared, ...listed].filter(Boolean);
}

/** Names each file imports from `file` (static `import {…} from './file.js'`, `export {…} from`, dynamic `const {…} = await import(…)`
 * or, from a CommonJS file, `const {…} = require(…)`). */
function importedFrom(file: string): Set<string> {
  const target = `./${file.replace(/\.ts$/, '.js').replace(/\.cts$/, '.cjs')}`;
  const names = new Set<string>();
  for (const [other, source] of text) {
    if (other === file) continue;
    const patterns = [
      new RegExp(`import\\s+(?:type\\s+)?\\{([^{}]*)\\}\\s+from\\s+'${target.replace(/\./g, '\\.')}'`, 'g'),
      new RegExp(`export\\s+(?:type\\s+)?\\{([^{}]*)\\}\\s+from\\s+'${target.replace(/\./g, '\\.')}'`, 'g'),
      new RegExp(`\\{([^{}]*)\\}\\s*=\\s*await\\s+import\\('${target.replace(/\./g, '\\.')}'\\)`, 'g'),
      new RegExp(`\\{([^{}]*)\\}\\s*=\\s*require\\('${target.replace(/\./g, '\\.')}'\\)`, 'g'),
    ];
    for (const pattern of patterns) {
      for (const m of source.matchAll(pattern)) {
        for (const part of m[1]!.split(',')) {
          const name = part.trim().replace(/^type\s+/, '').split(/\s+as\s+|\s*:\s*/)[0]!.trim();
          if (name) names.add(name);
        }
      }
    }
  }
  return names;
}

const codebase = suite('src/');

codebase('every export has an importer in src/', () => {
  const orphans = files.flatMap((file) => {
    const used = importedFrom(file);
    return exportsOf(text.get(file)!).filter((name) => !used.has(name)).map((name) => `${file}: ${name}`);
  });
  assert.equal(orphans, [], `exports nothing in src/ imports (un-export them, or move test-only helpers to test/):\n${orphans.join('\n')}`);
});

codebase('every file is in the README code map', () => {
  const readme = readFileSync(join(REPO, 'README.md'), 'utf8');
  const map = readme.slice(readme.indexOf('## Code map'), readme.indexOf('\n## ', readme.indexOf('## Code map') + 1));
  const missing = files.filter((f) => !map.includes(`\`${f}\``));
  assert.equal(missing, [], `files missing from the README's code map: ${missing.join(', ')}`);
});

codebase('every file opens with a comment saying its concern', () => {
  const bare = files.filter((f) => !/^(#![^\n]*\n)?\/\*\*?\s*\S/.test(text.get(f)!));
  assert.equal(bare, []);
});

codebase('files stay under 300 lines (i18n.ts holds tables) and lines under 120 characters', () => {
  const long = files.filter((f) => f !== 'i18n.ts' && text.get(f)!.split('\n').length > 301);
  assert.equal(long, [], `files over 300 lines: ${long.join(', ')}`);
  const wide = files.flatMap((f) => text.get(f)!.split('\n').flatMap((line, i) => ([...line].length > 120 ? [`${f}:${i + 1}`] : [])));
  assert.equal(wide, [], `lines over 120 characters:\n${wide.join('\n')}`);
});

codebase.run();
