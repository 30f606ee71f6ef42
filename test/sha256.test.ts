/** sha256.cts against node:crypto: the map's prompt hashes must stay what they were when node:crypto made them. */
import { createHash, randomBytes } from 'node:crypto';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { sha256Hex } from '#ccbot/sha256.cjs';

const test = suite('sha256Hex');
const reference = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

test('known answers (FIPS 180-4 examples)', () => {
  assert.is(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.is(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('every length around the block and padding edges, multi-byte text, a megabyte', () => {
  for (let n = 0; n <= 130; n++) assert.is(sha256Hex('a'.repeat(n)), reference('a'.repeat(n)), `length ${n}`);
  for (const text of ['✻ Brewing… ❯ é 日本語 🙂', 'line\nline\r\n\ttab', '\u0000\uffff', 'x '.repeat(512 * 1024)]) {
    assert.is(sha256Hex(text), reference(text));
  }
  for (let i = 0; i < 50; i++) {
    const text = randomBytes(1 + i * 37).toString('latin1');
    assert.is(sha256Hex(text), reference(text));
  }
});

test.run();
