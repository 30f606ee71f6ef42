import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { escapeHtml, htmlToPlain, renderMarkdown } from '#ccbot/format.js';

type RenderedMarkdown = ReturnType<typeof renderMarkdown>;
import { parseTelegramHtml } from './telegram-html.js';

/** Telegram's HTML parser in strict mode is the judge: it fails on anything Telegram would reject or alter. */
function assertValid(html: string, context: string): void {
  const parsed = parseTelegramHtml(html, { strict: true });
  if (!parsed.ok) assert.unreachable(`${parsed.error}\n${context}\nhtml: ${JSON.stringify(html)}`);
}

const html = (md: string) => {
  const out = renderMarkdown(md).html;
  assertValid(out, `input: ${JSON.stringify(md)}`);
  return out;
};

/** Markdown's own markup, which rendering may consume; everything else a person wrote must still be readable. */
const MARKUP = new Set([...'*_~`[]()<>#|-+=!\\:']);

/**
 * What a person can get at: the text, link targets (behind the link) and code languages, and documents. Counts, not
 * order: a wide table moves each header next to its values.
 */
function visibleCounts(out: RenderedMarkdown): Map<string, number> {
  const hrefs = [...out.html.matchAll(/<a href="([^"]*)">/g)].map((m) => htmlToPlain(m[1]!));
  const languages = [...out.html.matchAll(/class="language-([^"]*)"/g)].map((m) => m[1]!);
  return countChars([htmlToPlain(out.html), ...hrefs, ...languages, ...out.documents.map((d) => d.content)].join(' '));
}

