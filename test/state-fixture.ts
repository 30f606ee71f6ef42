/** The content of an empty state.json, for tests that build a state and hand it to its owners (StateStore). */
import type { State } from '#ccbot/state.js';

export const emptyState = (): State => ({ version: 1, sessions: {}, users: {}, outbox: [] });
