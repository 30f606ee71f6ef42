import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { writeClaudeSettings } from '#ccbot/claude-settings.js';
import { checkTelegram, report, type Check } from '#ccbot/doctor-checks.js';
import { execRun } from '#ccbot/exec.js';
import { ccbotHookCommand, installHooks } from '#ccbot/hook-install.js';
import { MAIN_JS, TEST_TOKEN, tempDir } from './daemon-fixture.js';
import { startFakeTelegram, type FakeTelegram } from './fake-telegram.js';

/** Well-shaped, but not the fake's token: the fake answers 401. */
const WRONG_TOKEN = '987654321:AAanother-token-the-fake-rejects_99';

/** Accepts connections and never answers: a Telegram that hangs. */
async function silentServer(): Promise<{ url: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}

/** A port that was free a moment ago: connecting to it is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const setup = suite('report and checkTelegram');
setup('lines, summary and exit code', () => {
  const checks: Check[] = [{ status: 'ok', name: 'node', detail: 'v20' }, { status: 'warn', name: 'daemon', detail: 'stale', fix: 'wait' }];
  assert.equal(report(checks), { text: '✓ node: v20\n! daemon: stale — wait\nnothing to fix; 1 warning (!)', exitCode: 0 });
  checks.push({ status: 'fail', name: 'tmux', detail: 'missing', fix: 'install it' });
  assert.is(report(checks).exitCode, 1);
  assert.is(report(checks.slice(0, 1)).text.split('\n').at(-1), 'all 1 checks passed');
});
setup('checkTelegram gives up on a server that never answers', async () => {
  const server = await silentServer();
  try {
    const check = await checkTelegram(TEST_TOKEN, server.url, 'x', { timeoutMs: 300 });
    assert.is(check.detail, `cannot reach ${server.url} (no answer within 0.3 s)`);
  } finally {
    await server.close();
  }
});
setup.run();

// ── the whole command: node dist/main.cjs doctor ────────────────────────────────────────────────────────────────

interface World { root: string; removeRoot(): void; fake: FakeTelegram; env: NodeJS.ProcessEnv }
const cmd = suite<World>('ccbot doctor');
cmd.before.each(async (ctx) => {
  const root = tempDir('ccbot-doctor-');
  ctx.root = root.path;
  ctx.removeRoot = root.remove;
  ctx.fake = await startFakeTelegram({ token: TEST_TOKEN });
  const ccbotDir = join(ctx.root, 'state');
  const configDir = join(ctx.root, 'claude-config');
  mkdirSync(ccbotDir, { mode: 0o700 });
  writeFileSync(join(ccbotDir, '.env'), `TELEGRAM_BOT_TOKEN=${TEST_TOKEN}\nALLOWED_USERS=1001\n`, { mode: 0o600 });
  writeClaudeSettings(ccbotDir);
  installHooks(join(configDir, 'settings.json'), ccbotHookCommand());
  const claude = join(ctx.root, 'bin', 'claude');
  mkdirSync(join(ctx.root, 'bin'));
  writeFileSync(claude, '#!/bin/sh\necho "2.1.328 (Claude Code)"\n', { mode: 0o755 });
  ctx.env = {
    PATH: process.env.PATH, HOME: ctx.root, CCBOT_DIR: ccbotDir, CLAUDE_CONFIG_DIR: configDir, CLAUDE_COMMAND: claude,
    TELEGRAM_API_ROOT: ctx.fake.url, TMUX_SESSION_NAME: 'ccbot-test',
  };
});
cmd.after.each(async (ctx) => {
  await ctx.fake.close();
  ctx.removeRoot();
});

async function doctor(world: World, extra: NodeJS.ProcessEnv = {}) {
  const started = Date.now();
  const result = await execRun(process.execPath, [MAIN_JS, 'doctor'], { env: { ...world.env, ...extra }, cwd: world.root, timeoutMs: 20_000 });
  const output = result.stdout + result.stderr;
  assert.not.ok(output.includes(TEST_TOKEN), 'the token must never be printed');
  assert.not.ok(output.includes(WRONG_TOKEN), 'the token must never be printed');
  assert.not.ok(output.includes(TEST_TOKEN.split(':')[1]!), 'not even its secret half');
  const lines = result.stdout.trimEnd().split('\n');
  const line = (name: string) => lines.find((l) => l.slice(2).startsWith(`${name}:`)) ?? `(no ${name} line)`;
  return { code: result.ok ? 0 : result.code, lines, line, ms: Date.now() - started, stdout: result.stdout };
}

cmd('in a sound setup every line is ✓ (systemd aside, which depends on the machine; the allowlist in the person\'s '
  + 'own .env, which Claude could edit, is a !) and it exits 0', async (world) => {
  const run = await doctor(world);
  assert.is(run.code, 0, run.stdout);
  const warned = (l: string) => l.startsWith('! systemd:') || l.startsWith('! allowlist:');
  for (const l of run.lines.slice(0, -1).filter((l) => !warned(l))) assert.ok(l.startsWith('✓ '), l);
  assert.match(run.line('allowlist'), `! allowlist: ${join(world.root, 'state', '.env')} can be changed by this user`);
  assert.is(run.line('telegram'), '✓ telegram: bot @ccbot_test_bot (id 123456789)');
  assert.is(run.line('hooks'), `✓ hooks: Claude sessions started by ccbot run ${ccbotHookCommand()}`);
  assert.match(run.line('claude'), '2.1.328 (Claude Code)');
  assert.match(run.lines.at(-1)!, /all \d+ checks passed|nothing to fix/);
});

cmd('no tmux on PATH: ✗ tmux, exit 1', async (world) => {
  const run = await doctor(world, { PATH: join(world.root, 'bin') });
  assert.is(run.code, 1);
  assert.match(run.line('tmux'), /^✗ tmux: tmux is not installed .* — install tmux/);
});

cmd('CLAUDE_COMMAND that does not exist: ✗ claude naming it', async (world) => {
  const run = await doctor(world, { CLAUDE_COMMAND: '/nonexistent' });
  assert.is(run.code, 1);
  assert.match(run.line('claude'), '✗ claude: CLAUDE_COMMAND "/nonexistent" was not found');
});

cmd('a token Telegram rejects: ✗ with the fix, and the token stays out of the output', async (world) => {
  const run = await doctor(world, { TELEGRAM_BOT_TOKEN: WRONG_TOKEN });
  assert.is(run.code, 1);
  assert.match(run.line('telegram'), '✗ telegram: the bot token was rejected by Telegram');
  assert.match(run.line('telegram'), 'copy it again from @BotFather (/mybots → API Token) into TELEGRAM_BOT_TOKEN in the environment');
});

cmd('a .env others can read: ! with chmod 600, still exit 0', async (world) => {
  chmodSync(join(world.env.CCBOT_DIR!, '.env'), 0o644);
  const run = await doctor(world);
  assert.is(run.code, 0);
  assert.match(run.line('.env'), /^! \.env: .* can be read by others.* — chmod 600 /);
});

cmd('Telegram refusing connections: ✗ cannot reach, quickly', async (world) => {
  const port = await closedPort();
  const run = await doctor(world, { TELEGRAM_API_ROOT: `http://127.0.0.1:${port}` });
  assert.is(run.code, 1);
  assert.match(run.line('telegram'), `✗ telegram: cannot reach http://127.0.0.1:${port} (ECONNREFUSED) — check the network`);
  assert.ok(run.ms < 10_000, `took ${run.ms} ms`);
});

cmd('Telegram never answering: ✗ cannot reach, within 10 s', async (world) => {
  const server = await silentServer();
  try {
    const run = await doctor(world, { TELEGRAM_API_ROOT: server.url });
    assert.is(run.code, 1);
    assert.match(run.line('telegram'), `✗ telegram: cannot reach ${server.url} (no answer within 5 s)`);
    assert.ok(run.ms < 10_000, `took ${run.ms} ms`);
  } finally {
    await server.close();
  }
});

cmd.run();
