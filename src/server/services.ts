/**
 * The long-lived parts of one server process, handed to every request through
 * the GraphQL context.
 */
import type { Configuration } from '../config/configuration.ts';
import type { InstallationKeys } from '../config/keys.ts';
import type { Orm } from '../db/orm.ts';
import { RateLimiter } from '../accounts/rate-limiter.ts';
import type { VaultDependencies } from '../privacy/vault.ts';
import type { Logger } from './logger.ts';

/** Login attempts per login name and per client address, per minute. */
export const LOGIN_ATTEMPTS_PER_MINUTE = 10;

export interface AppServices {
  configuration: Configuration;
  orm: Orm;
  keys: InstallationKeys;
  logger: Logger;
  loginLimiter: RateLimiter;
  vault: VaultDependencies;
}

export function createServices(configuration: Configuration, orm: Orm, keys: InstallationKeys, logger: Logger): AppServices {
  return {
    configuration,
    orm,
    keys,
    logger,
    loginLimiter: new RateLimiter(LOGIN_ATTEMPTS_PER_MINUTE, 60_000),
    vault: { masterKey: keys.masterKey },
  };
}
