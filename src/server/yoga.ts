/**
 * Builds the Yoga instance: schema, per-request context, error masking, limits
 * and the plain HTTP routes. It does not listen; src/server/server.ts does, and
 * tests call `yoga.fetch` directly.
 */
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import { GraphQLError, type ValidationContext } from 'graphql';
import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { buildSchema } from '../graphql/schema.ts';
import { maskError } from '../graphql/errors.ts';
import { useVariableCoercion } from '../graphql/variable-coercion.ts';
import { QUERY_LIMIT_CODE, useFieldOccurrenceLimits } from '../graphql/field-limits.ts';
import type { GraphQLContext } from '../graphql/context.ts';
import { batchedSessionReader, viewerFromToken, type LiveSessionReader, type SqlExecutor } from '../accounts/account-service.ts';
import type { Viewer } from '../accounts/viewer.ts';
import { DomainError } from '../domain-error.ts';
import type { Orm } from '../db/orm.ts';
import type { DomainModule } from '../kernel/domain-module.ts';
import type { AppServices } from './services.ts';
import { readinessRoute, useRoutes, type ServerLifecycle } from './routes.ts';
import { metricsRoute, useMetrics, type ServerMetrics } from './metrics.ts';
import { zkArtifactsRoute } from './zk-routes.ts';
import { clientRoute } from './client-routes.ts';
import { GRAPHIQL_EXAMPLES } from './graphiql-examples.ts';
import { graphiqlRoute } from './graphiql-route.ts';
import { useRequestLog } from './request-log.ts';
import { useSessionBoundSubscriptions } from './session-bound-subscriptions.ts';
import { READS_ON_REPLICA, useReadReplicas } from './read-replica-plugin.ts';
import type { ReadReplicaRouting } from '../db/read-replicas.ts';
import type { RedisConnections } from './redis.ts';

export const GRAPHQL_ENDPOINT = '/graphql';

/** Limits on a GraphQL document, enforced before execution. */
export const QUERY_LIMITS = {
  maxDepth: 12,
  maxAliases: 15,
  maxDirectives: 10,
  maxTokens: 2000,
  maxCost: 5000,
} as const;


/** graphql-armor titles every refusal "Syntax Error: …"; ours carry the limit's message and a code. */
function limitError(error: GraphQLError): GraphQLError {
  return new GraphQLError(error.message.replace(/^Syntax Error: /u, ''), { extensions: { code: QUERY_LIMIT_CODE } });
}

/**
 * Armor's limits checked during validation report their refusal as a validation error
 * (coded, and logged by the request log like any other), instead of throwing past it.
 */
const reportedAtValidation = {
  propagateOnRejection: false,
  onReject: [(context: ValidationContext | null, error: GraphQLError) => context?.reportError(limitError(error))],
};

export interface ServerContext {
  /** Node's request, when served over HTTP. */
  req?: { socket?: { remoteAddress?: string } };
  /** graphql-ws connection parameters, for subscriptions over WebSocket. */
  connectionParams?: Record<string, unknown>;
}

export type CourtyardYoga = YogaServerInstance<ServerContext, GraphQLContext>;

function bearerToken(request: Request | undefined, connectionParams: Record<string, unknown> | undefined): string | null {
  const header = request?.headers.get('authorization') ?? connectionParams?.['authorization'];
  if (typeof header !== 'string') return null;
  const match = /^Bearer ([A-Za-z0-9._-]+)$/u.exec(header);
  return match ? match[1]! : null;
}

async function resolveViewer(services: AppServices, db: SqlExecutor, sessions: LiveSessionReader, token: string | null): Promise<Viewer | null> {
  if (!token) return null;
  try {
    return await viewerFromToken(db, services.keys.tokenPublicKey, token, sessions);
  } catch (error) {
    // An invalid or ended session makes the request anonymous; fields then say UNAUTHENTICATED.
    if (error instanceof DomainError) return null;
    throw error;
  }
}

export interface YogaOperations {
  metrics: ServerMetrics;
  lifecycle: ServerLifecycle;
  /** PostgreSQL standbys for read-only requests, when configured (src/db/read-replicas.ts). */
  readReplicas?: { routing: ReadReplicaRouting; maxLagSeconds: number } | undefined;
  /** The shared Redis (REDIS_URL), whose connection /ready reports. */
  redis?: RedisConnections | undefined;
}

