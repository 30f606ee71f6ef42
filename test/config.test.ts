import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { childEnv, ConfigError, DEFAULTS, loadConfig, type Config } from '#ccbot/config.cjs';
import { execRun } from '#ccbot/exec.js';

const TOKEN = '123456789:' + 'A1b2_C3d-'.repeat(4) + 'xyz'; // digits, colon, 39 token characters
const USERS = '42';

/** Runs fn, asserts it throws a one-line ConfigError naming `variable`, and returns the message. */
function configError(fn: () => unknown, variable: string): string {
  try {
    fn();
  } catch (err) {
    assert.instance(err, ConfigError);
    const message = (err as Error).message;
    assert.ok(message.includes(variable), `message should name ${variable}: ${message}`);
    assert.not.ok(message.includes('\n'), `message should be one line: ${message}`);
    return message;
  }
  assert.unreachable(`expected a ConfigError naming ${variable}`);
  return '';
}

// ---------------------------------------------------------------------------------------------------------------

interface Dirs {
  root: string;
  home: string;
  cwd: string;
}

const load = suite<Dirs>('loadConfig', { root: '', home: '', cwd: '' });

load.before.each((ctx) => {
  ctx.root = realpathSync(mkdtempSync(join(tmpdir(), 'ccbot-config-')));
  ctx.home = join(ctx.root, 'home');
  ctx.cwd = join(ctx.root, 'work');
  mkdirSync(ctx.home);
  mkdirSync(ctx.cwd);
});

load.after.each((ctx) => {
  rmSync(ctx.root, { recursive: true, force: true });
});

const write = (path: string, text: string) => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
};
const systemFile = (ctx: Dirs) => join(ctx.root, 'etc', 'ccbot.env');
const from = (ctx: Dirs, env: NodeJS.ProcessEnv) => loadConfig(env, { cwd: ctx.cwd, home: ctx.home, systemFile: systemFile(ctx) });
const valid = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ TELEGRAM_BOT_TOKEN: TOKEN, ALLOWED_USERS: USERS, ...extra });

load('CCBOT_REDACT=0 turns masking off; CCBOT_HOST_LABEL is taken as written', (ctx) => {
  const config = from(ctx, valid({ CCBOT_REDACT: '0', CCBOT_HOST_LABEL: 'vps-1' }));
  assert.is(config.redact, false);
  assert.is(config.hostLabel, 'vps-1');
  assert.is(from(ctx, valid({ CCBOT_REDACT: '1' })).redact, true);
});

load('fills every default when only the required variables are set and no .env exists', (ctx) => {
  const expected: Config = {
    botToken: TOKEN,
    allowedUsers: [42],
    ccbotDir: join(ctx.home, '.ccbot'),
    tmuxSession: 'ccbot',
    claudeCommand: 'claude',
    claudeFlags: ['--dangerously-skip-permissions'],
    telegramApiRoot: 'https://api.telegram.org',
    claudeConfigDir: join(ctx.home, '.claude'),
    logLevel: 'info',
    idleHours: 12,
    archivePurgeAfterMs: 14 * 24 * 3600 * 1000,
    monitorPollIntervalMs: 1000,
    stallMinutes: 5,
    inboxTtlMs: 24 * 3600 * 1000,
    whisper: null,
    tripwire: { pattern: null },
    tripwireTimeoutMs: 10 * 60 * 1000,
    redact: true,
    hostLabel: '',
  };
  assert.equal(from(ctx, valid()), expected);
  assert.is(DEFAULTS.TMUX_SESSION_NAME, expected.tmuxSession);
});

