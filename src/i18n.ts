/**
 * Every user-facing string, in English (the source of truth), Russian and Chinese, through t(). Pure: no I/O.
 * The strings are PLAIN TEXT: a caller that sends them as Telegram HTML escapes them (and the vars) first.
 */

export type Lang = 'en' | 'ru' | 'zh';
export const LANGS: readonly Lang[] = ['en', 'ru', 'zh'];

const en = {
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
  'session.none': 'No active session. Send /new <path> to start one.',
  'screenshot.gone': 'The window of {name} is gone: see /archive.',
  'card.working': 'working',
  'card.waiting': 'waiting for you',
  'card.idle': 'idle',
  'card.context': '{percent}% context',
  'notice.done': 'finished. {detail}',
  'notice.error': 'error: {detail}',
  'notice.input': 'needs your answer: {detail}',
  'picker.title': 'Claude asks',
  'picker.typeNow': 'Write your answer as the next message.',
  'picker.stale': 'That question is no longer on the screen.',
  'picker.failed': 'Could not choose that option: {why}. /screenshot shows the screen.',
  'stall.hint': 'no progress for {minutes} min while it still looks busy.',
  'stall.continued': 'Sent \'continue\'.',
  'history.empty': 'Nothing in this conversation yet.',
  'history.title': '{name} · history, page {page}',
  'session.started': 'Session {name} started in {dir}',
  'session.unknown': 'Unknown session {name}',
  'session.alreadyArchived': 'Session {name} is already archived',
  'session.killed': 'Killed {name}',
  'session.archived': 'Archived {name}',
  'btn.new': '+ New',
  'btn.kill': 'Kill',
  'btn.cancel': 'Cancel',
  'btn.restore': 'Restore',
  'btn.delete': 'Delete',
  'btn.inspect': 'Inspect',
  'btn.interrupt': 'Interrupt',
  'btn.screenshot': 'Screenshot',
  'btn.continue': 'Continue',
  'btn.resend': 'Send again',
  'settings.idle': 'Archive idle sessions after',
  'settings.hours': '{hours} h',
  'settings.notifyDone': 'Notify when Claude finishes',
  'settings.notifyError': 'Notify on errors',
  'settings.notifyInput': 'Notify when Claude needs you',
  'settings.title': 'Settings. Background sessions notify you of the kinds switched on 🔔.',
  'settings.lang': 'Language',
  'settings.langAuto': 'Auto',
  'browser.hint': 'Tap a folder to open it, or "Start here" to start a session in this one.',
  'browser.empty': 'No folders here.',
  'browser.startHere': 'Start here',
  'new.missing': '{dir} does not exist: check the path and send /new again',
  'new.notDir': '{dir} is a file, not a directory: send /new with its folder',
  'kill.confirm': 'Kill session {name}? Its window closes and Claude stops.',
  'status.active': 'live',
  'status.archived': 'archived',
  'status.lost': 'lost (window gone)',
  'switcher.lost': '{count} lost: restore in /archive',
  'delivery.picker': '{name}: Claude is waiting for an answer in the terminal, so your message waits too. ' +
    'Answer it with /screenshot, then it goes through.',
  'delivery.unconfirmed': '{name}: Claude did not confirm your message. It may not have arrived.',
  'delivery.gone': '{name} is no longer running: your message was not delivered. /archive can restore it.',
  'delivery.resendGone': 'That message is no longer waiting to be resent.',
  'archive.title': 'Archive, last {hours} h: {count}',
  'archive.titleAll': 'Archive, everything kept: {count}',
  'archive.empty': 'Nothing archived in the last {hours} h. /archive all shows everything kept.',
  'archive.emptyAll': 'The archive is empty.',
  'archive.allHint': 'Older sessions: /archive all',
  'archive.reason.done': 'finished',
  'archive.reason.killed': 'killed',
  'archive.reason.idle': 'archived when idle',
  'archive.idleNotice': 'Archived {name}: no message from you for {hours} h. /archive restores it.',
  'archive.lostNotice': '{name} ended: its window closed (Claude exited). /archive can restore it.',
  'archive.minutesAgo': '{n} min ago',
  'archive.hoursAgo': '{n} h ago',
  'archive.daysAgo': '{n} d ago',
  'archive.noResume': 'no Claude conversation was recorded: Restore starts a new one',
  'archive.alreadyRunning': '{name} is already running.',
  'archive.workdirGone': 'Cannot restore {name}: its folder {dir} no longer exists. ' +
    'Create it again, or delete the session.',
  'archive.stillRunning': 'Cannot restore {name} yet: its old Claude is still running (pid {pids}), ' +
    'and two of them would write to one conversation. Kill it first.',
  'archive.processKilled': 'Stopped the old Claude of {name}. You can restore it now.',
  'archive.nothingToKill': 'No old Claude of {name} is running. You can restore it now.',
  'archive.processSurvived': 'The old Claude of {name} (pid {pids}) did not stop: ' +
    'end it by hand with kill -9 {pids}, then restore.',
  'archive.restored': 'Restored {name} in {dir}: Claude continues the conversation.',
  'archive.restoredFresh': 'Started {name} again in {dir} with a new Claude conversation: ' +
    'the old one was never recorded, so it cannot be resumed.',
  'archive.deleted': 'Deleted {name} from the archive. Its folder and transcript are untouched.',
  'archive.deleteLive': '{name} is running: end it with /kill or /done before deleting it.',
  'btn.killProcess': 'Kill the old process',
  'inspect.prompt': 'Last prompt',
  'inspect.answer': 'Last answer',
  'inspect.noPrompt': 'none found',
  'inspect.noAnswer': 'no answer yet',
  'inspect.noConversation': '{name} has no recorded Claude conversation: nothing to show.',
  'inspect.noTranscript': 'No transcript of {name} at {path}.',
};

