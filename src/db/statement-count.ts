/**
 * Counts the SQL statements an ORM sends, for benchmarks and for tests that bound how many
 * statements a request may cost (an N+1 read shows up as a count that grows with the page).
 *
 * Every statement MikroORM sends — `em.execute`, the ORM's own queries, BEGIN, COMMIT and
 * savepoints, on the primary and on standbys — passes through its logger's `logQuery`,
 * whether or not query logging is enabled, so the count is taken there.
 */
import type { Orm } from './orm.ts';

export interface StatementCount {
  /** Statements sent since the counter was made. */
  readonly total: number;
  /** Stops counting; the logger is as it was. */
  stop(): void;
}

/**
 * `only`, asked at each statement, counts just the statements it accepts — e.g. those sent
 * within one request's async context (AsyncLocalStorage), leaving out background jobs.
 */
export function countStatements(orm: Orm, only: () => boolean = () => true): StatementCount {
  const logger = orm.config.getLogger();
  const logQuery = logger.logQuery;
  let total = 0;
  logger.logQuery = function countedLogQuery(this: typeof logger, context) {
    if (only()) total += 1;
    return logQuery.call(this, context);
  };
  return {
    get total() {
      return total;
    },
    stop() {
      logger.logQuery = logQuery;
    },
  };
}
