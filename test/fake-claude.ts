/**
 * Test helpers around the fake `claude` (fixtures/fake-claude.ts): install the `claude` launcher, install hooks
 * that record their payloads, and read what the fake recorded (prompt log, transcripts). No tmux here.
 *
 *   const { command } = installFakeClaude(ctx.tmux.dir);
 *   await newWindow(SESSION, { name: 'a', cwd, argv: [command, '--dangerously-skip-permissions'], env: fakeClaudeEnv(…) }, opts);
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const FAKE_CLAUDE_JS = fileURLToPath(new URL('./fixtures/fake-claude.js', import.meta.url));

export interface PromptRecord {
  prompt: string;
  /** ms epoch when Enter submitted it. */
  at: number;
  /** The stand-in's working directory: which session got it. */
  cwd: string;
}
export type TranscriptEntry = Record<string, unknown> & { type: string };

/**
 * Writes `<dir>/claude`: a Node script (`#!<this node>`) that loads fake-claude.js in its own process, so
 * /proc/<pid>/cmdline reads `<node> <dir>/claude <args…>` (pgrep -f 'claude.*--resume <id>' finds it) and signals
 * sent to it reach the fake itself. The directory holds no package.json, so the script is CommonJS.
 */
export function installFakeClaude(dir: string): { command: string } {
  const command = join(dir, 'claude');
  writeFileSync(command, `#!${process.execPath}\nimport(${JSON.stringify(pathToFileURL(FAKE_CLAUDE_JS).href)});\n`);
  chmodSync(command, 0o755);
  return { command };
}

/**
 * Adds SessionStart and UserPromptSubmit hooks to `<configDir>/settings.json` that append each payload (one JSON
 * line) to `logPath`. Extra hook groups (ccbot's own hook, say) can be passed in and are kept.
 */
export function installRecordingHooks(configDir: string, logPath: string, extra: Record<string, unknown[]> = {}): void {
  const quoted = `'${logPath.replace(/'/g, `'\\''`)}'`;
  const recorder = { hooks: [{ type: 'command', command: `cat >> ${quoted}; echo >> ${quoted}`, timeout: 5 }] };
  const hooks: Record<string, unknown[]> = { ...extra };
  for (const event of ['SessionStart', 'UserPromptSubmit']) hooks[event] = [...(hooks[event] ?? []), recorder];
  mkdirSync(configDir, { recursive: true });
  writeFileSync(join(configDir, 'settings.json'), JSON.stringify({ hooks }, null, 2));
}

/** Claude Code's folder for a cwd under `<configDir>/projects`: every non-alphanumeric character becomes '-'. */
export const projectDir = (configDir: string, cwd: string) => join(configDir, 'projects', cwd.replace(/[^a-zA-Z0-9]/g, '-'));
export const transcriptPathOf = (configDir: string, cwd: string, sessionId: string) => join(projectDir(configDir, cwd), `${sessionId}.jsonl`);

/** The session ids that have a transcript for this cwd (files appear with the first prompt, not at start-up). */
export function sessionIds(configDir: string, cwd: string): string[] {
  const dir = projectDir(configDir, cwd);
  return existsSync(dir) ? readdirSync(dir).filter((name) => name.endsWith('.jsonl')).map((name) => name.slice(0, -'.jsonl'.length)) : [];
}

/** Every JSON line of a file; [] when it does not exist yet. A torn last line (being written) is left out. */
export function readJsonLines<T = Record<string, unknown>>(path: string): T[] {
  if (!existsSync(path)) return [];
  const out: T[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // the writer has not finished this line
    }
  }
  return out;
}

export const readPromptLog = (path: string) => readJsonLines<PromptRecord>(path);
export const readTranscript = (path: string) => readJsonLines<TranscriptEntry>(path);
/** Hook payloads recorded by installRecordingHooks. */
export const readHookLog = (path: string) => readJsonLines<Record<string, unknown> & { hook_event_name: string }>(path);

/** `type` of each entry, `system/<subtype>` for system entries: what a test compares the order of. */
export const entryKinds = (entries: readonly TranscriptEntry[]) =>
  entries.map((e) => (e.type === 'system' && typeof e.subtype === 'string' ? `system/${e.subtype}` : e.type));

/** The prompts the person typed, as they appear in a transcript: `user` entries whose content is a string. */
export const typedPrompts = (entries: readonly TranscriptEntry[]) =>
  entries.flatMap((e) => {
    const content = (e.message as { content?: unknown } | undefined)?.content;
    return e.type === 'user' && typeof content === 'string' && !content.startsWith('<') ? [content] : [];
  });

/** Environment for a window running the fake, with short start-up by default. */
export function fakeClaudeEnv(configDir: string, options: { log?: string; startupMs?: number; extra?: Record<string, string> } = {}): Record<string, string> {
  const env: Record<string, string> = { CLAUDE_CONFIG_DIR: configDir, FAKE_CLAUDE_STARTUP_MS: String(options.startupMs ?? 50), ...options.extra };
  if (options.log) env.FAKE_CLAUDE_LOG = options.log;
  return env;
}