export async function createCourtyardYoga(
  services: AppServices,
  orm: Orm,
  modules: readonly DomainModule[],
  operations: YogaOperations,
): Promise<CourtyardYoga> {
  const moduleRoutes = modules.flatMap((module) => module.routes?.(services) ?? []);
  const connection: SqlExecutor = {
    execute: (sql, params) => orm.em.getConnection().execute(sql, params) as Promise<unknown[]>,
  };
  // Requests arriving together have their sessions checked by one query (account-service.ts).
  const sessions = batchedSessionReader(connection);
  return createYoga<ServerContext, GraphQLContext>({
    schema: await buildSchema(modules),
    graphqlEndpoint: GRAPHQL_ENDPOINT,
    landingPage: false,
    logging: false,
    maskedErrors: { maskError },
    // The body's size is limited by useRoutes (routes.ts) from its Content-Length, which
    // Node's parser holds the client to; Yoga's own streaming count would be redundant.
    maxRequestBodySize: false,
    // GraphiQL is served by graphiql-route.ts, compressed and cached, not by Yoga.
    graphiql: false,
    plugins: [
      useMetrics(operations.metrics),
      useRoutes([
        graphiqlRoute(GRAPHQL_ENDPOINT, { title: 'Courtyard', defaultTabs: GRAPHIQL_EXAMPLES, subscriptionsProtocol: 'SSE' }),
        readinessRoute(orm, operations.lifecycle, operations.redis),
        metricsRoute(operations.metrics),
        zkArtifactsRoute(),
        clientRoute(),
        ...moduleRoutes,
      ]),
      useRequestLog(services.logger),
      useVariableCoercion(),
      useFieldOccurrenceLimits(),
      useSessionBoundSubscriptions(services.accounts.sessionWatch),
      ...(operations.readReplicas ? [useReadReplicas(operations.readReplicas.routing, operations.readReplicas.maxLagSeconds)] : []),
      EnvelopArmorPlugin({
        maxDepth: { n: QUERY_LIMITS.maxDepth, ...reportedAtValidation },
        maxAliases: { n: QUERY_LIMITS.maxAliases, ...reportedAtValidation },
        maxDirectives: { n: QUERY_LIMITS.maxDirectives, ...reportedAtValidation },
        costLimit: { maxCost: QUERY_LIMITS.maxCost, ...reportedAtValidation },
        // Counted while parsing, so the refusal is thrown; it carries the code all the same.
        maxTokens: {
          n: QUERY_LIMITS.maxTokens,
          onReject: [
            (_context, error) => {
              error.message = error.message.replace(/^Syntax Error: /u, '');
              (error.extensions as Record<string, unknown>)['code'] = QUERY_LIMIT_CODE;
            },
          ],
        },
        blockFieldSuggestion: { enabled: true },
      }),
    ],
    context: async (initialContext) => {
      const { request, req, connectionParams } = initialContext;
      // The session is read straight on the pool; a request's EntityManager is forked on
      // its first use, so a request that touches no table makes none.
      const viewer = await resolveViewer(services, connection, sessions, bearerToken(request, connectionParams));
      let em: GraphQLContext['em'] | undefined;
      const readRouting = operations.readReplicas?.routing;
      const forkFor = (context: object) =>
        readRouting && (context as { [READS_ON_REPLICA]?: boolean })[READS_ON_REPLICA] ? readRouting.readFork() : services.forkEntityManager();
      Object.defineProperty(initialContext, 'em', {
        // A query's EntityManager reads on a standby (read-replica-plugin.ts marks it); the rest use the primary.
        get: () => (em ??= forkFor(initialContext)),
        // A plugin that puts its own EntityManager on the context may still do so.
        set: (value: GraphQLContext['em']) => {
          em = value;
        },
        enumerable: true,
        configurable: true,
      });
      // `em` is the getter above: Yoga assigns what is returned here onto the same context.
      return { services, viewer, clientAddress: req?.socket?.remoteAddress ?? 'local' } as GraphQLContext;
    },
  });
}
