/** What a turn changed in its session's git work tree: snapshots of the tree as it is (tracked and untracked, not
 * ignored) written to ccbot's own object directory through a temp index, never the person's index or objects; a
 * turn's diff from its start to its end. git is optional: without it, or outside a work tree, there is no change. */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { copyFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InlineKeyboardMarkup as Markup } from 'node-telegram-bot-api';
import type { Run } from './exec.js';
import { clip, escapeHtml } from './format.js';
import { t, type Lang } from './i18n.js';
import { patchRow } from './keyboards.js';
import type { Session } from './sessions.js';
import type { TranscriptEvent } from './transcript.js';
import { fail, type Failure } from './values.cjs';

const TIMEOUT_MS = 10_000;
/** Tools that may change files: only a turn that used one gets a change line. */
const EDITING_TOOLS = new Set(['Edit', 'Write', 'MultiEdit', 'NotebookEdit', 'Bash']);
const TURNS_KEPT = 20;
const SESSIONS_KEPT = 100;
/** A snapshot taken before a phone message was typed is its turn's start if the prompt shows up within this. */
const TYPED_FRESH_MS = 120_000;

interface Git { objects: string; env: NodeJS.ProcessEnv; run: Run }
interface Snapshot { top: string; env: NodeJS.ProcessEnv; tree: string }
interface Diffstat { files: string[]; added: number; removed: number }

/** The work tree around `workdir` as a tree id in `git.objects`; null without git, outside a work tree, on failure. */
async function snapshot(workdir: string, git: Git): Promise<Snapshot | null> {
  const args = ['rev-parse', '--is-inside-work-tree', '--show-toplevel', '--path-format=absolute', '--git-path',
    'index', '--git-path', 'objects'];
  const found = await git.run('git', args, { cwd: workdir, env: git.env, timeoutMs: TIMEOUT_MS });
  const [inside, top, index, objects] = found.ok ? found.stdout.split('\n') : [];
  if (inside !== 'true' || !top || !index || !objects) return null;
  const env = { ...git.env, GIT_OBJECT_DIRECTORY: git.objects, GIT_ALTERNATE_OBJECT_DIRECTORIES: objects };
  const temp = join(tmpdir(), `ccbot-index-${randomUUID()}`);
  const options = { cwd: top, env: { ...env, GIT_INDEX_FILE: temp }, timeoutMs: TIMEOUT_MS };
  // A copy of the index: its stat data spare `git add` hashing every file again (none yet: git builds one).
  await copyFile(index, temp).catch(() => undefined);
  const added = await git.run('git', ['add', '-A'], options);
  const tree = added.ok ? await git.run('git', ['write-tree'], options) : added;
  await rm(temp, { force: true });
  return tree.ok ? { top, env, tree: tree.stdout.trim() } : null;
}

const diff = (base: Snapshot, head: Snapshot, args: string[], run: Run) => run('git',
  ['diff', '--no-color', '--no-ext-diff', '--no-textconv', ...args, base.tree, head.tree],
  { cwd: head.top, env: head.env, timeoutMs: TIMEOUT_MS });

/** `3 files changed, +20 −4 (a.ts, b.ts, c.ts)`: the names only when few. Pure. */
function changeLine({ files, added, removed }: Diffstat, lang: Lang): string {
  const count = t(lang, files.length === 1 ? 'change.file' : 'change.files', { n: files.length });
  const names = files.length <= 3 ? ` (${files.map((f) => clip(f, 60)).join(', ')})` : '';
  return `${count}, +${added} −${removed}${names}`;
}

type Turn = { no: number; uuid: string; base: Snapshot | null; used: boolean; head?: Snapshot | null; stat?: Diffstat };

/** Per session, its last turns' snapshots: in memory only, so after a restart no turn is known. */
export class TurnChanges {
  /** By session id, the most recently used last; `typed`: the tree before a phone message was typed. */
  private readonly sessions = new Map<string, { turns: Turn[]; typed?: { at: number; base: Snapshot | null } }>();
  private lastNo = 0;

  /** `git.objects` is emptied: what it holds belongs to turns a previous run remembered. */
  constructor(private readonly git: Git, private readonly now = Date.now) {
    rmSync(git.objects, { recursive: true, force: true });
    mkdirSync(git.objects, { recursive: true, mode: 0o700 });
  }

  private of(sessionId: string) {
    const known = this.sessions.get(sessionId) ?? { turns: [] };
    this.sessions.delete(sessionId);
    this.sessions.set(sessionId, known);
    if (this.sessions.size > SESSIONS_KEPT) this.sessions.delete(this.sessions.keys().next().value!);
    return known;
  }

  /** A phone message is about to be typed into the session: the tree before its turn. */
  async beforePrompt(session: Session): Promise<void> {
    this.of(session.id).typed = { at: this.now(), base: await snapshot(session.workdir, this.git) };
  }

  /** A prompt begins a turn, from the tree before it was typed (or now: typed at the desk); an editing tool marks it;
   * the event that ends a turn that changed files gets its line (HTML) and the 📄 button. Turn numbers follow the
   * clock, so a 📄 from before a restart names no turn of this run. */
  async see(session: Session, event: TranscriptEvent, lang: Lang): Promise<{ html: string; keep: Markup } | null> {
    const known = this.of(session.id);
    const turn = known.turns.at(-1);
    if (event.kind === 'toolCall' && EDITING_TOOLS.has(event.name) && turn) turn.used = true;
    if (event.kind === 'prompt' && !known.turns.some((each) => each.uuid === event.uuid)) {
      const typed = known.typed && this.now() - known.typed.at < TYPED_FRESH_MS ? known.typed : undefined;
      known.typed = undefined;
      const base = typed ? typed.base : await snapshot(session.workdir, this.git);
      this.lastNo = Math.max(this.lastNo + 1, Math.floor(this.now() / 1000) % 1_000_000) % 1_000_000;
      known.turns = [...known.turns, { no: this.lastNo, uuid: event.uuid, base, used: false }].slice(-TURNS_KEPT);
    }
    if ((event.kind !== 'turnEnd' && event.kind !== 'apiError') || !turn?.base || !turn.used) return null;
    if (turn.head === undefined) {
      turn.head = await snapshot(turn.base.top, this.git);
      const numstat = turn.head && (await diff(turn.base, turn.head, ['--numstat', '--no-renames'], this.git.run));
      const rows = numstat?.ok ? numstat.stdout.split('\n').filter(Boolean).map((row) => row.split('\t')) : [];
      const sum = (i: number) => rows.reduce((total, row) => total + (Number(row[i]) || 0), 0); // binary: "-"
      turn.stat = { files: rows.map((row) => row.slice(2).join('\t')), added: sum(0), removed: sum(1) };
    }
    if (!turn.stat?.files.length) return null;
    const keep = { inline_keyboard: [patchRow(session.id, turn.no)] };
    return { html: `📝 ${escapeHtml(changeLine(turn.stat, lang))}`, keep };
  }

  /** Turn `no`'s whole diff as a patch; `forgotten` when that turn is not remembered (an old one, or a restart). */
  async patch(sessionId: string, no: number): Promise<{ ok: true; text: string } | Failure<'forgotten' | 'git'>> {
    const turn = this.sessions.get(sessionId)?.turns.find((each) => each.no === no);
    if (!turn?.base || !turn.head) return fail('forgotten', `turn ${no} is not remembered`);
    const made = await diff(turn.base, turn.head, ['--binary', '--src-prefix=a/', '--dst-prefix=b/'], this.git.run);
    return made.ok ? { ok: true, text: made.stdout } : fail('git', made.error);
  }
}
