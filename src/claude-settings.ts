/**
 * The settings file every Claude that ccbot starts is given (`claude --settings <file>`): ccbot's hooks, which Claude
 * Code 2.1.328 runs next to the person's own from settings.json. The person's settings.json is never touched here.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ccbotHookCommand, HOOK_EVENTS, HOOK_TIMEOUT_S } from './hook-install.js';
import { writeJson } from './store.js';

const CLAUDE_SETTINGS_FILE = 'claude-settings.json';

export const claudeSettingsPath = (ccbotDir: string): string => join(ccbotDir, CLAUDE_SETTINGS_FILE);

/** What the file holds: one command hook of ours per event, nothing else. */
function hookSettings(command: string): { hooks: Record<string, unknown[]> } {
  const group = { hooks: [{ type: 'command', command, timeout: HOOK_TIMEOUT_S }] };
  return { hooks: Object.fromEntries(HOOK_EVENTS.map((event) => [event, [group]])) };
}

/**
 * Writes the file (atomically, only when its text would change) and returns its path. Called at every daemon start,
 * so a moved checkout or a new node binary is picked up by the next Claude started.
 */
export function writeClaudeSettings(ccbotDir: string, command: string = ccbotHookCommand()): string {
  const path = claudeSettingsPath(ccbotDir);
  const wanted = JSON.stringify(hookSettings(command), null, 2) + '\n';
  if (readText(path) !== wanted) writeJson(path, hookSettings(command));
  return path;
}

/** The hook commands the file holds per event ({} when it is missing or unreadable), for `ccbot doctor`. */
export function readHookCommands(path: string): Record<string, string[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readText(path) ?? 'null');
  } catch {
    return {};
  }
  const hooks = (parsed as { hooks?: Record<string, Array<{ hooks?: Array<{ command?: unknown }> }>> } | null)?.hooks;
  if (typeof hooks !== 'object' || hooks === null) return {};
  const out: Record<string, string[]> = {};
  for (const [event, groups] of Object.entries(hooks)) {
    if (!Array.isArray(groups)) continue;
    out[event] = groups.flatMap((g) => (Array.isArray(g?.hooks) ? g.hooks : [])).flatMap((h) => (typeof h?.command === 'string' ? [h.command] : []));
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
