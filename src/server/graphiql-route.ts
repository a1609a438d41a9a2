/**
 * The GraphiQL page at `GET /graphql` (for a browser: Accept lists text/html), served by
 * the server itself so it works on a closed network. It is about 9 MB of HTML with the
 * whole GraphiQL bundle inline, so it is rendered once, compressed once — Brotli at
 * quality GRAPHIQL_BROTLI_QUALITY (about 1.9 MB, ~1.2 s) and gzip at level 9 (about
 * 2.4 MB, ~0.4 s), on the thread pool, on the first request — and kept in memory, then
 * sent by served-file.ts with an ETag (a revisit is a 304) and `Cache-Control: no-cache`
 * (revalidated on every visit, so a new version is seen at once).
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { RouteHandler } from './routes.ts';
import { serveFile, type ServedFile } from './served-file.ts';

/** Brotli's quality 11 takes ~16 s on this page for 10 % fewer bytes than 9; 9 is the better bargain. */
export const GRAPHIQL_BROTLI_QUALITY = 9;
const GZIP_LEVEL = 9;

const brotliCompressAsync = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

export type GraphiQLOptions = Parameters<typeof renderGraphiQL>[0];

async function renderPage(options: GraphiQLOptions): Promise<ServedFile> {
  const body = new TextEncoder().encode(renderGraphiQL(options));
  const [brotli, gzipped] = await Promise.all([
    brotliCompressAsync(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: GRAPHIQL_BROTLI_QUALITY, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength },
    }),
    gzipAsync(body, { level: GZIP_LEVEL }),
  ]);
  return {
    body,
    brotli: new Uint8Array(brotli),
    gzipped: new Uint8Array(gzipped),
    contentType: 'text/html; charset=utf-8',
    etag: `"${createHash('sha256').update(body).digest('hex')}"`,
    cacheControl: 'no-cache',
    headers: { 'x-content-type-options': 'nosniff' },
  };
}

/** What Yoga itself would answer with GraphiQL: a GET (or HEAD) of the endpoint that accepts HTML. */
function wantsGraphiQL(request: Request, url: URL, endpoint: string): boolean {
  if (url.pathname !== endpoint && url.pathname !== `${endpoint}/`) return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  return (request.headers.get('accept') ?? '').includes('text/html');
}

export function graphiqlRoute(endpoint: string, options: GraphiQLOptions): RouteHandler {
  let rendering: Promise<ServedFile> | undefined;
  const page = () => {
    rendering ??= renderPage(options).catch((error: unknown) => {
      rendering = undefined;
      throw error;
    });
    return rendering;
  };
  return async (request, url) => (wantsGraphiQL(request, url, endpoint) ? serveFile(request, await page()) : undefined);
}
