/**
 * Every mutation runs as one unit of work through the installation's transaction runner
 * (src/ledger/transaction-runner.ts): all of its writes and ledger entries commit, or
 * none do, and its entries are sequenced before the response is built.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import type { GraphQLContext } from './context.ts';

export function inTransaction<T>(context: GraphQLContext, work: (em: SqlEntityManager) => Promise<T>): Promise<T> {
  return context.services.transactions.run(context.em, work);
}
