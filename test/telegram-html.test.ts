import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { checkLink, parseTelegramHtml, type Entity } from './telegram-html.js';

/** Golden cases from TDLib's own tests (test/message_entities.cpp, TEST(MessageEntities, parse_html)). */
const telegram = (html: string) => parseTelegramHtml(html, { strict: false });

function accepts(html: string, text: string, entities: Entity[], strict = false): void {
  const result = parseTelegramHtml(html, { strict });
  assert.equal(result, { ok: true, text, entities }, html);
}

function rejects(html: string, error: string, strict = false): void {
  assert.equal(parseTelegramHtml(html, { strict }), { ok: false, error }, html);
}

const golden = suite('parseTelegramHtml (TDLib golden cases)');

golden('reports the errors TDLib reports, with byte offsets', () => {
  const surrogate =
    'Text contains invalid Unicode characters after decoding HTML entities, check for unmatched surrogate code units';
  rejects('&#57311;', surrogate);
  rejects('&#xDFDF;', surrogate);
  rejects('&#xDFDF', surrogate);
  rejects('🏟 🏟&lt;<abacaba', 'Unclosed start tag at byte offset 13');
  rejects('🏟 🏟&lt;<abac aba>', 'Unsupported start tag "abac" at byte offset 13');
  rejects('🏟 🏟&lt;<abac>', 'Unsupported start tag "abac" at byte offset 13');
  rejects('🏟 🏟&lt;<i   =aba>', 'Empty attribute name in the tag "i" at byte offset 13');
  rejects('🏟 🏟&lt;<i    aba>', 'Can\'t find end tag corresponding to start tag "i"');
  rejects('🏟 🏟&lt;<i    aba  =  ', 'Unclosed start tag "i" at byte offset 13');
  rejects('🏟 🏟&lt;<i    aba  =  190azAz-.,', 'Unexpected end of name token at byte offset 27');
  rejects('🏟 🏟&lt;<i    aba  =  "&lt;&gt;&quot;>', 'Unclosed start tag at byte offset 13');
  rejects("🏟 🏟&lt;<i    aba  =  '&lt;&gt;&quot;>", 'Unclosed start tag at byte offset 13');
  rejects('🏟 🏟&lt;</', 'Unexpected end tag at byte offset 13');
  rejects('🏟 🏟&lt;<b></b></', 'Unexpected end tag at byte offset 20');
  rejects('🏟 🏟&lt;<i>a</i   ', 'Unclosed end tag at byte offset 17');
  rejects('🏟 🏟&lt;<i>a</em   >', 'Unmatched end tag at byte offset 17, expected "</i>", found "</em>"');
});

golden('keeps unknown references as written and decodes the four named ones and numeric ones', () => {
  accepts('', '', []);
  accepts('➡️ ➡️', '➡️ ➡️', []);
  accepts('&ge;&lt;&gt;&amp;&quot;&laquo;&raquo;&#12345678;', '&ge;<>&"&laquo;&raquo;&#12345678;', []);
  accepts('&Or;', '&Or;', []);
  accepts('🏟 🏟<i>🏟 &lt🏟</i>', '🏟 🏟🏟 <🏟', [{ type: 'italic', offset: 5, length: 6 }]);
});

golden('maps every formatting tag to its entity, offsets in UTF-16 units', () => {
  const tags: Array<[string, Entity['type']]> = [
    ['i', 'italic'], ['em', 'italic'], ['b', 'bold'], ['strong', 'bold'], ['u', 'underline'], ['ins', 'underline'],
    ['s', 'strikethrough'], ['strike', 'strikethrough'], ['del', 'strikethrough'], ['blockquote', 'blockquote'],
    ['tg-spoiler', 'spoiler'],
  ];
  for (const [tag, type] of tags) accepts(`➡️ ➡️<${tag}>➡️ ➡️</${tag}>`, '➡️ ➡️➡️ ➡️', [{ type, offset: 5, length: 5 }]);
  accepts('➡️ ➡️<i>➡️ ➡️</i><b>➡️ ➡️</b>', '➡️ ➡️➡️ ➡️➡️ ➡️', [
    { type: 'italic', offset: 5, length: 5 },
    { type: 'bold', offset: 10, length: 5 },
  ]);
  accepts('➡️ ➡️<span class = "tg-spoiler">➡️ ➡️</span><b>➡️ ➡️</b>', '➡️ ➡️➡️ ➡️➡️ ➡️', [
    { type: 'spoiler', offset: 5, length: 5 },
    { type: 'bold', offset: 10, length: 5 },
  ]);
});

