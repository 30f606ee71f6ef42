/** Every user-facing string, in English (the source of truth), Russian and Chinese side by side, through t(). Pure:
 * no I/O. The strings are PLAIN TEXT: a caller that sends them as Telegram HTML escapes them (and the vars) first. */

export type Lang = 'en' | 'ru' | 'zh';
export const LANGS: readonly Lang[] = ['en', 'ru', 'zh'];

/** Each text in every language: the compiler refuses an entry that lacks one. */
const TEXTS = {
  'cmd.menu': { en: 'Session menu', ru: 'Меню сессии', zh: '会话菜单' },
  'cmd.help': { en: 'How to use ccbot', ru: 'Как пользоваться ccbot', zh: 'ccbot 使用说明' },
  'cmd.new': { en: 'Start a session: /new <path>', ru: 'Начать сессию: /new <путь>', zh: '新建会话：/new <路径>' },
  'cmd.list': { en: 'Sessions; switch between them', ru: 'Сессии и переключение между ними', zh: '会话列表，可切换会话' },
  'cmd.history': { en: 'Recent messages of the session', ru: 'Последние сообщения сессии', zh: '会话的最近消息' },
  'cmd.screenshot': { en: 'The terminal of the session', ru: 'Терминал сессии', zh: '会话的终端画面' },
  'cmd.stop': { en: 'Interrupt Claude (like Esc)', ru: 'Прервать Claude (как Esc)', zh: '中断 Claude（相当于 Esc）' },
  'cmd.kill': { en: 'Kill the session and its window', ru: 'Завершить сессию и закрыть её окно', zh: '终止会话并关闭其窗口' },
  'cmd.done': { en: 'Finish the session and archive it', ru: 'Закончить сессию и отправить в архив', zh: '结束会话并归档' },
  'cmd.archive': { en: 'Archived sessions', ru: 'Сессии в архиве', zh: '已归档的会话' },
  'cmd.settings': { en: 'Settings', ru: 'Настройки', zh: '设置' },
  'cmd.mode': { en: 'Permission mode of the session', ru: 'Режим разрешений сессии', zh: '会话的权限模式' },
  'cmd.rename': { en: 'Rename the session', ru: 'Переименовать сессию', zh: '重命名会话' },
  'cmd.resume': { en: 'Continue a conversation from the desk', ru: 'Продолжить разговор с компьютера', zh: '继续桌面上的对话' },
  help: {
    en: 'ccbot drives Claude Code sessions running in tmux. What you write here goes to the active session.\n\n' +
      '/new <path> — start a session in <path>\n' +
      '/list — sessions; switch between them\n' +
      '/menu — the session menu\n' +
      '/history — recent messages of the active session\n' +
      '/screenshot — the terminal of the active session\n' +
      '/mode — the permission mode of the active session\n' +
      '/rename <name> — rename the active session\n' +
      '/stop — interrupt Claude (like Esc)\n' +
      '/kill — kill the active session and its window\n' +
      '/done — finish the active session and archive it\n' +
      '/archive — archived sessions\n' +
      '/resume — continue a Claude conversation started at the desk\n' +
      '/settings — settings\n' +
      '/help — this help',
    ru: 'ccbot управляет сессиями Claude Code, запущенными в tmux. ' +
      'Всё, что вы пишете здесь, уходит в активную сессию.\n\n' +
      '/new <путь> — начать сессию в каталоге <путь>\n' +
      '/list — сессии и переключение между ними\n' +
      '/menu — меню сессии\n' +
      '/history — последние сообщения активной сессии\n' +
      '/screenshot — терминал активной сессии\n' +
      '/mode — режим разрешений активной сессии\n' +
      '/rename <имя> — переименовать активную сессию\n' +
      '/stop — прервать Claude (как Esc)\n' +
      '/kill — завершить активную сессию и закрыть её окно\n' +
      '/done — закончить активную сессию и отправить в архив\n' +
      '/archive — сессии в архиве\n' +
      '/resume — продолжить разговор с Claude, начатый за компьютером\n' +
      '/settings — настройки\n' +
      '/help — эта справка',
    zh: 'ccbot 管理在 tmux 中运行的 Claude Code 会话。你在这里发送的内容会进入当前会话。\n\n' +
      '/new <路径> — 在 <路径> 中新建会话\n' +
      '/list — 会话列表，可切换会话\n' +
      '/menu — 会话菜单\n' +
      '/history — 当前会话的最近消息\n' +
      '/screenshot — 当前会话的终端画面\n' +
      '/mode — 当前会话的权限模式\n' +
      '/rename <名称> — 重命名当前会话\n' +
      '/stop — 中断 Claude（相当于 Esc）\n' +
      '/kill — 终止当前会话并关闭其窗口\n' +
      '/done — 结束当前会话并归档\n' +
      '/archive — 已归档的会话\n' +
      '/resume — 继续在电脑上开始的 Claude 对话\n' +
      '/settings — 设置\n' +
      '/help — 本帮助',
  },
  'error.generic': { en: 'Something went wrong: {error}', ru: 'Что-то пошло не так: {error}', zh: '出错了：{error}' },
  'session.none': {
    en: 'No active session. Send /new <path> to start one.',
    ru: 'Нет активной сессии. Отправьте /new <путь>, чтобы начать.',
    zh: '没有当前会话。发送 /new <路径> 新建一个。',
  },
  'screenshot.gone': {
    en: 'The window of {name} is gone: see /archive.',
    ru: 'Окна сессии {name} больше нет: см. /archive.',
    zh: '{name} 的窗口已不存在：见 /archive。',
  },
  'card.working': { en: 'working', ru: 'работает', zh: '工作中' },
  'card.waiting': { en: 'waiting for you', ru: 'ждёт вас', zh: '等你回复' },
  'card.idle': { en: 'idle', ru: 'свободна', zh: '空闲' },
  'card.context': { en: '{percent}% context', ru: 'контекст {percent}%', zh: '上下文 {percent}%' },
  'notice.done': { en: 'finished. {detail}', ru: 'готово. {detail}', zh: '已完成。{detail}' },
  'notice.error': { en: 'error: {detail}', ru: 'ошибка: {detail}', zh: '出错：{detail}' },
  'notice.input': { en: 'needs your answer: {detail}', ru: 'ждёт вашего ответа: {detail}', zh: '需要你回答：{detail}' },
  'picker.title': { en: 'Claude asks', ru: 'Claude спрашивает', zh: 'Claude 提问' },
  'picker.approve': { en: 'Claude needs your OK', ru: 'Claude ждёт вашего разрешения', zh: 'Claude 需要你的许可' },
  'picker.typeNow': {
    en: 'Write your answer as the next message.',
    ru: 'Напишите ответ следующим сообщением.',
    zh: '请在下一条消息中写下你的回答。',
  },
  'picker.stale': {
    en: 'That question is no longer on the screen.',
    ru: 'Этого вопроса уже нет на экране.',
    zh: '这个问题已不在屏幕上。',
  },
  'picker.failed': {
    en: 'Could not choose that option: {why}. /screenshot shows the screen.',
    ru: 'Не удалось выбрать вариант: {why}. /screenshot покажет экран.',
    zh: '无法选择该选项：{why}。/screenshot 可查看屏幕。',
  },
  'stall.hint': {
    en: 'no progress for {minutes} min while it still looks busy.',
    ru: 'нет прогресса {minutes} мин, хотя сессия выглядит занятой.',
    zh: '已 {minutes} 分钟没有进展，但看起来仍在忙。',
  },
  'stall.continued': { en: 'Sent \'continue\'.', ru: 'Отправлено «continue».', zh: '已发送 \'continue\'。' },
  'history.empty': {
    en: 'Nothing in this conversation yet.',
    ru: 'В этом разговоре пока ничего нет.',
    zh: '这个对话还没有内容。',
  },
  'history.title': {
    en: '{name} · history, page {page}',
    ru: '{name} · история, страница {page}',
    zh: '{name} · 历史，第 {page} 页',
  },
  'session.started': {
    en: 'Session {name} started in {dir}',
    ru: 'Сессия {name} запущена в {dir}',
    zh: '会话 {name} 已在 {dir} 中启动',
  },
  'session.unknown': { en: 'Unknown session {name}', ru: 'Неизвестная сессия {name}', zh: '未知会话 {name}' },
  'desk.title': {
    en: 'Claude conversations here, newest first (📱 ccbot follows it, 🖥 open at the desk). Tap one to go on.',
    ru: 'Разговоры с Claude, новые сверху (📱 уже в ccbot, 🖥 открыт за компьютером). Нажмите, чтобы продолжить.',
    zh: '本机上的 Claude 对话，最新的在前（📱 ccbot 已在跟随，🖥 正在电脑上运行）。点一个继续。',
  },
  'desk.none': { en: 'No Claude conversations found.', ru: 'Разговоров с Claude не найдено.', zh: '没有找到 Claude 对话。' },
  'desk.gone': { en: 'Not found: send /resume again.', ru: 'Не найден: повторите /resume.', zh: '未找到：请重新发送 /resume。' },
  'desk.running': {
    en: 'This conversation is open in a claude at the desk ({dir}). Close it there first: one Claude per conversation.',
    ru: 'Этот разговор открыт в claude за компьютером ({dir}). Сначала закройте его там: один Claude на разговор.',
    zh: '此对话正在电脑上的 claude 中运行（{dir}）。请先在那里关闭它：每个对话只能有一个 Claude。',
  },
  'desk.noFolder': { en: 'Its folder {dir} is gone.', ru: 'Его папки {dir} больше нет.', zh: '它的文件夹 {dir} 已不存在。' },
  'session.alreadyArchived': {
    en: 'Session {name} is already archived',
    ru: 'Сессия {name} уже в архиве',
    zh: '会话 {name} 已归档',
  },
  'session.killed': { en: 'Killed {name}', ru: 'Сессия {name} завершена', zh: '已终止 {name}' },
  'session.archived': { en: 'Archived {name}', ru: 'Сессия {name} отправлена в архив', zh: '已归档 {name}' },
  'btn.new': { en: '+ New', ru: '+ Новая', zh: '+ 新建' },
  'btn.kill': { en: 'Kill', ru: 'Завершить', zh: '终止' },
  'btn.cancel': { en: 'Cancel', ru: 'Отмена', zh: '取消' },
  'btn.amend': { en: 'Yes, and tell Claude…', ru: 'Да, и сказать Claude…', zh: '是，并告诉 Claude…' },
  'btn.restore': { en: 'Restore', ru: 'Восстановить', zh: '恢复' },
  'btn.delete': { en: 'Delete', ru: 'Удалить', zh: '删除' },
  'btn.inspect': { en: 'Inspect', ru: 'Подробнее', zh: '详情' },
  'btn.interrupt': { en: 'Interrupt', ru: 'Прервать', zh: '中断' },
  'btn.screenshot': { en: 'Screenshot', ru: 'Снимок экрана', zh: '截图' },
  'btn.screenText': { en: 'As text', ru: 'Текстом', zh: '文本版' },
  'btn.continue': { en: 'Continue', ru: 'Продолжить', zh: '继续' },
  'btn.resend': { en: 'Send again', ru: 'Отправить ещё раз', zh: '重新发送' },
  'settings.idle': { en: 'Archive idle sessions after', ru: 'Архивировать неактивные сессии через', zh: '闲置会话自动归档时间' },
  'settings.hours': { en: '{hours} h', ru: '{hours} ч', zh: '{hours} 小时' },
  'settings.notifyDone': {
    en: 'Notify when Claude finishes',
    ru: 'Сообщать, когда Claude закончит',
    zh: 'Claude 完成时通知',
  },
  'settings.notifyError': { en: 'Notify on errors', ru: 'Сообщать об ошибках', zh: '出错时通知' },
  'settings.notifyInput': {
    en: 'Notify when Claude needs you',
    ru: 'Сообщать, когда Claude ждёт вас',
    zh: 'Claude 需要你时通知',
  },
  'settings.title': {
    en: 'Settings. Background sessions notify you of the kinds switched on 🔔.',
    ru: 'Настройки. Фоновые сессии сообщают о том, что включено 🔔.',
    zh: '设置。后台会话会通知已开启 🔔 的事项。',
  },
  'settings.lang': { en: 'Language', ru: 'Язык', zh: '语言' },
  'settings.langAuto': { en: 'Auto', ru: 'Авто', zh: '自动' },
  'settings.mode': { en: 'Permission mode for new sessions', ru: 'Режим разрешений новых сессий', zh: '新会话的权限模式' },
  'settings.autoName': {
    en: 'Name new sessions with Claude (uses tokens)', ru: 'Имена новым сессиям от Claude (тратит токены)',
    zh: '用 Claude 为新会话命名（消耗 token）',
  },
  'rename.how': { en: 'Send /rename <name>.', ru: 'Отправьте /rename <имя>.', zh: '发送 /rename <名称>。' },
  'rename.invalid': {
    en: 'A name has 1 to 40 characters, on one line.', ru: 'В имени от 1 до 40 символов, в одну строку.',
    zh: '名称为 1 到 40 个字符，且只占一行。',
  },
  'rename.done': { en: 'Renamed: {name}', ru: 'Новое имя: {name}', zh: '已重命名：{name}' },
  'mode.current': {
    en: '{name}: {mode} mode. Switch to:',
    ru: '{name}: режим {mode}. Переключить на:',
    zh: '{name}：{mode} 模式。切换到：',
  },
  'mode.unreachable': {
    en: '{mode} could not be reached: Shift+Tab does not offer it in this session.',
    ru: 'Не удалось перейти в {mode}: Shift+Tab в этой сессии его не предлагает.',
    zh: '无法切换到 {mode}：此会话中 Shift+Tab 不提供该模式。',
  },
  'mode.dialog': {
    en: '{name} shows a dialog or is not ready: answer it first (/screenshot shows it).',
    ru: 'Сессия {name} показывает диалог или ещё не готова: сначала ответьте на него (/screenshot покажет).',
    zh: '{name} 正在显示对话框或尚未就绪：请先回应它（/screenshot 可查看）。',
  },
  'mode.unreadable': {
    en: 'The screen of {name} shows no permission mode (/screenshot shows it).',
    ru: 'На экране сессии {name} не видно режима разрешений (/screenshot покажет).',
    zh: '{name} 的画面上没有显示权限模式（/screenshot 可查看）。',
  },
  'browser.hint': {
    en: 'Tap a folder to open it, or "Start here" to start a session in this one.',
    ru: 'Нажмите на папку, чтобы открыть её, или «Начать здесь», чтобы начать сессию в этой папке.',
    zh: '点按文件夹进入，或点“从这里开始”在此文件夹中新建会话。',
  },
  'browser.empty': { en: 'No folders here.', ru: 'Здесь нет папок.', zh: '这里没有文件夹。' },
  'browser.startHere': { en: 'Start here', ru: 'Начать здесь', zh: '从这里开始' },
  'new.missing': {
    en: '{dir} does not exist: check the path and send /new again',
    ru: '{dir} не существует: проверьте путь и отправьте /new ещё раз',
    zh: '{dir} 不存在：请检查路径后重新发送 /new',
  },
  'new.notDir': {
    en: '{dir} is a file, not a directory: send /new with its folder',
    ru: '{dir} — это файл, а не папка: отправьте /new с папкой',
    zh: '{dir} 是文件而不是目录：请对它所在的目录发送 /new',
  },
  'kill.confirm': {
    en: 'Kill session {name}? Its window closes and Claude stops.',
    ru: 'Завершить сессию {name}? Её окно закроется, и Claude остановится.',
    zh: '终止会话 {name}？它的窗口会关闭，Claude 会停止。',
  },
  'status.active': { en: 'live', ru: 'работает', zh: '运行中' },
  'status.archived': { en: 'archived', ru: 'в архиве', zh: '已归档' },
  'status.lost': { en: 'lost (window gone)', ru: 'потеряна (окна нет)', zh: '已丢失（窗口不存在）' },
  'switcher.lost': {
    en: '{count} lost: restore in /archive',
    ru: 'потеряно: {count}, восстановить в /archive',
    zh: '{count} 个已丢失：在 /archive 中恢复',
  },
  'delivery.picker': {
    en: '{name}: Claude is waiting for an answer in the terminal, so your message waits too. ' +
      'Answer it with its buttons (or /screenshot), then it goes through.',
    ru: '{name}: Claude ждёт ответа в терминале, поэтому ваше сообщение тоже ждёт. ' +
      'Ответьте кнопками под вопросом (или через /screenshot), и оно будет отправлено.',
    zh: '{name}：Claude 正在终端里等待回答，你的消息也在等待。用问题下方的按钮（或 /screenshot）回答后，消息就会送达。',
  },
  'delivery.unconfirmed': {
    en: '{name}: Claude did not confirm your message. It may not have arrived.',
    ru: '{name}: Claude не подтвердил ваше сообщение. Возможно, оно не дошло.',
    zh: '{name}：Claude 没有确认收到你的消息，它可能没有送达。',
  },
  'delivery.gone': {
    en: '{name} is no longer running: your message was not delivered. /archive can restore it.',
    ru: '{name} больше не работает: сообщение не доставлено. Восстановить можно в /archive.',
    zh: '{name} 已不在运行：你的消息没有送达。可在 /archive 中恢复。',
  },
  'delivery.expired': {
    en: '{name}: this message was not delivered and waited a day for Resend, so it is dropped.',
    ru: '{name}: это сообщение не доставлено и сутки ждало повторной отправки, поэтому оно удалено.',
    zh: '{name}：这条消息没有送达，已等待重发一天，因此被丢弃。',
  },
  'delivery.resendGone': {
    en: 'That message is no longer waiting to be resent.',
    ru: 'Это сообщение больше не ждёт повторной отправки.',
    zh: '这条消息已不在等待重发。',
  },
  'files.tooBig': {
    en: '{name} is too large: a bot can only download files up to 20 MB from Telegram. Nothing was saved.',
    ru: 'Файл {name} слишком большой: бот может скачать из Telegram только файлы до 20 МБ. Ничего не сохранено.',
    zh: '{name} 太大：机器人只能从 Telegram 下载不超过 20 MB 的文件。没有保存任何内容。',
  },
  'files.failed': {
    en: 'Could not save {name} ({error}). Send it again.',
    ru: 'Не удалось сохранить {name} ({error}). Отправьте его ещё раз.',
    zh: '无法保存 {name}（{error}）。请重新发送。',
  },
  'files.unsupported': {
    en: 'ccbot takes text, photos, files, audio and video; this kind of message is not supported.',
    ru: 'ccbot принимает текст, фото, файлы, аудио и видео; такие сообщения не поддерживаются.',
    zh: 'ccbot 接受文字、照片、文件、音频和视频；不支持这类消息。',
  },
  'voice.off': {
    en: 'Voice notes need whisper.cpp on this machine: see "Files, photos and voice notes" in ccbot\'s README '
      + '(WHISPER_CLI and WHISPER_MODEL). Type your message meanwhile.',
    ru: 'Для голосовых нужен whisper.cpp на этой машине: см. «Files, photos and voice notes» в README ccbot '
      + '(WHISPER_CLI и WHISPER_MODEL). Пока напишите сообщение текстом.',
    zh: '语音消息需要本机安装 whisper.cpp：见 ccbot README 的 “Files, photos and voice notes”'
      + '（WHISPER_CLI 和 WHISPER_MODEL）。请先输入文字。',
  },
  'voice.failed': {
    en: 'Could not transcribe the voice note ({error}). Nothing was sent to Claude.',
    ru: 'Не удалось распознать голосовое ({error}). Claude ничего не отправлено.',
    zh: '无法转写语音消息（{error}）。没有发送给 Claude。',
  },
  'voice.empty': {
    en: 'Nothing could be heard in the voice note. Nothing was sent to Claude.',
    ru: 'В голосовом ничего не слышно. Claude ничего не отправлено.',
    zh: '语音消息中没有听到内容。没有发送给 Claude。',
  },
  'archive.title': {
    en: 'Archive, last {hours} h: {count}',
    ru: 'Архив за {hours} ч: {count}',
    zh: '最近 {hours} 小时的归档：{count} 个',
  },
  'archive.titleAll': {
    en: 'Archive, everything kept: {count}',
    ru: 'Архив, всё сохранённое: {count}',
    zh: '全部保留的归档：{count} 个',
  },
  'archive.empty': {
    en: 'Nothing archived in the last {hours} h. /archive all shows everything kept.',
    ru: 'За последние {hours} ч в архиве ничего нет. /archive all покажет всё сохранённое.',
    zh: '最近 {hours} 小时没有归档的会话。/archive all 显示全部保留的会话。',
  },
  'archive.emptyAll': { en: 'The archive is empty.', ru: 'Архив пуст.', zh: '归档为空。' },
  'archive.allHint': {
    en: 'Older sessions: /archive all',
    ru: 'Более старые сессии: /archive all',
    zh: '更早的会话：/archive all',
  },
  'archive.reason.done': { en: 'finished', ru: 'закончена', zh: '已结束' },
  'archive.reason.killed': { en: 'killed', ru: 'завершена принудительно', zh: '已终止' },
  'archive.reason.idle': { en: 'archived when idle', ru: 'в архиве из-за бездействия', zh: '因闲置而归档' },
  'archive.idleNotice': {
    en: 'Archived {name}: no message from you for {hours} h. /archive restores it.',
    ru: 'Сессия {name} отправлена в архив: от вас не было сообщений {hours} ч. /archive вернёт её.',
    zh: '已归档 {name}：你已 {hours} 小时没有发消息。用 /archive 可恢复。',
  },
  'archive.lostNotice': {
    en: '{name} ended: its window closed (Claude exited). /archive can restore it.',
    ru: 'Сессия {name} завершилась: её окно закрылось (Claude вышел). /archive вернёт её.',
    zh: '{name} 已结束：它的窗口已关闭（Claude 已退出）。用 /archive 可恢复。',
  },
  'archive.minutesAgo': { en: '{n} min ago', ru: '{n} мин назад', zh: '{n} 分钟前' },
  'archive.hoursAgo': { en: '{n} h ago', ru: '{n} ч назад', zh: '{n} 小时前' },
  'archive.daysAgo': { en: '{n} d ago', ru: '{n} дн назад', zh: '{n} 天前' },
  'archive.noResume': {
    en: 'no Claude conversation was recorded: Restore starts a new one',
    ru: 'разговор Claude не был записан: «Восстановить» начнёт новый',
    zh: '没有记录到 Claude 对话：恢复时会开始新的对话',
  },
  'archive.alreadyRunning': { en: '{name} is already running.', ru: '{name} уже работает.', zh: '{name} 已在运行。' },
  'archive.workdirGone': {
    en: 'Cannot restore {name}: its folder {dir} no longer exists. ' +
      'Create it again, or delete the session.',
    ru: 'Нельзя восстановить {name}: папки {dir} больше нет. Создайте её заново или удалите сессию.',
    zh: '无法恢复 {name}：它的目录 {dir} 已不存在。请重新创建该目录，或删除此会话。',
  },
  'archive.stillRunning': {
    en: 'Cannot restore {name} yet: its old Claude is still running (pid {pids}), ' +
      'and two of them would write to one conversation. Kill it first.',
    ru: 'Пока нельзя восстановить {name}: старый Claude ещё работает (pid {pids}), ' +
      'и два процесса писали бы в один разговор. Сначала завершите его.',
    zh: '暂时无法恢复 {name}：它原来的 Claude 仍在运行（pid {pids}），两个进程会写入同一个对话。请先终止它。',
  },
  'archive.processKilled': {
    en: 'Stopped the old Claude of {name}. You can restore it now.',
    ru: 'Старый Claude сессии {name} остановлен. Теперь её можно восстановить.',
    zh: '已停止 {name} 原来的 Claude。现在可以恢复了。',
  },
  'archive.nothingToKill': {
    en: 'No old Claude of {name} is running. You can restore it now.',
    ru: 'Старый Claude сессии {name} не запущен. Её можно восстановить.',
    zh: '{name} 原来的 Claude 没有在运行。现在可以恢复了。',
  },
  'archive.processSurvived': {
    en: 'The old Claude of {name} (pid {pids}) did not stop: ' +
      'end it by hand with kill -9 {pids}, then restore.',
    ru: 'Старый Claude сессии {name} (pid {pids}) не остановился: ' +
      'завершите его вручную командой kill -9 {pids}, затем восстановите.',
    zh: '{name} 原来的 Claude（pid {pids}）没有停止：请手动执行 kill -9 {pids}，然后再恢复。',
  },
  'archive.restored': {
    en: 'Restored {name} in {dir}: Claude continues the conversation.',
    ru: 'Сессия {name} восстановлена в {dir}: Claude продолжает разговор.',
    zh: '已在 {dir} 中恢复 {name}：Claude 继续之前的对话。',
  },
  'archive.restoredFresh': {
    en: 'Started {name} again in {dir} with a new Claude conversation: ' +
      'the old one was never recorded, so it cannot be resumed.',
    ru: 'Сессия {name} снова запущена в {dir} с новым разговором Claude: ' +
      'старый не был записан, продолжить его нельзя.',
    zh: '已在 {dir} 中重新启动 {name}，使用新的 Claude 对话：旧对话没有被记录，无法继续。',
  },
  'archive.deleted': {
    en: 'Deleted {name} from the archive. Its folder and transcript are untouched.',
    ru: 'Сессия {name} удалена из архива. Её папка и журнал не тронуты.',
    zh: '已从归档中删除 {name}。它的目录和对话记录都没有改动。',
  },
  'archive.deleteLive': {
    en: '{name} is running: end it with /kill or /done before deleting it.',
    ru: '{name} работает: завершите её через /kill или /done, прежде чем удалять.',
    zh: '{name} 正在运行：请先用 /kill 或 /done 结束它，再删除。',
  },
  'btn.killProcess': { en: 'Kill the old process', ru: 'Завершить старый процесс', zh: '终止旧进程' },
  'inspect.prompt': { en: 'Last prompt', ru: 'Последний запрос', zh: '最后的提问' },
  'inspect.answer': { en: 'Last answer', ru: 'Последний ответ', zh: '最后的回答' },
  'inspect.noPrompt': { en: 'none found', ru: 'не найден', zh: '未找到' },
  'inspect.noAnswer': { en: 'no answer yet', ru: 'ответа пока нет', zh: '尚无回答' },
  'inspect.noConversation': {
    en: '{name} has no recorded Claude conversation: nothing to show.',
    ru: 'У сессии {name} нет записанного разговора Claude: показать нечего.',
    zh: '{name} 没有记录到 Claude 对话：没有可显示的内容。',
  },
  'inspect.noTranscript': {
    en: 'No transcript of {name} at {path}.',
    ru: 'Журнал сессии {name} не найден: {path}.',
    zh: '在 {path} 没有找到 {name} 的对话记录。',
  },
  'trip.ask': {
    en: 'Claude wants to run this command, which is on ccbot\'s tripwire:',
    ru: 'Claude хочет выполнить эту команду из списка опасных (tripwire ccbot):',
    zh: 'Claude 想运行这条命令，它在 ccbot 的危险命令清单（tripwire）上：',
  },
  'trip.allowed': { en: '✅ Allowed once.', ru: '✅ Разрешено один раз.', zh: '✅ 已允许一次。' },
  'trip.denied': { en: '🚫 Denied.', ru: '🚫 Запрещено.', zh: '🚫 已拒绝。' },
  'trip.expired': { en: '🚫 Denied: no answer in time.', ru: '🚫 Запрещено: нет ответа вовремя.', zh: '🚫 已拒绝：未及时回答。' },
  'trip.closed': { en: 'This request is already closed.', ru: 'Этот запрос уже закрыт.', zh: '此请求已关闭。' },
  'btn.allowOnce': { en: 'Allow once', ru: 'Разрешить один раз', zh: '允许一次' },
  'btn.deny': { en: 'Deny', ru: 'Запретить', zh: '拒绝' },
  'change.file': { en: '1 file changed', ru: 'Изменён 1 файл', zh: '1 个文件已更改' },
  'change.files': { en: '{n} files changed', ru: 'Изменено файлов: {n}', zh: '{n} 个文件已更改' },
  'patch.gone': { en: 'Those changes are no longer kept.', ru: 'Эти изменения больше не хранятся.', zh: '这些改动已不再保存。' },
  'patch.failed': { en: 'The patch failed: {error}', ru: 'Патч не собран: {error}', zh: '无法生成补丁：{error}' },
} satisfies Record<string, Record<Lang, string>>;

export type Key = keyof typeof TEXTS;

/** The text of `key` in `lang` with `{name}` placeholders filled from `vars`. Never throws: a text missing from
 * `texts` falls back to English, and a var not given stays visible as `{name}` (a visible slip beats a crash). */
export function t(
  lang: Lang, key: Key, vars: Record<string, string | number> = {},
  texts: { [K in Key]?: Partial<Record<Lang, string>> } = TEXTS,
): string {
  const template = texts[key]?.[lang] ?? TEXTS[key]?.en ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(vars, name) ? `${vars[name]}` : whole));
}

export const isLang = (value: unknown): value is Lang => LANGS.some((lang) => lang === value);

/** The one rule for the language to answer in: the person's choice in /settings, else their Telegram app's
 * language_code (an IETF tag such as "ru", "zh-hans", "en-US"). Only Russian maps to ru: offering Russian to a
 * Ukrainian or Belarusian interface would be presumptuous, so they get English like every language we do not have. */
export function replyLang(chosen: Lang | 'auto', languageCode?: string): Lang {
  if (chosen !== 'auto') return chosen;
  const primary = (languageCode ?? '').toLowerCase().split(/[-_]/)[0];
  return primary === 'ru' || primary === 'zh' ? primary : 'en';
}
