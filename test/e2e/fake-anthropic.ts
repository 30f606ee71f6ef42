/**
 * A fake Anthropic Messages API on 127.0.0.1 for the real Claude Code CLI. `POST /v1/messages` answers with
 * Anthropic's SSE stream, scripted from the person's last prompt (the same scripts made ../shared/samples):
 *   echo: X      → the text X                     slow: N   → text streamed over N seconds
 *   bash: CMD    → a Bash call, then "ran: <out>"  multi     → text + Bash + Read, then a summary
 *   tools: N     → N Bash calls in one message     long      → long Markdown with code and a table
 *   ask: Q       → an AskUserQuestion call (its schema from the request's tools), then "answered: <result>"
 *   fail         → HTTP 529 overloaded_error       anything else → "ok: <prompt>"
 * Requests without tools (titles, summaries) get a short text. Unknown routes are recorded and get a 404.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest { path: string; model: string; tools: number; stream: boolean; prompt: string }

export interface FakeAnthropic {
  url: string;
  requests: RecordedRequest[];
  unknownRoutes: string[];
  close(): Promise<void>;
}

type Block = { type: string; text?: string; content?: unknown; tool_use_id?: string; name?: string; input?: unknown; id?: string };
type ApiMessage = { role: string; content: string | Block[] };
type Reply = { kind: 'text'; text: string; streamMs?: number } | { kind: 'tools'; text?: string; calls: { name: string; input: object }[] };

let ids = 0;
const id = (prefix: string) => `${prefix}_${Date.now().toString(36)}${(ids++).toString(36).padStart(6, '0')}`;

/** The person's words in a user message: its last text block that is not a system reminder. */
function userText(message: ApiMessage): string | null {
  const unwrap = (text: string) => text.replace(/<pasted_content[^>]*>\n?([\s\S]*?)\n?<\/pasted_content[^>]*>/g, '$1');
  if (typeof message.content === 'string') return unwrap(message.content);
  const texts = message.content.filter((b) => b.type === 'text' && typeof b.text === 'string' && !b.text.startsWith('<system-reminder>'));
  return texts.length > 0 ? unwrap(texts.at(-1)!.text!) : null;
}

function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((b: Block) => b.text ?? '').join('\n');
  return '';
}

/** The prompt this turn answers, and the tool results that came back since. */
function turnOf(messages: ApiMessage[]): { prompt: string; results: string[] } {
  const results: string[] = [];
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role !== 'user') continue;
    const blocks = typeof m.content === 'string' ? [] : m.content;
    const toolResults = blocks.filter((b) => b.type === 'tool_result');
    if (toolResults.length > 0) {
      results.unshift(...toolResults.map((b) => toolResultText(b.content)));
      if (!blocks.some((b) => b.type === 'text' && !(b.text ?? '').startsWith('<system-reminder>'))) continue;
    }
    const text = userText(m);
    if (text !== null) return { prompt: text.trim(), results };
  }
  return { prompt: '', results };
}

function longMarkdown(): string {
  const rows = Array.from({ length: 12 }, (_, i) => `| row ${i} | ${i * i} | ${'x'.repeat(i)} |`).join('\n');
  const paragraphs = Array.from({ length: 30 }, (_, i) => `Paragraph ${i}: **bold**, _italic_, \`code\` and a [link](https://example.com/${i}).`).join('\n\n');
  return `# A long answer\n\n${paragraphs}\n\n\`\`\`ts\nconst x: number = 1;\nfunction f(a: string) {\n  return a < "b" && a > "c";\n}\n\`\`\`\n\n| name | square | bar |\n| --- | --- | --- |\n${rows}\n\nThe end.`;
}

