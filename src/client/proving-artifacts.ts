/**
 * Fetches the circuit's wasm and proving key from the Courtyard server that serves this
 * page (`GET /zk/artifacts.json`, then the content-hashed files), never from a CDN, and
 * checks each file's sha256 against the manifest before it is used.
 */
import type { ProvingArtifacts } from '../zk/prover.ts';
import { DEFAULT_MEMBERSHIP_INSTANCE } from '../zk/circuit-manifest.ts';

export const ARTIFACTS_MANIFEST_PATH = '/zk/artifacts.json';
/** Largest artifact file accepted; the depth-20 proving key is about 3.3 MB. */
export const MAX_ARTIFACT_BYTES = 64 * 1024 * 1024;

interface ManifestFile {
  url: string;
  sha256: string;
  bytes: number;
}

/** The part of the server's `/zk/artifacts.json` the SDK reads. */
interface ArtifactsManifestJson {
  instances?: Record<
    string,
    {
      insecure: boolean;
      warning: string | null;
      verificationKeyHash: string;
      files: { wasm: ManifestFile; zkey: ManifestFile };
    }
  >;
}

export interface FetchedProvingArtifacts extends ProvingArtifacts {
  wasm: Uint8Array;
  zkey: Uint8Array;
  instance: string;
  /** True for the development set-up: its keys could be known to whoever ran it. */
  insecure: boolean;
  warning: string | null;
  /** The hash the ledger records for this instance's verification key. */
  verificationKeyHash: string;
}

export interface FetchArtifactsOptions {
  /** The server's origin; defaults to the page's own (`location.origin`). */
  origin?: string;
  instance?: string;
  fetch?: typeof globalThis.fetch;
}

export class ArtifactFetchError extends Error {
  override readonly name = 'ArtifactFetchError';
}

function toHex(bytes: ArrayBuffer): string {
  return Array.from(new Uint8Array(bytes), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function fetchChecked(fetcher: typeof globalThis.fetch, origin: string, file: ManifestFile): Promise<Uint8Array> {
  if (!Number.isSafeInteger(file.bytes) || file.bytes < 0 || file.bytes > MAX_ARTIFACT_BYTES) {
    throw new ArtifactFetchError(
      `Failed to fetch ${file.url}: ${file.bytes} bytes is over the ${MAX_ARTIFACT_BYTES}-byte limit`,
    );
  }
  const url = new URL(file.url, origin);
  if (url.origin !== new URL(origin).origin)
    throw new ArtifactFetchError(`Failed to fetch ${file.url}: not on the server's origin`);
  const response = await fetcher(url);
  if (!response.ok) throw new ArtifactFetchError(`Failed to fetch ${file.url}: HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.byteLength !== file.bytes)
    throw new ArtifactFetchError(
      `Failed to fetch ${file.url}: ${bytes.byteLength} bytes, the manifest says ${file.bytes}`,
    );
  const digest = toHex(await globalThis.crypto.subtle.digest('SHA-256', bytes));
  if (digest !== file.sha256)
    throw new ArtifactFetchError(`Failed to fetch ${file.url}: sha256 ${digest} differs from the manifest`);
  return bytes;
}

/** The wasm and proving key of `instance` (default `membership-20`), checked against their hashes. */
export async function fetchProvingArtifacts(options: FetchArtifactsOptions = {}): Promise<FetchedProvingArtifacts> {
  const fetcher = options.fetch ?? globalThis.fetch.bind(globalThis);
  const origin = options.origin ?? globalThis.location.origin;
  const instance = options.instance ?? DEFAULT_MEMBERSHIP_INSTANCE;
  const response = await fetcher(new URL(ARTIFACTS_MANIFEST_PATH, origin));
  if (!response.ok) throw new ArtifactFetchError(`Failed to fetch ${ARTIFACTS_MANIFEST_PATH}: HTTP ${response.status}`);
  const manifest = (await response.json()) as ArtifactsManifestJson;
  const entry = manifest.instances?.[instance];
  if (!entry) throw new ArtifactFetchError(`Failed to fetch artifacts: the server has no instance "${instance}"`);
  const [wasm, zkey] = await Promise.all([
    fetchChecked(fetcher, origin, entry.files.wasm),
    fetchChecked(fetcher, origin, entry.files.zkey),
  ]);
  return {
    wasm,
    zkey,
    instance,
    insecure: entry.insecure,
    warning: entry.warning,
    verificationKeyHash: entry.verificationKeyHash,
  };
}
