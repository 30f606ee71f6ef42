/**
 * Every user-facing string, in English (the source of truth), Russian and Chinese, through t(). Pure: no I/O.
 * The strings are PLAIN TEXT: a caller that sends them as Telegram HTML escapes them (and the vars) first.
 */

export type Lang = 'en' | 'ru' | 'zh';
export const LANGS: readonly Lang[] = ['en', 'ru', 'zh'];

export const en = {
  'cmd.menu': 'Session menu',
  'cmd.help': 'How to use ccbot',
  'cmd.new': 'Start a session: /new <path>',
  'cmd.list': 'Sessions; switch between them',
  'cmd.history': 'Recent messages of the session',
  'cmd.screenshot': 'The terminal of the session',
  'cmd.stop': 'Interrupt Claude (like Esc)',
  'cmd.kill': 'Kill the session and its window',
  'cmd.done': 'Finish the session and archive it',
  'cmd.archive': 'Archived sessions',
  'cmd.settings': 'Settings',
  help:
    'ccbot drives Claude Code sessions running in tmux. What you write here goes to the active session.\n\n' +
    '/new <path> — start a session in <path>\n' +
    '/list — sessions; switch between them\n' +
    '/menu — the session menu\n' +
    '/history — recent messages of the active session\n' +
    '/screenshot — the terminal of the active session\n' +
    '/stop — interrupt Claude (like Esc)\n' +
    '/kill — kill the active session and its window\n' +
    '/done — finish the active session and archive it\n' +
    '/archive — archived sessions\n' +
    '/settings — settings\n' +
    '/help — this help',
  'error.generic': 'Something went wrong: {error}',
  'error.telegramUnreachable': 'Telegram is unreachable, retrying',
  'nothing.yet': 'Nothing to show yet',
  'session.none': 'No active session. Send /new <path> to start one.',
  'session.started': 'Session {name} started in {dir}',
  'session.unknown': 'Unknown session {name}',
  'session.alreadyArchived': 'Session {name} is already archived',
  'session.killed': 'Killed {name}',
  'session.archived': 'Archived {name}',
};

export type Key = keyof typeof en;
/** A translation may lag behind English: a missing key compiles and shows the English text. */
export type Table = Partial<Record<Key, string>>;

export const ru: Table = {
  'cmd.menu': 'Меню сессии',
  'cmd.help': 'Как пользоваться ccbot',
  'cmd.new': 'Начать сессию: /new <путь>',
  'cmd.list': 'Сессии и переключение между ними',
  'cmd.history': 'Последние сообщения сессии',
  'cmd.screenshot': 'Терминал сессии',
  'cmd.stop': 'Прервать Claude (как Esc)',
  'cmd.kill': 'Завершить сессию и закрыть её окно',
  'cmd.done': 'Закончить сессию и отправить в архив',
  'cmd.archive': 'Сессии в архиве',
  'cmd.settings': 'Настройки',
  help:
    'ccbot управляет сессиями Claude Code, запущенными в tmux. Всё, что вы пишете здесь, уходит в активную сессию.\n\n' +
    '/new <путь> — начать сессию в каталоге <путь>\n' +
    '/list — сессии и переключение между ними\n' +
    '/menu — меню сессии\n' +
    '/history — последние сообщения активной сессии\n' +
    '/screenshot — терминал активной сессии\n' +
    '/stop — прервать Claude (как Esc)\n' +
    '/kill — завершить активную сессию и закрыть её окно\n' +
    '/done — закончить активную сессию и отправить в архив\n' +
    '/archive — сессии в архиве\n' +
    '/settings — настройки\n' +
    '/help — эта справка',
  'error.generic': 'Что-то пошло не так: {error}',
  'error.telegramUnreachable': 'Telegram недоступен, пробую снова',
  'nothing.yet': 'Пока нечего показать',
  'session.none': 'Нет активной сессии. Отправьте /new <путь>, чтобы начать.',
  'session.started': 'Сессия {name} запущена в {dir}',
  'session.unknown': 'Неизвестная сессия {name}',
  'session.alreadyArchived': 'Сессия {name} уже в архиве',
  'session.killed': 'Сессия {name} завершена',
  'session.archived': 'Сессия {name} отправлена в архив',
};

export const zh: Table = {
  'cmd.menu': '会话菜单',
  'cmd.help': 'ccbot 使用说明',
  'cmd.new': '新建会话：/new <路径>',
  'cmd.list': '会话列表，可切换会话',
  'cmd.history': '会话的最近消息',
  'cmd.screenshot': '会话的终端画面',
  'cmd.stop': '中断 Claude（相当于 Esc）',
  'cmd.kill': '终止会话并关闭其窗口',
  'cmd.done': '结束会话并归档',
  'cmd.archive': '已归档的会话',
  'cmd.settings': '设置',
  help:
    'ccbot 管理在 tmux 中运行的 Claude Code 会话。你在这里发送的内容会进入当前会话。\n\n' +
    '/new <路径> — 在 <路径> 中新建会话\n' +
    '/list — 会话列表，可切换会话\n' +
    '/menu — 会话菜单\n' +
    '/history — 当前会话的最近消息\n' +
    '/screenshot — 当前会话的终端画面\n' +
    '/stop — 中断 Claude（相当于 Esc）\n' +
    '/kill — 终止当前会话并关闭其窗口\n' +
    '/done — 结束当前会话并归档\n' +
    '/archive — 已归档的会话\n' +
    '/settings — 设置\n' +
    '/help — 本帮助',
  'error.generic': '出错了：{error}',
  'error.telegramUnreachable': '无法连接 Telegram，正在重试',
  'nothing.yet': '暂无内容',
  'session.none': '没有当前会话。发送 /new <路径> 新建一个。',
  'session.started': '会话 {name} 已在 {dir} 中启动',
  'session.unknown': '未知会话 {name}',
  'session.alreadyArchived': '会话 {name} 已归档',
  'session.killed': '已终止 {name}',
  'session.archived': '已归档 {name}',
};

export const TABLES: Record<Lang, Table> = { en, ru, zh };

/**
 * The text of `key` in `lang` with `{name}` placeholders filled from `vars`. Never throws: a key missing from the
 * table falls back to English, and a var not given stays visible as `{name}` (a visible slip beats a crash).
 */
export function t(lang: Lang, key: Key, vars: Record<string, string | number> = {}, tables: Record<Lang, Table> = TABLES): string {
  const template = tables[lang]?.[key] ?? tables.en[key] ?? en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(vars, name) ? String(vars[name]) : whole,
  );
}

/**
 * The language for a Telegram user's language_code (an IETF tag such as "ru", "zh-hans", "en-US").
 * Only Russian maps to ru: offering Russian to a Ukrainian or Belarusian interface would be presumptuous, so
 * they get English like every other language we do not have.
 */
export function langFromCode(languageCode?: string): Lang {
  const primary = (languageCode ?? '').toLowerCase().split(/[-_]/)[0];
  if (primary === 'ru') return 'ru';
  if (primary === 'zh') return 'zh';
  return 'en';
}

/** The {placeholders} a template uses, sorted: translations must use exactly the ones English does. */
export function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!))].sort();
}
