/**
 * The one place the subscription pub/sub is made (docs/operations.md, "Several instances").
 *
 * - One instance (no REDIS_URL): graphql-yoga's in-process pub/sub for every topic.
 * - Several instances (REDIS_URL): every topic goes through Redis
 *   (@graphql-yoga/redis-event-target), so a subscriber on any instance receives what a
 *   resolver or a job of any instance published — except the modules' `instanceTopics`,
 *   which every instance publishes for itself from committed rows (the ledger's log feed)
 *   and which therefore stay in the process.
 *
 * Channels are named `<keyPrefix><topic>:<id>`, so installations may share one Redis.
 *
 * While Redis cannot be reached, subscribing to a topic that goes through it fails with
 * SERVICE_UNAVAILABLE (the stream would stay silent), and a published event is lost and
 * logged: the change it announces is committed and readable.
 */
import { createPubSub } from 'graphql-yoga';
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import type { Redis } from 'ioredis';
import { ServiceUnavailableError } from '../domain-error.ts';
import type { DomainModule, TopicPubSub } from '../kernel/domain-module.ts';
import type { RedisConnections } from './redis.ts';

/**
 * Event payloads as JSON that keeps what plain JSON loses or refuses: bigints (money in
 * fen), instants and bytes come back as the same types. (Payloads are ours — ids, amounts,
 * counts — and have no keys of their own starting with "$", which would read back as tags.)
 */
export const eventSerializer = {
  stringify(message: unknown): string {
    return JSON.stringify(message, function (this: Record<string, unknown>, key, value: unknown) {
      const original = this[key];
      if (typeof original === 'bigint') return { $bigint: original.toString() };
      if (original instanceof Date) return { $date: original.toISOString() };
      if (original instanceof Uint8Array) return { $bytes: Buffer.from(original).toString('base64') };
      return value;
    });
  },
  parse(message: string): unknown {
    return JSON.parse(message, (_key, value: unknown) => {
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
      const tagged = value as Record<string, unknown>;
      if (typeof tagged['$bigint'] === 'string') return BigInt(tagged['$bigint']);
      if (typeof tagged['$date'] === 'string') return new Date(tagged['$date']);
      if (typeof tagged['$bytes'] === 'string') return new Uint8Array(Buffer.from(tagged['$bytes'], 'base64'));
      return value;
    });
  },
};

/** The topics every instance publishes for itself (DomainModule.instanceTopics). */
export function instanceTopicsOf(modules: readonly DomainModule[]): Set<string> {
  return new Set(modules.flatMap((module) => module.instanceTopics ?? []));
}

/** Told of a PUBLISH or SUBSCRIBE that failed (the event target waits for neither). */
export type RedisErrorReporter = (error: unknown, command: 'publish' | 'subscribe') => void;

/**
 * The Redis client as the event target publishes through it: the event target does not wait
 * for PUBLISH, so a failure (Redis gone for longer than the retries) would be an unhandled
 * rejection that ends the process. It is reported instead: the event is lost, the change it
 * announces is committed and readable.
 */
function reportingPublisher(client: Redis, onRedisError: RedisErrorReporter): Redis {
  const publisher = Object.create(client) as Redis;
  publisher.publish = ((channel: string, message: string) =>
    client.publish(channel, message).catch((error: unknown) => {
      onRedisError(error, 'publish');
      return 0;
    })) as Redis['publish'];
  return publisher;
}

/**
 * The subscribing connection as the event target uses it (`on('message')`, SUBSCRIBE,
 * UNSUBSCRIBE): it waits for neither command, so one that fails — a stream opened or closed
 * as the connection drops — is reported instead of ending the process. ioredis subscribes
 * again to every channel it holds once the connection is back.
 */
function reportingSubscriber(client: Redis, onRedisError: RedisErrorReporter): Redis {
  const reported = (command: Promise<unknown>) =>
    command.catch((error: unknown) => {
      onRedisError(error, 'subscribe');
      return 0;
    });
  const subscriber = {
    on(event: string, listener: (...values: any[]) => void) {
      client.on(event, listener);
      return subscriber;
    },
    subscribe: (...channels: string[]) => reported(client.subscribe(...channels)),
    unsubscribe: (...channels: string[]) => reported(client.unsubscribe(...channels)),
  };
  return subscriber as unknown as Redis;
}

export function createTopicPubSub(
  redis: RedisConnections | undefined,
  instanceTopics: ReadonlySet<string>,
  onRedisError: RedisErrorReporter,
): TopicPubSub {
  const local = createPubSub();
  if (!redis) return local as unknown as TopicPubSub;
  const shared = createPubSub({
    eventTarget: createRedisEventTarget({
      publishClient: reportingPublisher(redis.commands, onRedisError),
      subscribeClient: reportingSubscriber(redis.subscriber, onRedisError),
      serializer: eventSerializer,
    }),
  });
  const route = (topic: string) => (instanceTopics.has(topic) ? { pubsub: local, channel: topic } : { pubsub: shared, channel: `${redis.keyPrefix}${topic}` });
  return {
    publish(topic: string, id: string, payload: unknown) {
      const { pubsub, channel } = route(topic);
      pubsub.publish(channel, id, payload);
    },
    subscribe(topic: string, id: string) {
      const { pubsub, channel } = route(topic);
      if (pubsub === shared && redis.subscriber.status !== 'ready') throw new ServiceUnavailableError('the shared event channel');
      return pubsub.subscribe(channel, id);
    },
  } as unknown as TopicPubSub;
}
