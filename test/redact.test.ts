import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRedactor } from '#ccbot/redact.js';
import { tempDir } from './daemon-fixture.js';

// Built from parts, so that no scanner takes the fixtures for real secrets.
const BOT_TOKEN = '7012345678:' + 'AAFakeBotTokenForRedactTests_0123456'.slice(0, 35);
const SHAPES: [string, string, string][] = [
  ['Anthropic', 'sk-ant-' + 'api03-Xy7Qk2mN9pL4vB8wR1tZ6cH3jF5dS0aE', 'sk-ant-…[redacted]'],
  ['OpenAI', 'sk-' + 'T3BlbkFJa8Xk29dLmQpZ7wErT5yU1iOpAs', 'sk-…[redacted]'],
  ['OpenAI project', 'sk-proj-' + 'Ab3dEf6hIj9kLm2nOp5qRs8tUv_wXy-1zA', 'sk-proj-…[redacted]'],
  ['GitHub classic', 'ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8', 'ghp_…[redacted]'],
  ['GitHub OAuth', 'gho_' + 'Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2', 'gho_…[redacted]'],
  ['GitHub app', 'ghs_' + 'Q1w2E3r4T5y6U7i8O9p0A1s2D3f4G5h6J7k8', 'ghs_…[redacted]'],
  ['GitHub fine-grained', 'github_pat_' + '11ABCDEFG0123456789_abcdefghijKLMNOPqrstuv', 'github_pat_…[redacted]'],
  ['Slack bot', 'xoxb-' + '1234567890-0987654321-AbCdEfGhIjKlMnOp', 'xoxb-…[redacted]'],
  ['Slack user', 'xoxp-' + '2234567890-1987654321-ZyXwVuTsRq', 'xoxp-…[redacted]'],
  ['AWS', 'AKIA' + 'IOSFODNN7EXAMPLE', 'AKIA…[redacted]'],
  ['Telegram', '123456789:' + 'AAH4kZx9Lm2Np8Qr5St1Uv7Wx3Yz6Ab0Cd-', '123456789:…[redacted]'],
  ['JWT', 'eyJhbGciOiJIUzI1NiJ9.' + 'eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'eyJ…[redacted]'],
];
const mask = (extra: Partial<Parameters<typeof createRedactor>[0]> = {}) =>
  createRedactor({ enabled: true, env: {}, botToken: BOT_TOKEN, folders: () => [], ...extra });

const shapes = suite('createRedactor: token shapes');
for (const [name, secret, shown] of SHAPES) {
  shapes(`masks ${name} keys, keeping only their kind`, () => {
    const out = mask()(`use ${secret} here, and "${secret}".`);
    assert.is(out, `use ${shown} here, and "${shown}".`);
  });
}
shapes('masks a key inside HTML without breaking the tags or entities around it', () => {
  const key = SHAPES[0]![1];
  const out = mask()(`<pre><code>KEY=${key}</code></pre> &amp; <a href="https://x.test/?k=${key}">x</a>`);
  assert.is(out, '<pre><code>KEY=sk-ant-…[redacted]</code></pre> &amp; <a href="https://x.test/?k=sk-ant-…[redacted]">x</a>');
});
shapes('masks a private key block, and a truncated one up to the closing tag', () => {
  const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7\n';
  const block = `-----BEGIN RSA PRIVATE KEY-----\n${body}-----END RSA PRIVATE KEY-----`;
  assert.is(mask()(`key:\n${block}\ndone`), 'key:\n-----BEGIN RSA PRIVATE KEY-----…[redacted]\ndone');
  const cut = `<pre>-----BEGIN OPENSSH PRIVATE KEY-----\n${body}</pre>`;
  assert.is(mask()(cut), '<pre>-----BEGIN OPENSSH PRIVATE KEY-----…[redacted]</pre>');
  assert.is(mask()('-----BEGIN PUBLIC KEY-----\nMIIBIjANBg\n-----END PUBLIC KEY-----'),
    '-----BEGIN PUBLIC KEY-----\nMIIBIjANBg\n-----END PUBLIC KEY-----');
});

const values = suite('createRedactor: known values');
values('masks the bot token wherever it appears', () => {
  assert.is(mask()(`token ${BOT_TOKEN}.`), 'token [redacted].');
});
values('masks values of secret-named variables in the environment, in text and escaped in HTML', () => {
  const env = { DB_PASSWORD: 'p&ss<w0rd>', STRIPE_SECRET: 'rk_live_51Hx', my_api_key: 'abc-123-def', API_TOKEN: 'tok9zz9' };
  const out = mask({ env })('db p&amp;ss&lt;w0rd&gt; / p&ss<w0rd> stripe rk_live_51Hx key abc-123-def tok9zz9');
  assert.is(out, 'db [redacted] / [redacted] stripe [redacted] key [redacted] *******');
});
values('leaves short values, plain words and other variables alone', () => {
  const env = { FEATURE_KEY: 'true', POSTGRES_PASSWORD: 'postgres', CI_TOKEN: '1', HOME_DIR: '/home/me1', KEYBOARD: 'us-intl9' };
  const text = 'true postgres 1 /home/me1 us-intl9';
  assert.is(mask({ env })(text), text);
});
values('reads the .env files of a session folder, again when one changes', () => {
  const dir = tempDir('ccbot-redact-');
  try {
    const work = join(dir.path, 'work');
    mkdirSync(work);
    writeFileSync(join(work, '.env'), 'PORT=3000\nSENDGRID_API_KEY="SG.abc123.def456"\nDEBUG=true\n');
    writeFileSync(join(work, '.env.local'), 'export SESSION_SECRET=s3cr3t-value\n');
    let clock = 0;
    const redact = mask({ folders: () => [work, join(dir.path, 'missing')], now: () => clock });
    assert.is(redact('SG.abc123.def456 s3cr3t-value 3000 true'), '[redacted] [redacted] 3000 true');
    writeFileSync(join(work, '.env'), 'SENDGRID_API_KEY=SG.new789.xyz000\n');
    utimesSync(join(work, '.env'), new Date(), new Date(Date.now() + 5_000));
    clock += 2_000;
    assert.is(redact('SG.new789.xyz000 SG.abc123.def456'), '[redacted] SG.abc123.def456');
  } finally {
    dir.remove();
  }
});
values('disabled (CCBOT_REDACT=0): every text goes out as it is', () => {
  const text = `${BOT_TOKEN} ${SHAPES.map(([, secret]) => secret).join(' ')} hunter22`;
  const redact = createRedactor({ enabled: false, env: { X_PASSWORD: 'hunter22' }, botToken: BOT_TOKEN, folders: () => [] });
  assert.is(redact(text), text);
});

const ordinary = suite('createRedactor: ordinary text is left alone');
const CORPUS = [
  'sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709 and sha256 e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  'commit 4dbd370 (b2ccf1a0e3b9f1c2d4e5f60718293a4b5c6d7e8f) merged; see 722f78e',
  'session 3f2504e0-4f89-11d3-9a0c-0305e82c3301 and 123e4567-e89b-12d3-a456-426614174000',
  '<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==">',
  'const apiKey = process.env.OPENAI_API_KEY ?? ""; if (!apiKey) throw new Error("set the key");',
  '{"name": "ccbot", "version": "1.2.3", "token": null, "secret": false, "task-runner": "sk-learn"}',
  'ids 1234567890:abc and 987654:short, time 12:30:45, ratio 16:9',
  'Put the key in the lock; the password policy says AKIA is a prefix, and eyJ starts base64 JSON.',
  'mask-image: url(x); risk-assessment-for-the-quarterly-report; disk-usage-reporting-tool-v2-final',
  'function ghp(x) { return x_y_z; } // github_pat is a word here; xoxo-gossip',
];
for (const [i, text] of CORPUS.entries()) {
  ordinary(`corpus line ${i + 1} comes out unchanged`, () => {
    const env = { ANTHROPIC_API_KEY: SHAPES[0]![1], GITHUB_TOKEN: SHAPES[3]![1] };
    assert.is(mask({ env })(text), text);
  });
}

shapes.run();
values.run();
ordinary.run();
