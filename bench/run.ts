/** `npm run bench`: runs every bench this file knows and prints one table; exit 1 when a value misses its goal. It runs
 * with npm start's node flags (--jitless among them): transcript parsing, /history and the screenshot picture measured
 * here in-process are the daemon's work; the hook and the daemon run as their own processes. */
import { START_FLAGS } from '../test/daemon-fixture.js';
import { benchDaemon } from './daemon.js';
import { benchRealCli } from './real-cli.js';
import { benchHistory, benchParse } from './transcript.js';
import { benchHook, type BenchResult } from './hook.js';
import { benchScreenImage } from './screen-image.js';

const benches: Array<() => Promise<BenchResult[]>> = [benchParse, benchHistory, benchHook, benchDaemon, benchRealCli, benchScreenImage];

if (process.execArgv.join(' ') !== START_FLAGS.join(' ')) {
  throw new Error(`run the bench with npm start's flags (npm run bench): ${START_FLAGS.join(' ')}`);
}
const results: BenchResult[] = [];
for (const bench of benches) results.push(...(await bench()));

const width = Math.max(...results.map((r) => r.name.length));
process.stdout.write(`${'bench'.padEnd(width)}  ${'value'.padStart(9)}  goal\n`);
const met = (r: BenchResult) => (r.better === 'higher' ? r.value >= r.goal : r.value <= r.goal);
for (const r of results) {
  const sign = r.better === 'higher' ? '≥' : '≤';
  process.stdout.write(`${r.name.padEnd(width)}  ${`${r.value} ${r.unit}`.padStart(10)}  ${sign} ${r.goal} ${r.unit} ${met(r) ? 'ok' : 'MISSED'}\n`);
}
process.exitCode = results.every(met) ? 0 : 1;
