import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execRun } from '#ccbot/exec.js';

const run = suite('execRun');

run('returns stdout of a program that succeeds, with arguments passed verbatim (no shell)', async () => {
  const result = await execRun(process.execPath, ['-e', 'process.stdout.write(process.argv.slice(1).join("|"))', '$(id)', 'a;b', '*']);
  assert.equal(result, { ok: true, stdout: '$(id)|a;b|*', stderr: '' });
});

run('feeds input on stdin', async () => {
  const result = await execRun(process.execPath, ['-e', 'process.stdin.pipe(process.stdout)'], { input: 'héllo\n' });
  assert.ok(result.ok && result.stdout === 'héllo\n');
});

run('returns the exit code and stderr of a failing program as a value', async () => {
  const result = await execRun(process.execPath, ['-e', 'console.error("bad thing"); process.exit(3)']);
  assert.ok(!result.ok);
  assert.is(result.code, 3);
  assert.is(result.kind, 'exit');
  assert.match(result.stderr, 'bad thing');
  assert.is(result.error, `${process.execPath} exited with 3: bad thing`);
});

run('reports a missing program as missing, never throws', async () => {
  const result = await execRun('ccbot-no-such-program', []);
  assert.ok(!result.ok && result.kind === 'missing' && result.code === 'ENOENT');
  assert.match(result.error, 'not installed');
});

run('kills a program that outlives its timeout', async () => {
  const started = Date.now();
  const result = await execRun(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { timeoutMs: 200 });
  assert.ok(!result.ok && result.kind === 'timeout');
  assert.ok(Date.now() - started < 5_000);
  assert.match(result.error, 'timed out');
});

run('a program that exits without reading its input is not an error', async () => {
  const result = await execRun(process.execPath, ['-e', ''], { input: 'x'.repeat(1 << 20) });
  assert.ok(result.ok);
});

run.run();
