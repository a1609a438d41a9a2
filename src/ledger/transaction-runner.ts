/**
 * The one path from a committed append to a sequenced entry.
 *
 * `appendEntries` only accepts an entry (a pending row, see append-entry.ts); the
 * integrator gives it its sequence number. A unit of work — a GraphQL mutation, a
 * background job — runs through the transaction runner made here:
 *
 *   1. the work runs in ONE database transaction, inside a scope in which every append
 *      notes its community (`noteAppend`, an AsyncLocalStorage scope: no module-level map
 *      keyed by ORM internals, and appends inside nested savepoints are seen too);
 *   2. after the commit, each community it appended to is integrated, so the caller's
 *      response and any read after it see the entries with their sequence numbers;
 *   3. an integration that fails is reported with the community id (the server logs it)
 *      and left to the background integrator, which polls for pending rows: the entries
 *      are committed and accepted, only their sequencing waits.
 *
 * Appends made outside a runner (tests, commands) are sequenced by the background
 * integrator, or on demand by readers (`sequenceOfEntry`, `integratePending`).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SqlEntityManager } from '../db/orm.ts';
import type { TransactionRunner } from '../kernel/domain-module.ts';
import { integratePending } from './integrator.ts';

/** The communities the current unit of work appended to. */
const appendScope = new AsyncLocalStorage<Set<string>>();

/** Called by appendEntries: remembers the community for integration after the commit. */
export function noteAppend(communityId: string): void {
  appendScope.getStore()?.add(communityId);
}

export interface IntegrationFailure {
  communityId: string;
  error: unknown;
}

export interface TransactionRunnerOptions {
  /** Called for each community whose integration after the commit failed (to log it). */
  onIntegrationFailure: (failure: IntegrationFailure) => void;
}

/** Sequences what the committed unit of work appended, community by community. */
async function integrateAfterCommit(em: SqlEntityManager, communityIds: ReadonlySet<string>, options: TransactionRunnerOptions): Promise<void> {
  for (const communityId of communityIds) {
    try {
      await integratePending(em.fork() as SqlEntityManager, communityId);
    } catch (error) {
      options.onIntegrationFailure({ communityId, error });
    }
  }
}

export function createTransactionRunner(options: TransactionRunnerOptions): TransactionRunner {
  return {
    async run(em, work) {
      // Integration needs the commit, so a runner cannot join an enclosing transaction.
      if (em.isInTransaction()) throw new Error('A unit of work runs in its own transaction; call the runner outside any transaction');
      const appended = new Set<string>();
      const result = await appendScope.run(appended, () => em.transactional((transaction) => work(transaction as SqlEntityManager)));
      await integrateAfterCommit(em, appended, options);
      return result;
    },
  };
}
