/**
 * A verification key that knows its depth, and the roots that know theirs.
 *
 * The membership circuit exists at several depths (./membership-depths.ts), each with its
 * own keys. A Groth16 key does not say which depth it was made for, and a root does not
 * say which depth of tree it is the root of, so both are named here: the strict verifier
 * checks a proof with the key of its root's depth and refuses, with DEPTH_MISMATCH, a root
 * known at another depth than the key's.
 */
import type { Groth16VerificationKeyJson } from 'snarkjs';
import { ProofRejectedError } from './errors.ts';
import { MAX_TREE_DEPTH } from './merkle-tree.ts';

export interface MembershipVerificationKey {
  /** The circuit instance, e.g. `membership-14`. */
  instance: string;
  /** The depth of the tree the circuit proves membership of. */
  depth: number;
  verificationKey: Groth16VerificationKeyJson;
}

/** A root of a census tree, with the depth of that tree. */
export interface KnownRoot {
  root: bigint;
  depth: number;
}

/** Keys by depth: what a verifier picks from by the depth of the proof's root. */
export type MembershipKeyRing = ReadonlyMap<number, MembershipVerificationKey>;

export function isMembershipVerificationKey(key: unknown): key is MembershipVerificationKey {
  return typeof key === 'object' && key !== null && 'verificationKey' in key && 'depth' in key;
}

/** The key's depth, refused as VERIFICATION_KEY_INVALID unless it is a tree depth. */
export function requireKeyDepth(key: MembershipVerificationKey): number {
  if (!Number.isSafeInteger(key.depth) || key.depth < 1 || key.depth > MAX_TREE_DEPTH) {
    throw new ProofRejectedError('VERIFICATION_KEY_INVALID', `the key's depth ${String(key.depth)} is not a tree depth from 1 to ${MAX_TREE_DEPTH}`);
  }
  return key.depth;
}

/** A key ring from keys of distinct depths; two keys for one depth are refused. */
export function membershipKeyRing(keys: Iterable<MembershipVerificationKey>): MembershipKeyRing {
  const ring = new Map<number, MembershipVerificationKey>();
  for (const key of keys) {
    const depth = requireKeyDepth(key);
    if (ring.has(depth)) throw new RangeError(`Invalid key ring: two keys for depth ${depth}`);
    ring.set(depth, key);
  }
  return ring;
}
