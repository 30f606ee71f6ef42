/**
 * The README, tried literally: every command in its fenced `sh` blocks is either run here (in temp dirs) or named
 * with the test or .ci/run step that exercises it. A command added to the README without either fails this file.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execRun } from '#ccbot/exec.js';
import { loadConfig } from '#ccbot/config.cjs';
import { MAIN_JS, tempDir, TEST_TOKEN } from './daemon-fixture.js';

const REPO = join(MAIN_JS, '..', '..');
const README = readFileSync(join(REPO, 'README.md'), 'utf8');
const blocks = [...README.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
/** One entry per command, a heredoc kept with the command that opens it. */
const commands = blocks.flatMap((block) => {
  const out: string[] = [];
  let heredoc: string | undefined;
  for (const line of block.split('\n')) {
    if (heredoc !== undefined) {
      out[out.length - 1] += '\n' + line;
      if (line === heredoc) heredoc = undefined;
      continue;
    }
    if (line.trim() === '') continue;
    out.push(line);
    heredoc = /<<'?(\w+)'?/.exec(line)?.[1];
  }
  return out;
});
const bash = (script: string, env: NodeJS.ProcessEnv, cwd = REPO) => execRun('bash', ['-euc', script], { env, cwd, timeoutMs: 60_000 });
const CI_RUN = readFileSync(join(REPO, '.ci', 'run'), 'utf8');
const PACKAGE = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

/** Commands this file cannot run (root, systemd, a real bot), each with what exercises it instead. */
const COVERED_ELSEWHERE: [RegExp, string][] = [
  [/^npm ci && npm (start|test)$/, 'npm ci: .ci/run; npm test: .ci/run; npm start is node dist/main.cjs, run by every daemon test'],
  [/^sudo cp ccbot\.service\.local \/etc\/systemd\/system\/ccbot\.service$/, 'the file it installs is checked below with systemd-analyze verify'],
  [/^sudo systemctl (daemon-reload|enable --now ccbot)$|^systemctl status ccbot$|^journalctl -u ccbot -f$/, 'systemd: the unit (service.test.ts)'],
  [/^sudo systemctl kill --signal=SIGKILL ccbot && sudo systemctl stop ccbot$/, 'service.test.ts: documented in the unit too'],
  [/^sudo install -d -m 0750 -o root -g "\$\(id -gn\)" \/etc\/ccbot$|^sudo install -m 0640 -o root -g "\$\(id -gn\)" ~\/\.ccbot\/\.env \/etc\/ccbot\/ccbot\.env && rm ~\/\.ccbot\/\.env$|^sudo chown -R root: "\$PWD"$/,
    'root: what that layout gives is checked by doctor-files.test.ts (checkAllowlistFile) and config.test.ts (root\'s file wins)'],
  [/^sudo apt-get install -y ffmpeg git cmake g\+\+$/, '.ci/run installs ffmpeg the same way; voice.test.ts converts with it'],
  [/^git clone --depth 1 https:\/\/github\.com\/ggml-org\/whisper\.cpp\.git ~\/whisper\.cpp$|^cd ~\/whisper\.cpp$|^cmake -B build|^cmake --build build|^sh \.\/models\/download-ggml-model\.sh base$/,
    'network and a compiler: the arguments ccbot gives whisper-cli are checked by the stand-in (voice.test.ts)'],
];
const RUN_HERE: RegExp[] = [/^mkdir -p -m 700 ~\/\.ccbot$/, /^cat > ~\/\.ccbot\/\.env <<'ENV'\n/, /^chmod 600 ~\/\.ccbot\/\.env$/,
  /^npx ccbot doctor$/, /^npx ccbot hook --install$/, /^sed .* ccbot\.service > ccbot\.service\.local$/];

const readme = suite<{ home: ReturnType<typeof tempDir> }>('README commands');
readme.before.each((ctx) => {
  ctx.home = tempDir('ccbot-readme-');
});
readme.after.each((ctx) => ctx.home.remove());

