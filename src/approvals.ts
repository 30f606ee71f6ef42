/** The tripwire's daemon side ($CCBOT_DIR/approvals; the files' protocol is in tripwire.ts): claims what the hook asks,
 * sends the session's owner the command with Allow once / Deny, renames each request to its outcome on a tap or at
 * its deadline, and says in the message what was decided. It never touches a session: the hook tells Claude. */
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, watch, type FSWatcher } from 'node:fs';
import { extname, join } from 'node:path';
import type { Accepted } from './chat.js';
import { clip, escapeHtml } from './format.js';
import { t, type Key, type Lang } from './i18n.js';
import { button } from './keyboards.js';
import { logger } from './log.js';
import type { Session } from './sessions.js';
import type { Telegram } from './telegram.js';
import { APPROVALS_DIR, ASKED, type ApprovalRequest, type Outcome } from './tripwire.js';
import { isObject } from './values.js';

const log = logger('approvals');

/** fs.watch reports a request at once; this pass finds what it misses and ends requests at their deadline. */
const POLL_MS = 1_000;
/** Outcomes no hook read (it was killed) and torn temp files go after this long. */
const STALE_MS = 3_600_000;
const COMMAND_MAX_CHARS = 2_000;
const SAID: Record<Exclude<Outcome, 'noDaemon'>, Key> =
  { allow: 'trip.allowed', deny: 'trip.denied', expired: 'trip.expired', unasked: 'trip.denied' };

interface ApprovalsDeps {
  ccbotDir: string;
  allowed: ReadonlySet<number>;
  /** CCBOT_TRIPWIRE_TIMEOUT: a request without an answer this long after the hook wrote it is denied. */
  timeoutMs: number;
  sessionOf: (id: string) => Readonly<Session> | undefined;
  langOf: (userId: number) => Lang;
  telegram: Pick<Telegram, 'send' | 'edit' | 'stripKeyboard'>;
  pollMs?: number;
  now?: () => number;
}

