/** Environment + `.env` files → one typed, validated Config. Every error names the variable and says what to do.
 * Reads at most two small files; never writes, never logs, never exits (main.cts turns a ConfigError into exit 2). */
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { parseLevel } from './log.cjs';
import { parseDotEnv, splitWords } from './dotenv.cjs';
import { readIfExists } from './store.cjs';

/** Every optional variable and its default, as the text a person would write (README.md mirrors this table).
 * Required, no default: TELEGRAM_BOT_TOKEN (from @BotFather), ALLOWED_USERS (comma-separated numeric user ids).
 * An empty value means the default, except CLAUDE_FLAGS, where empty means no flags. */
export const DEFAULTS = {
  CCBOT_DIR: '~/.ccbot', // state directory; its .env is read too
  TMUX_SESSION_NAME: 'ccbot', // tmux session holding the windows
  CLAUDE_COMMAND: 'claude', // how to start Claude Code
  CLAUDE_FLAGS: '--dangerously-skip-permissions', // appended to it; quotes group words
  TELEGRAM_API_ROOT: 'https://api.telegram.org', // Bot API origin (a self-hosted Bot API server; tests)
  CLAUDE_CONFIG_DIR: '~/.claude', // where Claude Code keeps settings.json and projects/
  LOG_LEVEL: 'info', // debug | info | warn | error
  CCBOT_IDLE_HOURS: '12', // archive a session after this many hours without input
  ARCHIVE_PURGE_AFTER: '14d', // forget archived sessions after this long: 14d, 36h, 90m or seconds
  MONITOR_POLL_INTERVAL: '1', // seconds between transcript checks
  CCBOT_STALL_MINUTES: '5', // report a turn that shows no progress for this long
  INBOX_TTL_HOURS: '24', // files sent to a session are removed from its .ccbot-inbox/ after this long
  WHISPER_CLI: '', // whisper.cpp's whisper-cli: voice notes are transcribed when it and WHISPER_MODEL are set
  WHISPER_MODEL: '', // a ggml model file for it, e.g. ggml-base.bin
  WHISPER_LANG: 'auto', // the language spoken, or auto
  WHISPER_THREADS: '4', // threads whisper-cli uses
  CCBOT_TRIPWIRE: '', // Bash commands to ask the person about first (a regular expression); empty: built in; off
  CCBOT_TRIPWIRE_TIMEOUT: '10m', // no answer within this long: denied
  CCBOT_REDACT: '1', // 0: send secrets as they are (no masking on the way out)
  CCBOT_HOST_LABEL: '', // shown before the switcher and notices, for one ccbot per server
} as const;

export type Config = ReturnType<typeof loadConfig>;

/** Root's configuration for a service whose user should not be able to change it (README: the trust model). */
export const SYSTEM_ENV_FILE = '/etc/ccbot/ccbot.env';

interface LoadOptions {
  cwd?: string;
  home?: string;
  systemFile?: string; // SYSTEM_ENV_FILE unless a test says otherwise
  /** Returns the file's text, or undefined when it does not exist; throws for anything else (EACCES, EISDIR). */
  readFile?: (path: string) => string | undefined;
}