export function script(messages: ApiMessage[], tools: { name: string; input_schema?: unknown }[]): Reply | 'fail' {
  const { prompt, results } = turnOf(messages);
  const [, kind = '', arg = ''] = /^(echo|slow|bash|multi|tools|long|ask|fail)(?::\s*([\s\S]*))?$/.exec(prompt) ?? [];
  switch (kind) {
    case 'echo':
      return { kind: 'text', text: arg };
    case 'slow': {
      const seconds = Math.min(Number(arg) || 1, 60);
      return { kind: 'text', text: Array.from({ length: seconds * 5 }, (_, i) => `chunk ${i + 1} of ${seconds * 5}.`).join(' '), streamMs: seconds * 1000 };
    }
    case 'bash':
      return results.length === 0 ? { kind: 'tools', calls: [{ name: 'Bash', input: { command: arg, description: 'run' } }] } : { kind: 'text', text: `ran: ${results.at(-1)!.trim()}` };
    case 'multi':
      if (results.length === 0) return { kind: 'tools', text: 'Let me run a command first.', calls: [{ name: 'Bash', input: { command: 'echo one', description: 'run' } }] };
      if (results.length === 1) return { kind: 'tools', calls: [{ name: 'Read', input: { file_path: `${process.cwd()}/README.md` } }] };
      return { kind: 'text', text: 'multi done: ran echo and read a file.' };
    case 'tools': {
      const n = Math.min(Number(arg) || 2, 10);
      return results.length === 0
        ? { kind: 'tools', calls: Array.from({ length: n }, (_, i) => ({ name: 'Bash', input: { command: `echo step${i + 1}`, description: `step ${i + 1}` } })) }
        : { kind: 'text', text: `ran ${results.length} commands: ${results.map((r) => r.trim()).join(', ')}` };
    }
    case 'long':
      return { kind: 'text', text: longMarkdown() };
    case 'ask': {
      if (results.length > 0) return { kind: 'text', text: `answered: ${results.at(-1)!.trim()}` };
      const tool = tools.find((t) => t.name === 'AskUserQuestion');
      const options = ['Alpha', 'Beta', 'Gamma'].map((label, i) => ({ label, description: `The ${['first', 'second', 'third'][i]} choice` }));
      // Shaped by the schema the CLI sent: questions[] of {question, header, options[], multiSelect}.
      const question: Record<string, unknown> = { question: arg || 'pick one?', header: 'Choice', options, multiSelect: false };
      const props = ((tool?.input_schema as { properties?: { questions?: { items?: { properties?: Record<string, unknown> } } } })?.properties?.questions?.items?.properties) ?? {};
      for (const key of Object.keys(question)) if (Object.keys(props).length > 0 && !(key in props)) delete question[key];
      return { kind: 'tools', calls: [{ name: 'AskUserQuestion', input: { questions: [question] } }] };
    }
    case 'fail':
      return 'fail';
    default:
      return { kind: 'text', text: `ok: ${prompt}` };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function stream(res: ServerResponse, model: string, reply: Reply): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const send = (event: string, data: object) => res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
  const usage = { input_tokens: 13_000, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  send('message_start', { message: { id: id('msg'), type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage } });
  let index = 0;
  const textBlock = async (text: string, streamMs = 0) => {
    send('content_block_start', { index, content_block: { type: 'text', text: '' } });
    const parts = streamMs > 0 ? text.match(/.{1,40}/gs) ?? [text] : text.match(/[\s\S]{1,200}/g) ?? [''];
    for (const part of parts) {
      if (streamMs > 0) await sleep(streamMs / parts.length);
      send('content_block_delta', { index, delta: { type: 'text_delta', text: part } });
    }
    send('content_block_stop', { index });
    index++;
  };
  let stop = 'end_turn';
  if (reply.kind === 'text') await textBlock(reply.text, reply.streamMs);
  else {
    if (reply.text) await textBlock(reply.text);
    for (const call of reply.calls) {
      send('content_block_start', { index, content_block: { type: 'tool_use', id: id('toolu'), name: call.name, input: {} } });
      send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(call.input) } });
      send('content_block_stop', { index });
      index++;
    }
    stop = 'tool_use';
  }
  send('message_delta', { delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 20 } });
  send('message_stop', {});
  res.end();
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

export async function startFakeAnthropic(): Promise<FakeAnthropic> {
  const requests: RecordedRequest[] = [];
  const unknownRoutes: string[] = [];
  const server = createServer(async (req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    try {
      const raw = await readBody(req);
      if (req.method !== 'POST' || path !== '/v1/messages') {
        unknownRoutes.push(`${req.method} ${req.url}`);
        res.writeHead(404, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: `no route ${path}` } }));
      }
      if (process.env.FAKE_ANTHROPIC_DUMP) (await import('node:fs')).appendFileSync(process.env.FAKE_ANTHROPIC_DUMP, raw + '\n');
      const body = JSON.parse(raw) as { model?: string; messages?: ApiMessage[]; tools?: { name: string; input_schema?: unknown }[]; stream?: boolean };
      const messages = body.messages ?? [];
      const tools = body.tools ?? [];
      const model = body.model ?? 'claude-fake';
      requests.push({ path: req.url ?? '', model, tools: tools.length, stream: body.stream === true, prompt: turnOf(messages).prompt });
      // Side requests (titles, summaries) come without tools: a short text is all they need.
      const reply = tools.length === 0 ? ({ kind: 'text', text: 'Fake title' } as Reply) : script(messages, tools);
      if (reply === 'fail') {
        res.writeHead(529, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }));
      }
      if (body.stream !== true) {
        const text = reply.kind === 'text' ? reply.text : reply.text ?? '';
        res.writeHead(200, { 'content-type': 'application/json' });
        return void res.end(JSON.stringify({
          id: id('msg'), type: 'message', role: 'assistant', model, content: [{ type: 'text', text }], stop_reason: 'end_turn', stop_sequence: null,
          usage: { input_tokens: 100, output_tokens: 10 },
        }));
      }
      await stream(res, model, reply);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(err) } }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    unknownRoutes,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
