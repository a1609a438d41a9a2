/**
 * The accounts module's long-lived services: the sign-in throttle (a cheap check before
 * the memory-hard password hash; in this process's memory until issue 16 shares it) and
 * the watch that ends subscription streams whose session ended.
 */
import type { ModuleRuntime } from '../kernel/domain-module.ts';
import { MemoryLoginThrottle, type LoginThrottle } from './login-throttle.ts';
import { SessionWatch } from './session-watch.ts';

export interface AccountsServices {
  loginThrottle: LoginThrottle;
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
    loginThrottle: new MemoryLoginThrottle(),
    sessionWatch: new SessionWatch({
      forkEntityManager: runtime.forkEntityManager,
      onError: (error) => runtime.logger.error({ error: (error as Error).message }, 'session check failed; retried at the next interval'),
    }),
  };
}
