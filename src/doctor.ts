/**
 * `ccbot doctor`: runs every check (the ones that wait, concurrently), prints one ✓ / ✗ / ! line each and a summary
 * on stdout, and returns 0 only when nothing is ✗. A bad configuration is a ✗ line, never a throw; the token is never printed.
 */
import { join } from 'node:path';
import { claudeSettingsPath } from './claude-settings.js';
import {
  checkClaude, checkClaudeSettings, checkNode, checkOwnSettings, checkSystemd, checkTelegram, checkTmux, fail, ok, report, warn,
  type Check,
} from './doctor-checks.js';
import { checkCcbotDir, checkEnvFiles, checkLock, checkStateFiles } from './doctor-files.js';
import { resolveSetup, tokenSource, type Setup } from './doctor-setup.js';
import { ccbotHookCommand } from './hook-install.js';
import { addSecret, redact } from './log.js';

/** Every check, in report order. Those that wait (programs, Telegram, systemd) run at once, each with its own timeout. */
async function runChecks(setup: Setup, env: NodeJS.ProcessEnv = process.env): Promise<Check[]> {
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
  const { text, exitCode } = report(checks);
  write(redact(text) + '\n');
  return exitCode;
}
