/**
 * Every mutation runs as one unit of work through the installation's transaction runner
 * (src/ledger/transaction-runner.ts): all of its writes and ledger entries commit, or
 * none do, and its entries are sequenced before the response is built (unless it asks to
 * answer at the commit: anonymous ballots, src/governance/api/ballot.ts).
 */
import type { SqlEntityManager } from '../db/orm.ts';
import type { UnitOfWorkOptions } from '../kernel/domain-module.ts';
import type { GraphQLContext } from './context.ts';

/** `options.sequencing: 'after-return'`: answer at the commit, before the entries are sequenced (see TransactionRunner). */
export function inTransaction<T>(context: GraphQLContext, work: (em: SqlEntityManager) => Promise<T>, options?: UnitOfWorkOptions): Promise<T> {
  return context.services.transactions.run(context.em, work, options);
}
