/** Voice notes from the person: fetched (download.ts), transcribed on this machine (voice.ts), shown back as
 * "🎤 …" so the person sees what was heard, then routed like typed text. Without whisper configured, or when the
 * transcription fails, one reply says so and nothing is typed. */
import type { Message } from 'node-telegram-bot-api';
import type { Accepted } from './chat.js';
import type { Config } from './config.cjs';
import type { Delivery } from './delivery.js';
import type { Download } from './download.js';
import { escapeHtml } from './format.js';
import { t, type Key, type Lang } from './i18n.js';
import type { Telegram } from './telegram.js';
import { transcribe } from './voice.js';

interface VoiceScreenDeps {
  telegram: Pick<Telegram, 'send'>;
  delivery: Pick<Delivery, 'knows'>;
  download: Download;
  whisper: Config['whisper'];
  /** What child processes get (config.cts childEnv): whisper-cli and ffmpeg never see the token. */
  env: NodeJS.ProcessEnv;
}

export function createVoiceScreen(deps: VoiceScreenDeps) {
  const reply = (who: Accepted, message: Message, html: string) =>
    deps.telegram.send(who.chatId, html, { replyTo: message.message_id });
  const say = (who: Accepted, lang: Lang, message: Message, key: Key, error = '') =>
    reply(who, message, escapeHtml(t(lang, key, { error, name: '🎤' })));

  /** `asText` routes the transcript as the router routes typed text (receipts, reply-quotes, held with no session). */
  return async function onVoice(
    who: Accepted, lang: Lang, message: Message, asText: (text: string) => Promise<void>,
  ): Promise<void> {
    if (deps.delivery.knows(who.updateId)) return; // a redelivered update: its text is on its way already
    if (!deps.whisper) return void (await say(who, lang, message, 'voice.off'));
    const got = await deps.download(message.voice!.file_id);
    if (!got.ok) return void (await say(who, lang, message, got.kind === 'too-big' ? 'files.tooBig' : 'voice.failed',
      got.error));
    const heard = await transcribe(got.bytes, deps.whisper, { env: deps.env });
    if (!heard.ok) {
      return void (await say(who, lang, message, heard.kind === 'empty' ? 'voice.empty' : 'voice.failed', heard.error));
    }
    await reply(who, message, `🎤 ${escapeHtml(heard.text)}`);
    await asText(heard.text);
  };
}
