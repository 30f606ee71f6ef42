/**
 * The real Claude Code CLI for end-to-end tests: where .ci/run installs it, a temp HOME in which it starts straight
 * into its prompt, and an isolated tmux server to run it in, driven through ccbot's own tmux.ts and read with
 * terminal.ts. Everything it is given points at 127.0.0.1; it is never a dependency of ccbot.
 *
 *   const home = await makeClaudeHome([workdir]);
 *   const tmux = await startClaudeTmux(home.env(api.url));
 *   const windowId = await tmux.open('proj', workdir, [cli, '--dangerously-skip-permissions']);
 *   await tmux.waitForIdle(windowId);
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execRun, type RunResult } from '#ccbot/exec.js';
import { readPane, visibleText } from '#ccbot/terminal.js';
import { capturePane, newWindow, sendKeys, sendText, type Key, type TmuxOptions } from '#ccbot/tmux.js';
import { waitForExit } from '../tmux-fixture.js';

type PaneState = ReturnType<typeof readPane>;

export const CLAUDE_VERSION = '2.1.328';
/** Shaped like a key; only its last 20 characters matter to the CLI (pre-approved in .claude.json). */
export const FAKE_API_KEY = 'sk-ant-api03-ccbot-e2e-fake-key-000000000000000000000000000000000000000000-AAAAAAAA';
/** The CLI draws its prompt ~1.4 s after start; a loaded CI machine gets ten times that. */
export const START_TIMEOUT_MS = 15_000;

/** `${CCBOT_E2E_CACHE:-$HOME/.cache/ccbot-e2e}/claude-code-2.1.328`: where .ci/run installs the CLI. */
export function claudeCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.CCBOT_E2E_CACHE || join(env.HOME || homedir(), '.cache', 'ccbot-e2e'), `claude-code-${CLAUDE_VERSION}`);
}

let found: { key: string; path: string | null } | undefined;

/**
 * The CLI's executable: $CCBOT_CLAUDE_CLI, else the cache's. 2.1.328 ships no cli.js: the package's bin
 * (`bin/claude.exe`) is a native binary that its postinstall copies from the platform package, and stays a small
 * stub when npm ran without scripts, so the platform package's `claude` is the fallback. null unless one answers
 * `--version` with Claude Code's version line.
 */
export function findClaudeCli(env: NodeJS.ProcessEnv = process.env): string | null {
  const key = `${env.CCBOT_CLAUDE_CLI ?? ''}\0${claudeCacheDir(env)}`;
  if (found?.key === key) return found.path;
  const modules = join(claudeCacheDir(env), 'node_modules', '@anthropic-ai');
  const candidates = env.CCBOT_CLAUDE_CLI
    ? [env.CCBOT_CLAUDE_CLI]
    : [join(modules, 'claude-code', binOf(join(modules, 'claude-code'))), ...platformPackages().map((pkg) => join(modules, pkg, 'claude'))];
  found = { key, path: null };
  for (const candidate of candidates) {
    const version = existsSync(candidate) ? versionOf(candidate) : null;
    if (version === null) continue;
    if (version !== CLAUDE_VERSION) console.log(`e2e: ${candidate} is Claude Code ${version}, not ${CLAUDE_VERSION}: facts these tests rely on may differ`);
    found = { key, path: candidate };
    break;
  }
  return found.path;
}

function binOf(packageDir: string): string {
  try {
    const bin = (JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { bin?: string | Record<string, string> }).bin;
    return (typeof bin === 'string' ? bin : bin?.claude) ?? 'bin/claude.exe';
  } catch {
    return 'bin/claude.exe';
  }
}

function platformPackages(): string[] {
  const base = `claude-code-${process.platform}-${process.arch}`;
  return [base, `${base}-musl`];
}

function versionOf(path: string): string | null {
  const result = spawnSync(path, ['--version'], { timeout: 20_000, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: tmpdir() } });
  return /^(\d+\.\d+\.\d+) \(Claude Code\)/.exec(result.stdout ?? '')?.[1] ?? null;
}

export interface ClaudeHome {
  /** The temp HOME: `.claude.json` and `.claude/` (settings.json, projects/) live here. */
  home: string;
  /** `<home>/.claude`, where ccbot's `claudeConfigDir` default points with this HOME. */
  configDir: string;
  /**
   * The environment for the CLI, built from nothing (no proxy, token or CLAUDE_CONFIG_DIR of the person running the
   * tests can leak in): the fake API at `apiUrl`, the key, no telemetry or other traffic, IS_SANDBOX as root.
   */
  env(apiUrl: string, extra?: Record<string, string>): NodeJS.ProcessEnv;
  /** Claude Code's folder for a cwd: `<configDir>/projects/<cwd with every non-alphanumeric character as '-'>`. */
  projectDir(cwd: string): string;
  transcriptPath(cwd: string, sessionId: string): string;
  cleanup(): Promise<void>;
}

