/** The library's Api over node:http(s), not fetch: undici keeps ~15 MB more resident, and the library's mere probe of
 * fetch (`new Request`) loads it and compiles its WebAssembly HTTP parser, ~5 MB. The library still encodes each
 * request, and its error classes still say what failed (telegram-failure.ts). */
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { Api, encodeForm, NetworkError, ParseError, TelegramApiError, Transport } from 'node-telegram-bot-api';

/** A GET, or a POST of `body`; resolves when the response's headers come. An abort (the caller's deadline or ccbot
 * stopping) rejects with the signal's reason, as fetch does (telegram-failure.ts reads it). */
export function httpRequest(
  url: string, signal?: AbortSignal, post?: { body: unknown; headers: Record<string, string> },
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const failed = (err: unknown) => reject(signal?.aborted ? signal.reason : err);
    const options = { method: post ? 'POST' : 'GET', headers: post?.headers, signal };
    const request = (url.startsWith('https:') ? https : http).request(url, options, resolve).on('error', failed);
    if (post?.body instanceof ReadableStream) Readable.fromWeb(post.body as never).on('error', failed).pipe(request);
    else request.end(post?.body == null ? undefined : String(post.body));
  });
}

type Envelope = { ok?: boolean; result?: unknown; error_code?: number; description?: string; parameters?: object };

/** The library's Transport.request without retries (telegram.ts decides) or a deadline (every caller passes one). */
class HttpTransport extends Transport {
  constructor(token: string, apiRoot: string, private readonly base = `${apiRoot}/bot${token}/`) {
    super(token, { apiRoot, maxRetries: 0 }); // config.ts's apiRoot has no trailing slash
  }

  override async request<R>(method: string, params: Parameters<Transport['request']>[1] = {}, signal?: AbortSignal) {
    // true: a file streams from its source into the request (the library would ask fetch whether it can).
    const { body, headers } = await encodeForm(params, true);
    const [status, answer] = await httpRequest(this.base + method, signal, { body: body(), headers })
      .then(async (response) => [response.statusCode ?? 0, await text(response)] as const)
      .catch((err: unknown) => {
        throw signal?.aborted ? signal.reason : new NetworkError(`Network request failed: ${method}`, { cause: err });
      });
    const envelope = ((): Envelope | undefined => { try { return JSON.parse(answer); } catch { return undefined; } })();
    if (envelope?.ok === true) return envelope.result as R;
    if (envelope?.ok === false) {
      throw new TelegramApiError(envelope.error_code ?? status, envelope.description ?? '', envelope.parameters);
    }
    if (status >= 500) throw new NetworkError(`Server error ${status} on ${method}`); // no cause: 'server'
    throw new ParseError(`Invalid JSON in response to ${method}`, { responseText: answer });
  }
}

/** The library's Api, sending through HttpTransport: it takes no transport as an option, so its field is set here. */
export const httpApi = (token: string, apiRoot: string): Api => Object.defineProperty(
  new Api(token, { apiRoot, maxRetries: 0 }), 'transport', { value: new HttpTransport(token, apiRoot) });
