/**
 * A fixed-window counter per key. It guards expensive work (password hashing, proof
 * verification) from floods; it is not a quota. `RateLimits` is what resolvers use: in
 * this process's memory for one instance (`MemoryRateLimits`), or shared by every
 * instance through Redis (`RedisRateLimits`, shared-rate-limits.ts).
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

  /** Throws RateLimitedError when `key` has used up its window. */
  check(key: string, nowMs = Date.now()): void {
    const window = this.#windows.get(key);
    if (window && nowMs - window.startedAtMs < this.#windowMs && window.count >= this.#limit) {
      throw new RateLimitedError(Math.ceil((window.startedAtMs + this.#windowMs - nowMs) / 1000));
    }
  }

  /** Counts one attempt against `key`. */
  record(key: string, nowMs = Date.now()): void {
    const window = this.#windows.get(key);
    if (!window || nowMs - window.startedAtMs >= this.#windowMs) {
      if (this.#windows.size >= MAX_TRACKED_KEYS) this.#dropExpired(nowMs);
      this.#windows.set(key, { startedAtMs: nowMs, count: 1 });
      return;
    }
    window.count += 1;
  }

  /** Checks, then counts: for work that costs the same whether it succeeds or not. */
  consume(key: string, nowMs = Date.now()): void {
    this.check(key, nowMs);
    this.record(key, nowMs);
  }

  #dropExpired(nowMs: number): void {
    for (const [key, window] of this.#windows) {
      if (nowMs - window.startedAtMs >= this.#windowMs) this.#windows.delete(key);
    }
    // Still full of live windows: forget the oldest rather than grow without bound.
    while (this.#windows.size >= MAX_TRACKED_KEYS) this.#windows.delete(this.#windows.keys().next().value!);
  }
}

/** One limited action: at most `limit` attempts per key in each window of `windowMs`. */
export interface RateLimitRule {
  /** Names the action in shared keys, e.g. `census.proof-check`. */
  readonly name: string;
  readonly limit: number;
  readonly windowMs: number;
}

export interface RateLimits {
  /** Counts one attempt of `rule` by `key`, or throws RateLimitedError when its window is used up (a refused attempt is not counted). */
  consume(rule: RateLimitRule, key: string): Promise<void>;
}

/** The rules' windows in this process's memory: for one instance. */
export class MemoryRateLimits implements RateLimits {
  readonly #limiters = new Map<string, RateLimiter>();

  async consume(rule: RateLimitRule, key: string): Promise<void> {
    let limiter = this.#limiters.get(rule.name);
    if (!limiter) {
      limiter = new RateLimiter(rule.limit, rule.windowMs);
      this.#limiters.set(rule.name, limiter);
    }
    limiter.consume(key);
  }
}
