/** Long polling of getUpdates: capped backoff on failures, a watchdog for hung polls, a clear stop on 409 Conflict,
 * and each update's handler run in its chat's lane. It handles no update itself.
 * Lanes: a handler runs after the earlier ones of its lane (its chat) and alongside other lanes, so a hung request
 * holds up one chat, and polling goes on meanwhile.
 * Never lost: Telegram is told (by the next getUpdates' offset) only of updates below the lowest one still running;
 * onHandled reports the same watermark, plus the few ids above it already handled, for state.json.
 * Never twice: an update below the watermark, handled above it, or still running is skipped when Telegram (or a
 * restart) brings it again. Telegram returns a running update at once to every poll, so while handlers run, a poll
 * first waits for them, at most settleMs: no busy loop, and new updates still arrive within about that. Trap: a poll
 * returns at most 100 updates from the watermark, so 100 handled behind a running one hold back the next until it ends
 * (which every Bot API deadline bounds). */
import { TelegramApiError, type Api, type Update } from 'node-telegram-bot-api';
import { setTimeout as delay } from 'node:timers/promises';
import type { GateKind } from './gate.js';
import { logger } from './log.cjs';
import { backoffMs } from './pacer.js';
import { describeError } from './telegram-failure.js';

const log = logger('poll');

/** Consecutive 409s before we give up: another process is polling this token. */
const MAX_CONFLICTS = 3;
/** Exactly the kinds the gate lets through (tsc holds the keys to GateKind): Telegram need not send any other. */
const ALLOWED_UPDATES = Object.keys({ message: 0, edited_message: 0, callback_query: 0 } satisfies Record<GateKind, 0>);

export type PollEnd = 'stopped' | 'conflict' | 'unauthorized';

/** What an update needs: `run` in lane `lane` (its chat), or nothing (the gate dropped it). Nothing is not reported
 * to onHandled, so a stranger's flood causes no state write. */
export type Dispatch = (update: Update) => { lane: number; run: () => Promise<void> } | undefined;

interface PollOptions {
  /** The long poll's timeout (default 25 s), and how much longer it may take before it is called hung (15 s). */
  timeoutS?: number; watchdogGraceMs?: number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** As remembered across restarts (see onHandled): the first update id not known to be handled, and the ids above
   * it that are. */
  offset?: number; handled?: readonly number[];
  /** After a handler finished: updates up to `lastUpdateId` and those in `handledAbove` are handled. Telegram learns
   * of it only at the next getUpdates, so a daemon killed in between would see them again; persisting this (and
   * passing it back) closes that gap. */
  onHandled?: (lastUpdateId: number, handledAbove: number[]) => void;
  /** The longest wait for running handlers: before each poll (1 s), and once stopped (3 s). */
  settleMs?: number; drainMs?: number;
}

/** Polls until `signal` aborts (→ 'stopped') or polling cannot go on ('conflict', 'unauthorized'). A handler that
 * throws is logged and its update still confirmed: handling it again would repeat whatever half of it already ran.
 * Once stopped, running handlers get drainMs; one still running then is handled again after a restart. */
