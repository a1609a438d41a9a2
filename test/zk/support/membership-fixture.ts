/**
 * Shared fixtures for the zk tests: the committed artifacts, a census with one known
 * member at a declared depth, and proofs made once per test file (a proof costs about a
 * second).
 */
import { getCurve } from '../../../src/zk/curve.ts';
import { ProofRejectedError } from '../../../src/zk/errors.ts';
import { SNARK_SCALAR_FIELD } from '../../../src/zk/field.ts';
import { loadMembershipArtifactsForDepth } from '../../../src/zk/artifacts-node.ts';
import type { MembershipArtifacts } from '../../../src/zk/artifacts-node.ts';
import { createIdentity, membershipLeaf } from '../../../src/zk/identity.ts';
import type { Identity } from '../../../src/zk/identity.ts';
import { PoseidonMerkleTree } from '../../../src/zk/merkle-tree.ts';
import type { MerkleProof } from '../../../src/zk/merkle-tree.ts';
import { proveMembership } from '../../../src/zk/prover.ts';
import type { MembershipProof } from '../../../src/zk/prover.ts';

export interface CensusFixture {
  artifacts: MembershipArtifacts;
  identity: Identity;
  attribute: bigint;
  memberIndex: number;
  tree: PoseidonMerkleTree;
  merkleProof: MerkleProof;
  prove(scope: bigint, message: bigint): Promise<MembershipProof>;
}

export interface CensusFixtureOptions {
  size?: number;
  memberIndex?: number;
  attribute?: bigint;
  /** A declared membership depth: the tree's and the circuit's. */
  depth?: number;
}

/** A census of `size` members (filler leaves) with one real identity at `memberIndex`, at `depth` (20 by default). */
export async function createCensusFixture(options: CensusFixtureOptions = {}): Promise<CensusFixture> {
  const { size = 64, memberIndex = 37, attribute = 12_345n, depth = 20 } = options;
  const artifacts = await loadMembershipArtifactsForDepth(depth);
  const identity = await createIdentity();
  const leaves = Array.from({ length: size }, (_, index) => BigInt(index + 1_000));
  leaves[memberIndex] = await membershipLeaf(identity.commitment, attribute);
  const tree = await PoseidonMerkleTree.build(leaves, depth);
  const merkleProof = await tree.proof(memberIndex);
  return {
    artifacts, identity, attribute, memberIndex, tree, merkleProof,
    prove: (scope, message) => proveMembership(artifacts, { secret: identity.secret, merkleProof, attribute, scope, message }),
  };
}

/** A deep copy, so a test can edit a proof without touching the shared one. */
export function copy<T>(value: T): T {
  return structuredClone(value);
}

/**
 * Another valid proof of the same statement, made without the witness:
 * (A, B, C) -> (A / t, t * B, C) for a random t. Cheap distinct proofs for batch tests;
 * also a reminder that proof bytes identify nothing.
 */
export async function rerandomizeProof(proof: MembershipProof): Promise<MembershipProof> {
  const curve = await getCurve();
  const randomBytes = new Uint8Array(31);
  globalThis.crypto.getRandomValues(randomBytes);
  const factor = BigInt(`0x${Buffer.from(randomBytes).toString('hex')}`) + 1n;
  const inverse = modularInverse(factor, SNARK_SCALAR_FIELD);
  const a = curve.G1.toAffine(curve.G1.timesScalar(curve.G1.fromObject(proof.proof.pi_a.map(BigInt)), inverse));
  const b = curve.G2.toAffine(curve.G2.timesScalar(curve.G2.fromObject(proof.proof.pi_b.map((pair) => pair.map(BigInt)) as unknown as bigint[]), factor));
  const toStrings = (value: unknown): any => (Array.isArray(value) ? value.map(toStrings) : String(value));
  const objectOf = (group: typeof curve.G1, point: Uint8Array) => toStrings((group as unknown as { toObject(p: Uint8Array): unknown }).toObject(point));
  return { proof: { ...copy(proof.proof), pi_a: objectOf(curve.G1, a), pi_b: objectOf(curve.G2, b) }, publicSignals: [...proof.publicSignals] };
}

function modularInverse(value: bigint, modulus: bigint): bigint {
  let [low, high, lowCoefficient, highCoefficient] = [value % modulus, modulus, 1n, 0n];
  while (low > 1n) {
    const quotient = high / low;
    [low, high, lowCoefficient, highCoefficient] = [high - quotient * low, low, highCoefficient - quotient * lowCoefficient, lowCoefficient];
  }
  return ((lowCoefficient % modulus) + modulus) % modulus;
}

/** The code a verification's rejection carries, or 'ACCEPTED'; any other error is thrown on. */
export async function rejectionCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ProofRejectedError) return error.code;
    throw error;
  }
  return 'ACCEPTED';
}