golden('reads attributes quoted, unquoted or without a value, and closes with </>', () => {
  accepts('🏟 🏟<i>🏟 &gt;<b aba   =   caba>&lt🏟</b></i>', '🏟 🏟🏟 ><🏟', [
    { type: 'italic', offset: 5, length: 7 },
    { type: 'bold', offset: 9, length: 3 },
  ]);
  accepts('🏟 🏟&lt;<i    aba  =  190azAz-.   >a</i>', '🏟 🏟<a', [{ type: 'italic', offset: 6, length: 1 }]);
  accepts("🏟 🏟&lt;<i    aba  =  '&lt;&gt;&quot;'>a</>", '🏟 🏟<a', [{ type: 'italic', offset: 6, length: 1 }]);
  accepts('🏟 🏟&lt;<i>🏟 🏟&lt;</>', '🏟 🏟<🏟 🏟<', [{ type: 'italic', offset: 6, length: 6 }]);
  accepts('🏟 🏟&lt;<b></b>', '🏟 🏟<', []);
  accepts('<i>\t</i>', '\t', [{ type: 'italic', offset: 0, length: 1 }]);
});

golden('makes links from href or from the text, and drops what is not a link', () => {
  accepts('<a href=telegram.org>\t</a>', '\t', [{ type: 'text_link', offset: 0, length: 1, url: 'http://telegram.org/' }]);
  const query = [{ type: 'text_link' as const, offset: 0, length: 1, url: 'http://telegram.org/?<' }];
  accepts("<a   href=  'telegram.org?&lt;'   > </a>", ' ', query);
  accepts('<a> </a>', ' ', []);
  accepts('<a>telegram.org </a>', 'telegram.org ', []);
  accepts('<a>telegram.org</a>', 'telegram.org', [{ type: 'text_link', offset: 0, length: 12, url: 'http://telegram.org/' }]);
  const url = 'https://telegram.org/asdsa?asdasdwe#12e3we';
  accepts(`<a>${url}</a>`, url, [{ type: 'text_link', offset: 0, length: 42, url }]);
});

golden('merges <pre><code class="language-x"> into one pre entity with a language', () => {
  accepts('🏟 🏟&lt;<pre><code>🏟 🏟&lt;</code></>', '🏟 🏟<🏟 🏟<', [
    { type: 'pre', offset: 6, length: 6 },
    { type: 'code', offset: 6, length: 6 },
  ]);
  accepts('🏟 🏟&lt;<pre><code class="language-fift">🏟 🏟&lt;</></>', '🏟 🏟<🏟 🏟<', [
    { type: 'pre', offset: 6, length: 6, language: 'fift' },
  ]);
  accepts('🏟 🏟&lt;<code class="language-fift"><pre>🏟 🏟&lt;</></>', '🏟 🏟<🏟 🏟<', [
    { type: 'pre', offset: 6, length: 6, language: 'fift' },
  ]);
  accepts('🏟 🏟&lt;<pre><code class="language-fift">🏟 🏟&lt;</> </>', '🏟 🏟<🏟 🏟< ', [
    { type: 'pre', offset: 6, length: 7 },
    { type: 'code', offset: 6, length: 6 },
  ]);
});

golden('nests entities as TDLib sorts them, custom emoji and blockquotes included', () => {
  accepts('<code><i><b> </b></i></code><i><b><code> </code></b></i>', '  ', [
    { type: 'code', offset: 0, length: 1 },
    { type: 'bold', offset: 0, length: 1 },
    { type: 'italic', offset: 0, length: 1 },
    { type: 'code', offset: 1, length: 1 },
    { type: 'bold', offset: 1, length: 1 },
    { type: 'italic', offset: 1, length: 1 },
  ]);
  accepts('➡️ ➡️<tg-emoji emoji-id = "12345">➡️ ➡️</tg-emoji><b>➡️ ➡️</b>', '➡️ ➡️➡️ ➡️➡️ ➡️', [
    { type: 'custom_emoji', offset: 5, length: 5, custom_emoji_id: '12345' },
    { type: 'bold', offset: 10, length: 5 },
  ]);
  accepts('<blockquote   cite="" askdlbas nasjdbaj nj12b3>a&lt;<pre  >b;</></>', 'a<b;', [
    { type: 'blockquote', offset: 0, length: 4 },
    { type: 'pre', offset: 2, length: 2 },
  ]);
  accepts('<blockquote   expandable>a&lt;<pre  >b;</></>', 'a<b;', [
    { type: 'expandable_blockquote', offset: 0, length: 4 },
    { type: 'pre', offset: 2, length: 2 },
  ]);
});

golden.run();

const errors = suite('parseTelegramHtml (what ccbot can get wrong)');

