/** `npm run bench`: runs every bench this file knows and prints one table; exit 1 when a value misses its goal. */
import { benchHook, type BenchResult } from './hook.js';

const benches: Array<() => Promise<BenchResult[]>> = [benchHook];

const results: BenchResult[] = [];
for (const bench of benches) results.push(...(await bench()));

const width = Math.max(...results.map((r) => r.name.length));
process.stdout.write(`${'bench'.padEnd(width)}  ${'value'.padStart(9)}  goal\n`);
for (const r of results) {
  const mark = r.value <= r.goal ? 'ok' : 'MISSED';
  process.stdout.write(`${r.name.padEnd(width)}  ${`${r.value} ${r.unit}`.padStart(9)}  ≤ ${r.goal} ${r.unit} ${mark}\n`);
}
process.exitCode = results.every((r) => r.value <= r.goal) ? 0 : 1;
