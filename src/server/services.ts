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

/** Failed sign-ins allowed per login name, and per client address, each minute. */
export const FAILED_LOGINS_PER_NAME_PER_MINUTE = 10;
export const FAILED_LOGINS_PER_ADDRESS_PER_MINUTE = 100;

export interface AppServices {
  configuration: Configuration;
  orm: Orm;
  keys: InstallationKeys;
  logger: Logger;
  failedLoginsByName: RateLimiter;
  failedLoginsByAddress: RateLimiter;
  vault: VaultDependencies;
}

export function createServices(configuration: Configuration, orm: Orm, keys: InstallationKeys, logger: Logger): AppServices {
  return {
    configuration,
    orm,
    keys,
    logger,
    failedLoginsByName: new RateLimiter(FAILED_LOGINS_PER_NAME_PER_MINUTE, 60_000),
    failedLoginsByAddress: new RateLimiter(FAILED_LOGINS_PER_ADDRESS_PER_MINUTE, 60_000),
    vault: { masterKey: keys.masterKey },
  };
}
