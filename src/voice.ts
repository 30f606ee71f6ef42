/** Voice notes to text: ffmpeg makes the audio 16 kHz mono 16-bit WAV, whisper.cpp's whisper-cli transcribes it.
 * Owns those two runs and their temporary files, which never outlive a call; it sends nothing and types nothing. */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Config } from './config.cjs';
import { execRun, type RunResult } from './exec.js';
import { fail, type Failure } from './values.cjs';

/* whisper.cpp facts relied on (examples/cli/cli.cpp and README.md, the same from v1.7.5 to v1.9.3 and master):
 * - `-m` model, `-f` input, `-l` language ('auto' detects), `-t` threads; the input must be 16-bit WAV, converted as
 *   the README shows: `ffmpeg -i in -ar 16000 -ac 1 -c:a pcm_s16le out.wav`.
 * - `-nt` prints each segment's text without timestamps or newlines between segments, then one "\n"; `-np` silences
 *   its log (model loading, timings), so stdout holds only the transcript.
 * - Errors are "error: …" lines on stderr with exit 2 (no input), 3 (model), 10 (decoding) — but an unknown language
 *   or argument prints its error and the usage and exits 0, so an empty transcript beside an "error:" line fails.
 * - Silence decodes as an annotation such as "[BLANK_AUDIO]" (the model writes "(silence)", "[MUSIC]" too). */

const TIMEOUT_MS = 120_000;
const ERROR_CHARS = 300;
const ANNOTATIONS_ONLY = /^(?:\s*(?:\[[^\]]*\]|\([^)]*\)))*\s*$/;

type Whisper = NonNullable<Config['whisper']>;
type VoiceFailure = Failure<'ffmpeg' | 'whisper' | 'timeout' | 'empty' | 'files'>;

interface TranscribeOptions {
  /** For conversion and transcription together; a program still running then is killed (exec.ts: SIGKILL). */
  timeoutMs?: number;
  tempRoot?: string; // where the private temporary directory is made
  /** What both programs run with (its PATH finds ffmpeg and a bare WHISPER_CLI): the daemon's childEnv, no token. */
  env?: NodeJS.ProcessEnv;
}

/** The text spoken in `audio` (the bytes of a voice note, or the path of an audio file in any format ffmpeg reads), or
 * why there is none. Never rejects for a missing, failing or slow program. */
export async function transcribe(audio: Uint8Array | string, whisper: Whisper,
  { timeoutMs = TIMEOUT_MS, tempRoot = tmpdir(), env }: TranscribeOptions = {},
): Promise<{ ok: true; text: string } | VoiceFailure> {
  const deadline = Date.now() + timeoutMs;
  const left = () => Math.max(1, deadline - Date.now());
  const timedOut = fail('timeout', `transcription took longer than ${Math.round(timeoutMs / 1000)} s and was stopped`);
  if (!existsSync(whisper.model)) {
    return fail('whisper', `WHISPER_MODEL ${whisper.model} does not exist: download a ggml model `
      + '(README: Voice notes)');
  }
  let dir: string | undefined;
  try {
    dir = await mkdtemp(join(tempRoot, 'ccbot-voice-')); // mode 0700: the person's voice is nobody else's business
    // Absolute, so ffmpeg never reads a name like "http:…" as a protocol.
    const input = typeof audio === 'string' ? resolve(audio) : join(dir, 'voice.in');
    if (typeof audio !== 'string') await writeFile(input, audio, { mode: 0o600 });
    const wav = join(dir, 'voice.wav');
    const converted = await execRun('ffmpeg', ['-nostdin', '-y', '-loglevel', 'error', '-i', input, '-vn',
      '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', wav], { timeoutMs: left(), env });
    if (!converted.ok) {
      if (converted.kind === 'timeout') return timedOut;
      return fail('ffmpeg', converted.kind === 'missing'
        ? 'ffmpeg is not installed: voice notes need it (Debian/Ubuntu: apt-get install ffmpeg)'
        : `ffmpeg could not convert the voice note: ${reason(converted).replace(`${input}: `, '')}`); // a gone path
    }
    const heard = await execRun(whisper.cli, ['-m', whisper.model, '-f', wav, '-l', whisper.lang,
      '-t', String(whisper.threads), '-nt', '-np'], { timeoutMs: left(), env });
    if (!heard.ok) {
      if (heard.kind === 'timeout') return timedOut;
      return fail('whisper', heard.kind === 'missing'
        ? `WHISPER_CLI ${whisper.cli} was not found: build whisper.cpp's whisper-cli (README: Voice notes)`
        : `${whisper.cli} failed: ${reason(heard)}`);
    }
    const text = linesOf(heard.stdout).join(' ');
    if (!ANNOTATIONS_ONLY.test(text)) return { ok: true, text };
    const complaint = linesOf(heard.stderr).findLast(isErrorLine);
    return complaint ? fail('whisper', `${whisper.cli} failed: ${complaint.slice(0, ERROR_CHARS)}`)
      : fail('empty', 'no speech was recognised in the voice note');
  } catch (error) {
    // Writing the bytes (disk full, tempRoot unwritable) is all that can throw here.
    return fail('files', `could not write the voice note to a temporary file: ${(error as Error).message}`);
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true }).catch(() => {});
  }
}

const linesOf = (text: string) => text.split('\n').map((line) => line.trim()).filter(Boolean);
const isErrorLine = (line: string) => /^error\b/i.test(line);

/** Its "error: …" line, else its last: whisper-cli prints its usage after some errors. One line, bounded. */
function reason({ stderr, code }: Extract<RunResult, { ok: false }>): string {
  const lines = linesOf(stderr);
  return (lines.findLast(isErrorLine) ?? lines.at(-1) ?? `it exited with ${code ?? 'a signal'}`).slice(0, ERROR_CHARS);
}
