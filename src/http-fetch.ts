/** The Bot API's requests over node:http(s) rather than Node's fetch (undici), which keeps ~15 MB more resident for
 * the same traffic (bench/daemon.ts). Only what the library's Transport reads: the status and the body's text. */
import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';

/** fetch's contract where it matters: an abort rejects with the signal's reason (telegram-failure.ts reads it). */
export function httpFetch(url: string, init: RequestInit = {}): Promise<{ status: number; text(): Promise<string> }> {
  const { signal, body } = init;
  return new Promise((resolve, reject) => {
    const failed = (err: unknown) => reject(signal?.aborted ? signal.reason : err);
    const headers = init.headers as Record<string, string>;
    const options = { method: init.method, headers, signal: signal ?? undefined };
    const request = (url.startsWith('https:') ? https : http).request(url, options, (response) => resolve({
      status: response.statusCode ?? 0,
      text: () => text(response).catch((err: unknown) => Promise.reject(signal?.aborted ? signal.reason : err)),
    }));
    request.on('error', failed);
    if (body instanceof ReadableStream) Readable.fromWeb(body as never).on('error', failed).pipe(request);
    else if (body instanceof Blob) body.arrayBuffer().then((bytes) => request.end(Buffer.from(bytes)), failed);
    else request.end(body == null ? undefined : String(body));
  });
}
