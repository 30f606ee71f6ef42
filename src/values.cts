/** Shapes every module shares, pure: the one expected-failure value (STYLE 6) and the guard for parsed JSON. */

/** An expected failure: `kind` is what the caller branches on, `error` the one line for a log or a person. */
export type Failure<K extends string> = { ok: false; kind: K; error: string };

export const fail = <K extends string>(kind: K, error: string): Failure<K> => ({ ok: false, kind, error });

/** A JSON object (not null, not an array): what every reader of a parsed file checks first. */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
