/** The /settings screen: one message whose buttons change a setting and redraw it in place. */
import type { Accepted, Chat } from './chat.js';
import { escapeHtml } from './format.js';
import { t, type Lang } from './i18n.js';
import { settingsKeyboard } from './keyboards.js';
import type { State } from './sessions.js';
import { applySetting, langFor, userSettings } from './settings.js';
import type { Telegram } from './telegram.js';

export interface SettingsScreenDeps {
  telegram: Telegram;
  state: State;
  chat: Chat;
  save: () => void;
  defaultIdleHours: number;
}

export interface SettingsScreen {
  show(who: Accepted, lang: Lang): Promise<void>;
  /** A settings button; the message it was on is redrawn (in the new language, if that changed). */
  onButton(who: Accepted, key: string, value: string, messageId?: number): Promise<void>;
}

export function createSettingsScreen(deps: SettingsScreenDeps): SettingsScreen {
  const { state, chat } = deps;
  const view = (userId: number, lang: Lang) => ({
    html: escapeHtml(t(lang, 'settings.title')),
    keyboard: settingsKeyboard(userSettings(state.users[String(userId)], deps.defaultIdleHours), lang),
  });

  const show = async (who: Accepted, lang: Lang) => {
    const { html, keyboard } = view(who.userId, lang);
    await chat.say(who, lang, html, { keyboard });
  };

  return {
    show,
    async onButton(who, key, value, messageId) {
      const user = (state.users[String(who.userId)] ??= { activeSessionId: null });
      const next = applySetting(userSettings(user, deps.defaultIdleHours), key, value);
      if (next) {
        user.settings = next;
        deps.save();
      }
      const lang = langFor(user, who.languageCode);
      const { html, keyboard } = view(who.userId, lang);
      if (messageId !== undefined && (await deps.telegram.edit(who.chatId, messageId, html, { replyMarkup: keyboard })).ok) return;
      await show(who, lang);
    },
  };
}
