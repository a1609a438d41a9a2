/**
 * The circuit artifacts served by the server: a manifest with content hashes, files
 * under URLs named by those hashes, immutable cache headers, 304 on a matching ETag.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { loadMembershipArtifacts } from '../../src/zk/artifacts-node.ts';
import type { ArtifactsManifest } from '../../src/server/zk-routes.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

let testApp: TestApp;
let manifest: ArtifactsManifest;
const fetchPath = (path: string, init: RequestInit = {}) => testApp.app.yoga.fetch(`http://courtyard.test${path}`, init);
const sha256 = (bytes: ArrayBuffer | Uint8Array) => createHash('sha256').update(new Uint8Array(bytes)).digest('hex');

beforeAll(async () => {
  testApp = await createTestApp();
  const response = await fetchPath('/zk/artifacts.json');
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toBe('application/json');
  manifest = (await response.json()) as ArtifactsManifest;
});
afterAll(() => testApp.dispose());

describe('zk artifacts route', () => {
  it('lists the membership instance with its hashes and the insecure label', async () => {
    const artifacts = await loadMembershipArtifacts();
    const instance = manifest.instances['membership-20']!;
    expect(instance).toMatchObject({ insecure: true, r1csSha256: artifacts.hashes.r1cs, verificationKeyHash: artifacts.hashes.verificationKey });
    expect(instance.warning).toMatch(/^INSECURE/);
    expect(instance.files.wasm).toMatchObject({ sha256: artifacts.hashes.wasm, url: `/zk/artifacts/${artifacts.hashes.wasm}/membership-20.wasm` });
    expect(instance.files.zkey.sha256).toBe(artifacts.hashes.zkey);
    expect(instance.files.verificationKey.sha256).toBe(sha256(await readFile(artifacts.paths.verificationKey)));
  });

  it.each([
    ['wasm', 'application/wasm'],
    ['zkey', 'application/octet-stream'],
    ['verificationKey', 'application/json'],
  ] as const)('serves the %s whose bytes hash to its URL, immutable for a year', async (file, contentType) => {
    const entry = manifest.instances['membership-20']!.files[file];
    const response = await fetchPath(entry.url);
    expect(response.status).toBe(200);
    const bytes = await response.arrayBuffer();
    expect(sha256(bytes)).toBe(entry.sha256);
    expect(bytes.byteLength).toBe(entry.bytes);
    expect(entry.url).toContain(`/${entry.sha256}/`);
    expect(response.headers.get('content-type')).toBe(contentType);
    expect(response.headers.get('etag')).toBe(`"${entry.sha256}"`);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('answers 304 with no body when If-None-Match carries the ETag', async () => {
    const entry = manifest.instances['membership-20']!.files.zkey;
    const response = await fetchPath(entry.url, { headers: { 'if-none-match': `"${entry.sha256}"` } });
    expect(response.status).toBe(304);
    expect(await response.text()).toBe('');
    const stale = await fetchPath(entry.url, { headers: { 'if-none-match': '"0000"' } });
    expect(stale.status).toBe(200);
    await stale.arrayBuffer();
    const manifestEtag = (await fetchPath('/zk/artifacts.json')).headers.get('etag')!;
    expect((await fetchPath('/zk/artifacts.json', { headers: { 'if-none-match': manifestEtag } })).status).toBe(304);
  });

  it('answers 404 for an unknown hash or file name, and 405 for other methods', async () => {
    const entry = manifest.instances['membership-20']!.files.wasm;
    expect((await fetchPath(`/zk/artifacts/${'0'.repeat(64)}/membership-20.wasm`)).status).toBe(404);
    expect((await fetchPath(entry.url.replace('membership-20.wasm', 'membership-20.r1cs'))).status).toBe(404);
    expect((await fetchPath('/zk/artifacts/../../package.json')).status).toBe(404);
    expect((await fetchPath(entry.url, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(405);
  });
});
