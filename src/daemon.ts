/** Wiring of the running daemon: builds the parts in data-flow order (state, tmux, the way in, the way back, the
 * sweep) and stops them in reverse. It decides nothing: every decision lives in the file of its concern. */
import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { Sweeper } from './archive.js';
import { createChat, hostPrefix } from './chat.js';
import { claudeSystemPrompt, writeClaudeSettings } from './claude-settings.js';
import { childEnv, type Config } from './config.cjs';
import { Delivery } from './delivery.js';
import { listDesk } from './desk.js';
import { downloader } from './download.js';
import { execRun } from './exec.js';
import { gateUpdate } from './gate.js';
import { httpApi } from './http-api.js';
import { TurnChanges } from './git-changes.js';
import { Approvals } from './approvals.js';
import { acquireSingletonLock, LOCK_FILE, releaseOnExit } from './lock.cjs';
import { logger } from './log.cjs';
import { modeOfFlags } from './modes.js';
import { createNaming } from './naming.js';
import { Monitor } from './monitor.js';
import { LiveOutput } from './output.js';
import { pollUpdates, type Dispatch, type PollEnd } from './poller.js';
import { findClaudeProcesses, killOrphanClaudeProcesses, runningClaudeIds } from './procs.js';
import { reconcile } from './recovery.js';
import { createRouter } from './router.js';
import { createRedactor } from './redact.js';
import { readSessionMap, recordWindow } from './session-map.cjs';
import type { ArchiveReason } from './sessions.js';
import { Spool, SPOOL_DIR } from './spool.js';
import { loadState, saveState, StateStore } from './state.js';
import { Telegram } from './telegram.js';
import { capturePane, ensureSession, killWindow, listWindows, newWindow, sendKeys, sendText } from './tmux.js';
import type { Key } from './tmux.js';
import { findTranscript } from './transcript-reader.js';
import { createVoiceScreen } from './voice-screen.js';

const log = logger('daemon');

/** Exit codes: 0 after a clean stop; 1 when polling cannot go on (another poller, a revoked token). */
const EXIT_FOR: Record<PollEnd, number> = { stopped: 0, conflict: 1, unauthorized: 1 };

/** Runs until SIGTERM/SIGINT or a fatal polling outcome; resolves with the exit code. Throws on start-up failure. */
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
    return await serve(config, stop.signal);
  } finally {
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
    unregisterExit();
    lock.release();
  }
}

