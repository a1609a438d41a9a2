/**
 * The activities contract as pure functions: `decide…` turns a request and the state
 * before it into an entry's payload (or a typed refusal), and `applyActivityEntry` turns
 * the state and an entry into the state after it. The live path runs both; the replay
 * runs `applyActivityEntry` alone over the ledger, so replay and live share one rule.
 * No database, no clock: the caller passes `now`, and the entry records what was decided
 * from it (a refund's amount), so the replay never needs a clock.
 */
import { z } from 'zod';
import { InvalidInputError } from '../domain-error.ts';
import { divideRoundHalfUp } from '../funds/fen.ts';
import { ActivityError } from './activity-errors.ts';
import {
  BASIS_POINTS,
  isActiveSignup,
  MAX_ACTIVITY_BUDGET_FEN,
  MAX_ACTIVITY_CAPACITY,
  MAX_ACTIVITY_EXPENSES,
  MAX_ACTIVITY_FEE_FEN,
  MAX_WAITLIST_LENGTH,
  type ActivityRecord,
  type ActivityState,
  type SignupRecord,
} from './activity-records.ts';

const fen = z
  .string()
  .regex(/^(0|[1-9][0-9]{0,15})$/u)
  .transform(BigInt);
const uuid = z.string().uuid();
const instant = z.string().datetime({ offset: false, precision: 3 });
const hash = z.string().regex(/^[0-9a-f]{64}$/u);
const refund = z.strictObject({ signupId: uuid, refundFen: fen });

/** An activity's kind: a short key such as `lantern-festival` (lower-case letters, digits, dashes). */
export const ACTIVITY_KIND_PATTERN = /^[a-z0-9][a-z0-9-]{0,31}$/u;

/** Each entry type's payload, decoded strictly: an unknown key is a malformed entry. */
export const ACTIVITY_ENTRY_SCHEMAS = {
  'activities.settings-set': z.strictObject({ approvalRequired: z.boolean() }),
  'activities.proposed': z.strictObject({
    activityId: uuid,
    organiserId: uuid,
    detailsHash: hash,
    startsAt: instant,
    endsAt: instant,
    signupsCloseAt: instant,
    capacity: z.number().int(),
    feeFen: fen,
    budgetFen: fen,
    grantFen: fen,
    fullRefundUntil: instant,
    lateRefundBasisPoints: z.number().int(),
    status: z.enum(['proposed', 'open']),
    fundAccountId: uuid.nullable(),
    kind: z.string().regex(ACTIVITY_KIND_PATTERN).optional(),
  }),
  'activities.approved': z.strictObject({
    activityId: uuid,
    role: z.enum(['manager', 'committee']),
    fundAccountId: uuid,
  }),
  'activities.rejected': z.strictObject({ activityId: uuid, role: z.enum(['manager', 'committee']) }),
  'activities.signed-up': z.strictObject({
    activityId: uuid,
    signupId: uuid,
    householdId: uuid,
    position: z.number().int().positive(),
    placement: z.enum(['participant', 'waitlisted']),
    feeFen: fen,
    idempotencyKey: z.string(),
    requestHash: hash,
  }),
  'activities.signup-cancelled': z.strictObject({
    activityId: uuid,
    signupId: uuid,
    refundFen: fen,
    promotedSignupId: uuid.nullable(),
  }),
  'activities.signups-closed': z.strictObject({
    activityId: uuid,
    participantHouseholdIds: z.array(uuid),
    released: z.array(refund),
  }),
  'activities.contribution-recorded': z.strictObject({ activityId: uuid, amountFen: fen, idempotencyKey: z.string() }),
  'activities.expense-proposed': z.strictObject({ activityId: uuid, spendId: uuid, amountFen: fen, receiptHash: hash }),
  'activities.cancelled': z.strictObject({ activityId: uuid, refunds: z.array(refund), returnedFen: fen }),
  'activities.settled': z.strictObject({ activityId: uuid, returnedFen: fen }),
} as const;

