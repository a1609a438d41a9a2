/**
 * Strict verification of membership proofs. Cheap checks come first and each failure
 * has its own code (see ./errors.ts); the pairing runs only for a proof that passed
 * all of them.
 *
 * Order: verification key shape → public-signal count, form and range (snarkjs does not
 * check the count) → proof shape and coordinate ranges → root (and its depth against the
 * key's), scope, message, attribute → proof points on the curve and in the subgroup →
 * nullifier unused → pairing.
 *
 * Depth: the circuit exists at several depths, each with its own key. Pass the key as a
 * `MembershipVerificationKey` (instance, depth, key) and the roots as `KnownRoot`s (root,
 * depth): a proof whose root is known only at another depth than the key's is refused with
 * DEPTH_MISMATCH before any curve arithmetic. A proof made at another depth that claims a
 * root of the key's depth fails the pairing (INVALID_PROOF): keys of different depths share
 * nothing. `verifyMembershipProofWithKeys` picks the key from a key ring by the root's depth.
 * A bare snarkjs key and bare roots are still accepted; they name no depth, so the caller
 * vouches that key and roots belong together.
 *
 * Groth16 proofs are malleable (negating pi_a and pi_b gives another valid proof), so
 * the proof bytes must never identify a ballot or guard a replay: only the nullifier.
 * `isNullifierUsed` is an early rejection; the caller must still store the nullifier
 * under a uniqueness constraint, which is what decides under concurrency.
 */
import type { Groth16ProofJson, Groth16VerificationKeyJson } from 'snarkjs';
import { ProofRejectedError } from './errors.ts';
import { getCurve, loadProofPoints } from './curve.ts';
import type { CurveProof } from './curve.ts';
import { MEMBERSHIP_PUBLIC_SIGNAL_COUNT, membershipSignalsFromArray } from './membership-signals.ts';
import type { MembershipPublicSignals } from './membership-signals.ts';
import { pairingHolds } from './pairing.ts';
import { parseProof, parsePublicSignals, requireVerificationKey } from './proof-format.ts';
import type { ParsedProof } from './proof-format.ts';
import { isMembershipVerificationKey, requireKeyDepth } from './membership-key.ts';
import type { KnownRoot, MembershipKeyRing, MembershipVerificationKey } from './membership-key.ts';

export { pairingHolds } from './pairing.ts';

/** A key with its depth, or a bare snarkjs key (depth unknown: only bare roots can be checked with it). */
export type MembershipKeyInput = MembershipVerificationKey | Groth16VerificationKeyJson;

export interface MembershipExpectations {
  /**
   * The pinned snapshot root, or the recent roots the census still accepts; each either
   * with the depth of its tree (checked against the key's depth) or bare.
   */
  roots: bigint | KnownRoot | Iterable<bigint | KnownRoot>;
  /** The scope the proof must be for (a proposal, a rating subject and period, a challenge). */
  scope: bigint;
  /** When set, the message the proof must be bound to (a fee proof's challenge). */
  message?: bigint;
  /** When set, the attribute the proof must carry (a paid-set period id). */
  attribute?: bigint;
  /** Called once the proof passed the cheap checks; true rejects with NULLIFIER_USED. */
  isNullifierUsed?: (nullifier: bigint, scope: bigint) => boolean | Promise<boolean>;
}

/** What a caller receives for a proof that passed every check. */
export type VerifiedMembership = MembershipPublicSignals;

/** Expectations whose roots all name their depth, so the key can be chosen by it. */
export interface DepthExpectations extends Omit<MembershipExpectations, 'roots'> {
  roots: KnownRoot | Iterable<KnownRoot>;
}

/** A proof verified with the key of its root's depth. */
export interface VerifiedMembershipAtDepth extends VerifiedMembership {
  depth: number;
  instance: string;
}

/**
 * A proof that passed every check before the curve arithmetic (key, signals, proof shape
 * and coordinate ranges, root, scope, message, attribute). Its points are still to be
 * checked (`loadProofPoints`), then its pairing: the ballot verifier's worker thread does
 * both, so the request thread does no curve arithmetic.
 */
export interface SignalCheckedProof {
  signals: MembershipPublicSignals;
  signalValues: bigint[];
  parsedProof: ParsedProof;
  proof: Groth16ProofJson;
  publicSignals: readonly string[];
}

/** A proof that passed every check but the pairing, ready for one or many pairings. */
export interface CheckedProof extends SignalCheckedProof {
  points: CurveProof;
}

/**
 * Verifies one membership proof and returns its public signals, or throws
 * ProofRejectedError with the first reason it fails.
 */
export async function verifyMembershipProof(
  key: MembershipKeyInput,
  proof: unknown,
  publicSignals: unknown,
  expectations: MembershipExpectations,
): Promise<VerifiedMembership> {
  const checked = await checkMembershipProof(key, proof, publicSignals, expectations);
  if (!(await pairingHolds(bareKey(key), checked))) {
    throw new ProofRejectedError('INVALID_PROOF', 'the proof does not verify against the verification key');
  }
  return checked.signals;
}

/**
 * Verifies a proof with the key, from `keys`, of the depth its root is known at: the census
 * passes its active key for each depth and its roots with their depths. NO_KEY_FOR_DEPTH
 * when the ring has no key for that depth.
 */