export type Key = keyof typeof en;
/** A translation may lag behind English: a missing key compiles and shows the English text. */
type Table = Partial<Record<Key, string>>;

const ru: Table = {
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
    'ccbot управляет сессиями Claude Code, запущенными в tmux. ' +
    'Всё, что вы пишете здесь, уходит в активную сессию.\n\n' +
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
  'session.none': 'Нет активной сессии. Отправьте /new <путь>, чтобы начать.',
  'screenshot.gone': 'Окна сессии {name} больше нет: см. /archive.',
  'card.working': 'работает',
  'card.waiting': 'ждёт вас',
  'card.idle': 'свободна',
  'card.context': 'контекст {percent}%',
  'notice.done': 'готово. {detail}',
  'notice.error': 'ошибка: {detail}',
  'notice.input': 'ждёт вашего ответа: {detail}',
  'picker.title': 'Claude спрашивает',
  'picker.typeNow': 'Напишите ответ следующим сообщением.',
  'picker.stale': 'Этого вопроса уже нет на экране.',
  'picker.failed': 'Не удалось выбрать вариант: {why}. /screenshot покажет экран.',
  'stall.hint': 'нет прогресса {minutes} мин, хотя сессия выглядит занятой.',
  'stall.continued': 'Отправлено «continue».',
  'history.empty': 'В этом разговоре пока ничего нет.',
  'history.title': '{name} · история, страница {page}',
  'session.started': 'Сессия {name} запущена в {dir}',
  'session.unknown': 'Неизвестная сессия {name}',
  'session.alreadyArchived': 'Сессия {name} уже в архиве',
  'session.killed': 'Сессия {name} завершена',
  'session.archived': 'Сессия {name} отправлена в архив',
  'btn.new': '+ Новая',
  'btn.kill': 'Завершить',
  'btn.cancel': 'Отмена',
  'btn.restore': 'Восстановить',
  'btn.delete': 'Удалить',
  'btn.inspect': 'Подробнее',
  'btn.interrupt': 'Прервать',
  'btn.screenshot': 'Снимок экрана',
  'btn.continue': 'Продолжить',
  'btn.resend': 'Отправить ещё раз',
  'settings.idle': 'Архивировать неактивные сессии через',
  'settings.hours': '{hours} ч',
  'settings.notifyDone': 'Сообщать, когда Claude закончит',
  'settings.notifyError': 'Сообщать об ошибках',
  'settings.notifyInput': 'Сообщать, когда Claude ждёт вас',
  'settings.title': 'Настройки. Фоновые сессии сообщают о том, что включено 🔔.',
  'settings.lang': 'Язык',
  'settings.langAuto': 'Авто',
  'browser.hint': 'Нажмите на папку, чтобы открыть её, или «Начать здесь», чтобы начать сессию в этой папке.',
  'browser.empty': 'Здесь нет папок.',
  'browser.startHere': 'Начать здесь',
  'new.missing': '{dir} не существует: проверьте путь и отправьте /new ещё раз',
  'new.notDir': '{dir} — это файл, а не папка: отправьте /new с папкой',
  'kill.confirm': 'Завершить сессию {name}? Её окно закроется, и Claude остановится.',
  'status.active': 'работает',
  'status.archived': 'в архиве',
  'status.lost': 'потеряна (окна нет)',
  'switcher.lost': 'потеряно: {count}, восстановить в /archive',
  'delivery.picker': '{name}: Claude ждёт ответа в терминале, поэтому ваше сообщение тоже ждёт. ' +
    'Ответьте через /screenshot, и оно будет отправлено.',
  'delivery.unconfirmed': '{name}: Claude не подтвердил ваше сообщение. Возможно, оно не дошло.',
  'delivery.gone': '{name} больше не работает: сообщение не доставлено. Восстановить можно в /archive.',
  'delivery.resendGone': 'Это сообщение больше не ждёт повторной отправки.',
  'archive.title': 'Архив за {hours} ч: {count}',
  'archive.titleAll': 'Архив, всё сохранённое: {count}',
  'archive.empty': 'За последние {hours} ч в архиве ничего нет. /archive all покажет всё сохранённое.',
  'archive.emptyAll': 'Архив пуст.',
  'archive.allHint': 'Более старые сессии: /archive all',
  'archive.reason.done': 'закончена',
  'archive.reason.killed': 'завершена принудительно',
  'archive.reason.idle': 'в архиве из-за бездействия',
  'archive.idleNotice': 'Сессия {name} отправлена в архив: от вас не было сообщений {hours} ч. /archive вернёт её.',
  'archive.lostNotice': 'Сессия {name} завершилась: её окно закрылось (Claude вышел). /archive вернёт её.',
  'archive.minutesAgo': '{n} мин назад',
  'archive.hoursAgo': '{n} ч назад',
  'archive.daysAgo': '{n} дн назад',
  'archive.noResume': 'разговор Claude не был записан: «Восстановить» начнёт новый',
  'archive.alreadyRunning': '{name} уже работает.',
  'archive.workdirGone': 'Нельзя восстановить {name}: папки {dir} больше нет. Создайте её заново или удалите сессию.',
  'archive.stillRunning': 'Пока нельзя восстановить {name}: старый Claude ещё работает (pid {pids}), ' +
    'и два процесса писали бы в один разговор. Сначала завершите его.',
  'archive.processKilled': 'Старый Claude сессии {name} остановлен. Теперь её можно восстановить.',
  'archive.nothingToKill': 'Старый Claude сессии {name} не запущен. Её можно восстановить.',
  'archive.processSurvived': 'Старый Claude сессии {name} (pid {pids}) не остановился: ' +
    'завершите его вручную командой kill -9 {pids}, затем восстановите.',
  'archive.restored': 'Сессия {name} восстановлена в {dir}: Claude продолжает разговор.',
  'archive.restoredFresh': 'Сессия {name} снова запущена в {dir} с новым разговором Claude: ' +
    'старый не был записан, продолжить его нельзя.',
  'archive.deleted': 'Сессия {name} удалена из архива. Её папка и журнал не тронуты.',
  'archive.deleteLive': '{name} работает: завершите её через /kill или /done, прежде чем удалять.',
  'btn.killProcess': 'Завершить старый процесс',
  'inspect.prompt': 'Последний запрос',
  'inspect.answer': 'Последний ответ',
  'inspect.noPrompt': 'не найден',
  'inspect.noAnswer': 'ответа пока нет',
  'inspect.noConversation': 'У сессии {name} нет записанного разговора Claude: показать нечего.',
  'inspect.noTranscript': 'Журнал сессии {name} не найден: {path}.',
};

