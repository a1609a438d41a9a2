/**
 * Loads the committed membership artifacts from circuits/build/ in Node (the server,
 * scripts, tests). Browsers fetch the same bytes from the server instead; the hashes
 * here serve as content hashes for ETag and cache headers.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { CircuitBuildRecord } from './circuit-manifest.ts';
import { DEFAULT_MEMBERSHIP_INSTANCE } from './circuit-manifest.ts';
import { developmentSetupPaths } from './artifact-paths.ts';
import type { InstanceArtifactPaths } from './artifact-paths.ts';
import { verificationKeyHash } from './verification-key.ts';
import type { LabelledVerificationKey } from './verification-key.ts';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface MembershipArtifacts {
  instance: string;
  wasm: Uint8Array;
  zkey: Uint8Array;
  verificationKey: LabelledVerificationKey;
  /** True when the proving and verification keys come from the insecure development setup. */
  insecure: boolean;
  paths: InstanceArtifactPaths;
  hashes: {
    /** sha256 of each file's bytes, hex: content hashes for caching. */
    wasm: string;
    zkey: string;
    verificationKeyFile: string;
    /** The recorded r1cs hash the wasm and zkey were built from. */
    r1cs: string;
    /** sha256 of the canonical verification key: the hash the ledger records. */
    verificationKey: string;
  };
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Reads wasm, zkey and verification key of a circuit instance (by default the
 * depth-20 membership circuit) and checks them against the build and set-up records.
 */
export async function loadMembershipArtifacts(instance: string = DEFAULT_MEMBERSHIP_INSTANCE, repositoryRoot: string = REPOSITORY_ROOT): Promise<MembershipArtifacts> {
  const paths = developmentSetupPaths(repositoryRoot, instance);
  const [wasm, zkey, verificationKeyFile, buildRecordFile, setupRecordFile] = await Promise.all(
    [paths.wasm, paths.zkey, paths.verificationKey, paths.buildRecord, paths.setupRecord].map((path) => readFile(path)),
  );
  const build = JSON.parse(buildRecordFile!.toString('utf8')) as CircuitBuildRecord;
  const setup = JSON.parse(setupRecordFile!.toString('utf8')) as { insecure?: boolean; zkeySha256: string; r1csSha256: string };
  const verificationKey = JSON.parse(verificationKeyFile!.toString('utf8')) as LabelledVerificationKey;
  const hashes = {
    wasm: sha256Hex(wasm!),
    zkey: sha256Hex(zkey!),
    verificationKeyFile: sha256Hex(verificationKeyFile!),
    r1cs: build.r1csSha256,
    verificationKey: verificationKeyHash(verificationKey),
  };
  if (hashes.wasm !== build.wasmSha256) throw new Error(`Failed to load ${instance}: the wasm does not match build.json`);
  if (hashes.zkey !== setup.zkeySha256) throw new Error(`Failed to load ${instance}: the zkey does not match its set-up record`);
  if (setup.r1csSha256 !== build.r1csSha256) throw new Error(`Failed to load ${instance}: the zkey was set up for another r1cs`);
  const insecure = setup.insecure === true || verificationKey.insecure === true;
  return { instance, wasm: new Uint8Array(wasm!), zkey: new Uint8Array(zkey!), verificationKey, insecure, paths, hashes };
}
