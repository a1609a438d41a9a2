/**
 * Why an activity step is refused. Each is a DomainError with a stable, machine-readable
 * code, so the API returns it as a typed error and nothing is written. Messages name the
 * rule, never a household or a person.
 */
import { DomainError } from '../domain-error.ts';

export type ActivityErrorCode =
  /** The activity is not in a state that allows this step (e.g. approving an open activity). */
  | 'INVALID_TRANSITION'
  /** Sign-ups are closed: explicitly, or the closing time has passed. */
  | 'SIGNUPS_CLOSED'
  /** The household already holds a place or waits for one. */
  | 'ALREADY_SIGNED_UP'
  /** Every place is taken and the waitlist is full. */
  | 'WAITLIST_FULL'
  /** The sign-up was cancelled, released or refunded before. */
  | 'SIGNUP_NOT_ACTIVE'
  /** The activity has not ended yet, so it cannot be settled. */
  | 'ACTIVITY_NOT_ENDED'
  /** A replayed entry contradicts the state it applies to. */
  | 'ENTRY_MISMATCH';

export class ActivityError extends DomainError {
  constructor(code: ActivityErrorCode, message: string) {
    super(code, message);
  }
}
