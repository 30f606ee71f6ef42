/**
 * `ccbot doctor`: runs every check (the ones that wait, concurrently), prints one ✓ / ✗ / ! line each and a summary
 * on stdout, and returns 0 only when nothing is ✗. A bad configuration is a ✗ line, never a throw; the token is never printed.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { claudeSettingsPath } from './claude-settings.js';
import { ConfigError, DEFAULTS, loadConfig, parseDotEnv, type Config } from './config.js';
import {
  checkClaude, checkClaudeSettings, checkNode, checkOwnSettings, checkSystemd, checkTelegram, checkTmux, fail, ok, warn, type Check,
} from './doctor-checks.js';
import { checkCcbotDir, checkEnvFiles, checkLock, checkStateFiles, SYSTEM_ENV_FILE } from './doctor-files.js';
import { ccbotHookCommand } from './hook-install.js';
import { addSecret, redact } from './log.js';

const MARK = { ok: '✓', warn: '!', fail: '✗' } as const;
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
  const path = (value: string | undefined, fallback: string) => {
    const p = value?.trim() || fallback;
    const expanded = p === '~' ? home : p.startsWith('~/') ? join(home, p.slice(2)) : p;
    return isAbsolute(expanded) ? expanded : resolve(expanded);
  };
  return {
    errors,
    ccbotDir: path(env.CCBOT_DIR, DEFAULTS.CCBOT_DIR),
    claudeCommand: env.CLAUDE_COMMAND?.trim() || DEFAULTS.CLAUDE_COMMAND,
    claudeConfigDir: path(env.CLAUDE_CONFIG_DIR, DEFAULTS.CLAUDE_CONFIG_DIR),
    tmuxSession: env.TMUX_SESSION_NAME?.trim() || DEFAULTS.TMUX_SESSION_NAME,
  };
}

/** Every check, in report order. Those that wait (programs, Telegram, systemd) run at once, each with its own timeout. */
export async function runChecks(setup: Setup, env: NodeJS.ProcessEnv = process.env): Promise<Check[]> {
  const envFile = join(setup.ccbotDir, '.env');
  const ours = ccbotHookCommand();
  const configChecks: Check[] = setup.config
    ? [ok('config', `ALLOWED_USERS ${setup.config.allowedUsers.join(', ')}; tmux session "${setup.config.tmuxSession}"`)]
    : setup.errors.map((message) => fail('config', message, ''));
  const telegram = setup.config
    ? checkTelegram(setup.config.botToken, setup.config.telegramApiRoot, tokenSource(env, setup.ccbotDir))
    : warn('telegram', 'not checked', 'fix the configuration first');
  const checks = await Promise.all([
    checkNode(),
    checkTmux(),
    checkClaude(setup.claudeCommand, envFile),
    ...configChecks,
    telegram,
    checkClaudeSettings(claudeSettingsPath(setup.ccbotDir), ours),
    checkOwnSettings(setup.claudeConfigDir, setup.tmuxSession, ours),
    checkCcbotDir(setup.ccbotDir),
    checkEnvFiles(setup.ccbotDir),
    checkLock(setup.ccbotDir),
    checkStateFiles(setup.ccbotDir),
    checkSystemd(),
  ]);
  return checks.filter((check): check is Check => check !== undefined);
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

/** `✓ name: detail`, `✗ name: detail — fix`, `! name: detail — hint`. */
export function renderCheck(check: Check): string {
  return `${MARK[check.status]} ${check.name}: ${check.detail}${check.fix ? ` — ${check.fix}` : ''}`;
}

export function summarize(checks: readonly Check[]): string {
  const fails = checks.filter((c) => c.status === 'fail').length;
  const warns = checks.filter((c) => c.status === 'warn').length;
  if (fails === 0 && warns === 0) return `all ${checks.length} checks passed`;
  const warnings = `${warns} warning${warns === 1 ? '' : 's'} (!)`;
  return fails === 0 ? `nothing to fix; ${warnings}` : `${fails} to fix (✗); ${warnings}`;
}

export const exitCodeOf = (checks: readonly Check[]): number => (checks.some((c) => c.status === 'fail') ? 1 : 0);

export async function doctorCommand(args: readonly string[], env: NodeJS.ProcessEnv = process.env, write: (text: string) => void = (text) => void process.stdout.write(text)): Promise<number> {
  if (args.length > 0) {
    process.stderr.write(`ccbot doctor takes no arguments (got "${args.join(' ')}")\n`);
    return 2;
  }
  // The token is inside every Bot API URL, and error texts can carry URLs: every line goes through redact.
  addSecret(env.TELEGRAM_BOT_TOKEN?.trim());
  const setup = resolveSetup(env);
  addSecret(setup.config?.botToken);
  const checks = await runChecks(setup, env);
  write(redact([...checks.map(renderCheck), summarize(checks)].join('\n')) + '\n');
  return exitCodeOf(checks);
}
