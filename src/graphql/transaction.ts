/**
 * Every mutation runs in one database transaction: either all of its writes
 * (and its ledger entries) commit, or none do.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import type { GraphQLContext } from './context.ts';

export function inTransaction<T>(context: GraphQLContext, work: (em: SqlEntityManager) => Promise<T>): Promise<T> {
  return context.em.transactional((em) => work(em));
}
