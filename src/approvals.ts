/** The tripwire's daemon side ($CCBOT_DIR/approvals, protocol in tripwire.cts): claims what the hook asks,
 * sends the session's owner the command with Allow once / Deny, renames each request to its outcome on a tap or at
 * its deadline, and says in the message what was decided. It never touches a session: the hook tells Claude. */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { Accepted } from './chat.js';
import { clip, escapeHtml } from './format.js';
import { t, type Lang } from './i18n.js';
import { button } from './keyboards.js';
import { logger } from './log.cjs';
import type { Session } from './sessions.js';
import { attempt, moved as rename, removeIfStale } from './spool.js';
import type { Telegram } from './telegram.js';
import { APPROVALS_DIR, ASKED, type ApprovalRequest, type Outcome } from './tripwire.cjs';

const log = logger('approvals');
/** How soon a request is seen (a person is not faster), and how late after its deadline it is denied. */
const POLL_MS = 500;
const SAID = { allow: 'trip.allowed', deny: 'trip.denied', expired: 'trip.expired', unasked: 'trip.denied' } as const;

interface ApprovalsDeps {
  ccbotDir: string; allowed: ReadonlySet<number>;
  /** CCBOT_TRIPWIRE_TIMEOUT: a request without an answer this long after the hook wrote it is denied. */
  timeoutMs: number;
  sessionOf: (id: string) => Readonly<Session> | undefined; langOf: (userId: number) => Lang;
  telegram: Pick<Telegram, 'send' | 'edit' | 'stripKeyboard'>; now?: () => number;
}

export class Approvals {
  private readonly dir: string;
  /** The message asking about each open request. Lost with a restart: the next daemon asks again. */
  private readonly asked = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<void> | undefined;
  private readonly at = (id: string, suffix: string) => join(this.dir, id + suffix);

  constructor(private readonly deps: ApprovalsDeps) {
    this.dir = join(deps.ccbotDir, APPROVALS_DIR);
  }

  start(): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    this.timer = setInterval(() => {
      this.pass ??= this.sweep().catch((error: unknown) => log.error('approvals pass failed', { error }))
        .finally(() => (this.pass = undefined));
    }, POLL_MS);
  }

  async stop(): Promise<void> {
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

  private async sweep(): Promise<void> {
    const now = (this.deps.now ?? Date.now)();
    for (const name of readdirSync(this.dir).sort()) {
      const suffix = extname(name);
      const id = name.slice(0, -suffix.length);
      if (suffix === ASKED.request) {
        if (rename(this.at(id, suffix), this.at(id, ASKED.asking))) await this.ask(id); // else: withdrawn
      } else if (suffix === ASKED.asking) {
        const request = readRequest(this.at(id, suffix));
        if (request && now - request.at >= this.deps.timeoutMs) await this.decide(id, 'expired', request);
        else if (!this.asked.has(id)) await this.ask(id); // claimed by a daemon that stopped before an answer
      } else removeIfStale(join(this.dir, name), now); // outcomes no hook read (it was killed), torn temp files
    }
  }

  /** Asks the session's owner, an allowed one only: anyone else's request, or one Telegram refuses, is denied. */
  private async ask(id: string): Promise<void> {
    const request = readRequest(this.at(id, ASKED.asking));
    const session = request && this.deps.sessionOf(request.sessionId);
    if (!request || session?.ownerUserId !== request.chatId || !this.deps.allowed.has(request.chatId)) {
      log.warn('tripwire request refused: not a session of an allowed chat', { id, request });
      return void (await this.decide(id, 'unasked'));
    }
    const lang = this.deps.langOf(request.chatId);
    const choices = [button(`✅ ${t(lang, 'btn.allowOnce')}`, { t: 'trip', id, allow: true }),
      button(`🚫 ${t(lang, 'btn.deny')}`, { t: 'trip', id, allow: false })];
    const html = this.text(request, lang);
    const sent = await this.deps.telegram.send(request.chatId, html, { replyMarkup: { inline_keyboard: [choices] } });
    if (sent.ok) this.asked.set(id, sent.messageIds.at(-1)!);
    else await this.decide(id, 'unasked', request);
  }

  /** Renames the open request to its outcome (false: the hook withdrew it, or it was decided) and edits its message. */
  private async decide(
    id: string, outcome: Exclude<Outcome, 'noDaemon'>, request?: ApprovalRequest, messageId = this.asked.get(id),
  ): Promise<boolean> {
    if (!rename(this.at(id, ASKED.asking), this.at(id, `.${outcome}`))) return false;
    this.asked.delete(id);
    log.info('tripwire decided', { id, outcome, session: request?.sessionId });
    if (!request || messageId === undefined) return true;
    const lang = this.deps.langOf(request.chatId);
    const said = escapeHtml(t(lang, SAID[outcome]));
    await this.deps.telegram.edit(request.chatId, messageId, `${this.text(request, lang)}\n\n${said}`);
    return true;
  }

  private text(request: ApprovalRequest, lang: Lang): string {
    const [name, command] = [this.deps.sessionOf(request.sessionId)?.name ?? '?', clip(request.command, 2000)];
    return `🛑 <b>${escapeHtml(name)}</b>\n${escapeHtml(t(lang, 'trip.ask'))}\n<pre>${escapeHtml(command)}</pre>`;
  }
}

/** What the hook wrote, if whole: the window's Claude could write anything there (sessionOf checks the id). */
function readRequest(path: string): ApprovalRequest | undefined {
  const r = attempt(() => JSON.parse(readFileSync(path, 'utf8')) as ApprovalRequest);
  return r && Number.isSafeInteger(r.chatId) && typeof r.command === 'string' && r.at > 0 ? r : undefined;
}
