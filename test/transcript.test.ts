import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { lastExchange, parseLines, type TranscriptEvent } from '#ccbot/transcript.js';
import { SAMPLES } from './samples.js';

const sample = (name: string) => readFileSync(join(SAMPLES, name), 'utf8').split('\n');
const kinds = (events: TranscriptEvent[], kind: TranscriptEvent['kind']) => events.filter((e) => e.kind === kind);
const texts = (events: TranscriptEvent[], kind: 'prompt' | 'text') => kinds(events, kind).map((e) => (e as { text: string }).text);

const at = '2026-11-23T20:00:00.000Z';
const entry = (fields: object) => JSON.stringify({ parentUuid: null, isSidechain: false, uuid: `u-${Math.random()}`, timestamp: at, ...fields });
const user = (content: unknown, extra: object = {}) => entry({ type: 'user', message: { role: 'user', content }, ...extra });
const assistant = (content: unknown[], stop: string | null = 'end_turn', extra: object = {}) =>
  entry({ type: 'assistant', message: { id: 'msg_1', role: 'assistant', model: 'claude-opus-5-5', content, stop_reason: stop, usage: { input_tokens: 10, cache_creation_input_tokens: 5, cache_read_input_tokens: 85, output_tokens: 3 } }, ...extra });

const golden = suite('parseLines on real Claude Code transcripts');
golden('the person\'s prompts, in order; api-request-blob copies never count', () => {
  const { events, malformed } = parseLines(sample('transcript-startup.jsonl'), {});
  assert.is(malformed, 0);
  assert.equal(texts(events, 'prompt'), ['echo: hello', 'bash: echo hi', 'multi', 'ask: pick one?', 'slow: 3']);
  const resumed = parseLines(sample('transcript-resumed.jsonl'), {}).events;
  assert.equal(texts(resumed, 'prompt'), ['echo: hello', 'bash: echo hi', 'multi', 'ask: pick one?', 'slow: 3', 'echo: after resume']);
});
golden('tool calls paired with their results, with one-line summaries and outcomes', () => {
  const { events, pending } = parseLines(sample('transcript-startup.jsonl'), {});
  const results = kinds(events, 'toolResult') as Extract<TranscriptEvent, { kind: 'toolResult' }>[];
  assert.equal(results.map((r) => [r.name, r.summary, r.outcome]), [
    ['Bash', 'echo hi', 'Output 1 line'],
    ['Bash', 'echo one', 'Output 1 line'],
    ['Read', '/home/dev/work/proj-a/README.md', 'Read 3 lines'],
    ['AskUserQuestion', 'pick one?', 'Answered: Beta'],
  ]);
  assert.equal(pending, {}, 'every call got its result');
  assert.ok(texts(events, 'text').includes('Let me run a command first.'));
});
golden('turn ends (stop_reason and turn_duration) and usage', () => {
  const { events } = parseLines(sample('transcript-startup.jsonl'), {});
  const ends = kinds(events, 'turnEnd').map((e) => (e as { reason: string }).reason);
  assert.is(ends.filter((r) => r === 'end_turn').length, 5);
  assert.is(ends.filter((r) => r === 'turn_duration').length, 5);
  const usage = kinds(events, 'usage')[0] as Extract<TranscriptEvent, { kind: 'usage' }>;
  assert.is(usage.model, 'claude-opus-5-5');
  assert.ok(usage.contextTokens > 13_000);
  assert.ok(events.every((e) => e.uuid !== '' && e.at > 0));
});

