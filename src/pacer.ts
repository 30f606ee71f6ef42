/** Per-chat pacing of Bot API requests: per chat, three queues (tasks run one after another, in call order): new
 * messages, which go first; edits, which wait behind them; tidying (old messages' keyboards taken off), last.
 * Requests start a minimum spacing apart, a message may come sooner within a short burst, and a 429 or a backoff
 * pauses all. No Telegram knowledge, no I/O beyond the injected clock and sleep. */
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

/** Per chat: when the last queued task of each queue settles; the earliest start of its next request (in the past: at
 * once), which a message may precede by BURST - 1 spacings; and the end of a pause. */
interface Lane { tails: Record<Queue, Promise<unknown>>; nextAt: number; pausedUntil: number }
type Queue = 'message' | 'edit' | 'tidy';
/** Messages that may go at once: Telegram allows short bursts over one a second in a chat. */
const BURST = 3;
const TIDY_LAG_MS = 50; // a free slot goes to a waiting edit (a tapped screen changing) before any tidying

export class Pacer {
  private readonly lanes = new Map<number | string, Lane>();
  private readonly clock: Required<PacerOptions>;

  constructor({ now = Date.now, sleep = delay, minIntervalMs = 1000 }: PacerOptions = {}) {
    this.clock = { now, sleep, minIntervalMs };
  }

  /** Runs `task` once every earlier task of its queue has finished and the chat may take a request, so the parts
   * of one long message are never interleaved with another message. A message goes before edits still waiting, an
   * edit before tidying. The task awaits `turn` before each request (the first is taken already). Its result (or its
   * throw) is the caller's; the queue goes on either way. */
  run<T>(key: number | string, task: (turn: Turn) => Promise<T>, queue: Queue = 'edit'): Promise<T> {
    const lane = this.lane(key);
    const early = queue === 'message' ? (BURST - 1) * this.clock.minIntervalMs : 0;
    const due = () => Math.max(lane.nextAt - early, lane.pausedUntil) + (queue === 'tidy' ? TIDY_LAG_MS : 0);
    const take = async () => {
      // Again when the other queue took the slot meanwhile; a sleep cut short (ccbot stopping) ends the wait.
      for (let at = due(); at > this.clock.now(); at = at === due() ? -Infinity : due()) {
        await this.clock.sleep(at - this.clock.now());
      }
      lane.nextAt = Math.max(lane.nextAt, this.clock.now()) + this.clock.minIntervalMs;
    };
    let taken = false;
    const turn: Turn = () => (taken ? take() : ((taken = true), Promise.resolve()));
    const result = lane.tails[queue].then(take).then(() => task(turn));
    lane.tails[queue] = result.catch(() => undefined);
    return result;
  }

  /** Nothing more goes to `key` for `ms` from now (Telegram's retry_after, or a backoff after a failure). */
  pause(key: number | string, ms: number): void {
    const lane = this.lane(key);
    lane.pausedUntil = Math.max(lane.pausedUntil, this.clock.now() + ms);
  }

  private lane(key: number | string): Lane {
    const free = Promise.resolve();
    const lane = this.lanes.get(key) ?? { tails: { message: free, edit: free, tidy: free }, nextAt: 0, pausedUntil: 0 };
    this.lanes.set(key, lane);
    return lane;
  }
}
