/** `ccbot doctor`'s report, and its checks of the programs and services ccbot depends on: node, tmux, claude,
 * Telegram, the hooks, systemd. Each returns a Check value and never throws for what it finds; each bounds its wait. */
import { Api, NetworkError, ParseError, TelegramApiError, TimeoutError } from 'node-telegram-bot-api';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readHookCommands } from './claude-settings.js';
import { childEnv } from './config.cjs';
import { execRun, type Run } from './exec.js';
import { firstLine } from './format.js';
import { HOOK_EVENTS, isCcbotHookCommand } from './hook-install.js';
import { causeCodes } from './telegram-failure.js';

/** One line of the report. `fix` says what to do; every 'fail' has one, unless its detail says it (a ConfigError). */
export interface Check { status: 'ok' | 'warn' | 'fail'; name: string; detail: string; fix?: string }

export const ok = (name: string, detail: string): Check => ({ status: 'ok', name, detail });
export const warn = (name: string, detail: string, fix?: string): Check => ({ status: 'warn', name, detail, fix });
export const fail = (name: string, detail: string, fix: string): Check => ({ status: 'fail', name, detail, fix });

const MARK = { ok: '✓', warn: '!', fail: '✗' } as const;

/** `✓ name: detail`, `✗ name: detail — fix`, `! name: detail — hint`, a summary; exit code 0 only when nothing is ✗. */
export function report(checks: readonly Check[]): { text: string; exitCode: number } {
  const fails = checks.filter((c) => c.status === 'fail').length;
  const warns = checks.filter((c) => c.status === 'warn').length;
  const warnings = `${warns} warning${warns === 1 ? '' : 's'} (!)`;
  const summary = fails > 0 ? `${fails} to fix (✗); ${warnings}`
    : warns > 0 ? `nothing to fix; ${warnings}` : `all ${checks.length} checks passed`;
  const lines = checks.map((c) => `${MARK[c.status]} ${c.name}: ${c.detail}${c.fix ? ` — ${c.fix}` : ''}`);
  return { text: [...lines, summary].join('\n'), exitCode: fails > 0 ? 1 : 0 };
}

const MIN_NODE_MAJOR = 20;
/** `claude --version` starts a large node program: slow on a small VPS, but a hang must not stall the report. */
const PROGRAM_TIMEOUT_MS = 5_000;
const SYSTEMCTL_TIMEOUT_MS = 2_000;
const TELEGRAM_TIMEOUT_MS = 5_000;

export function checkNode(version: string = process.version): Check {
  if (Number(/^v?(\d+)\./.exec(version)?.[1]) >= MIN_NODE_MAJOR) return ok('node', version);
  return fail('node', `${version} is too old`,
    `install Node ${MIN_NODE_MAJOR} or newer (nodejs.org or your package manager), then run npm ci in the checkout`);
}

/** Runs a program without the bot token in its environment. */
const ask = (run: Run, program: string, args: string[], timeoutMs = PROGRAM_TIMEOUT_MS) =>
  run(program, args, { timeoutMs, env: childEnv(process.env) });

export async function checkTmux(run: Run = execRun): Promise<Check> {
  const result = await ask(run, 'tmux', ['-V']);
  if (result.ok) return ok('tmux', result.stdout.trim());
  const fix = result.kind === 'missing'
    ? 'install tmux (Debian/Ubuntu: sudo apt install tmux; macOS: brew install tmux)'
    : 'run tmux -V in a shell to see what is wrong';
  return fail('tmux', result.error, fix);
}

export async function checkClaude(command: string, envFile: string, run: Run = execRun): Promise<Check> {
  const result = await ask(run, command, ['--version']);
  if (result.ok) return ok('claude', `${command} ${firstLine(result.stdout) || '(no version printed)'}`);
  if (result.kind === 'missing') {
    return fail('claude', `CLAUDE_COMMAND "${command}" was not found`, 'install Claude Code ' +
      `(https://docs.claude.com/en/docs/claude-code), or set CLAUDE_COMMAND=<its absolute path> in ${envFile}`);
  }
  if (result.kind === 'timeout') {
    return fail('claude', `${command} --version gave no answer within ${PROGRAM_TIMEOUT_MS / 1000} s`,
      `run ${command} --version in a shell to see what it waits for`);
  }
  return fail('claude', result.error,
    `run ${command} --version in a shell, or point CLAUDE_COMMAND in ${envFile} at Claude Code`);
}

/** getMe with the configured token; `setIn` (where the token is set) is for the fix. A failure branches on the
 * library's error classes and Telegram's error code. The token is in every request URL: callers redact. */
