import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { archivedSessions, archiveView, endedAt, inspectText } from '#ccbot/archive-view.js';
import { decodeAction } from '#ccbot/keyboards.js';
import type { Session } from '#ccbot/sessions.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 23, 12, 0);
const ME = 1001;
const CLAUDE_ID = '0d11532e-25c1-4578-a3a1-daf7d32919f7';
/** archive-view.ts's RECENT_HOURS (what `/archive` alone shows) and INSPECT_CHARS (Inspect's cut). */
const RECENT_HOURS = 72;
const INSPECT_CHARS = 1_500;

function session(id: string, fields: Partial<Session> = {}): Session {
  return {
    id, name: `s-${id}`, workdir: `/work/${id}`, windowId: null, claudeSessionId: CLAUDE_ID, status: 'archived', createdAt: NOW - 100 * HOUR,
    lastActivityAt: NOW - 50 * HOUR, archivedAt: NOW - HOUR, archiveReason: 'done', ownerUserId: ME, ...fields,
  };
}

type Button = { text: string; callback_data?: string };
const buttons = (view: { keyboard: { inline_keyboard: Button[][] } }) => view.keyboard.inline_keyboard.flat();
const actions = (view: { keyboard: { inline_keyboard: Button[][] } }) => buttons(view).map((b) => decodeAction(b.callback_data ?? ''));

// ---------------------------------------------------------------------------------------------------------------

const ended = suite('endedAt');

ended('archivedAt for an archived session, the last activity for a lost one', () => {
  assert.is(endedAt(session('a', { archivedAt: NOW - 3 * HOUR })), NOW - 3 * HOUR);
  assert.is(endedAt(session('b', { status: 'lost', archivedAt: null, lastActivityAt: NOW - 5 * HOUR })), NOW - 5 * HOUR);
  assert.is(endedAt(session('c', { archivedAt: null, lastActivityAt: NOW - 7 * HOUR })), NOW - 7 * HOUR, 'a hand-edited record without archivedAt');
});

ended.run();

// ---------------------------------------------------------------------------------------------------------------

const listed = suite('archivedSessions');

listed('the person\'s archived and lost sessions, newest first (archivedAt, lost ones by last activity)', () => {
  const sessions = [
    session('old', { archivedAt: NOW - 10 * HOUR }),
    session('lost', { status: 'lost', archivedAt: null, lastActivityAt: NOW - 2 * HOUR }),
    session('new', { archivedAt: NOW - HOUR }),
    session('live', { status: 'active', archivedAt: null, lastActivityAt: NOW }),
    session('theirs', { ownerUserId: 2002, archivedAt: NOW }),
    session('mid', { archivedAt: NOW - 5 * HOUR }),
  ];
  assert.equal(archivedSessions(sessions, ME, { all: false, now: NOW }).map((s) => s.id), ['new', 'lost', 'mid', 'old']);
});

listed('only the last 72 h unless all', () => {
  const sessions = [
    session('edge', { archivedAt: NOW - RECENT_HOURS * HOUR }),
    session('past', { archivedAt: NOW - RECENT_HOURS * HOUR - 1 }),
    session('lostOld', { status: 'lost', archivedAt: null, lastActivityAt: NOW - 100 * HOUR }),
  ];
  assert.equal(archivedSessions(sessions, ME, { all: false, now: NOW }).map((s) => s.id), ['edge']);
  assert.equal(archivedSessions(sessions, ME, { all: true, now: NOW }).map((s) => s.id), ['edge', 'past', 'lostOld']);
});

listed('equal times keep a stable order', () => {
  const sessions = [session('b'), session('a'), session('c')];
  assert.equal(archivedSessions(sessions, ME, { all: true, now: NOW }).map((s) => s.id), ['a', 'b', 'c']);
});

listed.run();

// ---------------------------------------------------------------------------------------------------------------

const view = suite('archiveView');
const seven = Array.from({ length: 7 }, (_, i) => session(`s${i}`, { name: `proj ${i}`, archivedAt: NOW - (i + 1) * HOUR }));

view('five a page with Restore / Delete / Inspect each, and ▶ to the next page', () => {
  const first = archiveView(seven, 0, false, 'en', NOW);
  assert.equal([first.page, first.pages], [0, 2]);
  for (let i = 0; i < 5; i++) assert.match(first.text, `proj ${i}`);
  assert.not.match(first.text, 'proj 5');
  const ids = actions(first).filter((a) => a?.t === 'restore').map((a) => (a as { id: string }).id);
  assert.equal(ids, ['s0', 's1', 's2', 's3', 's4']);
  assert.equal(actions(first).filter((a) => a?.t === 'delete').length, 5);
  assert.equal(actions(first).filter((a) => a?.t === 'inspect').length, 5);
  assert.equal(actions(first).filter((a) => a?.t === 'archivePage'), [{ t: 'archivePage', page: 1, all: false }]);
});

view('the last page holds the rest and ◀ back; `all` travels with the page buttons', () => {
  const second = archiveView(seven, 1, true, 'en', NOW);
  assert.match(second.text, 'proj 5');
  assert.match(second.text, 'proj 6');
  assert.not.match(second.text, 'proj 4');
  assert.equal(actions(second).filter((a) => a?.t === 'archivePage'), [{ t: 'archivePage', page: 0, all: true }]);
  assert.ok(buttons(second).some((b) => b.text === '◀'));
  assert.not.ok(buttons(second).some((b) => b.text === '▶'));
});

