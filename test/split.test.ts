import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { renderMarkdown } from '#ccbot/format.js';
import { htmlToPlain, splitHtml } from '#ccbot/split.js';
import { parseTelegramHtml } from './telegram-html.js';

/** Each part: valid for Telegram (strict), text within the limit, not blank; what it reads, for joining back. */
function partTexts(parts: string[], limit: number, context: string): string[] {
  return parts.map((part, k) => {
    const parsed = parseTelegramHtml(part, { strict: true });
    if (!parsed.ok) return assert.unreachable(`part ${k}: ${parsed.error}\n${context}\npart: ${JSON.stringify(part)}`) as never;
    if (parsed.text.length > limit) assert.unreachable(`part ${k} reads ${parsed.text.length} > ${limit}\n${context}`);
    if (parsed.text.trim() === '') assert.unreachable(`part ${k} is blank\n${context}`);
    if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(part)) {
      assert.unreachable(`part ${k} has half a surrogate pair\n${context}`);
    }
    return parsed.text;
  });
}

/**
 * The splitter's promise: the original text is the parts' texts in order with only whitespace between them (the
 * newlines or spaces at each cut, and any whitespace-only stretch) and around them.
 */
function assertJoinsBack(whole: string, pieces: string[], context: string): void {
  let at = 0;
  for (const [k, piece] of pieces.entries()) {
    const found = whole.indexOf(piece, at);
    if (found < 0 || whole.slice(at, found).trim() !== '') {
      assert.unreachable(`part ${k} does not follow part ${k - 1} with only whitespace between\n${context}`);
    }
    at = found + piece.length;
  }
  if (whole.slice(at).trim() !== '') assert.unreachable(`text after the last part is lost\n${context}`);
}

function assertSplits(html: string, limit: number, context = ''): string[] {
  const parts = splitHtml(html, limit);
  const texts = partTexts(parts, limit, context);
  assertJoinsBack(htmlToPlain(html), texts, context);
  return parts;
}

/** mulberry32, as in format.test.ts: the same sequence for the same seed everywhere. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const BASE_SEED = Number(process.env['FUZZ_SEED'] ?? 20240611);

/** A long answer the way Claude writes one: prose with markup, lists, code blocks (some long), tables, quotes. */
function longAnswer(rand: () => number, targetChars: number): string {
  const pick = <T>(items: T[]): T => items[Math.floor(rand() * items.length)]!;
  const words = ['the', 'config', '`parse()`', '**bold**', '_note_', 'file', 'каталог', '文件', '😀', 'a&b', '<tag>',
    '[docs](https://example.com/a_b)', 'value', 'retries', '~~old~~', 'https://nodejs.org/api', 'x < y'];
  const sentence = () => Array.from({ length: 4 + Math.floor(rand() * 14) }, () => pick(words)).join(' ') + '.';
  const blocks = [
    () => `## ${sentence()}`,
    () => Array.from({ length: 1 + Math.floor(rand() * 5) }, sentence).join(' '),
    () => Array.from({ length: 2 + Math.floor(rand() * 6) }, (_, k) => `${rand() < 0.5 ? '-' : `${k + 1}.`} ${sentence()}`).join('\n'),
    () => `\`\`\`${pick(['ts', 'bash', '', 'py'])}\n${Array.from({ length: 3 + Math.floor(rand() * (rand() < 0.2 ? 300 : 20)) }, (_, k) =>
      `${'  '.repeat(k % 3)}const v${k} = fn(${k}, "<&>"); // ${pick(words)}`).join('\n')}\n\`\`\``,
    () => ['| Name | Value | Note |', '|---|--:|---|', ...Array.from({ length: 2 + Math.floor(rand() * 30) }, (_, k) =>
      `| item ${k} | ${k * 7} | ${pick(['ok', 'fails', '中文', '😀'])} |`)].join('\n'),
    () => `> ${sentence()}\n> ${sentence()}`,
  ];
  let md = '';
  while (md.length < targetChars) md += `${pick(blocks)()}\n\n`;
  return md;
}

