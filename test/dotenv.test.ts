import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parseDotEnv } from '#ccbot/dotenv.cjs';

const parse = suite('parseDotEnv');

parse('reads KEY=value with whitespace around the key and the =', () => {
  assert.equal(parseDotEnv('A=1\n  B  =  two words  \n\tC\t=\tthree'), { A: '1', B: 'two words', C: 'three' });
});

parse('keeps = inside values', () => {
  assert.equal(parseDotEnv('URL=https://example.org/?a=b&c=d=e\nEQ=='), { URL: 'https://example.org/?a=b&c=d=e', EQ: '=' });
});

parse('accepts an export prefix', () => {
  assert.equal(parseDotEnv('export A=1\nexport   B="2"'), { A: '1', B: '2' });
});

parse('skips comment lines and blank lines', () => {
  assert.equal(parseDotEnv('# A=commented out\n\n   \n  # indented comment\nB=1\n'), { B: '1' });
});

parse('ends an unquoted value at whitespace + #, but keeps a # inside a word', () => {
  assert.equal(parseDotEnv('A=value # note\nB=a#b\nC= # only a comment\nD=x\t# tab comment'), { A: 'value', B: 'a#b', C: '', D: 'x' });
});

parse('takes single-quoted values literally', () => {
  assert.equal(parseDotEnv(`A='  spaced \\n "dq" # not a comment  ' # comment`), { A: '  spaced \\n "dq" # not a comment  ' });
});

parse('unescapes \\n, \\" and \\\\ in double-quoted values and keeps other backslashes', () => {
  assert.equal(parseDotEnv('A="line1\\nline2 \\"q\\" back\\\\slash \\t # kept" # comment'), { A: 'line1\nline2 "q" back\\slash \\t # kept' });
});

parse('reads empty values', () => {
  assert.equal(parseDotEnv(`A=\nB=""\nC=''`), { A: '', B: '', C: '' });
});

parse('handles CRLF line endings and a byte order mark', () => {
  assert.equal(parseDotEnv('\uFEFFA=1\r\nB="two"\r\n# c\r\nC=3 # x\r\n'), { A: '1', B: 'two', C: '3' });
});

parse('ignores lines that are not assignments', () => {
  assert.equal(parseDotEnv('just words\n=novalue\n1BAD=x\nexport\nexport NOEQ\nGOOD=1'), { GOOD: '1' });
});

parse('takes an unclosed quote literally', () => {
  assert.equal(parseDotEnv(`A='abc\nB="def`), { A: "'abc", B: '"def' });
});

parse('lets the last assignment win', () => {
  assert.equal(parseDotEnv('A=1\nA=2'), { A: '2' });
});

parse('stores __proto__ as a plain key without touching the prototype', () => {
  const out = parseDotEnv('__proto__=x\nA=1');
  assert.is(Object.getPrototypeOf(out), Object.prototype);
  assert.ok(Object.hasOwn(out, '__proto__'));
  assert.is(out.A, '1');
});

parse.run();
