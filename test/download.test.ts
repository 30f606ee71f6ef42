/**
 * Fetching a file the person sent, against the fake Bot API: the bytes, Telegram's 20 MB limit, a download that breaks
 * off or never comes — each an outcome with a kind, none with the token in it.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { Api, type Message } from 'node-telegram-bot-api';
import { downloader, type Download } from '#ccbot/download.js';
import { startFakeTelegram, type FakeTelegram } from './fake-telegram.js';

const ME = { id: 1001, first_name: 'Me' };
const MB = 1024 * 1024;

interface Ctx { fake: FakeTelegram; download: Download; urls: string[] }
const download = suite<Ctx>('downloader');
download.before.each(async (ctx) => {
  ctx.fake = await startFakeTelegram();
  ctx.urls = [];
  const api = new Api(ctx.fake.token, { apiRoot: ctx.fake.url, maxRetries: 0 });
  const fileUrl = (path: string) => {
    const url = `${ctx.fake.url}/file/bot${ctx.fake.token}/${path}`;
    ctx.urls.push(url);
    return url;
  };
  ctx.download = downloader(api, fileUrl, 1_000);
});
download.after.each(async (ctx) => {
  await ctx.fake.close();
});

const documentId = (message: Message) => message.document!.file_id;
const noToken = (fake: FakeTelegram, outcome: object) =>
  assert.not.match(JSON.stringify(outcome), fake.token.split(':')[1]!, 'the token is in no outcome');

download('fetches the bytes of a file the person sent, through getFile and the file URL', async ({ fake, download, urls }) => {
  const content = Buffer.from(Array.from({ length: 70_000 }, (_, i) => i % 251));
  const sent = fake.userSendsMedia(ME, 'document', { filename: 'data.bin', content });
  const got = await download(documentId(sent));
  assert.ok(got.ok);
  assert.ok(got.ok && Buffer.from(got.bytes).equals(content));
  assert.is(fake.callsTo('getFile').length, 1);
  assert.is(urls.length, 1);
});

download('a file over 20 MB is too-big: Telegram refuses it in getFile, and nothing is downloaded', async ({ fake, download }) => {
  const sent = fake.userSendsMedia(ME, 'document', { filename: 'big.iso', content: Buffer.alloc(25 * MB), fileSize: null });
  const got = await download(documentId(sent));
  assert.equal(got, { ok: false, kind: 'too-big', error: 'the file is over 20 MB' });
  assert.is(fake.callsTo('(file download)').length, 0, 'nothing downloaded');
});

download('a download that breaks off half-way, fails at Telegram, or never comes is failed, without the token', async ({ fake, download }) => {
  const sent = fake.userSendsMedia(ME, 'document', { filename: 'a.txt', content: Buffer.alloc(200_000, 'a') });
  fake.breakNextDownload();
  const broken = await download(documentId(sent));
  assert.is(broken.ok === false && broken.kind, 'failed');
  noToken(fake, broken);

  const unknown = await download('no-such-file');
  assert.is(unknown.ok === false && unknown.kind, 'failed');
  assert.match(!unknown.ok ? unknown.error : '', 'invalid file_id');

  fake.hangNext('(file download)');
  const slow = await download(documentId(sent));
  assert.is(slow.ok === false && slow.kind, 'failed');
  noToken(fake, slow);

  const whole = await download(documentId(sent));
  assert.ok(whole.ok && whole.bytes.length === 200_000, 'the same file again, whole');
});

download.run();
