/**
 * Wiring of the running daemon: start-up in order (lock → state → tmux → reconcile → Telegram) and shutdown in reverse.
 * Owns no logic of its own; each step lives in its file.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Api, type Update } from 'node-telegram-bot-api';
import { childEnv, type Config } from './config.js';
import { acquireSingletonLock, releaseOnExit } from './lock.js';
import { logger } from './log.js';
import { pollUpdates, type PollEnd } from './poller.js';
import { reconcile } from './recovery.js';
import { loadState, saveState } from './sessions.js';
import { ensureSession } from './tmux.js';

const log = logger('daemon');

export const LOCK_FILE = 'ccbot.lock';

/** Exit codes: 0 after a clean stop; 1 when polling cannot go on (another poller, a revoked token). */
const EXIT_FOR: Record<PollEnd, number> = { stopped: 0, conflict: 1, unauthorized: 1 };

/** Runs until SIGTERM/SIGINT or a fatal polling outcome; resolves with the process exit code. Throws on start-up failure. */
export async function runDaemon(config: Config): Promise<number> {
  mkdirSync(config.ccbotDir, { recursive: true, mode: 0o700 });
  const lock = acquireSingletonLock(join(config.ccbotDir, LOCK_FILE));
  const unregisterExit = releaseOnExit(lock);
  const stop = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    log.info('stopping', { signal });
    stop.abort();
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  try {
    const state = loadState(config.ccbotDir);
    const tmuxOptions = { env: childEnv(process.env) };
    const tmux = await ensureSession(config.tmuxSession, tmuxOptions);
    if (!tmux.ok) throw new Error(`cannot start the tmux session "${config.tmuxSession}": ${tmux.error}`);
    log.info('started', { tmux_session: config.tmuxSession, created: tmux.created, sessions: Object.keys(state.sessions).length });
    await reconcile(state, { ccbotDir: config.ccbotDir, tmuxSession: config.tmuxSession, tmux: tmuxOptions });

    // maxRetries 0: retries are decided by ccbot, which knows when a repeat would duplicate a visible message.
    const api = new Api(config.botToken, { apiRoot: config.telegramApiRoot, maxRetries: 0 });
    const allowed = new Set(config.allowedUsers);
    const handle = async (update: Update): Promise<void> => {
      const from = senderOf(update);
      if (from === undefined || !allowed.has(from)) {
        log.debug('ignored update from a stranger', { user_id: from, update_id: update.update_id });
        return;
      }
      log.info('update', { update_id: update.update_id, user_id: from });
    };
    const end = stop.signal.aborted ? 'stopped' : await pollUpdates(api, handle, stop.signal);
    saveState(config.ccbotDir, state);
    log.info('stopped', { reason: end });
    return EXIT_FOR[end];
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    unregisterExit();
    lock.release();
  }
}

/** The Telegram user behind an update, whatever its kind. */
export function senderOf(update: Update): number | undefined {
  const u = update as Record<string, unknown>;
  for (const key of ['message', 'edited_message', 'callback_query', 'channel_post', 'edited_channel_post', 'message_reaction', 'inline_query', 'chosen_inline_result', 'my_chat_member', 'chat_member', 'chat_join_request', 'business_message', 'edited_business_message', 'shipping_query', 'pre_checkout_query', 'poll_answer']) {
    const part = u[key] as { from?: { id?: number }; user?: { id?: number } } | undefined;
    if (part) return part.from?.id ?? part.user?.id;
  }
  return undefined;
}
