/** The shape of state.json for tests that build a state and hand it to its owners (StateStore), and an empty one. */
import type { StateStore } from '#ccbot/state.js';

export type State = ConstructorParameters<typeof StateStore>[0];

export const emptyState = (): State => ({ version: 1, sessions: {}, users: {}, outbox: [] });
