/**
 * A fixed-window counter per key, in memory. It guards expensive work (password
 * hashing, proof verification) from floods on one instance; it is not a quota.
 */
import { RateLimitedError } from '../domain-error.ts';

/** How many distinct keys are tracked before the oldest windows are dropped. */
const MAX_TRACKED_KEYS = 100_000;

export class RateLimiter {
  readonly #windows = new Map<string, { startedAtMs: number; count: number }>();
  readonly #limit: number;
  readonly #windowMs: number;

  constructor(limit: number, windowMs: number) {
    this.#limit = limit;
    this.#windowMs = windowMs;
  }

  /** Counts one attempt for `key`, or throws RateLimitedError when the window is full. */
  consume(key: string, nowMs = Date.now()): void {
    const window = this.#windows.get(key);
    if (!window || nowMs - window.startedAtMs >= this.#windowMs) {
      if (this.#windows.size >= MAX_TRACKED_KEYS) this.#dropExpired(nowMs);
      this.#windows.set(key, { startedAtMs: nowMs, count: 1 });
      return;
    }
    if (window.count >= this.#limit) {
      throw new RateLimitedError(Math.ceil((window.startedAtMs + this.#windowMs - nowMs) / 1000));
    }
    window.count += 1;
  }

  #dropExpired(nowMs: number): void {
    for (const [key, window] of this.#windows) {
      if (nowMs - window.startedAtMs >= this.#windowMs) this.#windows.delete(key);
    }
    // Still full of live windows: forget the oldest rather than grow without bound.
    while (this.#windows.size >= MAX_TRACKED_KEYS) this.#windows.delete(this.#windows.keys().next().value!);
  }
}
