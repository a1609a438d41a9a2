/** Why the device refuses to prove or submit, before anything is sent. */
export type CensusParticipationErrorCode =
  | 'CENSUS_INCOMPLETE'
  | 'NOT_IN_CENSUS'
  | 'ROOT_NOT_PINNED'
  | 'SCOPE_MISMATCH'
  | 'UNKNOWN_CHOICE'
  | 'PROPOSAL_NOT_OPEN'
  | 'INVALID_SLOT';

export class CensusParticipationError extends Error {
  override readonly name = 'CensusParticipationError';
  readonly code: CensusParticipationErrorCode;
  constructor(code: CensusParticipationErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