errors('rejects crossed tags with the byte offset of the bad end tag', () => {
  rejects('<b>x</i>', 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"');
});

errors('rejects unsupported tags, unclosed tags and stray end tags', () => {
  rejects('<script>alert(1)</script>', 'Unsupported start tag "script" at byte offset 0');
  rejects('<p>para</p>', 'Unsupported start tag "p" at byte offset 0');
  rejects('<br/>', 'Unsupported start tag "br/" at byte offset 0');
  rejects('<b>bold', 'Can\'t find end tag corresponding to start tag "b"');
  rejects('text</b>', 'Unexpected end tag at byte offset 4');
});

errors('rejects a bare "<" even with a space after it', () => {
  rejects('a < b', 'Unsupported start tag "" at byte offset 2');
  rejects('a <', 'Unclosed start tag at byte offset 2');
  accepts('a &lt; b', 'a < b', []);
});

errors('rejects a span without the spoiler class and a custom emoji without a numeric id', () => {
  rejects('<span>x</span>', 'Tag "span" must have class "tg-spoiler" at byte offset 0');
  rejects('<tg-emoji emoji-id="abc">x</tg-emoji>', 'Invalid custom emoji identifier specified');
});

errors('counts astral characters from numeric references as two UTF-16 units', () => {
  accepts('&#x1F600;<b>x</b>', '😀x', [{ type: 'bold', offset: 2, length: 1 }]);
});

errors('accepts upper-case tags and turns tg://user links into mentions', () => {
  accepts('<B>x</B>', 'x', [{ type: 'bold', offset: 0, length: 1 }]);
  accepts('<a href="tg://user?id=42">Bob</a>', 'Bob', [{ type: 'text_mention', offset: 0, length: 3, user: { id: 42 } }]);
});

errors.run();

const strict = suite('parseTelegramHtml strict mode');

strict('is the default and rejects a bare "&" that Telegram would show as written', () => {
  const error = 'Unescaped "&" at byte offset 2 (strict: Telegram shows it as is; write &amp;)';
  assert.equal(parseTelegramHtml('AT&T'), { ok: false, error });
  assert.equal(telegram('AT&T'), { ok: true, text: 'AT&T', entities: [] });
  assert.is(parseTelegramHtml('&nbsp;').ok, false);
  accepts('AT&amp;T', 'AT&T', [], true);
});

strict('rejects an unescaped "&" inside an attribute', () => {
  assert.is(parseTelegramHtml('<a href="https://x.org/?a=1&b=2">x</a>').ok, false);
  const link = [{ type: 'text_link' as const, offset: 0, length: 1, url: 'https://x.org/?a=1&b=2' }];
  accepts('<a href="https://x.org/?a=1&amp;b=2">x</a>', 'x', link, true);
});

strict('rejects the nesting the docs forbid and Telegram resolves by dropping an entity', () => {
  const drops = '(strict: Telegram drops one of them)';
  rejects('<code><b>x</b></code>', `Tag "b" can't be inside "code" at byte offset 6 ${drops}`, true);
  rejects('<a href="https://x.org"><code>x</code></a>', `Tag "code" can't be inside "a" at byte offset 24 ${drops}`, true);
  const quotes = '<blockquote><blockquote>x</blockquote></blockquote>';
  rejects(quotes, `Tag "blockquote" can't be inside "blockquote" at byte offset 12 ${drops}`, true);
});

strict('allows the nesting the docs allow', () => {
  accepts('<b><code>x</code></b>', 'x', [
    { type: 'code', offset: 0, length: 1 },
    { type: 'bold', offset: 0, length: 1 },
  ], true);
  accepts('<blockquote><pre>x</pre></blockquote>', 'x', [
    { type: 'blockquote', offset: 0, length: 1 },
    { type: 'pre', offset: 0, length: 1 },
  ], true);
  accepts('<pre><code class="language-ts">const a = 1 &lt; 2;</code></pre>', 'const a = 1 < 2;', [
    { type: 'pre', offset: 0, length: 16, language: 'ts' },
  ], true);
});

strict('rejects a link Telegram would drop', () => {
  const error = 'Link "javascript:alert(1)" is not a URL Telegram accepts (strict: Telegram drops the link)';
  rejects('<a href="javascript:alert(1)">x</a>', error, true);
  assert.equal(telegram('<a href="javascript:alert(1)">x</a>'), { ok: true, text: 'x', entities: [] });
});

strict.run();

const links = suite('checkLink');

links('normalises http links and refuses other schemes', () => {
  assert.is(checkLink('telegram.org'), 'http://telegram.org/');
  assert.is(checkLink('https://example.com:8443/a?b#c'), 'https://example.com:8443/a?b#c');
  assert.is(checkLink('tg://resolve?domain=x'), 'tg://resolve?domain=x');
  assert.is(checkLink('mailto:someone@example.com'), undefined);
  assert.is(checkLink('ftp://example.com/'), undefined);
  assert.is(checkLink('not a host'), undefined);
});

links.run();