load('voice is configured only with both WHISPER_CLI and WHISPER_MODEL; a bare program name stays a PATH lookup', (ctx) => {
  assert.is(from(ctx, valid({ WHISPER_CLI: 'whisper-cli' })).whisper, null);
  assert.equal(from(ctx, valid({ WHISPER_CLI: 'whisper-cli', WHISPER_MODEL: '~/models/ggml-base.bin' })).whisper,
    { cli: 'whisper-cli', model: join(ctx.home, 'models', 'ggml-base.bin'), lang: 'auto', threads: 4 });
  const custom = from(ctx, valid({ WHISPER_CLI: '/opt/w/whisper-cli', WHISPER_MODEL: '/m.bin', WHISPER_LANG: 'ru', WHISPER_THREADS: '2' }));
  assert.equal(custom.whisper, { cli: '/opt/w/whisper-cli', model: '/m.bin', lang: 'ru', threads: 2 });
  assert.throws(() => from(ctx, valid({ WHISPER_CLI: 'w', WHISPER_MODEL: '/m', WHISPER_THREADS: 'many' })), /WHISPER_THREADS "many"/);
  assert.throws(() => from(ctx, valid({ INBOX_TTL_HOURS: '0' })), /INBOX_TTL_HOURS "0"/);
});

load('the tripwire: built in by default, a pattern of its own, off; a pattern that does not compile is named', (ctx) => {
  assert.equal(from(ctx, valid({ CCBOT_TRIPWIRE: 'terraform\\s+destroy' })).tripwire, { pattern: 'terraform\\s+destroy' });
  assert.is(from(ctx, valid({ CCBOT_TRIPWIRE: 'OFF' })).tripwire, 'off');
  assert.throws(() => from(ctx, valid({ CCBOT_TRIPWIRE: 'rm (-rf' })), /CCBOT_TRIPWIRE "rm \(-rf" .* not a valid JavaScript regular expression/);
  assert.is(from(ctx, valid({ CCBOT_TRIPWIRE_TIMEOUT: '90s' })).tripwireTimeoutMs, 90_000);
});

load('process env wins over /etc/ccbot/ccbot.env (root\'s), which wins over $CCBOT_DIR/.env (the service user\'s, '
  + 'which a Claude session can edit)', (ctx) => {
  write(systemFile(ctx), 'TMUX_SESSION_NAME=from-system\nCLAUDE_COMMAND=system-claude\nLOG_LEVEL=debug\nALLOWED_USERS=1\n');
  write(join(ctx.home, '.ccbot', '.env'), 'CLAUDE_COMMAND=dir-claude\nLOG_LEVEL=warn\nCCBOT_STALL_MINUTES=7\nALLOWED_USERS=666\n');
  const config = from(ctx, { TELEGRAM_BOT_TOKEN: TOKEN, LOG_LEVEL: 'error' });
  assert.is(config.tmuxSession, 'from-system');
  assert.is(config.claudeCommand, 'system-claude');
  assert.is(config.stallMinutes, 7);
  assert.is(config.logLevel, 'error');
  assert.equal(config.allowedUsers, [1], 'the service user\'s file cannot widen root\'s allowlist');
});

load('takes CCBOT_DIR from /etc/ccbot/ccbot.env and reads the .env inside that directory', (ctx) => {
  write(systemFile(ctx), 'CCBOT_DIR=~/state\n');
  write(join(ctx.home, 'state', '.env'), `TELEGRAM_BOT_TOKEN=${TOKEN}\nALLOWED_USERS=7,8\n`);
  write(join(ctx.home, '.ccbot', '.env'), 'TMUX_SESSION_NAME=not-read\n');
  const config = from(ctx, {});
  assert.is(config.ccbotDir, join(ctx.home, 'state'));
  assert.is(config.botToken, TOKEN);
  assert.equal(config.allowedUsers, [7, 8]);
  assert.is(config.tmuxSession, 'ccbot');
});

load('lets CCBOT_DIR from the process env win over /etc/ccbot/ccbot.env', (ctx) => {
  write(systemFile(ctx), `CCBOT_DIR=${join(ctx.root, 'cwd-choice')}\n`);
  write(join(ctx.root, 'env-choice', '.env'), 'TMUX_SESSION_NAME=env-choice\n');
  const config = from(ctx, valid({ CCBOT_DIR: join(ctx.root, 'env-choice') }));
  assert.is(config.ccbotDir, join(ctx.root, 'env-choice'));
  assert.is(config.tmuxSession, 'env-choice');
});