export type ActivityEntryType = keyof typeof ACTIVITY_ENTRY_SCHEMAS;
export const ACTIVITY_ENTRY_TYPES = Object.keys(ACTIVITY_ENTRY_SCHEMAS) as ActivityEntryType[];
type Payload<T extends ActivityEntryType> = z.infer<(typeof ACTIVITY_ENTRY_SCHEMAS)[T]>;

// Requests ------------------------------------------------------------------------------

export interface ActivityProposal {
  activityId: string;
  organiserId: string;
  detailsHash: string;
  startsAt: Date;
  endsAt: Date;
  signupsCloseAt: Date;
  capacity: number;
  feeFen: bigint;
  budgetFen: bigint;
  grantFen: bigint;
  fullRefundUntil: Date;
  lateRefundBasisPoints: number;
  /** Optional: activities of one kind show the reviews of the earlier ones. */
  kind?: string | undefined;
}

function requireRange(value: bigint | number, min: bigint | number, max: bigint | number, parameter: string): void {
  if (value < min || value > max) throw new InvalidInputError(parameter, `must be from ${min} to ${max}`);
}

/**
 * A proposal's payload. It opens at once (`opens`) when the community needs no approval
 * and it asks for no grant (money of the community always needs an approver); the caller
 * opens the fund then and passes its id.
 */
export function decideProposal(
  proposal: ActivityProposal,
  now: Date,
  opens: boolean,
  fundAccountId: string | null,
): Payload<'activities.proposed'> {
  requireRange(proposal.capacity, 1, MAX_ACTIVITY_CAPACITY, 'capacity');
  requireRange(proposal.feeFen, 0n, MAX_ACTIVITY_FEE_FEN, 'fee');
  requireRange(proposal.budgetFen, 0n, MAX_ACTIVITY_BUDGET_FEN, 'budget');
  requireRange(proposal.grantFen, 0n, proposal.budgetFen, 'grant');
  requireRange(proposal.lateRefundBasisPoints, 0, BASIS_POINTS, 'lateRefundBasisPoints');
  if (proposal.kind !== undefined && !ACTIVITY_KIND_PATTERN.test(proposal.kind))
    throw new InvalidInputError('kind', 'lower-case letters, digits and dashes, at most 32');
  if (proposal.signupsCloseAt <= now) throw new InvalidInputError('signupsCloseAt', 'must be in the future');
  if (proposal.startsAt < proposal.signupsCloseAt)
    throw new InvalidInputError('startsAt', 'must not be before sign-ups close');
  if (proposal.endsAt <= proposal.startsAt) throw new InvalidInputError('endsAt', 'must be after the start');
  if (proposal.fullRefundUntil > proposal.signupsCloseAt)
    throw new InvalidInputError('fullRefundUntil', 'must not be after sign-ups close');
  return {
    ...proposal,
    startsAt: proposal.startsAt.toISOString(),
    endsAt: proposal.endsAt.toISOString(),
    signupsCloseAt: proposal.signupsCloseAt.toISOString(),
    fullRefundUntil: proposal.fullRefundUntil.toISOString(),
    feeFen: proposal.feeFen,
    status: opens ? 'open' : 'proposed',
    fundAccountId,
  } as unknown as Payload<'activities.proposed'>;
}

function requireStatus(activity: ActivityRecord, allowed: readonly ActivityRecord['status'][], step: string): void {
  if (!allowed.includes(activity.status)) {
    throw new ActivityError('INVALID_TRANSITION', `Failed to ${step}: the activity is ${activity.status}`);
  }
}

export function requireDecidable(state: ActivityState): void {
  requireStatus(state.activity, ['proposed'], 'decide on the activity');
}

/** Sign-ups are taken while the activity is open and before its closing time. */
export function requireSignupsOpen(state: ActivityState, now: Date, step: string): void {
  requireStatus(state.activity, ['open'], step);
  if (now >= new Date(state.activity.signupsCloseAt)) {
    throw new ActivityError('SIGNUPS_CLOSED', `Failed to ${step}: sign-ups closed at ${state.activity.signupsCloseAt}`);
  }
}

