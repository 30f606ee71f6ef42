/** Where the real Claude Code 2.1.328 samples live: ../shared/samples beside the checkout (CI clones main with
 * shared/ beside it), or CCBOT_SAMPLES. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SAMPLES = process.env.CCBOT_SAMPLES ?? join(REPO, '..', 'shared', 'samples');
