/**
 * Why an encrypted-weight operation is refused: a bad point or scalar, a bad message of
 * the election-key generation, a bad partial decryption or too few of them. Each is a
 * DomainError with a stable code, so the API can return it as a typed error.
 */
import { DomainError } from '../../domain-error.ts';

export type EncryptedWeightErrorCode =
  /** Not an object with canonical decimal coordinates below the base-field modulus. */
  | 'POINT_MALFORMED'
  /** The coordinates do not satisfy the Baby Jubjub equation. */
  | 'POINT_NOT_ON_CURVE'
  /** On the curve but not in the prime-order subgroup (a small-order or mixed point). */
  | 'POINT_NOT_IN_SUBGROUP'
  /** The identity where a key or commitment is needed. */
  | 'POINT_IS_IDENTITY'
  /** A scalar that is not a canonical decimal in its range (a secret in [1, l), a proof value in [0, l)). */
  | 'SCALAR_OUT_OF_RANGE'
  /** A weight to encrypt outside [0, MAX_ENCRYPTED_WEIGHT]. */
  | 'WEIGHT_OUT_OF_RANGE'
  /** Key-generation parameters out of range: threshold, trustee count, election id. */
  | 'INVALID_KEY_PARAMETERS'
  /** A key-generation message of the wrong shape, election or sender, or a round incomplete. */
  | 'DKG_MESSAGE_INVALID'
  /** A dealer's proof of knowledge of its secret does not verify. */
  | 'DKG_PROOF_INVALID'
  /** A complaint whose proof of the revealed shared key does not verify. */
  | 'COMPLAINT_INVALID'
  /** Fewer dealers than the threshold survived the complaints. */
  | 'NOT_ENOUGH_QUALIFIED_DEALERS'
  /** A partial decryption for another election, an unknown trustee, a repeated trustee or the wrong count. */
  | 'PARTIAL_DECRYPTION_INVALID'
  /** A partial decryption's Chaum–Pedersen proof does not verify against the trustee's public share. */
  | 'DECRYPTION_PROOF_INVALID'
  /** Fewer valid partial decryptions than the threshold. */
  | 'NOT_ENOUGH_PARTIALS'
  /** The discrete-log bound is above MAX_DISCRETE_LOG_BOUND. */
  | 'DISCRETE_LOG_BOUND_TOO_LARGE'
  /** The decrypted point is not m·G for any m in [0, bound]. */
  | 'DISCRETE_LOG_OUT_OF_RANGE';

export class EncryptedWeightError extends DomainError {
  declare readonly code: EncryptedWeightErrorCode;

  constructor(code: EncryptedWeightErrorCode, message: string) {
    super(code, message);
  }
}
