/** The text of configuration, pure: `.env` lines (KEY=value with sh-like quotes and comments) and word lists with
 * quotes (CLAUDE_FLAGS). Reads no file: config.cts, hook.cts and doctor-files.ts hand it the text. */

/** `KEY=value` lines → record. Comments, blank lines and anything that is not an assignment are skipped; the last
 * assignment wins. */
export function parseDotEnv(text: string): Record<string, string> {
  const out = new Map<string, string>();
  for (const line of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=(.*)$/.exec(line);
    if (m) out.set(m[1]!, parseValue(m[2]!));
  }
  // fromEntries defines own properties, so a `__proto__=` line cannot touch the prototype.
  return Object.fromEntries(out);
}

/** '…' is taken as is; inside "…", \n, \" and \\ are escapes. What follows the closing quote is ignored. */
function parseValue(rest: string): string {
  const quoted = /^\s*(?:'([^']*)'|"((?:\\[\s\S]|[^"\\])*)")/.exec(rest);
  if (quoted) return quoted[1] ?? quoted[2]!.replace(/\\([n"\\])/g, (_, c: string) => (c === 'n' ? '\n' : c));
  // Unquoted (or an unclosed quote, taken literally): as in sh, `#` starts a comment only after whitespace, so
  // `a#b` stays whole.
  const hash = rest.search(/\s#/);
  return (hash >= 0 ? rest.slice(0, hash) : rest).trim();
}

/** A '…' group, a "…" group, a bare run, whitespace, or a quote that no group could close. */
const WORD_PART = /'([^']*)'|"((?:\\[\s\S]|[^"\\])*)"|([^\s'"]+)|\s+|['"]/g;

/** Splits on whitespace; '…' and "…" group words (inside "…", \" and \\ escape). Undefined for an unclosed quote. */
export function splitWords(text: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  for (const [part, single, double, bare] of text.matchAll(WORD_PART)) {
    if (part === "'" || part === '"') return undefined;
    if (/^\s/.test(part)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else word = (word ?? '') + (single ?? double?.replace(/\\(["\\])/g, '$1') ?? bare);
  }
  if (word !== undefined) words.push(word);
  return words;
}
