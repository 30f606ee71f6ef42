/** Per-chat pacing of Bot API requests: one queue per chat (tasks run one after another, in call order) and a
 * minimum spacing between request starts, which a 429 or a backoff can stretch. No Telegram knowledge, no I/O
 * beyond the injected clock and sleep. */
import { setTimeout as delay } from 'node:timers/promises';

export interface PacerOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Spacing between two requests to one chat; Telegram allows about one message or edit per second per chat. */
  minIntervalMs?: number;
}

/** The wait before repeat number `retry` (0 first) of a failed request: 1 s, doubling, at most 30 s. */
export const backoffMs = (retry: number): number => Math.min(30_000, 1000 * 2 ** retry);

/** Awaited by a task right before each request it makes; resolves when the chat may take one. */
export type Turn = () => Promise<void>;

/** Per chat: when its last queued task settles, and the earliest start of its next request (in the past: at once). */
interface Lane { tail: Promise<unknown>; nextAt: number }

export class Pacer {
  private readonly lanes = new Map<number | string, Lane>();
  private readonly clock: Required<PacerOptions>;

  constructor({ now = Date.now, sleep = delay, minIntervalMs = 1000 }: PacerOptions = {}) {
    this.clock = { now, sleep, minIntervalMs };
  }

  /** Runs `task` once every earlier task of `key` has finished, so the parts of one long message are never
   * interleaved with another message. The task awaits `turn` before each request. Its result (or its throw) is
   * the caller's; the queue goes on either way. */
  run<T>(key: number | string, task: (turn: Turn) => Promise<T>): Promise<T> {
    const lane = this.lane(key);
    const turn: Turn = async () => {
      const waitMs = lane.nextAt - this.clock.now();
      if (waitMs > 0) await this.clock.sleep(waitMs);
      lane.nextAt = this.clock.now() + this.clock.minIntervalMs;
    };
    const result = lane.tail.then(() => task(turn));
    lane.tail = result.catch(() => undefined);
    return result;
  }

  /** Nothing more goes to `key` for `ms` from now (Telegram's retry_after, or a backoff after a failure). */
  pause(key: number | string, ms: number): void {
    const lane = this.lane(key);
    lane.nextAt = Math.max(lane.nextAt, this.clock.now() + ms);
  }

  private lane(key: number | string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) this.lanes.set(key, (lane = { tail: Promise.resolve(), nextAt: -Infinity }));
    return lane;
  }
}
