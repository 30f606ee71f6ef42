/**
 * A fake Anthropic Messages API on 127.0.0.1 for the real Claude Code CLI. `POST /v1/messages` answers with
 * Anthropic's SSE stream, scripted from the person's last prompt (test/e2e/record-samples.ts drives these scripts
 * to record test/fixtures/samples):
 *   echo: X      → the text X                     slow: N   → text streamed over N seconds, in 5·N chunks
 *   bash: CMD    → a Bash call, then "ran: <out>"  multi     → text + Bash, then Read, then a summary
 *   tools: N     → N Bash calls in one message     long      → long Markdown with code and a table (> 4096 chars)
 *   ask: Q       → an AskUserQuestion call (shaped by the request's tool schema), then "answered: <result>"
 *   edit: FILE   → Read FILE, Edit its first line to "edited", then "edited: <result>"
 *   plan: TITLE  → (plan mode) Write the plan file the CLI named, ExitPlanMode, then "planned: <result's first line>"
 *   fail         → HTTP 529 overloaded_error       fail: 500 → HTTP 500 api_error (any status)
 *   anything else → "ok: <prompt>"
 * Side requests (no tools, small max_tokens, or not streamed) get a short text. Other routes (count_tokens, …)
 * are recorded in `unknownRoutes` and get a 404; nothing here ever throws at the CLI.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  path: string;
  model: string;
  tools: number;
  stream: boolean;
  maxTokens: number;
  /** The prompt this request's turn answers (a paste unwrapped); '' when none was found. */
  prompt: string;
  /** The last user message's own text (wrappers kept); '' when it holds only tool results. */
  lastUserText: string;
  /** Claude's session id, from the request's metadata; '' when absent. */
  sessionId: string;
  /** Which script answered: 'echo', 'bash', …, 'side', 'ok'. */
  script: string;
  /** Date.now() once the answer's last byte was written (bench/real-cli.ts measures from it). */
  endedAt?: number;
}

export interface FakeAnthropic {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /** `METHOD /path?query` of every request that was not `POST /v1/messages`. */
  unknownRoutes: string[];
  close(): Promise<void>;
}

type Block = { type: string; text?: string; content?: unknown; name?: string; input?: unknown };
export type ApiMessage = { role: string; content: string | Block[] };
export type ApiTool = { name: string; input_schema?: unknown };
type Call = { name: string; input: object };
export type Reply =
  | { kind: 'text'; text: string; streamMs?: number }
  | { kind: 'tools'; text?: string; calls: Call[] }
  | { kind: 'error'; status: number; type: string; message: string };

let ids = 0;
const id = (prefix: string) => `${prefix}_${Date.now().toString(36)}${(ids++).toString(36).padStart(6, '0')}`;
const isReminder = (text: string) => text.startsWith('<system-reminder>');
// Claude Code 2.1.328 sends a paste as `<before>\n\n<pasted_content id="x">\n<paste>\n</pasted_content id="x">\n<after>`.
const unwrapPastes = (text: string) => text.replace(/\n*<pasted_content[^>]*>\n?([\s\S]*?)\n?<\/pasted_content[^>]*>\n?/g, '$1');

const isOwnText = (b: Block) => b.type === 'text' && typeof b.text === 'string' && !isReminder(b.text);

function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((b: Block) => b.text ?? '').join('\n');
  return '';
}

/**
 * The prompt this request answers and the tool results that came back since. 2.1.328 puts a `system` message
 * (the environment) among `messages`, so "the last user message" is searched for, not taken from the end. A user
 * message of tool results sends the search further back to the prompt that started the turn; a new prompt after an
 * interrupted tool call arrives merged into one message with the old call's tool_result before it, and such
 * results (before the prompt's text) belong to the previous turn.
 */
export function turnOf(messages: readonly ApiMessage[]): { prompt: string; results: string[]; lastUserText: string } {
  const results: string[] = [];
  let lastUserText: string | undefined;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role !== 'user') continue;
    const blocks: Block[] = typeof m.content === 'string' ? [{ type: 'text', text: m.content }] : m.content;
    const at = blocks.findLastIndex(isOwnText);
    const own = at >= 0 ? blocks[at]!.text! : null;
    lastUserText ??= own ?? '';
    results.unshift(...blocks.slice(at + 1).filter((b) => b.type === 'tool_result').map((b) => toolResultText(b.content)));
    if (own !== null) return { prompt: unwrapPastes(own).trim(), results, lastUserText };
  }
  return { prompt: '', results, lastUserText: lastUserText ?? '' };
}