/** Where a new sign-up goes: a free place, else the end of the waitlist. */
export function decideSignup(
  state: ActivityState,
  request: { signupId: string; householdId: string; idempotencyKey: string; requestHash: string },
  now: Date,
): Payload<'activities.signed-up'> {
  requireSignupsOpen(state, now, 'sign up');
  const { activity } = state;
  if (
    [...state.signups.values()].some((signup) => signup.householdId === request.householdId && isActiveSignup(signup))
  ) {
    throw new ActivityError('ALREADY_SIGNED_UP', 'Failed to sign up: the household is already signed up');
  }
  let placement: 'participant' | 'waitlisted' = 'participant';
  if (activity.participants >= activity.capacity) {
    if (activity.waitlisted >= MAX_WAITLIST_LENGTH)
      throw new ActivityError(
        'WAITLIST_FULL',
        `Failed to sign up: all places and ${MAX_WAITLIST_LENGTH} waitlist places are taken`,
      );
    placement = 'waitlisted';
  }
  return {
    activityId: activity.activityId,
    ...request,
    position: activity.nextPosition,
    placement,
    feeFen: activity.feeFen,
  };
}

/** The refund a cancelling household gets under the activity's rule (records-side doc). */
export function refundOnCancellation(activity: ActivityRecord, signup: SignupRecord, now: Date): bigint {
  if (signup.status === 'waitlisted' || now < new Date(activity.refundRule.fullRefundUntil)) return signup.feeFen;
  return divideRoundHalfUp(signup.feeFen * BigInt(activity.refundRule.lateRefundBasisPoints), BigInt(BASIS_POINTS));
}

/** The waitlisted sign-up with the lowest position: the next to get a place. */
export function nextOnWaitlist(state: ActivityState): SignupRecord | undefined {
  let first: SignupRecord | undefined;
  for (const signup of state.signups.values()) {
    if (signup.status === 'waitlisted' && (!first || signup.position < first.position)) first = signup;
  }
  return first;
}

export function requireActiveSignup(state: ActivityState, signupId: string): SignupRecord {
  const signup = state.signups.get(signupId);
  if (!signup || !isActiveSignup(signup))
    throw new ActivityError('SIGNUP_NOT_ACTIVE', 'Failed to cancel: the sign-up is no longer active');
  return signup;
}

export function decideSignupCancellation(
  state: ActivityState,
  signupId: string,
  now: Date,
): Payload<'activities.signup-cancelled'> {
  requireSignupsOpen(state, now, 'cancel the sign-up');
  const signup = requireActiveSignup(state, signupId);
  const promoted = signup.status === 'participant' ? nextOnWaitlist(state) : undefined;
  return {
    activityId: state.activity.activityId,
    signupId,
    refundFen: refundOnCancellation(state.activity, signup, now),
    promotedSignupId: promoted?.signupId ?? null,
  };
}

const byPosition = (a: SignupRecord, b: SignupRecord) => a.position - b.position;

/** Closing sign-ups fixes the participant list and releases the waitlist with full refunds. */
export function decideSignupsClosed(state: ActivityState): Payload<'activities.signups-closed'> {
  requireStatus(state.activity, ['open'], 'close sign-ups');
  const signups = [...state.signups.values()].sort(byPosition);
  return {
    activityId: state.activity.activityId,
    participantHouseholdIds: signups.filter((s) => s.status === 'participant').map((s) => s.householdId),
    released: signups
      .filter((s) => s.status === 'waitlisted')
      .map((s) => ({ signupId: s.signupId, refundFen: s.feeFen })),
  };
}

/** Every active sign-up gets its whole fee back; what is left returns to the community fund. */
export function decideCancellation(state: ActivityState, fundBalanceFen: bigint): Payload<'activities.cancelled'> {
  requireStatus(state.activity, ['proposed', 'open', 'closed'], 'cancel the activity');
  const refunds = [...state.signups.values()]
    .filter(isActiveSignup)
    .sort(byPosition)
    .map((s) => ({ signupId: s.signupId, refundFen: s.feeFen }));
  const refundedFen = refunds.reduce((sum, r) => sum + r.refundFen, 0n);
  // A shortfall (fees already spent) is refused by the fund's balance rule when the refunds post.
  const returnedFen = fundBalanceFen > refundedFen ? fundBalanceFen - refundedFen : 0n;
  return { activityId: state.activity.activityId, refunds, returnedFen };
}

