import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { backtickCloser, escapeHtml, inlineHtml, inlinePlain, runLength } from '#ccbot/markdown-inline.js';
import { parseTelegramHtml } from './telegram-html.js';

/** inlineHtml's output, checked by Telegram's HTML parser in strict mode on the way. */
function html(md: string): string {
  const out = inlineHtml(md);
  const parsed = parseTelegramHtml(out, { strict: true });
  if (!parsed.ok) assert.unreachable(`${parsed.error}\ninput: ${JSON.stringify(md)}\nhtml: ${JSON.stringify(out)}`);
  return out;
}

/** `*a _a *a … x … a* a_ a*`: emphasis nested `depth` deep. */
function nested(depth: number): string {
  const mark = (k: number) => (k % 2 ? '_' : '*');
  let md = '';
  for (let k = 0; k < depth; k++) md += `${mark(k)}a `;
  md += 'x';
  for (let k = depth - 1; k >= 0; k--) md += ` a${mark(k)}`;
  return md;
}

// ── escapeHtml ───────────────────────────────────────────────────────────────────────────────────────────────────

const escape = suite('escapeHtml');

escape('escapes the four characters Telegram HTML reserves, and nothing else', () => {
  assert.is(escapeHtml(`<b>&"'`), '&lt;b&gt;&amp;&quot;\'');
  assert.is(escapeHtml('&amp;'), '&amp;amp;');
});

// ── inlineHtml ───────────────────────────────────────────────────────────────────────────────────────────────────

const inline = suite('inlineHtml');

inline('renders emphasis as CommonMark does, strong inside emphasis for ***', () => {
  assert.is(html('**bold** and *it* and ***both***'), '<b>bold</b> and <i>it</i> and <i><b>both</b></i>');
  assert.is(html('snake_case_name and __init__'), 'snake_case_name and <b>init</b>');
});

inline('applies the rule of three: ** inside *a**b* stays as typed', () => {
  assert.is(html('*a**b*'), '<i>a**b</i>');
});

inline('keeps chat deviations: * between alphanumerics and a single ~ are literal, ~~ strikes', () => {
  assert.is(html('2*3*4 and a*b'), '2*3*4 and a*b');
  assert.is(html('~about~ ~~struck~~'), '~about~ <s>struck</s>');
});

inline('pairs code spans by exact backtick run length and strips one padding space', () => {
  assert.is(html('`a`b` `` x`y ``'), '<code>a</code>b<code> `` x</code>y ``');
  assert.is(html('` `` `'), '<code>``</code>');
});

inline('links only what Telegram keeps; other URLs follow their label as text', () => {
  assert.is(html('[docs](https://example.com/a_(b))'), '<a href="https://example.com/a_(b)">docs</a>');
  assert.is(html('[run](javascript:alert(1))'), 'run (javascript:alert(1))');
  assert.is(html('[http://x.io](ftp://x.io)'), 'http://x.io (ftp://x.io)');
});

inline('shows the URL as the label of an empty link', () => {
  assert.is(html('[](http://a.io)'), '<a href="http://a.io">http://a.io</a>');
});

inline('makes no link inside a link: the outer one stays as typed', () => {
  assert.is(
    html('[a](http://a.io) [b [c](http://c.io)](http://d.io)'),
    '<a href="http://a.io">a</a> [b <a href="http://c.io">c</a>](http://d.io)',
  );
});

inline('shows an image inside a link as text with its URL, code inside a link as text', () => {
  assert.is(html('[![img](http://i.io/p.png)](http://l.io)'), '<a href="http://l.io">img (http://i.io/p.png)</a>');
  assert.is(html('[`code`](http://a.io)'), '<a href="http://a.io">code</a>');
});

inline('links URI autolinks; leaves e-mail autolinks and mailto: as text for Telegram to find', () => {
  assert.is(html('<https://a.io/x>'), '<a href="https://a.io/x">https://a.io/x</a>');
  assert.is(html('<mailto:a@b.io> <a@b.io>'), 'mailto:a@b.io a@b.io');
});

