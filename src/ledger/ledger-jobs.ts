/**
 * The ledger's background jobs, run by every server process:
 *
 * - the feed that publishes committed entries and final checkpoints (started by the first
 *   subscriber of a community, closed at shutdown);
 * - the checkpoint cutter (an advisory lock lets one instance cut per tick);
 * - the integrator, which sequences pending entries that no unit of work integrated
 *   after its commit (SKIP LOCKED on a community's head lets one instance sequence it).
 *
 * They are stopped in reverse order: the integrator first, the feed last.
 */
import type { BackgroundJob, ModuleRuntime } from '../kernel/domain-module.ts';
import { startCheckpointCutter } from './checkpoint-cutter.ts';
import { startLedgerIntegrator } from './integrator.ts';
import type { LedgerServices } from './ledger-services.ts';

export function startLedgerJobs(runtime: ModuleRuntime, ledger: LedgerServices): BackgroundJob[] {
  const { logger } = runtime;
  const cutter = startCheckpointCutter({
    forkEntityManager: runtime.forkEntityManager,
    sealer: ledger.sealer,
    intervalMs: ledger.settings.cutterIntervalMs,
    onCheckpoint: (checkpoint) => logger.info({ communityId: checkpoint.communityId, treeSize: checkpoint.treeSize }, 'checkpoint cut'),
    onError: (error) => logger.error({ error: (error as Error).message }, 'checkpoint cutter failed'),
  });
  const integrator = startLedgerIntegrator({
    forkEntityManager: runtime.forkEntityManager,
    // Polls would only race the passes units of work run after their commits.
    integratingElsewhere: () => runtime.transactions.integrating(),
    onError: (error) => logger.error({ error: (error as Error).message }, 'ledger integrator failed'),
  });
  return [
    { name: 'ledger-feed', stop: () => ledger.feed.close() },
    { name: 'checkpoint-cutter', stop: () => cutter.stop() },
    { name: 'ledger-integrator', stop: () => integrator.stop() },
  ];
}
