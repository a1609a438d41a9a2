/**
 * Puts an App on a socket: HTTP for GraphQL (queries, mutations, SSE
 * subscriptions) and the plain routes, and graphql-ws on the same port.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import type { App } from './app.ts';

/** How long close() waits for in-flight requests before cutting the connections that remain. */
export const SHUTDOWN_TIMEOUT_MS = 30_000;

export interface RunningServer {
  url: string;
  /** Node's server, for the process that runs it (events, connection counts). */
  httpServer: Server;
  /** Keeps serving but answers /ready with 503, so a load balancer sends no new work. */
  drain(): void;
  /**
   * Stops accepting connections, ends subscriptions, and resolves once every request
   * already received has been answered (or after `timeoutMs`, cutting what remains).
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

export async function listen(app: App, host: string, port: number): Promise<RunningServer> {
  // Once shutdown began, each keep-alive connection closes after the response in progress:
  // otherwise a busy client would go on sending requests on it until the cut-off.
  let shuttingDown = false;
  const unanswered = new Set<ServerResponse>();
  const httpServer: Server = createServer((request, response) => {
    if (shuttingDown) {
      response.setHeader('connection', 'close');
    } else {
      unanswered.add(response);
      response.once('close', () => unanswered.delete(response));
    }
    void app.yoga(request, response);
  });
  const webSocketServer = new WebSocketServer({ server: httpServer, path: app.yoga.graphqlEndpoint });
  const webSocketHandle = useServer(
    {
      execute: (args: any) => args.rootValue.execute(args),
      subscribe: (args: any) => args.rootValue.subscribe(args),
      onSubscribe: async (context, _id, params) => {
        const { schema, execute, subscribe, contextFactory, parse, validate } = app.yoga.getEnveloped({
          ...context,
          req: context.extra.request,
          socket: context.extra.socket,
          connectionParams: context.connectionParams,
          params,
        });
        const document = parse(params.query);
        const errors = validate(schema, document);
        if (errors.length > 0) return errors;
        return {
          schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
      },
    },
    webSocketServer,
  );
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => resolve());
  });
  const address = httpServer.address() as AddressInfo;
  const displayHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${displayHost}:${address.port}`,
    httpServer,
    drain() {
      app.lifecycle.draining = true;
    },
    close({ timeoutMs = SHUTDOWN_TIMEOUT_MS } = {}) {
      // A second call (a second signal, a test's afterAll) waits for the first.
      closing ??= shutDown(timeoutMs);
      return closing;
    },
  };

  async function shutDown(timeoutMs: number): Promise<void> {
    app.lifecycle.draining = true;
    shuttingDown = true;
    for (const response of unanswered) if (!response.headersSent) response.setHeader('connection', 'close');
    await webSocketHandle.dispose();
    webSocketServer.close();
    // server.close() stops listening and closes idle keep-alive connections; a connection
    // with a request in flight closes once that request is answered.
    const closed = new Promise<void>((resolve) => httpServer.close(() => resolve()));
    httpServer.closeIdleConnections();
    const cutOff = setTimeout(() => httpServer.closeAllConnections(), timeoutMs);
    try {
      await closed;
    } finally {
      clearTimeout(cutOff);
    }
  }
}
