import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { NetworkError, ParseError, TelegramApiError, TimeoutError } from 'node-telegram-bot-api';
import { classifyFailure } from '#ccbot/telegram-failure.js';

const helpers = suite('classifyFailure');

const bad = (description: string) => new TelegramApiError(400, `Bad Request: ${description}`);
const withCode = (code: string) => Object.assign(new Error(code), { code });

helpers('names Telegram\'s texts, and only for 400s', () => {
  assert.is(classifyFailure(bad("can't parse entities: Unexpected end tag at byte offset 5")), 'unparsable');
  assert.is(classifyFailure(bad('message is not modified: specified new message content and reply markup are exactly the same')), 'not-modified');
  for (const gone of ['message to edit not found', "message can't be edited", 'message to delete not found', 'MESSAGE_ID_INVALID']) {
    assert.is(classifyFailure(bad(gone)), 'gone', gone);
  }
  assert.is.not(classifyFailure(bad('chat not found')), 'gone');
  assert.is.not(classifyFailure(new TelegramApiError(403, "can't parse entities")), 'unparsable');
  assert.is.not(classifyFailure(new Error('message is not modified')), 'not-modified');
});

helpers('classifyFailure tells a connection never made from one that may have reached Telegram', () => {
  const fetchFailed = (cause: unknown) => new NetworkError('Network request failed: sendMessage', { cause: new TypeError('fetch failed', { cause }) });
  assert.is(classifyFailure(fetchFailed(withCode('ECONNREFUSED'))), 'network');
  assert.is(classifyFailure(fetchFailed(withCode('ENOTFOUND'))), 'network');
  assert.is(classifyFailure(fetchFailed(withCode('EAI_AGAIN'))), 'network');
  assert.is(classifyFailure(fetchFailed(new AggregateError([withCode('ENETUNREACH'), withCode('EHOSTUNREACH')]))), 'network');
  assert.is(classifyFailure(fetchFailed(withCode('ECONNRESET'))), 'uncertain');
  assert.is(classifyFailure(fetchFailed(withCode('UND_ERR_SOCKET'))), 'uncertain');
  assert.is(classifyFailure(new TimeoutError('Request timed out: sendMessage')), 'uncertain');
  assert.is(classifyFailure(new ParseError('Invalid JSON in response to sendMessage')), 'uncertain');
  // What fetch throws when the request's own signal ends it: a deadline, or ccbot stopping.
  assert.is(classifyFailure(new DOMException('The operation was aborted due to timeout', 'TimeoutError')), 'uncertain');
  assert.is(classifyFailure(new DOMException('This operation was aborted', 'AbortError')), 'uncertain');
  assert.is(classifyFailure(new NetworkError('Server error 502 on sendMessage')), 'server');
  assert.is(classifyFailure(new TelegramApiError(502, 'Bad Gateway')), 'server');
  assert.is(classifyFailure(new TelegramApiError(429, 'Too Many Requests', { retry_after: 3 })), 'rate-limited');
  assert.is(classifyFailure(bad('chat not found')), 'rejected');
  assert.is(classifyFailure(new TypeError('x is not a function')), undefined);
});

helpers.run();