/** Configuration the program cannot run with. Its message is one line, meant to be printed as is. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(message: string, options?: ErrorOptions) {
    super(message.replace(/[\r\n]+/g, ' '), options);
  }
}

/** Process env wins over `/etc/ccbot/ccbot.env`, which wins over `$CCBOT_DIR/.env`: root's file is out of reach of
 * the service user (and so of Claude), and what it sets the user's own file cannot override. Never a `.env` of the
 * working directory: started inside a cloned repository, its file could point the token at another host or let in
 * other users. CCBOT_DIR itself comes from the process env or the system file: the file inside the directory cannot
 * say where the directory is. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, opts: LoadOptions = {}) {
  const { cwd = process.cwd(), home = env.HOME || homedir(), systemFile = SYSTEM_ENV_FILE } = opts;
  const read = opts.readFile ?? readIfExists;
  const system = readDotEnvFile(systemFile, read);
  const ccbotDir = absolutePath((env.CCBOT_DIR ?? system.CCBOT_DIR)?.trim() || DEFAULTS.CCBOT_DIR, home, cwd);
  const envFile = join(ccbotDir, '.env');
  const { CCBOT_DIR: _ignored, ...inDir } = readDotEnvFile(envFile, read);
  const vars = new Map<string, Setting>();
  for (const [values, from] of [[inDir, envFile], [system, systemFile], [env, 'the environment']] as const) {
    for (const [name, value] of Object.entries(values)) {
      if (value !== undefined) vars.set(name, { value: value.trim(), from });
    }
  }

  const value = (name: keyof typeof DEFAULTS) => vars.get(name)?.value || DEFAULTS[name];
  const where = (name: string) => `(set in ${vars.get(name)?.from ?? 'the defaults'})`;
  const putHint = `in ${envFile} (or the environment)`;
  const invalid = (name: keyof typeof DEFAULTS, problem: string) =>
    new ConfigError(`${name} ${JSON.stringify(value(name))} ${where(name)} ${problem}`);
  const parsed = <T,>(name: keyof typeof DEFAULTS, parse: (text: string) => T | undefined, problem: string): T => {
    const result = parse(value(name));
    if (result === undefined) throw invalid(name, problem);
    return result;
  };
  const positive = (name: keyof typeof DEFAULTS, unit: string) =>
    parsed(name, parsePositive, `is not a positive number of ${unit}: set ${name}=<number> ${putHint}, or remove `
      + `it for the default ${DEFAULTS[name]}`);
  const token = vars.get('TELEGRAM_BOT_TOKEN');
  if (!token?.value) {
    throw new ConfigError(`TELEGRAM_BOT_TOKEN is ${token ? `empty ${where('TELEGRAM_BOT_TOKEN')}` : 'not set'}: `
      + `add the line TELEGRAM_BOT_TOKEN=<token> to ${envFile} (or set it in the environment); to get a token, `
      + 'message @BotFather in Telegram and send /newbot');
  }
  // The token itself is never printed: this message ends up in logs and journald.
  if (!TOKEN_PATTERN.test(token.value)) {
    const prefixHint = /^bot\d+:/i.test(token.value) ? ' (leave out the leading "bot")' : '';
    throw new ConfigError(`TELEGRAM_BOT_TOKEN ${where('TELEGRAM_BOT_TOKEN')} does not look like a bot token, which `
      + `is <digits>:<about 35 letters, digits, _ or ->${prefixHint}: copy it again from @BotFather in Telegram `
      + `(/mybots → API Token) into ${envFile}`);
  }
  const allowedUsers = parseUsers(vars.get('ALLOWED_USERS'), envFile);
  const tmuxSession = value('TMUX_SESSION_NAME');
  const reserved = /[:.]/.exec(tmuxSession)?.[0];
  if (reserved) {
    throw invalid('TMUX_SESSION_NAME', `contains "${reserved}", which tmux reserves in target names `
      + `(session:window.pane): choose a name without ":" or "." ${putHint}`);
  }
  /** Voice needs both: the program (a bare name is looked up on PATH) and its model file (relative: to the home). */
  const whisperOf = () => {
    const cli = vars.get('WHISPER_CLI')?.value;
    const model = vars.get('WHISPER_MODEL')?.value;
    if (!cli || !model) return null;
    const threads = parsed('WHISPER_THREADS', (t) => (/^\d+$/.test(t) && Number(t) > 0 ? Number(t) : undefined),
      `is not a positive whole number of threads ${putHint}`);
    const program = cli.includes('/') ? absolutePath(cli, home, home) : cli;
    return { cli: program, model: absolutePath(model, home, home), lang: value('WHISPER_LANG'), threads };
  };
  const claudeFlags = splitWords(vars.get('CLAUDE_FLAGS')?.value ?? DEFAULTS.CLAUDE_FLAGS);
  if (claudeFlags === undefined) {
    throw new ConfigError(`CLAUDE_FLAGS ${where('CLAUDE_FLAGS')} has an unclosed quote: close it (quotes group words, `
      + `as in --append-system-prompt "be brief") ${putHint}`);
  }
  return {
    botToken: token.value,
    allowedUsers,
    ccbotDir, // absolute
    tmuxSession,
    claudeCommand: value('CLAUDE_COMMAND'),
    claudeFlags,
    claudeConfigDir: absolutePath(value('CLAUDE_CONFIG_DIR'), home, cwd), // absolute
    telegramApiRoot: parsed('TELEGRAM_API_ROOT', safeApiRoot, 'is neither an https URL nor http to this machine (the '
      + `token is in every request): use e.g. https://api.telegram.org or http://127.0.0.1:8081 ${putHint}`),
    logLevel: parsed('LOG_LEVEL', parseLevel, `is not one of debug, info, warn, error: fix it ${putHint}`),
    archivePurgeAfterMs: parsed('ARCHIVE_PURGE_AFTER', parseDurationMs, 'is not a positive duration: write it like '
      + `14d, 36h, 90m or a number of seconds ${putHint}`),
    idleHours: positive('CCBOT_IDLE_HOURS', 'hours'),
    monitorPollIntervalMs: positive('MONITOR_POLL_INTERVAL', 'seconds') * 1000,
    stallMinutes: positive('CCBOT_STALL_MINUTES', 'minutes'),
    inboxTtlMs: positive('INBOX_TTL_HOURS', 'hours') * 3_600_000,
    whisper: whisperOf(),
    /** null: the built-in list (tripwire.cts); 'off': none. A pattern that does not compile is a ConfigError. */
    tripwire: parsed('CCBOT_TRIPWIRE', tripwireOf, 'is not a valid JavaScript regular expression: fix it, leave it '
      + `empty for the built-in list, or set it to off ${putHint}`),
    tripwireTimeoutMs: parsed('CCBOT_TRIPWIRE_TIMEOUT', parseDurationMs, 'is not a positive duration: write it like '
      + `10m, 90s or a number of seconds ${putHint}`),
    redact: value('CCBOT_REDACT') !== '0',
    hostLabel: value('CCBOT_HOST_LABEL'),
  };
}

