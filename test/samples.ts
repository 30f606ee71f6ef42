/** Where the real Claude Code 2.1.328 samples live: test/fixtures/samples in the repo, recorded by
 * `npm run record-samples` (test/e2e/record-samples.ts). Nothing outside the checkout. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// This file runs as dist/test/samples.js: two levels up is the repo root.
const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SAMPLES = join(REPO, 'test', 'fixtures', 'samples');
