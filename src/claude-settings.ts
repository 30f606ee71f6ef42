/** The settings file every Claude that ccbot starts is given (`claude --settings <file>`): ccbot's hooks, which Claude
 * Code 2.1.328 runs next to the person's own from settings.json, and the tripwire's settings for the hook. The
 * person's settings.json is never touched here. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ccbotCommand, ccbotHookCommand, HOOK_EVENTS, HOOK_TIMEOUT_S } from './hook-install.js';
import { writeJson } from './store.cjs';
import { hookTimeoutS, TRIPWIRE_FILE, type TripwireFile } from './tripwire.cjs';
import { isObject } from './values.cjs';

export const claudeSettingsPath = (ccbotDir: string): string => join(ccbotDir, 'claude-settings.json');

/** Writes the file (atomically, only when its text would change) and returns its path: one command hook of ours per
 * event, nothing else; with `tripwire`, also $CCBOT_DIR/tripwire.json and, unless it is off, a PreToolUse hook for
 * Bash whose timeout outlasts the wait for the person. Called at every daemon start, so a moved checkout, a new node
 * binary or a new CCBOT_TRIPWIRE is picked up by the next Claude started (and the tripwire file by every one). */
export function writeClaudeSettings(ccbotDir: string, command = ccbotHookCommand(), tripwire?: TripwireFile): string {
  const path = claudeSettingsPath(ccbotDir);
  const group = { hooks: [{ type: 'command', command, timeout: HOOK_TIMEOUT_S }] };
  const events: [string, object[]][] = HOOK_EVENTS.map((event) => [event, [group]]);
  if (tripwire && tripwire.tripwire !== 'off') {
    const timeout = hookTimeoutS(tripwire.timeoutMs);
    events.push(['PreToolUse', [{ matcher: 'Bash', hooks: [{ type: 'command', command, timeout }] }]]);
  }
  writeIfChanged(path, { hooks: Object.fromEntries(events) });
  if (tripwire) writeIfChanged(join(ccbotDir, TRIPWIRE_FILE), tripwire);
  return path;
}

function writeIfChanged(path: string, value: object): void {
  if (readText(path) !== JSON.stringify(value, null, 2) + '\n') writeJson(path, value);
}

/** Appended to the system prompt of every Claude ccbot starts (`claude --append-system-prompt`): where the person's
 * files arrive and how to send one back. The command is absolute, like the hook's: Claude's PATH may lack ccbot. */
export function claudeSystemPrompt(ccbot: string = ccbotCommand()): string {
  return [
    'ccbot connects this session to the user\'s Telegram chat: they write to you and read you on their phone.',
    'Files they send you (photos, documents) are saved in .ccbot-inbox/ in your working directory.',
    `To send them a file or an image (a screenshot, a chart, a report), run: ${ccbot} send-file <path>`
      + ' [--caption TEXT]',
    'Images (png, jpg, gif, webp) arrive as photos, other files as documents; up to 50 MB each.',
  ].join('\n');
}

/** The hook commands the file holds per event ({} when it is missing or unreadable), for `ccbot doctor`. */
export function readHookCommands(path: string): Record<string, string[]> {
  let hooks: unknown;
  try {
    hooks = (JSON.parse(readText(path) ?? 'null') as { hooks?: unknown } | null)?.hooks;
  } catch {
    return {};
  }
  if (!isObject(hooks)) return {};
  const out: Record<string, string[]> = {};
  for (const [event, groups] of Object.entries(hooks)) {
    if (!Array.isArray(groups)) continue;
    out[event] = groups.flatMap((g) => (Array.isArray(g?.hooks) ? g.hooks : []))
      .flatMap((h) => (typeof h?.command === 'string' ? [h.command] : []));
  }
  return out;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}
