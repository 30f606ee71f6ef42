/** Photos, files, audio and video: fetched (download.ts) into the session's `.ccbot-inbox/` (inbox.ts), paths sent via
 * the outbox (an album as one prompt) or held for the next session; what ccbot cannot take is answered. */
import type { Message } from 'node-telegram-bot-api';
import type { Accepted } from './chat.js';
import type { Delivery } from './delivery.js';
import { MAX_DOWNLOAD_BYTES, type Download } from './download.js';
import { escapeHtml } from './format.js';
import { t, type Key, type Lang } from './i18n.js';
import { promptFor, saveToInbox } from './inbox.js';
import { logger } from './log.cjs';
import type { Session, Sessions } from './sessions.js';
import type { Telegram } from './telegram.js';
import type { Held, HeldFile, Users } from './users.js';

const log = logger('files');

const FILES = ['document', 'audio', 'video', 'animation', 'video_note'] as const;
const UNSUPPORTED = ['sticker', 'location', 'contact', 'poll', 'venue', 'dice', 'game', 'story', 'checklist',
  'paid_media'] as const;
/** Extensions for a file Telegram sends without a name, where the MIME subtype is not the usual one. */
const EXTENSIONS: Record<string, string> = { jpeg: 'jpg', mpeg: 'mp3', quicktime: 'mov', 'x-matroska': 'mkv' };

type Media = { file: HeldFile; size?: number };

/** The file a message carries (a photo's largest size, which Telegram lists last); 'unsupported' for a sticker, a
 * location and the like; undefined for none (text, and a voice note, which is not a file to keep). */
export function mediaOf(message: Message): Media | 'unsupported' | undefined {
  const photo = message.photo?.at(-1);
  if (photo) return { file: { id: photo.file_id, name: 'photo.jpg' }, size: photo.file_size };
  for (const kind of FILES) {
    const media: { file_id: string; file_name?: string; mime_type?: string; file_size?: number } | undefined =
      message[kind];
    if (!media) continue;
    const subtype = media.mime_type?.split('/')[1] ?? (kind === 'video_note' ? 'mp4' : '');
    const ext = EXTENSIONS[subtype] ?? (/^[a-z0-9]{1,8}$/.test(subtype) ? subtype : '');
    const name = media.file_name ?? (ext ? `${kind}.${ext}` : kind);
    return { file: { id: media.file_id, name }, size: media.file_size };
  }
  return UNSUPPORTED.some((kind) => message[kind] !== undefined) ? 'unsupported' : undefined;
}

interface FilesScreenDeps {
  telegram: Pick<Telegram, 'send'>; users: Pick<Users, 'rememberMessage'>; sessions: Pick<Sessions, 'recordInput'>;
  delivery: Pick<Delivery, 'enqueue' | 'knows' | 'holdGroup'>; download: Download; now: () => number;
  hold: (who: Accepted, lang: Lang, held: Held) => Promise<void>; // for the next session started, which calls receive()
}

export function createFilesScreen(deps: FilesScreenDeps) {
  const { users, sessions, delivery } = deps;

  const tell = async (who: Accepted, lang: Lang, held: Held, key: Key, error = '') => {
    const html = escapeHtml(t(lang, key, { name: held.file?.name ?? '', error }));
    await deps.telegram.send(who.chatId, html, { replyTo: held.messageId });
  };

  /** Fetches a file into `session`'s inbox and queues its prompt, keyed by its update: a redelivered update is neither
   * fetched nor typed again. Telegram keeps its copy, so a failure loses nothing a resend won't bring back. */
  async function receive(who: Accepted, lang: Lang, session: Readonly<Session>, held: Held): Promise<void> {
    if (!held.file || (held.key !== undefined && delivery.knows(held.key))) return;
    const release = held.group === undefined ? undefined : delivery.holdGroup(held.group);
    try {
      const got = await deps.download(held.file.id);
      if (!got.ok) return await tell(who, lang, held, got.kind === 'too-big' ? 'files.tooBig' : 'files.failed',
        got.error);
      const saved = await saveToInbox(session.workdir, held.file.name, got.bytes, deps.now());
      if (!saved.ok) {
        log.warn('file not saved', { session: session.id, error: saved.error });
        return await tell(who, lang, held, 'files.failed', saved.error);
      }
      users.rememberMessage(who.userId, held.messageId, session.id);
      sessions.recordInput(session.id, deps.now());
      const text = promptFor(held.text, [saved.path]);
      delivery.enqueue({ sessionId: session.id, chatId: who.chatId, userId: who.userId, messageId: held.messageId, text,
        key: held.key, ...(held.group !== undefined && { group: held.group }) });
    } finally {
      release?.();
    }
  }

  return {
    receive,
    /** A message with a file, for `session` (the reply-quoted or active one; none live: it waits for one). */
    async onMedia(who: Accepted, lang: Lang, message: Message, media: Media, session?: Readonly<Session>) {
      const held: Held = { text: message.caption ?? '', messageId: message.message_id, key: who.updateId,
        file: media.file, ...(message.media_group_id !== undefined && { group: message.media_group_id }) };
      // Telegram says the size up front: no need to ask for a file it will not hand over.
      if ((media.size ?? 0) > MAX_DOWNLOAD_BYTES) return tell(who, lang, held, 'files.tooBig');
      return session ? receive(who, lang, session, held) : deps.hold(who, lang, held);
    },
  };
}
