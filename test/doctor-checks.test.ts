import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeClaudeSettings } from '#ccbot/claude-settings.js';
import { checkClaudeSettings, checkNode, checkOwnSettings, checkSystemd, checkTelegram } from '#ccbot/doctor-checks.js';
import type { Run } from '#ccbot/exec.js';
import { ccbotHookCommand, installHooks } from '#ccbot/hook-install.js';
import { tempDir } from './daemon-fixture.js';

const OURS = ccbotHookCommand();
const OTHER = '/usr/bin/node /old/ccbot/dist/main.js hook';

interface Dir { dir: string; remove(): void }
function inTempDir(name: string) {
  const s = suite<Dir>(name);
  s.before.each((ctx) => {
    const t = tempDir('ccbot-doctor-');
    ctx.dir = t.path;
    ctx.remove = t.remove;
  });
  s.after.each((ctx) => ctx.remove());
  return s;
}

const node = suite('checkNode');
node('passes Node 20 and later, fails older ones with what to install', () => {
  assert.is(checkNode('v20.0.0').status, 'ok');
  assert.is(checkNode('v22.11.0').status, 'ok');
  const old = checkNode('v18.19.1');
  assert.is(old.status, 'fail');
  assert.match(old.fix!, 'Node 20 or newer');
});
node.run();

const failure = suite('checkTelegram failures');
/** A fetch that fails the way `outcome` says, for the library to classify. */
const fetchThat = (outcome: () => Promise<Response>): typeof fetch => (() => outcome()) as typeof fetch;
failure('401: the token was rejected, copy it again from @BotFather into the .env file', async () => {
  const unauthorized = fetchThat(async () => Response.json({ ok: false, error_code: 401, description: 'Unauthorized' }, { status: 401 }));
  const check = await checkTelegram('1:x', 'https://api.telegram.org', '/home/me/.ccbot/.env', { fetch: unauthorized });
  assert.is(check.status, 'fail');
  assert.match(check.detail, 'rejected by Telegram');
  assert.is(check.fix, 'copy it again from @BotFather (/mybots → API Token) into /home/me/.ccbot/.env');
});
failure('a refused connection and a timeout: cannot reach the API root, check the network', async () => {
  const refusedError = new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) });
  const refused = await checkTelegram('1:x', 'http://127.0.0.1:9', 'x', { fetch: fetchThat(() => Promise.reject(refusedError)) });
  assert.is(refused.detail, 'cannot reach http://127.0.0.1:9 (ECONNREFUSED)');
  const never: typeof fetch = (_url, init) => new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal!.reason)));
  const alive = setTimeout(() => {}, 5_000); // a real request's socket keeps the process up; the library's timer does not
  const slow = await checkTelegram('1:x', 'https://api.telegram.org', 'x', { fetch: never, timeoutMs: 50 });
  clearTimeout(alive);
  assert.is(slow.detail, 'cannot reach https://api.telegram.org (no answer within 0.05 s)');
  assert.match(slow.fix!, 'check the network');
});
failure.run();

const hooks = inTempDir('checkClaudeSettings');
hooks('✓ when the file names this ccbot for both events', ({ dir }) => {
  const check = checkClaudeSettings(writeClaudeSettings(dir, OURS), OURS);
  assert.equal(check, { status: 'ok', name: 'hooks', detail: `Claude sessions started by ccbot run ${OURS}` });
});
hooks('! when the daemon has not written it yet', ({ dir }) => {
  assert.is(checkClaudeSettings(join(dir, 'claude-settings.json'), OURS).status, 'warn');
});
hooks('✗ naming the other ccbot, with a restart as the fix', ({ dir }) => {
  const path = writeClaudeSettings(dir, OTHER);
  const check = checkClaudeSettings(path, OURS);
  assert.is(check.status, 'fail');
  assert.match(check.detail, `runs ${OTHER}, not this ccbot`);
  assert.match(check.fix!, `systemctl restart ccbot`);
  assert.match(check.fix!, path);
});
hooks.run();

const own = inTempDir('checkOwnSettings');
own('✓ when settings.json has this ccbot hook', ({ dir }) => {
  installHooks(join(dir, 'settings.json'), OURS);
  assert.is(checkOwnSettings(dir, 'ccbot', OURS).status, 'ok');
});
own('! without it, telling to run ccbot hook --install for the tmux session', ({ dir }) => {
  writeFileSync(join(dir, 'settings.json'), JSON.stringify({ hooks: { SessionStart: [{ hooks: [{ type: 'command', command: 'cat notes' }] }] } }));
  const check = checkOwnSettings(dir, 'work', OURS);
  assert.is(check.status, 'warn');
  assert.is(check.fix, 'for a claude you start by hand inside tmux session work, run: ccbot hook --install');
});
own('! when it names another ccbot', ({ dir }) => {
  installHooks(join(dir, 'settings.json'), OTHER);
  assert.match(checkOwnSettings(dir, 'ccbot', OURS).detail, 'another ccbot');
});
own.run();

const systemd = suite('checkSystemd');
/** systemctl answers on stdout; "no" is also a non-zero exit, which the check must not mistake for a failure. */
const answers = (enabled: string, active: string): Run => async (_file, args) => {
  const word = args[0] === 'is-enabled' ? enabled : active;
  return word === 'enabled' || word === 'active'
    ? { ok: true, stdout: `${word}\n`, stderr: '' }
    : { ok: false, kind: 'exit', error: 'systemctl exited with 3', stdout: `${word}\n`, stderr: '', code: 3 };
};
systemd('no line without systemd; ✓ enabled and active; ! not installed or inactive', async () => {
  assert.is(await checkSystemd(answers('enabled', 'active'), () => false), undefined);
  assert.is((await checkSystemd(answers('enabled', 'active'), () => true))?.status, 'ok');
  assert.match((await checkSystemd(answers('', 'inactive'), () => true))!.detail, 'not installed');
  assert.match((await checkSystemd(answers('enabled', 'failed'), () => true))!.detail, 'enabled but failed');
  const missing: Run = async () => ({ ok: false, kind: 'missing', error: 'systemctl is not installed', stdout: '', stderr: '', code: 'ENOENT' });
  assert.is(await checkSystemd(missing, () => true), undefined);
});
systemd.run();
