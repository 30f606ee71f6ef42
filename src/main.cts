#!/usr/bin/env -S node --optimize-for-size --no-opt --no-sparkplug
/** The ccbot command line: picks the subcommand; the one place a thrown error becomes one line and an exit code.
 * CommonJS, like every module `ccbot hook` loads: Claude Code waits for the hook on every prompt, and Node starts an
 * ES module graph ~10 ms slower (its loader, node:fs's ESM wrapper); require() of a .cjs costs a fraction of one. */
// No imports at the top: each would be paid by every `ccbot hook` run, on every prompt.

const USAGE = `usage: ccbot [command]

Drive Claude Code sessions in tmux from a private Telegram chat.

commands:
  (none)            run the daemon (configuration: ~/.ccbot/.env, see README.md)
  hook              run as a Claude Code hook (reads the event on stdin, prints nothing, exits 0)
  hook --install    add the hook to Claude Code's settings.json (~/.claude, or $CLAUDE_CONFIG_DIR)
  hook --uninstall  remove it from there
  doctor            check the setup and say what to fix
  send-file <path> [--caption TEXT]
                    in a session's window: send the file to the session's owner in Telegram
  --help            show this help
  --version         print the version`;

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE + '\n');
    return 0;
  }
  if (command === '--version' || command === '-v') {
    const pkg = require('../package.json') as { version: string };
    process.stdout.write(pkg.version + '\n');
    return 0;
  }
  if (command === 'hook') {
    // Before any configuration: Claude Code runs it on every prompt, without the token; nor the daemon's modules.
    const { hookCommand } = require('./hook-entry.cjs') as typeof import('./hook-entry.cjs');
    return hookCommand(rest);
  }
  if (command === 'send-file') {
    // Before any configuration: Claude runs it in its window, which has no token; the daemon sends.
    const { sendFileCommand } = await import('./send-file.js');
    const { code, line } = await sendFileCommand(rest);
    (code === 0 ? process.stdout : process.stderr).write(line + '\n');
    return code;
  }
  if (command === 'doctor') {
    // Before any configuration: a configuration that does not load is one of the things it reports.
    const { doctorCommand } = await import('./doctor.js');
    return doctorCommand(rest);
  }
  if (command === undefined) {
    const { loadConfig } = require('./config.cjs') as typeof import('./config.cjs');
    const { addSecret, setLevel } = require('./log.cjs') as typeof import('./log.cjs');
    const config = loadConfig(process.env);
    addSecret(config.botToken);
    setLevel(config.logLevel);
    const { runDaemon } = await import('./daemon.js');
    // Exit explicitly: keep-alive sockets must not hold a stopped daemon open (stderr is synchronous on Linux).
    process.exit(await runDaemon(config));
  }
  process.stderr.write(`ccbot: unknown command "${[command, ...rest].join(' ')}"\n${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => void (process.exitCode = code),
  // Every failure is one line: 2 for configuration, 1 for the rest (a held lock, tmux missing). Expected failures
  // say what to do; for anything else LOG_LEVEL=debug adds the stack.
  async (err: unknown) => {
    const { redact } = require('./log.cjs') as typeof import('./log.cjs');
    const { ConfigError } = require('./config.cjs') as typeof import('./config.cjs');
    const { LockHeldError } = require('./lock.cjs') as typeof import('./lock.cjs');
    const message = err instanceof Error ? err.message : String(err);
    process.stderr.write(redact(message.startsWith('ccbot ') ? message : `ccbot: ${message}`) + '\n');
    const expected = err instanceof ConfigError || err instanceof LockHeldError;
    const stack = !expected && process.env.LOG_LEVEL === 'debug' && err instanceof Error ? err.stack : undefined;
    if (stack) process.stderr.write(redact(stack) + '\n');
    process.exitCode = err instanceof ConfigError ? 2 : 1;
  },
);
