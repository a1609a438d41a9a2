/**
 * Why a tally rule, a ballot or a tally is refused. Each is a DomainError with a stable,
 * machine-readable code, so the API can return it as a typed error and write nothing.
 * Messages name the rule or the parameter, never a member.
 */
import { DomainError } from '../domain-error.ts';

export type GovernanceErrorCode =
  /** A threshold or rule breaks the rules of `tally-rules.ts` (a fraction out of range, a rule with no approval test...). */
  | 'INVALID_RULE'
  /** The ballot form (options) is malformed: too many options, a bad or repeated option id. */
  | 'INVALID_BALLOT_FORM'
  /** The census snapshot is malformed (no heads, no weight, a weight above the limit). */
  | 'INVALID_CENSUS'
  /** A ballot names an option the proposal does not have. */
  | 'UNKNOWN_CHOICE'
  /** A ballot's weight is not a whole number of 0.01 m² in [1, MAX_MEMBER_WEIGHT]. */
  | 'INVALID_WEIGHT'
  /** A member's later ballot carries a weight other than their earlier ballot's (the census leaf has one weight). */
  | 'WEIGHT_CHANGED'
  /** An anonymous ballot in a named proposal, a named one in an anonymous proposal, or a paper ballot that is not named. */
  | 'BALLOT_MODE_MISMATCH'
  /** A nullifier that is not a non-zero field element, or a member id that is not an opaque id. */
  | 'INVALID_MEMBER'
  /** A voting window whose opening is not before its close, or a time that is not an integer of milliseconds. */
  | 'INVALID_WINDOW'
  /** The ballot was cast before the opening. */
  | 'PROPOSAL_NOT_OPEN'
  /** The ballot was cast at or after the close: nothing is accepted then. */
  | 'PROPOSAL_CLOSED'
  /** An online ballot for a member whose paper ballot the committee has entered: the paper ballot stands. */
  | 'SUPERSEDED_BY_PAPER'
  /** The ballots add up to more heads or more weight than the pinned census has. */
  | 'TALLY_EXCEEDS_CENSUS'
  /** The proposal is not in the state the operation needs (open a draft, tally a proposal past its close...). */
  | 'PROPOSAL_STATE'
  /** The census to pin has no member, so nobody could vote. */
  | 'CENSUS_EMPTY'
  /** An anonymous ballot's proof is for a root other than the proposal's pinned snapshot root. */
  | 'ROOT_NOT_PINNED'
  /** The caller (or the member a paper ballot names) is not a member of the pinned census. */
  | 'NOT_A_CENSUS_MEMBER'
  /** A named ballot in a households census by a resident of several households that names none of them. */
  | 'HOUSEHOLD_REQUIRED'
  /** A challenge after the objection window, or in a proposal without one. */
  | 'OBJECTION_WINDOW_CLOSED'
  /** Only the committee (or managers, where the community allows it) may create proposals. */
  | 'MAY_NOT_PROPOSE'
  /** A household has sent as many anonymous suggestions today as the daily limit allows. */
  | 'SUGGESTION_LIMIT'
  /** An encrypted-weight proposal's trustees are not 2–16 distinct accounts holding the committee or manager role in the community or a regulator role over it, or the threshold is not 2 to their number. */
  | 'INVALID_TRUSTEES'
  /** The caller is not one of the proposal's trustees (or no longer holds the role that made them one). */
  | 'NOT_A_TRUSTEE'
  /** A trustee sent a message of a kind it already sent (each is sent once; the ledger keeps the first). */
  | 'TRUSTEE_MESSAGE_REPEATED'
  /** An encrypted-weight proposal cannot open before every trustee has published its key-generation rounds. */
  | 'ELECTION_KEY_NOT_READY'
  /** An encrypted-weight proposal cannot open: the community has no active encrypted-ballot verification key of its snapshot's depth (the census's code for a depth without a key). */
  | 'NO_KEY_FOR_DEPTH';

export class GovernanceError extends DomainError {
  declare readonly code: GovernanceErrorCode;

  constructor(code: GovernanceErrorCode, message: string) {
    super(code, message);
  }
}
