/**
 * Plain HTTP routes beside the GraphQL endpoint: readiness, and the request-size
 * limit. Modules declare their own routes (`routes` in their module.ts, e.g. the
 * ledger's checkpoint as text); yoga.ts tries them all in order.
 */
import type { Plugin } from 'graphql-yoga';
import type { Orm } from '../db/orm.ts';
import type { RouteHandler } from '../kernel/domain-module.ts';
import type { RedisConnections } from './redis.ts';

export type { RouteHandler };

/** Largest request body accepted; a GraphQL document with a proof fits well inside. */
export const MAX_REQUEST_BODY_BYTES = 256 * 1024;

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** Whether the server is going away: while draining it still answers, but says it is not ready. */
export interface ServerLifecycle {
  draining: boolean;
}

/**
 * `/ready`: not draining, the shared Redis connected (when REDIS_URL is set), the database
 * answers and every migration has run. (`/health`, liveness, is Yoga's own.) A load
 * balancer stops sending to an instance that is draining or has lost Redis, whose sign-ins
 * and rate-limited requests would be refused with SERVICE_UNAVAILABLE.
 */
export function readinessRoute(orm: Orm, lifecycle: ServerLifecycle, redis?: RedisConnections): RouteHandler {
  return async (_request, url) => {
    if (url.pathname !== '/ready') return undefined;
    if (lifecycle.draining) return json({ status: 'draining' }, 503);
    // ioredis knows a lost connection at once (and reconnects in the background): no round trip needed.
    if (redis && (redis.commands.status !== 'ready' || redis.subscriber.status !== 'ready')) return json({ status: 'redis unavailable' }, 503);
    try {
      await orm.em.getConnection().execute('select 1');
      const pending = await orm.migrator.getPending();
      if (pending.length > 0) return json({ status: 'migrating' }, 503);
      return json({ status: 'ready' });
    } catch {
      return json({ status: 'database unavailable' }, 503);
    }
  };
}

/**
 * Refuses oversized bodies before Yoga reads them, and serves the plain routes.
 *
 * This is the request-size limit, not Yoga's `maxRequestBodySize` (off in yoga.ts): a POST
 * must say its length (a chunked body is refused), and Node's HTTP parser then delivers
 * exactly that many bytes, so counting them again while streaming would check nothing
 * more — and Yoga's counter pipes every body through a TransformStream, a stream pipeline
 * per request.
 */
export function useRoutes(routes: readonly RouteHandler[]): Plugin {
  return {
    async onRequest({ request, url, endResponse }) {
      if (request.method === 'POST') {
        const length = request.headers.get('content-length');
        if (length === null && request.headers.get('transfer-encoding')) {
          endResponse(json({ error: 'Content-Length required' }, 411));
          return;
        }
        if (length !== null && !/^\d{1,15}$/u.test(length)) {
          endResponse(json({ error: 'Content-Length must be one decimal integer' }, 400));
          return;
        }
        if (length !== null && Number(length) > MAX_REQUEST_BODY_BYTES) {
          endResponse(json({ error: `Request body larger than ${MAX_REQUEST_BODY_BYTES} bytes` }, 413));
          return;
        }
      }
      for (const route of routes) {
        const response = await route(request, url);
        if (response) {
          endResponse(response);
          return;
        }
      }
    },
  };
}
