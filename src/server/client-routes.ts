/**
 * The resident SDK for browsers, served by the server itself (no CDN):
 *
 *   GET /client/client.json              entry points and files, revalidated on every use
 *   GET /client/assets/<name>-<hash>.js  the bundle's ES modules, immutable
 *   GET /client/prove-demo.html          a page that creates an identity and proves
 *   GET /portal                          the resident portal (src/client/portal/)
 *
 * The bundle is built with esbuild on first request (about half a second) and kept in
 * memory, so a fresh clone serves it with no build step and it always matches the
 * sources. Every file name carries esbuild's content hash and chunks import each other
 * by relative name, so all files sit in one folder and are cached for a year; the ETag
 * is the file's sha256 (weak when gzipped). Gzip is used when the browser accepts it
 * (2.2 MB → 0.95 MB). Responses are made by served-file.ts, as for the circuit artifacts.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { buildClientBundle, type ClientBundle, type ClientEntryPoint } from '../client/bundle-node.ts';
import type { RouteHandler } from './routes.ts';
import { fileNotFound, serveFile, type ServedFile } from './served-file.ts';

export const CLIENT_MANIFEST_PATH = '/client/client.json';
export const CLIENT_ASSETS_PREFIX = '/client/assets/';
export const PROVE_DEMO_PATH = '/client/prove-demo.html';
const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
const DEMO_TEMPLATE_URL = new URL('../client/prove-demo.html', import.meta.url);
export const PORTAL_PATH = '/portal';
const PORTAL_TEMPLATE_URL = new URL('../client/portal/portal.html', import.meta.url);

/**
 * Same-origin scripts only. `wasm-unsafe-eval` lets snarkjs and Poseidon compile their
 * WebAssembly; `blob:` workers are how ffjavascript starts its proving threads.
 */
export const PROVE_DEMO_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The portal's: as the demo's, plus its own style sheet (no inline style), and a module
 * worker from this origin for proving. Nothing may leave the origin.
 */
export const PORTAL_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export interface ClientManifest {
  entries: Record<ClientEntryPoint, string>;
  files: Array<{ url: string; sha256: string; bytes: number }>;
}

interface ServedClient {
  files: Map<string, ServedFile>;
  manifest: ClientManifest;
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Every client file says what it is; browsers must not guess. */
const NO_SNIFFING = { 'x-content-type-options': 'nosniff' } as const;

function textFile(
  text: string,
  contentType: string,
  cacheControl: string,
  headers: Record<string, string> = NO_SNIFFING,
): ServedFile {
  const body = new TextEncoder().encode(text);
  return { body, gzipped: null, contentType, etag: `"${sha256Hex(body)}"`, cacheControl, headers };
}

async function loadServedClient(): Promise<ServedClient> {
  const bundle: ClientBundle = await buildClientBundle();
  const files = new Map<string, ServedFile>();
  for (const file of bundle.files) {
    files.set(`${CLIENT_ASSETS_PREFIX}${file.name}`, {
      body: file.bytes,
      gzipped: gzipSync(file.bytes, { level: 9 }),
      contentType: file.name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8',
      etag: `"${file.sha256}"`,
      cacheControl: IMMUTABLE_CACHE_CONTROL,
      headers: NO_SNIFFING,
    });
  }
  const entries = Object.fromEntries(
    Object.entries(bundle.entries).map(([entry, name]) => [entry, `${CLIENT_ASSETS_PREFIX}${name}`]),
  ) as Record<ClientEntryPoint, string>;
  const manifest: ClientManifest = {
    entries,
    files: bundle.files.map((file) => ({
      url: `${CLIENT_ASSETS_PREFIX}${file.name}`,
      sha256: file.sha256,
      bytes: file.bytes.byteLength,
    })),
  };
  files.set(CLIENT_MANIFEST_PATH, textFile(JSON.stringify(manifest), 'application/json', 'no-cache'));
  const template = await readFile(DEMO_TEMPLATE_URL, 'utf8');
  files.set(
    PROVE_DEMO_PATH,
    textFile(template.replace('{{DEMO_SCRIPT}}', entries['prove-demo']), 'text/html; charset=utf-8', 'no-cache', {
      ...NO_SNIFFING,
      'content-security-policy': PROVE_DEMO_CONTENT_SECURITY_POLICY,
    }),
  );
  const portal = (await readFile(PORTAL_TEMPLATE_URL, 'utf8'))
    .replace('{{PORTAL_SCRIPT}}', entries['portal'])
    .replace('{{PORTAL_STYLE}}', entries['portal-style'])
    .replace('{{PROVER_SCRIPT}}', entries['portal-prover']);
  files.set(
    PORTAL_PATH,
    textFile(portal, 'text/html; charset=utf-8', 'no-cache', {
      ...NO_SNIFFING,
      'content-security-policy': PORTAL_CONTENT_SECURITY_POLICY,
    }),
  );
  return { files, manifest };
}

/** The route; the bundle is built on first request and then kept in memory. */
export function clientRoute(): RouteHandler {
  let loading: Promise<ServedClient> | undefined;
  const served = () => {
    loading ??= loadServedClient().catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
  return async (request, url) => {
    if (!url.pathname.startsWith('/client/') && url.pathname !== PORTAL_PATH) return undefined;
    if (request.method !== 'GET' && request.method !== 'HEAD')
      return new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });
    const file = (await served()).files.get(url.pathname);
    return file ? serveFile(request, file) : fileNotFound();
  };
}
