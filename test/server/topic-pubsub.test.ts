/**
 * The subscription pub/sub of several instances (src/server/topic-pubsub.ts), over a real
 * Redis (REDIS_URL, else redis://127.0.0.1:6379): two sets of connections stand for two
 * instances of one installation.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { TopicPubSub } from '../../src/kernel/domain-module.ts';
import { connectRedis, RedisUnavailableError, type RedisConnections } from '../../src/server/redis.ts';
import { createTopicPubSub, eventSerializer, instanceTopicsOf } from '../../src/server/topic-pubsub.ts';
import { modules } from '../../src/server/modules.ts';

const redisUrl = process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';
const logger = pino({ level: 'silent' }, new Writable({ write: (_chunk, _encoding, callback) => callback() }));

/** `next` if it settles within `waitMs`, else 'none'. */
async function within(next: Promise<IteratorResult<unknown>>, waitMs: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise((resolve) => (timer = setTimeout(() => resolve('none'), waitMs)));
  try {
    return await Promise.race([next.then((result) => result.value), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The next event of a subscription, or 'none' after `waitMs`. */
function nextEvent(iterator: AsyncIterator<unknown>, waitMs: number): Promise<unknown> {
  return within(iterator.next(), waitMs);
}

describe('subscription events across instances through Redis', () => {
  const installation = `pubsub-${randomBytes(4).toString('hex')}.test`;
  const connections: RedisConnections[] = [];
  const publishErrors: unknown[] = [];
  let first: TopicPubSub;
  let second: TopicPubSub;

  beforeAll(async () => {
    for (let index = 0; index < 2; index++) connections.push(await connectRedis(redisUrl, installation, logger));
    [first, second] = connections.map((redis) => createTopicPubSub(redis, instanceTopicsOf(modules), (error) => publishErrors.push(error))) as [TopicPubSub, TopicPubSub];
  });
  afterAll(async () => {
    for (const redis of connections) await redis.close();
  });

  it("delivers a resolver's event published on one instance to a subscriber of the other, with bigints intact", async () => {
    const communityId = randomUUID();
    const events = second.subscribe('fees:money-moved', communityId)[Symbol.asyncIterator]();
    const elsewhere = second.subscribe('fees:money-moved', randomUUID())[Symbol.asyncIterator]();
    const event = { kind: 'payment' as const, id: randomUUID(), amountFen: 12_345_678_901_234_567_890n };
    // The subscription reaches Redis asynchronously: publish until it arrives.
    const next = events.next();
    let received: unknown = 'none';
    for (let attempt = 0; attempt < 20 && received === 'none'; attempt++) {
      first.publish('fees:money-moved', communityId, event);
      received = await within(next, 100);
    }
    expect(received).toEqual(event);
    expect(await nextEvent(elsewhere, 200)).toBe('none');
    await events.return?.();
    await elsewhere.return?.();
  });

  it("keeps the ledger feed's topics in the instance that publishes them", async () => {
    const communityId = randomUUID();
    const onFirst = first.subscribe('ledger:entryAppended', communityId)[Symbol.asyncIterator]();
    const onSecond = second.subscribe('ledger:entryAppended', communityId)[Symbol.asyncIterator]();
    const entry = { communityId, seq: 7 } as never;
    const firstGot = nextEvent(onFirst, 1_000);
    first.publish('ledger:entryAppended', communityId, entry);
    expect(await firstGot).toEqual({ communityId, seq: 7 });
    expect(await nextEvent(onSecond, 300)).toBe('none');
    await onFirst.return?.();
    await onSecond.return?.();
  });

  it('keeps bigints, instants and bytes through the wire format', () => {
    const value = { amount: -5n, at: new Date('2026-11-30T12:00:00.123Z'), hash: new Uint8Array([0, 1, 255]), list: [1n, 'x', null] };
    expect(eventSerializer.parse(eventSerializer.stringify(value))).toEqual(value);
  });

  it('reports a publish that Redis refused instead of ending the process, and refuses to start without Redis', async () => {
    const lost = await connectRedis(redisUrl, installation, logger);
    const pubsub = createTopicPubSub(lost, instanceTopicsOf(modules), (error) => publishErrors.push(error));
    await lost.close();
    publishErrors.length = 0;
    pubsub.publish('fees:money-moved', randomUUID(), { kind: 'payment', id: null, amountFen: 1n });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(publishErrors).toHaveLength(1);
    await expect(connectRedis('redis://127.0.0.1:1', installation, logger)).rejects.toThrow(RedisUnavailableError);
  });
});