/** More than 4096 characters of Markdown: headings, inline styles, links, a fenced block and a table. */
export function longMarkdown(): string {
  const rows = Array.from({ length: 12 }, (_, i) => `| row ${i} | ${i * i} | ${'x'.repeat(i)} |`).join('\n');
  const paragraphs = Array.from({ length: 60 }, (_, i) => `Paragraph ${i}: **bold**, _italic_, \`code\` and a [link](https://example.com/${i}).`).join('\n\n');
  return `# A long answer\n\n${paragraphs}\n\n\`\`\`ts\nconst x: number = 1;\nfunction f(a: string) {\n  return a < "b" && a > "c";\n}\n\`\`\`\n\n| name | square | bar |\n| --- | --- | --- |\n${rows}\n\nThe end.`;
}

type Schema = { properties?: Record<string, Schema>; items?: Schema; required?: string[] };

/** An AskUserQuestion input with only the fields the CLI's own schema declares (questions[] of question,
 * header, options[] of label + description, multiSelect); the sample's question when no schema came along. */
export function askInput(question: string, tool: ApiTool | undefined): object {
  const item = (tool?.input_schema as Schema | undefined)?.properties?.questions?.items?.properties;
  const optionProps = item?.options?.items?.properties;
  const keep = <T extends object>(value: T, props: Record<string, Schema> | undefined): T =>
    props ? (Object.fromEntries(Object.entries(value).filter(([key]) => key in props)) as T) : value;
  const options = ['Alpha', 'Beta', 'Gamma'].map((label, i) => keep({ label, description: `The ${['first', 'second', 'third'][i]} choice` }, optionProps));
  return { questions: [keep({ question, header: 'Choice', options, multiSelect: false }, item)] };
}

const SCRIPT = /^(echo|slow|bash|multi|tools|long|ask|fail|edit|plan)(?::\s*([\s\S]*))?$/;

