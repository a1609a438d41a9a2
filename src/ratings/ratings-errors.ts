/**
 * Why a rating, a subject, a period or a moderation step is refused: a DomainError with a
 * stable code, returned as a typed error; nothing is written. Messages name the rule,
 * never a person.
 */
import { DomainError } from '../domain-error.ts';

export type RatingsErrorCode =
  /** The period is not open in this community (never opened, or opened later). */
  | 'PERIOD_NOT_OPEN'
  /** The period is closed: its ratings are final. */
  | 'PERIOD_CLOSED'
  /** The period was already opened, or cannot be opened yet (it has not begun). */
  | 'PERIOD_STATE'
  /** The subject is not rated at the moment (deactivated by the managers or committee). */
  | 'SUBJECT_INACTIVE'
  /** A subject with this key exists in the community, or the community has MAX_SUBJECTS. */
  | 'SUBJECT_CONFLICT'
  /** The rating has no comment to hide, or its comment is already hidden. */
  | 'COMMENT_STATE'
  /** An activity rated by someone who did not take part: a named rater outside its households, a proof not of its participant tree. */
  | 'NOT_PARTICIPANT'
  /** An activity rated before it ended. */
  | 'ACTIVITY_NOT_ENDED';

export class RatingsError extends DomainError {
  declare readonly code: RatingsErrorCode;

  constructor(code: RatingsErrorCode, message: string) {
    super(code, message);
  }
}
