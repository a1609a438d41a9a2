/**
 * Every mutation runs in one database transaction: either all of its writes
 * (and its ledger entries) commit, or none do.
 *
 * Ledger entries are accepted in the transaction and sequenced by the integrator after
 * it (src/ledger/integrator.ts). So that a mutation's response — and any read after it —
 * sees its entries with their sequence numbers, the communities it appended to are
 * integrated right after the commit; a failure there is left to the background integrator.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { communitiesAppendedIn } from '../ledger/append-entry.ts';
import { integratePending } from '../ledger/integrator.ts';
import type { GraphQLContext } from './context.ts';

export async function inTransaction<T>(context: GraphQLContext, work: (em: SqlEntityManager) => Promise<T>): Promise<T> {
  let appended: string[] = [];
  const result = await context.em.transactional(async (em) => {
    const value = await work(em);
    appended = communitiesAppendedIn(em.getTransactionContext());
    return value;
  });
  for (const communityId of appended) {
    await integratePending(context.em.fork() as SqlEntityManager, communityId).catch(() => undefined);
  }
  return result;
}