readme('every command is run here or named with what exercises it', () => {
  assert.ok(commands.length >= 10, `found ${commands.length} commands`);
  const unknown = commands.filter((c) => !RUN_HERE.some((r) => r.test(c)) && !COVERED_ELSEWHERE.some(([r]) => r.test(c)));
  assert.equal(unknown, [], `README commands nothing exercises:\n${unknown.join('\n')}`);
  assert.match(CI_RUN, /^npm ci /m);
  assert.match(CI_RUN, /^npm test$/m);
  assert.match(PACKAGE.scripts.start, /^node (--[\w-]+ )*dist\/main\.cjs$/);
});

readme('the .env steps make a private directory and file that the daemon reads (placeholders filled in)', async ({ home }) => {
  const setup = commands.filter((c) => /~\/\.ccbot/.test(c) && !/^(npx|sudo) /.test(c));
  assert.is(setup.length, 3);
  const result = await bash(setup.join('\n'), { PATH: process.env.PATH, HOME: home.path });
  assert.ok(result.ok, result.ok ? '' : result.stderr);
  const dir = join(home.path, '.ccbot');
  assert.is(statSync(dir).mode & 0o777, 0o700);
  assert.is(statSync(join(dir, '.env')).mode & 0o777, 0o600);
  const env = join(dir, '.env');
  writeFileSync(env, readFileSync(env, 'utf8').replace('123456789:your-token-from-botfather', TEST_TOKEN).replace('your-numeric-user-id', '42'));
  const config = loadConfig({ HOME: home.path }, { home: home.path, cwd: home.path });
  assert.is(config.botToken, TEST_TOKEN);
  assert.equal(config.allowedUsers, [42]);
});

readme('npx ccbot doctor runs from the checkout and names what is missing', async ({ home }) => {
  const result = await bash('npx --no-install ccbot doctor', { PATH: process.env.PATH, HOME: home.path, CCBOT_DIR: join(home.path, '.ccbot') });
  assert.not.ok(result.ok, 'no token configured: a ✗, exit 1');
  if (!result.ok) {
    assert.is(result.code, 1);
    assert.match(result.stdout, /✗ .*TELEGRAM_BOT_TOKEN/);
  }
});

readme('npx ccbot hook --install adds the hook to Claude Code settings', async ({ home }) => {
  const result = await bash('npx --no-install ccbot hook --install', { PATH: process.env.PATH, HOME: home.path });
  assert.ok(result.ok, result.ok ? '' : result.stderr);
  const settings = JSON.parse(readFileSync(join(home.path, '.claude', 'settings.json'), 'utf8'));
  assert.match(JSON.stringify(settings.hooks.UserPromptSubmit), / hook"/);
});

readme('the systemd sed line makes a unit for this user and checkout that systemd-analyze accepts', async () => {
  const sed = commands.find((c) => c.startsWith('sed '))!;
  const out = join(REPO, 'ccbot.service.local');
  try {
    const result = await bash(sed, { PATH: process.env.PATH, HOME: process.env.HOME });
    assert.ok(result.ok, result.ok ? '' : result.stderr);
    const unit = readFileSync(out, 'utf8');
    const user = (await execRun('id', ['-un'])) as { stdout: string };
    assert.match(unit, new RegExp(`^User=${user.stdout.trim()}$`, 'm'));
    assert.match(unit, new RegExp(`^ExecStart=/\\S*node( --[\\w-]+)* ${REPO}/dist/main\\.cjs$`, 'm'));
    assert.match(unit, new RegExp(`^WorkingDirectory=${REPO}$`, 'm'));
    // verify wants a unit name: the file as `sudo cp` installs it.
    const dir = tempDir('ccbot-unit-');
    try {
      writeFileSync(join(dir.path, 'ccbot.service'), unit);
      const verify = await execRun('systemd-analyze', ['verify', join(dir.path, 'ccbot.service')], { timeoutMs: 20_000 });
      if (!verify.ok && verify.kind === 'missing') console.log('  (systemd-analyze not installed: verify skipped)');
      else assert.ok(verify.ok, verify.ok ? '' : verify.stderr);
    } finally {
      dir.remove();
    }
  } finally {
    if (existsSync(out)) rmSync(out);
  }
});

readme.run();