/** The environment children (tmux, and through the tmux server every claude) inherit. No TELEGRAM_BOT_TOKEN: Claude
 * runs arbitrary commands, and whoever holds the token controls the bot; the first tmux call starts the server, whose
 * environment every new window copies. No TMUX / TMUX_PANE: a tmux client that sees $TMUX talks to the server named
 * in it (ignoring TMUX_TMPDIR), and TMUX_PANE makes target-less commands act on the pane ccbot was started from. A
 * daemon started inside someone's tmux must still reach its own server; windows get their own TMUX from it. */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { TELEGRAM_BOT_TOKEN: _token, TMUX: _tmux, TMUX_PANE: _pane, ...rest } = env;
  return rest;
}

type Setting = { value: string; from: string }; // from: 'the environment' or a file's path, for error messages

const TOKEN_PATTERN = /^\d{1,20}:[A-Za-z0-9_-]{30,64}$/;

function parseUsers(setting: Setting | undefined, envFile: string): number[] {
  const howToFind = 'to find your numeric id, message @userinfobot in Telegram';
  const entries = (setting?.value ?? '').split(',').map((e) => e.trim());
  if (entries.length > 1 && entries.at(-1) === '') entries.pop(); // a trailing comma is harmless
  if (entries.length === 1 && entries[0] === '') {
    throw new ConfigError(`ALLOWED_USERS is ${setting ? `empty (set in ${setting.from})` : 'not set'}: add the line `
      + `ALLOWED_USERS=<your numeric Telegram user id> (comma-separated for several) to ${envFile} (or set it in `
      + `the environment); ${howToFind}`);
  }
  return entries.map((entry) => {
    const id = /^\d+$/.test(entry) ? Number(entry) : NaN;
    if (Number.isSafeInteger(id) && id > 0) return id;
    const what = entry === '' ? 'an empty entry' : JSON.stringify(entry);
    throw new ConfigError(`ALLOWED_USERS (set in ${setting!.from}) has ${what}, which is not a numeric Telegram user `
      + `id: list positive numbers separated by commas, e.g. ALLOWED_USERS=123456789,987654321, in ${envFile} (or the `
      + `environment); ${howToFind}`);
  });
}

function readDotEnvFile(path: string, read: (path: string) => string | undefined): Record<string, string> {
  try {
    const text = read(path);
    return text === undefined ? {} : parseDotEnv(text);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    const fix = `make it a file readable by this user (chmod 600 ${path}), or remove it`;
    throw new ConfigError(`cannot read ${path} (${code}): ${fix}`, { cause: err });
  }
}

/** `~` and `~/…` are the home directory; other relative paths are relative to `cwd`. */
export function absolutePath(path: string, home: string, cwd = process.cwd()): string {
  const expanded = path === '~' ? home : path.startsWith('~/') ? join(home, path.slice(2)) : path;
  return isAbsolute(expanded) ? resolve(expanded) : resolve(cwd, expanded);
}

function parsePositive(text: string): number | undefined {
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN;
  return n > 0 && Number.isFinite(n) ? n : undefined;
}

const UNIT_MS: Record<string, number> = { '': 1000, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `14d`, `36h`, `90m`, `45s` or plain seconds → milliseconds; undefined when not a positive duration. */
function parseDurationMs(text: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/i.exec(text);
  if (!m) return undefined;
  const ms = Number(m[1]) * UNIT_MS[m[2]!.toLowerCase()]!;
  return ms > 0 && Number.isFinite(ms) ? Math.round(ms) : undefined;
}

/** CCBOT_TRIPWIRE: 'off', a pattern that compiles (its source), or null for the built-in list. */
function tripwireOf(text: string): { pattern: string | null } | 'off' | undefined {
  if (text === '') return { pattern: null };
  if (text.toLowerCase() === 'off') return 'off';
  try {
    return { pattern: new RegExp(text).source };
  } catch {
    return undefined;
  }
}

/** https anywhere; plain http only to this machine (a local Bot API server, tests): the token travels in every URL.
 * The root without trailing slashes, or undefined. */
function safeApiRoot(text: string): string | undefined {
  const root = text.replace(/\/+$/, '');
  if (!URL.canParse(root)) return undefined;
  const url = new URL(root);
  if (url.hostname === '' || url.username || url.password) return undefined;
  if (url.protocol === 'https:') return root;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const isLocal = host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
  return url.protocol === 'http:' && isLocal ? root : undefined;
}
