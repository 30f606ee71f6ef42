/**
 * The person's settings: idle sweep hours, which background notices they get, and a language override. Stored in
 * state.users[id].settings; anything missing or malformed there reads as the default. Pure.
 */
import { langFromCode, type Lang } from './i18n.js';
import { IDLE_HOURS_CHOICES } from './keyboards.js';
import type { UserState } from './sessions.js';

export type NoticeKind = 'done' | 'error' | 'input';
export const NOTICE_KINDS: readonly NoticeKind[] = ['done', 'error', 'input'];

export interface Settings {
  /** Hours without input from the person after which a session is archived; the config's CCBOT_IDLE_HOURS by default. */
  idleHours: number;
  notify: Record<NoticeKind, boolean>;
  /** 'auto' follows the language of the person's Telegram app. */
  lang: Lang | 'auto';
}

const LANGS: readonly string[] = ['en', 'ru', 'zh'];

export function userSettings(user: UserState | undefined, defaultIdleHours: number): Settings {
  const raw = (user?.settings ?? {}) as Record<string, unknown>;
  const notifyRaw = (typeof raw.notify === 'object' && raw.notify !== null ? raw.notify : {}) as Record<string, unknown>;
  const notify = Object.fromEntries(NOTICE_KINDS.map((k) => [k, notifyRaw[k] !== false])) as Record<NoticeKind, boolean>;
  const idle = raw.idleHours;
  return {
    idleHours: typeof idle === 'number' && IDLE_HOURS_CHOICES.includes(idle) ? idle : defaultIdleHours,
    notify,
    lang: typeof raw.lang === 'string' && LANGS.includes(raw.lang) ? (raw.lang as Lang) : 'auto',
  };
}

/**
 * The settings after one button press, or null for a key or value no button of ours sends (callback data is
 * untrusted: an old or forged button must change nothing).
 */
export function applySetting(settings: Settings, key: string, value: string): Settings | null {
  if (key === 'idle') {
    const hours = Number(value);
    return IDLE_HOURS_CHOICES.includes(hours) && String(hours) === value ? { ...settings, idleHours: hours } : null;
  }
  if (key === 'lang') return value === 'auto' || LANGS.includes(value) ? { ...settings, lang: value as Lang | 'auto' } : null;
  const notice = /^notify\.(\w+)$/.exec(key)?.[1] as NoticeKind | undefined;
  if (notice && NOTICE_KINDS.includes(notice) && (value === 'on' || value === 'off')) {
    return { ...settings, notify: { ...settings.notify, [notice]: value === 'on' } };
  }
  return null;
}

/** The language to answer in: the override when set, else the Telegram app's. */
export function langFor(user: UserState | undefined, languageCode: string | undefined): Lang {
  const chosen = userSettings(user, 0).lang;
  return chosen === 'auto' ? langFromCode(languageCode) : chosen;
}
