/** The /settings screen: one message whose buttons change a setting and redraw it in place. */
import type { Accepted, Chat } from './chat.js';
import { escapeHtml } from './format.js';
import { t, type Lang } from './i18n.js';
import { settingsKeyboard } from './keyboards.js';
import type { Mode } from './modes.js';
import { applySetting } from './settings.js';
import type { Users } from './users.js';

interface SettingsScreenDeps {
  users: Pick<Users, 'settings' | 'setSettings' | 'seenLang'>; chat: Chat; defaultIdleHours: number;
  defaultMode?: Mode; // what CLAUDE_FLAGS start Claude in: ✓ while the person chose no mode of their own
}

export function createSettingsScreen(deps: SettingsScreenDeps) {
  const { users, chat } = deps;

  /** The screen as a new message, or `messageId` redrawn when that works. */
  async function show(who: Accepted, lang: Lang, messageId?: number): Promise<void> {
    const keyboard = settingsKeyboard(users.settings(who.userId, deps.defaultIdleHours), lang, deps.defaultMode);
    await chat.sayInPlace(who, lang, messageId, escapeHtml(t(lang, 'settings.title')), { keyboard });
  }

  return {
    show,

    /** A settings button; the message it was on is redrawn (in the new language, if that changed). */
    async onButton(who: Accepted, key: string, value: string, messageId?: number): Promise<void> {
      const next = applySetting(users.settings(who.userId, deps.defaultIdleHours), key, value);
      if (next) users.setSettings(who.userId, next);
      await show(who, users.seenLang(who.userId, who.languageCode), messageId);
    },
  };
}