load('a hostile ./.env in the working directory changes nothing', (ctx) => {
  const attacker = join(ctx.root, 'attacker');
  write(join(attacker, '.env'), `TELEGRAM_BOT_TOKEN=${TOKEN}\nALLOWED_USERS=666\n`);
  write(join(ctx.cwd, '.env'), [
    `CCBOT_DIR=${attacker}`, 'TELEGRAM_API_ROOT=https://evil.example.org', 'CLAUDE_COMMAND=/tmp/evil', 'ALLOWED_USERS=666',
  ].join('\n'));
  const config = from(ctx, valid());
  assert.is(config.ccbotDir, join(ctx.home, '.ccbot'));
  assert.is(config.telegramApiRoot, 'https://api.telegram.org');
  assert.is(config.claudeCommand, 'claude');
  assert.equal(config.allowedUsers, [42]);
});

load('ignores CCBOT_DIR written inside $CCBOT_DIR/.env', (ctx) => {
  write(join(ctx.home, '.ccbot', '.env'), `CCBOT_DIR=${join(ctx.root, 'elsewhere')}\n`);
  assert.is(from(ctx, valid()).ccbotDir, join(ctx.home, '.ccbot'));
});

load('resolves a relative CCBOT_DIR against the working directory', (ctx) => {
  assert.is(from(ctx, valid({ CCBOT_DIR: 'state' })).ccbotDir, join(ctx.cwd, 'state'));
});

load('expands ~ and ~/ with the home directory, which defaults to HOME of the given env', (ctx) => {
  assert.is(from(ctx, valid({ CLAUDE_CONFIG_DIR: '~/cc' })).claudeConfigDir, join(ctx.home, 'cc'));
  assert.is(from(ctx, valid({ CLAUDE_CONFIG_DIR: '~' })).claudeConfigDir, ctx.home);
  const other = join(ctx.root, 'other-home');
  assert.is(loadConfig(valid({ HOME: other }), { cwd: ctx.cwd, systemFile: systemFile(ctx) }).ccbotDir, join(other, '.ccbot'));
});

load('treats an empty value as the default, and an empty process env value still wins over a file', (ctx) => {
  write(join(ctx.home, '.ccbot', '.env'), 'TMUX_SESSION_NAME=from-file\n');
  assert.is(from(ctx, valid({ TMUX_SESSION_NAME: '' })).tmuxSession, 'ccbot');
  assert.is(from(ctx, valid({ LOG_LEVEL: '', ARCHIVE_PURGE_AFTER: '' })).archivePurgeAfterMs, 14 * 24 * 3600 * 1000);
});

load('splits CLAUDE_FLAGS on whitespace, honouring quotes; empty means no flags', (ctx) => {
  assert.equal(from(ctx, valid({ CLAUDE_FLAGS: ` --model "claude sonnet"  --x='a b' -v "say \\"hi\\"" '' ` })).claudeFlags, ['--model', 'claude sonnet', '--x=a b', '-v', 'say "hi"', '']);
  assert.equal(from(ctx, valid({ CLAUDE_FLAGS: '' })).claudeFlags, []);
  write(join(ctx.home, '.ccbot', '.env'), 'CLAUDE_FLAGS=\n');
  assert.equal(from(ctx, valid()).claudeFlags, []);
  configError(() => from(ctx, valid({ CLAUDE_FLAGS: '--append "unclosed' })), 'CLAUDE_FLAGS');
});

