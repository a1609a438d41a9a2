/**
 * Configuration comes from the environment; anything secret that is not given
 * there is created on first run inside the data folder (see `keys.ts`).
 */
import { resolve } from 'node:path';

export interface Configuration {
  /** Folder for the embedded database and generated keys. */
  dataDirectory: string;
  /** PostgreSQL connection string; when absent, PGlite runs inside `dataDirectory`. */
  databaseUrl: string | undefined;
  host: string;
  port: number;
  /** Names this installation in checkpoint origin lines, e.g. "courtyard.example.org". */
  installationName: string;
  logLevel: string;
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

function readPort(value: string | undefined): number {
  if (value === undefined || value === '') return 4000;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new ConfigurationError(`PORT must be an integer from 0 to 65535, got "${value}"`);
  }
  return port;
}

export function loadConfiguration(environment: NodeJS.ProcessEnv = process.env): Configuration {
  return {
    dataDirectory: resolve(environment['COURTYARD_DATA_DIR'] ?? 'data'),
    databaseUrl: environment['DATABASE_URL'] || undefined,
    host: environment['HOST'] ?? '127.0.0.1',
    port: readPort(environment['PORT']),
    installationName: environment['COURTYARD_INSTALLATION_NAME'] ?? 'courtyard.localhost',
    logLevel: environment['LOG_LEVEL'] ?? 'info',
    secrets: {
      masterKeyBase64: environment['COURTYARD_MASTER_KEY'] || undefined,
      tokenSigningKeyBase64: environment['COURTYARD_TOKEN_SIGNING_KEY'] || undefined,
      adminPassword: environment['COURTYARD_ADMIN_PASSWORD'] || undefined,
    },
  };
}
