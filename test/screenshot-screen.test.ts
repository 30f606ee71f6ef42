import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderScreen } from '#ccbot/screen-image.js';
import { createScreenshotScreen } from '#ccbot/screenshot-screen.js';
import type { Session } from '#ccbot/sessions.js';
import { SAMPLES } from './samples.js';
import { parseTelegramHtml } from './telegram-html.js';

/** screenshot-screen.ts's SCREEN_CHARS: room for the name line and the <pre> tags within Telegram's 4096. */
const SCREEN_CHARS = 3_500;
const WHO = { kind: 'message' as const, userId: 7, chatId: 7, updateId: 1 };

/** The text version of the screen of a session named `name` whose pane is `pane`: the message's HTML, and the file
 * sent (if any). */
async function screenshot(name: string, pane: string): Promise<{ html: string; file?: string }> {
  const session: Session = {
    id: 'a1', name, workdir: '/w', windowId: '@3', claudeSessionId: null, status: 'active', createdAt: 1,
    lastActivityAt: 1, archivedAt: null, archiveReason: null, ownerUserId: 7,
  };
  const shot: { html: string; file?: string } = { html: '' };
  const screen = createScreenshotScreen({
    telegram: { sendDocument: async (_chat, _name, text) => ((shot.file = String(text)), { ok: true, messageIds: [2] }) },
    chat: {
      sessionOf: async () => session,
      sayText: async () => (assert.unreachable('the pane is there'), undefined),
      sayInPlace: async (_who, _lang, _id, html) => ((shot.html = html), 1),
    },
    capture: async () => pane,
    press: async () => undefined,
  });
  await screen.text(WHO, 'en', 'a1');
  return shot;
}

interface Said { html: string; photo?: Uint8Array; buttons: string[] }

/** /screenshot with a pane `pane` (as `capture-pane -e` gives it): what was said, in order. `photoSent`: whether
 * Telegram takes the picture. */
async function show(
  pane: string, photoSent = true, mask?: (text: string) => string,
): Promise<{ said: Said[]; colourCaptures: number }> {
  const session: Session = {
    id: 'a1', name: 'alpha', workdir: '/w', windowId: '@3', claudeSessionId: null, status: 'active', createdAt: 1,
    lastActivityAt: 1, archivedAt: null, archiveReason: null, ownerUserId: 7,
  };
  const out = { said: [] as Said[], colourCaptures: 0 };
  const screen = createScreenshotScreen({
    telegram: { sendDocument: async () => ({ ok: true, messageIds: [2] }) },
    chat: {
      sessionOf: async () => session,
      sayText: async () => (assert.unreachable('the pane is there'), undefined),
      sayInPlace: async (_who, _lang, _id, html, options) => {
        const buttons = options?.keyboard?.inline_keyboard.flat().map((b) => b.text) ?? [];
        out.said.push({ html, photo: options?.photo, buttons });
        return options?.photo && !photoSent ? undefined : 1;
      },
    },
    capture: async (_window, colour) => ((out.colourCaptures += colour ? 1 : 0), pane),
    press: async () => undefined,
    mask,
  });
  await screen.show(WHO, 'en');
  return out;
}

const html = suite('text');
html('a pane becomes a <pre> block without escapes, valid Telegram HTML', async () => {
  const pane = readFileSync(join(SAMPLES, 'ask-pane.txt'), 'utf8');
  const shot = await screenshot('api <x>', `\x1b[1m${pane}\x1b[0m`);
  assert.is(shot.file, undefined, 'not cut');
  assert.ok(shot.html.startsWith('<b>api &lt;x&gt;</b>\n<pre>'));
  assert.not.match(shot.html, '\x1b');
  assert.ok(parseTelegramHtml(shot.html).ok, 'Telegram accepts it');
});
html('a tall pane keeps its bottom lines within the limit, and the whole screen comes as a file', async () => {
  const pane = Array.from({ length: 400 }, (_, i) => `line ${i} <&>`).join('\n');
  const shot = await screenshot('big', pane);
  assert.ok(shot.html.length <= SCREEN_CHARS + 100);
  assert.match(shot.html, 'line 399 &lt;&amp;&gt;');
  assert.not.match(shot.html, 'line 0 ');
  assert.is(shot.file?.split('\n').length, 400, 'the whole screen is kept for the file');
  assert.ok(parseTelegramHtml(shot.html).ok);
});
html('an empty pane still makes a message Telegram accepts', async () => {
  assert.ok(parseTelegramHtml((await screenshot('e', '\n\n')).html).ok);
  assert.match((await screenshot('e', '')).html, '<pre> </pre>');
});

html.run();

const picture = suite('show');
picture('/screenshot is a PNG of the coloured capture, with the key buttons and the text button', async () => {
  const { said, colourCaptures } = await show(readFileSync(join(SAMPLES, 'idle-pane-colour.txt'), 'utf8'));
  assert.is(colourCaptures, 1, 'captured with -e');
  assert.is(said.length, 1);
  assert.is(said[0]!.html, '<b>alpha</b>');
  assert.equal(Buffer.from(said[0]!.photo!.subarray(0, 4)).toString('latin1'), '\x89PNG');
  assert.equal(said[0]!.buttons, ['Esc', '↑', 'Enter ⏎', '←', '↓', '→', 'Tab', 'Space', '^C', '🔄', '🔤 As text']);
});
picture('a picture Telegram does not take comes as text, never not at all', async () => {
  const { said } = await show('❯ hello\n', false);
  assert.is(said.length, 2);
  assert.ok(said[1]!.photo === undefined && said[1]!.html.includes('<pre>❯ hello</pre>'));
  assert.not.ok(said[1]!.buttons.includes('🔤 As text'), 'the text has no text button');
});
picture('the picture is drawn from the masked text: a secret on screen never reaches its pixels', async () => {
  const pane = '\x1b[1m❯ export API_KEY=sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123\x1b[0m\n';
  const mask = (text: string) => text.replace(/sk-ant-[\w-]+/, 'sk-ant-…[redacted]');
  const [masked, bare] = [await show(pane, true, mask), await show(pane)];
  assert.equal(masked.said[0]!.photo, renderScreen(mask(pane)));
  assert.not.equal(masked.said[0]!.photo, bare.said[0]!.photo, 'the secret would have been drawn');
});
picture.run();
