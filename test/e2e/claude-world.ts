/**
 * The whole product against the real Claude Code CLI: the daemon, a fake Bot API, an isolated tmux server, and
 * `claude` 2.1.328 talking to a fake Anthropic API on 127.0.0.1. The CLI is installed by .ci/run into a cache
 * outside the package (never a dependency of ccbot); without it these tests skip, saying so.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { daemonEnv, startDaemon, tempDir, TEST_TOKEN, type DaemonRun } from '../daemon-fixture.js';
import { startFakeTelegram, type FakeTelegram } from '../fake-telegram.js';
import type { ChatMessage } from '../fake-telegram-chats.js';
import { createTmuxFixture, type TmuxFixture } from '../tmux-fixture.js';
import { botSays, ME, restartDaemon } from '../chat-fixture.js';
import { claudeEnv, writeClaudeHome } from './claude-cli.js';
import { startFakeAnthropic, type FakeAnthropic } from './fake-anthropic.js';

export { findClaudeCli } from './claude-cli.js';
export { ME };

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
    extra: { ...claudeEnv(root, api.url) as Record<string, string>, CLAUDE_COMMAND: cli, MONITOR_POLL_INTERVAL: '0.5', CLAUDE_CODE_MAX_RETRIES: '0' },
  });
  for (const proxy of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'CLAUDE_CONFIG_DIR']) delete env[proxy];
  // No `ccbot hook --install`: the daemon hands every claude it starts its hooks (`--settings`), as on a fresh machine.

  const world: E2EWorld = {
    fake, api, tmux, root,
    daemon: startDaemon(env, root),
    workdir: (name) => join(root, 'work', name),
    say: (text, replyTo) => fake.userSends(ME, text, replyTo === undefined ? {} : { replyTo }),
    botSays: (match, timeoutMs = 30_000) => botSays(fake, match, timeoutMs),
    async restartDaemon(signal = 'SIGKILL') {
      world.daemon = await restartDaemon(world.daemon, signal, fake, env, root);
    },
    async close() {
      world.daemon.child.kill('SIGKILL');
      await world.daemon.exited;
      await tmux.cleanup(); // waits for every Claude in it to end: none writes into root after this
      await fake.close();
      await api.close();
      try {
        rmSync(root, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      } catch (err) {
        console.warn(`e2e: could not remove ${root}: ${String(err)}`);
      }
    },
  };
  await fake.waitFor((f) => f.isPolling, 10_000, 'daemon polling');
  return world;
}
