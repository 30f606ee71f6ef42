/** Levelled one-line logs on stderr (journald adds the time), with every registered secret redacted. */

const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
type Level = (typeof LEVELS)[number];
const secrets = new Set<string>();
let threshold: Level = parseLevel(process.env.LOG_LEVEL) ?? 'info';
let sink: (line: string) => void = (line) => process.stderr.write(line + '\n');

export function parseLevel(value: string | undefined): Level | undefined {
  return LEVELS.find((level) => level === value?.trim().toLowerCase());
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
  return [...secrets].reduce((out, secret) => out.split(secret).join('<redacted>'), text);
}

/** A logger bound to one scope: `const log = logger('tmux'); log.warn('send failed', { window })`. */
export function logger(scope: string) {
  const at = (level: Level) => (message: string, fields: Record<string, unknown> = {}) => {
    if (LEVELS.indexOf(level) < LEVELS.indexOf(threshold)) return;
    let line = `${level === 'info' ? '' : `${level}: `}${scope}: ${message}`;
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) continue;
      const text = v instanceof Error ? v.message : typeof v === 'string' ? v : JSON.stringify(v);
      line += ` ${k}=${/[\s"]/.test(text) ? JSON.stringify(text) : text}`;
    }
    sink(redact(line.replace(/\r?\n/g, '\\n')));
  };
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