const zh: Table = {
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
  'session.none': '没有当前会话。发送 /new <路径> 新建一个。',
  'screenshot.gone': '{name} 的窗口已不存在：见 /archive。',
  'card.working': '工作中',
  'card.waiting': '等你回复',
  'card.idle': '空闲',
  'card.context': '上下文 {percent}%',
  'notice.done': '已完成。{detail}',
  'notice.error': '出错：{detail}',
  'notice.input': '需要你回答：{detail}',
  'picker.title': 'Claude 提问',
  'picker.typeNow': '请在下一条消息中写下你的回答。',
  'picker.stale': '这个问题已不在屏幕上。',
  'picker.failed': '无法选择该选项：{why}。/screenshot 可查看屏幕。',
  'stall.hint': '已 {minutes} 分钟没有进展，但看起来仍在忙。',
  'stall.continued': '已发送 \'continue\'。',
  'history.empty': '这个对话还没有内容。',
  'history.title': '{name} · 历史，第 {page} 页',
  'session.started': '会话 {name} 已在 {dir} 中启动',
  'session.unknown': '未知会话 {name}',
  'session.alreadyArchived': '会话 {name} 已归档',
  'session.killed': '已终止 {name}',
  'session.archived': '已归档 {name}',
  'btn.new': '+ 新建',
  'btn.kill': '终止',
  'btn.cancel': '取消',
  'btn.restore': '恢复',
  'btn.delete': '删除',
  'btn.inspect': '详情',
  'btn.interrupt': '中断',
  'btn.screenshot': '截图',
  'btn.continue': '继续',
  'btn.resend': '重新发送',
  'settings.idle': '闲置会话自动归档时间',
  'settings.hours': '{hours} 小时',
  'settings.notifyDone': 'Claude 完成时通知',
  'settings.notifyError': '出错时通知',
  'settings.notifyInput': 'Claude 需要你时通知',
  'settings.title': '设置。后台会话会通知已开启 🔔 的事项。',
  'settings.lang': '语言',
  'settings.langAuto': '自动',
  'browser.hint': '点按文件夹进入，或点“从这里开始”在此文件夹中新建会话。',
  'browser.empty': '这里没有文件夹。',
  'browser.startHere': '从这里开始',
  'new.missing': '{dir} 不存在：请检查路径后重新发送 /new',
  'new.notDir': '{dir} 是文件而不是目录：请对它所在的目录发送 /new',
  'kill.confirm': '终止会话 {name}？它的窗口会关闭，Claude 会停止。',
  'status.active': '运行中',
  'status.archived': '已归档',
  'status.lost': '已丢失（窗口不存在）',
  'switcher.lost': '{count} 个已丢失：在 /archive 中恢复',
  'delivery.picker': '{name}：Claude 正在终端里等待回答，你的消息也在等待。用 /screenshot 回答后，消息就会送达。',
  'delivery.unconfirmed': '{name}：Claude 没有确认收到你的消息，它可能没有送达。',
  'delivery.gone': '{name} 已不在运行：你的消息没有送达。可在 /archive 中恢复。',
  'delivery.resendGone': '这条消息已不在等待重发。',
  'archive.title': '最近 {hours} 小时的归档：{count} 个',
  'archive.titleAll': '全部保留的归档：{count} 个',
  'archive.empty': '最近 {hours} 小时没有归档的会话。/archive all 显示全部保留的会话。',
  'archive.emptyAll': '归档为空。',
  'archive.allHint': '更早的会话：/archive all',
  'archive.reason.done': '已结束',
  'archive.reason.killed': '已终止',
  'archive.reason.idle': '因闲置而归档',
  'archive.idleNotice': '已归档 {name}：你已 {hours} 小时没有发消息。用 /archive 可恢复。',
  'archive.lostNotice': '{name} 已结束：它的窗口已关闭（Claude 已退出）。用 /archive 可恢复。',
  'archive.minutesAgo': '{n} 分钟前',
  'archive.hoursAgo': '{n} 小时前',
  'archive.daysAgo': '{n} 天前',
  'archive.noResume': '没有记录到 Claude 对话：恢复时会开始新的对话',
  'archive.alreadyRunning': '{name} 已在运行。',
  'archive.workdirGone': '无法恢复 {name}：它的目录 {dir} 已不存在。请重新创建该目录，或删除此会话。',
  'archive.stillRunning': '暂时无法恢复 {name}：它原来的 Claude 仍在运行（pid {pids}），两个进程会写入同一个对话。请先终止它。',
  'archive.processKilled': '已停止 {name} 原来的 Claude。现在可以恢复了。',
  'archive.nothingToKill': '{name} 原来的 Claude 没有在运行。现在可以恢复了。',
  'archive.processSurvived': '{name} 原来的 Claude（pid {pids}）没有停止：请手动执行 kill -9 {pids}，然后再恢复。',
  'archive.restored': '已在 {dir} 中恢复 {name}：Claude 继续之前的对话。',
  'archive.restoredFresh': '已在 {dir} 中重新启动 {name}，使用新的 Claude 对话：旧对话没有被记录，无法继续。',
  'archive.deleted': '已从归档中删除 {name}。它的目录和对话记录都没有改动。',
  'archive.deleteLive': '{name} 正在运行：请先用 /kill 或 /done 结束它，再删除。',
  'btn.killProcess': '终止旧进程',
  'inspect.prompt': '最后的提问',
  'inspect.answer': '最后的回答',
  'inspect.noPrompt': '未找到',
  'inspect.noAnswer': '尚无回答',
  'inspect.noConversation': '{name} 没有记录到 Claude 对话：没有可显示的内容。',
  'inspect.noTranscript': '在 {path} 没有找到 {name} 的对话记录。',
};

/**
 * The text of `key` in `lang` with `{name}` placeholders filled from `vars`. Never throws: a key missing from the
 * table falls back to English, and a var not given stays visible as `{name}` (a visible slip beats a crash).
 */
export function t(
  lang: Lang, key: Key, vars: Record<string, string | number> = {}, tables: Record<Lang, Table> = { en, ru, zh },
): string {
  const template = tables[lang][key] ?? en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(vars, name) ? `${vars[name]}` : whole));
}

export const isLang = (value: unknown): value is Lang => LANGS.some((lang) => lang === value);

/**
 * The one rule for the language to answer in: the person's choice in /settings, else their Telegram app's
 * language_code (an IETF tag such as "ru", "zh-hans", "en-US"). Only Russian maps to ru: offering Russian to a
 * Ukrainian or Belarusian interface would be presumptuous, so they get English like every language we do not have.
 */
export function replyLang(chosen: Lang | 'auto', languageCode?: string): Lang {
  if (chosen !== 'auto') return chosen;
  const primary = (languageCode ?? '').toLowerCase().split(/[-_]/)[0];
  return primary === 'ru' || primary === 'zh' ? primary : 'en';
}
