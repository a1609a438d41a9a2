/**
 * Group commit for payments. Every payment of a community posts to the same cash account
 * (operating, or a provider's clearing account), whose row lock serialises them: one
 * payment per commit would cap a community at 1 / (lock hold time). So concurrent payments
 * of one community queue here and are recorded together in one unit of work — one
 * transaction, one lock of the cash account, one read of what they all need (`prefetch`),
 * one append of all their entries — as TigerBeetle batches transfers. Each payment keeps
 * its own outcome: if any of a batch is refused, the batch is abandoned and each of its
 * payments runs again alone, so a refused payment writes nothing and the others are
 * unaffected.
 *
 * Two batches of a community are in flight at once (LANES_PER_COMMUNITY): the second waits
 * for the cash account's lock while the first writes, and records while the first, already
 * committed, has its entries sequenced into the log — so the log's integration after each
 * commit is off the critical path.
 */
import { DomainError } from '../domain-error.ts';
import type { MoneyUnit, PaymentResult } from './fees-operations.ts';

/** Most payments one unit of work records. */
export const MAX_PAYMENTS_PER_BATCH = 64;
/** Batches of one community in flight at once. */
export const LANES_PER_COMMUNITY = 2;

type RunUnit = <T>(communityId: string, work: (unit: MoneyUnit) => Promise<T>) => Promise<T>;
type PayInUnit = (unit: MoneyUnit) => Promise<PaymentResult>;
type Prefetch<R> = (unit: MoneyUnit, requests: readonly R[]) => Promise<void>;

interface QueuedPayment<R> {
  request: R;
  pay: PayInUnit;
  resolve(result: PaymentResult): void;
  reject(error: unknown): void;
}

interface CommunityQueue<R> {
  payments: Array<QueuedPayment<R>>;
  lanes: number;
}

class BatchRefused extends Error {}

export class PaymentBatcher<R = unknown> {
  readonly #queues = new Map<string, CommunityQueue<R>>();
  readonly #runUnit: RunUnit;
  readonly #prefetch: Prefetch<R>;

  constructor(runUnit: RunUnit, prefetch: Prefetch<R> = async () => undefined) {
    this.#runUnit = runUnit;
    this.#prefetch = prefetch;
  }

  /** Records the payment in the next batch of its community; resolves after that batch committed. */
  submit(communityId: string, request: R, pay: PayInUnit): Promise<PaymentResult> {
    return new Promise((resolve, reject) => {
      let queue = this.#queues.get(communityId);
      if (!queue) this.#queues.set(communityId, (queue = { payments: [], lanes: 0 }));
      queue.payments.push({ request, pay, resolve, reject });
      if (queue.lanes < LANES_PER_COMMUNITY) {
        queue.lanes++;
        void this.#lane(communityId, queue);
      }
    });
  }

  async #lane(communityId: string, queue: CommunityQueue<R>): Promise<void> {
    while (queue.payments.length > 0) {
      const batch = queue.payments.splice(0, MAX_PAYMENTS_PER_BATCH);
      try {
        const results = await this.#runUnit(communityId, async (unit) => {
          await this.#prefetch(
            unit,
            batch.map((payment) => payment.request),
          );
          const recorded: PaymentResult[] = [];
          for (const payment of batch) {
            try {
              recorded.push(await payment.pay(unit));
            } catch (error) {
              if (batch.length > 1 && error instanceof DomainError) throw new BatchRefused();
              throw error;
            }
          }
          return recorded;
        });
        batch.forEach((payment, index) => payment.resolve(results[index]!));
      } catch (error) {
        if (!(error instanceof BatchRefused)) {
          for (const payment of batch) payment.reject(error);
          continue;
        }
        for (const payment of batch) await this.#alone(communityId, payment);
      }
    }
    queue.lanes--;
    if (queue.lanes === 0 && this.#queues.get(communityId) === queue) this.#queues.delete(communityId);
  }

  async #alone(communityId: string, payment: QueuedPayment<R>): Promise<void> {
    try {
      payment.resolve(
        await this.#runUnit(communityId, async (unit) => {
          await this.#prefetch(unit, [payment.request]);
          return payment.pay(unit);
        }),
      );
    } catch (error) {
      payment.reject(error);
    }
  }
}
