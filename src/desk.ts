/** The Claude conversations on this machine (`<claude config>/projects/<folder>/<id>.jsonl`), newest first, for
 * /resume: each with its folder, first prompt and time, and whether ccbot follows it or a live Claude runs it. Reads
 * the opening of the newest files only; never writes. */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { truncateLabel } from './keyboards.js';
import { isClaudeSessionId, type SessionMap } from './session-map.cjs';
import type { Session } from './sessions.js';
import { readOpening } from './transcript-reader.js';

/** cwd: the folder it ran in, from its entries (the directory's name in projects/ cannot be turned back into a path);
 * prompt: its first, on one line and cut short ('' when its opening has none); owned: followed by ccbot, by `owner`
 * or by a window of ccbot's tmux session no record names; running: a live `claude --resume|--session-id <id>` runs
 * it (procs.ts). */
export interface DeskConversation {
  id: string; cwd: string; prompt: string; at: number; owned: boolean; owner?: Readonly<Session>; running: boolean;
}

interface Marks { sessions: readonly Readonly<Session>[]; map: SessionMap; tmuxSession: string; running: Set<string> }

/** Files looked at (stat) and openings read at most: a years-old projects/ must not make /resume slow. */
const MAX_FILES = 5_000;
const MAX_OPENINGS = 60;

/** Up to `limit` conversations with a known folder, newest (last written) first. */
export async function listDesk(claudeConfigDir: string, marks: Marks, limit = 30): Promise<DeskConversation[]> {
  const projects = join(claudeConfigDir, 'projects');
  const files: { id: string; path: string; at: number }[] = [];
  for (const dir of await readdir(projects).catch(() => [])) {
    const names = (await readdir(join(projects, dir)).catch(() => [])).slice(0, MAX_FILES - files.length);
    const found = await Promise.all(names.map(async (name) => {
      const [id, path] = [name.replace(/\.jsonl$/, ''), join(projects, dir, name)];
      const info = name.endsWith('.jsonl') && isClaudeSessionId(id) ? await stat(path).catch(() => null) : null;
      return info?.isFile() ? [{ id, path, at: info.mtimeMs }] : [];
    }));
    files.push(...found.flat());
  }
  files.sort((a, b) => b.at - a.at);
  const owners = new Map<string, Readonly<Session> | undefined>();
  const windowOwner = new Map(marks.sessions.filter((s) => s.windowId).map((s) => [s.windowId!, s]));
  // Entries of other tmux sessions come from a hook installed by hand: a claude outside ccbot, never pruned here.
  for (const [key, entry] of Object.entries(marks.map)) {
    const [tmuxSession, window] = [key.slice(0, key.lastIndexOf(':')), key.slice(key.lastIndexOf(':') + 1)];
    if (tmuxSession === marks.tmuxSession) owners.set(entry.session_id, windowOwner.get(window));
  }
  // A record beats a map entry; among records, a live one (set last) beats an ended one.
  const byStatus = [...marks.sessions].sort((a, b) => Number(a.status === 'active') - Number(b.status === 'active'));
  for (const s of byStatus) if (s.claudeSessionId) owners.set(s.claudeSessionId, s);
  const listed: DeskConversation[] = [];
  for (const { id, path, at } of files.slice(0, MAX_OPENINGS)) {
    const opening = await readOpening(path);
    if (!opening.ok || !opening.cwd) continue;
    const [cwd, prompt] = [opening.cwd, truncateLabel(opening.prompt, 100)];
    listed.push({ id, cwd, prompt, at, owned: owners.has(id), owner: owners.get(id), running: marks.running.has(id) });
    if (listed.length >= limit) break;
  }
  return listed;
}
