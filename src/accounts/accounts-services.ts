/**
 * The accounts module's long-lived services: the failed-sign-in limits, kept in this
 * process's memory (a cheap check before the memory-hard password hash).
 */
import type { ModuleRuntime } from '../kernel/domain-module.ts';
import { RateLimiter } from './rate-limiter.ts';
import { SessionWatch } from './session-watch.ts';

/** Failed sign-ins allowed per login name, and per client address, each minute. */
export const FAILED_LOGINS_PER_NAME_PER_MINUTE = 10;
export const FAILED_LOGINS_PER_ADDRESS_PER_MINUTE = 100;

export interface AccountsServices {
  failedLoginsByName: RateLimiter;
  failedLoginsByAddress: RateLimiter;
  /** Ends subscription streams whose session ended. */
  sessionWatch: SessionWatch;
}

declare module '../kernel/domain-module.ts' {
  interface ModuleServices {
    accounts: AccountsServices;
  }
}

export function createAccountsServices(runtime: ModuleRuntime): AccountsServices {
  return {
    failedLoginsByName: new RateLimiter(FAILED_LOGINS_PER_NAME_PER_MINUTE, 60_000),
    failedLoginsByAddress: new RateLimiter(FAILED_LOGINS_PER_ADDRESS_PER_MINUTE, 60_000),
    sessionWatch: new SessionWatch({
      forkEntityManager: runtime.forkEntityManager,
      onError: (error) => runtime.logger.error({ error: (error as Error).message }, 'session check failed; retried at the next interval'),
    }),
  };
}
