/**
 * The background job that cuts due checkpoints. Several server instances may run it;
 * a transaction-scoped advisory lock lets one of them work per tick, and the others skip.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { communitiesDueCheckpoint, cutCheckpoint, type StoredCheckpoint } from './checkpoints.ts';
import type { SecretSealer } from './log-keys.ts';

/** An arbitrary constant naming this job's advisory lock. */
export const CUTTER_LOCK_KEY = 0x6c656467; // "ledg"
const COMMUNITIES_PER_TICK = 100;

export interface CheckpointCutterOptions {
  /** A fresh EntityManager fork per tick. */
  forkEntityManager: () => SqlEntityManager;
  sealer: SecretSealer;
  intervalMs: number;
  onCheckpoint?: (checkpoint: StoredCheckpoint) => void;
  onError?: (error: unknown) => void;
}

/** Cuts every due checkpoint once; returns those cut (none when another instance holds the lock). */
export async function cutDueCheckpoints(em: SqlEntityManager, sealer: SecretSealer): Promise<StoredCheckpoint[]> {
  return em.transactional(async (transaction) => {
    const locked: Array<{ locked: boolean }> = await transaction.execute('select pg_try_advisory_xact_lock(?) as locked', [CUTTER_LOCK_KEY]);
    if (!locked[0]?.locked) return [];
    const cut: StoredCheckpoint[] = [];
    for (const communityId of await communitiesDueCheckpoint(transaction, COMMUNITIES_PER_TICK)) {
      cut.push(await cutCheckpoint(transaction, communityId, sealer));
    }
    return cut;
  });
}

export function startCheckpointCutter(options: CheckpointCutterOptions): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(async () => {
      try {
        for (const checkpoint of await cutDueCheckpoints(options.forkEntityManager(), options.sealer)) options.onCheckpoint?.(checkpoint);
      } catch (error) {
        options.onError?.(error);
      }
    });
  }, options.intervalMs);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
