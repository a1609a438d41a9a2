import { DomainError } from '../domain-error.ts';

/**
 * Why a fee proof was refused. The proof-level codes are the census's and the zk
 * library's (ROOT_UNKNOWN, INVALID_PROOF, SCOPE_MISMATCH, MESSAGE_MISMATCH,
 * PUBLIC_SIGNAL_*, PROOF_*, NO_KEY_FOR_DEPTH, NO_ACTIVE_VERIFICATION_KEY); the
 * challenge's own are:
 *
 *   CHALLENGE_USED     a proof already answered this challenge
 *   CHALLENGE_EXPIRED  the challenge's expiry has passed
 *   WRONG_PERIOD       the proof's attribute is another period's number
 */
export type FeeProofChallengeCode = 'CHALLENGE_USED' | 'CHALLENGE_EXPIRED' | 'WRONG_PERIOD';

export class FeeProofRejectedError extends DomainError {
  readonly challengeId: string;

  constructor(code: string, challengeId: string, message: string) {
    super(code, `Failed to accept fee proof: ${message}`);
    this.challengeId = challengeId;
  }
}
