/**
 * Configuration comes from the environment; anything secret that is not given
 * there is created on first run inside the data folder (see `keys.ts`).
 */
import { resolve } from 'node:path';
import { REPLICA_MAX_LAG_SECONDS_DEFAULT } from '../db/read-replicas.ts';

export interface Configuration {
  /** Folder for the embedded database and generated keys. */
  dataDirectory: string;
  /** PostgreSQL connection string; when absent, PGlite runs inside `dataDirectory`. */
  databaseUrl: string | undefined;
  /**
   * Redis shared by several instances (`redis://` or `rediss://`): subscription events and
   * rate limits go through it. When absent, both stay in this process (one instance).
   */
  redisUrl: string | undefined;
  /** PostgreSQL hot standbys of `databaseUrl` that serve read-only requests (DATABASE_REPLICA_URLS). */
  databaseReplicaUrls: readonly string[];
  /** A standby further behind than this serves no reads until it catches up (DATABASE_REPLICA_MAX_LAG_SECONDS). */
  replicaMaxLagSeconds: number;
  host: string;
  port: number;
  /** Names this installation in checkpoint origin lines, e.g. "courtyard.example.org". */
  installationName: string;
  logLevel: string;
  /** At SIGTERM, how long /ready answers 503 before the server stops accepting connections (behind a load balancer). */
  drainSeconds: number;
  /** Secrets given by configuration; missing ones are generated and kept in the data folder. */
  secrets: {
    masterKeyBase64: string | undefined;
    tokenSigningKeyBase64: string | undefined;
    adminPassword: string | undefined;
  };
}

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/** The exit status of a process refused at start-up for a bad setting (sysexits' EX_CONFIG). */
export const CONFIGURATION_EXIT_CODE = 78;

/** Longest installation name: it prefixes every log's origin, whose key name the ledger caps at 300. */
export const INSTALLATION_NAME_MAX_LENGTH = 200;
/**
 * A schema-less URL prefix, as C2SP tlog-checkpoint asks of an origin line: a host (and
 * port) with optional path segments, in ASCII letters, digits and `.-_~:`. So no space or
 * `+` (which a C2SP signed-note key name may not hold), no scheme, no empty segment.
 */
const INSTALLATION_NAME_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._~:-]*)(?:\/[A-Za-z0-9._~:-]+)*$/u;

function readInstallationName(value: string | undefined): string {
  if (value === undefined || value === '') return 'courtyard.localhost';
  if (value.length > INSTALLATION_NAME_MAX_LENGTH || !INSTALLATION_NAME_PATTERN.test(value) || value.includes('://')) {
    throw new ConfigurationError(
      `COURTYARD_INSTALLATION_NAME must be a schema-less URL such as "courtyard.example.org" or "example.org/courtyard": ` +
        `at most ${INSTALLATION_NAME_MAX_LENGTH} ASCII letters, digits, ".", "-", "_", "~", ":" and "/" between path segments; ` +
        `no spaces, "+" or scheme. It names the installation in every ledger checkpoint's origin line.`,
    );
  }
  return value;
}

function readPort(value: string | undefined): number {
  if (value === undefined || value === '') return 4000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigurationError(`PORT must be an integer from 0 to 65535, got "${value}"`);
  }
  return port;
}

function readDrainSeconds(value: string | undefined): number {
  if (value === undefined || value === '') return 0;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 600) {
    throw new ConfigurationError(`COURTYARD_DRAIN_SECONDS must be a number of seconds from 0 to 600, got "${value}"`);
  }
  return seconds;
}

function readRedisUrl(value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  let protocol: string | undefined;
  try {
    protocol = new URL(value).protocol;
  } catch {
    protocol = undefined;
  }
  // The message never repeats the value: a Redis URL may hold a password.
  if (protocol !== 'redis:' && protocol !== 'rediss:') {
    throw new ConfigurationError('REDIS_URL must be a redis:// or rediss:// URL such as "redis://redis.internal:6379"');
  }
  return value;
}

/** At most this many standbys: each holds its own connection pool. */
export const DATABASE_REPLICA_URLS_MAX = 8;

function readReplicaUrls(value: string | undefined, databaseUrl: string | undefined): string[] {
  const urls = (value ?? '').split(',').map((url) => url.trim()).filter((url) => url !== '');
  if (urls.length === 0) return [];
  if (!databaseUrl) throw new ConfigurationError('DATABASE_REPLICA_URLS needs DATABASE_URL: standbys replicate a PostgreSQL primary, not PGlite');
  if (urls.length > DATABASE_REPLICA_URLS_MAX) {
    throw new ConfigurationError(`DATABASE_REPLICA_URLS lists ${urls.length} standbys; at most ${DATABASE_REPLICA_URLS_MAX}`);
  }
  for (const [index, url] of urls.entries()) {
    // The URL itself is never quoted: it may carry a password.
    if (!/^postgres(?:ql)?:\/\//u.test(url)) {
      throw new ConfigurationError(`DATABASE_REPLICA_URLS entry ${index + 1} must be a postgres:// or postgresql:// connection string`);
    }
  }
  return urls;
}

function readReplicaMaxLagSeconds(value: string | undefined): number {
  if (value === undefined || value === '') return REPLICA_MAX_LAG_SECONDS_DEFAULT;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3600) {
    throw new ConfigurationError(`DATABASE_REPLICA_MAX_LAG_SECONDS must be a number of seconds from 0 to 3600, got "${value}"`);
  }
  return seconds;
}

export function loadConfiguration(environment: NodeJS.ProcessEnv = process.env): Configuration {
  return {
    dataDirectory: resolve(environment['COURTYARD_DATA_DIR'] ?? 'data'),
    databaseUrl: environment['DATABASE_URL'] || undefined,
    redisUrl: readRedisUrl(environment['REDIS_URL']),
    databaseReplicaUrls: readReplicaUrls(environment['DATABASE_REPLICA_URLS'], environment['DATABASE_URL'] || undefined),
    replicaMaxLagSeconds: readReplicaMaxLagSeconds(environment['DATABASE_REPLICA_MAX_LAG_SECONDS']),
    host: environment['HOST'] ?? '127.0.0.1',
    port: readPort(environment['PORT']),
    installationName: readInstallationName(environment['COURTYARD_INSTALLATION_NAME']),
    logLevel: environment['LOG_LEVEL'] ?? 'info',
    drainSeconds: readDrainSeconds(environment['COURTYARD_DRAIN_SECONDS']),
    secrets: {
      masterKeyBase64: environment['COURTYARD_MASTER_KEY'] || undefined,
      tokenSigningKeyBase64: environment['COURTYARD_TOKEN_SIGNING_KEY'] || undefined,
      adminPassword: environment['COURTYARD_ADMIN_PASSWORD'] || undefined,
    },
  };
}
