/**
 * Throttling of failed sign-ins, checked before the memory-hard password hash.
 *
 * Three counters per attempt, each with its own allowance of free failures, after which
 * each further attempt must wait twice as long as the one before (exponential backoff,
 * from LOGIN_BACKOFF_BASE_MS up to LOGIN_BACKOFF_MAX_MS after the last failure):
 *
 * - the login name *from this address* (5 free): a guesser at one account is slowed at
 *   once, and only from where they guess — the account's owner, elsewhere, is not;
 * - the address, whatever the names (20 free): one address trying many accounts;
 * - the login name from anywhere (100 free): guessing one account from many addresses.
 *   This is the one counter an attacker with enough addresses can drive up for someone
 *   else's name; it only delays (it never locks), and it needs ~100 addresses to start.
 *
 * An attempt is counted when it *begins*, before its password is checked, and forgiven
 * when it succeeds: so concurrent attempts (several requests, or aliases in one
 * document) are counted one by one and the ones beyond the allowance are refused
 * without hashing. A counter is forgotten after LOGIN_FAILURE_MEMORY_MS without failures.
 *
 * `LoginThrottle` is the interface the login resolver uses. This process-local
 * implementation suits one instance; several instances share `RedisLoginThrottle`
 * (shared-rate-limits.ts) behind the same two calls, with the same counters and policy.
 */
import { isIPv4, isIPv6 } from 'node:net';
import { RateLimitedError } from '../domain-error.ts';

export interface LoginThrottlePolicy {
  nameAndAddress: { freeFailures: number };
  address: { freeFailures: number };
  name: { freeFailures: number };
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** A counter with no failure for this long starts again from zero. */
  forgetAfterMs: number;
}

export const LOGIN_BACKOFF_BASE_MS = 1_000;
export const LOGIN_BACKOFF_MAX_MS = 15 * 60_000;
export const LOGIN_FAILURE_MEMORY_MS = 60 * 60_000;

export const LOGIN_THROTTLE_POLICY: LoginThrottlePolicy = {
  nameAndAddress: { freeFailures: 5 },
  address: { freeFailures: 20 },
  name: { freeFailures: 100 },
  backoffBaseMs: LOGIN_BACKOFF_BASE_MS,
  backoffMaxMs: LOGIN_BACKOFF_MAX_MS,
  forgetAfterMs: LOGIN_FAILURE_MEMORY_MS,
};

/** Counters kept in memory at most; the least recently failed are dropped first. */
export const MAX_TRACKED_LOGIN_KEYS = 100_000;

export interface LoginAttempt {
  /** The password was right: forgive this attempt, and the name's failures from this address. */
  succeeded(): Promise<void>;
}

export interface LoginThrottle {
  /**
   * Counts an attempt at `login` from `address` before its password is checked, or
   * refuses it with RateLimitedError (retryAfterSeconds) while any counter backs off.
   */
  begin(attempt: { login: string; address: string }): Promise<LoginAttempt>;
}

/**
 * The part of a client address that identifies a client: IPv4 as is (also when mapped
 * into IPv6), IPv6 by its /64 prefix, since one host is usually given a whole /64.
 */
export function addressKey(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/iu.exec(address);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (!isIPv6(address)) return address;
  const [head = '', tail = ''] = address.toLowerCase().split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...headGroups, ...Array(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups] : headGroups;
  return `${groups.slice(0, 4).map((group) => group.replace(/^0+(?=.)/u, '')).join(':')}::/64`;
}

/**
 * The three counters an attempt is checked against and counted in, each with its free
 * failures: the name from this address first (forgotten entirely on success), then the
 * address and the name (each forgiven one failure on success).
 */
export function loginThrottleCounters(policy: LoginThrottlePolicy, attempt: { login: string; address: string }): Array<[key: string, freeFailures: number]> {
  const address = addressKey(attempt.address);
  return [
    [`name-address\u0000${attempt.login}\u0000${address}`, policy.nameAndAddress.freeFailures],
    [`address\u0000${address}`, policy.address.freeFailures],
    [`name\u0000${attempt.login}`, policy.name.freeFailures],
  ];
}

interface Counter {
  failures: number;
  lastFailureMs: number;
}

export class MemoryLoginThrottle implements LoginThrottle {
  readonly #counters = new Map<string, Counter>();
  readonly #policy: LoginThrottlePolicy;
  readonly #now: () => number;

  constructor(policy: LoginThrottlePolicy = LOGIN_THROTTLE_POLICY, now: () => number = Date.now) {
    this.#policy = policy;
    this.#now = now;
  }

  async begin(attempt: { login: string; address: string }): Promise<LoginAttempt> {
    const nowMs = this.#now();
    const keys = loginThrottleCounters(this.#policy, attempt);
    const waitMs = Math.max(...keys.map(([key, free]) => this.#waitMs(key, free, nowMs)));
    if (waitMs > 0) throw new RateLimitedError(Math.ceil(waitMs / 1_000));
    for (const [key] of keys) this.#fail(key, nowMs);
    return {
      succeeded: async () => {
        this.#counters.delete(keys[0]![0]);
        for (const [key] of keys.slice(1)) this.#forgive(key);
      },
    };
  }

  /** How long an attempt must still wait under this counter. */
  #waitMs(key: string, freeFailures: number, nowMs: number): number {
    const counter = this.#live(key, nowMs);
    if (!counter || counter.failures < freeFailures) return 0;
    const backoffMs = Math.min(this.#policy.backoffBaseMs * 2 ** Math.min(counter.failures - freeFailures, 30), this.#policy.backoffMaxMs);
    return Math.max(0, counter.lastFailureMs + backoffMs - nowMs);
  }

  #live(key: string, nowMs: number): Counter | undefined {
    const counter = this.#counters.get(key);
    if (counter && nowMs - counter.lastFailureMs > this.#policy.forgetAfterMs) {
      this.#counters.delete(key);
      return undefined;
    }
    return counter;
  }

  #fail(key: string, nowMs: number): void {
    const counter = this.#live(key, nowMs) ?? { failures: 0, lastFailureMs: nowMs };
    counter.failures += 1;
    counter.lastFailureMs = nowMs;
    // Re-inserted, so the map's order is least recently failed first.
    this.#counters.delete(key);
    this.#counters.set(key, counter);
    while (this.#counters.size > MAX_TRACKED_LOGIN_KEYS) this.#counters.delete(this.#counters.keys().next().value!);
  }

  #forgive(key: string): void {
    const counter = this.#counters.get(key);
    if (counter) counter.failures = Math.max(0, counter.failures - 1);
  }
}
