/**
 * The GraphiQL page (about 9 MB of HTML and script) is sent compressed — Brotli or gzip,
 * as the browser accepts — with a validator and cache headers, so a second visit costs
 * a 304 and a first visit on a slow link a fifth of the bytes.
 */
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { createTestApp, type TestApp } from '../support/app.ts';

let testApp: TestApp;
beforeAll(async () => {
  testApp = await createTestApp();
});
afterAll(() => testApp.dispose());

async function getPage(headers: Record<string, string>, method = 'GET') {
  const response = await testApp.app.yoga.fetch('http://courtyard.test/graphql', { method, headers: { accept: 'text/html,application/xhtml+xml', ...headers } });
  return { response, bytes: Buffer.from(await response.arrayBuffer()) };
}

describe('the GraphiQL page', () => {
  let plain: Buffer;
  let etag: string;

  it('is sent whole to a client that accepts no compression, with a strong validator', async () => {
    const { response, bytes } = await getPage({});
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-encoding')).toBeNull();
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('vary')).toBe('accept-encoding');
    etag = response.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/u);
    plain = bytes;
    expect(plain.toString('utf8')).toContain('<title>Courtyard</title>');
    expect(plain.byteLength).toBeGreaterThan(1_000_000);
  });

  it('is sent with Brotli when the browser accepts it, at under a quarter of its size', async () => {
    const { response, bytes } = await getPage({ 'accept-encoding': 'gzip, deflate, br, zstd' });
    expect(response.headers.get('content-encoding')).toBe('br');
    expect(response.headers.get('etag')).toBe(`W/${etag}`);
    expect(Number(response.headers.get('content-length'))).toBe(bytes.byteLength);
    expect(bytes.byteLength).toBeLessThan(plain.byteLength / 4);
    expect(brotliDecompressSync(bytes).equals(plain)).toBe(true);
  });

  it('is sent with gzip to a browser that accepts gzip only, or prefers it', async () => {
    for (const acceptEncoding of ['gzip', 'br;q=0.5, gzip', 'gzip;q=1, br;q=0']) {
      const { response, bytes } = await getPage({ 'accept-encoding': acceptEncoding });
      expect({ acceptEncoding, encoding: response.headers.get('content-encoding') }).toEqual({ acceptEncoding, encoding: 'gzip' });
      expect(gunzipSync(bytes).equals(plain)).toBe(true);
    }
  });

  it('answers a revalidation with 304 and no body, whichever encoding was cached', async () => {
    for (const validator of [etag, `W/${etag}`]) {
      const { response, bytes } = await getPage({ 'accept-encoding': 'br', 'if-none-match': validator });
      expect(response.status).toBe(304);
      expect(bytes.byteLength).toBe(0);
    }
  });

  it('answers HEAD with the headers only', async () => {
    const { response, bytes } = await getPage({ 'accept-encoding': 'br' }, 'HEAD');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-encoding')).toBe('br');
    expect(bytes.byteLength).toBe(0);
  });
});
