/** /mode: the session's permission mode as its pane's footer shows it, a button for each other mode Shift+Tab reaches.
 * A tap presses BTab, reading the footer, until that mode shows: no more presses than modes, none over a dialog. */
import { setTimeout as delay } from 'node:timers/promises';
import type { Accepted, Chat } from './chat.js';
import { escapeHtml } from './format.js';
import { t, type Lang } from './i18n.js';
import { modeKeyboard } from './keyboards.js';
import { cycleOf, isMode, MODE_LABELS, MODES, modeOnPane, type Mode } from './modes.js';
import type { Session, Sessions } from './sessions.js';
import { readPane } from './terminal.js';
import type { Key } from './tmux.js';

const SETTLE_MS = 2_000; // how long one press may take to show in the footer (a loaded machine, a busy Claude)
/** A Claude still starting (/mode right after /new) draws its input box within seconds: worth a wait. */
const START_MS = 15_000;
const STEP_MS = 60;

interface ModeScreenDeps {
  chat: Pick<Chat, 'sayInPlace' | 'sessionOf'>; sessions: Pick<Sessions, 'setMode'>;
  sleep?: (ms: number) => Promise<void>;
  capture: (windowId: string) => Promise<string | null>; press: (windowId: string, keys: Key[]) => Promise<unknown>;
}

/** What the pane says: a mode, or why there is none to read (the i18n key that says so). */
type Reading = Mode | 'screenshot.gone' | 'mode.dialog' | 'mode.unreadable';

export function createModeScreen(deps: ModeScreenDeps) {
  const { chat, sessions } = deps;
  const sleep = deps.sleep ?? delay;

  async function read(windowId: string): Promise<Reading> {
    for (let waited = 0; ; waited += STEP_MS) {
      const pane = await deps.capture(windowId);
      if (pane === null) return 'screenshot.gone';
      // Only the input box (idle, or Claude at work) has the mode line under it; a menu or dialog replaces it.
      const { kind } = readPane(pane);
      if (kind === 'idle' || kind === 'busy') return modeOnPane(pane) ?? 'mode.unreadable';
      if (kind !== 'starting' || waited >= START_MS) return 'mode.dialog';
      await sleep(STEP_MS);
    }
  }

  /** The screen for what the pane shows now, with `note` (a mode that could not be reached) above it. */
  async function post(who: Accepted, lang: Lang, session: Session, now: Reading, note = '', messageId?: number) {
    const vars = { name: session.name, mode: isMode(now) ? MODE_LABELS[now] : '' };
    if (!isMode(now)) return void (await chat.sayInPlace(who, lang, messageId, escapeHtml(t(lang, now, vars))));
    sessions.setMode(session.id, now);
    // A Claude in bypass was started allowing it; an older record does not say, and a try says clearly if not.
    const others = cycleOf(now === 'bypass' || session.allowsBypass !== false).filter((m) => m !== now);
    const html = escapeHtml([note, t(lang, 'mode.current', vars)].filter(Boolean).join('\n\n'));
    await chat.sayInPlace(who, lang, messageId, html, { keyboard: modeKeyboard(session.id, others), session });
  }

  return {
    async show(who: Accepted, lang: Lang): Promise<void> {
      const session = await chat.sessionOf(who, lang, undefined, true);
      if (session) await post(who, lang, session, await read(session.windowId!));
    },

    /** A mode button: BTab until `wanted` shows, it comes round again (not in this session's cycle), or the pane
     * stops showing a mode; the same message then says where it ended. */
    async onButton(who: Accepted, lang: Lang, id: string, wanted: string, messageId?: number): Promise<void> {
      const session = await chat.sessionOf(who, lang, id, true);
      if (!session || !isMode(wanted)) return; // a forged or stale button changes nothing
      const windowId = session.windowId!;
      let now = await read(windowId);
      const seen = new Set([now]);
      for (let presses = 0; presses < MODES.length && isMode(now) && now !== wanted; presses++) {
        const before = now;
        await deps.press(windowId, ['BTab']);
        for (let waited = 0; now === before && waited < SETTLE_MS; waited += STEP_MS) {
          await sleep(STEP_MS);
          now = await read(windowId);
        }
        if (seen.has(now) && now !== before) break; // round the cycle: `wanted` is not in it
        seen.add(now);
      }
      const note = isMode(now) && now !== wanted ? t(lang, 'mode.unreachable', { mode: MODE_LABELS[wanted] }) : '';
      await post(who, lang, session, now, note, messageId);
    },
  };
}
