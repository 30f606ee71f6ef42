/** Masks secrets in text on its way to Telegram: known values (the bot token, secret-named variables of ccbot's
 * environment and of the `.env` files in the sessions' folders) and common token shapes. Reads only those files. */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseDotEnv } from './dotenv.cjs';
import { escapeHtml } from './markdown-inline.js';

const SECRET_NAME = /(?:^|_)(?:TOKEN|SECRET|PASSWORD|PASSWD|KEY)$/i;
const ENV_FILES = ['.env', '.env.local', '.env.production'];
const RECHECK_MS = 1_000;
const MAX_ENV_FILE = 1 << 20;
const MARK = '[redacted]';

// No character class admits < > & ; and the key block stops at a <, so a match never spans an HTML tag or entity.
// The \b and the digit look-aheads keep words, hex, UUIDs and base64 (where these prefixes follow a letter) whole.
const SHAPES = new RegExp([
  /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----[^<]*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|(?=<)|$)/,
  /\bsk-ant-[\w-]{20,}/,
  /\bsk-(?:proj-|svcacct-|admin-)?(?=[A-Za-z_-]*\d)[\w-]{20,}/,
  /\b(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{22,})/,
  /\bxox[abprs]-(?=[A-Za-z-]*\d)[\w-]{10,}/,
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/,
  /\b\d{6,10}:[\w-]{35}(?![\w-])/,
  /\beyJ[\w-]{8,}\.eyJ[\w-]{8,}\.[\w-]{8,}/,
].map((r) => r.source).join('|'), 'g');
/** What is left of a masked token, so the person knows what was there: its kind, never a secret character. */
const KEPT = /^(?:-----BEGIN [A-Z0-9 ]*-----|sk-(?:ant-|proj-)?|gh[pousr]_|github_pat_|xox[abprs]-|A[KS]IA|\d+:|eyJ)/;

/** Values too short or one plain word ("true", "postgres", "password") are left: masking them would wreck text. */
function secretValues(vars: Record<string, string | undefined>): string[] {
  return Object.entries(vars).flatMap(([name, value]) =>
    (value && value.length >= 6 && !/^[a-z]+$/i.test(value) && SECRET_NAME.test(name) ? [value] : []));
}

interface RedactSources {
  enabled: boolean; env: Record<string, string | undefined>; botToken: string; now?: () => number;
  /** Folders whose `.env` files are read (cached by mtime, looked at again at most once a second). */
  folders: () => readonly string[];
}

/** The mask every text for Telegram passes through; the identity when disabled (CCBOT_REDACT=0). Never throws. */
export function createRedactor(sources: RedactSources): (text: string) => string {
  if (!sources.enabled) return (text) => text;
  const now = sources.now ?? Date.now;
  const fixed = [sources.botToken, ...secretValues(sources.env)];
  let files = new Map<string, { mtimeMs: number; values: string[] }>();
  let known: RegExp | null = null;
  let knownKey: string | undefined;
  let checkedAt = -Infinity;

  const fileValues = (path: string, next: typeof files): string[] => {
    try {
      const stat = statSync(path, { throwIfNoEntry: false });
      if (!stat?.isFile() || stat.size > MAX_ENV_FILE) return [];
      const cached = files.get(path);
      const entry = cached?.mtimeMs === stat.mtimeMs
        ? cached : { mtimeMs: stat.mtimeMs, values: secretValues(parseDotEnv(readFileSync(path, 'utf8'))) };
      next.set(path, entry);
      return entry.values;
    } catch {
      return []; // unreadable: nothing of it can be known
    }
  };
  const refresh = () => {
    const next: typeof files = new Map();
    const fromFiles = (dir: string) => ENV_FILES.flatMap((name) => fileValues(join(dir, name), next));
    const found = [...new Set(sources.folders())].flatMap(fromFiles);
    files = next;
    // Answers are HTML by then: a value with & < > " is there escaped.
    const all = [...new Set([...fixed, ...found].flatMap((v) => [v, escapeHtml(v)]))].filter(Boolean);
    all.sort((a, b) => b.length - a.length);
    const key = all.join('\0');
    if (key === knownKey) return;
    knownKey = key;
    known = all.length ? new RegExp(all.map((v) => v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g') : null;
  };

  return (text) => {
    if (now() - checkedAt >= RECHECK_MS) {
      refresh();
      checkedAt = now();
    }
    // Never longer than the value: an edit's text was cut to Telegram's limit before it came here.
    const masked = known ? text.replace(known, (v) => (v.length < MARK.length ? '*'.repeat(v.length) : MARK)) : text;
    return masked.replace(SHAPES, (match) => `${KEPT.exec(match)?.[0] ?? ''}…${MARK}`);
  };
}
