/**
 * The closing job: every CLOSING_INTERVAL_MS, each server process closes the open
 * proposals whose close passed at least CLOSING_GRACE_MS ago (the result entry, citing a
 * checkpoint over every ballot) and finalises the closed ones whose objection window ended
 * that long ago, as the system. The committee or a manager may do either earlier through
 * the API; the grace leaves them that moment. Each proposal is its own unit of work; two
 * processes racing on one proposal serialise on its row, and the second finds it no
 * longer due (PROPOSAL_STATE, ignored).
 */
import type { ModuleRuntime } from '../kernel/domain-module.ts';
import type { SecretSealer } from '../ledger/log-keys.ts';
import { GovernanceError } from './governance-errors.ts';
import { closeProposal, finalizeProposal } from './proposals.ts';

export const CLOSING_INTERVAL_MS = 15_000;
export const CLOSING_GRACE_MS = 60_000;
const BATCH = 20;

export interface ClosingRun {
  closed: string[];
  finalized: string[];
}

/** Closes and finalises what is due at `now`; returns the proposal ids it changed. */
export async function closeDueProposals(
  runtime: Pick<ModuleRuntime, 'forkEntityManager' | 'transactions'>,
  sealer: SecretSealer,
  now = new Date(),
): Promise<ClosingRun> {
  const due = new Date(now.getTime() - CLOSING_GRACE_MS);
  const em = runtime.forkEntityManager();
  const toClose: Array<{ id: string }> = await em.execute(
    `select id from governance_proposals where status = 'open' and closes_at <= ? order by closes_at limit ?`, [due, BATCH]);
  const toFinalize: Array<{ id: string }> = await em.execute(
    `select id from governance_proposals where status = 'closed' and closed_at + objection_days * interval '1 day' <= ? order by closed_at limit ?`,
    [due, BATCH]);
  const run: ClosingRun = { closed: [], finalized: [] };
  for (const [rows, list, work] of [
    [toClose, run.closed, (id: string) => runtime.transactions.run(runtime.forkEntityManager(), (tx) => closeProposal(tx, null, id, sealer, now))],
    [toFinalize, run.finalized, (id: string) => runtime.transactions.run(runtime.forkEntityManager(), (tx) => finalizeProposal(tx, null, id, now))],
  ] as const) {
    for (const { id } of rows) {
      try {
        await work(id);
        list.push(id);
      } catch (error) {
        if (!(error instanceof GovernanceError && error.code === 'PROPOSAL_STATE')) throw error;
      }
    }
  }
  return run;
}

export function startClosingJob(runtime: ModuleRuntime, sealer: SecretSealer): { stop(): Promise<void> } {
  let running: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    running = running.then(async () => {
      try {
        const run = await closeDueProposals(runtime, sealer);
        for (const id of run.closed) runtime.logger.info({ proposalId: id }, 'proposal closed');
        for (const id of run.finalized) runtime.logger.info({ proposalId: id }, 'proposal final');
      } catch (error) {
        runtime.logger.error({ error: (error as Error).message }, 'closing proposals failed');
      }
    });
  }, CLOSING_INTERVAL_MS);
  timer.unref();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