const edge = suite('parseLines: what else a transcript holds');
edge('a line that is not JSON is skipped and counted; the lines around it still parse', () => {
  const { events, malformed } = parseLines([user('one'), '{"type":"user", broken', '[1,2]', user('two')], {});
  assert.is(malformed, 2);
  assert.equal(texts(events, 'prompt'), ['one', 'two']);
});
edge('sub-agent (sidechain) and meta entries never show as the conversation', () => {
  const { events } = parseLines([user('side', { isSidechain: true }), user('meta', { isMeta: true }), assistant([{ type: 'text', text: 'agent' }], 'end_turn', { isSidechain: true })], {});
  assert.equal(events, []);
});
edge('a call in one read, its result in the next: the pending calls carry it across (a restart too)', () => {
  const first = parseLines([assistant([{ type: 'tool_use', id: 'toolu_1', name: 'Edit', input: { file_path: '/a.ts', old_string: 'x\ny', new_string: 'z' } }], 'tool_use')], {});
  const saved = JSON.parse(JSON.stringify(first.pending)); // as monitor_state.json keeps it
  const second = parseLines([user([{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'ok' }])], saved);
  const result = second.events[0] as Extract<TranscriptEvent, { kind: 'toolResult' }>;
  assert.equal([result.name, result.summary, result.outcome], ['Edit', '/a.ts', '+1 −2']);
  assert.equal(second.pending, {});
  assert.ok(first.pending.toolu_1, 'the first result is unchanged by the second call');
});
edge('interrupts: of a turn, and of a tool', () => {
  const { events } = parseLines([
    assistant([{ type: 'tool_use', id: 't1', name: 'Bash', input: { command: 'sleep 9' } }], 'tool_use'),
    user([{ type: 'tool_result', tool_use_id: 't1', content: '[Request interrupted by user for tool use]', is_error: true }]),
    user([{ type: 'text', text: '[Request interrupted by user]' }]),
  ], {});
  assert.is((events.find((e) => e.kind === 'toolResult') as { outcome: string }).outcome, 'Interrupted');
  assert.is((events.at(-1) as { reason: string }).reason, 'interrupted');
});
edge('an API error, a local command\'s output, a /command, a paste and reminders', () => {
  const { events } = parseLines([
    assistant([{ type: 'text', text: 'API Error: 529 Overloaded. Try again.' }], 'stop_sequence', { isApiErrorMessage: true }),
    user('<local-command-stdout>Total cost: $0.00\u001b[0m</local-command-stdout>'),
    user('<command-name>/compact</command-name>\n<command-message>compact</command-message>\n<command-args>keep tests</command-args>'),
    user('<local-command-caveat>Caveat: do not answer this</local-command-caveat>'),
    user('\n\n<pasted_content id="dc85">\nline one\nline two\n</pasted_content id="dc85">\n'),
    user('<system-reminder>secret</system-reminder>what I typed'),
  ], {});
  assert.equal(events.map((e) => e.kind), ['apiError', 'commandOutput', 'prompt', 'prompt', 'prompt']);
  assert.is((events[0] as { text: string }).text, 'API Error: 529 Overloaded. Try again.');
  assert.is((events[1] as { text: string }).text, 'Total cost: $0.00');
  assert.equal(texts(events, 'prompt'), ['/compact keep tests', 'line one\nline two', 'what I typed']);
});
edge('bash mode: what the person typed after ! is a command, its output a command\'s output', () => {
  const { events } = parseLines([
    user('<bash-input>ls -a</bash-input>'),
    user('<bash-stdout>one\ntwo</bash-stdout><bash-stderr>warn</bash-stderr>'),
    user('<command-name>/compact</command-name>\n<command-message>compact</command-message>\n<command-args></command-args>'),
  ], {});
  assert.equal(events.map((e) => [e.kind, (e as { text: string }).text, (e as { command?: true }).command]), [
    ['prompt', '!ls -a', true], ['commandOutput', 'one\ntwo\nwarn', undefined], ['prompt', '/compact', true],
  ]);
});
edge('/compact as 2.1.328 writes it: its summary is no prompt, its output is one short line', () => {
  const { events } = parseLines([
    entry({ type: 'system', subtype: 'compact_boundary', content: 'Conversation compacted', level: 'info' }),
    user('This session is being continued from a previous conversation.\n\nok: <local-command-stdout>old</local-command-stdout>',
      { isVisibleInTranscriptOnly: true, isCompactSummary: true }),
    user('<command-name>/compact</command-name>\n            <command-message>compact</command-message>'),
    user('<local-command-stdout>\u001b[2mCompacted (ctrl+o to see full summary)\u001b[22m</local-command-stdout>'),
  ], {});
  assert.equal(events.map((e) => [e.kind, (e as { text: string }).text]), [['prompt', '/compact'], ['commandOutput', 'Compacted']]);
});
edge('Claude Code\'s own title (an ai-title entry, as 2.1.328 writes it) is a title event; other metadata is not', () => {
  const sid = 'a7d83863-7f52-4c13-953c-1c14fc1c87e0';
  const { events, malformed } = parseLines([
    JSON.stringify({ type: 'custom-title', customTitle: 'by hand', sessionId: sid }),
    JSON.stringify({ type: 'ai-title', aiTitle: 'Scripted session', sessionId: sid }),
    JSON.stringify({ type: 'ai-title', aiTitle: 7, sessionId: sid }),
  ], {});
  assert.equal(events, [{ kind: 'title', text: 'Scripted session', uuid: '', at: 0 }]);
  assert.is(malformed, 0);
});
edge('a streamed assistant entry without stop_reason is content, not a turn end; tool_use is not an end either', () => {
  const { events } = parseLines([assistant([{ type: 'text', text: 'part' }], null), assistant([{ type: 'tool_use', id: 't', name: 'Bash', input: {} }], 'tool_use')], {});
  assert.equal(kinds(events, 'turnEnd'), []);
});

