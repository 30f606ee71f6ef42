import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkCcbotDir, checkEnvFiles, checkLock, checkStateFiles } from '#ccbot/doctor-files.js';

type FileInfo = { isDirectory: boolean; mode: number; uid: number };
import { tempDir } from './daemon-fixture.js';

const files = suite('checkCcbotDir and checkEnvFiles');
const info = (mode: number, isDirectory = true): FileInfo => ({ isDirectory, mode, uid: 1000 });
files('CCBOT_DIR: 0700 passes, 0755 fails with chmod 700, absent is a warning', () => {
  assert.is(checkCcbotDir('/d', () => info(0o40700), 1000).status, 'ok');
  const open = checkCcbotDir('/d', () => info(0o40755), 1000);
  assert.equal([open.status, open.fix], ['fail', 'chmod 700 /d']);
  assert.is(checkCcbotDir('/d', () => undefined, 1000).status, 'warn');
  assert.is(checkCcbotDir('/d', () => info(0o40700), 0).status, 'fail');
});
files('.env: group/world-readable personal file and world-readable system file are warnings', () => {
  const modes: Record<string, number> = { '/d/.env': 0o600, '/etc/ccbot/ccbot.env': 0o640 };
  const stat = (path: string) => (modes[path] === undefined ? undefined : info(modes[path]!, false));
  assert.is(checkEnvFiles('/d', '/etc/ccbot/ccbot.env', stat).status, 'ok');
  modes['/etc/ccbot/ccbot.env'] = 0o644;
  assert.equal(checkEnvFiles('/d', '/etc/ccbot/ccbot.env', stat).fix, 'chmod 640 /etc/ccbot/ccbot.env');
  modes['/d/.env'] = 0o640;
  assert.equal(checkEnvFiles('/d', '/etc/ccbot/ccbot.env', stat).fix, 'chmod 600 /d/.env');
});
files.run();

const lock = suite('checkLock');
const lockText = (data: unknown) => () => JSON.stringify(data);
lock('free, held by a live daemon, stale', () => {
  assert.is(checkLock('/d', { read: () => undefined }).detail, 'not running');
  assert.is(checkLock('/d', { read: lockText({ pid: 4121 }), isAlive: () => true, startTimeOf: () => undefined }).detail, 'running (pid 4121)');
  const stale = checkLock('/d', { read: lockText({ pid: 4121 }), isAlive: () => false });
  assert.equal([stale.status, stale.fix], ['warn', 'it is taken over at the next start']);
  const reused = checkLock('/d', { read: lockText({ pid: 4121, startTime: '100' }), isAlive: () => true, startTimeOf: () => '200' });
  assert.is(reused.status, 'warn');
});
lock.run();

const state = suite('checkStateFiles');
state('✓ for missing or valid files, ✗ naming the file that is not JSON', () => {
  const { path: dir, remove } = tempDir('ccbot-doctor-');
  try {
    assert.is(checkStateFiles(dir).detail, 'no state files yet');
    writeFileSync(join(dir, 'state.json'), '{}');
    assert.is(checkStateFiles(dir).detail, 'state.json parse');
    writeFileSync(join(dir, 'monitor_state.json'), '{"version":');
    const bad = checkStateFiles(dir);
    assert.is(bad.status, 'fail');
    assert.is(bad.detail, `${join(dir, 'monitor_state.json')} is not valid JSON`);
  } finally {
    remove();
  }
});
state.run();
