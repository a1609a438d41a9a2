/**
 * Why a census operation or a membership proof is refused. Each is a DomainError with a
 * stable code, so the API returns it as a typed error and writes nothing.
 */
import { DomainError } from '../domain-error.ts';
import type { ProofRejectionCode } from '../zk/errors.ts';

export type CensusErrorCode =
  /** The identity commitment is not a canonical decimal field element in [1, r). */
  | 'INVALID_COMMITMENT'
  /** The commitment is already a leaf of this census (active or removed: identities are not reused). */
  | 'COMMITMENT_IN_USE'
  /** No invite has this code. */
  | 'INVITE_UNKNOWN'
  | 'INVITE_USED'
  | 'INVITE_EXPIRED'
  /** The invite is for another owner account, or for a household the caller is not a member of. */
  | 'INVITE_NOT_FOR_CALLER'
  /** The owner or household already has an active leaf in this census. */
  | 'ALREADY_MEMBER'
  /** The leaf index names no active member. */
  | 'NOT_A_MEMBER'
  /** The owner holds no unit in the community, so has no weight. */
  | 'NOT_AN_OWNER'
  /** The census holds as many leaves as the deepest declared tree (2^20): it cannot grow further. */
  | 'CENSUS_FULL'
  /** The community has no active verification key, so no proof can verify. */
  | 'NO_ACTIVE_VERIFICATION_KEY';

export class CensusError extends DomainError {
  constructor(code: CensusErrorCode, message: string) {
    super(code, message);
  }
}

/** A membership proof refused by the strict verifier; `code` is the verifier's reason. */
export class MembershipProofRejectedError extends DomainError {
  constructor(code: ProofRejectionCode, message: string) {
    super(code, message);
  }
}
