/** Fetching a file the person sent: getFile, then its bytes from the file URL, at most Telegram's 20 MB, within a
 * deadline. The URL holds the bot token: the daemon builds it (fileUrl); it is never logged nor part of an error. */
import { TelegramApiError, type Api } from 'node-telegram-bot-api';
import { httpRequest } from './http-api.js';
import { describeError } from './telegram-failure.js';
import { fail, type Failure } from './values.cjs';

/** The most getFile serves: a bot cannot download a larger file at all. */
export const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 120_000;
const TOO_BIG = /file is too big/i; // getFile's only sign of a file over 20 MB (no field says it)

export type Download = (fileId: string) => Promise<{ ok: true; bytes: Uint8Array } | Failure<'too-big' | 'failed'>>;

export function downloader(api: Pick<Api, 'getFile'>, fileUrl: (filePath: string) => string,
  timeoutMs = DOWNLOAD_TIMEOUT_MS): Download {
  const tooBig = fail('too-big', `the file is over ${MAX_DOWNLOAD_BYTES / 1024 / 1024} MB`);
  return async (fileId) => {
    // Not AbortSignal.timeout: on Node 20 the garbage collector can take it, and the abort never comes.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DOMException('no answer in time', 'TimeoutError')), timeoutMs);
    let url = '';
    try {
      const file = await api.getFile({ file_id: fileId }, deadline.signal);
      if ((file.file_size ?? 0) > MAX_DOWNLOAD_BYTES) return tooBig;
      if (!file.file_path) return fail('failed', 'Telegram gave no path to download the file from');
      url = fileUrl(file.file_path);
      const response = await httpRequest(url, deadline.signal); // not fetch: http-api.ts says why
      const status = response.statusCode ?? 0;
      if (status < 200 || status > 299) return fail('failed', `the download answered HTTP ${status}`);
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > MAX_DOWNLOAD_BYTES) return tooBig; // the finally's abort ends the transfer
        chunks.push(chunk);
      }
      const expected = Number(response.headers['content-length'] ?? NaN);
      // A connection dropped half-way can end the body without an error: only the length tells.
      if (Number.isFinite(expected) && expected !== size) return fail('failed', 'the download broke off');
      return { ok: true, bytes: Buffer.concat(chunks) };
    } catch (err) {
      if (err instanceof TelegramApiError && TOO_BIG.test(err.description)) return tooBig;
      const why = describeError(err);
      return fail('failed', `the download failed: ${url ? why.split(url).join('<file URL>') : why}`);
    } finally {
      clearTimeout(timer);
      deadline.abort();
    }
  };
}