view('a page past the end (the last one emptied by Delete) shows the last page there is', () => {
  const past = archiveView(seven.slice(0, 5), 1, false, 'en', NOW);
  assert.equal([past.page, past.pages], [0, 1]);
  assert.match(past.text, 'proj 4');
  assert.not.ok(actions(past).some((a) => a?.t === 'archivePage'), 'one page: no pager');
});

view('renders name, why, when, workdir; escapes HTML; marks sessions that cannot be resumed', () => {
  const shown = archiveView(
    [
      session('a', { name: '<b>x</b>', archiveReason: 'killed', archivedAt: NOW - 3 * HOUR, workdir: '/w/a&b' }),
      session('b', { status: 'lost', archivedAt: null, lastActivityAt: NOW - 20 * 60_000, claudeSessionId: null }),
    ],
    0, false, 'en', NOW,
  );
  assert.match(shown.text, '&lt;b&gt;x&lt;/b&gt;');
  assert.match(shown.text, 'killed · 3 h ago');
  assert.match(shown.text, '<code>/w/a&amp;b</code>');
  assert.match(shown.text, 'lost (window gone) · 20 min ago');
  assert.match(shown.text, 'Restore starts a new one');
  assert.is(shown.text.match(/Restore starts a new one/g)?.length, 1, 'only the one without a Claude id');
  assert.match(shown.text, 'last 72 h: 2');
  assert.match(shown.text, '/archive all');
});

view('empty: says so, points at /archive all, and has no buttons', () => {
  const recent = archiveView([], 0, false, 'en', NOW);
  assert.match(recent.text, 'Nothing archived in the last 72 h');
  assert.match(recent.text, '/archive all');
  assert.equal(recent.keyboard.inline_keyboard, []);
  assert.match(archiveView([], 0, true, 'en', NOW).text, 'The archive is empty');
});

view('a note goes above the list; the other languages are used', () => {
  const shown = archiveView([session('a')], 0, false, 'ru', NOW, 'Удалено <x>');
  assert.ok(shown.text.startsWith('Удалено &lt;x&gt;\n'));
  assert.match(shown.text, 'Архив за 72 ч: 1');
  assert.ok(buttons(shown).some((b) => b.text.includes('Восстановить')));
  assert.match(archiveView([session('a')], 0, true, 'zh', NOW).text, '全部保留的归档');
});

view.run();

// ---------------------------------------------------------------------------------------------------------------

const agoSuite = suite('archiveView: how long ago');
/** The "… ago" of a session that ended `ms` ago, as its entry shows it. */
const ago = (ms: number, lang: 'en' | 'ru' = 'en') =>
  /· ([^·]+)\n<code>/.exec(archiveView([session('a', { archivedAt: NOW - ms })], 0, true, lang, NOW).text)![1];

agoSuite('minutes under an hour, hours under two days, then days; never negative', () => {
  assert.is(ago(59 * 60_000), '59 min ago');
  assert.is(ago(60 * 60_000), '1 h ago');
  assert.is(ago(47 * HOUR + 59 * 60_000), '47 h ago');
  assert.is(ago(49 * HOUR), '2 d ago');
  assert.is(ago(-5 * 60_000), '0 min ago');
  assert.is(ago(3 * HOUR, 'ru'), '3 ч назад');
});

agoSuite.run();

// ---------------------------------------------------------------------------------------------------------------

const inspecting = suite('inspectText');

inspecting('the session, its last prompt and answer, escaped, in quotes', () => {
  const text = inspectText(session('a', { name: 'api' }), { prompt: 'why <div>?', answer: 'because & so' }, 'en');
  assert.match(text, '<b>api</b>');
  assert.match(text, '<code>/work/a</code>');
  assert.match(text, 'Last prompt</b>\n<blockquote>why &lt;div&gt;?</blockquote>');
  assert.match(text, 'Last answer</b>\n<blockquote>because &amp; so</blockquote>');
});

inspecting('says when there is no prompt or no answer', () => {
  const text = inspectText(session('a'), { prompt: 'hi', answer: null }, 'en');
  assert.match(text, 'no answer yet');
  assert.match(inspectText(session('a'), { prompt: null, answer: null }, 'zh'), '未找到');
});

inspecting('long texts are cut, never inside an emoji', () => {
  const text = inspectText(session('a'), { prompt: 'p', answer: '😀'.repeat(INSPECT_CHARS * 2) }, 'en');
  const quoted = /Last answer<\/b>\n<blockquote>(.*)<\/blockquote>/s.exec(text)![1]!;
  assert.is([...quoted].length, INSPECT_CHARS);
  assert.ok(quoted.endsWith('😀…'));
});

inspecting.run();

// ---------------------------------------------------------------------------------------------------------------

const purity = suite('archive-view.ts');

purity('is pure: nothing from node:', () => {
  const source = readFileSync(fileURLToPath(new URL('../archive-view.js', import.meta.url)), 'utf8');
  assert.not.match(source, /from ['"]node:/);
});

purity.run();
