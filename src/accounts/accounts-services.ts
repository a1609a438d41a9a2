/**
 * The accounts module's long-lived services: the sign-in throttle (a cheap check before
 * the memory-hard password hash) and the rate limits of expensive work (proof checks,
 * proof submissions), both in this process's memory for one instance and shared through
 * Redis when REDIS_URL is set; and the watch that ends subscription streams whose session
 * ended; and the communities' records, which never change, kept once read.
 */
import type { ModuleRuntime } from '../kernel/domain-module.ts';
import { MemoryLoginThrottle, type LoginThrottle } from './login-throttle.ts';
import { MemoryRateLimits, type RateLimits } from './rate-limiter.ts';
import { SessionWatch } from './session-watch.ts';
import { CommunityDirectory } from './community-directory.ts';
import { RedisLoginThrottle, RedisRateLimits } from './shared-rate-limits.ts';

export interface AccountsServices {
  loginThrottle: LoginThrottle;
  /** Fixed-window limits of expensive work, keyed by the caller (rate-limiter.ts). */
  rateLimits: RateLimits;
  /** Ends subscription streams whose session ended. */
  sessionWatch: SessionWatch;
  /** The communities' records, kept once read (they never change): the dashboard's list. */
  communityDirectory: CommunityDirectory;
}

declare module '../kernel/domain-module.ts' {
  interface ModuleServices {
    accounts: AccountsServices;
  }
}

export function createAccountsServices(runtime: ModuleRuntime): AccountsServices {
  return {
    loginThrottle: runtime.redis ? new RedisLoginThrottle(runtime.redis.client, runtime.redis.keyPrefix) : new MemoryLoginThrottle(),
    rateLimits: runtime.redis ? new RedisRateLimits(runtime.redis.client, runtime.redis.keyPrefix) : new MemoryRateLimits(),
    sessionWatch: new SessionWatch({
      forkEntityManager: runtime.forkEntityManager,
      onError: (error) => runtime.logger.error({ error: (error as Error).message }, 'session check failed; retried at the next interval'),
    }),
    communityDirectory: new CommunityDirectory(),
  };
}
