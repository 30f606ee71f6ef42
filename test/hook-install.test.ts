import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { execRun } from '#ccbot/exec.js';
import { ccbotHookCommand, installHooks, uninstallHooks } from '#ccbot/hook-install.js';
import { MAIN_JS } from './daemon-fixture.js';

const COMMAND = '/usr/local/bin/node /opt/ccbot/dist/main.cjs hook';
const OURS = { hooks: [{ type: 'command', command: COMMAND, timeout: 5 }] };
const THEIRS = { matcher: 'startup', hooks: [{ type: 'command', command: 'cat ~/notes.md' }] };
const AUDIT = { matcher: 'Bash', hooks: [{ type: 'command', command: 'audit.sh', timeout: 10 }] };

interface Ctx {
  dir: string;
  path: string;
}

function withSettings(name: string) {
  const s = suite<Ctx>(name);
  s.before.each((ctx) => {
    ctx.dir = mkdtempSync(join(tmpdir(), 'ccbot-settings-'));
    ctx.path = join(ctx.dir, '.claude', 'settings.json');
  });
  s.after.each((ctx) => rmSync(ctx.dir, { recursive: true, force: true }));
  return s;
}

const put = (path: string, value: unknown) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value, null, 2) + '\n');
};
const load = (path: string): unknown => JSON.parse(readFileSync(path, 'utf8'));
/** assert.equal ignores key order; the file must keep it. */
const sameOrder = (path: string, expected: unknown) => assert.is(JSON.stringify(load(path)), JSON.stringify(expected));
const fileId = (path: string) => {
  const s = statSync(path);
  return `${s.ino}:${s.mtimeMs}`;
};

// ---------------------------------------------------------------------------------------------------------------

const command = suite('ccbotHookCommand');

command('is the absolute node and the absolute main.cjs of this install, then "hook"', () => {
  assert.is(ccbotHookCommand(), `${process.execPath} ${MAIN_JS} hook`);
});

command('quotes for a shell only what needs it', () => {
  assert.is(ccbotHookCommand('/usr/bin/node', '/opt/ccbot/dist/main.cjs'), '/usr/bin/node /opt/ccbot/dist/main.cjs hook');
  assert.is(
    ccbotHookCommand('/opt/my node/bin/node', "/home/o'neil/ccbot/dist/main.cjs"),
    `'/opt/my node/bin/node' '/home/o'\\''neil/ccbot/dist/main.cjs' hook`,
  );
});

