/** The person's settings: idle sweep hours, which background notices they get, a language override and the
 * permission mode of their new sessions. What state.json keeps of them (users.ts stores it) and the defaults for the
 * rest. Pure. */
import { isLang, type Lang } from './i18n.js';
import { IDLE_HOURS_CHOICES } from './keyboards.js';
import { isMode, type Mode } from './modes.js';
import { isObject } from './values.cjs';

export type NoticeKind = 'done' | 'error' | 'input';
const NOTICE_KINDS: readonly NoticeKind[] = ['done', 'error', 'input'];

export interface Settings {
  /** Hours without input from the person after which a session is archived; CCBOT_IDLE_HOURS by default. */
  idleHours: number;
  notify: Record<NoticeKind, boolean>;
  /** 'auto' follows the language of the person's Telegram app. */
  lang: Lang | 'auto';
  /** The permission mode their new sessions (and Restores) start in; absent: CLAUDE_FLAGS as the operator set it. */
  mode?: Mode;
  /** New sessions named by a one-shot `claude -p` when Claude Code gives no title (naming.ts): it spends tokens. */
  autoName: boolean;
}

/** The well-formed part of what state.json holds (an old version, a hand edit); the rest reads as the default. */
export function storedSettings(raw: unknown): Partial<Settings> | undefined {
  if (!isObject(raw)) return undefined;
  const { idleHours, notify, lang, mode, autoName } = raw;
  const flags = isObject(notify) ? notify : {};
  return { ...(typeof idleHours === 'number' && IDLE_HOURS_CHOICES.includes(idleHours) ? { idleHours } : {}),
    notify: { done: flags.done !== false, error: flags.error !== false, input: flags.input !== false },
    ...(lang === 'auto' || isLang(lang) ? { lang } : {}), ...(isMode(mode) ? { mode } : {}),
    ...(typeof autoName === 'boolean' ? { autoName } : {}) };
}

export function userSettings(stored: Partial<Settings> | undefined, defaultIdleHours: number): Settings {
  return { idleHours: defaultIdleHours, notify: { done: true, error: true, input: true }, lang: 'auto', autoName: false,
    ...stored };
}

/** The settings after one button press, or null for a key or value no button of ours sends (callback data is
 * untrusted: an old or forged button must change nothing). */
export function applySetting(settings: Settings, key: string, value: string): Settings | null {
  if (key === 'idle') {
    const hours = Number(value);
    return IDLE_HOURS_CHOICES.includes(hours) && String(hours) === value ? { ...settings, idleHours: hours } : null;
  }
  if (key === 'lang') return value === 'auto' || isLang(value) ? { ...settings, lang: value } : null;
  if (key === 'mode') return isMode(value) ? { ...settings, mode: value } : null;
  if (key === 'autoName') return value === 'on' || value === 'off' ? { ...settings, autoName: value === 'on' } : null;
  const notice = NOTICE_KINDS.find((kind) => key === `notify.${kind}`);
  if (!notice || (value !== 'on' && value !== 'off')) return null;
  return { ...settings, notify: { ...settings.notify, [notice]: value === 'on' } };
}
