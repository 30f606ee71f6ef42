/**
 * Wiring of the running daemon: start-up in order (lock → state → tmux → reconcile → Telegram → monitor) and shutdown
 * in reverse.
 * Owns no logic of its own; each step lives in its file.
 */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Api, type Update } from 'node-telegram-bot-api';
import { writeClaudeSettings } from './claude-settings.js';
import { childEnv, type Config } from './config.js';
import { Delivery } from './delivery.js';
import { gateUpdate } from './gate.js';
import { acquireSingletonLock, releaseOnExit } from './lock.js';
import { logger } from './log.js';
import { pollUpdates, type PollEnd } from './poller.js';
import { reconcile } from './recovery.js';
import { findClaudeProcesses, killOrphanClaudeProcesses } from './procs.js';
import { createRouter } from './router.js';
import { readSessionMap } from './session-map.js';
import { Sweeper } from './archive.js';
import { createChat } from './chat.js';
import { Monitor } from './monitor.js';
import { LiveOutput } from './output.js';
import type { ArchiveReason } from './sessions.js';
import { loadState, saveState, StateStore } from './state.js';
import { Telegram } from './telegram.js';
import { findTranscript } from './transcript-reader.js';
import { capturePane, ensureSession, killWindow, listWindows, newWindow, sendKeys, sendText } from './tmux.js';

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
    const state = new StateStore(loadState(config.ccbotDir), (saved) => saveState(config.ccbotDir, saved));
    const { sessions, users } = state;
    const tmuxOptions = { env: childEnv(process.env) };
    const tmux = await ensureSession(config.tmuxSession, tmuxOptions);
    if (!tmux.ok) throw new Error(`cannot start the tmux session "${config.tmuxSession}": ${tmux.error}`);
    log.info('started', { tmux_session: config.tmuxSession, created: tmux.created, sessions: sessions.all().length });
    const claudeSettings = writeClaudeSettings(config.ccbotDir);
    await reconcile(sessions, { ccbotDir: config.ccbotDir, tmuxSession: config.tmuxSession, tmux: tmuxOptions });
    state.flush(); // state.json as reconciled, before anything else happens

    // maxRetries 0: retries are decided by ccbot, which knows when a repeat would duplicate a visible message.
    const api = new Api(config.botToken, { apiRoot: config.telegramApiRoot, maxRetries: 0 });
    const telegram = new Telegram(api);
    void telegram.setCommands(); // cosmetic; logged on failure, and must not delay the first poll
    /** The windows tmux has now; null when it could not tell. */
    const windowIds = async () => {
      const windows = await listWindows(config.tmuxSession, tmuxOptions);
      return windows && new Set(windows.map((w) => w.id));
    };
    const delivery = new Delivery({
      outbox: state.outbox,
      sessions,
      users,
      telegram,
      tmuxSession: config.tmuxSession,
      capture: (windowId) => capturePane(windowId, tmuxOptions),
      windowIds,
      type: (windowId, text) => sendText(windowId, text, tmuxOptions),
      press: (windowId, keys) => sendKeys(windowId, keys, tmuxOptions),
      readMap: () => readSessionMap(config.ccbotDir),
    });
    delivery.start();
    const archive = (id: string, reason: ArchiveReason) =>
      sessions.archive(id, reason, {
        ccbotDir: config.ccbotDir,
        tmuxSession: config.tmuxSession,
        killWindow: (windowId) => killWindow(windowId, tmuxOptions),
        killOrphans: (claudeId) => killOrphanClaudeProcesses(claudeId),
      });
    const chat = createChat({ telegram, sessions, users, badge: (id) => output.badge(id) });
    const output = new LiveOutput({
      users,
      telegram,
      capture: (windowId) => capturePane(windowId, tmuxOptions),
      settingsOf: (userId) => users.settings(userId, config.idleHours),
      langOf: (userId) => users.lang(userId),
      save: () => monitor.save(),
      switcher: (userId, lang) => chat.switcher(userId, lang),
      stallMs: config.stallMinutes * 60_000,
    });
    const monitor = new Monitor({
      ccbotDir: config.ccbotDir,
      tmuxSession: config.tmuxSession,
      claudeConfigDir: config.claudeConfigDir,
      sessions,
      readMap: () => readSessionMap(config.ccbotDir),
      output,
      pollMs: config.monitorPollIntervalMs,
    });
    monitor.start();
    const sweeper = new Sweeper({
      sessions,
      users,
      telegram,
      defaultIdleHours: config.idleHours,
      purgeAfterMs: config.archivePurgeAfterMs,
      isMidTurn: (session) => monitor.isMidTurn(session),
      archive,
      windowIds,
    });
    sweeper.start();
    const route = createRouter({
      telegram,
      sessions,
      users,
      delivery,
      home: homedir(),
      start: (request) =>
        sessions.start(request, {
          ccbotDir: config.ccbotDir,
          tmuxSession: config.tmuxSession,
          claudeCommand: config.claudeCommand,
          claudeFlags: config.claudeFlags,
          claudeSettings,
          openWindow: (spec) => newWindow(config.tmuxSession, spec, tmuxOptions),
        }),
      archive,
      press: (windowId, keys) => sendKeys(windowId, keys, tmuxOptions),
      capture: (windowId) => capturePane(windowId, tmuxOptions),
      findProcesses: (claudeId) => findClaudeProcesses(claudeId),
      killProcesses: (claudeId) => killOrphanClaudeProcesses(claudeId),
      defaultIdleHours: config.idleHours,
      chat,
      transcriptOf: (session) => findTranscript(session, readSessionMap(config.ccbotDir), config),
      type: (windowId, text) => sendText(windowId, text, tmuxOptions),
      menuOf: (id) => output.menuOf(id),
    });
    const allowed = new Set(config.allowedUsers);
    const handle = async (update: Update): Promise<void> => {
      // The gate comes first: a stranger's update ends here, before any API call (strangers get silence).
      const who = gateUpdate(update, allowed);
      if (who.kind === 'drop') {
        log.debug('dropped update', { reason: who.reason, user_id: who.userId, update_id: update.update_id });
        return;
      }
      await route(update, who);
    };
    const end = stop.signal.aborted
      ? 'stopped'
      : await pollUpdates(api, handle, stop.signal, {
          offset: state.lastUpdateId === undefined ? undefined : state.lastUpdateId + 1,
          onHandled: (updateId) => state.setLastUpdateId(updateId),
        });
    delivery.stop();
    sweeper.stop();
    monitor.stop();
    await output.flush();
    monitor.save();
    state.flush();
    log.info('stopped', { reason: end });
    return EXIT_FOR[end];
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    unregisterExit();
    lock.release();
  }
}
