/**
 * Threshold decryption of the per-option sums. Trustee i publishes, for each ciphertext
 * (C1, C2), its partial decryption D_i = s_i · C1 with a Chaum–Pedersen proof that
 * log_G(Y_i) = log_{C1}(D_i), Y_i being its public share from the key record. Anyone
 * checks the proofs and combines any k valid partials with Lagrange coefficients at 0:
 *
 *   s · C1 = Σ_{i∈S} λ_i · D_i,   λ_i = Π_{j∈S, j≠i} j / (j − i)  (mod l)
 *   m · G  = C2 − s · C1
 *
 * and recovers m by the bounded discrete logarithm. A partial alone is s_i · C1, not
 * s · C1: one trustee learns nothing about any weight (see the tests).
 *
 * The proof's challenge hashes (label "partial-decryption", context
 * "<electionId>/trustee/<i>/ciphertext/<index>") the points G, Y_i, C1, D_i, then C2
 * (bound, so a proof is for one whole ciphertext), then the commitments w·G, w·C1: see
 * challenge-hash.ts for the bytes.
 */
import { BASE8, IDENTITY, modL, multiply, multiplyPublic, pointFromJson, pointToJson, SUBGROUP_ORDER, type CurvePoint, type PointJson } from './baby-jubjub.ts';
import type { DiscreteLogTable } from './discrete-log.ts';
import type { Ciphertext } from './elgamal.ts';
import { EncryptedWeightError } from './encrypted-weight-errors.ts';
import { parseElectionKeyRecord, type ElectionKeyRecord, type ParsedElectionKey, type TrusteeKeyShare } from './election-key.ts';
import {
  proofFromJson, proofToJson, proveEqualDiscreteLogs, verifyEqualDiscreteLogs, type DiscreteLogStatement, type EqualDiscreteLogProofJson,
} from './equal-discrete-log-proof.ts';

/** A decryption covers at most this many ciphertexts (one per option; MAX_CHOICE_OPTIONS + abstain is 21). */
export const MAX_CIPHERTEXTS_PER_DECRYPTION = 64;

export interface PartialDecryptionJson {
  /** D_i = s_i · C1. */
  share: PointJson;
  proof: EqualDiscreteLogProofJson;
}

/** One trustee's partial decryption of the tally: a ledger entry. */
export interface PartialDecryptionMessage {
  type: 'partial-decryption';
  electionId: string;
  trustee: number;
  /** partials[index] decrypts ciphertexts[index]. */
  partials: PartialDecryptionJson[];
}

const decryptionContext = (electionId: string, trustee: number, index: number) => `${electionId}/trustee/${trustee}/ciphertext/${index}`;

/** The statement proven: (G, Y_i) and (C1, D_i) share the secret s_i. */
function statements(verificationKey: CurvePoint, ciphertext: Ciphertext, share: CurvePoint): DiscreteLogStatement[] {
  return [{ base: BASE8, result: verificationKey }, { base: ciphertext.c1, result: share }];
}

function requireCiphertextCount(ciphertexts: readonly Ciphertext[]): void {
  if (ciphertexts.length < 1 || ciphertexts.length > MAX_CIPHERTEXTS_PER_DECRYPTION) {
    throw new EncryptedWeightError('PARTIAL_DECRYPTION_INVALID', `Invalid ciphertexts: 1 to ${MAX_CIPHERTEXTS_PER_DECRYPTION} per decryption`);
  }
}

/** Trustee i's partial decryption of each ciphertext, with proofs. */
export function partiallyDecrypt(keyShare: TrusteeKeyShare, ciphertexts: readonly Ciphertext[]): PartialDecryptionMessage {
  requireCiphertextCount(ciphertexts);
  const verificationKey = multiply(BASE8, keyShare.secretShare);
  const partials = ciphertexts.map((ciphertext, index) => {
    const share = multiply(ciphertext.c1, keyShare.secretShare);
    const proof = proveEqualDiscreteLogs('partial-decryption', decryptionContext(keyShare.electionId, keyShare.trustee, index),
      statements(verificationKey, ciphertext, share), keyShare.secretShare, [ciphertext.c2]);
    return { share: pointToJson(share), proof: proofToJson(proof) };
  });
  return { type: 'partial-decryption', electionId: keyShare.electionId, trustee: keyShare.trustee, partials };
}

function invalidPartial(message: string): EncryptedWeightError {
  return new EncryptedWeightError('PARTIAL_DECRYPTION_INVALID', `Invalid partial decryption: ${message}`);
}

