/** Session names from the conversation: Claude Code's own title (ai-title) at once, else — with the person's
 * auto-naming on — one `claude -p` with a small model after the first answer. Junk and refusals keep the folder's
 * name; a name the person gave is never replaced. The checks and the prompt are pure; the run goes through exec.ts. */
import { tmpdir } from 'node:os';
import { execRun, type Run } from './exec.js';
import { logger } from './log.cjs';
import type { Session, Sessions } from './sessions.js';
import type { TranscriptEvent } from './transcript.js';

const log = logger('naming');
const NAME_CHARS = 40;
const TITLE_MS = 60_000;
const REFUSAL = /\b(?:i can(?:no|['’])t|i(?:['’]m| am) (?:sorry|not able)|sorry|as an ai|apologi[sz]e|unable)\b/i;

/** A name the person may give (/rename): 1 to 40 characters, no control characters. */
export const isValidName = (name: string): boolean =>
  name.trim() !== '' && [...name.trim()].length <= NAME_CHARS && !/\p{Cc}/u.test(name);

/** A model's answer as a title of at most four words, quotes and Markdown out; null for anything else. */
function cleanTitle(raw: string): string | null {
  const text = raw.trim().replace(/^title:\s*/i, '').replace(/[*_`#"“”«»]+/g, '').replace(/^'+|'+$/g, '')
    .replace(/[.!。]+$/, '').trim();
  const words = text.split(/\s+/).length;
  return isValidName(text) && words <= 4 && !REFUSAL.test(text) ? text : null;
}

const titlePrompt = (prompt: string, answer: string): string =>
  'Give a title of two or three words for the conversation below, in the language of its request. Reply with the ' +
  `title only, without quotes.\n\nRequest: ${prompt.slice(0, 1000)}\n\nAnswer (its start): ${answer.slice(0, 500)}`;

interface NamingDeps {
  sessions: Pick<Sessions, 'rename'>;
  autoName: (userId: number) => boolean;
  claudeCommand: string;
  /** The windows' environment: never the bot token. */
  env: NodeJS.ProcessEnv;
  run?: Run;
}

/** Called with each session's delivered events; names it from them. */
export function createNaming(deps: NamingDeps) {
  const run = deps.run ?? execRun;
  // Keyed by the record: a purged session leaves nothing behind, a Restore (a new record) may be named again.
  const firsts = new WeakMap<Readonly<Session>, { prompt: string; answer: string } | 'asked'>();

  async function ask(session: Readonly<Session>, prompt: string, answer: string): Promise<void> {
    // No transcript of its own and no tools: a side question, not a conversation the desk's /resume would list.
    const args = ['-p', '--model', 'haiku', '--no-session-persistence', '--tools', ''];
    const input = titlePrompt(prompt, answer);
    const ran = await run(deps.claudeCommand, args, { input, env: deps.env, cwd: tmpdir(), timeoutMs: TITLE_MS });
    const title = ran.ok ? cleanTitle(ran.stdout) : null;
    if (!ran.ok) log.warn('no title: claude -p failed', { session: session.id, error: ran.error });
    else if (!title) log.info('no title: the answer was no title', { session: session.id });
    // Claude Code's own title, or the person's, may have come while this ran: it stays.
    if (title && !session.named) deps.sessions.rename(session.id, title, 'title');
  }

  return (session: Readonly<Session>, events: readonly TranscriptEvent[]): void => {
    for (const e of events) {
      const first = firsts.get(session);
      // Claude Code's own title is its choice of length; a model's answer here is held to four words.
      const title = e.kind === 'title' && isValidName(e.text) && !REFUSAL.test(e.text) ? e.text.trim() : null;
      if (title && title !== session.name) deps.sessions.rename(session.id, title, 'title');
      if (session.named || first === 'asked') continue;
      if (e.kind === 'prompt' && !e.command && !first) firsts.set(session, { prompt: e.text, answer: '' });
      else if (e.kind === 'text' && first && !first.answer) first.answer = e.text;
      else if (e.kind === 'turnEnd' && first?.answer) {
        firsts.set(session, 'asked');
        if (deps.autoName(session.ownerUserId)) void ask(session, first.prompt, first.answer);
      }
    }
  };
}
