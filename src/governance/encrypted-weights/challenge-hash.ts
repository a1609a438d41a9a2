/**
 * The Fiat–Shamir challenge of every proof here: RFC 9380 hash_to_field with
 * expand_message_xmd over SHA-256, security parameter k = 128 (48 bytes reduced modulo
 * l, statistically uniform), one field element, and a domain-separation tag per proof
 * kind. The message encodes every public input with fixed widths:
 *
 *   I2OSP(len(context), 4) ‖ context (UTF-8) ‖ I2OSP(count, 4) ‖ for each point: I2OSP(x, 32) ‖ I2OSP(y, 32)
 *
 * where context names the election and the prover (see each caller) and the points are
 * the statement and the prover's commitments, in the order each caller documents.
 * Anyone re-implementing verification (a regulator's tool, the bundle verifier) must
 * reproduce these bytes exactly; docs/governance.md repeats the recipe.
 */
import { hash_to_field } from '@noble/curves/abstract/hash-to-curve.js';
import { numberToBytesBE } from '@noble/curves/utils.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes } from '@noble/hashes/utils.js';
import { SUBGROUP_ORDER, type CurvePoint } from './baby-jubjub.ts';

/** Prefix of every domain-separation tag; the proof kind follows, e.g. "…/v1/partial-decryption". */
export const CHALLENGE_DST_PREFIX = 'courtyard/encrypted-weights/v1/';

export type ChallengeLabel = 'dealer-proof-of-knowledge' | 'partial-decryption' | 'complaint-shared-key';

export function encodeChallengeInput(context: string, points: readonly CurvePoint[]): Uint8Array {
  const contextBytes = new TextEncoder().encode(context);
  const parts: Uint8Array[] = [numberToBytesBE(contextBytes.length, 4), contextBytes, numberToBytesBE(points.length, 4)];
  for (const point of points) {
    const { x, y } = point.toAffine();
    parts.push(numberToBytesBE(x, 32), numberToBytesBE(y, 32));
  }
  return concatBytes(...parts);
}

export function challengeScalar(label: ChallengeLabel, context: string, points: readonly CurvePoint[]): bigint {
  const [[challenge]] = hash_to_field(encodeChallengeInput(context, points), 1, {
    DST: CHALLENGE_DST_PREFIX + label,
    p: SUBGROUP_ORDER,
    m: 1,
    k: 128,
    expand: 'xmd',
    hash: sha256,
  }) as [[bigint]];
  return challenge;
}