function countChars(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const ch of text) if (!MARKUP.has(ch) && !/\s/.test(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  return counts;
}

/** A fence's info string is metadata (its language goes into a class, sanitised): not text a person reads. */
const withoutFenceInfo = (md: string) => md.replace(/^((?:[ \t]*>)*[ \t]*(?:`{3,}|~{3,}))[^\n]*/gm, '$1');

function assertNothingLost(md: string, out: RenderedMarkdown, context: string): void {
  const seen = visibleCounts(out);
  for (const [ch, count] of countChars(withoutFenceInfo(md.replace(/\r/g, '\n')))) {
    if ((seen.get(ch) ?? 0) < count) {
      assert.unreachable(`lost ${JSON.stringify(ch)} (${seen.get(ch) ?? 0} of ${count})\n${context}\nhtml: ${JSON.stringify(out.html)}`);
    }
  }
}

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** FUZZ_SEED=<n> reproduces a reported failure (each case's seed is printed with it). */
const BASE_SEED = Number(process.env['FUZZ_SEED'] ?? 20240611);

/** Heavy in Markdown metacharacters, plus what breaks naive code: surrogate pairs, ZWJ, RTL, CJK, CR. */
const ALPHABET = [
  ...'*_~`[]()<>&#|-> \n', ...'*_`[]\n ', '**', '__', '~~', '```', '~~~', '\n\n', '\r\n', '\r', '\t', '    ',
  '- ', '* ', '1. ', '> ', '# ', '## ', '| ', ' |', '|---|', ':', '!', '\\', '"', "'", '=', '+', '.', ',', ';',
  ...'0123456789', ...'abcxyzABC', 'snake_case', '2*3', 'word', 'http://', 'https://', 'example.com', 'mailto:',
  'javascript:', 'tg://', '&amp;', '&lt;', '&#', 'é', 'e\u0301', '😀', '👍🏽', '👨‍👩‍👧', '🇺🇦', '❤️', '\u200d', '\u200f',
  '中文', '字', 'ー', 'שלום', 'مرحبا', 'Привет', '\u00a0',
];

function randomMarkdown(rand: () => number, maxTokens: number): string {
  let md = '';
  const n = Math.floor(rand() * maxTokens);
  for (let k = 0; k < n; k++) md += ALPHABET[Math.floor(rand() * ALPHABET.length)];
  return md;
}

/** Answers shaped like Claude's: the real ones from the sample transcripts, then constructed ones. */
const SAMPLE_ANSWERS = [
  'hello',
  'ran: hi',
  'Let me run a command first.',
  'multi done: ran echo and read a file.',
  'answered: Your questions have been answered: "pick one?"="Beta". You can now continue with these answers in mind.',
  Array.from({ length: 15 }, (_, k) => `chunk ${k + 1} of 15. `).join(''),
  'after resume',
  [
    '## Summary', '', 'I fixed the bug in `parse_config()`: the `max_retries` value was read as a string, so',
    '`retries < max_retries` compared `"3" < 10`. **Two changes:**', '',
    '1. `src/config.ts` — parse it with `Number()` and reject `NaN`.',
    '2. `test/config.test.ts` — a case for `MAX_RETRIES=abc`.', '',
    '```ts', 'const maxRetries = Number(env.MAX_RETRIES ?? 3);', 'if (!Number.isInteger(maxRetries) || maxRetries < 0) {',
    '  return { ok: false, error: `MAX_RETRIES must be a whole number, got "${env.MAX_RETRIES}"` };', '}', '```', '',
    'All 214 tests pass (`npm test`). See [the docs](https://nodejs.org/api/process.html#processenv) for `process.env`.',
  ].join('\n'),
  [
    'Here is how the options compare:', '',
    '| Option | Speed | Memory | Notes |', '|:-------|------:|:------:|-------|',
    '| `--fast` | ~2× | high | skips **validation** |', '| `--safe` | 1× | low | default |',
    '| 中文选项 | 0.5× | 低 | 😀 emoji |', '', '> **Note:** `--fast` is _experimental_ and may change.',
  ].join('\n'),
  [
    'To set it up:', '', '1. Install the dependencies:', '   ```bash', '   npm ci', '   ```',
    '2. Create `.env` with:', '   - `TELEGRAM_BOT_TOKEN` — from @BotFather', '   - `ALLOWED_USERS` — your numeric id',
    '3. Run `npm start`.', '', '---', '', 'If something fails, check `journalctl -u ccbot -e`.',
  ].join('\n'),
  [
    '### Why it happens', '',
    'The regex `/(a+)+$/` backtracks exponentially on inputs like `aaaa…b`. In Python, `re.match(r"(a+)+$", s)`',
    'with `len(s) == 30` takes ~10 s. Use `2**n` as a rough cost estimate: 2*3*4 = 24 paths for n=3… roughly.',
    '', '* Avoid nested quantifiers', '* Prefer possessive / atomic groups', '+ Or use RE2', '',
    '~~The old workaround~~ no longer applies; see <https://github.com/google/re2/wiki/Syntax>.',
  ].join('\n'),
  [
    '问题在于 **缓存没有失效**。修改 `cache.ts` 后：', '', '- 第一次请求：命中 _旧_ 数据', '- 第二次请求：正常', '',
    'Проблема в том, что **кэш** не сбрасывается. Смотрите `invalidate()`.', '', 'שלום **עולם** — مرحبا بالعالم',
  ].join('\n'),
  ['```diff', '- const a = 1;', '+ const a = 2;', ' unchanged', '```', '', 'Applied the patch to `a.ts`.'].join('\n'),
];

// ── escapeHtml ───────────────────────────────────────────────────────────────────────────────────────────────────

const escape = suite('escapeHtml');

escape('escapes the four characters Telegram knows and nothing else', () => {
  assert.is(escapeHtml(`<a href="x">&amp;</a> 'é' 😀`), `&lt;a href=&quot;x&quot;&gt;&amp;amp;&lt;/a&gt; 'é' 😀`);
});

escape('round-trips through Telegram as the same text', () => {
  const text = '<b>&lt;&#60;&quot;"\'&</b>';
  const parsed = parseTelegramHtml(escapeHtml(text), { strict: true });
  assert.equal(parsed, { ok: true, text, entities: [] });
});

// ── renderMarkdown: golden cases ─────────────────────────────────────────────────────────────────────────────────

const golden = suite('renderMarkdown (golden)');

golden('turns headings into bold lines, dropping closing hashes; "#word" stays text', () => {
  assert.is(html('# Title\n\n## Sub ##\ntext\n#hashtag'), '<b>Title</b>\n\n<b>Sub</b>\ntext\n#hashtag');
  assert.is(html('Setext\n===\nand\n---'), '<b>Setext</b>\n<b>and</b>');
});

golden('renders bold, italic and strikethrough with both delimiter kinds', () => {
  assert.is(html('**b** __b__ *i* _i_ ~~s~~'), '<b>b</b> <b>b</b> <i>i</i> <i>i</i> <s>s</s>');
  assert.is(html('***both*** *a **b** c*'), '<i><b>both</b></i> <i>a <b>b</b> c</i>');
});

golden('keeps intraword underscores and arithmetic stars as typed', () => {
  assert.is(html('snake_case_name and my_var_'), 'snake_case_name and my_var_');
  assert.is(html('2*3*4 = 24, a*b*c, 2**10 and 3**4'), '2*3*4 = 24, a*b*c, 2**10 and 3**4');
  assert.is(html('~5 min, ~~~x~~~'), '~5 min, ~~~x~~~');
});

golden('renders inline code, including double-backtick spans that hold a backtick', () => {
  assert.is(html('run `npm test` now'), 'run <code>npm test</code> now');
  assert.is(html('`` a`b `` and ``` `` ```'), '<code>a`b</code> and <code>``</code>');
  assert.is(html('`<b>` & `*x*`'), '<code>&lt;b&gt;</code> &amp; <code>*x*</code>');
});

golden('renders fenced code with a language class, without one when there is none', () => {
  assert.is(html('```ts\nconst a = 1 < 2;\n```'), '<pre><code class="language-ts">const a = 1 &lt; 2;</code></pre>');
  assert.is(html('~~~\nplain\n  indented\n~~~'), '<pre>plain\n  indented</pre>');
  assert.is(html('````md\n```js\nx\n```\n````'), '<pre><code class="language-md">```js\nx\n```</code></pre>');
});

golden('sanitises the language token and runs an unclosed fence to the end', () => {
  assert.is(html('```c++ title="x"\nx\n```'), '<pre><code class="language-c++">x</code></pre>');
  assert.is(html('```a"b<c>&d\nx\n```'), '<pre><code class="language-abcd">x</code></pre>');
  assert.is(html('```"<>\nx\n```'), '<pre>x</pre>');
  assert.is(html('text\n```py\nprint(1)\n\nprint(2)'), 'text\n<pre><code class="language-py">print(1)\n\nprint(2)</code></pre>');
});

golden('links only URLs Telegram keeps as links; others read "text (url)"', () => {
  assert.is(html('[docs](https://example.com/a_b?x=1&y=2)'), '<a href="https://example.com/a_b?x=1&amp;y=2">docs</a>');
  assert.is(html('[me](tg://user?id=42) [home](http://localhost:3000/)'),
    '<a href="tg://user?id=42">me</a> <a href="http://localhost:3000/">home</a>');
  assert.is(html('[a](javascript:alert(1))'), 'a (javascript:alert(1))');
  assert.is(html('[mail](mailto:a@b.co) [f](file:///etc/passwd) [x](http://nohost)'),
    'mail (mailto:a@b.co) f (file:///etc/passwd) x (http://nohost)');
  assert.is(html('[](https://a.com) [https://a.com](https://a.com)'),
    '<a href="https://a.com">https://a.com</a> <a href="https://a.com">https://a.com</a>');
});

golden('renders autolinks; an email one as text for Telegram to detect', () => {
  assert.is(html('<https://x.org/a_b_> <a@b.co> <http://foo>'), '<a href="https://x.org/a_b_">https://x.org/a_b_</a> a@b.co http://foo');
});

golden('keeps bare URLs whole, their underscores and stars included', () => {
  assert.is(html('see https://example.com/_a_/*b* and (https://a.com/x_(y)_z).'),
    'see https://example.com/_a_/*b* and (https://a.com/x_(y)_z).');
  assert.is(html('**https://a.com/x**'), '<b>https://a.com/x</b>');
});

golden('draws bullet lists with nesting by indentation; numbered lists keep their numbers', () => {
  assert.is(html('- a\n* b\n+ c\n  - nested\n    - deeper\n      continued'),
    '• a\n• b\n• c\n  ◦ nested\n    ▪ deeper\n      continued');
  assert.is(html('1. one\n2) two\n10. ten\n   - sub'), '1. one\n2) two\n10. ten\n  ◦ sub');
  assert.is(html('- item\n\n  more about it\n\nafter'), '• item\n\n  more about it\n\nafter');
  assert.is(html('9. nine\n10. ten\n\n    about ten\n    and more'), '9. nine\n10. ten\n\n    about ten\n    and more');
});

golden('renders a fence inside a list item as a code block and carries on with the list', () => {
  assert.is(html('1. Install:\n   ```bash\n   npm ci\n     --quiet\n   ```\n2. Run'),
    '1. Install:\n<pre><code class="language-bash">npm ci\n  --quiet</code></pre>\n2. Run');
});

golden('renders quotes as blockquotes; a nested quote is marked by lines, since Telegram cannot nest them', () => {
  assert.is(html('> a **b**\n> - item\n\nafter'), '<blockquote>a <b>b</b>\n• item</blockquote>\n\nafter');
  assert.is(html('> outer\n> > inner\n> > > deepest'), '<blockquote>outer\n│ inner\n│ │ deepest</blockquote>');
  assert.is(html('> ```js\n> x\n> ```'), '<blockquote><pre><code class="language-js">x</code></pre></blockquote>');
});

golden('renders horizontal rules as a line of dashes', () => {
  for (const rule of ['---', '***', '___', '- - -', ' * * * ']) assert.is(html(`a\n\n${rule}\n\nb`), 'a\n\n——————————\n\nb');
});

golden('renders a GFM table as an aligned monospace grid, markup reduced to text', () => {
  const md = '| Name | Qty | Note |\n|:-----|----:|:----:|\n| **Alice** | 3 | [x](https://a.com) |\n| `b\\|c` | 12 | ok |';
  assert.is(html(md), [
    '<pre>Name  │ Qty │       Note',
    '──────┼─────┼──────────────────',
    'Alice │   3 │ x (https://a.com)',
    'b|c   │  12 │        ok</pre>',
  ].join('\n'));
});

golden('measures table columns by display width: CJK and emoji take two columns', () => {
  assert.is(html('| a | b |\n|---|---|\n| 中文 | x |\n| 😀 | y |\n| 👨‍👩‍👧 | z |'),
    '<pre>a    │ b\n─────┼──\n中文 │ x\n😀   │ y\n👨‍👩‍👧   │ z</pre>');
});

golden('keeps a pipe inside a code span in one cell, and extra cells instead of dropping them', () => {
  assert.is(html('| op | meaning |\n|---|---|\n| `a || b` | or | extra |'),
    '<pre>op     │ meaning │\n───────┼─────────┼──────\na || b │ or      │ extra</pre>');
});

golden('degrades a table wider than a phone to "header: value" lines', () => {
  const md = [
    '| Option | Description | Default |', '|---|---|---|',
    '| `--flag` | Does a **thing** that takes a long sentence to explain | none |', '| `-q` | Quiet | |',
  ].join('\n');
  assert.is(html(md), [
    '<b>Option</b>: --flag', '<b>Description</b>: Does a thing that takes a long sentence to explain', '<b>Default</b>: none',
    '', '<b>Option</b>: -q', '<b>Description</b>: Quiet',
  ].join('\n'));
});

golden('escapes everything else, HTML included', () => {
  assert.is(html('<b>hi</b> & "q" <br>'), '&lt;b&gt;hi&lt;/b&gt; &amp; &quot;q&quot; &lt;br&gt;');
});

golden('returns no documents when every code block fits', () => {
  assert.equal(renderMarkdown('```ts\nx\n```').documents, []);
});

// ── renderMarkdown: adversarial input ────────────────────────────────────────────────────────────────────────────

const adversarial = suite('renderMarkdown (adversarial)');

adversarial('leaves unbalanced and stray delimiters as typed', () => {
  assert.is(html('**unbalanced'), '**unbalanced');
  assert.is(html('a ** b ** c'), 'a ** b ** c');
  assert.is(html('`stray and ``also'), '`stray and ``also');
  assert.is(html('**bold *mixed** end*'), '<i><i>bold <i>mixed</i></i> end</i>'); // as CommonMark's reference has it
  assert.is(html('*a **b*'), '*a *<i>b</i>');
  assert.is(html('[unclosed (link](https://a.com'), '[unclosed (link](https://a.com');
});

adversarial('escapes a script tag instead of passing it through', () => {
  assert.is(html('<script>alert(1)</script>'), '&lt;script&gt;alert(1)&lt;/script&gt;');
});

adversarial('shows entity-like text exactly as typed', () => {
  const out = html('&amp; &lt;b&gt; &#60; &quot; &copy;');
  assert.is(htmlToPlain(out), '&amp; &lt;b&gt; &#60; &quot; &copy;');
  assert.is(htmlToPlain(html('`&amp;`')), '&amp;');
});

adversarial('never links javascript: or data: URLs, whatever their case or escapes', () => {
  for (const md of ['[a](javascript:alert(1))', '[a](JAVASCRIPT:alert(1))', '[a](<javascript:alert(1)>)',
    '<javascript:alert(1)>', '[a](data:text/html,<b>)', '[a](java\\script:x)', '[a]( https://a.com/ x)']) {
    assert.not.match(html(md), '<a ', md);
  }
});

adversarial('keeps emoji, surrogate pairs, RTL text and zero-width joiners intact', () => {
  const text = '👨‍👩‍👧 👍🏽 🇺🇦 ❤️ שלום עולם مرحبا a\u200db \u200f';
  assert.is(htmlToPlain(html(text)), text);
  assert.is(html('**👨‍👩‍👧** _שלום_'), '<b>👨‍👩‍👧</b> <i>שלום</i>');
});

adversarial('replaces lone surrogates, which cannot be sent, with U+FFFD', () => {
  assert.is(html('a\uD83Db \uDE00c'), 'a\uFFFDb \uFFFDc');
});

adversarial('keeps nested emphasis properly nested', () => {
  assert.is(html('***a** b*'), '<i><b>a</b> b</i>');
  assert.is(html('**a *b* c**'), '<b>a <i>b</i> c</b>');
  assert.is(html('~~a **b** c~~'), '<s>a <b>b</b> c</s>');
  assert.is(html('*[**x**](https://a.com)*'), '<i><a href="https://a.com"><b>x</b></a></i>');
});

adversarial('never puts a link or code inside a link (Telegram would drop one)', () => {
  assert.is(html('[`code` here](https://a.com)'), '<a href="https://a.com">code here</a>');
  assert.is(html('[<https://b.com>](https://a.com)'), '<a href="https://a.com">https://b.com</a>');
  assert.is(html('[[a](https://x.com)](https://y.com)'), '[<a href="https://x.com">a</a>](https://y.com)');
  assert.is(html('[![alt](https://i.com/p.png)](https://c.com)'), '<a href="https://c.com">alt (https://i.com/p.png)</a>');
});

adversarial('handles CRLF and lone CR line endings as newlines', () => {
  assert.is(html('# T\r\n\r\n- a\r\n- b\rc'), '<b>T</b>\n\n• a\n• b\n  c');
  assert.is(html('```\r\ncode\r\n```'), '<pre>code</pre>');
});

adversarial('keeps what deep nesting would cost as typed text', () => {
  const quotes = html('>'.repeat(50) + ' deep');
  assert.match(htmlToPlain(quotes), '> deep');
  const emphasis = html('*a '.repeat(40) + 'x' + ' a*'.repeat(40));
  assert.ok((emphasis.match(/<i>/g) ?? []).length <= 16);
  assert.is(htmlToPlain(emphasis).replace(/[*\s]/g, ''), `${'a'.repeat(40)}x${'a'.repeat(40)}`);
});

adversarial('finishes on 20,000 stars, brackets, backticks and other pathological runs', () => {
  // Asserted by not timing out: the parser is linear (no backtracking regexes, no rescans).
  for (const md of ['*'.repeat(20000), '['.repeat(20000), '['.repeat(20000) + ']'.repeat(20000), '*a '.repeat(20000),
    '_a_ '.repeat(20000), '`'.repeat(20000), '` `` '.repeat(5000), '[a]('.repeat(20000), '<http:'.repeat(5000),
    'https://' + ')'.repeat(20000), '>'.repeat(20000), '```\n'.repeat(20000), `# ${' '.repeat(20000)}x`,
    ('|'.repeat(100) + '\n').repeat(200)]) {
    const out = renderMarkdown(md);
    assertValid(out.html, `input: ${JSON.stringify(md.slice(0, 40))}…`);
  }
});

// ── renderMarkdown: code preview ─────────────────────────────────────────────────────────────────────────────────

const preview = suite('renderMarkdown (code preview)');

preview('cuts a 500-line block to a preview and sends the whole block as a document', () => {
  const lines = Array.from({ length: 500 }, (_, k) => `line ${k + 1};`);
  const out = renderMarkdown(`Before\n\n\`\`\`ts\n${lines.join('\n')}\n\`\`\`\n\nAfter`);
  assertValid(out.html, '500-line block');
  assert.equal(out.documents, [{ filename: 'code-1.ts', content: `${lines.join('\n')}\n` }]);
  assert.is(out.html, `Before\n\n<pre><code class="language-ts">${lines.slice(0, 30).join('\n')}</code></pre>\n` +
    '<i>… 470 more lines: full block sent as a file, code-1.ts</i>\n\nAfter');
});

preview('cuts a block over the character limit too, numbering documents in order', () => {
  const wide = Array.from({ length: 20 }, () => 'x'.repeat(200)).join('\n');
  const out = renderMarkdown(`\`\`\`\n${wide}\n\`\`\`\n\n\`\`\`python\n${'y'.repeat(5000)}\n\`\`\``);
  assertValid(out.html, 'wide blocks');
  assert.equal(out.documents.map((d) => d.filename), ['code-1.txt', 'code-2.py']);
  assert.is(out.documents[1]!.content, `${'y'.repeat(5000)}\n`);
  assert.ok(htmlToPlain(out.html).length < 3500);
  assert.match(out.html, '… 13 more lines: full block sent as a file, code-1.txt');
  assert.match(out.html, '… 1 more line: full block sent as a file, code-2.py');
});

preview('honours maxCodeLines and maxCodeChars', () => {
  const code = '```\na\nb\nc\n```';
  assert.is(renderMarkdown(code, { maxCodeLines: 3 }).documents.length, 0);
  assert.is(renderMarkdown(code, { maxCodeLines: 2 }).html, '<pre>a\nb</pre>\n<i>… 1 more line: full block sent as a file, code-1.txt</i>');
  assert.is(renderMarkdown(code, { maxCodeChars: 4 }).documents.length, 1);
  assert.is(renderMarkdown('```constructor\na\nb\n```', { maxCodeLines: 1 }).documents[0]!.filename, 'code-1.txt');
});

// ── renderMarkdown: fuzz ─────────────────────────────────────────────────────────────────────────────────────────

const fuzz = suite('renderMarkdown (fuzz)');

function fuzzCase(seed: number, md: string, check: (out: RenderedMarkdown) => void): void {
  let out: RenderedMarkdown;
  try {
    out = renderMarkdown(md);
    check(out);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(`seed ${seed} (FUZZ_SEED=${BASE_SEED}): ${message}\ninput: ${JSON.stringify(md)}`, { cause: err });
  }
}

fuzz('renders 5,000 random metacharacter strings to valid HTML that loses no character', () => {
  for (let k = 0; k < 5000; k++) {
    const seed = BASE_SEED + k;
    const md = randomMarkdown(prng(seed), 60);
    fuzzCase(seed, md, (out) => {
      const parsed = parseTelegramHtml(out.html, { strict: true });
      if (!parsed.ok) {
        assert.unreachable(`${parsed.error}\nhtml: ${JSON.stringify(out.html)}`);
        return;
      }
      assert.is(htmlToPlain(out.html), parsed.text, 'htmlToPlain reads what Telegram shows');
      assertNothingLost(md, out, `seed ${seed}`);
    });
  }
});

fuzz('renders 1,000 random concatenations of sample answers, sliced at random points', () => {
  for (let k = 0; k < 1000; k++) {
    const seed = BASE_SEED + 100000 + k;
    const rand = prng(seed);
    let md = '';
    for (let n = 1 + Math.floor(rand() * 6); n > 0; n--) {
      const answer = SAMPLE_ANSWERS[Math.floor(rand() * SAMPLE_ANSWERS.length)]!;
      // A slice cuts through fences, tables and emphasis, as a streamed answer would.
      const from = rand() < 0.3 ? Math.floor(rand() * answer.length) : 0;
      md += answer.slice(from) + (rand() < 0.7 ? '\n\n' : rand() < 0.5 ? '\n' : '');
    }
    fuzzCase(seed, md, (out) => {
      assertValid(out.html, `seed ${seed}`);
      assertNothingLost(md, out, `seed ${seed}`);
    });
  }
});

fuzz('renders every sample answer to valid HTML that loses nothing', () => {
  for (const md of SAMPLE_ANSWERS) {
    const out = renderMarkdown(md);
    assertValid(out.html, md);
    assertNothingLost(md, out, md);
  }
});

// ── displayWidth ─────────────────────────────────────────────────────────────────────────────────────────────────

const width = suite('displayWidth');

/** The columns a table gives a cell: the width of its column's rule, under a one-character header. */
function displayWidth(cell: string): number {
  const rule = htmlToPlain(renderMarkdown(`| h | x |\n|---|---|\n| ${cell} | y |`).html).split('\n')[1]!;
  return rule.indexOf('┼') - 1;
}

width('a table counts CJK and emoji as two columns, combining marks and joiners as none', () => {
  assert.is(displayWidth('abc'), 3);
  assert.is(displayWidth('中文'), 4);
  assert.is(displayWidth('😀'), 2);
  assert.is(displayWidth('👨‍👩‍👧'), 2);
  assert.is(displayWidth('👍🏽'), 2);
  assert.is(displayWidth('🇺🇦'), 2);
  assert.is(displayWidth('❤️'), 2);
  assert.is(displayWidth('e\u0301'), 1);
  assert.is(displayWidth('שלום'), 4);
});

// ── purity ───────────────────────────────────────────────────────────────────────────────────────────────────────

const purity = suite('format.ts and split.ts');

purity('import nothing from node: (pure formatting, no I/O)', () => {
  for (const file of ['format.js', 'split.js']) {
    const source = readFileSync(fileURLToPath(import.meta.resolve(`#ccbot/${file}`)), 'utf8');
    assert.not.match(source, /from ['"]node:|require\(/, file);
  }
});

escape.run();
golden.run();
adversarial.run();
preview.run();
fuzz.run();
width.run();
purity.run();