export async function pollUpdates(
  api: Pick<Api, 'getUpdates'>, dispatch: Dispatch, signal: AbortSignal, options: PollOptions = {},
): Promise<PollEnd> {
  const { timeoutS = 25, watchdogGraceMs = 15_000, settleMs = 1_000, drainMs = 3_000 } = options;
  const sleep = options.sleep ?? ((ms: number, signal: AbortSignal) => delay(ms, undefined, { signal }));
  const ledger = new Ledger(options.offset, new Set(options.handled));
  const lanes = new Map<number, Promise<void>>();
  const settle = async (ms: number, until?: AbortSignal) => { // waits for the running handlers, at most `ms`
    const waited = new AbortController(); // ends the timer with the wait, so it holds up no exit
    const end = () => waited.abort();
    until?.addEventListener('abort', end);
    const timer = delay(ms, undefined, { signal: waited.signal }).catch(() => undefined);
    await Promise.race([Promise.all(lanes.values()), timer]);
    until?.removeEventListener('abort', end);
    end();
  };
  const start = (update: Update): void => {
    const id = update.update_id;
    const work = dispatch(update);
    if (!work) return ledger.finish(id);
    ledger.running.add(id);
    const tail: Promise<void> = (lanes.get(work.lane) ?? Promise.resolve())
      .then(work.run)
      .catch((err: unknown) => log.error('handling an update failed', { update_id: id, error: describeError(err) }))
      .then(() => {
        if (lanes.get(work.lane) === tail) lanes.delete(work.lane);
        ledger.finish(id);
        options.onHandled?.(ledger.next! - 1, ledger.handledAbove());
      });
    lanes.set(work.lane, tail);
  };
  let [failures, conflicts] = [0, 0];
  while (!signal.aborted) {
    if (lanes.size > 0) await settle(settleMs, signal);
    const hung = AbortSignal.timeout(timeoutS * 1000 + watchdogGraceMs); // the watchdog
    let updates: Update[];
    try {
      const params = { offset: ledger.next, timeout: timeoutS, allowed_updates: ALLOWED_UPDATES };
      updates = await api.getUpdates(params, AbortSignal.any([signal, hung]));
    } catch (err) {
      if (signal.aborted) break;
      const apiError = err instanceof TelegramApiError ? err : undefined;
      if (apiError?.errorCode === 401) {
        log.error('Telegram rejected the bot token (401 Unauthorized): check TELEGRAM_BOT_TOKEN');
        return 'unauthorized';
      }
      failures++;
      const waitMs = apiError?.retryAfter !== undefined ? apiError.retryAfter * 1000 : backoffMs(failures - 1);
      if (apiError?.errorCode === 409) {
        conflicts++;
        log.error('another process is polling this bot token (409 Conflict): stop the other ccbot or bot using it',
          { attempt: conflicts });
        if (conflicts >= MAX_CONFLICTS) return 'conflict';
      } else {
        if (hung.aborted) log.warn('getUpdates hung past its timeout; restarting the poll', { timeout_s: timeoutS });
        log.warn('getUpdates failed; retrying', { error: describeError(err), wait_ms: waitMs });
      }
      if (!(await sleep(waitMs, signal).then(() => true, () => false))) break;
      continue;
    }
    failures = conflicts = 0;
    for (const update of updates) if (ledger.isNew(update.update_id)) start(update);
    ledger.advance(); // past updates skipped as handled, or Telegram would return them at once, again and again
  }
  await settle(drainMs);
  if (lanes.size > 0) log.warn('stopped with updates still being handled; a restart handles them again');
  // Confirm what was handled, so a restart does not see it again. Best effort: without it Telegram redelivers.
  if (ledger.next !== undefined) {
    await api.getUpdates({ offset: ledger.next, timeout: 0, limit: 1 }, AbortSignal.timeout(3_000)).catch(() => {});
  }
  return 'stopped';
}

/** Which updates are handled: every one below `next`, plus `above` (handled while a lower one ran, or before a
 * restart). `next` is the offset that confirms to Telegram only what is handled. */
class Ledger {
  readonly running = new Set<number>();
  private last: number | undefined; // the highest id Telegram returned

  constructor(public next: number | undefined, private readonly above: Set<number>) {}

  isNew(id: number): boolean {
    this.last = Math.max(id, this.last ?? id);
    return !(this.next !== undefined && id < this.next) && !this.above.has(id) && !this.running.has(id);
  }

  finish(id: number): void {
    this.running.delete(id);
    this.above.add(id);
    this.advance();
  }

  advance(): void {
    if (this.last === undefined) return;
    this.next = this.running.size > 0 ? Math.min(...this.running) : this.last + 1;
    for (const id of this.above) if (id < this.next) this.above.delete(id);
  }

  handledAbove(): number[] {
    return [...this.above].sort((a, b) => a - b);
  }
}
