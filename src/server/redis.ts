/**
 * The Redis connections of one process when several instances share a Redis (REDIS_URL):
 * one for commands and publishing, one for receiving published events (a connection that
 * subscribes can do nothing else). Both are opened at start-up, so a wrong URL or an
 * unreachable Redis stops the process there instead of at the first request.
 */
import { Redis } from 'ioredis';
import type { Logger } from './logger.ts';

/** How long start-up waits for Redis before giving up. */
export const REDIS_CONNECT_TIMEOUT_MS = 10_000;
/** A command waits this long for a lost connection to come back before it fails (its request fails with it). */
const REDIS_MAX_RETRIES_PER_REQUEST = 3;

export interface RedisConnections {
  commands: Redis;
  subscriber: Redis;
  /** Every key of this installation starts with it, so installations may share one Redis. */
  keyPrefix: string;
  close(): Promise<void>;
}

export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/** The longest pause between attempts to reconnect a lost connection. */
const REDIS_RECONNECT_MAX_DELAY_MS = 2_000;

function openConnection(url: string, role: string, logger: Logger): Redis {
  let connectedOnce = false;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: REDIS_CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: REDIS_MAX_RETRIES_PER_REQUEST,
    connectionName: `courtyard-${role}`,
    // At start-up a failure is final (the process stops and says so); a connection lost later is retried.
    retryStrategy: (attempts) => (connectedOnce ? Math.min(attempts * 100, REDIS_RECONNECT_MAX_DELAY_MS) : null),
  });
  client.once('ready', () => (connectedOnce = true));
  // Without a listener ioredis prints every reconnection failure to the console. The message
  // names the host at most, never the URL (which may hold a password).
  client.on('error', (error: Error) => logger.error({ redis: role, error: error.message }, 'redis connection failed; reconnecting'));
  return client;
}

export async function connectRedis(url: string, installationName: string, logger: Logger): Promise<RedisConnections> {
  const commands = openConnection(url, 'commands', logger);
  const subscriber = openConnection(url, 'subscriber', logger);
  const close = async () => {
    // QUIT waits for a connection that never came, so such a client is dropped; one that
    // ended already is left alone (disconnecting it again keeps the process up for seconds).
    await Promise.all(
      [commands, subscriber].map(async (client) => {
        if (client.status === 'end') return;
        if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
        else client.disconnect();
      }),
    );
  };
  try {
    await Promise.all([commands.connect(), subscriber.connect()]);
  } catch (error) {
    await close();
    throw new RedisUnavailableError(`Redis (REDIS_URL) is unreachable: ${(error as Error).message}`);
  }
  return { commands, subscriber, keyPrefix: `courtyard:${installationName}:`, close };
}
