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
  const all = loaded.length > 1 && (await batchPairingHolds(verificationKey, loaded.map((entry) => entry.proof)));
  for (const { position, proof } of loaded) verdicts[position] = { holds: all || (await pairingHolds(verificationKey, proof)) };
  return verdicts as PointsAndPairingVerdict[];
}

/** The error a rejected verdict stands for, with the message it was raised with. */
export function rejectionOf(rejected: { code: ProofRejectionCode; message: string }): ProofRejectedError {
  return Object.assign(new ProofRejectedError(rejected.code, ''), { message: rejected.message });
}

/** One multi-pairing for all `proofs`; true when, with overwhelming probability, each is valid. */
export async function batchPairingHolds(verificationKey: Groth16VerificationKeyJson, proofs: readonly CheckedProof[]): Promise<boolean> {
  const curve = await getCurve();
  const { G1 } = curve;
  const scalars = proofs.map(() => randomScalar());
  const scalarSum = scalars.reduce((sum, scalar) => sum + scalar, 0n) % SNARK_SCALAR_FIELD;

  // sum_i r_i L_i, folded into one coefficient per IC point.
  const icCoefficients = [scalarSum];
  for (let signal = 0; signal < MEMBERSHIP_PUBLIC_SIGNAL_COUNT; signal++) {
    let coefficient = 0n;
    proofs.forEach((proof, index) => (coefficient += scalars[index]! * proof.signalValues[signal]!));
    icCoefficients.push(coefficient % SNARK_SCALAR_FIELD);
  }
  const icPoints = verificationKey.IC.map((point) => G1.fromObject(point.map(BigInt)));
  const combinedInputs = await G1.multiExpAffine(concatenate(icPoints), concatenate(icCoefficients.map((value) => littleEndian(value, 32))));

  const combinedC = await G1.multiExpAffine(
    concatenate(proofs.map((proof) => proof.points.c)),
    concatenate(scalars.map((value) => littleEndian(value, RANDOM_SCALAR_BYTES))),
  );
  const pairs: Uint8Array[] = [];
  proofs.forEach((proof, index) => pairs.push(G1.neg(G1.timesScalar(proof.points.a, scalars[index]!)), proof.points.b));
  pairs.push(
    G1.timesScalar(G1.fromObject(verificationKey.vk_alpha_1.map(BigInt)), scalarSum), g2Point(curve, verificationKey.vk_beta_2),
    combinedInputs, g2Point(curve, verificationKey.vk_gamma_2),
    combinedC, g2Point(curve, verificationKey.vk_delta_2),
  );
  return curve.pairingEq(...pairs);
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

function littleEndian(value: bigint, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let remaining = value;
  for (let index = 0; index < length; index++) {
    bytes[index] = Number(remaining & 0xffn);
    remaining >>= 8n;
  }
  return bytes;
}

function concatenate(parts: readonly Uint8Array[]): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.byteLength, 0);
  const result = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    result.set(part, offset);
    offset += part.byteLength;
  }
  return result;
}
