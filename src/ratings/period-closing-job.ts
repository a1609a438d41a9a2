/**
 * The period closing job: every PERIOD_CLOSING_INTERVAL_MS each server process closes, as
 * `system`, the rating periods still open at their `closesAt` (PERIOD_CLOSING_GRACE_DAYS
 * after the later of their month's end and their opening; managers or the committee may
 * close earlier). Each period is its own unit of
 * work; two processes racing on one serialise on its row, and the second finds it closed
 * (PERIOD_CLOSED, ignored).
 */
import type { ModuleRuntime } from '../kernel/domain-module.ts';
import { closeRatingPeriod, duePeriods } from './rating-subjects.ts';
import { RatingsError } from './ratings-errors.ts';

export const PERIOD_CLOSING_INTERVAL_MS = 60_000;
const BATCH = 50;

/** Closes the periods due at `now`; returns them. */
export async function closeDuePeriods(
  runtime: Pick<ModuleRuntime, 'forkEntityManager' | 'transactions'>,
  now = new Date(),
): Promise<Array<{ communityId: string; period: string }>> {
  const closed: Array<{ communityId: string; period: string }> = [];
  for (const due of await duePeriods(runtime.forkEntityManager(), now, BATCH)) {
    try {
      await runtime.transactions.run(runtime.forkEntityManager(), (tx) => closeRatingPeriod(tx, null, due));
      closed.push(due);
    } catch (error) {
      if (!(error instanceof RatingsError && error.code === 'PERIOD_CLOSED')) throw error;
    }
  }
  return closed;
}

export function startPeriodClosingJob(runtime: ModuleRuntime): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(async () => {
      try {
        for (const due of await closeDuePeriods(runtime)) runtime.logger.info(due, 'rating period closed');
      } catch (error) {
        runtime.logger.error({ error: (error as Error).message }, 'closing rating periods failed');
      }
    });
  }, PERIOD_CLOSING_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
