/** The /settings screen: one message whose buttons change a setting and redraw it in place. */
import type { Accepted, Chat } from './chat.js';
import { escapeHtml } from './format.js';
import { t, type Lang } from './i18n.js';
import { settingsKeyboard } from './keyboards.js';
import { applySetting } from './settings.js';
import type { Telegram } from './telegram.js';
import type { Users } from './users.js';

export interface SettingsScreenDeps {
  telegram: Telegram;
  users: Pick<Users, 'settings' | 'setSettings' | 'seenLang'>;
  chat: Chat;
  defaultIdleHours: number;
}

export interface SettingsScreen {
  show(who: Accepted, lang: Lang): Promise<void>;
  /** A settings button; the message it was on is redrawn (in the new language, if that changed). */
  onButton(who: Accepted, key: string, value: string, messageId?: number): Promise<void>;
}

export function createSettingsScreen(deps: SettingsScreenDeps): SettingsScreen {
  const { telegram, users, chat } = deps;
  const view = (userId: number, lang: Lang) => ({
    html: escapeHtml(t(lang, 'settings.title')),
    keyboard: settingsKeyboard(users.settings(userId, deps.defaultIdleHours), lang),
  });

  const show = async (who: Accepted, lang: Lang) => {
    const { html, keyboard } = view(who.userId, lang);
    await chat.say(who, lang, html, { keyboard });
  };

  return {
    show,
    async onButton(who, key, value, messageId) {
      const next = applySetting(users.settings(who.userId, deps.defaultIdleHours), key, value);
      if (next) users.setSettings(who.userId, next);
      const lang = users.seenLang(who.userId, who.languageCode);
      const { html, keyboard: replyMarkup } = view(who.userId, lang);
      const edited = messageId !== undefined && (await telegram.edit(who.chatId, messageId, html, { replyMarkup }));
      if (edited && edited.ok) return;
      await show(who, lang);
    },
  };
}
