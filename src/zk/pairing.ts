/**
 * The pairing half of Groth16 verification, for proofs already through every cheap check
 * (./verifier.ts): one proof by snarkjs itself, or many in one multi-pairing by random
 * linear combination (the method is described in ./batch-verifier.ts).
 *
 * This module is what the ballot verifier's worker thread loads
 * (src/governance/pairing-worker.ts), so it must stay free of circomlibjs, here and in
 * everything it imports (hence only a type import from ./verifier.ts). circomlibjs loads
 * blake-hash, a native addon that keeps one JavaScript constructor reference in a C++
 * static and replaces it whenever a thread loads the addon: the replacement deletes the
 * reference of the thread that loaded it before, from the wrong thread or after that
 * thread is gone, and corrupts the process's heap. The process then dies of a glibc heap
 * assertion (SIGABRT) or SIGSEGV, usually when a worker thread exits.
 * test/governance/pairing-worker.test.ts checks that the worker loads no native addon.
 */
import * as snarkjs from 'snarkjs';
import type { Curve, Groth16VerificationKeyJson } from 'snarkjs';
import { SNARK_SCALAR_FIELD } from './field.ts';
import { getCurve, loadProofPoints } from './curve.ts';
import { ProofRejectedError, type ProofRejectionCode } from './errors.ts';
import { MEMBERSHIP_PUBLIC_SIGNAL_COUNT } from './membership-signals.ts';
import type { CheckedProof, SignalCheckedProof } from './verifier.ts';

const RANDOM_SCALAR_BYTES = 16;

/** The Groth16 pairing check, by snarkjs itself, on inputs already checked. */
export async function pairingHolds(verificationKey: Groth16VerificationKeyJson, checked: CheckedProof): Promise<boolean> {
  return snarkjs.groth16.verify(verificationKey, checked.publicSignals, checked.proof);
}

/** The outcome for one proof: its pairing, or the rejection of its points (which then take no part in any pairing). */
export type PointsAndPairingVerdict = { holds: boolean } | { rejected: { code: ProofRejectionCode; message: string } };

/**
 * The last two checks of proofs through every earlier one: each proof's points (on the
 * curve, not the identity, B in the prime-order subgroup: `loadProofPoints`), then one
 * multi-pairing for those whose points are valid, and one pairing each only when the
 * multi-pairing fails. One verdict per proof, in order.
 */
export async function pointsAndPairings(
  verificationKey: Groth16VerificationKeyJson,
  proofs: readonly SignalCheckedProof[],
): Promise<PointsAndPairingVerdict[]> {
  const curve = await getCurve();
  const verdicts: Array<PointsAndPairingVerdict | undefined> = [];
  const loaded: Array<{ position: number; proof: CheckedProof }> = [];
  for (const [position, proof] of proofs.entries()) {
    try {
      loaded.push({ position, proof: { ...proof, points: loadProofPoints(curve, proof.parsedProof) } });
      verdicts.push(undefined);
    } catch (error) {
      if (!(error instanceof ProofRejectedError)) throw error;
      verdicts.push({ rejected: { code: error.code, message: error.message } });
    }
  }
  // A lone proof too: n + 3 Miller loops with the key's G2 points prepared once cost less than snarkjs's verify.
  const all = loaded.length > 0 && (await batchPairingHolds(verificationKey, loaded.map((entry) => entry.proof)));
  for (const { position, proof } of loaded) verdicts[position] = { holds: all || (await pairingHolds(verificationKey, proof)) };
  return verdicts as PointsAndPairingVerdict[];
}

/** The error a rejected verdict stands for, with the message it was raised with. */
export function rejectionOf(rejected: { code: ProofRejectionCode; message: string }): ProofRejectedError {
  return Object.assign(new ProofRejectedError(rejected.code, ''), { message: rejected.message });
}

/**
 * A verification key's fixed points, decoded once: alpha and the IC points in G1, and beta,
 * gamma and delta prepared for the Miller loop (their line coefficients), which every
 * multi-pairing of the key would otherwise recompute.
 */
interface PreparedKey {
  alpha: Uint8Array;
  icPoints: Uint8Array[];
  beta: Uint8Array;
  gamma: Uint8Array;
  delta: Uint8Array;
}

