/**
 * Fetches the circuit's wasm and proving key from the Courtyard server that serves this
 * page (`GET /zk/artifacts.json`, then the content-hashed files), never from a CDN, and
 * checks each file's sha256 against the manifest before it is used.
 *
 * The membership circuit exists at several depths; a device fetches only the instance of
 * the depth it proves at — its census tree's depth, which is the number of siblings in its
 * census proof — and none of the others.
 */
import type { ProvingArtifacts } from '../zk/prover.ts';
import { DEFAULT_MEMBERSHIP_INSTANCE } from '../zk/circuit-manifest.ts';
import { MAX_TREE_DEPTH } from '../zk/merkle-tree.ts';

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
      depth: number;
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
  /** The depth of the census tree these artifacts prove membership of. */
  depth: number;
  /** True for the development set-up: its keys could be known to whoever ran it. */
  insecure: boolean;
  warning: string | null;
  /** The hash the ledger records for this instance's verification key. */
  verificationKeyHash: string;
}

export interface FetchArtifactsOptions {
  /** The server's origin; defaults to the page's own (`location.origin`). */
  origin?: string;
  /** The depth to prove at (the census tree's depth); the instance of that depth is fetched. */
  depth?: number;
  /** An instance by name, e.g. `membership-20`; without it or `depth`, `membership-20`. */
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

type ManifestEntry = NonNullable<ArtifactsManifestJson['instances']>[string];

/** The manifest entry the options ask for: by depth, by name, or the default instance. */
function chooseInstance(manifest: ArtifactsManifestJson, options: FetchArtifactsOptions): [string, ManifestEntry] {
  const entries = Object.entries(manifest.instances ?? {});
  if (options.depth !== undefined) {
    const atDepth = entries.filter(([, entry]) => entry.depth === options.depth);
    if (atDepth.length !== 1) {
      throw new ArtifactFetchError(
        `Failed to fetch artifacts: the server has ${atDepth.length === 0 ? 'no' : 'more than one'} instance of depth ${options.depth}`,
      );
    }
    const [name, entry] = atDepth[0]!;
    if (options.instance !== undefined && options.instance !== name) {
      throw new ArtifactFetchError(
        `Failed to fetch artifacts: instance "${options.instance}" is not the instance of depth ${options.depth} ("${name}")`,
      );
    }
    return [name, entry];
  }
  const name = options.instance ?? DEFAULT_MEMBERSHIP_INSTANCE;
  const entry = entries.find(([candidate]) => candidate === name)?.[1];
  if (!entry) throw new ArtifactFetchError(`Failed to fetch artifacts: the server has no instance "${name}"`);
  return [name, entry];
}

/**
 * The wasm and proving key of one instance — the one of `depth`, or `instance`, or
 * `membership-20` — checked against their hashes. Only that instance's files are fetched.
 */
export async function fetchProvingArtifacts(options: FetchArtifactsOptions = {}): Promise<FetchedProvingArtifacts> {
  const fetcher = options.fetch ?? globalThis.fetch.bind(globalThis);
  const origin = options.origin ?? globalThis.location.origin;
  const response = await fetcher(new URL(ARTIFACTS_MANIFEST_PATH, origin));
  if (!response.ok) throw new ArtifactFetchError(`Failed to fetch ${ARTIFACTS_MANIFEST_PATH}: HTTP ${response.status}`);
  const manifest = (await response.json()) as ArtifactsManifestJson;
  const [instance, entry] = chooseInstance(manifest, options);
  if (!Number.isSafeInteger(entry.depth) || entry.depth < 1 || entry.depth > MAX_TREE_DEPTH) {
    throw new ArtifactFetchError(`Failed to fetch artifacts: instance "${instance}" has no valid depth`);
  }
  const [wasm, zkey] = await Promise.all([
    fetchChecked(fetcher, origin, entry.files.wasm),
    fetchChecked(fetcher, origin, entry.files.zkey),
  ]);
  return {
    wasm,
    zkey,
    instance,
    depth: entry.depth,
    insecure: entry.insecure,
    warning: entry.warning,
    verificationKeyHash: entry.verificationKeyHash,
  };
}
