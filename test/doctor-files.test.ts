import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loadConfig } from '#ccbot/config.cjs';
import { checkAllowlistFile, checkCcbotDir, checkEnvFiles, checkLock, checkStateFiles, resolveSetup, settingSource } from '#ccbot/doctor-files.js';
import { tempDir } from './daemon-fixture.js';

type FileInfo = { isDirectory: boolean; mode: number; uid: number };

const setup = suite('resolveSetup and settingSource');
setup('a configuration without token and users: both problems, and the other settings from the environment', () => {
  const env = { HOME: '/home/me', CLAUDE_COMMAND: '/opt/claude' };
  const result = resolveSetup(env, (e) => loadConfig(e, { readFile: () => undefined }));
  assert.is(result.config, undefined);
  assert.is(result.errors.length, 2);
  assert.match(result.errors[0]!, 'TELEGRAM_BOT_TOKEN is not set');
  assert.match(result.errors[1]!, 'ALLOWED_USERS is not set');
  assert.equal([result.ccbotDir, result.claudeCommand], ['/home/me/.ccbot', '/opt/claude']);
});
setup('other errors than ConfigError are bugs and propagate', () => {
  assert.throws(() => resolveSetup({}, () => { throw new TypeError('bug'); }), /bug/);
});
setup('the fix for a rejected token names where it is set: the environment, else root\'s file, else the person\'s', () => {
  const { path: dir, remove } = tempDir('ccbot-doctor-');
  try {
    assert.is(settingSource({ TELEGRAM_BOT_TOKEN: 'x' }, dir, 'TELEGRAM_BOT_TOKEN', join(dir, 'system.env')), 'TELEGRAM_BOT_TOKEN in the environment');
    writeFileSync(join(dir, '.env'), 'TELEGRAM_BOT_TOKEN=x\n');
    assert.is(settingSource({}, dir, 'TELEGRAM_BOT_TOKEN', join(dir, 'system.env')), join(dir, '.env'));
    writeFileSync(join(dir, 'system.env'), 'TELEGRAM_BOT_TOKEN=x\n');
    assert.is(settingSource({}, dir, 'TELEGRAM_BOT_TOKEN', join(dir, 'system.env')), join(dir, 'system.env'), 'root\'s wins');
  } finally {
    remove();
  }
});
setup('the allowlist: ! when this user may change the file that sets ALLOWED_USERS or its directory, ✓ when not', () => {
  const { path: dir, remove } = tempDir('ccbot-doctor-');
  try {
    const system = join(dir, 'etc', 'ccbot.env');
    mkdirSync(join(dir, 'etc'));
    writeFileSync(system, 'ALLOWED_USERS=1\n');
    const writable = (open: string[]) => (path: string) => open.includes(path);
    const rootOwned = checkAllowlistFile({}, dir, system, writable([dir]));
    assert.equal([rootOwned.status, rootOwned.detail], ['ok', `ALLOWED_USERS is set in ${system}, which this user cannot change`]);
    const groupWritable = checkAllowlistFile({}, dir, system, writable([system]));
    assert.is(groupWritable.status, 'warn');
    assert.match(groupWritable.detail, `${system} can be changed by this user`);
    assert.is(checkAllowlistFile({}, dir, system, writable([join(dir, 'etc')])).status, 'warn', 'its directory: replaceable');
    rmSync(system);
    writeFileSync(join(dir, '.env'), 'ALLOWED_USERS=1\n'); // the person's own file: theirs (and Claude's) to edit
    const own = checkAllowlistFile({}, dir, system);
    assert.equal([own.status, own.detail.startsWith(join(dir, '.env'))], ['warn', true]);
    assert.match(own.fix ?? '', 'owned by root');
    assert.is(checkAllowlistFile({ ALLOWED_USERS: '1' }, dir, system).status, 'ok');
  } finally {
    remove();
  }
});
setup.run();

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