// ── htmlToPlain ──────────────────────────────────────────────────────────────────────────────────────────────────

const plain = suite('htmlToPlain');

plain('removes tags and decodes the entities Telegram decodes', () => {
  assert.is(htmlToPlain('<b>a&lt;b&gt;&amp;&quot;</b><a href="https://a.com/?x=1&amp;y=2">l</a>&#60;&#x3C;&#128512;&lt'), 'a<b>&"l<<😀<');
  assert.is(htmlToPlain('<pre><code class="language-ts">x &gt; 1</code></pre>'), 'x > 1');
});

plain('keeps what Telegram would show as typed: unknown entities, invalid numbers, stray "<"', () => {
  assert.is(htmlToPlain('&copy; &nbsp; &#0; &#xD800; & a < b > c'), '&copy; &nbsp; &#0; &#xD800; & a < b > c');
  assert.is(htmlToPlain('<b>unclosed <i'), 'unclosed <i');
  assert.is(htmlToPlain('&constructor; &toString'), '&constructor; &toString'); // not Object.prototype's names
});

// ── splitHtml ────────────────────────────────────────────────────────────────────────────────────────────────────

const split = suite('splitHtml');

split('returns HTML that fits as is, and nothing for blank HTML', () => {
  assert.equal(splitHtml('<b>hi</b>'), ['<b>hi</b>']);
  assert.equal(splitHtml(' x '.repeat(1365)), [' x '.repeat(1365)]); // 4095 characters: the default limit is 4096
  assert.equal(splitHtml(''), []);
  assert.equal(splitHtml('<b> \n </b>'), []);
});

split('measures the text a person reads, not the markup', () => {
  const html = `<b>${'&amp;'.repeat(100)}</b>`;
  assert.equal(splitHtml(html, 100), [html]);
  assert.is(splitHtml(html, 99).length, 2);
});

split('cuts at a paragraph break in the second half rather than at a later line break', () => {
  const html = `${'a'.repeat(60)}\n\n${'b'.repeat(30)}\n${'c'.repeat(30)}`;
  assert.equal(assertSplits(html, 100), ['a'.repeat(60), `${'b'.repeat(30)}\n${'c'.repeat(30)}`]);
});

split('cuts at a line break when the only paragraph break is early', () => {
  const html = `${'a'.repeat(20)}\n\n${'b'.repeat(50)}\n${'c'.repeat(50)}`;
  assert.equal(assertSplits(html, 100), [`${'a'.repeat(20)}\n\n${'b'.repeat(50)}`, 'c'.repeat(50)]);
});

split('cuts an overlong line at a space, then hard when there is none', () => {
  assert.equal(assertSplits('word '.repeat(50), 100), ['word '.repeat(20).trim(), 'word '.repeat(20).trim(), 'word '.repeat(10)]);
  assert.equal(assertSplits('x'.repeat(250), 100), ['x'.repeat(100), 'x'.repeat(100), 'x'.repeat(50)]);
});

split('never cuts between the halves of a surrogate pair', () => {
  const parts = assertSplits('😀'.repeat(150), 101);
  assert.equal(parts, ['😀'.repeat(50), '😀'.repeat(50), '😀'.repeat(50)]);
});

split('never cuts inside an entity, even one that reads as two code units', () => {
  assert.equal(assertSplits('&lt;'.repeat(30), 7), ['&lt;'.repeat(7), '&lt;'.repeat(7), '&lt;'.repeat(7), '&lt;'.repeat(7), '&lt;'.repeat(2)]);
  assert.equal(assertSplits('&#128512;'.repeat(9), 5), ['&#128512;&#128512;', '&#128512;&#128512;', '&#128512;&#128512;', '&#128512;&#128512;', '&#128512;']);
});

