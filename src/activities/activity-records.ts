/**
 * What the activities projection holds (docs/activities.md): one record per activity and
 * one per sign-up, both rebuilt from the `activities.*` ledger entries alone. Amounts are
 * integer fen (bigint); instants are ISO-8601 UTC strings, as the entries carry them.
 */
import { MAX_AMOUNT_FEN } from '../funds/fen.ts';

/** Places an activity may offer. */
export const MAX_ACTIVITY_CAPACITY = 1_000;
/** Sign-ups that may wait for a place beyond the capacity. */
export const MAX_WAITLIST_LENGTH = 200;
/** A participant's fee: at most 100,000 yuan. */
export const MAX_ACTIVITY_FEE_FEN = 10_000_000n;
export const MAX_ACTIVITY_BUDGET_FEN = MAX_AMOUNT_FEN;
export const MAX_ACTIVITY_TITLE_LENGTH = 200;
export const MAX_ACTIVITY_DESCRIPTION_LENGTH = 5_000;
export const MAX_ACTIVITY_PLACE_LENGTH = 200;
/** Expenses proposed against one activity's fund. */
export const MAX_ACTIVITY_EXPENSES = 100;
export const BASIS_POINTS = 10_000;

/**
 * proposed → open (approved, or no approval needed) → closed (sign-ups closed, the
 * participant list final) → settled (closing report, balance returned); proposed →
 * rejected; proposed, open or closed → cancelled (every fee refunded).
 */
export type ActivityStatus = 'proposed' | 'open' | 'closed' | 'settled' | 'cancelled' | 'rejected';

/**
 * participant and waitlisted are active; cancelled (by the household, refunded under the
 * refund rule), released (still waiting when sign-ups closed, refunded in full) and
 * refunded (the activity was cancelled, refunded in full) are final.
 */
export type SignupStatus = 'participant' | 'waitlisted' | 'cancelled' | 'released' | 'refunded';

/**
 * The refund rule, data on the activity: a participant who cancels before
 * `fullRefundUntil` gets the whole fee back; from then on, `lateRefundBasisPoints` of it
 * (0: nothing), rounded half up to the fen. A household still on the waitlist always gets
 * the whole fee back: it never held a place.
 */
export interface RefundRule {
  fullRefundUntil: string;
  lateRefundBasisPoints: number;
}

export interface ActivityRecord {
  activityId: string;
  organiserId: string;
  /** SHA-256 of the title, description and place: the texts stay off the ledger. */
  detailsHash: string;
  /** Optional kind (`lantern-festival`): a new activity shows the reviews of earlier ones of its kind. */
  kind?: string;
  startsAt: string;
  endsAt: string;
  signupsCloseAt: string;
  capacity: number;
  feeFen: bigint;
  budgetFen: bigint;
  /** The grant asked of the community fund; paid into the activity's fund on approval. */
  grantFen: bigint;
  refundRule: RefundRule;
  status: ActivityStatus;
  fundAccountId: string | null;
  /** The position the next sign-up gets: sign-ups are numbered 1, 2, … in arrival order. */
  nextPosition: number;
  participants: number;
  waitlisted: number;
  feesFen: bigint;
  refundsFen: bigint;
  contributionsFen: bigint;
  /** What went back to the community fund when the activity was settled or cancelled. */
  returnedFen: bigint;
  expenseSpendIds: string[];
}

export interface SignupRecord {
  signupId: string;
  activityId: string;
  householdId: string;
  position: number;
  status: SignupStatus;
  feeFen: bigint;
  refundFen: bigint;
  idempotencyKey: string;
  requestHash: string;
}

/** One activity and its sign-ups: what every rule of activity-rules.ts reads and writes. */
export interface ActivityState {
  activity: ActivityRecord;
  signups: Map<string, SignupRecord>;
}

export const isActiveSignup = (signup: SignupRecord) =>
  signup.status === 'participant' || signup.status === 'waitlisted';
