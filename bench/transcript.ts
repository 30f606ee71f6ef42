/**
 * Transcript reading at scale, on files made by repeating the real sample transcript (test/fixtures/samples):
 *  - parse throughput: readEvents from offset 0 to the end of a ~100 MB transcript, the monitor's own loop;
 *  - /history page 0 of a ~200 MB transcript: median of 20 reads (it reads from the end, so size should not matter).
 */
import { mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readHistoryPage } from '#ccbot/history.js';
import { readEvents, type Cursor } from '#ccbot/transcript-reader.js';
import type { PendingCalls } from '#ccbot/transcript.js';
import { SAMPLES } from '../test/samples.js';
import type { BenchResult } from './hook.js';

const MB = 1024 * 1024;

/** A transcript of about `bytes`, the sample's lines over and over. */
function bigTranscript(dir: string, bytes: number): string {
  const path = join(dir, `t-${bytes}.jsonl`);
  const sample = readFileSync(join(SAMPLES, 'transcript-startup.jsonl'));
  const fd = openSync(path, 'w');
  for (let written = 0; written < bytes; written += sample.length) writeSync(fd, sample);
  closeSync(fd);
  return path;
}

export async function benchParse(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ccbot-bench-parse-'));
  try {
    const path = bigTranscript(dir, 100 * MB);
    const size = statSync(path).size;
    let cursor: Cursor = { offset: 0 };
    let pending: PendingCalls = {};
    let events = 0;
    const started = performance.now();
    while (cursor.offset < size) {
      const read = await readEvents(path, cursor, pending);
      if (!read.ok) throw new Error(read.error);
      cursor = read.cursor;
      pending = read.pending;
      events += read.events.length;
    }
    const seconds = (performance.now() - started) / 1000;
    if (events === 0) throw new Error('no events parsed');
    return [{ name: 'transcript parse throughput', value: Math.round(size / MB / seconds), unit: 'MB/s', goal: 50, better: 'higher' }];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchHistory(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'ccbot-bench-history-'));
  try {
    const path = bigTranscript(dir, 200 * MB);
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      const page = await readHistoryPage(path, 0);
      times.push(performance.now() - started);
      if (!page.ok || !page.html) throw new Error('no history page');
    }
    times.sort((a, b) => a - b);
    return [{ name: '/history page 0 of 200 MB', value: Math.round(times[10]! * 10) / 10, unit: 'ms', goal: 50 }];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