split('closes the tags open at a cut and reopens them, attributes and all, in the next part', () => {
  const code = Array.from({ length: 300 }, (_, k) => `const v${k} = ${k};`).join('\n');
  const parts = assertSplits(`<pre><code class="language-ts">${code}</code></pre>`, 1000);
  assert.ok(parts.length >= 5);
  for (const part of parts) {
    assert.ok(part.startsWith('<pre><code class="language-ts">') && part.endsWith('</code></pre>'), part.slice(0, 60));
    assert.is(parseTelegramHtml(part).ok && (parseTelegramHtml(part) as { entities: { language?: string }[] }).entities[0]?.language, 'ts');
  }
  const quoted = assertSplits(`<blockquote expandable><b>x <i>${'y '.repeat(80)}</i></b></blockquote>`, 100);
  assert.ok(quoted[1]!.startsWith('<blockquote expandable><b><i>'), quoted[1]);
  const linked = assertSplits(`<a href="https://a.com/?a=1&amp;b=2">${'link '.repeat(40)}</a>`, 100);
  assert.ok(linked.every((part) => part.startsWith('<a href="https://a.com/?a=1&amp;b=2">') && part.endsWith('</a>')));
});

split('leaves tags closing at a cut in the part before, and opening ones in the part after', () => {
  const html = `<b>${'a'.repeat(60)}</b>\n\n<i>${'b'.repeat(60)}</i>`;
  assert.equal(assertSplits(html, 100), [`<b>${'a'.repeat(60)}</b>`, `<i>${'b'.repeat(60)}</i>`]);
});

split('drops a part that would read as whitespace only', () => {
  const parts = assertSplits(`${'a'.repeat(50)}${'\t'.repeat(300)}${'b'.repeat(50)}`, 100);
  assert.equal(parts, [`${'a'.repeat(50)}${'\t'.repeat(50)}`, `${'\t'.repeat(50)}${'b'.repeat(50)}`]);
});

split('rejects a limit too small to hold a surrogate pair', () => {
  assert.throws(() => splitHtml('abc', 1), /limit must be an integer ≥ 2/);
  assert.throws(() => splitHtml('abc', 2.5), RangeError);
});

// ── splitHtml: long renders and fuzz ─────────────────────────────────────────────────────────────────────────────

const long = suite('splitHtml (long renders)');

long('splits 10 KB and 50 KB answers with code blocks and tables into valid parts that join back', () => {
  for (const [seed, size] of [[BASE_SEED, 10_000], [BASE_SEED + 1, 50_000], [BASE_SEED + 2, 50_000]] as const) {
    const { html } = renderMarkdown(longAnswer(prng(seed), size), { maxCodeLines: 10_000, maxCodeChars: 1_000_000 });
    const parts = assertSplits(html, 4096, `seed ${seed} (FUZZ_SEED=${BASE_SEED})`);
    assert.ok(parts.length >= Math.ceil(htmlToPlain(html).length / 4096), `seed ${seed}: ${parts.length} parts`);
  }
});

long('splits inside a code block longer than a message, keeping its language on every part', () => {
  const code = Array.from({ length: 600 }, (_, k) => `    line(${k}); // <&>`).join('\n');
  const { html } = renderMarkdown(`Intro\n\n\`\`\`js\n${code}\n\`\`\`\n\nOutro`, { maxCodeLines: 1000, maxCodeChars: 100_000 });
  const parts = assertSplits(html, 4096);
  assert.ok(parts.length >= 4);
  for (const part of parts.slice(1, -1)) assert.ok(part.startsWith('<pre><code class="language-js">'), part.slice(0, 40));
});

const fuzz = suite('splitHtml (fuzz)');

fuzz('keeps 1,000 random renders valid and whole at random small limits', () => {
  for (let k = 0; k < 1000; k++) {
    const seed = BASE_SEED + 200000 + k;
    const rand = prng(seed);
    const { html } = renderMarkdown(longAnswer(rand, 200 + Math.floor(rand() * 3000)));
    const limit = 2 + Math.floor(rand() * 400);
    try {
      assertSplits(html, limit, `limit ${limit}`);
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`seed ${seed} (FUZZ_SEED=${BASE_SEED}): ${message}\nhtml: ${JSON.stringify(html)}`, { cause: err });
    }
  }
});

plain.run();
split.run();
long.run();
fuzz.run();
