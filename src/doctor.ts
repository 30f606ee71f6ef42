/** `ccbot doctor`: runs every check (those that wait, concurrently), prints a ✓ / ✗ / ! line each and a summary on
 * stdout; returns 0 only when nothing is ✗. A bad configuration is a ✗ line, never a throw; the token never shows. */
import { join } from 'node:path';
import { claudeSettingsPath } from './claude-settings.js';
import {
  checkClaude, checkClaudeSettings, checkNode, checkOwnSettings, checkSystemd, checkTelegram, checkTmux,
  fail, ok, report, warn,
} from './doctor-checks.js';
import {
  checkAllowlistFile, checkCcbotDir, checkEnvFiles, checkLock, checkStateFiles, resolveSetup, settingSource,
} from './doctor-files.js';
import { ccbotHookCommand } from './hook-install.js';
import { addSecret, redact } from './log.cjs';

export async function doctorCommand(args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  if (args.length > 0) {
    process.stderr.write(`ccbot doctor takes no arguments (got "${args.join(' ')}")\n`);
    return 2;
  }
  // The token is inside every Bot API URL, and error texts can carry URLs: every line goes through redact.
  addSecret(env.TELEGRAM_BOT_TOKEN?.trim());
  const { config, errors, ccbotDir, claudeCommand, claudeConfigDir, tmuxSession } = resolveSetup(env);
  addSecret(config?.botToken);
  const ours = ccbotHookCommand();
  // In report order. Those that wait (programs, Telegram, systemd) run at once, each with its own timeout.
  const checks = await Promise.all([
    checkNode(), checkTmux(), checkClaude(claudeCommand, join(ccbotDir, '.env')),
    ...(config
      ? [ok('config', `ALLOWED_USERS ${config.allowedUsers.join(', ')}; tmux session "${config.tmuxSession}"`)]
      : errors.map((message) => fail('config', message, ''))),
    config
      ? checkTelegram(config.botToken, config.telegramApiRoot, settingSource(env, ccbotDir, 'TELEGRAM_BOT_TOKEN'))
      : warn('telegram', 'not checked', 'fix the configuration first'),
    checkClaudeSettings(claudeSettingsPath(ccbotDir), ours), checkOwnSettings(claudeConfigDir, tmuxSession, ours),
    checkCcbotDir(ccbotDir), checkEnvFiles(ccbotDir), checkAllowlistFile(env, ccbotDir),
    checkLock(ccbotDir), checkStateFiles(ccbotDir), checkSystemd(),
  ]);
  const { text, exitCode } = report(checks.filter((check) => check !== undefined));
  process.stdout.write(redact(text) + '\n');
  return exitCode;
}