/** Keys seen by this thread (a handful: one per circuit instance); cleared when it grows past the limit. */
const preparedKeys = new Map<string, PreparedKey>();
const MAX_PREPARED_KEYS = 32;

function preparedKey(curve: Curve, key: Groth16VerificationKeyJson): PreparedKey {
  const id = JSON.stringify([key.vk_alpha_1, key.vk_beta_2, key.vk_gamma_2, key.vk_delta_2, key.IC]);
  let prepared = preparedKeys.get(id);
  if (!prepared) {
    const prepareG2 = (point: string[][]) => curve.prepareG2(curve.G2.toJacobian(g2Point(curve, point)));
    prepared = {
      alpha: curve.G1.fromObject(key.vk_alpha_1.map(BigInt)),
      icPoints: key.IC.map((point) => curve.G1.fromObject(point.map(BigInt))),
      beta: prepareG2(key.vk_beta_2),
      gamma: prepareG2(key.vk_gamma_2),
      delta: prepareG2(key.vk_delta_2),
    };
    if (preparedKeys.size >= MAX_PREPARED_KEYS) preparedKeys.clear();
    preparedKeys.set(id, prepared);
  }
  return prepared;
}

/** One multi-pairing for all `proofs`; true when, with overwhelming probability, each is valid. */
export async function batchPairingHolds(verificationKey: Groth16VerificationKeyJson, proofs: readonly CheckedProof[]): Promise<boolean> {
  const curve = await getCurve();
  const { G1, G2, Gt } = curve;
  const key = preparedKey(curve, verificationKey);
  const scalars = proofs.map(() => randomScalar());
  const scalarSum = scalars.reduce((sum, scalar) => sum + scalar, 0n) % SNARK_SCALAR_FIELD;

  // sum_i r_i L_i, folded into one coefficient per IC point.
  const icCoefficients = [scalarSum];
  for (let signal = 0; signal < MEMBERSHIP_PUBLIC_SIGNAL_COUNT; signal++) {
    let coefficient = 0n;
    proofs.forEach((proof, index) => (coefficient += scalars[index]! * proof.signalValues[signal]!));
    icCoefficients.push(coefficient % SNARK_SCALAR_FIELD);
  }
  const combinedInputs = linearCombination(G1, key.icPoints, icCoefficients);
  const combinedC = linearCombination(G1, proofs.map((proof) => proof.points.c), scalars);
  // The product of the Miller loops, then one final exponentiation (as snarkjs's pairingEq,
  // but on this thread and with the key's G2 points prepared once).
  let product = Gt.one;
  const millerLoop = (g1: Uint8Array, preparedG2: Uint8Array) => {
    product = Gt.mul(product, curve.millerLoop(curve.prepareG1(G1.toJacobian(g1)), preparedG2));
  };
  proofs.forEach((proof, index) => millerLoop(G1.neg(G1.timesScalar(proof.points.a, scalars[index]!)), curve.prepareG2(G2.toJacobian(proof.points.b))));
  millerLoop(G1.timesScalar(key.alpha, scalarSum), key.beta);
  millerLoop(combinedInputs, key.gamma);
  millerLoop(combinedC, key.delta);
  return Gt.eq(curve.finalExponentiation(product), Gt.one);
}

/**
 * sum_i scalars_i · points_i, one scalar multiplication each: for the few points of a
 * ballot batch several times cheaper than snarkjs's multiExp, whose bucket set-up
 * dominates below a few dozen points.
 */
function linearCombination(G1: Curve['G1'], points: readonly Uint8Array[], scalars: readonly bigint[]): Uint8Array {
  let sum = G1.zero;
  points.forEach((point, index) => (sum = G1.add(sum, G1.timesScalar(point, scalars[index]!))));
  return sum;
}

function g2Point(curve: Curve, point: string[][]): Uint8Array {
  return curve.G2.fromObject(point.map((pair) => pair.map(BigInt)) as unknown as bigint[]);
}

/** A uniformly random non-zero 128-bit scalar from the platform's CSPRNG. */
function randomScalar(): bigint {
  for (;;) {
    const bytes = new Uint8Array(RANDOM_SCALAR_BYTES);
    globalThis.crypto.getRandomValues(bytes);
    let value = 0n;
    for (const byte of bytes) value = (value << 8n) | BigInt(byte);
    if (value !== 0n) return value;
  }
}
