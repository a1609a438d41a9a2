/**
 * Non-interactive proofs that one secret s links several pairs: P_i = s · B_i for every
 * statement (B_i, P_i). One pair is a Schnorr proof of knowledge; two pairs with bases
 * G and C1 are Chaum–Pedersen's proof that a partial decryption used the trustee's key.
 *
 *   prove:  w random in [1, l); A_i = w · B_i; c = H(context, B_1, P_1, …, B_n, P_n, X_1, …, X_m, A_1, …, A_n); z = w + c·s mod l
 *   verify: A_i = z · B_i − c · P_i; accept when H(...) with these A_i equals c
 *
 * X_1 … X_m are further public points bound into the challenge without a statement about
 * them (the rest of a ciphertext). The proof is the pair (c, z), both in [0, l). H is `challengeScalar` with a label per
 * proof kind, so a proof of one kind is never a proof of another.
 */
import { modL, multiply, multiplyPublic, randomScalar, requireScalar, scalarFromJson, scalarToJson, type CurvePoint, type ScalarJson } from './baby-jubjub.ts';
import { challengeScalar, type ChallengeLabel } from './challenge-hash.ts';

export interface DiscreteLogStatement {
  base: CurvePoint;
  result: CurvePoint;
}

export interface EqualDiscreteLogProof {
  challenge: bigint;
  response: bigint;
}

export interface EqualDiscreteLogProofJson {
  challenge: ScalarJson;
  response: ScalarJson;
}

/** The hashed points: B_1, P_1, …, B_n, P_n, then the bound points, then A_1, …, A_n. */
function transcript(statements: readonly DiscreteLogStatement[], boundPoints: readonly CurvePoint[], commitments: readonly CurvePoint[]): CurvePoint[] {
  return [...statements.flatMap(({ base, result }) => [base, result]), ...boundPoints, ...commitments];
}

export function proveEqualDiscreteLogs(
  label: ChallengeLabel, context: string, statements: readonly DiscreteLogStatement[], secret: bigint, boundPoints: readonly CurvePoint[] = [],
): EqualDiscreteLogProof {
  requireScalar('secret', secret);
  const nonce = randomScalar();
  const commitments = statements.map(({ base }) => multiply(base, nonce));
  const challenge = challengeScalar(label, context, transcript(statements, boundPoints, commitments));
  return { challenge, response: modL(nonce + challenge * secret) };
}

/** True when the proof verifies; the statements' points must already be validated. */
export function verifyEqualDiscreteLogs(
  label: ChallengeLabel, context: string, statements: readonly DiscreteLogStatement[], proof: EqualDiscreteLogProof, boundPoints: readonly CurvePoint[] = [],
): boolean {
  const { challenge, response } = proof;
  requireScalar('proof challenge', challenge, true);
  requireScalar('proof response', response, true);
  const commitments = statements.map(({ base, result }) => multiplyPublic(base, response).subtract(multiplyPublic(result, challenge)));
  return challengeScalar(label, context, transcript(statements, boundPoints, commitments)) === challenge;
}

export function proofToJson(proof: EqualDiscreteLogProof): EqualDiscreteLogProofJson {
  return { challenge: scalarToJson(proof.challenge), response: scalarToJson(proof.response) };
}

export function proofFromJson(name: string, value: unknown): EqualDiscreteLogProof {
  const { challenge, response } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  return { challenge: scalarFromJson(`${name}.challenge`, challenge, true), response: scalarFromJson(`${name}.response`, response, true) };
}