command('the quoted command runs through sh from any cwd, with no PATH', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ccbot hook cmd-'));
  try {
    const spaced = join(dir, "it's here");
    symlinkSync(dirname(MAIN_JS), spaced);
    const state = join(dir, 'state');
    mkdirSync(state);
    const event = JSON.stringify({ session_id: '2061e677-6298-4b4d-a740-c2bde142a0dc', cwd: '/w', hook_event_name: 'SessionStart' });
    // No tmux on an empty PATH: the hook runs, fails to place the pane, says so in hook.log, and stays silent.
    const env = { PATH: '', HOME: dir, CCBOT_DIR: state, TMUX_PANE: '%1' };
    const result = await execRun('/bin/sh', ['-c', ccbotHookCommand(process.execPath, join(spaced, 'main.cjs'))], { env, cwd: '/', input: event });
    assert.ok(result.ok, JSON.stringify(result));
    assert.is(result.stdout, '');
    assert.match(readFileSync(join(state, 'hook.log'), 'utf8'), 'tmux could not say where this pane is');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

command.run();

// ---------------------------------------------------------------------------------------------------------------

const install = withSettings('installHooks');

install('creates an absent settings.json and its directory', ({ path }) => {
  const result = installHooks(path, COMMAND);
  assert.equal(result, { ok: true, changed: true, message: `ccbot hook installed in ${path} for SessionStart and UserPromptSubmit: ${COMMAND}` });
  sameOrder(path, { hooks: { SessionStart: [OURS], UserPromptSubmit: [OURS] } });
});

install('adds the hooks to an empty object', ({ path }) => {
  put(path, {});
  assert.ok(installHooks(path, COMMAND).ok);
  sameOrder(path, { hooks: { SessionStart: [OURS], UserPromptSubmit: [OURS] } });
});

install('keeps every other key and hook, in order, and appends ours', ({ path }) => {
  put(path, { model: 'opus', hooks: { PreToolUse: [AUDIT], SessionStart: [THEIRS] }, permissions: { allow: ['Bash(ls)'] } });
  assert.ok(installHooks(path, COMMAND).ok);
  sameOrder(path, {
    model: 'opus',
    hooks: { PreToolUse: [AUDIT], SessionStart: [THEIRS, OURS], UserPromptSubmit: [OURS] },
    permissions: { allow: ['Bash(ls)'] },
  });
});

install('twice is once: the second run changes nothing, byte for byte', ({ path }) => {
  put(path, { hooks: { SessionStart: [THEIRS] } });
  installHooks(path, COMMAND);
  const text = readFileSync(path, 'utf8');
  const id = fileId(path);
  assert.equal(installHooks(path, COMMAND), { ok: true, changed: false, message: `ccbot hook is already installed in ${path}` });
  assert.is(readFileSync(path, 'utf8'), text);
  assert.is(fileId(path), id, 'not even rewritten');
});

install('completes an install that has only SessionStart', ({ path }) => {
  put(path, { hooks: { SessionStart: [THEIRS, OURS] } });
  const result = installHooks(path, COMMAND);
  assert.ok(result.ok && result.message.includes('for UserPromptSubmit:') && !result.message.includes('SessionStart'), JSON.stringify(result));
  sameOrder(path, { hooks: { SessionStart: [THEIRS, OURS], UserPromptSubmit: [OURS] } });
});

install('replaces older ccbot entries in place instead of adding a second one', ({ path }) => {
  const old = { hooks: [{ type: 'command', command: "'/old node/bin/node' '/old/ccbot/dist/main.js' hook", timeout: 5 }] };
  const shared = { hooks: [{ type: 'command', command: 'log-prompt.sh' }, { type: 'command', command: 'ccbot hook' }] };
  const dupe = { hooks: [{ type: 'command', command: '/usr/bin/ccbot hook' }] };
  put(path, { hooks: { SessionStart: [THEIRS, old, AUDIT, dupe], UserPromptSubmit: [shared] } });
  assert.ok(installHooks(path, COMMAND).ok);
  sameOrder(path, {
    hooks: {
      SessionStart: [THEIRS, OURS, AUDIT],
      UserPromptSubmit: [{ hooks: [{ type: 'command', command: 'log-prompt.sh' }] }, OURS],
    },
  });
});

install('leaves a file that is not valid JSON untouched, with an error saying what to do', ({ path }) => {
  for (const text of ['{"model": "opus",', '', '[]', 'null']) {
    put(path, text);
    const result = installHooks(path, COMMAND);
    assert.ok(!result.ok, text);
    assert.match(result.error, new RegExp(`^${path.replace(/[.]/g, '\\.')} is not valid JSON .*: fix or move it, then run ccbot hook --install again$`));
    assert.not.match(result.error, '\n');
    assert.is(readFileSync(path, 'utf8'), text);
  }
});

install('refuses hooks it cannot understand rather than guessing', ({ path }) => {
  put(path, { hooks: { SessionStart: { hooks: [] } } });
  const result = installHooks(path, COMMAND);
  assert.ok(!result.ok && result.error.includes('"hooks.SessionStart" is not a list'), JSON.stringify(result));
  put(path, { hooks: 'none' });
  assert.not.ok(installHooks(path, COMMAND).ok);
});

install('writes through a symlinked settings.json, keeping the link', ({ dir, path }) => {
  const real = join(dir, 'dotfiles', 'settings.json');
  put(real, { model: 'opus' });
  mkdirSync(dirname(path), { recursive: true });
  symlinkSync(real, path);
  assert.ok(installHooks(path, COMMAND).ok);
  sameOrder(real, { model: 'opus', hooks: { SessionStart: [OURS], UserPromptSubmit: [OURS] } });
  assert.ok(readFileSync(path, 'utf8') === readFileSync(real, 'utf8'));
});

install.run();

// ---------------------------------------------------------------------------------------------------------------

const uninstall = withSettings('uninstallHooks');

uninstall('restores the rest of the file exactly', ({ path }) => {
  const original = { model: 'opus', hooks: { PreToolUse: [AUDIT], SessionStart: [THEIRS] }, permissions: { allow: [] } };
  put(path, original);
  const text = readFileSync(path, 'utf8');
  installHooks(path, COMMAND);
  const result = uninstallHooks(path);
  assert.equal(result, { ok: true, changed: true, message: `ccbot hook removed from ${path} for SessionStart and UserPromptSubmit` });
  assert.is(readFileSync(path, 'utf8'), text);
});

uninstall('drops event lists and a hooks object that only ours filled; keeps a shared group', ({ path }) => {
  put(path, { hooks: { SessionStart: [OURS], UserPromptSubmit: [OURS] }, model: 'opus' });
  assert.ok(uninstallHooks(path).ok);
  sameOrder(path, { model: 'opus' });
  const shared = { matcher: '', hooks: [{ type: 'command', command: 'x.sh' }, OURS.hooks[0]] };
  put(path, { hooks: { UserPromptSubmit: [shared], Stop: [] } });
  assert.ok(uninstallHooks(path).ok);
  sameOrder(path, { hooks: { UserPromptSubmit: [{ matcher: '', hooks: [{ type: 'command', command: 'x.sh' }] }], Stop: [] } });
});

uninstall('changes nothing when not installed, and creates no file', ({ path }) => {
  assert.equal(uninstallHooks(path), { ok: true, changed: false, message: `ccbot hook is not installed in ${path}: nothing to remove` });
  assert.not.ok(existsSync(path));
  put(path, { hooks: { SessionStart: [THEIRS] } });
  const id = fileId(path);
  assert.ok(uninstallHooks(path).ok);
  assert.is(fileId(path), id);
});

uninstall('leaves invalid JSON untouched', ({ path }) => {
  put(path, '{oops');
  const result = uninstallHooks(path);
  assert.ok(!result.ok && result.error.endsWith('then run ccbot hook --uninstall again'), JSON.stringify(result));
  assert.is(readFileSync(path, 'utf8'), '{oops');
});

uninstall.run();

// ---------------------------------------------------------------------------------------------------------------

const cli = withSettings('ccbot hook --install / --uninstall');

const ccbot = (args: string[], env: NodeJS.ProcessEnv, cwd: string) => execRun(process.execPath, [MAIN_JS, 'hook', ...args], { env, cwd });

cli('installs into ~/.claude by default with one line on stdout, and needs no Telegram token', async ({ dir, path }) => {
  const result = await ccbot(['--install'], { HOME: dir, PATH: process.env.PATH }, dir);
  assert.ok(result.ok, JSON.stringify(result));
  assert.is(result.stdout, `ccbot hook installed in ${path} for SessionStart and UserPromptSubmit: ${ccbotHookCommand()}\n`);
  assert.is(result.stderr, '');
  const ours = { hooks: [{ type: 'command', command: ccbotHookCommand(), timeout: 5 }] };
  sameOrder(path, { hooks: { SessionStart: [ours], UserPromptSubmit: [ours] } });

  const removed = await ccbot(['--uninstall'], { HOME: dir, PATH: process.env.PATH }, dir);
  assert.ok(removed.ok);
  assert.is(removed.stdout.split('\n').length, 2, 'one line');
  sameOrder(path, {});
});

cli('uses $CLAUDE_CONFIG_DIR; invalid JSON: exit 1, one line on stderr, file untouched', async ({ dir }) => {
  const config = join(dir, 'claude-config');
  const path = join(config, 'settings.json');
  put(path, '{ "model": ');
  const result = await ccbot(['--install'], { HOME: dir, CLAUDE_CONFIG_DIR: config }, dir);
  assert.ok(!result.ok);
  assert.is(result.code, 1);
  assert.is(result.stdout, '');
  assert.match(result.stderr, new RegExp(`^ccbot: ${path.replace(/[.]/g, '\\.')} is not valid JSON \\(.+\\): fix or move it, then run ccbot hook --install again\\n$`));
  assert.is(readFileSync(path, 'utf8'), '{ "model": ');
});

cli('rejects unknown arguments with exit 2', async ({ dir }) => {
  const result = await ccbot(['--instal'], { HOME: dir }, dir);
  assert.ok(!result.ok && result.code === 2, JSON.stringify(result));
  assert.match(result.stderr, 'ccbot hook --install');
  assert.not.ok(existsSync(join(dir, '.claude')));
});

cli.run();
