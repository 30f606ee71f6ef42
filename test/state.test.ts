import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadState, saveState, StateStore, STATE_FILE } from '#ccbot/state.js';
import { tempDir } from './daemon-fixture.js';

const handled = suite('StateStore.recordHandled');

handled('keeps the poller\'s watermark and the handled ids above it across a restart', () => {
  const dir = tempDir('ccbot-state-');
  try {
    const store = new StateStore(loadState(dir.path), (state) => saveState(dir.path, state));
    store.recordHandled(41, [43, 44]);
    const again = new StateStore(loadState(dir.path), () => {});
    assert.is(again.lastUpdateId, 41);
    assert.equal(again.handledUpdateIds, [43, 44]);
    store.recordHandled(44, []);
    const saved = JSON.parse(readFileSync(join(dir.path, STATE_FILE), 'utf8')) as Record<string, unknown>;
    assert.is(saved.lastUpdateId, 44);
    assert.not.ok('handledUpdateIds' in saved, 'none above the watermark: the field goes');
  } finally {
    dir.remove();
  }
});

handled('reads back only integer ids', () => {
  const dir = tempDir('ccbot-state-');
  try {
    writeFileSync(join(dir.path, STATE_FILE), JSON.stringify({ version: 1, lastUpdateId: 9, handledUpdateIds: [11, 'x', 12.5, 13] }));
    assert.equal(new StateStore(loadState(dir.path), () => {}).handledUpdateIds, [11, 13]);
  } finally {
    dir.remove();
  }
});

handled.run();
