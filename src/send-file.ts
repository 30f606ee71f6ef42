/** `ccbot send-file <path> [--caption TEXT]`, run by Claude in a session window: checks the file, hands a copy to the
 * running daemon through the spool (spool.ts) and waits for its answer. The window never holds the bot token, so this
 * never talks to Telegram; it imports little, since Claude runs it as a shell command. */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, copyFileSync, mkdirSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDaemonRunning } from './lock.cjs';
import { attempt, SPOOL_DIR, SPOOLED, type SpoolAnswer, type SpoolRequest } from './spool.js';
import { writeJson } from './store.cjs';

const USAGE = 'usage: ccbot send-file <path> [--caption TEXT]';
/** What a bot may upload to Telegram. */
const MAX_BYTES = 50 * 1024 * 1024;
/** A running daemon claims a request at once; this long covers a restart. After the claim, an upload can take its
 * deadline (60 s) and a 429's pause: past ANSWER_MS the command says the file is on its way. */
const TIMING = { claimMs: 30_000, answerMs: 120_000, pollMs: 100 };

/** The line to print (stdout when code is 0, stderr otherwise) and the exit code. */
export async function sendFileCommand(
  args: readonly string[], env: NodeJS.ProcessEnv = process.env, timing = TIMING,
): Promise<{ code: number; line: string }> {
  const no = (reason: string, code = 1) => ({ code, line: `ccbot send-file: ${reason}` });
  const parsed = parseArgs(args);
  if (!parsed) return no(USAGE, 2);
  const { CCBOT_DIR: dir, CCBOT_CHAT_ID: chat, CCBOT_SESSION_ID: sessionId } = env;
  if (!dir || !sessionId || !/^\d+$/.test(chat ?? '')) {
    return no('not in a ccbot session window (CCBOT_DIR, CCBOT_SESSION_ID, CCBOT_CHAT_ID are not set): not sent');
  }
  const { path, caption } = parsed;
  const problem = checkFile(path);
  if (problem) return no(`${problem}: not sent`);
  if (!isDaemonRunning(dir)) return no('ccbot is not running: not sent');

  const filename = basename(path);
  const id = `${Date.now()}-${process.pid}-${randomBytes(4).toString('hex')}`;
  const at = (suffix: string) => join(dir, SPOOL_DIR, id + suffix);
  try {
    mkdirSync(join(dir, SPOOL_DIR), { recursive: true, mode: 0o700 });
    // A copy: what Claude does to the file after this cannot change what is sent. The request comes last, whole.
    copyFileSync(path, at(SPOOLED.data));
    const request: SpoolRequest = { chatId: Number(chat), sessionId, filename, caption };
    writeJson(at(SPOOLED.request), request);
  } catch (err) {
    rmSync(at(SPOOLED.data), { force: true });
    return no(`cannot copy ${path} into ${join(dir, SPOOL_DIR)} (${(err as NodeJS.ErrnoException).code}): not sent`);
  }

  const startedAt = Date.now();
  let claimedAt: number | undefined;
  for (;;) {
    // Not there yet until the daemon renames it into place whole.
    const answer = attempt(() => JSON.parse(readFileSync(at(SPOOLED.answer), 'utf8')) as SpoolAnswer);
    if (answer) {
      rmSync(at(SPOOLED.answer), { force: true });
      return answer.ok ? { code: 0, line: `sent ${filename}` } : no(`${filename}: ${answer.error}: not sent`);
    }
    claimedAt ??= statSync(at(SPOOLED.request), { throwIfNoEntry: false }) ? undefined : Date.now();
    if (claimedAt === undefined && Date.now() - startedAt > timing.claimMs && withdraw(at(SPOOLED.request))) {
      rmSync(at(SPOOLED.data), { force: true });
      return no(`ccbot is not running (no answer within ${Math.round(timing.claimMs / 1000)} s): not sent`);
    }
    if (claimedAt !== undefined && Date.now() - claimedAt > timing.answerMs) {
      return { code: 0, line: `${filename} is with ccbot, which is still sending it` };
    }
    await sleep(timing.pollMs);
  }
}

function parseArgs(args: readonly string[]): { path: string; caption: string } | undefined {
  const paths: string[] = [];
  let caption = '';
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--caption' && i + 1 < args.length) caption = args[++i]!;
    else if (args[i]!.startsWith('--caption=')) caption = args[i]!.slice('--caption='.length);
    else paths.push(args[i]!);
  }
  return paths.length === 1 && paths[0] !== '' ? { path: paths[0]!, caption } : undefined;
}

/** Why the file cannot be sent, or undefined. Stat before any open: opening a FIFO would block. */
function checkFile(path: string): string | undefined {
  let stats;
  try {
    stats = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' || code === 'ENOTDIR' ? `no such file: ${path}` : `cannot read ${path} (${code})`;
  }
  if (stats.isDirectory()) return `${path} is a directory: send one file (an archive of it, say)`;
  if (!stats.isFile()) return `${path} is not a regular file (a device, a pipe or a socket)`;
  if (stats.size > MAX_BYTES) return `${path} is ${(stats.size / 2 ** 20).toFixed(1)} MB; Telegram takes up to 50 MB`;
  if (stats.size === 0) return `${path} is empty; Telegram takes no empty files`;
  return attempt(() => accessSync(path, constants.R_OK) ?? true) ? undefined : `cannot read ${path}: permission denied`;
}

/** Removes the request unless the daemon claimed it first: unlink and the daemon's rename cannot both succeed. */
const withdraw = (path: string): boolean => attempt(() => unlinkSync(path) ?? true) ?? false;
