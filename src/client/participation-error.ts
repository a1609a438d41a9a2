/** Why the device refuses to prove or submit, before anything is sent. */
export type CensusParticipationErrorCode =
  | 'CENSUS_INCOMPLETE'
  | 'NOT_IN_CENSUS'
  | 'ROOT_NOT_PINNED'
  | 'SCOPE_MISMATCH'
  | 'UNKNOWN_CHOICE'
  | 'PROPOSAL_NOT_OPEN'
  | 'INVALID_SLOT'
  /** A fee-proof challenge text that is not the verifier's challenge (a field missing or malformed). */
  | 'CHALLENGE_MALFORMED'
  /** A challenge whose period number is not the paid set's (the server's code for the same refusal). */
  | 'WRONG_PERIOD';

export class CensusParticipationError extends Error {
  override readonly name = 'CensusParticipationError';
  readonly code: CensusParticipationErrorCode;
  constructor(code: CensusParticipationErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
