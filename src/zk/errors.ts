/**
 * Why a proof is refused. The codes are machine-readable and stable: the GraphQL layer
 * maps them to typed errors in one place, and clients act on them.
 */
export type ProofRejectionCode =
  /** The public-signal array has the wrong length (snarkjs itself does not check this). */
  | 'PUBLIC_SIGNAL_COUNT'
  /** A public signal is not a canonical decimal string. */
  | 'PUBLIC_SIGNAL_MALFORMED'
  /** A public signal is not below the scalar-field modulus r. */
  | 'PUBLIC_SIGNAL_OUT_OF_FIELD'
  /** The proof object does not have the Groth16/BN254 shape, or a coordinate is not below q. */
  | 'PROOF_MALFORMED'
  /** A proof point is not on the curve, is the point at infinity, or is outside the subgroup. */
  | 'PROOF_POINT_INVALID'
  /** The proof's root is neither the pinned snapshot root nor a known recent root. */
  | 'ROOT_UNKNOWN'
  /**
   * The proof's root is known, but as the root of a tree of another depth than the
   * verification key's circuit: the proof must be made, and checked, at its root's depth.
   */
  | 'DEPTH_MISMATCH'
  /** No verification key is available for the depth of the proof's root. */
  | 'NO_KEY_FOR_DEPTH'
  | 'SCOPE_MISMATCH'
  | 'MESSAGE_MISMATCH'
  | 'ATTRIBUTE_MISMATCH'
  /** An encrypted-weight ballot encrypts under another key than the proposal's election key. */
  | 'ELECTION_KEY_MISMATCH'
  /** The nullifier was already used in this scope. */
  | 'NULLIFIER_USED'
  /** The verification key is not a Groth16 BN254 key for this circuit. */
  | 'VERIFICATION_KEY_INVALID'
  /** The pairing check failed: the proof is not valid for these public signals. */
  | 'INVALID_PROOF';

export class ProofRejectedError extends Error {
  override readonly name = 'ProofRejectedError';
  readonly code: ProofRejectionCode;

  constructor(code: ProofRejectionCode, detail: string) {
    super(`Failed to verify proof: ${detail}`);
    this.code = code;
  }
}

/** A bad argument to a zk function (a secret out of range, a tree that is full...). */
export class ZkInputError extends Error {
  override readonly name = 'ZkInputError';
  readonly code: 'INVALID_INPUT' | 'TREE_FULL' | 'LEAF_INDEX_OUT_OF_RANGE' | 'DEPTH_MISMATCH' | 'DEPTH_NOT_DECLARED';

  constructor(code: ZkInputError['code'], message: string) {
    super(message);
    this.code = code;
  }
}