/**
 * Writes into `home` what makes `claude --dangerously-skip-permissions` open straight into its prompt: onboarding
 * done, the key approved, each of `dirs` trusted (an untrusted folder gets a trust dialog even in bypass mode, and
 * its default answer, "No, exit", ends Claude), and the bypass-mode warning accepted.
 *
 * CLAUDE_CONFIG_DIR is left unset on purpose: with it set, 2.1.328 reads `.claude.json` from that directory instead
 * of HOME, finds no onboarding there, and shows its first-run screens, which try to reach api.anthropic.com.
 */
export function writeClaudeHome(home: string, dirs: readonly string[], apiKey: string = FAKE_API_KEY): void {
  mkdirSync(join(home, '.claude'), { recursive: true });
  // Trust is looked up by the cwd Claude sees, which is the real path (a /tmp symlink on macOS would differ).
  const trusted = [...new Set(dirs.flatMap((dir) => [dir, realpathOr(dir)]))];
  const projects = Object.fromEntries(trusted.map((dir) => [dir, { hasTrustDialogAccepted: true, hasCompletedProjectOnboarding: true }]));
  writeFileSync(join(home, '.claude.json'), JSON.stringify({
    hasCompletedOnboarding: true,
    lastOnboardingVersion: CLAUDE_VERSION,
    customApiKeyResponses: { approved: [apiKey.slice(-20)], rejected: [] },
    projects,
  }, null, 2));
  writeFileSync(join(home, '.claude', 'settings.json'), JSON.stringify({ skipDangerousModePermissionPrompt: true }, null, 2));
}

/**
 * The environment for the CLI, built from nothing (no proxy, token or CLAUDE_CONFIG_DIR of the person running the
 * tests can leak in): HOME, the fake API at `apiUrl`, the key, no telemetry or other traffic, IS_SANDBOX as root.
 */
export function claudeEnv(home: string, apiUrl: string, extra: Record<string, string> = {}, apiKey: string = FAKE_API_KEY): NodeJS.ProcessEnv {
  if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(apiUrl)) throw new Error(`the fake API must be on http://127.0.0.1:<port>, not ${apiUrl}`);
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    LANG: 'C.UTF-8',
    TERM: 'xterm-256color',
    ANTHROPIC_BASE_URL: apiUrl,
    ANTHROPIC_API_KEY: apiKey,
    DISABLE_TELEMETRY: '1',
    DISABLE_AUTOUPDATER: '1',
    DISABLE_ERROR_REPORTING: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    NO_PROXY: '127.0.0.1,localhost',
    // Bypass mode refuses to run as root outside a sandbox.
    ...(process.getuid?.() === 0 ? { IS_SANDBOX: '1' } : {}),
    ...extra,
  };
}