export function decideSettlement(
  state: ActivityState,
  now: Date,
  fundBalanceFen: bigint,
): Payload<'activities.settled'> {
  requireStatus(state.activity, ['closed'], 'settle the activity');
  if (now < new Date(state.activity.endsAt))
    throw new ActivityError('ACTIVITY_NOT_ENDED', `Failed to settle: the activity ends at ${state.activity.endsAt}`);
  return { activityId: state.activity.activityId, returnedFen: fundBalanceFen };
}

export function requireExpenseAllowed(state: ActivityState): void {
  requireStatus(state.activity, ['open', 'closed'], 'propose an expense');
  if (state.activity.expenseSpendIds.length >= MAX_ACTIVITY_EXPENSES)
    throw new InvalidInputError('activityId', `has ${MAX_ACTIVITY_EXPENSES} expenses already`);
}

// Applying entries ------------------------------------------------------------------------

function mismatch(type: string, what: string): never {
  throw new ActivityError('ENTRY_MISMATCH', `Entry ${type} does not fit the activity: ${what}`);
}

function copy(state: ActivityState): ActivityState {
  return {
    activity: { ...state.activity, expenseSpendIds: [...state.activity.expenseSpendIds] },
    signups: new Map([...state.signups].map(([id, signup]) => [id, { ...signup }])),
  };
}

function refundSignup(
  state: ActivityState,
  type: string,
  signupId: string,
  refundFen: bigint,
  status: SignupRecord['status'],
): void {
  const signup = state.signups.get(signupId);
  if (!signup || !isActiveSignup(signup)) mismatch(type, `sign-up ${signupId} is not active`);
  if (refundFen > signup.feeFen) mismatch(type, `refund above the fee of ${signupId}`);
  if (signup.status === 'participant') state.activity.participants -= 1;
  else state.activity.waitlisted -= 1;
  signup.status = status;
  signup.refundFen = refundFen;
  state.activity.refundsFen += refundFen;
}

function proposedActivity(payload: Payload<'activities.proposed'>): ActivityState {
  const { fullRefundUntil, lateRefundBasisPoints, ...fields } = payload;
  return {
    activity: {
      ...fields,
      refundRule: { fullRefundUntil, lateRefundBasisPoints },
      nextPosition: 1,
      participants: 0,
      waitlisted: 0,
      feesFen: 0n,
      refundsFen: 0n,
      contributionsFen: 0n,
      returnedFen: 0n,
      expenseSpendIds: [],
    },
    signups: new Map(),
  };
}

/**
 * The state after one entry (a new object; `before` is not changed). `before` is
 * undefined only for `activities.proposed`. Settings entries carry no activity and are
 * folded by the replay itself.
 */
export function applyActivityEntry(
  before: ActivityState | undefined,
  type: ActivityEntryType,
  rawPayload: unknown,
): ActivityState {
  const schema = ACTIVITY_ENTRY_SCHEMAS[type] as z.ZodType | undefined;
  const parsed = schema?.safeParse(rawPayload);
  if (!parsed?.success) mismatch(type, schema ? 'malformed payload' : 'not an activity entry');
  const payload = parsed.data as Record<string, any>;
  if (type === 'activities.proposed') {
    if (before) mismatch(type, 'the activity exists');
    return proposedActivity(payload as Payload<'activities.proposed'>);
  }
  if (!before) mismatch(type, `activity ${payload['activityId']} was never proposed`);
  const apply = (APPLY as Partial<Record<ActivityEntryType, Handler<never>>>)[type];
  if (!apply) mismatch(type, 'not an activity entry');
  const state = copy(before);
  if (!apply.from.includes(state.activity.status)) mismatch(type, `the activity is ${state.activity.status}`);
  apply.run(state, payload as never, type);
  return state;
}