/**
 * Checks a partial decryption against the key record and the ciphertexts; returns the
 * partial points D_i. A wrong proof is DECRYPTION_PROOF_INVALID.
 */
export function verifyPartialDecryption(key: ElectionKeyRecord | ParsedElectionKey, ciphertexts: readonly Ciphertext[], message: PartialDecryptionMessage): CurvePoint[] {
  const parsed = 'type' in key ? parseElectionKeyRecord(key) : key;
  requireCiphertextCount(ciphertexts);
  if (message.type !== 'partial-decryption' || message.electionId !== parsed.electionId) throw invalidPartial('not for this election');
  const { trustee } = message;
  if (!Number.isInteger(trustee) || trustee < 1 || trustee > parsed.trusteeCount) throw invalidPartial(`trustee must be 1 to ${parsed.trusteeCount}`);
  if (!Array.isArray(message.partials) || message.partials.length !== ciphertexts.length) throw invalidPartial('one partial per ciphertext');
  const verificationKey = parsed.verificationKeys[trustee - 1]!;
  return message.partials.map((partial, index) => {
    const share = pointFromJson(`partials[${index}].share`, partial?.share, true);
    const proof = proofFromJson(`partials[${index}].proof`, partial?.proof);
    const ciphertext = ciphertexts[index]!;
    if (!verifyEqualDiscreteLogs('partial-decryption', decryptionContext(parsed.electionId, trustee, index), statements(verificationKey, ciphertext, share), proof, [ciphertext.c2])) {
      throw new EncryptedWeightError('DECRYPTION_PROOF_INVALID', `Invalid partial decryption: trustee ${trustee}'s proof for ciphertext ${index} does not verify`);
    }
    return share;
  });
}

/** λ_i for interpolation at 0 over the trustee numbers `indices` (mod l). */
export function lagrangeCoefficientAtZero(index: number, indices: readonly number[]): bigint {
  let numerator = 1n;
  let denominator = 1n;
  for (const other of indices) {
    if (other === index) continue;
    numerator = modL(numerator * BigInt(other));
    denominator = modL(denominator * BigInt(other - index));
  }
  return modL(numerator * modPow(denominator, SUBGROUP_ORDER - 2n));
}

function modPow(base: bigint, exponent: bigint): bigint {
  let result = 1n;
  let square = modL(base);
  for (let remaining = exponent; remaining > 0n; remaining >>= 1n) {
    if (remaining & 1n) result = modL(result * square);
    square = modL(square * square);
  }
  return result;
}

/**
 * Verifies the partial decryptions and combines the first k of them (by trustee number)
 * into m · G for each ciphertext. Fewer than k distinct trustees is NOT_ENOUGH_PARTIALS;
 * a repeated trustee is PARTIAL_DECRYPTION_INVALID; a bad proof is DECRYPTION_PROOF_INVALID.
 */
export function combinePartialDecryptions(record: ElectionKeyRecord, ciphertexts: readonly Ciphertext[], messages: readonly PartialDecryptionMessage[]): CurvePoint[] {
  const key = parseElectionKeyRecord(record);
  const trustees = messages.map((message) => message.trustee);
  if (new Set(trustees).size !== trustees.length) throw invalidPartial('a trustee appears twice');
  if (messages.length < key.threshold) {
    throw new EncryptedWeightError('NOT_ENOUGH_PARTIALS', `Failed to decrypt: ${messages.length} partial decryptions, ${key.threshold} needed`);
  }
  const verified = messages.map((message) => ({ trustee: message.trustee, shares: verifyPartialDecryption(key, ciphertexts, message) }))
    .sort((a, b) => a.trustee - b.trustee)
    .slice(0, key.threshold);
  const indices = verified.map(({ trustee }) => trustee);
  const lambdas = verified.map(({ trustee }) => lagrangeCoefficientAtZero(trustee, indices));
  return ciphertexts.map((ciphertext, index) => {
    const secretTimesC1 = verified.reduce((sum, { shares }, position) => sum.add(multiplyPublic(shares[index]!, lambdas[position]!)), IDENTITY);
    return ciphertext.c2.subtract(secretTimesC1);
  });
}

/** The decrypted weights: combine the partials, then the bounded discrete logarithm of each. */
export function decryptTally(record: ElectionKeyRecord, ciphertexts: readonly Ciphertext[], messages: readonly PartialDecryptionMessage[], table: DiscreteLogTable): bigint[] {
  return combinePartialDecryptions(record, ciphertexts, messages).map((point) => table.solve(point));
}