const exchange = suite('lastExchange (Inspect, the switch preview)');
const exchangeOf = (lines: string[]) => lastExchange(parseLines(lines, {}).events);
const reply = (id: string, blocks: object[], extra: object = {}) =>
  entry({ type: 'assistant', message: { id, role: 'assistant', content: blocks }, ...extra });
const said = (text: string) => ({ type: 'text', text });
const LAST_CHUNKS = Array.from({ length: 15 }, (_, i) => `chunk ${i + 1} of 15.`).join(' ');

exchange('the real 2.1.328 transcript: the last typed prompt and the whole last answer', () => {
  assert.equal(exchangeOf(sample('transcript-startup.jsonl')), { prompt: 'slow: 3', answer: LAST_CHUNKS });
});
exchange('the resumed transcript ends with the prompt typed after --resume', () => {
  assert.equal(exchangeOf(sample('transcript-resumed.jsonl')), { prompt: 'echo: after resume', answer: 'after resume' });
});
exchange('the answer is the last API message, not the text Claude wrote before its tool calls', () => {
  const lines = sample('transcript-startup.jsonl');
  const multiEnds = lines.findIndex((l) => l.includes('multi done: ran echo'));
  assert.equal(exchangeOf(lines.slice(0, multiEnds + 1)), { prompt: 'multi', answer: 'multi done: ran echo and read a file.' });
});
exchange('ignores api-request-blob, tool results, meta, sidechain and Claude Code\'s own command entries', () => {
  const lines = [
    user('the real prompt'),
    reply('m1', [said('the real answer')]),
    JSON.stringify({ type: 'api-request-blob', message: { role: 'user', content: 'not typed (blob)' } }),
    user('not typed (meta)', { isMeta: true }),
    user('not typed (sidechain)', { isSidechain: true }),
    reply('m2', [said('a sub-agent talking')], { isSidechain: true }),
    user([{ type: 'tool_result', tool_use_id: 't1', content: 'a tool result' }]),
    user('<command-name>/clear</command-name>\n<command-message>clear</command-message>\n<command-args></command-args>'),
    user('<local-command-stdout></local-command-stdout>'),
    user([{ type: 'text', text: '[Request interrupted by user]' }]),
  ];
  assert.equal(exchangeOf(lines), { prompt: 'the real prompt', answer: 'the real answer' });
});
exchange('a prompt the person typed may start with <', () => {
  assert.is(exchangeOf([user('<div> renders twice, why?')]).prompt, '<div> renders twice, why?');
});
exchange('text blocks of one API message written as several entries are joined; a later message replaces them', () => {
  const tool = { type: 'tool_use', id: 't', name: 'Bash', input: {} };
  const oneMessage = [user('go'), reply('m1', [said('part one')]), reply('m1', [tool]), reply('m1', [said('part two')])];
  assert.is(exchangeOf(oneMessage).answer, 'part one\npart two');
  assert.is(exchangeOf([...oneMessage, reply('m2', [said('final')])]).answer, 'final');
});
exchange('a prompt without an answer yet has none (not the previous turn\'s)', () => {
  const lines = [user('first'), reply('m1', [said('first answer')]), user('second')];
  assert.equal(exchangeOf(lines), { prompt: 'second', answer: null });
});
exchange('torn, empty and non-JSON lines are skipped; a line cut at its front is never taken', () => {
  const lines = ['{"type":"user","mess', '', 'garbage', user('kept'), reply('m', [said('ok')]), '{"type":"assis'];
  assert.equal(exchangeOf(lines), { prompt: 'kept', answer: 'ok' });
  assert.equal(exchangeOf([user('cut off at the front').slice(10)]), { prompt: null, answer: null });
  assert.equal(exchangeOf(['']), { prompt: null, answer: null });
});

golden.run();
edge.run();
exchange.run();