type Handler<T extends ActivityEntryType> = {
  /** The statuses the entry may follow. */
  from: readonly ActivityRecord['status'][];
  /** Changes the copied state in place, or refuses with ENTRY_MISMATCH. */
  run: (state: ActivityState, payload: Payload<T>, type: string) => void;
};

const APPLY: { [T in Exclude<ActivityEntryType, 'activities.proposed' | 'activities.settings-set'>]: Handler<T> } = {
  'activities.approved': {
    from: ['proposed'],
    run: ({ activity }, payload) => {
      activity.status = 'open';
      activity.fundAccountId = payload.fundAccountId;
    },
  },
  'activities.rejected': {
    from: ['proposed'],
    run: ({ activity }) => {
      activity.status = 'rejected';
    },
  },
  'activities.signed-up': { from: ['open'], run: applySignup },
  'activities.signup-cancelled': {
    from: ['open'],
    run: (state, payload, type) => {
      const wasParticipant = state.signups.get(payload.signupId)?.status === 'participant';
      refundSignup(state, type, payload.signupId, payload.refundFen, 'cancelled');
      const next = wasParticipant ? nextOnWaitlist(state) : undefined;
      if ((next?.signupId ?? null) !== payload.promotedSignupId) mismatch(type, 'promotion out of waitlist order');
      if (next) {
        next.status = 'participant';
        state.activity.waitlisted -= 1;
        state.activity.participants += 1;
      }
    },
  },
  'activities.signups-closed': {
    from: ['open'],
    run: (state, payload, type) => {
      const expected = decideSignupsClosed(state);
      if (payload.participantHouseholdIds.join() !== expected.participantHouseholdIds.join())
        mismatch(type, 'participant list');
      for (const released of payload.released)
        refundSignup(state, type, released.signupId, released.refundFen, 'released');
      if (state.activity.waitlisted !== 0) mismatch(type, 'waitlist not released');
      state.activity.status = 'closed';
    },
  },
  'activities.contribution-recorded': {
    from: ['open', 'closed'],
    run: ({ activity }, payload) => {
      activity.contributionsFen += payload.amountFen;
    },
  },
  'activities.expense-proposed': {
    from: ['open', 'closed'],
    run: ({ activity }, payload) => {
      activity.expenseSpendIds.push(payload.spendId);
    },
  },
  'activities.cancelled': {
    from: ['proposed', 'open', 'closed'],
    run: (state, payload, type) => {
      for (const refund of payload.refunds) refundSignup(state, type, refund.signupId, refund.refundFen, 'refunded');
      if (state.activity.participants !== 0 || state.activity.waitlisted !== 0)
        mismatch(type, 'a sign-up left unrefunded');
      state.activity.status = 'cancelled';
      state.activity.returnedFen = payload.returnedFen;
    },
  },
  'activities.settled': {
    from: ['closed'],
    run: ({ activity }, payload) => {
      activity.status = 'settled';
      activity.returnedFen = payload.returnedFen;
    },
  },
};

function applySignup(state: ActivityState, payload: Payload<'activities.signed-up'>, type: string): void {
  const { activity } = state;
  if (payload.position !== activity.nextPosition || payload.feeFen !== activity.feeFen)
    mismatch(type, 'position or fee');
  const hasPlace = activity.participants < activity.capacity;
  if ((payload.placement === 'participant') !== hasPlace) mismatch(type, 'placement');
  if ([...state.signups.values()].some((s) => s.householdId === payload.householdId && isActiveSignup(s)))
    mismatch(type, 'the household is already signed up');
  state.signups.set(payload.signupId, {
    signupId: payload.signupId,
    activityId: payload.activityId,
    householdId: payload.householdId,
    position: payload.position,
    status: payload.placement,
    feeFen: payload.feeFen,
    refundFen: 0n,
    idempotencyKey: payload.idempotencyKey,
    requestHash: payload.requestHash,
  });
  activity.nextPosition += 1;
  if (payload.placement === 'participant') activity.participants += 1;
  else activity.waitlisted += 1;
  activity.feesFen += payload.feeFen;
}

/** A payload as the ledger holds it: bigints as decimal strings. */
export function ledgerPayload(payload: object): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(payload, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)),
  );
}
