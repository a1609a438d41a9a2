/**
 * The sign-in throttle and the rate limits shared by every instance through Redis
 * (REDIS_URL): a limit hit on one instance holds on all of them. Each check-and-count is
 * one Lua script, so it is atomic across instances, and it reads the time from Redis
 * (TIME), so instances whose clocks differ a little still agree. Every counter expires on
 * its own (PEXPIRE), so nothing has to be cleaned up.
 *
 * Keys never hold a login name or an address as such: they hold a SHA-256 of the
 * counter's name (login-throttle.ts builds the counters), under the installation's prefix.
 *
 * While Redis cannot be reached, a check is refused with SERVICE_UNAVAILABLE (at once while
 * the connection is known to be down) before any work: a limit is never skipped. Only the
 * forgiveness after a successful sign-in is let go (the failure stays counted until it is
 * forgotten), since the session exists by then.
 */
import { createHash } from 'node:crypto';
import { ReplyError, type Redis } from 'ioredis';
import { RateLimitedError, ServiceUnavailableError } from '../domain-error.ts';
import { LOGIN_THROTTLE_POLICY, loginThrottleCounters, type LoginAttempt, type LoginThrottle, type LoginThrottlePolicy } from './login-throttle.ts';
import type { RateLimitRule, RateLimits } from './rate-limiter.ts';

const NOW_MS = `local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)`;

/**
 * KEYS: the counters (hashes of failures `f` and last failure `l`). ARGV: each counter's
 * free failures, then backoff base, backoff max and memory in ms. Returns the ms to wait
 * (0: the attempt is counted in every counter).
 */
const BEGIN_LOGIN = `${NOW_MS}
local count = #KEYS
local base, max, forget = tonumber(ARGV[count + 1]), tonumber(ARGV[count + 2]), tonumber(ARGV[count + 3])
local wait = 0
for i = 1, count do
  local counter = redis.call('HMGET', KEYS[i], 'f', 'l')
  local failures, last = tonumber(counter[1]) or 0, tonumber(counter[2]) or 0
  local free = tonumber(ARGV[i])
  if failures >= free then
    local backoff = math.min(base * 2 ^ math.min(failures - free, 30), max)
    wait = math.max(wait, last + backoff - now)
  end
end
if wait > 0 then return math.ceil(wait) end
for i = 1, count do
  redis.call('HINCRBY', KEYS[i], 'f', 1)
  redis.call('HSET', KEYS[i], 'l', now)
  redis.call('PEXPIRE', KEYS[i], forget)
end
return 0`;

/** KEYS[1] is forgotten, each further key forgiven one failure. */
const LOGIN_SUCCEEDED = `redis.call('DEL', KEYS[1])
for i = 2, #KEYS do
  local failures = tonumber(redis.call('HGET', KEYS[i], 'f'))
  if failures and failures > 0 then redis.call('HINCRBY', KEYS[i], 'f', -1) end
end
return 0`;

/** KEYS[1]: the window's count. ARGV: limit, window ms. Returns the ms left in a used-up window, else 0 (counted). */
const CONSUME = `local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if used >= tonumber(ARGV[1]) then return math.max(redis.call('PTTL', KEYS[1]), 1) end
if used == 0 then redis.call('SET', KEYS[1], 1, 'PX', ARGV[2]) else redis.call('INCR', KEYS[1]) end
return 0`;

function hashed(name: string): string {
  return createHash('sha256').update(name).digest('base64url');
}

/** What a client is told while Redis is unreachable. */
const RATE_LIMIT_STORE = 'the shared rate-limit store';

async function runScript(redis: Redis, script: string, keys: string[], values: Array<string | number>): Promise<number> {
  // A lost connection is retried in the background; meanwhile a command would wait for it first.
  if (redis.status !== 'ready') throw new ServiceUnavailableError(RATE_LIMIT_STORE);
  try {
    return Number(await redis.eval(script, keys.length, ...keys, ...values));
  } catch (error) {
    // A reply is Redis answering (a script fault: a bug, not an outage); anything else is the connection.
    if (error instanceof ReplyError) throw error;
    throw new ServiceUnavailableError(RATE_LIMIT_STORE, { cause: error });
  }
}

export class RedisLoginThrottle implements LoginThrottle {
  readonly #redis: Redis;
  readonly #keyPrefix: string;
  readonly #policy: LoginThrottlePolicy;

  constructor(redis: Redis, keyPrefix: string, policy: LoginThrottlePolicy = LOGIN_THROTTLE_POLICY) {
    this.#redis = redis;
    this.#keyPrefix = keyPrefix;
    this.#policy = policy;
  }

  async begin(attempt: { login: string; address: string }): Promise<LoginAttempt> {
    const counters = loginThrottleCounters(this.#policy, attempt);
    const keys = counters.map(([name]) => `${this.#keyPrefix}login:${hashed(name)}`);
    const waitMs = await runScript(this.#redis, BEGIN_LOGIN, keys, [
      ...counters.map(([, freeFailures]) => freeFailures),
      this.#policy.backoffBaseMs,
      this.#policy.backoffMaxMs,
      this.#policy.forgetAfterMs,
    ]);
    if (waitMs > 0) throw new RateLimitedError(Math.ceil(waitMs / 1_000));
    return {
      succeeded: async () => {
        try {
          await runScript(this.#redis, LOGIN_SUCCEEDED, keys, []);
        } catch (error) {
          // Signed in already: the unforgiven failure errs toward the limit and expires on its own.
          if (!(error instanceof ServiceUnavailableError)) throw error;
        }
      },
    };
  }
}

export class RedisRateLimits implements RateLimits {
  readonly #redis: Redis;
  readonly #keyPrefix: string;

  constructor(redis: Redis, keyPrefix: string) {
    this.#redis = redis;
    this.#keyPrefix = keyPrefix;
  }

  async consume(rule: RateLimitRule, key: string): Promise<void> {
    const leftMs = await runScript(this.#redis, CONSUME, [`${this.#keyPrefix}rate:${rule.name}:${hashed(key)}`], [rule.limit, rule.windowMs]);
    if (leftMs > 0) throw new RateLimitedError(Math.ceil(leftMs / 1_000));
  }
}
