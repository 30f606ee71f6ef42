/** Starting sessions from the chat: `/new <path>`, and the directory browser (`/new` alone, or a text or file while
 * the person has no live session — it then goes to the session started from the browser). */
import {
  BrowserTokens, browserView, isDirectory, listDirectory, openChild, openParent, resolveUserPath, type Listing,
} from './browser.js';
import type { Accepted, Chat } from './chat.js';
import type { Delivery } from './delivery.js';
import { escapeHtml } from './format.js';
import type { Lang } from './i18n.js';
import type { Action } from './keyboards.js';
import type { Session, Sessions, StartRequest } from './sessions.js';
import type { Telegram } from './telegram.js';
import type { Held, Users } from './users.js';

interface BrowserScreenDeps {
  users: Pick<Users, 'lastDir' | 'setLastDir' | 'holdText' | 'heldTexts' | 'dropHeld' | 'rememberMessage'>;
  telegram: Telegram; chat: Chat; delivery: Pick<Delivery, 'enqueue'>; home: string;
  start: (request: StartRequest) => ReturnType<Sessions['start']>;
  receive: (who: Accepted, lang: Lang, session: Readonly<Session>, held: Held) => Promise<void>; // files-screen.ts's
}

export function createBrowserScreen(deps: BrowserScreenDeps) {
  const { telegram, users, chat } = deps;
  const browsers = new BrowserTokens();

  /** Starts a session in `workdir`; a message the person wrote before they had one goes to it once it is ready. */
  async function startIn(who: Accepted, lang: Lang, workdir: string): Promise<void> {
    const started = await deps.start({ workdir, userId: who.userId, chatId: who.chatId, key: who.updateId });
    if (!started.ok) return void (await chat.sayText(who, lang, 'error.generic', { error: started.error }));
    users.setLastDir(who.userId, workdir);
    const session = started.session;
    await chat.sayText(who, lang, 'session.started', { name: session.name, dir: workdir }, { session });
    // Each is let go only once queued (or its failure told): after a crash, the redelivered /new finds the rest.
    for (const waiting of users.heldTexts(who.userId)) {
      if (waiting.file) await deps.receive(who, lang, session, waiting);
      else {
        users.rememberMessage(who.userId, waiting.messageId, session.id);
        const { text, messageId, key } = waiting;
        deps.delivery.enqueue({ sessionId: session.id, chatId: who.chatId, userId: who.userId, text, messageId, key });
      }
      users.dropHeld(who.userId, waiting.messageId);
    }
  }

  async function showListing(who: Accepted, lang: Lang, listing: Listing, page: number, messageId?: number) {
    const view = browserView(listing, page, lang, browsers.put(who.userId, listing));
    await chat.sayInPlace(who, lang, messageId, escapeHtml(view.text), { keyboard: view.keyboard });
  }

  async function open(who: Accepted, lang: Lang): Promise<void> {
    const path = users.lastDir(who.userId) ?? deps.home;
    let listing = await listDirectory(path);
    if (!listing.ok && path !== deps.home) listing = await listDirectory(deps.home);
    if (!listing.ok) return void (await chat.sayText(who, lang, 'error.generic', { error: listing.error }));
    await showListing(who, lang, listing, 0);
  }

  return {
    open,
    async newSession(who: Accepted, lang: Lang, arg: string): Promise<void> {
      if (!arg) return open(who, lang);
      const workdir = resolveUserPath(arg, deps.home);
      const isDir = await isDirectory(workdir);
      if (isDir === null) return void (await chat.sayText(who, lang, 'new.missing', { dir: workdir }));
      if (!isDir) return void (await chat.sayText(who, lang, 'new.notDir', { dir: workdir }));
      await startIn(who, lang, workdir);
    },

    /** A text or file with no live session to take it: kept, and the browser opened (once per album). */
    async hold(who: Accepted, lang: Lang, held: Held): Promise<void> {
      const again = held.group !== undefined && users.heldTexts(who.userId).some((h) => h.group === held.group);
      users.holdText(who.userId, held);
      if (!again) await open(who, lang);
    },

    async onButton(who: Accepted, lang: Lang, action: Extract<Action, { token: string }>, messageId?: number) {
      const listing = browsers.get(who.userId, action.token);
      if (!listing) return open(who, lang); // an old browser message: start over
      if (action.t === 'browseStart') {
        if (messageId !== undefined) await telegram.stripKeyboard(who.chatId, messageId);
        return startIn(who, lang, listing.path);
      }
      if (action.t === 'browsePage') return showListing(who, lang, listing, action.page, messageId);
      const next = action.t === 'browse' ? await openChild(listing, action.index) : await openParent(listing);
      if (!next.ok) return void (await chat.sayText(who, lang, 'error.generic', { error: next.error }));
      return showListing(who, lang, next, 0, messageId);
    },
  };
}