/** A temp HOME written by writeClaudeHome, with its env and paths. */
export async function makeClaudeHome(dirs: readonly string[], apiKey: string = FAKE_API_KEY): Promise<ClaudeHome> {
  const home = mkdtempSync(join(tmpdir(), 'ccbot-e2e-home-'));
  const configDir = join(home, '.claude');
  writeClaudeHome(home, dirs, apiKey);
  const projectDir = (cwd: string) => join(configDir, 'projects', cwd.replace(/[^a-zA-Z0-9]/g, '-'));
  return {
    home,
    configDir,
    env: (apiUrl, extra = {}) => claudeEnv(home, apiUrl, extra, apiKey),
    projectDir,
    transcriptPath: (cwd, sessionId) => join(projectDir(cwd), `${sessionId}.jsonl`),
    async cleanup() {
      // After ClaudeTmux.cleanup no Claude writes here any more; a stubborn temp dir is left to the OS, with a word.
      try {
        rmSync(home, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
      } catch (err) {
        console.warn(`e2e: could not remove ${home}: ${String(err)}`);
      }
    },
  };
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

export interface ClaudeTmux {
  /** The env of every tmux call, and of the server (so of every window): `env` plus TMUX_TMPDIR. */
  env: NodeJS.ProcessEnv;
  opts: TmuxOptions;
  session: string;
  tmux(args: readonly string[], input?: string): Promise<RunResult>;
  /** Opens a window running argv (through ccbot's newWindow) and returns its id. */
  open(name: string, cwd: string, argv: readonly string[], windowEnv?: Record<string, string>): Promise<string>;
  /** The pane as a person sees it. */
  screen(windowId: string): Promise<string>;
  /** Resolves with the pane state once `test` accepts it; throws with the screen when `timeoutMs` passes first. */
  waitForPane(windowId: string, test: (state: PaneState, screen: string) => boolean, what: string, timeoutMs?: number): Promise<PaneState>;
  /** Waits for the idle input box; a trust dialog or a first-run screen fails at once, saying why. */
  waitForIdle(windowId: string, timeoutMs?: number): Promise<void>;
  /** Types one prompt the way ccbot does (bracketed paste, a pause, Enter). */
  type(windowId: string, text: string): Promise<void>;
  press(windowId: string, keys: readonly Key[]): Promise<void>;
  /** Kills the server (and with it every Claude in it), then removes its socket dir. */
  cleanup(): Promise<void>;
}

const POLL_MS = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Screens that mean the HOME is not what makeClaudeHome makes: waiting longer would only hide the cause. */
function wrongScreen(screen: string): string | null {
  if (/Is this a project you created or one you trust|Do you trust the files in this folder/.test(screen)) {
    return 'the CLI shows its trust dialog: pass this cwd (its real path) to makeClaudeHome';
  }
  if (/Unable to connect to Anthropic services|Choose the text style|Select login method/.test(screen)) {
    return 'the CLI shows its first-run screens: .claude.json was not read (is CLAUDE_CONFIG_DIR set?)';
  }
  if (/Bypass Permissions mode/i.test(screen) && /No, exit/.test(screen)) {
    return 'the CLI asks to accept bypass mode: settings.json lacks skipDangerousModePermissionPrompt';
  }
  return null;
}

/** An isolated tmux server (a fresh TMUX_TMPDIR) whose session `session` exists, 160×50 like the samples. */
export async function startClaudeTmux(env: NodeJS.ProcessEnv, session = 'ccbot-e2e'): Promise<ClaudeTmux> {
  // Short prefix: the socket path ($TMUX_TMPDIR/tmux-<uid>/default) must stay under ~100 bytes.
  const dir = mkdtempSync(join(tmpdir(), 'ccbot-tmux-'));
  const tmuxEnv: NodeJS.ProcessEnv = { ...env, TMUX_TMPDIR: dir };
  delete tmuxEnv.TMUX;
  delete tmuxEnv.TMUX_PANE;
  const opts: TmuxOptions = { env: tmuxEnv };
  const tmux = (args: readonly string[], input?: string) => execRun('tmux', args, { env: tmuxEnv, input, timeoutMs: 5_000 });
  // The session as ensureSession makes it (a `__main__` window keeps it alive), but 160×50 like the samples.
  const made = await tmux(['new-session', '-d', '-s', session, '-n', '__main__', '-x', '160', '-y', '50']);
  if (!made.ok) throw new Error(`cannot start tmux in ${dir}: ${made.stderr}`);

  const screen = async (windowId: string) => visibleText((await capturePane(windowId, opts)) ?? '');
  const self: ClaudeTmux = {
    env: tmuxEnv,
    opts,
    session,
    tmux,
    async open(name, cwd, argv, windowEnv = {}) {
      const opened = await newWindow(session, { name, cwd, argv, env: windowEnv }, opts);
      if (!opened.ok) throw new Error(opened.error);
      return opened.windowId; // 160×50: a window of a detached session takes the session's size
    },
    screen,
    async waitForPane(windowId, test, what, timeoutMs = START_TIMEOUT_MS) {
      const deadline = Date.now() + timeoutMs;
      let text = '';
      for (;;) {
        text = await screen(windowId);
        const state = readPane(text);
        if (test(state, text)) return state;
        const wrong = wrongScreen(text);
        if (wrong || Date.now() > deadline) throw new Error(`${wrong ?? `no ${what} within ${timeoutMs} ms`}; the pane:\n${text}`);
        await sleep(POLL_MS);
      }
    },
    async waitForIdle(windowId, timeoutMs = START_TIMEOUT_MS) {
      await self.waitForPane(windowId, (state) => state.kind === 'idle', 'idle prompt', timeoutMs);
    },
    async type(windowId, text) {
      const sent = await sendText(windowId, text, opts);
      if (!sent.ok) throw new Error(sent.error);
    },
    async press(windowId, keys) {
      const sent = await sendKeys(windowId, keys, opts);
      if (!sent.ok) throw new Error(sent.error);
    },
    async cleanup() {
      // SIGHUP ends every Claude in the server, but each one still writes .claude.json on its way out: wait for
      // them, or removing the HOME races with those writes.
      const listed = await tmux(['list-panes', '-a', '-F', '#{pane_pid}']);
      const pids = listed.ok ? listed.stdout.split('\n').filter((line) => /^\d+$/.test(line)).map(Number) : [];
      await tmux(['kill-server']);
      await waitForExit(pids);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return self;
}

/** Polls `probe` until it gives a value; throws naming `what` after `timeoutMs`. */
export async function waitFor<T>(probe: () => T | undefined | Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(POLL_MS);
  }
}

export type TranscriptLine = Record<string, unknown> & { type: string };

/** Every complete JSON line of a transcript; [] while it does not exist. A torn last line (being written) is left out. */
export function readTranscriptLines(path: string): TranscriptLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8').split('\n').flatMap((line) => {
    try {
      return line.trim() ? [JSON.parse(line) as TranscriptLine] : [];
    } catch {
      return [];
    }
  });
}

/** The text blocks of the transcript's assistant entries, in order. */
export function assistantTexts(lines: readonly TranscriptLine[]): string[] {
  return lines
    .filter((line) => line.type === 'assistant')
    .flatMap((line) => ((line.message as { content?: { type: string; text?: string }[] } | undefined)?.content ?? []))
    .filter((block) => block.type === 'text' && typeof block.text === 'string')
    .map((block) => block.text!);
}