export async function checkTelegram(token: string, apiRoot: string, setIn: string,
  opts: { fetch?: typeof fetch; timeoutMs?: number } = {}): Promise<Check> {
  const timeoutMs = opts.timeoutMs ?? TELEGRAM_TIMEOUT_MS;
  // maxRetries 0 and the library's own timeout: an unreachable Telegram must cost one bounded wait, not several.
  const api = new Api(token, { apiRoot, maxRetries: 0, timeoutMs, ...(opts.fetch ? { fetch: opts.fetch } : {}) });
  try {
    const me = await api.getMe();
    return ok('telegram', `bot @${me.username ?? me.first_name} (id ${me.id})`);
  } catch (err) {
    const network = 'check the network (and TELEGRAM_API_ROOT, if you set it), then run ccbot doctor again';
    if (err instanceof TelegramApiError && err.errorCode === 401) {
      return fail('telegram', 'the bot token was rejected by Telegram (401 Unauthorized)',
        `copy it again from @BotFather (/mybots → API Token) into ${setIn}`);
    }
    if (err instanceof TelegramApiError && err.errorCode === 404) {
      return fail('telegram', `${apiRoot} does not know this bot (404 ${err.description})`,
        `check the token (@BotFather: /mybots → API Token) and TELEGRAM_API_ROOT in ${setIn}`);
    }
    if (err instanceof TelegramApiError) {
      return fail('telegram', `Telegram answered ${err.errorCode} ${err.description}`,
        'try again in a minute; if it persists, see https://core.telegram.org/api/errors');
    }
    if (err instanceof TimeoutError) {
      return fail('telegram', `cannot reach ${apiRoot} (no answer within ${timeoutMs / 1000} s)`, network);
    }
    if (err instanceof NetworkError) {
      // The system error's code (ECONNREFUSED, ENOTFOUND) when there is one; else the innermost message ("bad port").
      let inner: Error = err;
      for (let depth = 0; depth < 5 && inner.cause instanceof Error; depth++) inner = inner.cause;
      return fail('telegram', `cannot reach ${apiRoot} (${causeCodes(err.cause)[0] ?? inner.message})`, network);
    }
    if (err instanceof ParseError) {
      return fail('telegram', `${apiRoot} does not answer like the Telegram Bot API`,
        `check TELEGRAM_API_ROOT in ${setIn} (unset means https://api.telegram.org)`);
    }
    return fail('telegram', `getMe failed: ${err instanceof Error ? err.message : String(err)}`, network);
  }
}

/** `$CCBOT_DIR/claude-settings.json` is what every Claude that ccbot starts gets (`--settings`); it must name this
 * ccbot's hook for each event. The daemon rewrites it at every start, so a mismatch is fixed by a restart. */
export function checkClaudeSettings(path: string, ours: string): Check {
  if (!existsSync(path)) return warn('hooks', `${path} is not there yet`, 'it is written when the daemon starts');
  const commands = readHookCommands(path);
  const missing = HOOK_EVENTS.filter((event) => !(commands[event] ?? []).includes(ours));
  if (missing.length === 0) return ok('hooks', `Claude sessions started by ccbot run ${ours}`);
  const other = HOOK_EVENTS.flatMap((event) => commands[event] ?? []).find((command) => command !== ours);
  return fail('hooks', other === undefined
    ? `${path} has no ${missing.join(' or ')} hook of this ccbot`
    : `${path} runs ${other}, not this ccbot (${ours})`,
  `restart the daemon (systemctl restart ccbot, or stop and start ccbot) so it rewrites ${path}; ` +
    'if it runs another install of ccbot, use that install\'s ccbot doctor');
}

/** The person's own settings.json matters only for a claude started by hand inside ccbot's tmux session: without
 * our hook there, ccbot cannot see that session. A warning, never a failure: sessions ccbot starts do not need it. */
export function checkOwnSettings(claudeConfigDir: string, tmuxSession: string, ours: string): Check {
  const name = 'hooks by hand';
  const path = join(claudeConfigDir, 'settings.json');
  const install = `for a claude you start by hand inside tmux session ${tmuxSession}, run: ccbot hook --install`;
  try {
    JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    if (err instanceof SyntaxError) {
      return warn(name, `${path} is not valid JSON`, `fix it (Claude Code cannot read it either), then ${install}`);
    }
    const code = (err as NodeJS.ErrnoException).code;
    return warn(name, code === 'ENOENT' ? `${path} does not exist` : `cannot read ${path} (${code})`, install);
  }
  const commands = readHookCommands(path);
  const found = HOOK_EVENTS.map((event) => (commands[event] ?? []).find(isCcbotHookCommand));
  if (found.every((command) => command === ours)) return ok(name, `${path} runs it too, for a claude started by hand`);
  const other = found.find((command) => command !== undefined && command !== ours);
  if (other !== undefined) {
    return warn(name, `${path} runs ${other}, another ccbot`, 'to point it at this one, run: ccbot hook --install');
  }
  const missing = HOOK_EVENTS.filter((_, i) => found[i] === undefined);
  const events = missing.length < HOOK_EVENTS.length ? ` for ${missing.join(' or ')}` : '';
  return warn(name, `${path} has no ccbot hook${events}`, install);
}

/** ccbot.service, when systemd runs this machine (undefined: no line). Never a failure: running ccbot by hand is fine.
 * `isBooted` is sd_booted(): systemctl can be installed in a container where systemd is not PID 1. */
export async function checkSystemd(run: Run = execRun,
  isBooted: () => boolean = () => existsSync('/run/systemd/system')): Promise<Check | undefined> {
  if (!isBooted()) return undefined;
  const systemctl = (verb: string) => ask(run, 'systemctl', [verb, 'ccbot'], SYSTEMCTL_TIMEOUT_MS);
  const [enabled, active] = await Promise.all([systemctl('is-enabled'), systemctl('is-active')]);
  if (!enabled.ok && enabled.kind === 'missing') return undefined;
  // is-enabled and is-active answer on stdout and use exit codes for "no": read the word, not the code.
  const enabledWord = firstLine(enabled.stdout);
  const activeWord = firstLine(active.stdout) || 'unknown';
  if (enabledWord === '' || enabledWord === 'not-found') {
    return warn('systemd', 'ccbot.service is not installed',
      'to keep ccbot running across reboots, see "Run it under systemd" in README.md');
  }
  if (activeWord !== 'active') {
    return warn('systemd', `ccbot.service is ${enabledWord} but ${activeWord}`,
      'sudo systemctl enable --now ccbot; journalctl -u ccbot shows why it stopped');
  }
  if (enabledWord !== 'enabled') {
    return warn('systemd', `ccbot.service is active but ${enabledWord}: it will not start after a reboot`,
      'sudo systemctl enable ccbot');
  }
  return ok('systemd', 'ccbot.service is enabled and active');
}
