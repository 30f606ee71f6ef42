/** Levelled one-line logs on stderr (journald adds the time), with every registered secret redacted. */

export type Level = 'debug' | 'info' | 'warn' | 'error';

const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const secrets = new Set<string>();
let threshold: Level = parseLevel(process.env.LOG_LEVEL) ?? 'info';
let sink: (line: string) => void = (line) => process.stderr.write(line + '\n');

export function parseLevel(value: string | undefined): Level | undefined {
  const v = value?.trim().toLowerCase();
  return v === 'debug' || v === 'info' || v === 'warn' || v === 'error' ? v : undefined;
}

export function setLevel(level: Level): void {
  threshold = level;
}

/** Tests capture lines here instead of stderr. Returns the previous sink. */
export function setSink(next: (line: string) => void): (line: string) => void {
  const previous = sink;
  sink = next;
  return previous;
}

/** Registers a value that must never appear in a log line (the bot token is inside every Bot API URL). */
export function addSecret(value: string | undefined): void {
  if (value && value.length >= 6) secrets.add(value);
}

export function redact(text: string): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('<redacted>');
  return out;
}

type Fields = Record<string, unknown>;

function render(scope: string, message: string, fields?: Fields): string {
  let line = `${scope}: ${message}`;
  for (const [k, v] of Object.entries(fields ?? {})) {
    if (v === undefined) continue;
    const text = v instanceof Error ? v.message : typeof v === 'string' ? v : JSON.stringify(v);
    line += ` ${k}=${/[\s"]/.test(text) ? JSON.stringify(text) : text}`;
  }
  return redact(line.replace(/\r?\n/g, '\\n'));
}

export function log(level: Level, scope: string, message: string, fields?: Fields): void {
  if (RANK[level] < RANK[threshold]) return;
  sink(`${level === 'info' ? '' : `${level}: `}${render(scope, message, fields)}`);
}

/** A logger bound to one scope: `const log = logger('tmux'); log.warn('send failed', { window })`. */
export function logger(scope: string) {
  return {
    debug: (m: string, f?: Fields) => log('debug', scope, m, f),
    info: (m: string, f?: Fields) => log('info', scope, m, f),
    warn: (m: string, f?: Fields) => log('warn', scope, m, f),
    error: (m: string, f?: Fields) => log('error', scope, m, f),
  };
}