load('reads durations and intervals in their units', (ctx) => {
  const purge = (v: string) => from(ctx, valid({ ARCHIVE_PURGE_AFTER: v })).archivePurgeAfterMs;
  assert.is(purge('14d'), 14 * 86_400_000);
  assert.is(purge('36h'), 36 * 3_600_000);
  assert.is(purge('90m'), 90 * 60_000);
  assert.is(purge('45'), 45_000);
  assert.is(purge('1.5h'), 5_400_000);
  const config = from(ctx, valid({ MONITOR_POLL_INTERVAL: '0.5', CCBOT_IDLE_HOURS: '1.5', CCBOT_STALL_MINUTES: '10' }));
  assert.is(config.monitorPollIntervalMs, 500);
  assert.is(config.idleHours, 1.5);
  assert.is(config.stallMinutes, 10);
});

load('rejects bad durations and non-positive numbers, naming the variable', (ctx) => {
  for (const bad of ['2w', '0', '-1d', 'd', '14 days']) configError(() => from(ctx, valid({ ARCHIVE_PURGE_AFTER: bad })), 'ARCHIVE_PURGE_AFTER');
  for (const bad of ['abc', '0', '-3', '12h', '0x10']) configError(() => from(ctx, valid({ CCBOT_IDLE_HOURS: bad })), 'CCBOT_IDLE_HOURS');
  configError(() => from(ctx, valid({ CCBOT_STALL_MINUTES: '5m' })), 'CCBOT_STALL_MINUTES');
  configError(() => from(ctx, valid({ MONITOR_POLL_INTERVAL: 'often' })), 'MONITOR_POLL_INTERVAL');
});

load('TELEGRAM_API_ROOT: https, or http only to this machine; trailing slashes stripped', (ctx) => {
  assert.is(from(ctx, valid({ TELEGRAM_API_ROOT: 'http://127.0.0.1:8081/' })).telegramApiRoot, 'http://127.0.0.1:8081');
  assert.is(from(ctx, valid({ TELEGRAM_API_ROOT: 'https://tg.example.org/bot-api//' })).telegramApiRoot, 'https://tg.example.org/bot-api');
  for (const local of ['http://localhost:8081', 'http://[::1]:8081', 'http://127.1.2.3']) from(ctx, valid({ TELEGRAM_API_ROOT: local }));
  const bads = ['ftp://example.org', 'api.telegram.org', 'not a url', 'file:///tmp/x', 'http://tg.example.org', 'http://10.0.0.1:8081',
    'http://127.0.0.1.evil.org', 'https://user:pw@tg.example.org'];
  for (const bad of bads) {
    configError(() => from(ctx, valid({ TELEGRAM_API_ROOT: bad })), 'TELEGRAM_API_ROOT');
  }
});

load('accepts LOG_LEVEL in any case and rejects unknown levels', (ctx) => {
  assert.is(from(ctx, valid({ LOG_LEVEL: 'WARN' })).logLevel, 'warn');
  const message = configError(() => from(ctx, valid({ LOG_LEVEL: 'verbose' })), 'LOG_LEVEL');
  assert.ok(message.includes('debug, info, warn, error'));
});

load('rejects a TMUX_SESSION_NAME with ":" or ".", saying tmux reserves them', (ctx) => {
  assert.is(from(ctx, valid({ TMUX_SESSION_NAME: 'my-bot_2' })).tmuxSession, 'my-bot_2');
  for (const bad of ['a:b', 'my.session']) {
    const message = configError(() => from(ctx, valid({ TMUX_SESSION_NAME: bad })), 'TMUX_SESSION_NAME');
    assert.ok(message.includes('tmux reserves'), message);
  }
});

load('explains a missing token: where to put it (the resolved .env path) and how to get one', (ctx) => {
  const message = configError(() => from(ctx, { ALLOWED_USERS: USERS }), 'TELEGRAM_BOT_TOKEN');
  assert.ok(message.includes(join(ctx.home, '.ccbot', '.env')), message);
  assert.ok(message.includes('@BotFather') && message.includes('/newbot'), message);
  assert.ok(message.includes('not set'), message);
});

