/**
 * Loads the committed membership artifacts from circuits/build/ in Node (the server,
 * scripts, tests), one circuit instance (one depth) at a time. Browsers fetch the same
 * bytes from the server instead; the hashes here serve as content hashes for ETag and
 * cache headers. Which instances exist, and at which depth, comes from
 * circuits/circuits.json.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { CircuitBuildRecord, CircuitManifest } from './circuit-manifest.ts';
import { DEFAULT_MEMBERSHIP_INSTANCE } from './circuit-manifest.ts';
import { developmentSetupPaths } from './artifact-paths.ts';
import type { InstanceArtifactPaths } from './artifact-paths.ts';
import { membershipKeyRing } from './membership-key.ts';
import type { MembershipKeyRing, MembershipVerificationKey } from './membership-key.ts';
import { membershipInstanceForDepth } from './membership-depths.ts';
import { encryptedBallotInstanceForDepth } from './encrypted-ballot.ts';
import { verificationKeyHash } from './verification-key.ts';
import type { LabelledVerificationKey } from './verification-key.ts';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

const MEMBERSHIP_TEMPLATE = 'Membership';
const ENCRYPTED_BALLOT_TEMPLATE = 'EncryptedBallot';

/** A membership instance of circuits/circuits.json and the depth of the tree it proves. */
export interface MembershipInstance {
  instance: string;
  depth: number;
}

export async function readCircuitManifest(repositoryRoot: string = REPOSITORY_ROOT): Promise<CircuitManifest> {
  return JSON.parse(await readFile(`${repositoryRoot.replace(/\/$/u, '')}/circuits/circuits.json`, 'utf8')) as CircuitManifest;
}

/** Every instance of the Membership template in circuits/circuits.json, smallest depth first. */
export async function declaredMembershipInstances(repositoryRoot: string = REPOSITORY_ROOT): Promise<MembershipInstance[]> {
  const manifest = await readCircuitManifest(repositoryRoot);
  return Object.entries(manifest)
    .filter(([, instance]) => instance.template === MEMBERSHIP_TEMPLATE)
    .map(([instance, { params }]) => ({ instance, depth: params[0]! }))
    .sort((left, right) => left.depth - right.depth);
}

export interface MembershipArtifacts {
  instance: string;
  /** The depth of the tree this instance proves membership of (its template parameter). */
  depth: number;
  /** The verification key with its instance and depth, as the strict verifier takes it. */
  membershipKey: MembershipVerificationKey;
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
 * Reads wasm, zkey and verification key of a membership instance (by default the
 * depth-20 one) and checks them against the build and set-up records.
 */
export async function loadMembershipArtifacts(instance: string = DEFAULT_MEMBERSHIP_INSTANCE, repositoryRoot: string = REPOSITORY_ROOT): Promise<MembershipArtifacts> {
  const declared = (await declaredMembershipInstances(repositoryRoot)).find((candidate) => candidate.instance === instance);
  if (!declared) throw new Error(`Failed to load ${instance}: circuits/circuits.json declares no membership instance of that name`);
  return loadInstanceArtifacts(declared, repositoryRoot);
}

/**
 * The artifacts of the encrypted-weight ballot instance of `depth` (issue 15,
 * ./encrypted-ballot.ts), checked against their records like the membership ones.
 */
export async function loadEncryptedBallotArtifactsForDepth(depth: number, repositoryRoot: string = REPOSITORY_ROOT): Promise<MembershipArtifacts> {
  const instance = encryptedBallotInstanceForDepth(depth);
  const declared = (await readCircuitManifest(repositoryRoot))[instance];
  if (declared?.template !== ENCRYPTED_BALLOT_TEMPLATE || declared.params[0] !== depth) {
    throw new Error(`Failed to load ${instance}: circuits/circuits.json declares no encrypted-ballot instance of that name and depth`);
  }
  return loadInstanceArtifacts({ instance, depth }, repositoryRoot);
}

async function loadInstanceArtifacts(declared: MembershipInstance, repositoryRoot: string): Promise<MembershipArtifacts> {
  const { instance } = declared;
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
  if (build.instance !== instance) throw new Error(`Failed to load ${instance}: build.json is for ${build.instance}`);
  const insecure = setup.insecure === true || verificationKey.insecure === true;
  const { depth } = declared;
  const membershipKey = { instance, depth, verificationKey };
  return { instance, depth, membershipKey, wasm: new Uint8Array(wasm!), zkey: new Uint8Array(zkey!), verificationKey, insecure, paths, hashes };
}

/** The artifacts of the declared membership instance of `depth` (refuses an undeclared depth). */
export function loadMembershipArtifactsForDepth(depth: number, repositoryRoot: string = REPOSITORY_ROOT): Promise<MembershipArtifacts> {
  return loadMembershipArtifacts(membershipInstanceForDepth(depth), repositoryRoot);
}

/** The committed (INSECURE development) verification key of every declared depth. */
export async function loadMembershipKeyRing(repositoryRoot: string = REPOSITORY_ROOT): Promise<MembershipKeyRing> {
  const instances = await declaredMembershipInstances(repositoryRoot);
  const loaded = await Promise.all(instances.map(({ instance }) => loadMembershipArtifacts(instance, repositoryRoot)));
  return membershipKeyRing(loaded.map((artifacts) => artifacts.membershipKey));
}
