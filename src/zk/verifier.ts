/**
 * Strict verification of membership proofs. Cheap checks come first and each failure
 * has its own code (see ./errors.ts); the pairing runs only for a proof that passed
 * all of them.
 *
 * Order: verification key shape → public-signal count, form and range (snarkjs does not
 * check the count) → proof shape and coordinate ranges → root, scope, message,
 * attribute → proof points on the curve and in the subgroup → nullifier unused →
 * pairing.
 *
 * Groth16 proofs are malleable (negating pi_a and pi_b gives another valid proof), so
 * the proof bytes must never identify a ballot or guard a replay: only the nullifier.
 * `isNullifierUsed` is an early rejection; the caller must still store the nullifier
 * under a uniqueness constraint, which is what decides under concurrency.
 */
import * as snarkjs from 'snarkjs';
import type { Groth16ProofJson, Groth16VerificationKeyJson } from 'snarkjs';
import { ProofRejectedError } from './errors.ts';
import { getCurve, loadProofPoints } from './curve.ts';
import type { CurveProof } from './curve.ts';
import { MEMBERSHIP_PUBLIC_SIGNAL_COUNT, membershipSignalsFromArray } from './membership-signals.ts';
import type { MembershipPublicSignals } from './membership-signals.ts';
import { parseProof, parsePublicSignals, requireVerificationKey } from './proof-format.ts';

export interface MembershipExpectations {
  /** The pinned snapshot root, or the recent roots the census still accepts. */
  roots: bigint | Iterable<bigint>;
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

/** A proof that passed every check but the pairing, ready for one or many pairings. */
export interface CheckedProof {
  signals: MembershipPublicSignals;
  signalValues: bigint[];
  points: CurveProof;
  proof: Groth16ProofJson;
  publicSignals: readonly string[];
}

/**
 * Verifies one membership proof and returns its public signals, or throws
 * ProofRejectedError with the first reason it fails.
 */
export async function verifyMembershipProof(
  verificationKey: Groth16VerificationKeyJson,
  proof: unknown,
  publicSignals: unknown,
  expectations: MembershipExpectations,
): Promise<VerifiedMembership> {
  const checked = await checkMembershipProof(verificationKey, proof, publicSignals, expectations);
  if (!(await pairingHolds(verificationKey, checked))) {
    throw new ProofRejectedError('INVALID_PROOF', 'the proof does not verify against the verification key');
  }
  return checked.signals;
}

/** Every check except the pairing. */
export async function checkMembershipProof(
  verificationKey: Groth16VerificationKeyJson,
  proof: unknown,
  publicSignals: unknown,
  expectations: MembershipExpectations,
): Promise<CheckedProof> {
  requireVerificationKey(verificationKey, MEMBERSHIP_PUBLIC_SIGNAL_COUNT);
  const signalValues = parsePublicSignals(publicSignals, MEMBERSHIP_PUBLIC_SIGNAL_COUNT);
  const parsedProof = parseProof(proof);
  const signals = membershipSignalsFromArray(signalValues);
  checkExpectations(signals, expectations);
  const points = loadProofPoints(await getCurve(), parsedProof);
  if (expectations.isNullifierUsed && (await expectations.isNullifierUsed(signals.nullifier, signals.scope))) {
    throw new ProofRejectedError('NULLIFIER_USED', 'nullifier already used');
  }
  return { signals, signalValues, points, proof: proof as Groth16ProofJson, publicSignals: publicSignals as string[] };
}

/** The Groth16 pairing check, by snarkjs itself, on inputs already checked. */
export async function pairingHolds(verificationKey: Groth16VerificationKeyJson, checked: CheckedProof): Promise<boolean> {
  return snarkjs.groth16.verify(verificationKey, checked.publicSignals, checked.proof);
}

function checkExpectations(signals: MembershipPublicSignals, expectations: MembershipExpectations): void {
  const roots = typeof expectations.roots === 'bigint' ? [expectations.roots] : expectations.roots;
  let rootKnown = false;
  for (const root of roots) if (root === signals.root) rootKnown = true;
  if (!rootKnown) throw new ProofRejectedError('ROOT_UNKNOWN', 'root is neither the pinned root nor a known recent root');
  if (signals.scope !== expectations.scope) throw new ProofRejectedError('SCOPE_MISMATCH', 'the proof is for another scope');
  if (expectations.message !== undefined && signals.message !== expectations.message) {
    throw new ProofRejectedError('MESSAGE_MISMATCH', 'the proof is bound to another message');
  }
  if (expectations.attribute !== undefined && signals.attribute !== expectations.attribute) {
    throw new ProofRejectedError('ATTRIBUTE_MISMATCH', 'the proof carries another attribute');
  }
}
