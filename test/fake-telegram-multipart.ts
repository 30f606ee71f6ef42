/**
 * Request parameters for the fake Bot API: query string plus a JSON, urlencoded or multipart/form-data body, flattened
 * to strings and uploaded files the way the real server sees them (JSON objects inside arrive as JSON strings).
 * No routing, no state.
 */
import type { IncomingMessage } from 'node:http';

export interface UploadedFile { filename: string; contentType: string; content: Buffer }
export type Params = Record<string, string | UploadedFile>;

/** The Bot API server's upload limit for bots is 50 MB; a little room for the multipart framing. */
const MAX_BODY_BYTES = 52 * 1024 * 1024;

/** The request's parameters, or an Error saying why the body could not be read. */
export async function readParams(req: IncomingMessage, query: URLSearchParams): Promise<Params | Error> {
  const params: Params = Object.fromEntries(query);
  const body = await readBody(req);
  if (body instanceof Error) return body;
  if (body.length === 0) return params;

  const contentType = req.headers['content-type'] ?? '';
  const mime = contentType.split(';')[0]!.trim().toLowerCase();
  if (mime === 'application/json') {
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      return new Error('the JSON body is not valid JSON');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      return new Error('the JSON body is not an object');
    }
    for (const [key, field] of Object.entries(value)) {
      if (field !== null) params[key] = typeof field === 'string' ? field : JSON.stringify(field);
    }
    return params;
  }
  if (mime === 'application/x-www-form-urlencoded') {
    return { ...params, ...Object.fromEntries(new URLSearchParams(body.toString('utf8'))) };
  }
  if (mime === 'multipart/form-data') {
    const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
    if (!boundary) return new Error('multipart/form-data without a boundary');
    const parts = parseMultipart(body, boundary[1] ?? boundary[2]!);
    return parts instanceof Error ? parts : { ...params, ...parts };
  }
  return new Error(`unsupported content type "${contentType}"`);
}

async function readBody(req: IncomingMessage): Promise<Buffer | Error> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) return new Error(`the body is larger than ${MAX_BODY_BYTES} bytes`);
      chunks.push(chunk);
    }
  } catch (cause) {
    return new Error('the request body could not be read', { cause });
  }
  return Buffer.concat(chunks);
}

/** RFC 7578 multipart/form-data: fields become strings, parts with a filename become files (bytes untouched). */
export function parseMultipart(body: Buffer, boundary: string): Params | Error {
  const params: Params = {};
  const delimiter = Buffer.from(`--${boundary}`);
  const nextDelimiter = Buffer.from(`\r\n--${boundary}`);
  let pos = body.indexOf(delimiter);
  if (pos < 0) return new Error('multipart body without its boundary');
  for (;;) {
    pos += delimiter.length;
    const after = body.subarray(pos, pos + 2).toString('latin1');
    if (after === '--') return params;
    if (after !== '\r\n') return new Error(`multipart boundary not followed by CRLF at byte ${pos}`);
    const headersEnd = body.indexOf('\r\n\r\n', pos);
    if (headersEnd < 0) return new Error(`multipart part at byte ${pos} has no end of headers`);
    const headers = parseHeaders(body.subarray(pos + 2, headersEnd).toString('utf8'));
    const contentStart = headersEnd + 4;
    const contentEnd = body.indexOf(nextDelimiter, contentStart);
    if (contentEnd < 0) return new Error(`multipart part at byte ${pos} has no closing boundary`);
    const disposition = headers.get('content-disposition') ?? '';
    const name = dispositionParam(disposition, 'name');
    if (name === undefined) return new Error(`multipart part at byte ${pos} has no name`);
    const filename = dispositionParam(disposition, 'filename');
    const content = body.subarray(contentStart, contentEnd);
    const contentType = headers.get('content-type') ?? 'application/octet-stream';
    params[name] = filename === undefined ? content.toString('utf8') : { filename, contentType, content: Buffer.from(content) };
    pos = contentEnd + 2;
  }
}

function parseHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/** name="…" in a Content-Disposition header; WHATWG clients escape '"', CR and LF as %22, %0D, %0A. */
function dispositionParam(header: string, param: string): string | undefined {
  const match = new RegExp(`(?:^|;)\\s*${param}=(?:"([^"]*)"|([^;\\s]*))`, 'i').exec(header);
  if (!match) return undefined;
  const value = match[1] ?? match[2]!;
  return value.replace(/%22/g, '"').replace(/%0D/gi, '\r').replace(/%0A/gi, '\n');
}
