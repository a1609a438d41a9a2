/**
 * Prometheus metrics at `/metrics` (prom-client): HTTP requests and their latency by
 * status, GraphQL operations by type, GraphQL errors by the code the client sees, and
 * the process's own figures. One registry per app, so two apps in one process (tests)
 * do not count into each other. Labels are bounded sets (status, operation type, error
 * code): never an operation name, a path with an id in it, or anything a client sent.
 */
import { cpuUsage, memoryUsage, uptime } from 'node:process';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Plugin } from 'graphql-yoga';
import { GraphQLError, getOperationAST, type ExecutionResult } from 'graphql';
import { errorCodeOf } from '../graphql/errors.ts';
import type { RouteHandler } from '../kernel/domain-module.ts';
import type { ReadReplicaRouting } from '../db/read-replicas.ts';

export const METRICS_PATH = '/metrics';

/** Latency buckets in seconds, from a cached read to a proof-heavy mutation. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export interface ServerMetrics {
  registry: Registry;
  httpRequests: Counter<'status'>;
  httpDuration: Histogram<'status'>;
  graphqlOperations: Counter<'type'>;
  graphqlErrors: Counter<'code'>;
}

/**
 * The process's own figures, read when scraped. Not prom-client's collectDefaultMetrics:
 * each call of it installs an event-loop-delay monitor and a GC PerformanceObserver that
 * live as long as the process, one more per app — and tests make many apps per process.
 */
function registerProcessMetrics(registry: Registry): void {
  let lastCpu = cpuUsage();
  new Counter({
    name: 'process_cpu_seconds_total',
    help: 'User and system CPU time spent, in seconds',
    registers: [registry],
    collect() {
      const now = cpuUsage();
      this.inc((now.user - lastCpu.user + now.system - lastCpu.system) / 1e6);
      lastCpu = now;
    },
  });
  new Gauge({
    name: 'process_resident_memory_bytes',
    help: 'Resident memory size in bytes',
    registers: [registry],
    collect() {
      this.set(memoryUsage.rss());
    },
  });
  new Gauge({
    name: 'nodejs_heap_size_used_bytes',
    help: 'Heap used by the JavaScript engine, in bytes',
    registers: [registry],
    collect() {
      this.set(memoryUsage().heapUsed);
    },
  });
  new Gauge({
    name: 'process_start_time_seconds',
    help: 'Start time of the process since the Unix epoch, in seconds',
    registers: [registry],
    collect() {
      this.set(Math.round(Date.now() / 1000 - uptime()));
    },
  });
}

/** Each standby's replay lag and whether the standbys serve reads, read fresh when scraped. */
function registerReplicaMetrics(registry: Registry, routing: ReadReplicaRouting): void {
  new Gauge({
    name: 'courtyard_database_replica_lag_seconds',
    help: 'Replay lag of each PostgreSQL standby, in seconds (absent while it cannot be read)',
    labelNames: ['replica'],
    registers: [registry],
    async collect() {
      await routing.pollNow();
      this.reset();
      for (const [index, lag] of routing.lagSeconds().entries()) if (lag !== null) this.set({ replica: String(index) }, lag);
    },
  });
  new Gauge({
    name: 'courtyard_database_replicas_serving_reads',
    help: '1 while read-only requests go to the standbys, 0 while they go to the primary (a standby unreachable or too far behind)',
    registers: [registry],
    collect() {
      this.set(routing.replicasServeReads() ? 1 : 0);
    },
  });
}

export interface ServerMetricsOptions {
  readReplicas?: ReadReplicaRouting | undefined;
}

export function createServerMetrics(options: ServerMetricsOptions = {}): ServerMetrics {
  const registry = new Registry();
  registerProcessMetrics(registry);
  if (options.readReplicas) registerReplicaMetrics(registry, options.readReplicas);
  return {
    registry,
    httpRequests: new Counter({
      name: 'courtyard_http_requests_total',
      help: 'HTTP requests answered, by status',
      labelNames: ['status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'courtyard_http_request_duration_seconds',
      help: 'Time from request to response headers, by status',
      labelNames: ['status'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    graphqlOperations: new Counter({
      name: 'courtyard_graphql_operations_total',
      help: 'GraphQL operations executed, by type (query, mutation, subscription)',
      labelNames: ['type'],
      registers: [registry],
    }),
    graphqlErrors: new Counter({
      name: 'courtyard_graphql_errors_total',
      help: 'GraphQL errors returned, by the machine-readable code the client sees',
      labelNames: ['code'],
      registers: [registry],
    }),
  };
}

/** `/metrics`, in Prometheus' text format. */
export function metricsRoute(metrics: ServerMetrics): RouteHandler {
  return async (request, url) => {
    if (url.pathname !== METRICS_PATH || request.method !== 'GET') return undefined;
    return new Response(await metrics.registry.metrics(), {
      headers: { 'content-type': metrics.registry.contentType },
    });
  };
}

/** Errors refused before execution carry their own code, or this one. */
function codeOr(fallback: string) {
  return (error: unknown) => {
    const attached = error instanceof GraphQLError ? error.extensions?.['code'] : undefined;
    return typeof attached === 'string' ? attached : fallback;
  };
}

/** Counts and times every request, and every operation's errors by code. */
export function useMetrics(metrics: ServerMetrics): Plugin {
  const startedAt = new WeakMap<Request, number>();
  const countErrors = (errors: readonly unknown[], codeOf: (error: unknown) => string) => {
    for (const error of errors) metrics.graphqlErrors.inc({ code: codeOf(error) });
  };
  return {
    onRequest({ request }) {
      startedAt.set(request, performance.now());
    },
    onResponse({ request, response }) {
      const started = startedAt.get(request);
      const status = String(response.status);
      metrics.httpRequests.inc({ status });
      if (started !== undefined) metrics.httpDuration.observe({ status }, (performance.now() - started) / 1000);
    },
    onParse() {
      return ({ result }) => {
        if (result instanceof Error) countErrors([result], codeOr('GRAPHQL_PARSE_FAILED'));
      };
    },
    onValidate() {
      return ({ valid, result }) => {
        if (!valid) countErrors(result, codeOr('GRAPHQL_VALIDATION_FAILED'));
      };
    },
    onExecute({ args }) {
      metrics.graphqlOperations.inc({
        type: getOperationAST(args.document, args.operationName ?? undefined)?.operation ?? 'unknown',
      });
      return {
        onExecuteDone: ({ result }) => {
          if (!(Symbol.asyncIterator in result)) countErrors((result as ExecutionResult).errors ?? [], errorCodeOf);
        },
      };
    },
    onSubscribe({ args }) {
      metrics.graphqlOperations.inc({
        type: getOperationAST(args.document, args.operationName ?? undefined)?.operation ?? 'unknown',
      });
    },
  };
}