/** The scripted answer to one main-loop request. `cwd` is the session's working directory (for Read). */
export function script(messages: readonly ApiMessage[], tools: readonly ApiTool[], cwd = '', planFile = ''): { name: string; reply: Reply } {
  const { prompt, results } = turnOf(messages);
  const [, name = 'ok', arg = ''] = SCRIPT.exec(prompt) ?? [];
  const last = () => results.at(-1)!.trim();
  const reply = ((): Reply => {
    switch (name) {
      case 'echo':
        return { kind: 'text', text: arg };
      case 'slow': {
        const seconds = Math.min(Math.max(Number(arg) || 1, 1), 60);
        const chunks = seconds * 5;
        return { kind: 'text', text: Array.from({ length: chunks }, (_, i) => `chunk ${i + 1} of ${chunks}.`).join(' '), streamMs: seconds * 1000 };
      }
      case 'bash':
        return results.length === 0 ? { kind: 'tools', calls: [{ name: 'Bash', input: { command: arg, description: 'run' } }] } : { kind: 'text', text: `ran: ${last()}` };
      case 'multi':
        if (results.length === 0) return { kind: 'tools', text: 'Let me run a command first.', calls: [{ name: 'Bash', input: { command: 'echo one', description: 'run' } }] };
        if (results.length === 1) return { kind: 'tools', calls: [{ name: 'Read', input: { file_path: `${cwd || '/tmp'}/README.md` } }] };
        return { kind: 'text', text: 'multi done: ran echo and read a file.' };
      case 'tools': {
        const n = Math.min(Math.max(Number(arg) || 2, 1), 10);
        return results.length === 0
          ? { kind: 'tools', calls: Array.from({ length: n }, (_, i) => ({ name: 'Bash', input: { command: `echo step${i + 1}`, description: `step ${i + 1}` } })) }
          : { kind: 'text', text: `ran ${results.length} commands: ${results.map((r) => r.trim()).join(', ')}` };
      }
      case 'long':
        return { kind: 'text', text: longMarkdown() };
      case 'ask':
        return results.length > 0
          ? { kind: 'text', text: `answered: ${last()}` }
          : { kind: 'tools', calls: [{ name: 'AskUserQuestion', input: askInput(arg || 'pick one?', tools.find((t) => t.name === 'AskUserQuestion')) }] };
      case 'edit': {
        const file = arg.startsWith('/') ? arg : `${cwd || '/tmp'}/${arg}`;
        if (results.length === 0) return { kind: 'tools', calls: [{ name: 'Read', input: { file_path: file } }] };
        const old = /^\s*1\s*[→\t](.*)$/m.exec(results[0]!)?.[1] ?? '';
        if (results.length === 1) return { kind: 'tools', calls: [{ name: 'Edit', input: { file_path: file, old_string: old, new_string: 'edited' } }] };
        return { kind: 'text', text: `edited: ${last()}` };
      }
      case 'plan': {
        const plan = `# Plan\n\n${arg}\n\n## Steps\n\n1. Do it.\n2. Check it.\n`;
        if (results.length === 0) return { kind: 'tools', calls: [{ name: 'Write', input: { file_path: planFile, content: plan } }] };
        if (results.length === 1) return { kind: 'tools', calls: [{ name: 'ExitPlanMode', input: {} }] };
        return { kind: 'text', text: `planned: ${last().split('\n')[0]}` };
      }
      case 'fail': {
        const status = Number(arg) || 529;
        return status === 529
          ? { kind: 'error', status, type: 'overloaded_error', message: 'Overloaded' }
          : { kind: 'error', status, type: 'api_error', message: 'Internal server error' };
      }
      default:
        return { kind: 'text', text: `ok: ${prompt}` };
    }
  })();
  return { name, reply };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Usage shaped like the real API's: the prompt counted at about 4 characters a token, so the context a
 * transcript reports grows from turn to turn as it does for real. */
const usageOf = (body: string) => ({ input_tokens: Math.ceil(body.length / 4), output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
type Usage = ReturnType<typeof usageOf>;

/** Anthropic's SSE events for a reply. Stops early when the CLI hangs up (Esc interrupts a slow stream). */
async function stream(res: ServerResponse, model: string, reply: Exclude<Reply, { kind: 'error' }>, usage: Usage): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'request-id': id('req') });
  const send = (event: string, data: object) => !res.destroyed && res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
  send('message_start', { message: { id: id('msg'), type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage } });
  send('ping', {});
  let index = 0;
  const textBlock = async (text: string, streamMs = 0) => {
    send('content_block_start', { index, content_block: { type: 'text', text: '' } });
    const parts = streamMs > 0 ? (text.match(/[\s\S]{1,40}/g) ?? [text]) : (text.match(/[\s\S]{1,200}/g) ?? ['']);
    for (const part of parts) {
      if (streamMs > 0) await sleep(streamMs / parts.length);
      if (res.destroyed) return;
      send('content_block_delta', { index, delta: { type: 'text_delta', text: part } });
    }
    send('content_block_stop', { index });
    index++;
  };
  if (reply.kind === 'text') await textBlock(reply.text, reply.streamMs);
  else {
    if (reply.text) await textBlock(reply.text);
    for (const call of reply.calls) {
      send('content_block_start', { index, content_block: { type: 'tool_use', id: id('toolu'), name: call.name, input: {} } });
      // Split like the real API does: the CLI must join the partial JSON itself.
      const json = JSON.stringify(call.input);
      for (const part of json.match(/[\s\S]{1,64}/g) ?? []) send('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: part } });
      send('content_block_stop', { index });
      index++;
    }
  }
  send('message_delta', { delta: { stop_reason: reply.kind === 'text' ? 'end_turn' : 'tool_use', stop_sequence: null }, usage: { output_tokens: 20 } });
  send('message_stop', {});
  res.end();
}

/** The same reply as one JSON message, for `stream: false`. */
function message(model: string, reply: Exclude<Reply, { kind: 'error' }>, usage: Usage): object {
  const content: object[] = [];
  if (reply.text) content.push({ type: 'text', text: reply.text });
  if (reply.kind === 'tools') for (const call of reply.calls) content.push({ type: 'tool_use', id: id('toolu'), name: call.name, input: call.input });
  const stop = reply.kind === 'tools' ? 'tool_use' : 'end_turn';
  return { id: id('msg'), type: 'message', role: 'assistant', model, content, stop_reason: stop, stop_sequence: null, usage: { ...usage, output_tokens: 10 } };
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

function sendJson(res: ServerResponse, status: number, body: object): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req') });
  res.end(JSON.stringify(body));
}

type Body = { model?: string; system?: string | Block[]; messages?: ApiMessage[]; tools?: ApiTool[]; stream?: boolean; max_tokens?: number; metadata?: { user_id?: string } };

function sessionIdOf(body: Body): string {
  try {
    return String((JSON.parse(body.metadata?.user_id ?? '{}') as { session_id?: unknown }).session_id ?? '');
  } catch {
    return '';
  }
}

/** The session's cwd, from the environment section the CLI sends (a `system` message in 2.1.328, or `system`). */
function workingDirectoryOf(body: Body): string {
  const texts = [body.system, ...(body.messages ?? []).map((m) => m.content)].flatMap((c) =>
    typeof c === 'string' ? [c] : Array.isArray(c) ? c.map((b: Block) => b.text ?? '') : [],
  );
  for (const text of texts) {
    const found = /^ - Primary working directory: (.+)$/m.exec(text);
    if (found) return found[1]!;
  }
  return '';
}

/** The plan file plan mode tells the model to write (a reminder in the messages names it). */
const planFileOf = (raw: string): string => /(\/[^"\s\\]*\/plans\/[\w.-]+\.md)/.exec(raw)?.[1] ?? '';

async function answer(req: IncomingMessage, res: ServerResponse, state: Recorder): Promise<void> {
  const { requests, unknownRoutes } = state;
  const path = (req.url ?? '').split('?')[0]!;
  const raw = await readBody(req);
  state.onBody?.(raw);
  if (req.method !== 'POST' || path !== '/v1/messages') {
    unknownRoutes.push(`${req.method} ${req.url}`);
    return sendJson(res, 404, { type: 'error', error: { type: 'not_found_error', message: `no route ${req.method} ${path}` } });
  }
  const body = JSON.parse(raw) as Body;
  const model = body.model ?? 'claude-fake';
  const tools = body.tools ?? [];
  const stream_ = body.stream === true;
  const maxTokens = body.max_tokens ?? 0;
  const turn = turnOf(body.messages ?? []);
  // Titles, summaries and other helpers of the CLI: no tools, a small budget, or no stream.
  const side = tools.length === 0 || (maxTokens > 0 && maxTokens < 2_000) || !stream_;
  const cwd = workingDirectoryOf(body);
  const { name, reply } = side ? { name: 'side', reply: { kind: 'text', text: 'Fake title' } as Reply } : script(body.messages ?? [], tools, cwd, planFileOf(raw));
  const recorded: RecordedRequest = { path: req.url ?? '', model, tools: tools.length, stream: stream_, maxTokens, prompt: turn.prompt, lastUserText: turn.lastUserText, sessionId: sessionIdOf(body), script: name };
  requests.push(recorded);
  if (reply.kind === 'error') return sendJson(res, reply.status, { type: 'error', error: { type: reply.type, message: reply.message } });
  if (!stream_) return sendJson(res, 200, message(model, reply, usageOf(raw)));
  await stream(res, model, reply, usageOf(raw));
  recorded.endedAt = Date.now();
}

interface Recorder {
  requests: RecordedRequest[];
  unknownRoutes: string[];
  onBody?: (raw: string) => void;
}

/** `onBody` sees every request body as sent (a test can dump them to study what the CLI sends). */
export async function startFakeAnthropic(options: { onBody?: (raw: string) => void } = {}): Promise<FakeAnthropic> {
  const requests: RecordedRequest[] = [];
  const unknownRoutes: string[] = [];
  const recorder: Recorder = { requests, unknownRoutes, ...(options.onBody ? { onBody: options.onBody } : {}) };
  const server = createServer((req, res) => {
    answer(req, res, recorder).catch((err: unknown) => {
      // A body that is not JSON, a socket gone mid-answer: an API error for the CLI, never a crash of the test.
      sendJson(res, 400, { type: 'error', error: { type: 'invalid_request_error', message: String(err) } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    unknownRoutes,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
