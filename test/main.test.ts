import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execRun } from '#ccbot/exec.js';
import { MAIN_JS, tempDir } from './daemon-fixture.js';

const cli = suite('ccbot command line');
const ccbot = (args: string[]) => {
  const home = tempDir('ccbot-cli-');
  return execRun(process.execPath, [MAIN_JS, ...args], { env: { PATH: process.env.PATH, HOME: home.path }, cwd: home.path }).finally(home.remove);
};

cli('--help prints usage on stdout and exits 0', async () => {
  const result = await ccbot(['--help']);
  assert.ok(result.ok);
  assert.match(result.stdout, /^usage: ccbot/);
});

cli('--version prints the package version', async () => {
  const result = await ccbot(['--version']);
  const pkg = JSON.parse(readFileSync(join(MAIN_JS, '..', '..', 'package.json'), 'utf8')) as { version: string };
  assert.ok(result.ok);
  assert.is(result.stdout, `${pkg.version}\n`);
});

cli('an unknown subcommand prints usage on stderr and exits 2', async () => {
  const result = await ccbot(['frobnicate']);
  assert.ok(!result.ok);
  assert.is(result.code, 2);
  assert.is(result.stdout, '');
  assert.match(result.stderr, 'unknown command "frobnicate"');
  assert.match(result.stderr, 'usage: ccbot');
});

cli.run();