load('reports an empty token in the environment as empty, even when a file has one', (ctx) => {
  write(join(ctx.home, '.ccbot', '.env'), `TELEGRAM_BOT_TOKEN=${TOKEN}\n`);
  const message = configError(() => from(ctx, { TELEGRAM_BOT_TOKEN: '', ALLOWED_USERS: USERS }), 'TELEGRAM_BOT_TOKEN');
  assert.ok(message.includes('empty') && message.includes('the environment'), message);
});

load('rejects a malformed token without printing it, naming the file it came from', (ctx) => {
  const envFile = join(ctx.home, '.ccbot', '.env');
  for (const bad of ['123456:short', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', `${TOKEN} extra`, '12x:' + 'A'.repeat(35)]) {
    write(envFile, `TELEGRAM_BOT_TOKEN="${bad}"\nALLOWED_USERS=${USERS}\n`);
    const message = configError(() => from(ctx, {}), 'TELEGRAM_BOT_TOKEN');
    assert.not.ok(message.includes(bad), `the token must not be printed: ${message}`);
    assert.ok(message.includes(envFile), message);
  }
  const message = configError(() => from(ctx, valid({ TELEGRAM_BOT_TOKEN: `bot${TOKEN}` })), 'TELEGRAM_BOT_TOKEN');
  assert.ok(message.includes('leading "bot"'), message);
  assert.not.ok(message.includes(TOKEN), message);
});

load('accepts ALLOWED_USERS with spaces around entries and a trailing comma', (ctx) => {
  assert.equal(from(ctx, valid({ ALLOWED_USERS: ' 1, 22 ,333 , ' })).allowedUsers, [1, 22, 333]);
});

load('explains missing ALLOWED_USERS: where to put it and how to find a numeric id', (ctx) => {
  for (const users of [undefined, '', ' , ']) {
    const env: NodeJS.ProcessEnv = { TELEGRAM_BOT_TOKEN: TOKEN };
    if (users !== undefined) env.ALLOWED_USERS = users;
    const message = configError(() => from(ctx, env), 'ALLOWED_USERS');
    assert.ok(message.includes('@userinfobot'), message);
    assert.ok(message.includes(join(ctx.home, '.ccbot', '.env')), message);
  }
});

load('rejects ALLOWED_USERS entries that are not positive integers, naming the entry', (ctx) => {
  for (const [users, entry] of [['@alice', '"@alice"'], ['1,-5', '"-5"'], ['12abc', '"12abc"'], ['1,,2', 'an empty entry'], ['0', '"0"'], ['1.5', '"1.5"'], ['1 2', '"1 2"'], ['99999999999999999999', '"99999999999999999999"']] as const) {
    const message = configError(() => from(ctx, valid({ ALLOWED_USERS: users })), 'ALLOWED_USERS');
    assert.ok(message.includes(entry), `should name ${entry}: ${message}`);
    assert.ok(message.includes('@userinfobot'), message);
  }
});

load('turns an unreadable .env into a ConfigError naming the file; a missing one is fine', (ctx) => {
  const denied = join(ctx.home, '.ccbot', '.env');
  const readFile = (path: string) => {
    if (path === denied) throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: 'EACCES' });
    return undefined;
  };
  const message = configError(() => loadConfig(valid(), { cwd: ctx.cwd, home: ctx.home, readFile, systemFile: systemFile(ctx) }), denied);
  assert.ok(message.includes('EACCES'), message);
  // A directory where the file should be is a real read failure, whoever runs the test (root ignores file modes).
  mkdirSync(systemFile(ctx), { recursive: true });
  configError(() => from(ctx, valid()), systemFile(ctx));
});

load.run();

// ---------------------------------------------------------------------------------------------------------------

const child = suite('childEnv');

