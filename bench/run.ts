/** `npm run bench`: runs every bench this file knows and prints one table; exit 1 when a value misses its goal.
 * Transcript parsing, /history and the screenshot picture are the daemon's own work: they run in a child with npm
 * start's node flags (V8 interpreting: --no-opt --no-sparkplug), as in the daemon, while the fakes and the timing of the other benches
 * stay at full speed. The hook and the daemon run as their own processes (the daemon with those flags too). */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { START_FLAGS } from '../test/daemon-fixture.js';
import { benchDaemon } from './daemon.js';
import { benchRealCli } from './real-cli.js';
import { benchHistory, benchParse } from './transcript.js';
import { benchHook, type BenchResult } from './hook.js';
import { benchScreenImage } from './screen-image.js';

const DAEMON_WORK = '--daemon-work';
const run = async (benches: Array<() => Promise<BenchResult[]>>) => {
  const results: BenchResult[] = [];
  for (const bench of benches) results.push(...(await bench()));
  return results;
};

if (process.argv[2] === DAEMON_WORK) {
  process.stdout.write(JSON.stringify(await run([benchParse, benchHistory, benchScreenImage])));
} else {
  const child = execFileSync(process.execPath, [...START_FLAGS, fileURLToPath(import.meta.url), DAEMON_WORK],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 20 });
  const results = [...(JSON.parse(child) as BenchResult[]), ...(await run([benchHook, benchDaemon, benchRealCli]))];
  const width = Math.max(...results.map((r) => r.name.length));
  process.stdout.write(`${'bench'.padEnd(width)}  ${'value'.padStart(9)}  goal\n`);
  const met = (r: BenchResult) => (r.better === 'higher' ? r.value >= r.goal : r.value <= r.goal);
  for (const r of results) {
    const sign = r.better === 'higher' ? '≥' : '≤';
    process.stdout.write(`${r.name.padEnd(width)}  ${`${r.value} ${r.unit}`.padStart(10)}  ${sign} ${r.goal} ${r.unit} ${met(r) ? 'ok' : 'MISSED'}\n`);
  }
  process.exitCode = results.every(met) ? 0 : 1;
}
