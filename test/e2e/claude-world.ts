/**
 * The whole product against the real Claude Code CLI: the daemon, a fake Bot API, an isolated tmux server, and
 * `claude` 2.1.328 talking to a fake Anthropic API on 127.0.0.1. The CLI is installed by .ci/run into a cache
 * outside the package (never a dependency of ccbot); without it these tests skip, saying so.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { execRun } from '#ccbot/exec.js';
import { daemonEnv, MAIN_JS, startDaemon, tempDir, TEST_TOKEN, type DaemonRun } from '../daemon-fixture.js';
import { startFakeTelegram, type FakeTelegram } from '../fake-telegram.js';
import type { ChatMessage } from '../fake-telegram-chats.js';
import { createTmuxFixture, type TmuxFixture } from '../tmux-fixture.js';
import { startFakeAnthropic, type FakeAnthropic } from './fake-anthropic.js';

export const CLAUDE_VERSION = '2.1.328';
export const ME = { id: 1001, first_name: 'Me', language_code: 'en' };
/** Shaped like a key; only its last 20 characters matter (pre-approved in .claude.json). */
const API_KEY = 'sk-ant-api03-ccbot-e2e-fake-key-000000000000000000000000000000000000000000-AAAAAAAA';

/**
 * The CLI: $CCBOT_CLAUDE_CLI, or where .ci/run installs it — the platform package's native binary when npm left the
 * wrapper's postinstall undone (then bin/claude.exe is only a stub). null unless it answers --version.
 */
export function findClaudeCli(): string | null {
  const cache = process.env.CCBOT_E2E_CACHE ?? join(homedir(), '.cache', 'ccbot-e2e');
  const modules = join(cache, `claude-code-${CLAUDE_VERSION}`, 'node_modules');
  const candidates = process.env.CCBOT_CLAUDE_CLI
    ? [process.env.CCBOT_CLAUDE_CLI]
    : [join(modules, '@anthropic-ai', `claude-code-${process.platform}-${process.arch}`, 'claude'), join(modules, '.bin', 'claude')];
  return candidates.find((path) => existsSync(path) && spawnSync(path, ['--version'], { timeout: 20_000, encoding: 'utf8' }).stdout?.includes(CLAUDE_VERSION)) ?? null;
}

/** A HOME in which Claude Code starts straight into its prompt: onboarding done, the key approved, dirs trusted. */
export function writeClaudeHome(home: string, trusted: string[]): void {
  mkdirSync(join(home, '.claude'), { recursive: true });
  const projects = Object.fromEntries(trusted.map((dir) => [dir, { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true, allowedTools: [] }]));
  writeFileSync(join(home, '.claude.json'), JSON.stringify({
    hasCompletedOnboarding: true,
    lastOnboardingVersion: CLAUDE_VERSION,
    customApiKeyResponses: { approved: [API_KEY.slice(-20)], rejected: [] },
    projects,
  }, null, 2));
  writeFileSync(join(home, '.claude', 'settings.json'), JSON.stringify({ skipDangerousModePermissionPrompt: true }, null, 2));
}

/** The env that keeps the CLI on 127.0.0.1: the fake API, no telemetry, no proxies. */
export function claudeEnv(home: string, apiUrl: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    HOME: home,
    ANTHROPIC_BASE_URL: apiUrl,
    ANTHROPIC_API_KEY: API_KEY,
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    NO_PROXY: '*',
  };
  if (process.getuid?.() === 0) env.IS_SANDBOX = '1'; // bypass mode refuses to run as root otherwise
  return env;
}

export interface E2EWorld {
  fake: FakeTelegram;
  api: FakeAnthropic;
  tmux: TmuxFixture;
  root: string;
  daemon: DaemonRun;
  /** `${root}/work/<name>`, created and trusted up front. */
  workdir(name: string): string;
  say(text: string, replyTo?: number): ReturnType<FakeTelegram['userSends']>;
  botSays(match: RegExp | string, timeoutMs?: number): Promise<ChatMessage>;
  restartDaemon(signal?: NodeJS.Signals): Promise<void>;
  close(): Promise<void>;
}

export const WORKDIRS = ['alpha', 'beta', 'gamma', 'delta'];

export async function startE2EWorld(cli: string): Promise<E2EWorld> {
  const fake = await startFakeTelegram({ token: TEST_TOKEN });
  const api = await startFakeAnthropic();
  const tmux = createTmuxFixture();
  const root = tempDir('ccbot-e2e-').path;
  const dirs = WORKDIRS.map((name) => join(root, 'work', name));
  for (const dir of dirs) mkdirSync(dir, { recursive: true });
  writeClaudeHome(root, [root, join(root, 'work'), ...dirs]);
  const env = daemonEnv({
    ccbotDir: join(root, 'state'),
    apiRoot: fake.url,
    tmux,
    allowedUsers: String(ME.id),
    extra: { ...claudeEnv(root, api.url), CLAUDE_COMMAND: cli, MONITOR_POLL_INTERVAL: '0.5' },
  });
  for (const proxy of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'CLAUDE_CONFIG_DIR']) delete env[proxy];
  const installed = await execRun(process.execPath, [MAIN_JS, 'hook', '--install'], { env });
  if (!installed.ok) throw new Error(`hook --install failed: ${installed.stderr}`);

  const world: E2EWorld = {
    fake, api, tmux, root,
    daemon: startDaemon(env, root),
    workdir: (name) => join(root, 'work', name),
    say: (text, replyTo) => fake.userSends(ME, text, replyTo === undefined ? {} : { replyTo }),
    botSays(match, timeoutMs = 30_000) {
      const seen = new Set(fake.messages(ME.id).filter((m) => m.from_bot).map((m) => m.message_id));
      const test = (text: string) => (typeof match === 'string' ? text.includes(match) : match.test(text));
      return fake.waitFor((f) => f.messages(ME.id).find((m) => m.from_bot && !seen.has(m.message_id) && test(m.text)), timeoutMs, `bot says ${match}`);
    },
    async restartDaemon(signal = 'SIGKILL') {
      world.daemon.child.kill(signal);
      await world.daemon.exited;
      const polls = fake.callsTo('getUpdates').length;
      world.daemon = startDaemon(env, root);
      await fake.waitFor((f) => f.callsTo('getUpdates').length > polls, 10_000, 'polling again');
    },
    async close() {
      world.daemon.child.kill('SIGKILL');
      await world.daemon.exited;
      await tmux.cleanup();
      await fake.close();
      await api.close();
      // Claude Code may still be writing as it dies: retry, and leave a stubborn temp dir to the OS.
      try {
        rmSync(root, { recursive: true, force: true, maxRetries: 40, retryDelay: 100 });
      } catch (err) {
        console.warn(`e2e: could not remove ${root}: ${String(err)}`);
      }
    },
  };
  await fake.waitFor((f) => f.isPolling, 10_000, 'daemon polling');
  return world;
}
