/**
 * The circuit artifacts, served by the server itself (no CDN), so a resident's browser
 * can prove on a closed network:
 *
 *   GET /zk/artifacts.json                        instances, file URLs, sha256, insecure flag
 *   GET /zk/artifacts/<sha256>/<file name>        the bytes, immutable
 *
 * A file's URL contains the sha256 of its bytes, so it never changes and is cached for
 * a year (`immutable`); the ETag is that hash, and a matching If-None-Match gets 304.
 * Anything else under /zk/ is 404. The manifest itself is revalidated on every use,
 * since a new build changes it.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { declaredMembershipInstances, loadMembershipArtifacts, type MembershipArtifacts } from '../zk/artifacts-node.ts';
import type { RouteHandler } from './routes.ts';
import { fileNotFound, serveFile, type ServedFile } from './served-file.ts';

export const ZK_ARTIFACTS_MANIFEST_PATH = '/zk/artifacts.json';
export const ZK_ARTIFACTS_PREFIX = '/zk/artifacts/';
const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';

interface ArtifactFile {
  name: string;
  sha256: string;
  contentType: string;
  bytes: Uint8Array;
}

interface ServedArtifacts {
  manifest: ServedFile;
  /** By URL path. */
  files: Map<string, ServedFile>;
}

export interface ArtifactFileEntry {
  url: string;
  sha256: string;
  bytes: number;
}

export interface ArtifactsManifest {
  instances: Record<string, {
    /** The depth of the census tree the instance proves; a device fetches only the one it needs. */
    depth: number;
    insecure: boolean;
    warning: string | null;
    r1csSha256: string;
    verificationKeyHash: string;
    files: { wasm: ArtifactFileEntry; zkey: ArtifactFileEntry; verificationKey: ArtifactFileEntry };
  }>;
}

function fileUrl(file: ArtifactFile): string {
  return `${ZK_ARTIFACTS_PREFIX}${file.sha256}/${file.name}`;
}

function lastPathPart(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

async function artifactFiles(artifacts: MembershipArtifacts): Promise<{ wasm: ArtifactFile; zkey: ArtifactFile; verificationKey: ArtifactFile }> {
  const verificationKeyBytes = new Uint8Array(await readFile(artifacts.paths.verificationKey));
  const verificationKeySha256 = createHash('sha256').update(verificationKeyBytes).digest('hex');
  // The file is served verbatim; refuse to serve one that changed since it was loaded and checked.
  if (verificationKeySha256 !== artifacts.hashes.verificationKeyFile) throw new Error(`Failed to serve ${artifacts.instance}: the verification key file changed`);
  return {
    wasm: { name: lastPathPart(artifacts.paths.wasm), sha256: artifacts.hashes.wasm, contentType: 'application/wasm', bytes: artifacts.wasm },
    zkey: { name: lastPathPart(artifacts.paths.zkey), sha256: artifacts.hashes.zkey, contentType: 'application/octet-stream', bytes: artifacts.zkey },
    verificationKey: {
      name: lastPathPart(artifacts.paths.verificationKey),
      sha256: verificationKeySha256,
      contentType: 'application/json',
      bytes: verificationKeyBytes,
    },
  };
}

async function loadServedArtifacts(instances: readonly string[]): Promise<ServedArtifacts> {
  const manifest: ArtifactsManifest = { instances: {} };
  const files = new Map<string, ServedFile>();
  for (const instance of instances) {
    const artifacts = await loadMembershipArtifacts(instance);
    const served = await artifactFiles(artifacts);
    const entry = (file: ArtifactFile): ArtifactFileEntry => ({ url: fileUrl(file), sha256: file.sha256, bytes: file.bytes.byteLength });
    manifest.instances[instance] = {
      depth: artifacts.depth,
      insecure: artifacts.insecure,
      warning: artifacts.insecure ? 'INSECURE development setup: anyone may know its toxic waste; do not use for real votes.' : null,
      r1csSha256: artifacts.hashes.r1cs,
      verificationKeyHash: artifacts.hashes.verificationKey,
      files: { wasm: entry(served.wasm), zkey: entry(served.zkey), verificationKey: entry(served.verificationKey) },
    };
    for (const file of Object.values(served)) {
      files.set(fileUrl(file), { body: file.bytes, contentType: file.contentType, etag: `"${file.sha256}"`, cacheControl: IMMUTABLE_CACHE_CONTROL });
    }
  }
  const body = new TextEncoder().encode(JSON.stringify(manifest));
  const etag = `"${createHash('sha256').update(body).digest('hex')}"`;
  return { manifest: { body, contentType: 'application/json', etag, cacheControl: 'no-cache' }, files };
}

/**
 * The route; artifacts are read and hashed on first request, then kept in memory
 * (wasm and proving key: about 15 MB for the three declared depths). Without `instances`,
 * every membership instance circuits/circuits.json declares is served.
 */
export function zkArtifactsRoute(instances?: readonly string[]): RouteHandler {
  let loading: Promise<ServedArtifacts> | undefined;
  const served = () => {
    const names = async () => instances ?? (await declaredMembershipInstances()).map(({ instance }) => instance);
    loading ??= names().then(loadServedArtifacts).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
  return async (request, url) => {
    if (url.pathname !== ZK_ARTIFACTS_MANIFEST_PATH && !url.pathname.startsWith(ZK_ARTIFACTS_PREFIX)) return undefined;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return new Response(null, { status: 405, headers: { allow: 'GET, HEAD' } });
    }
    const artifacts = await served();
    if (url.pathname === ZK_ARTIFACTS_MANIFEST_PATH) return serveFile(request, artifacts.manifest);
    const file = artifacts.files.get(url.pathname);
    return file ? serveFile(request, file) : fileNotFound();
  };
}
