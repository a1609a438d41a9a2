/**
 * `npm start`: starts Courtyard. With no DATABASE_URL it runs on PGlite in the
 * data folder (./data, or COURTYARD_DATA_DIR), creating keys on first run.
 */
import { CONFIGURATION_EXIT_CODE, ConfigurationError, loadConfiguration, type Configuration } from '../config/configuration.ts';
import { createApp } from './app.ts';
import { DataFolderInUseError } from '../db/data-folder-lock.ts';
import { listen } from './server.ts';
import { RedisUnavailableError } from './redis.ts';

/** The exit status when the PGlite data folder is held by another process (sysexits' EX_TEMPFAIL). */
const DATA_FOLDER_IN_USE_EXIT_CODE = 75;
/** The exit status when REDIS_URL names a Redis that does not answer (sysexits' EX_UNAVAILABLE). */
const REDIS_UNAVAILABLE_EXIT_CODE = 69;

/** Runs a start-up step; a bad setting or a busy data folder stops the process with one line, not a stack trace. */
async function orExit<T>(step: () => T | Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    const exitCode =
      error instanceof ConfigurationError
        ? CONFIGURATION_EXIT_CODE
        : error instanceof DataFolderInUseError
          ? DATA_FOLDER_IN_USE_EXIT_CODE
          : error instanceof RedisUnavailableError
            ? REDIS_UNAVAILABLE_EXIT_CODE
            : undefined;
    if (exitCode === undefined) throw error;
    process.stderr.write(`Courtyard cannot start: ${(error as Error).message}\n`);
    process.exit(exitCode);
  }
}

const configuration: Configuration = await orExit(() => loadConfiguration());
const app = await orExit(() => createApp(configuration));
const server = await listen(app, configuration.host, configuration.port);
const { logger } = app.services;

logger.info(
  { database: configuration.databaseUrl ? 'postgresql' : 'pglite', redis: Boolean(configuration.redisUrl), url: server.url },
  'Courtyard is listening',
);
// Printed for the person at the terminal, not logged: logs never hold secrets.
process.stdout.write(`\nCourtyard is running. GraphiQL: ${server.url}/graphql\n`);
if (!configuration.databaseUrl) process.stdout.write(`Data folder: ${configuration.dataDirectory}\n`);
if (app.bootstrapAdmin?.oneTimePassword) {
  process.stdout.write(
    `\nFirst start: created the admin account.\n  login:    ${app.bootstrapAdmin.login}\n` +
      `  password: ${app.bootstrapAdmin.oneTimePassword}   (shown once; change it after signing in)\n\n`,
  );
}

let stopping = false;
async function stop(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'Courtyard is stopping');
  // /ready answers 503 for a while first, so the load balancer stops sending new requests.
  server.drain();
  await new Promise((resolve) => setTimeout(resolve, configuration.drainSeconds * 1000));
  await server.close();
  await app.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
