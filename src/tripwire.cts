/** The tripwire's rules: which Bash commands wait for the person's Allow once / Deny (the built-in list, or the
 * CCBOT_TRIPWIRE pattern), the files through which the hook asks the daemon, and what Claude is told. Pure: no I/O. */

/** The daemon writes this into $CCBOT_DIR at start; the hook reads it (it must not load the configuration). */
export const TRIPWIRE_FILE = 'tripwire.json';
export interface TripwireFile { tripwire: { pattern: string | null } | 'off'; timeoutMs: number }
const DEFAULT_FILE: TripwireFile = { tripwire: { pattern: null }, timeoutMs: 600_000 };

/** $CCBOT_DIR/approvals/<id><suffix>: the hook writes the request whole; the daemon claims it (a rename) and asks the
 * person; a tap or the deadline renames it to its outcome, which the hook reads and removes. Renames are the one
 * arbiter: the hook withdrawing a request and the daemon deciding it cannot both succeed. */
export const APPROVALS_DIR = 'approvals';
export const ASKED = { request: '.request', asking: '.asking' } as const;
/** What the daemon decides; `noDaemon` is the hook's own, when no daemon took the request. */
export const OUTCOMES = ['allow', 'deny', 'expired', 'unasked'] as const;
export type Outcome = (typeof OUTCOMES)[number] | 'noDaemon';
export interface ApprovalRequest { chatId: number; sessionId: string; command: string; at: number }

/** The daemon's expiry pass and a restart of it fit in this; past it the hook decides alone. */
export const GRACE_MS = 30_000;
/** The hook's `timeout` (seconds) in claude-settings.json: Claude Code kills a hook past it and runs the command. */
export const hookTimeoutS = (timeoutMs: number): number => Math.ceil((timeoutMs + GRACE_MS) / 1000) + 30;

/** Within one simple command (up to ; & | or a new line). */
const ARGS = String.raw`[^;&|\n]*`;
const BUILT_IN: readonly RegExp[] = [
  // rm recursive (-r, -R, -rf, -fr, -r -f, --recursive --force…) of /, ~, $HOME, .., . or * (also /*, ~/ and the like);
  // not git rm (`git rm -r --cached .` only untracks).
  new RegExp(String.raw`(?<![\w.-])(?<!\bgit\s+)rm(?=${ARGS}\s(?:-[a-zA-Z]*[rR]|--recursive\b))${ARGS}\s["']?`
    + String.raw`(?:(?:\/|~\/?|\$\{?HOME\}?\/?|\.\.?\/?)\*?|\*)["']?(?=$|[\s;&|)])`),
  new RegExp(String.raw`\bgit\b${ARGS}?\spush\b${ARGS}\s(?:--force|-[a-zA-Z]*f[a-zA-Z]*(?=\s|$)|\+[\w/.:-])`),
  new RegExp(String.raw`\bgit\b${ARGS}?\sreset\b${ARGS}\s--hard\b`),
  new RegExp(String.raw`\bgit\b${ARGS}?\sclean\b${ARGS}\s(?:-[a-zA-Z]*f|--force\b)`),
  /\bdrop\s+(?:table|database|schema)\b/i,
  /(?<![\w.-])mkfs(?:\.\w+)?(?=\s|$)/,
  new RegExp(String.raw`\bdd\b${ARGS}\sof=\/dev\/(?!(?:null|zero|stdout|stderr)\b|fd\/)`),
  new RegExp(String.raw`\bchmod\b(?=${ARGS}\s(?:-[a-zA-Z]*R|--recursive\b))${ARGS}\s(?:0?777|a\+rwx|ugo\+rwx)(?=\s|$)`),
  // a download piped into a shell, or handed to one
  /\b(?:curl|wget)\b[^;\n]*\|\s*(?:sudo\s+)?(?:\S*\/)?(?:ba|z|da|k)?sh(?=\s|$)/,
  /\b(?:ba|z)?sh\s+(?:-c\s+)?["']?(?:\$\(|<\()\s*(?:curl|wget)\b/,
  /(?<!\w)(\w+|:)\s*\(\s*\)\s*\{\s*\1\s*\|\s*\1\s*&\s*\}\s*;\s*\1/, // a fork bomb, :(){ :|:& };:
];

/** Whether `command` is on the tripwire: `pattern` (CCBOT_TRIPWIRE) if set, else the built-in list. */
export function isTripped(command: string, pattern: string | null): boolean {
  return pattern === null ? BUILT_IN.some((re) => re.test(command)) : new RegExp(pattern).test(command);
}

/** The file's settings; the built-in list and 10 minutes when it is missing or not ours (a careful default). */
export function parseTripwireFile(text: string | undefined): TripwireFile {
  try {
    const { tripwire, timeoutMs } = JSON.parse(text ?? '') as Partial<TripwireFile>;
    const pattern = tripwire === 'off' ? null : tripwire?.pattern;
    if (typeof pattern === 'string') new RegExp(pattern); // throws unless it compiles
    const valid = (pattern === null || typeof pattern === 'string') && typeof timeoutMs === 'number' && timeoutMs > 0;
    return valid ? { tripwire: tripwire!, timeoutMs } : DEFAULT_FILE;
  } catch {
    return DEFAULT_FILE;
  }
}

/** The PreToolUse hook's stdout for an outcome, with a reason Claude reads (English: it is Claude's). */
export function decisionJson(outcome: Outcome, command: string, timeoutMs: number): string {
  const shown = command.length > 200 ? `${command.slice(0, 199)}…` : command;
  const reasons: Record<Outcome, string> = {
    allow: 'the user allowed this command once',
    deny: `the user denied \`${shown}\`: do not run it another way; ask them what to do instead`,
    expired: `denied: no answer from the user within ${duration(timeoutMs)}`,
    unasked: 'denied: ccbot could not ask the user (no allowed owner of this session, or Telegram failed)',
    noDaemon: "denied: this command needs the user's approval, and ccbot is not running to ask them",
  };
  const permissionDecision = outcome === 'allow' ? 'allow' : 'deny';
  const permissionDecisionReason = `ccbot's tripwire: ${reasons[outcome]}`;
  const output = { hookEventName: 'PreToolUse', permissionDecision, permissionDecisionReason };
  return JSON.stringify({ hookSpecificOutput: output });
}

const duration = (ms: number) => (ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`);
