/**
 * The whole product for a chat test: a fake Bot API, an isolated tmux server, the stand-in claude, and the real daemon,
 * which gives each claude it starts its hooks (`--settings`): nothing is installed by hand, as on a fresh machine.
 * Tests play the person: they type, tap, and read the chat.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { daemonEnv, startDaemon, tempDir, TEST_TOKEN, type DaemonRun } from './daemon-fixture.js';
import { fakeClaudeEnv, installFakeClaude, readPromptLog } from './fake-claude.js';
import { startFakeTelegram, type ChatMessage, type FakeTelegram } from './fake-telegram.js';
import { createTmuxFixture, type TmuxFixture } from './tmux-fixture.js';

export const ME = { id: 1001, first_name: 'Me', language_code: 'en' };

/** The next message of the bot to ME matching `match` that was not there when this was called. */
export function botSays(fake: FakeTelegram, match: RegExp | string, timeoutMs: number): Promise<ChatMessage> {
  const seen = new Set(fake.messages(ME.id).filter((m) => m.from_bot).map((m) => m.message_id));
  const test = (text: string) => (typeof match === 'string' ? text.includes(match) : match.test(text));
  return fake.waitFor((f) => f.messages(ME.id).find((m) => m.from_bot && !seen.has(m.message_id) && test(m.text)), timeoutMs, `bot says ${match}`);
}

/** Stops the daemon with `signal` and starts it again; resolves once the new one polls. */
export async function restartDaemon(daemon: DaemonRun, signal: NodeJS.Signals, fake: FakeTelegram, env: NodeJS.ProcessEnv, root: string): Promise<DaemonRun> {
  daemon.child.kill(signal);
  await daemon.exited;
  const polls = fake.callsTo('getUpdates').length;
  const next = startDaemon(env, root);
  await fake.waitFor((f) => f.callsTo('getUpdates').length > polls, 10_000, 'polling again');
  return next;
}

/** `/new <workdir(name)>` and the bot's "started": the new session is the active one. Returns its dir. */
export async function newSession(world: ChatWorld, name: string): Promise<string> {
  const dir = world.workdir(name);
  world.say(`/new ${dir}`);
  await world.botSays(/started/);
  return dir;
}

export interface ChatWorld {
  fake: FakeTelegram;
  tmux: TmuxFixture;
  root: string;
  /** A directory to start sessions in: `${root}/work/<name>`, created on demand. */
  workdir(name: string): string;
  promptLog: string;
  env: NodeJS.ProcessEnv;
  daemon: DaemonRun;
  /** The person writes `text`; returns their message. */
  say(text: string, replyTo?: number): ReturnType<FakeTelegram['userSends']>;
  /** Resolves with the first new bot message (after `after` messages) whose text matches. */
  botSays(match: RegExp | string, timeoutMs?: number): Promise<ChatMessage>;
  /** Prompts the stand-in claude received, in order, with the session's window cwd. */
  prompts(): { prompt: string; cwd?: string }[];
  restartDaemon(signal?: NodeJS.Signals): Promise<void>;
  close(): Promise<void>;
}

export interface ChatWorldOptions {
  startupMs?: number;
  claudeEnv?: Record<string, string>;
  daemonEnv?: Record<string, string>;
  /** The person's own Claude Code settings.json (text), written before the daemon starts. */
  claudeSettingsJson?: string;
}

export async function startChatWorld(options: ChatWorldOptions = {}): Promise<ChatWorld> {
  const fake = await startFakeTelegram({ token: TEST_TOKEN });
  const tmux = createTmuxFixture();
  const root = tempDir('ccbot-world-').path;
  const configDir = join(root, 'claude-config');
  const promptLog = join(root, 'prompts.jsonl');
  mkdirSync(join(root, 'bin'));
  const claude = installFakeClaude(join(root, 'bin'));
  const env = daemonEnv({
    ccbotDir: join(root, 'state'),
    apiRoot: fake.url,
    tmux,
    allowedUsers: String(ME.id),
    extra: { CLAUDE_COMMAND: claude.command, ...fakeClaudeEnv(configDir, { log: promptLog, startupMs: options.startupMs ?? 100, extra: options.claudeEnv ?? {} }), HOME: root, ...options.daemonEnv },
  });
  if (options.claudeSettingsJson !== undefined) {
    mkdirSync(configDir, { recursive: true });
    writeFileSync(join(configDir, 'settings.json'), options.claudeSettingsJson);
  }

  const world: ChatWorld = {
    fake, tmux, root, promptLog, env,
    daemon: startDaemon(env, root),
    workdir(name) {
      const dir = join(root, 'work', name);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    say: (text, replyTo) => fake.userSends(ME, text, replyTo === undefined ? {} : { replyTo }),
    botSays: (match, timeoutMs = 10_000) => botSays(fake, match, timeoutMs),
    prompts: () => readPromptLog(promptLog),
    async restartDaemon(signal = 'SIGKILL') {
      world.daemon = await restartDaemon(world.daemon, signal, fake, env, root);
    },
    async close() {
      world.daemon.child.kill('SIGKILL');
      await world.daemon.exited;
      await fake.close();
      await tmux.cleanup();
      // The stand-ins may still be writing as they die: retry instead of failing on ENOTEMPTY.
      rmSync(root, { recursive: true, force: true, maxRetries: 40, retryDelay: 100 });
    },
  };
  await fake.waitFor((f) => f.isPolling, 10_000, 'daemon polling');
  return world;
}
