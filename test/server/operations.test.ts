/**
 * Running as a service, over a real HTTP server on loopback: Prometheus metrics at
 * /metrics, /ready false while draining, and a shutdown that answers the requests it
 * has already received before it closes.
 */
import { once } from 'node:events';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { createTestApp, type TestApp } from '../support/app.ts';
import { listen, type RunningServer } from '../../src/server/server.ts';

/** The value of one sample line of Prometheus' text format, or undefined when absent. */
function sample(text: string, line: string): number | undefined {
  const found = text.split('\n').find((candidate) => candidate.startsWith(`${line} `));
  return found === undefined ? undefined : Number(found.slice(line.length + 1));
}

describe('Courtyard as a service', () => {
  let testApp: TestApp;
  let server: RunningServer;

  beforeAll(async () => {
    testApp = await createTestApp();
    server = await listen(testApp.app, '127.0.0.1', 0);
  });
  afterAll(async () => {
    await server.close();
    await testApp.dispose();
  });

  async function post(body: unknown, token?: string): Promise<Response> {
    return fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
  }

  async function metrics(): Promise<string> {
    const response = await fetch(`${server.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/u);
    return response.text();
  }

  it('counts requests, operations and errors by code at /metrics, with latency histograms and no client data', async () => {
    const before = await metrics();
    const secret = 'metrics-should-never-hold-this';
    expect((await post({ query: 'query Mine { viewer { login } }' }, testApp.adminToken)).status).toBe(200);
    expect((await post({ query: `{ noSuchField(x: "${secret}") }` })).status).toBe(200);
    expect((await post({ query: '{ accounts(first: 1) { edges { cursor } } }' })).status).toBe(200);
    const after = await metrics();

    const delta = (line: string) => (sample(after, line) ?? 0) - (sample(before, line) ?? 0);
    // The first /metrics request is answered (and counted) before the second is read.
    expect(delta('courtyard_http_requests_total{status="200"}')).toBe(4);
    expect(delta('courtyard_graphql_operations_total{type="query"}')).toBe(2);
    expect(delta('courtyard_graphql_errors_total{code="GRAPHQL_VALIDATION_FAILED"}')).toBe(1);
    expect(delta('courtyard_graphql_errors_total{code="UNAUTHENTICATED"}')).toBe(1);
    expect(delta('courtyard_http_request_duration_seconds_count{status="200"}')).toBe(4);
    expect(
      sample(after, 'courtyard_http_request_duration_seconds_bucket{le="+Inf",status="200"}'),
    ).toBeGreaterThanOrEqual(4);
    expect(sample(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(after).not.toContain(secret);
    expect(after).not.toContain('Mine');
  });

  it('drains: /ready says 503 while still serving, and close answers the request in flight, closing its connection, before it stops listening', async () => {
    expect(await (await fetch(`${server.url}/ready`)).json()).toEqual({ status: 'ready' });
    server.drain();
    const ready = await fetch(`${server.url}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: 'draining' });
    expect(await (await post({ query: '{ viewer { login } }' }, testApp.adminToken)).json()).toEqual({
      data: { viewer: { login: 'admin' } },
    });

    // A request whose headers have arrived and whose body is still on its way when close() starts.
    const body = JSON.stringify({ query: '{ viewer { login } }' });
    const url = new URL(`${server.url}/graphql`);
    const inFlight = httpRequest({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        authorization: `Bearer ${testApp.adminToken}`,
      },
    });
    const received = once(server.httpServer, 'request');
    const responded = once(inFlight, 'response') as Promise<[IncomingMessage]>;
    inFlight.write(body.slice(0, 5));
    await received;

    const closing = server.close();
    inFlight.end(body.slice(5));
    const [response] = await responded;
    let text = '';
    for await (const chunk of response) text += String(chunk);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(text)).toEqual({ data: { viewer: { login: 'admin' } } });
    // Its keep-alive connection ends with it, so a busy client cannot keep a stopping server serving.
    expect(response.headers['connection']).toBe('close');
    await closing;
    await expect(fetch(`${server.url}/ready`)).rejects.toThrow();
  });
});