export class Approvals {
  private readonly dir: string;
  /** The message asking about each open request. Lost with a restart: the next daemon asks again. */
  private readonly asked = new Map<string, number>();
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly deps: ApprovalsDeps) {
    this.dir = join(deps.ccbotDir, APPROVALS_DIR);
  }

  start(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    try {
      this.watcher = watch(this.dir, () => this.kick()).on('error', () => undefined);
    } catch (err) {
      log.warn('cannot watch the approvals; polling them only', { dir: this.dir, error: err });
    }
    this.timer = setInterval(() => this.kick(), this.deps.pollMs ?? POLL_MS);
    this.kick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.watcher?.close();
    clearInterval(this.timer);
    await this.pass;
  }

  /** A tap on Allow once / Deny: it decides a request still open, from its owner's chat; any other tap says closed. */
  async answer(who: Accepted, lang: Lang, id: string, allow: boolean, messageId?: number): Promise<void> {
    const request = readRequest(this.at(id, ASKED.asking));
    if (request?.chatId === who.chatId && (await this.decide(id, allow ? 'allow' : 'deny', request, messageId))) return;
    if (messageId === undefined) return;
    await this.deps.telegram.stripKeyboard(who.chatId, messageId);
    await this.deps.telegram.send(who.chatId, escapeHtml(t(lang, 'trip.closed')), { replyTo: messageId });
  }

  /** One pass at a time; a change seen during a pass runs another after it. */
  private kick(): void {
    if (this.stopped) return;
    if (this.pass) return void (this.again = true);
    this.pass = (async () => {
      do {
        this.again = false;
        await this.sweep();
      } while (this.again && !this.stopped);
    })()
      .catch((err: unknown) => log.error('approvals pass failed', { error: err }))
      .finally(() => (this.pass = undefined));
  }

  private async sweep(): Promise<void> {
    const now = (this.deps.now ?? Date.now)();
    for (const name of readdirSync(this.dir).sort()) {
      if (this.stopped) return;
      const suffix = extname(name);
      const id = name.slice(0, -suffix.length);
      if (suffix === ASKED.request) {
        if (rename(this.at(id, ASKED.request), this.at(id, ASKED.asking))) await this.ask(id); // else: withdrawn
      } else if (suffix === ASKED.asking) {
        const request = readRequest(this.at(id, ASKED.asking));
        if (request && now - request.at >= this.deps.timeoutMs) await this.decide(id, 'expired', request);
        else if (!this.asked.has(id)) await this.ask(id); // claimed by a daemon that stopped before an answer
      } else {
        const mtimeMs = statSync(join(this.dir, name), { throwIfNoEntry: false })?.mtimeMs ?? now;
        if (now - mtimeMs > STALE_MS) rmSync(join(this.dir, name), { force: true });
      }
    }
  }

  /** Asks the session's owner, an allowed one only: anyone else's request, or one Telegram refuses, is denied. */
  private async ask(id: string): Promise<void> {
    const request = readRequest(this.at(id, ASKED.asking));
    const session = request && this.deps.sessionOf(request.sessionId);
    if (!request || !session || session.ownerUserId !== request.chatId || !this.deps.allowed.has(request.chatId)) {
      log.warn('tripwire request refused: not a session of an allowed chat', { id, request });
      return void (await this.decide(id, 'unasked'));
    }
    const lang = this.deps.langOf(request.chatId);
    const choices = [
      button(`✅ ${t(lang, 'btn.allowOnce')}`, { t: 'trip', id, allow: true }),
      button(`🚫 ${t(lang, 'btn.deny')}`, { t: 'trip', id, allow: false }),
    ];
    const html = this.text(request, lang);
    const sent = await this.deps.telegram.send(request.chatId, html, { replyMarkup: { inline_keyboard: [choices] } });
    if (sent.ok) this.asked.set(id, sent.messageIds.at(-1)!);
    else await this.decide(id, 'unasked', request);
  }

  /** Renames the open request to its outcome (false: the hook withdrew it, or it was decided) and edits its message. */
  private async decide(
    id: string, outcome: keyof typeof SAID, request?: ApprovalRequest, messageId = this.asked.get(id),
  ): Promise<boolean> {
    if (!rename(this.at(id, ASKED.asking), this.at(id, `.${outcome}`))) return false;
    this.asked.delete(id);
    log.info('tripwire decided', { id, outcome, session: request?.sessionId });
    if (request && messageId !== undefined) {
      const lang = this.deps.langOf(request.chatId);
      const html = `${this.text(request, lang)}\n\n${escapeHtml(t(lang, SAID[outcome]))}`;
      await this.deps.telegram.edit(request.chatId, messageId, html);
    }
    return true;
  }

  private text(request: ApprovalRequest, lang: Lang): string {
    const name = this.deps.sessionOf(request.sessionId)?.name ?? request.sessionId;
    const command = escapeHtml(clip(request.command, COMMAND_MAX_CHARS));
    return `🛑 <b>${escapeHtml(name)}</b>\n${escapeHtml(t(lang, 'trip.ask'))}\n<pre>${command}</pre>`;
  }

  private at(id: string, suffix: string): string {
    return join(this.dir, id + suffix);
  }
}

/** The one arbiter between the hook withdrawing a request and the daemon claiming or deciding it. */
function rename(from: string, to: string): boolean {
  try {
    renameSync(from, to);
    return true;
  } catch {
    return false;
  }
}

function readRequest(path: string): ApprovalRequest | undefined {
  try {
    const r: unknown = JSON.parse(readFileSync(path, 'utf8'));
    const valid = isObject(r) && Number.isSafeInteger(r.chatId) && typeof r.sessionId === 'string'
      && typeof r.command === 'string' && typeof r.at === 'number';
    return valid ? (r as unknown as ApprovalRequest) : undefined;
  } catch {
    return undefined;
  }
}
