/**
 * Which requests read on the standbys (src/db/read-replicas.ts): a query operation, unless
 * its session wrote through this instance within the read-your-writes window. Mutations and
 * subscriptions stay on the primary, and so does authentication (yoga.ts), so a revoked
 * session is refused at once even while a standby lags.
 *
 * The window is the standbys' lag bound plus one poll: after it, a standby that still
 * serves reads has replayed the write. It is kept per instance; behind a load balancer
 * without session affinity a client that must see its own write at once on another
 * instance reads it from the mutation's own result (docs/operations.md).
 */
import type { Plugin } from 'graphql-yoga';
import { getOperationAST } from 'graphql';
import type { GraphQLContext } from '../graphql/context.ts';
import { REPLICA_LAG_POLL_INTERVAL_MS, type ReadReplicaRouting } from '../db/read-replicas.ts';

/** Set on a request's context when its EntityManager may read on a standby. */
export const READS_ON_REPLICA = Symbol('readsOnReplica');

/** Sessions remembered as recent writers, per instance; the oldest is forgotten first. */
export const RECENT_WRITERS_MAX = 10_000;

export function useReadReplicas(routing: ReadReplicaRouting, maxLagSeconds: number): Plugin<GraphQLContext> {
  const windowMs = maxLagSeconds * 1000 + REPLICA_LAG_POLL_INTERVAL_MS;
  const recentWriters = new Map<string, number>();
  const wroteRecently = (sessionId: string) => {
    const until = recentWriters.get(sessionId);
    if (until === undefined) return false;
    if (until > Date.now()) return true;
    recentWriters.delete(sessionId);
    return false;
  };
  const rememberWriter = (sessionId: string) => {
    recentWriters.delete(sessionId);
    recentWriters.set(sessionId, Date.now() + windowMs);
    if (recentWriters.size > RECENT_WRITERS_MAX) recentWriters.delete(recentWriters.keys().next().value!);
  };
  return {
    onExecute({ args }) {
      const operation = getOperationAST(args.document, args.operationName ?? undefined)?.operation;
      const context = args.contextValue as GraphQLContext & { [READS_ON_REPLICA]?: boolean };
      const sessionId = context.viewer?.sessionId;
      if (operation === 'query') {
        if (!(sessionId && wroteRecently(sessionId))) context[READS_ON_REPLICA] = true;
        return undefined;
      }
      if (operation !== 'mutation') return undefined;
      return {
        onExecuteDone: () => {
          // `login` has no session before it runs; its session has written nothing yet.
          if (sessionId) rememberWriter(sessionId);
        },
      };
    },
  };
}