export async function verifyMembershipProofWithKeys(
  keys: MembershipKeyRing,
  proof: unknown,
  publicSignals: unknown,
  expectations: DepthExpectations,
): Promise<VerifiedMembershipAtDepth> {
  const [, root] = parsePublicSignals(publicSignals, MEMBERSHIP_PUBLIC_SIGNAL_COUNT);
  // Read once: `roots` may be a one-shot iterator.
  const roots = rootList(expectations.roots) as KnownRoot[];
  const known = roots.find((candidate) => candidate.root === root);
  if (!known) throw new ProofRejectedError('ROOT_UNKNOWN', 'root is neither the pinned root nor a known recent root');
  const key = keys.get(known.depth);
  if (!key) throw new ProofRejectedError('NO_KEY_FOR_DEPTH', `no verification key for depth ${known.depth}, the depth of the proof's root`);
  const signals = await verifyMembershipProof(key, proof, publicSignals, { ...expectations, roots });
  return { ...signals, depth: key.depth, instance: key.instance };
}

/** The snarkjs key inside a key with depth, or the bare key itself. */
export function bareKey(key: MembershipKeyInput): Groth16VerificationKeyJson {
  return isMembershipVerificationKey(key) ? key.verificationKey : key;
}

/** Every check except the pairing. */
export async function checkMembershipProof(
  key: MembershipKeyInput,
  proof: unknown,
  publicSignals: unknown,
  expectations: MembershipExpectations,
): Promise<CheckedProof> {
  const checked = checkMembershipSignals(key, proof, publicSignals, expectations);
  const points = loadProofPoints(await getCurve(), checked.parsedProof);
  if (expectations.isNullifierUsed && (await expectations.isNullifierUsed(checked.signals.nullifier, checked.signals.scope))) {
    throw new ProofRejectedError('NULLIFIER_USED', 'nullifier already used');
  }
  return { ...checked, points };
}

/**
 * Every check before the curve arithmetic, in the order above; the points and the
 * nullifier are the caller's to check next (`checkMembershipProof` does both).
 */
export function checkMembershipSignals(
  key: MembershipKeyInput,
  proof: unknown,
  publicSignals: unknown,
  expectations: Omit<MembershipExpectations, 'isNullifierUsed'>,
): SignalCheckedProof {
  const keyDepth = isMembershipVerificationKey(key) ? requireKeyDepth(key) : undefined;
  requireVerificationKey(bareKey(key), MEMBERSHIP_PUBLIC_SIGNAL_COUNT);
  const signalValues = parsePublicSignals(publicSignals, MEMBERSHIP_PUBLIC_SIGNAL_COUNT);
  const parsedProof = parseProof(proof);
  const signals = membershipSignalsFromArray(signalValues);
  checkExpectations(signals, expectations, keyDepth);
  return { signals, signalValues, parsedProof, proof: proof as Groth16ProofJson, publicSignals: publicSignals as string[] };
}


/** The expected roots as a list, whatever form they were given in. */
export function rootList(roots: MembershipExpectations['roots']): Array<bigint | KnownRoot> {
  if (typeof roots === 'bigint') return [roots];
  return Symbol.iterator in roots ? [...(roots as Iterable<bigint | KnownRoot>)] : [roots as KnownRoot];
}

/**
 * The proof's root must be known; when it is known with a depth, that depth must be the
 * key's. A bare key cannot vouch for a root that names its depth.
 */
export function checkRoot(root: bigint, roots: MembershipExpectations['roots'], keyDepth: number | undefined): void {
  const matches = rootList(roots).filter((candidate) => (typeof candidate === 'bigint' ? candidate : candidate.root) === root);
  if (matches.length === 0) throw new ProofRejectedError('ROOT_UNKNOWN', 'root is neither the pinned root nor a known recent root');
  const depths = matches.flatMap((candidate) => (typeof candidate === 'bigint' ? [] : [candidate.depth]));
  if (depths.length < matches.length) return; // a bare root: the caller vouches for it with this key
  if (keyDepth === undefined) {
    throw new ProofRejectedError('VERIFICATION_KEY_INVALID', `the root is known at depth ${depths[0]} but the key names no depth`);
  }
  if (!depths.includes(keyDepth)) {
    throw new ProofRejectedError('DEPTH_MISMATCH', `the root is the root of a depth-${depths[0]} tree, the key is for depth ${keyDepth}`);
  }
}

function checkExpectations(signals: MembershipPublicSignals, expectations: Omit<MembershipExpectations, 'isNullifierUsed'>, keyDepth: number | undefined): void {
  checkRoot(signals.root, expectations.roots, keyDepth);
  if (signals.scope !== expectations.scope) throw new ProofRejectedError('SCOPE_MISMATCH', 'the proof is for another scope');
  if (expectations.message !== undefined && signals.message !== expectations.message) {
    throw new ProofRejectedError('MESSAGE_MISMATCH', 'the proof is bound to another message');
  }
  if (expectations.attribute !== undefined && signals.attribute !== expectations.attribute) {
    throw new ProofRejectedError('ATTRIBUTE_MISMATCH', 'the proof carries another attribute');
  }
}
