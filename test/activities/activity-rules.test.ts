/**
 * The activities contract's pure rules (no database): proposal boundaries, places and the
 * waitlist, the refund rule's cutoff and rounding, and the fold refusing entries that do
 * not fit the state (a promotion out of order, a refund above the fee).
 */
import { randomUUID } from 'node:crypto';
import { MAX_WAITLIST_LENGTH, type ActivityState } from '../../src/activities/activity-records.ts';
import {
  applyActivityEntry,
  decideProposal,
  decideSignup,
  decideSignupCancellation,
  ledgerPayload,
  refundOnCancellation,
  type ActivityProposal,
} from '../../src/activities/activity-rules.ts';

const NOW = new Date('2026-06-01T00:00:00.000Z');
const hours = (n: number) => new Date(NOW.getTime() + n * 3_600_000);

function proposal(overrides: Partial<ActivityProposal> = {}): ActivityProposal {
  return {
    activityId: randomUUID(),
    organiserId: randomUUID(),
    detailsHash: 'a'.repeat(64),
    startsAt: hours(48),
    endsAt: hours(50),
    signupsCloseAt: hours(24),
    capacity: 2,
    feeFen: 3n,
    budgetFen: 0n,
    grantFen: 0n,
    fullRefundUntil: hours(12),
    lateRefundBasisPoints: 5_000,
    ...overrides,
  };
}

function openActivity(overrides: Partial<ActivityProposal> = {}): ActivityState {
  const payload = decideProposal(proposal(overrides), NOW, true, randomUUID());
  return applyActivityEntry(undefined, 'activities.proposed', ledgerPayload(payload));
}

function signUp(state: ActivityState, at = NOW): { state: ActivityState; signupId: string } {
  const signupId = randomUUID();
  const request = {
    signupId,
    householdId: randomUUID(),
    idempotencyKey: `key-${signupId}`,
    requestHash: 'b'.repeat(64),
  };
  const payload = decideSignup(state, request, at);
  return { state: applyActivityEntry(state, 'activities.signed-up', ledgerPayload(payload)), signupId };
}

function codeOf(attempt: () => unknown): string | undefined {
  try {
    attempt();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('activity proposals', () => {
  it('accepts the tightest valid schedule: sign-ups close at the start, full refunds until the close', () => {
    const tight = proposal({ startsAt: hours(24), fullRefundUntil: hours(24) });
    expect(decideProposal(tight, NOW, true, randomUUID()).status).toBe('open');
  });

  it.each([
    ['signupsCloseAt', { signupsCloseAt: NOW }],
    ['startsAt', { startsAt: hours(23) }],
    ['endsAt', { endsAt: hours(48) }],
    ['fullRefundUntil', { fullRefundUntil: hours(25) }],
    ['capacity', { capacity: 0 }],
    ['grant', { budgetFen: 10n, grantFen: 11n }],
    ['lateRefundBasisPoints', { lateRefundBasisPoints: 10_001 }],
  ])('refuses a bad %s naming it', (parameter, overrides) => {
    expect(() => decideProposal(proposal(overrides), NOW, true, null)).toThrow(expect.objectContaining({ parameter }));
  });
});

describe('places and the waitlist', () => {
  it('gives places up to the capacity, then the waitlist, then refuses once the waitlist is full', () => {
    let state = openActivity({ capacity: 1 });
    for (let index = 0; index <= MAX_WAITLIST_LENGTH; index++) state = signUp(state).state;
    expect([state.activity.participants, state.activity.waitlisted]).toEqual([1, MAX_WAITLIST_LENGTH]);
    expect(codeOf(() => signUp(state))).toBe('WAITLIST_FULL');
  });

  it('refuses a household signed up twice, and any sign-up at the closing instant', () => {
    const state = openActivity();
    const { state: after, signupId } = signUp(state);
    const householdId = after.signups.get(signupId)!.householdId;
    const again = { signupId: randomUUID(), householdId, idempotencyKey: 'another-key', requestHash: 'c'.repeat(64) };
    expect(codeOf(() => decideSignup(after, again, NOW))).toBe('ALREADY_SIGNED_UP');
    expect(codeOf(() => signUp(after, hours(24)))).toBe('SIGNUPS_CLOSED');
    expect(() => signUp(after, new Date(hours(24).getTime() - 1))).not.toThrow();
  });

  it('promotes the lowest waitlist position, and the fold refuses any other', () => {
    let state = openActivity({ capacity: 1 });
    const ids: string[] = [];
    for (let index = 0; index < 3; index++) {
      const next = signUp(state);
      state = next.state;
      ids.push(next.signupId);
    }
    const payload = decideSignupCancellation(state, ids[0]!, NOW);
    expect(payload.promotedSignupId).toBe(ids[1]);
    const skipping = ledgerPayload({ ...payload, promotedSignupId: ids[2] });
    expect(codeOf(() => applyActivityEntry(state, 'activities.signup-cancelled', skipping))).toBe('ENTRY_MISMATCH');
    const tooMuch = ledgerPayload({ ...payload, refundFen: 4n });
    expect(codeOf(() => applyActivityEntry(state, 'activities.signup-cancelled', tooMuch))).toBe('ENTRY_MISMATCH');
  });
});

describe('the refund rule', () => {
  const state = signUp(signUp(signUp(openActivity({ capacity: 2, feeFen: 3n })).state).state).state;
  const [participant, , waitlisted] = [...state.signups.values()];

  it('refunds the whole fee before the cutoff and the late share, rounded half up, from the cutoff on', () => {
    expect(refundOnCancellation(state.activity, participant!, new Date(hours(12).getTime() - 1))).toBe(3n);
    expect(refundOnCancellation(state.activity, participant!, hours(12))).toBe(2n); // 1.5 → 2
  });

  it('refunds nothing late when the rule says 0, and always the whole fee to a waitlisted household', () => {
    const strict = { ...state.activity, refundRule: { ...state.activity.refundRule, lateRefundBasisPoints: 0 } };
    expect(refundOnCancellation(strict, participant!, hours(12))).toBe(0n);
    expect(waitlisted!.status).toBe('waitlisted');
    expect(refundOnCancellation(strict, waitlisted!, hours(20))).toBe(3n);
  });
});