/** The parts, built in data-flow order and stopped in reverse once polling ends. */
async function serve(config: Config, stop: AbortSignal): Promise<number> {
  const state = new StateStore(loadState(config.ccbotDir), (saved) => saveState(config.ccbotDir, saved));
  const { sessions, users } = state;
  const { ccbotDir, tmuxSession } = config;
  // tmux: one server for every window; children never see the bot token (childEnv).
  const tmux = { env: childEnv(process.env) };
  const started = await ensureSession(tmuxSession, tmux);
  if (!started.ok) throw new Error(`cannot start the tmux session "${tmuxSession}": ${started.error}`);
  log.info('started', { tmux_session: tmuxSession, created: started.created, sessions: sessions.all().length });
  await reconcile(sessions, { ccbotDir, tmuxSession, tmux });
  state.flush(); // state.json as reconciled, before anything else happens
  const windows = {
    capture: (id: string, colour?: boolean) => capturePane(id, tmux, colour),
    type: (id: string, text: string) => sendText(id, text, tmux),
    press: (id: string, keys: Key[]) => sendKeys(id, keys, tmux),
    windowIds: async () => {
      const listed = await listWindows(tmuxSession, tmux);
      return listed && new Set(listed.map((w) => w.id));
    },
    readMap: () => readSessionMap(ccbotDir),
  };
  // What starting and ending a Claude needs; never the whole config, which holds the bot token.
  const claude = {
    ccbotDir, tmuxSession, claudeCommand: config.claudeCommand, claudeFlags: config.claudeFlags,
    claudeSettings: writeClaudeSettings(ccbotDir, undefined, {
      tripwire: config.tripwire, timeoutMs: config.tripwireTimeoutMs }), systemPrompt: claudeSystemPrompt(),
    openWindow: async (spec: Parameters<typeof newWindow>[1]) => {
      recordWindow(ccbotDir, spec.tag); // a resumed session's old window must not answer for the new one
      const made = await newWindow(tmuxSession, spec, tmux);
      const where = made.ok ? { sessionName: tmuxSession, windowId: made.windowId, windowName: spec.name } : undefined;
      recordWindow(ccbotDir, spec.tag, where);
      return made;
    },
    killWindow: (id: string) => killWindow(id, tmux),
    killOrphans: (claudeId: string) => killOrphanClaudeProcesses(claudeId),
  };
  const archive = (id: string, reason: ArchiveReason) => sessions.archive(id, reason, claude);

  // maxRetries 0: retries are decided by ccbot, which knows when a repeat would duplicate a visible message.
  const api = httpApi(config.botToken, config.telegramApiRoot);
  // Secrets are masked on the way out; $CCBOT_DIR/.env may hold more than the token.
  const mask = createRedactor({ enabled: config.redact, env: process.env, botToken: config.botToken,
    folders: () => [ccbotDir, ...sessions.live().map((s) => s.workdir)] });
  const telegram = new Telegram(api, { stop, mask }); // on stop, requests under way are aborted (after a short grace)
  // The command menu goes to the allowed people's chats only. Telegram refuses a chat it does not know yet (the person
  // never wrote to the bot): that one gets it with the person's next update. Cosmetic, so it never delays the poll.
  const menuless = new Set<number>();
  const publishMenu = async (chatId: number) => {
    if (!(await telegram.setCommands(chatId))) menuless.add(chatId);
  };
  void telegram.clearDefaultCommands().then(() => Promise.all(config.allowedUsers.map(publishMenu)));

  // The way in: the person's messages into windows, each turn's git tree taken first (ccbot's own object directory).
  const changes = new TurnChanges({ objects: join(ccbotDir, 'git-objects'), env: tmux.env, run: execRun });
  const delivery = new Delivery({ ...windows, outbox: state.outbox, sessions, users, telegram, tmuxSession,
    beforePrompt: (session) => changes.beforePrompt(session) });
  // The way back: transcripts → the chat.
  const chat = createChat({ telegram, sessions, users, badge: (id) => output.badge(id), hostLabel: config.hostLabel });
  const output = new LiveOutput({
    ...windows, users, telegram, switcher: chat.switcher, save: () => monitor.save(),
    settingsOf: (userId) => users.settings(userId, config.idleHours), langOf: (userId) => users.lang(userId),
    stallMs: config.stallMinutes * 60_000, hostPrefix: hostPrefix(config.hostLabel), changes,
  });
  // Titles for sessions: a `claude -p` gets the windows' environment, never the token.
  const naming = createNaming({ sessions, claudeCommand: config.claudeCommand, env: tmux.env,
    autoName: (userId) => users.settings(userId, config.idleHours).autoName });
  const monitor = new Monitor({
    ...windows, ccbotDir, tmuxSession, claudeConfigDir: config.claudeConfigDir, sessions, output,
    pollMs: config.monitorPollIntervalMs, onEvents: naming,
  });
  const sweeper = new Sweeper({
    ...windows, sessions, users, telegram, archive, defaultIdleHours: config.idleHours,
    purgeAfterMs: config.archivePurgeAfterMs, isMidTurn: (session) => monitor.isMidTurn(session),
    sessionMap: { ccbotDir, tmuxSession }, inboxTtlMs: config.inboxTtlMs,
  });
  // The file URL holds the token: built here, used by download.ts only, never logged.
  const download = downloader(api, (path) => `${config.telegramApiRoot}/file/bot${config.botToken}/${path}`);
  const route = createRouter({
    ...windows, telegram, sessions, users, chat, delivery, archive, home: homedir(),
    start: (request) => sessions.start(request, claude),
    findProcesses: (claudeId) => findClaudeProcesses(claudeId),
    killProcesses: (claudeId) => killOrphanClaudeProcesses(claudeId),
    defaultIdleHours: config.idleHours, defaultMode: modeOfFlags(config.claudeFlags),
    transcriptOf: (session) => findTranscript(session, readSessionMap(ccbotDir), config),
    desk: async () => listDesk(config.claudeConfigDir,
      { sessions: sessions.all(), map: readSessionMap(ccbotDir), tmuxSession, running: await runningClaudeIds() }),
    menuOf: (id) => output.menuOf(id), mask, patch: (id, turn) => changes.patch(id, turn),
    trip: (who, lang, id, allow, messageId) => approvals.answer(who, lang, id, allow, messageId),
    download, onVoice: createVoiceScreen({ telegram, delivery, download, whisper: config.whisper, env: tmux.env }),
  });
  const allowed = new Set(config.allowedUsers);
  // Files Claude hands over with `ccbot send-file`: the window has no token, so the daemon sends them.
  const spool = new Spool({
    dir: join(ccbotDir, SPOOL_DIR), allowed, sessionOf: (id) => sessions.get(id),
    sendFile: (chatId, path, options) => telegram.sendFile(chatId, path, options),
  });
  // The tripwire: the hook in the window has no token, so the daemon asks the person.
  const approvals = new Approvals({
    ccbotDir, allowed, timeoutMs: config.tripwireTimeoutMs, sessionOf: (id) => sessions.get(id),
    langOf: (userId) => users.lang(userId), telegram,
  });
  const dispatch: Dispatch = (update) => {
    // The gate comes first: a stranger's update ends here, before any API call or state write (strangers get silence).
    const who = gateUpdate(update, allowed);
    if (who.kind === 'drop') {
      log.debug('dropped update', { reason: who.reason, user_id: who.userId, update_id: update.update_id });
      return undefined;
    }
    if (menuless.delete(who.chatId)) void publishMenu(who.chatId);
    return { lane: who.chatId, run: () => route(update, who) };
  };

  delivery.start();
  monitor.start();
  sweeper.start();
  spool.start();
  approvals.start();
  const end = stop.aborted
    ? 'stopped'
    : await pollUpdates(api, dispatch, stop, {
        offset: state.lastUpdateId === undefined ? undefined : state.lastUpdateId + 1,
        handled: state.handledUpdateIds,
        onHandled: (lastUpdateId, handledAbove) => state.recordHandled(lastUpdateId, handledAbove),
      });
  // Each waits for its step under way; any Bot API call in it ends at Telegram's halt, shortly after the stop.
  await delivery.stop();
  await spool.stop();
  await approvals.stop();
  sweeper.stop();
  await monitor.stop();
  await output.flush();
  monitor.save();
  state.flush();
  log.info('stopped', { reason: end });
  return EXIT_FOR[end];
}
