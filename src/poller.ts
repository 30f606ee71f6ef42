/** Long polling of getUpdates: capped backoff on failures, offsets confirmed only after an update was handled,
 * a watchdog for hung polls, and a clear stop on 409 Conflict. It handles no update itself. */
import { TelegramApiError, type Api, type Update } from 'node-telegram-bot-api';
import { setTimeout as delay } from 'node:timers/promises';
import { logger } from './log.js';
import { backoffMs } from './pacer.js';
import { describeError } from './telegram-failure.js';

const log = logger('poll');

/** Consecutive 409s before we give up: another process is polling this token. */
const MAX_CONFLICTS = 3;

export type PollEnd = 'stopped' | 'conflict' | 'unauthorized';

interface PollOptions {
  /** The long poll's timeout (default 25 s), and how much longer it may take before it is called hung (15 s). */
  timeoutS?: number;
  watchdogGraceMs?: number;
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** The first update id not yet handled, as remembered across restarts (see onHandled). */
  offset?: number;
  /** Called after each update was handled. Telegram learns of it only at the next getUpdates, so a daemon killed in
   * between would see the update again; persisting this id (and passing it back as `offset`) closes that gap. */
  onHandled?: (updateId: number) => void;
}

/** Polls until `signal` aborts (→ 'stopped') or polling cannot go on ('conflict', 'unauthorized').
 * `handle` is awaited for each update in order; the next getUpdates confirms it. A handler that throws is
 * logged and the update is still confirmed: handling it again would repeat whatever half of it already ran. */
export async function pollUpdates(
  api: Pick<Api, 'getUpdates'>, handle: (u: Update) => Promise<void>, signal: AbortSignal, options: PollOptions = {},
): Promise<PollEnd> {
  const { timeoutS = 25, watchdogGraceMs = 15_000 } = options;
  const sleep = options.sleep ?? ((ms: number, signal: AbortSignal) => delay(ms, undefined, { signal }));
  let offset = options.offset;
  let failures = 0;
  let conflicts = 0;
  while (!signal.aborted) {
    const hung = AbortSignal.timeout(timeoutS * 1000 + watchdogGraceMs); // the watchdog
    let updates: Update[];
    try {
      updates = await api.getUpdates({ offset, timeout: timeoutS }, AbortSignal.any([signal, hung]));
    } catch (err) {
      if (signal.aborted) return 'stopped';
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
      const slept = await sleep(waitMs, signal).then(() => true, () => false);
      if (!slept) return 'stopped';
      continue;
    }
    failures = conflicts = 0;
    for (const update of updates) {
      if (offset !== undefined && update.update_id < offset) continue; // handled before a restart
      try {
        await handle(update);
      } catch (err) {
        log.error('handling an update failed', { update_id: update.update_id, error: describeError(err) });
      }
      offset = update.update_id + 1;
      options.onHandled?.(update.update_id);
      if (signal.aborted) break;
    }
  }
  // Confirm what was handled, so a restart does not see it again. Best effort: without it Telegram redelivers.
  if (offset !== undefined) {
    await api.getUpdates({ offset, timeout: 0, limit: 1 }, AbortSignal.timeout(3_000)).catch(() => undefined);
  }
  return 'stopped';
}
