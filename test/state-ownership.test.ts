/**
 * State has one owner (ARCHITECTURE.md): a scan of src/ that fails when a state type has an index signature, or
 * when a file other than the owner of a part of state.json writes to it, naming the file and line.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAIN_JS } from './daemon-fixture.js';

const SRC = join(MAIN_JS, '..', '..', 'src');
const sources = new Map(readdirSync(SRC).filter((f) => /\.c?ts$/.test(f)).map((f) => [f, readFileSync(join(SRC, f), 'utf8')]));

/** The types saved in state.json and monitor_state.json, by the file that declares them. */
const STATE_TYPES: Record<string, string[]> = {
  'state.ts': ['State'],
  'sessions.ts': ['Session'],
  'users.ts': ['UserState'],
  'outbox.ts': ['PendingText'],
  'settings.ts': ['Settings'],
  'monitor.ts': ['Follow'],
  'card.ts': ['CardModel'],
};

const ASSIGN = String.raw`\s*(?:=(?!=)|\?\?=|\+=|-=|\+\+|--)`;

/** What only the owner writes: a pattern of the write, and the files allowed to make it (state.ts: loading). */
const WRITES: { what: string; pattern: RegExp; owners: string[] }[] = [
  {
    what: 'a session field',
    pattern: new RegExp(String.raw`\.(status|windowId|claudeSessionId|lastActivityAt|archivedAt|archiveReason|createdAt|ownerUserId)${ASSIGN}`),
    owners: ['sessions.ts'],
  },
  {
    what: 'a session record',
    pattern: new RegExp(String.raw`Object\.assign\(\s*session\b|\bsessions\[[^\]]*\]${ASSIGN}|delete\s+[\w.]*sessions\[`),
    owners: ['sessions.ts', 'state.ts'],
  },
  {
    what: 'a user field',
    pattern: new RegExp(String.raw`\.(activeSessionId|messages|lang|settings|answerTo|lastDir|waitingText)${ASSIGN}|delete\s+user\.`),
    owners: ['users.ts'],
  },
  { what: 'a user record', pattern: new RegExp(String.raw`\busers\[[^\]]*\]${ASSIGN}|delete\s+[\w.]*users\[`), owners: ['users.ts', 'state.ts'] },
  {
    what: 'the outbox',
    pattern: new RegExp(String.raw`\.(typedAt|enteredAt|notified|failed)${ASSIGN}|outbox\.(push|splice|pop|shift|unshift)\(|Object\.assign\(.*\b(typedAt|enteredAt|notified|failed):`),
    owners: ['outbox.ts'],
  },
  { what: 'the last update id', pattern: new RegExp(String.raw`\.lastUpdateId${ASSIGN}`), owners: ['state.ts'] },
];

/** `file:line: what` for every write to state outside its owner; comment lines are skipped. */
function strayWrites(file: string, source: string): string[] {
  return source.split('\n').flatMap((line, i) => {
    if (/^\s*(\*|\/\*|\/\/)/.test(line)) return [];
    return WRITES.filter((w) => !w.owners.includes(file) && w.pattern.test(line)).map((w) => `${file}:${i + 1}: writes ${w.what}: ${line.trim()}`);
  });
}

/** `file:line: Type` for every index signature (`[key: string]: …`) inside the declaration of a state type. */
function indexSignatures(file: string, source: string, types: string[]): string[] {
  const lines = source.split('\n');
  return types.flatMap((type) => {
    const start = lines.findIndex((l) => new RegExp(String.raw`^(export\s+)?(interface\s+${type}\b|type\s+${type}\s*=)`).test(l));
    if (start < 0) return [`${file}: ${type} is not declared here`];
    const end = lines.findIndex((l, i) => i > start && /^\}/.test(l));
    return lines.slice(start, end < 0 ? undefined : end + 1).flatMap((l, i) => (/\[\s*\w+\s*:\s*(string|number)\s*\]\s*:/.test(l) ? [`${file}:${start + i + 1}: ${type}`] : []));
  });
}

const ownership = suite('state ownership');

ownership('every state type is declared field by field: no index signatures', () => {
  const found = Object.entries(STATE_TYPES).flatMap(([file, types]) => indexSignatures(file, sources.get(file) ?? '', types));
  assert.equal(found, [], `state types with an index signature (declare each field):\n${found.join('\n')}`);
});

ownership('only the owner of a part of state.json changes it', () => {
  const found = [...sources].flatMap(([file, source]) => strayWrites(file, source));
  assert.equal(found, [], `state changed outside its owner (add a named operation to the owner and call it):\n${found.join('\n')}`);
});

ownership('the scan sees a stray write and an open bag', () => {
  assert.equal(strayWrites('router.ts', '    session.lastActivityAt = now();\n    if (user.lastDir === dir) return;'), [
    'router.ts:1: writes a session field: session.lastActivityAt = now();',
  ]);
  assert.equal(strayWrites('chat.ts', "(state.users[String(id)] ??= { activeSessionId: null }).lang = 'en';").length, 2);
  assert.equal(indexSignatures('users.ts', 'export interface UserState {\n  activeSessionId: string | null;\n  [key: string]: unknown;\n}', ['UserState']), [
    'users.ts:3: UserState',
  ]);
});

ownership.run();