child('removes the bot token and the inherited tmux client variables, keeping the rest', () => {
  const env = { PATH: '/usr/bin', HOME: '/home/u', TELEGRAM_BOT_TOKEN: TOKEN, TMUX: '/tmp/tmux-1/default,123,0', TMUX_PANE: '%3', TMUX_TMPDIR: '/tmp/t' };
  assert.equal(childEnv(env), { PATH: '/usr/bin', HOME: '/home/u', TMUX_TMPDIR: '/tmp/t' });
  assert.is(env.TELEGRAM_BOT_TOKEN, TOKEN, 'the input must not change');
});

child.run();

// ---------------------------------------------------------------------------------------------------------------

/** The CLI as a person runs it: the compiled main.cjs in a child process with a clean environment. */
const MAIN = fileURLToPath(new URL('../main.cjs', import.meta.url));

const cli = suite<Dirs>('ccbot (CLI) configuration errors', { root: '', home: '', cwd: '' });

cli.before.each((ctx) => {
  ctx.root = realpathSync(mkdtempSync(join(tmpdir(), 'ccbot-config-cli-')));
  ctx.home = join(ctx.root, 'home');
  ctx.cwd = join(ctx.root, 'work');
  mkdirSync(ctx.home);
  mkdirSync(ctx.cwd);
});

cli.after.each((ctx) => {
  rmSync(ctx.root, { recursive: true, force: true });
});

async function runCli(ctx: Dirs, extra: NodeJS.ProcessEnv = {}) {
  assert.ok(existsSync(MAIN), `${MAIN} is missing: build src/main.cts first`);
  const result = await execRun(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: ctx.home, ...extra }, cwd: ctx.cwd, timeoutMs: 15_000 });
  assert.not.ok(result.ok, 'ccbot should fail');
  if (result.ok) throw new Error('unreachable');
  assert.is(result.code, 2, `exit code; stderr: ${result.stderr}`);
  assert.is(result.stdout, '');
  const lines = result.stderr.trimEnd().split('\n');
  assert.is(lines.length, 1, `stderr should be one line: ${result.stderr}`);
  assert.not.ok(result.stderr.includes('    at '), `no stack trace: ${result.stderr}`);
  return result.stderr;
}

cli('with an empty HOME and no token, exits 2 with one line naming the variable, BotFather and the .env path', async (ctx) => {
  const stderr = await runCli(ctx);
  assert.ok(stderr.includes('TELEGRAM_BOT_TOKEN'), stderr);
  assert.ok(stderr.includes('BotFather'), stderr);
  assert.ok(stderr.includes(join(ctx.home, '.ccbot', '.env')), stderr);
});

cli('with a token but ALLOWED_USERS=@me in ~/.ccbot/.env, exits 2 naming ALLOWED_USERS', async (ctx) => {
  write(join(ctx.home, '.ccbot', '.env'), `TELEGRAM_BOT_TOKEN=${TOKEN}\nALLOWED_USERS=@me\n`);
  const stderr = await runCli(ctx);
  assert.ok(stderr.includes('ALLOWED_USERS') && stderr.includes('@me'), stderr);
});

cli('never reads ./.env of its working directory; CCBOT_DIR comes from the environment', async (ctx) => {
  const state = join(ctx.root, 'state');
  write(join(ctx.cwd, '.env'), `ALLOWED_USERS=1\n`);
  write(join(state, '.env'), `TELEGRAM_BOT_TOKEN=${TOKEN}\nALLOWED_USERS=@you\n`);
  const stderr = await runCli(ctx, { CCBOT_DIR: state });
  assert.ok(stderr.includes('ALLOWED_USERS') && stderr.includes('@you'), stderr);
  assert.ok(stderr.includes(join(state, '.env')), stderr);
});

cli('never prints a malformed token', async (ctx) => {
  const bad = '123456:not-long-enough-secret';
  const stderr = await runCli(ctx, { TELEGRAM_BOT_TOKEN: bad, ALLOWED_USERS: USERS });
  assert.ok(stderr.includes('TELEGRAM_BOT_TOKEN'), stderr);
  assert.not.ok(stderr.includes(bad), stderr);
});

cli.run();
