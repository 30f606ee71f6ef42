/**
 * Which configuration `ccbot doctor` checks: the whole Config when it loads, else the best settings that can be read
 * and every reason it does not load; and where the token is set, so a fix names the right file. Never throws a ConfigError.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { absolutePath, ConfigError, DEFAULTS, loadConfig, SYSTEM_ENV_FILE, type Config } from './config.js';
import { parseDotEnv } from './dotenv.js';

/** Shaped like a token, so loadConfig gets past it and reads the settings the other checks need. Never sent anywhere. */
const PLACEHOLDER_TOKEN = '1:placeholder-so-the-other-settings-load';

/** What the checks run with: the whole Config when it loads, else the best settings that could be read, and why not. */
export interface Setup {
  config?: Config;
  /** ConfigError messages, each problem once (the token's, the users', then the rest's). */
  errors: string[];
  ccbotDir: string;
  claudeCommand: string;
  claudeConfigDir: string;
  tmuxSession: string;
}

/**
 * loadConfig stops at the first problem. Loading again with a placeholder token, then also placeholder users, finds
 * the next problem and, once the rest loads, the real CCBOT_DIR, CLAUDE_COMMAND… from the .env files, so a first
 * run without a token still checks everything else. The environment wins over the files, so the placeholders do too.
 */
export function resolveSetup(env: NodeJS.ProcessEnv, load: (env: NodeJS.ProcessEnv) => Config = loadConfig): Setup {
  const attempts: NodeJS.ProcessEnv[] = [{}, { TELEGRAM_BOT_TOKEN: PLACEHOLDER_TOKEN }, { TELEGRAM_BOT_TOKEN: PLACEHOLDER_TOKEN, ALLOWED_USERS: '1' }];
  const errors: string[] = [];
  for (const [i, override] of attempts.entries()) {
    try {
      const c = load({ ...env, ...override });
      const { ccbotDir, claudeCommand, claudeConfigDir, tmuxSession } = c;
      return { config: i === 0 ? c : undefined, errors, ccbotDir, claudeCommand, claudeConfigDir, tmuxSession };
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      if (!errors.includes(err.message)) errors.push(err.message);
    }
  }
  const home = env.HOME || homedir();
  const path = (value: string | undefined, fallback: string) => absolutePath(value?.trim() || fallback, home);
  return {
    errors,
    ccbotDir: path(env.CCBOT_DIR, DEFAULTS.CCBOT_DIR),
    claudeCommand: env.CLAUDE_COMMAND?.trim() || DEFAULTS.CLAUDE_COMMAND,
    claudeConfigDir: path(env.CLAUDE_CONFIG_DIR, DEFAULTS.CLAUDE_CONFIG_DIR),
    tmuxSession: env.TMUX_SESSION_NAME?.trim() || DEFAULTS.TMUX_SESSION_NAME,
  };
}

/** Where the token in use is set, in the order loadConfig gives them precedence, so the fix names the right place. */
export function tokenSource(env: NodeJS.ProcessEnv, ccbotDir: string, systemFile: string = SYSTEM_ENV_FILE): string {
  if (env.TELEGRAM_BOT_TOKEN?.trim()) return 'TELEGRAM_BOT_TOKEN in the environment';
  const own = join(ccbotDir, '.env');
  for (const file of [own, systemFile]) {
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue; // absent or unreadable: loadConfig has reported what matters
    }
    if (parseDotEnv(text).TELEGRAM_BOT_TOKEN?.trim()) return file;
  }
  return own;
}