inline('keeps bare URLs whole, so their _ and * do not become emphasis', () => {
  assert.is(html('see https://a.io/x_y_z*, then (https://b.io/q).'), 'see https://a.io/x_y_z*, then (https://b.io/q).');
});

inline('honours backslash escapes and escapes HTML in the text', () => {
  assert.is(html('\\*not\\* \\[x\\]'), '*not* [x]');
  assert.is(html('<b>&"'), '&lt;b&gt;&amp;&quot;');
});

inline('closes emphasis left open inside a link label as typed', () => {
  assert.is(html('[a *b](http://a.io) c*'), '<a href="http://a.io">a *b</a> c*');
});

inline('renders 16 levels of emphasis as tags and leaves deeper ones as typed, balanced', () => {
  const count = (s: string, tag: string) => s.split(tag).length - 1;
  const at16 = html(nested(16));
  assert.is(count(at16, '<i>'), 16);
  const at17 = html(nested(17));
  assert.is(count(at17, '<i>'), 16);
  assert.is(count(at17, '</i>'), 16);
  assert.ok(at17.includes('*a x a*'), at17);
});

// ── inlinePlain ──────────────────────────────────────────────────────────────────────────────────────────────────

const plain = suite('inlinePlain');

plain('drops markup and tags, keeps every URL readable after its label', () => {
  assert.is(inlinePlain('**bold** `code` [docs](https://e.com)'), 'bold code docs (https://e.com)');
  assert.is(inlinePlain('[](http://a.io)'), 'http://a.io');
});

plain('does not escape HTML (the caller escapes the whole drawn table)', () => {
  assert.is(inlinePlain('<b>&"'), '<b>&"');
});

// ── backtickCloser ───────────────────────────────────────────────────────────────────────────────────────────────

const closer = suite('backtickCloser');

closer('finds the next run of exactly the same length, or -1', () => {
  const src = 'a `` b ` c `` d ``';
  const find = backtickCloser(src);
  assert.is(find(2, 2), 11);
  assert.is(find(11, 2), 16);
  assert.is(find(7, 1), -1);
  assert.is(find(0, 3), -1);
});

closer('answers a long line of backtick runs, asked left to right, run by run', () => {
  const src = '` '.repeat(20_000) + '``'; // single runs at 0, 2, …, 39998; a double run at 40000
  const find = backtickCloser(src);
  let wrong = 0;
  for (let k = 0; k < 39_998; k += 2) if (find(k, 1) !== k + 2) wrong++;
  assert.is(wrong, 0);
  assert.is(find(39_998, 1), -1);
  assert.is(find(0, 2), 40_000);
  assert.is(find(40_000, 2), -1);
});

// ── runLength ────────────────────────────────────────────────────────────────────────────────────────────────────

const run = suite('runLength');

run('counts the run of the character at pos', () => {
  assert.is(runLength('```x', 0), 3);
  assert.is(runLength('a**b', 1), 2);
  assert.is(runLength('ab', 1), 1);
});

// ── purity ───────────────────────────────────────────────────────────────────────────────────────────────────────

const purity = suite('markdown-inline.ts, markdown-links.ts and markdown-table.ts');

// format.test.ts checks format.ts and split.ts; the files split out of format.ts are held to the same rule here.
purity('import nothing from node: (pure formatting, no I/O)', () => {
  for (const file of ['markdown-inline.js', 'markdown-links.js', 'markdown-table.js']) {
    const source = readFileSync(fileURLToPath(import.meta.resolve(`#ccbot/${file}`)), 'utf8');
    assert.not.match(source, /from ['"]node:|require\(/, file);
  }
});

escape.run();
inline.run();
plain.run();
closer.run();
run.run();
purity.run();
