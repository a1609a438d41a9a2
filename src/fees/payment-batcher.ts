/**
 * Group commit for payments. Every payment of a community posts to the same cash account
 * (operating, or a provider's clearing account), whose row lock serialises them: one
 * payment per commit would cap a community at 1 / (lock hold time). So concurrent payments
 * of one community queue here and are recorded together in one unit of work — one
 * transaction, one lock of the cash account, one append of all their entries — as
 * TigerBeetle batches transfers. Each payment keeps its own outcome: if any of a batch is
 * refused, the batch is abandoned and each of its payments runs again alone, so a refused
 * payment writes nothing and the others are unaffected.
 */
import { DomainError } from '../domain-error.ts';
import type { MoneyUnit, PaymentResult } from './fees-operations.ts';

/** Most payments one unit of work records. */
export const MAX_PAYMENTS_PER_BATCH = 64;

type RunUnit = <T>(communityId: string, work: (unit: MoneyUnit) => Promise<T>) => Promise<T>;
type PayInUnit = (unit: MoneyUnit) => Promise<PaymentResult>;

interface QueuedPayment {
  pay: PayInUnit;
  resolve(result: PaymentResult): void;
  reject(error: unknown): void;
}

class BatchRefused extends Error {}

export class PaymentBatcher {
  readonly #queues = new Map<string, QueuedPayment[]>();
  readonly #runUnit: RunUnit;

  constructor(runUnit: RunUnit) {
    this.#runUnit = runUnit;
  }

  /** Records the payment in the next batch of its community; resolves after that batch committed. */
  submit(communityId: string, pay: PayInUnit): Promise<PaymentResult> {
    return new Promise((resolve, reject) => {
      const queue = this.#queues.get(communityId);
      if (queue) {
        queue.push({ pay, resolve, reject });
        return;
      }
      this.#queues.set(communityId, [{ pay, resolve, reject }]);
      void this.#drain(communityId);
    });
  }

  async #drain(communityId: string): Promise<void> {
    const queue = this.#queues.get(communityId)!;
    while (queue.length > 0) {
      const batch = queue.splice(0, MAX_PAYMENTS_PER_BATCH);
      if (batch.length === 1) {
        await this.#alone(communityId, batch[0]!);
        continue;
      }
      try {
        const results = await this.#runUnit(communityId, async (unit) => {
          const recorded: PaymentResult[] = [];
          for (const payment of batch) {
            try {
              recorded.push(await payment.pay(unit));
            } catch (error) {
              if (error instanceof DomainError) throw new BatchRefused();
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
    this.#queues.delete(communityId);
  }

  async #alone(communityId: string, payment: QueuedPayment): Promise<void> {
    try {
      payment.resolve(await this.#runUnit(communityId, payment.pay));
    } catch (error) {
      payment.reject(error);
    }
  }
}
