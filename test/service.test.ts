import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execRun } from '#ccbot/exec.js';
import { MAIN_JS, tempDir } from './daemon-fixture.js';

const UNIT = join(MAIN_JS, '..', '..', 'ccbot.service');
const text = readFileSync(UNIT, 'utf8');
const directives = (key: string) => [...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]);

const service = suite('ccbot.service');

service('keeps tmux and Claude alive across a restart, and always restarts the daemon', () => {
  assert.equal(directives('KillMode'), ['process'], 'control-group or mixed would kill the tmux server and every claude');
  assert.equal(directives('Restart'), ['always']);
  assert.equal(directives('PrivateTmp'), ['false'], "tmux's socket lives in /tmp: a private /tmp hides it from tmux attach");
});

service('reads only /etc/ccbot/ccbot.env itself, never a %h path (the service manager\'s home, not User=\'s)', () => {
  assert.equal(directives('EnvironmentFile'), ['-/etc/ccbot/ccbot.env']);
  assert.not.match(text.replace(/^#.*$/gm, ''), '%h', 'no %h outside comments');
});

service('does not restart forever on a configuration error (exit 2)', () => {
  assert.equal(directives('RestartPreventExitStatus'), ['2']);
});

service('sets nothing that turns NoNewPrivileges on under User= (Claude may use sudo)', () => {
  const implying = ['ProtectKernelTunables', 'ProtectKernelModules', 'ProtectKernelLogs', 'ProtectClock', 'ProtectHostname',
    'RestrictRealtime', 'LockPersonality', 'SystemCallFilter', 'SystemCallArchitectures', 'RestrictAddressFamilies',
    'RestrictNamespaces', 'PrivateDevices', 'MemoryDenyWriteExecute', 'RestrictSUIDSGID', 'DynamicUser'];
  assert.equal(implying.filter((key) => directives(key).length > 0), []);
  assert.equal(directives('NoNewPrivileges'), ['no']);
});

service('documents the emergency stop of the daemon and every Claude it started', () => {
  assert.match(text, /^# +sudo systemctl kill --signal=SIGKILL ccbot && sudo systemctl stop ccbot$/m);
});

service('passes systemd-analyze verify (when systemd is installed)', async () => {
  const probe = await execRun('systemd-analyze', ['--version']);
  if (!probe.ok) {
    console.log('  (skipped: systemd-analyze is not installed)');
    return;
  }
  // Point ExecStart at this checkout, so verify checks a program that exists here.
  const dir = tempDir('ccbot-unit-');
  try {
    const unit = join(dir.path, 'ccbot.service');
    writeFileSync(unit, text.replace(/^ExecStart=.*$/m, `ExecStart=${process.execPath} ${MAIN_JS}`));
    const result = await execRun('systemd-analyze', ['verify', unit], { timeoutMs: 20_000 });
    const complaints = (result.ok ? result.stderr : result.stderr + result.stdout).split('\n').filter((l) => l.includes('ccbot.service'));
    assert.ok(result.ok, `systemd-analyze verify failed:\n${result.stderr}`);
    assert.equal(complaints, [], complaints.join('\n'));
  } finally {
    dir.remove();
  }
});

service.run();
