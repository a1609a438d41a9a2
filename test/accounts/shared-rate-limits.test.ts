/**
 * The rate limits and the sign-in throttle that several instances share through Redis
 * (src/accounts/shared-rate-limits.ts): two connections stand for two instances. Needs the
 * Redis of REDIS_URL (else redis://127.0.0.1:6379); each run uses keys of its own.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { Redis } from 'ioredis';
import { RateLimitedError } from '../../src/domain-error.ts';
import { LOGIN_THROTTLE_POLICY, MemoryLoginThrottle, type LoginThrottle } from '../../src/accounts/login-throttle.ts';
import { RedisLoginThrottle, RedisRateLimits } from '../../src/accounts/shared-rate-limits.ts';

const redisUrl = process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';

/** What an attempt came to: counted, or refused with its retry-after seconds. */
async function outcome(work: () => Promise<unknown>): Promise<string> {
  try {
    await work();
    return 'counted';
  } catch (error) {
    if (error instanceof RateLimitedError) return `refused ${error.retryAfterSeconds} s`;
    throw error;
  }
}

describe('rate limits shared through Redis', () => {
  let first: Redis;
  let second: Redis;
  const keyPrefix = `courtyard:rate-limit-test-${randomBytes(4).toString('hex')}:`;

  beforeAll(async () => {
    first = new Redis(redisUrl);
    second = new Redis(redisUrl);
    // As the server does (src/server/redis.ts): connected before the first limit is consumed,
    // since a store that is not ready refuses at once with SERVICE_UNAVAILABLE.
    await Promise.all([once(first, 'ready'), once(second, 'ready')]);
  });
  afterAll(async () => {
    const keys = await first.keys(`${keyPrefix}*`);
    if (keys.length > 0) await first.del(...keys);
    await Promise.all([first.quit(), second.quit()]);
  });

  it('counts one window across instances, refuses beyond it without counting, and keeps keys apart', async () => {
    const rule = { name: 'test.action', limit: 3, windowMs: 60_000 };
    const instances = [new RedisRateLimits(first, keyPrefix), new RedisRateLimits(second, keyPrefix)];
    const attempts = await Promise.all(Array.from({ length: 5 }, (_, index) => outcome(() => instances[index % 2]!.consume(rule, 'caller-1'))));
    expect(attempts.filter((attempt) => attempt === 'counted')).toHaveLength(3);
    expect(attempts.filter((attempt) => /^refused (59|60) s$/u.test(attempt))).toHaveLength(2);
    expect(await outcome(() => instances[1]!.consume(rule, 'caller-2'))).toBe('counted');
    expect(await outcome(() => instances[0]!.consume({ ...rule, name: 'test.other' }, 'caller-1'))).toBe('counted');
    // A window ends on its own, and no key names the caller.
    const keys = await first.keys(`${keyPrefix}*`);
    expect(keys.some((key) => key.includes('caller-'))).toBe(false);
    for (const key of keys) expect(await first.pttl(key)).toBeGreaterThan(0);
  });

  it('throttles sign-in like the in-memory throttle, with the counters shared by every instance', async () => {
    const shared = [new RedisLoginThrottle(first, keyPrefix), new RedisLoginThrottle(second, keyPrefix)];
    const memory = new MemoryLoginThrottle();
    const attempt = { login: 'shared-name', address: '2001:db8:1:2:3:4:5:6' };
    // The same sequence through both: five failures, then a refusal; a success forgives.
    const run = async (throttles: LoginThrottle[]) => {
      const seen: string[] = [];
      for (let index = 0; index < 5; index++) seen.push(await outcome(() => throttles[index % throttles.length]!.begin(attempt)));
      seen.push(await outcome(() => throttles[throttles.length - 1]!.begin(attempt)));
      // The same /64 is the same client; another name from it is still free.
      seen.push(await outcome(() => throttles[0]!.begin({ ...attempt, login: 'other-name', address: '2001:db8:1:2:ffff::1' })));
      const forgiven = await throttles[0]!.begin({ login: 'third-name', address: '192.0.2.7' });
      await forgiven.succeeded();
      seen.push(await outcome(() => throttles[0]!.begin({ login: 'third-name', address: '192.0.2.7' })));
      return seen;
    };
    const expected = ['counted', 'counted', 'counted', 'counted', 'counted', 'refused 1 s', 'counted', 'counted'];
    expect(await run([memory])).toEqual(expected);
    expect(await run(shared)).toEqual(expected);
    const keys = await first.keys(`${keyPrefix}login:*`);
    expect(keys.some((key) => key.includes('name') || key.includes('2001'))).toBe(false);
    for (const key of keys) expect(await first.pttl(key)).toBeGreaterThan(LOGIN_THROTTLE_POLICY.forgetAfterMs - 60_000);
  });
});
