/**
 * The activity steps as the API calls them: who may, in which community, and one unit of
 * work each. A step runs on the money projection's unit (src/funds/projection-unit.ts),
 * so its money moves are ordinary transfers between the community's accounts — fees into
 * the activity's fund from the world, refunds back, a grant from and the balance back to
 * the operating account (the community fund), expenses as spends under the funds'
 * approval rules. In each step: the activity row is locked first, then the money rows,
 * then the activity rows are written, the money entries appended, and the activity's
 * entry appended last — all in one transaction.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '../db/orm.ts';
import {
  DomainError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  UnauthenticatedError,
} from '../domain-error.ts';
import type { AppServices } from '../kernel/domain-module.ts';
import { hasCommunityRole, type Viewer } from '../accounts/viewer.ts';
import { appendEntry } from '../ledger/append-entry.ts';
import { isHouseholdMember, isHouseholdOfCommunity } from '../privacy/ownership.ts';
import { requireText } from '../text-input.ts';
import type { Account } from '../funds/accounts.ts';
import type { CivilDate } from '../funds/civil-dates.ts';
import { MAX_AMOUNT_FEN } from '../funds/fen.ts';
import { IdempotencyConflictError } from '../funds/funds-errors.ts';
import { ensureAccount, postTransferBatch, proposeSpendCommand } from '../funds/funds-operations.ts';
import { requestFingerprint } from '../funds/idempotency.ts';
import { IDEMPOTENCY_KEY_PATTERN, ID_PATTERN } from '../funds/identifiers.ts';
import { runProjectionUnit } from '../funds/projection-unit.ts';
import type { ManualTransferCode } from '../funds/transfer-codes.ts';
import type { MoneyUnit } from '../fees/fees-operations.ts';
import { emptyMoneyState } from '../fees/fees-state.ts';
import { MONEY_TABLES } from '../fees/money-tables.ts';
import { todayOf } from '../fees/money-services.ts';
import {
  MAX_ACTIVITY_DESCRIPTION_LENGTH,
  MAX_ACTIVITY_PLACE_LENGTH,
  MAX_ACTIVITY_TITLE_LENGTH,
  type ActivityState,
  type SignupRecord,
} from './activity-records.ts';
import {
  applyActivityEntry,
  decideCancellation,
  decideProposal,
  decideSettlement,
  decideSignup,
  decideSignupCancellation,
  decideSignupsClosed,
  ledgerPayload,
  requireDecidable,
  requireExpenseAllowed,
  type ActivityEntryType,
  type ActivityProposal,
} from './activity-rules.ts';
import {
  activitiesDueToClose,
  approvalRequired,
  communityOfActivity,
  communityOfSignup,
  insertActivity,
  lockActivity,
  saveActivity,
  signupByIdempotencyKey,
  type ActivityTexts,
} from './activity-store.ts';
import { openActivityReviews } from './activity-reviews.ts';

export interface ActivityContext {
  services: AppServices;
  em: SqlEntityManager;
  viewer: Viewer | null;
}

/** Activities the closing job closes per call. */
export const CLOSE_BATCH_ACTIVITIES = 100;

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

function requireMember(viewer: Viewer | null, communityId: string): Viewer {
  if (!viewer) throw new UnauthenticatedError();
  if (!hasCommunityRole(viewer, communityId, ['resident', 'committee', 'manager']))
    throw new ForbiddenError('Only members of the community take part in its activities');
  return viewer;
}

/** The organiser or a manager runs an activity's money and sign-ups. */
function requireOrganiserOrManager(viewer: Viewer, communityId: string, state: ActivityState): void {
  if (viewer.accountId !== state.activity.organiserId && !hasCommunityRole(viewer, communityId, ['manager']))
    throw new ForbiddenError("Only the activity's organiser or a manager may do this");
}

/** One step in one unit of work on the money projection (retried from scratch when it lost a race). */
function inUnit<T>(
  context: Pick<ActivityContext, 'services' | 'em'>,
  communityId: string,
  work: (unit: MoneyUnit) => Promise<T>,
): Promise<T> {
  return runProjectionUnit(
    context.services.transactions,
    context.em,
    MONEY_TABLES,
    () => emptyMoneyState(communityId),
    work,
  );
}

/** Writes the activity's rows, then the unit's money rows and entries, then the activity's entry: last. */
async function record(
  unit: MoneyUnit,
  before: ActivityState,
  type: ActivityEntryType,
  payload: object,
  actor: string,
): Promise<ActivityState> {
  const after = applyActivityEntry(before, type, ledgerPayload(payload));
  await saveActivity(unit.em, unit.communityId, before, after);
  await unit.flush();
  await appendEntry(unit.em, { communityId: unit.communityId, type, payload: ledgerPayload(payload) as never, actor });
  return after;
}

async function activityCommunity(
  context: ActivityContext,
  activityId: string,
): Promise<{ viewer: Viewer; communityId: string }> {
  if (!context.viewer) throw new UnauthenticatedError();
  const communityId = await communityOfActivity(context.em, activityId);
  if (!communityId) throw new NotFoundError('Activity');
  return { viewer: requireMember(context.viewer, communityId), communityId };
}

async function locked(unit: MoneyUnit, activityId: string): Promise<ActivityState> {
  const state = await lockActivity(unit.em, activityId);
  if (!state) throw new NotFoundError('Activity');
  return state;
}

interface Move {
  key: string;
  debitAccountId: string;
  creditAccountId: string;
  amountFen: bigint;
  code: ManualTransferCode;
}

async function move(
  unit: MoneyUnit,
  moveOrder: Move,
  postedOn: CivilDate,
  actor: string,
): Promise<{ replayed: boolean }> {
  if (moveOrder.amountFen === 0n) return { replayed: false };
  const { key, ...transfer } = moveOrder;
  return postTransferBatch(unit, { idempotencyKey: key, transfers: [transfer], postedOn, actor });
}

async function fundBalance(unit: MoneyUnit, fundAccountId: string | null): Promise<bigint> {
  if (!fundAccountId) return 0n;
  await unit.load('accounts', [fundAccountId]);
  const account = unit.row('accounts', fundAccountId) as Account;
  return account.debitsFen - account.creditsFen;
}

/** Refunds each amount from the fund to the world, one keyed transfer per sign-up. */
async function refundAll(
  unit: MoneyUnit,
  state: ActivityState,
  refunds: ReadonlyArray<{ signupId: string; refundFen: bigint }>,
  today: CivilDate,
  actor: string,
): Promise<void> {
  if (!refunds.some((refund) => refund.refundFen > 0n)) return;
  const external = await ensureAccount(unit, 'external', null, today, actor);
  for (const refund of refunds) {
    await move(
      unit,
      {
        key: `activity-refund:${refund.signupId}`,
        debitAccountId: external,
        creditAccountId: state.activity.fundAccountId!,
        amountFen: refund.refundFen,
        code: 'activity-refund',
      },
      today,
      actor,
    );
  }
}

async function returnBalance(
  unit: MoneyUnit,
  state: ActivityState,
  amountFen: bigint,
  today: CivilDate,
  actor: string,
) {
  if (amountFen === 0n) return;
  const operating = await ensureAccount(unit, 'operating', null, today, actor);
  await move(
    unit,
    {
      key: `activity-return:${state.activity.activityId}`,
      debitAccountId: operating,
      creditAccountId: state.activity.fundAccountId!,
      amountFen,
      code: 'fund-transfer',
    },
    today,
    actor,
  );
}

// Settings and proposals --------------------------------------------------------------------

export async function setActivitySettings(
  context: ActivityContext,
  communityId: string,
  required: boolean,
): Promise<boolean> {
  const viewer = requireMember(context.viewer, communityId);
  if (!hasCommunityRole(viewer, communityId, ['manager']))
    throw new ForbiddenError('Only a manager sets the activity rules');
  return context.services.transactions.run(context.em, async (em) => {
    await em.execute(
      `insert into activity_settings (community_id, approval_required) values (?, ?)
       on conflict (community_id) do update set approval_required = excluded.approval_required`,
      [communityId, required],
    );
    await appendEntry(em, {
      communityId,
      type: 'activities.settings-set',
      payload: { approvalRequired: required },
      actor: viewer.accountId,
    });
    return required;
  });
}

export type ProposalInput = Omit<ActivityProposal, 'activityId' | 'organiserId' | 'detailsHash'> & ActivityTexts;

export async function proposeActivity(
  context: ActivityContext,
  communityId: string,
  input: ProposalInput,
): Promise<string> {
  const viewer = requireMember(context.viewer, communityId);
  const texts: ActivityTexts = {
    title: requireText(input.title, 'title', { maxLength: MAX_ACTIVITY_TITLE_LENGTH }),
    description: requireText(input.description, 'description', {
      maxLength: MAX_ACTIVITY_DESCRIPTION_LENGTH,
      multiline: true,
    }),
    place: requireText(input.place, 'place', { maxLength: MAX_ACTIVITY_PLACE_LENGTH }),
  };
  const now = context.services.money.clock.now();
  const today = todayOf(context.services.money);
  const activityId = randomUUID();
  const { title: _title, description: _description, place: _place, ...terms } = input;
  const proposal: ActivityProposal = {
    ...terms,
    activityId,
    organiserId: viewer.accountId,
    detailsHash: sha256(JSON.stringify([texts.title, texts.description, texts.place])),
  };
  await inUnit(context, communityId, async (unit) => {
    const required = await approvalRequired(unit.em, communityId);
    const opens = !required && proposal.grantFen === 0n;
    decideProposal(proposal, now, opens, null); // refuses bad input before any account is opened
    const fundAccountId = opens
      ? await ensureAccount(unit, 'activity-fund', activityId, today, viewer.accountId)
      : null;
    const payload = decideProposal(proposal, now, opens, fundAccountId);
    const state = applyActivityEntry(undefined, 'activities.proposed', ledgerPayload(payload));
    await insertActivity(unit.em, communityId, state, texts, now);
    await unit.flush();
    await appendEntry(unit.em, {
      communityId,
      type: 'activities.proposed',
      payload: ledgerPayload(payload) as never,
      actor: viewer.accountId,
    });
  });
  return activityId;
}

/** A manager or committee member approves (opening the fund and paying the grant from the community fund) or rejects. */
export async function decideActivity(
  context: ActivityContext,
  activityId: string,
  decision: 'approve' | 'reject',
): Promise<void> {
  const { viewer, communityId } = await activityCommunity(context, activityId);
  const role = hasCommunityRole(viewer, communityId, ['committee'])
    ? 'committee'
    : hasCommunityRole(viewer, communityId, ['manager'])
      ? 'manager'
      : null;
  if (!role) throw new ForbiddenError('Only managers and committee members decide on activities');
  const today = todayOf(context.services.money);
  await inUnit(context, communityId, async (unit) => {
    const state = await locked(unit, activityId);
    requireDecidable(state);
    if (state.activity.organiserId === viewer.accountId)
      throw new ForbiddenError('Nobody decides on their own activity');
    if (decision === 'reject') {
      await record(unit, state, 'activities.rejected', { activityId, role }, viewer.accountId);
      return;
    }
    const fundAccountId = await ensureAccount(unit, 'activity-fund', activityId, today, viewer.accountId);
    if (state.activity.grantFen > 0n) {
      const operating = await ensureAccount(unit, 'operating', null, today, viewer.accountId);
      await move(
        unit,
        {
          key: `activity-grant:${activityId}`,
          debitAccountId: fundAccountId,
          creditAccountId: operating,
          amountFen: state.activity.grantFen,
          code: 'fund-transfer',
        },
        today,
        viewer.accountId,
      );
    }
    await record(unit, state, 'activities.approved', { activityId, role, fundAccountId }, viewer.accountId);
  });
}

// Sign-ups ------------------------------------------------------------------------------------

/** The household's residents sign it up, or a manager does on its behalf. */
async function requireHouseholdActor(
  context: ActivityContext,
  viewer: Viewer,
  communityId: string,
  householdId: string,
): Promise<void> {
  if (!(await isHouseholdOfCommunity(context.em, householdId, communityId))) throw new NotFoundError('Household');
  if (hasCommunityRole(viewer, communityId, ['manager'])) return;
  if (
    hasCommunityRole(viewer, communityId, ['resident']) &&
    (await isHouseholdMember(context.em, householdId, viewer.accountId))
  )
    return;
  throw new ForbiddenError("Only the household's residents or a manager sign it up or cancel");
}

export interface SignupResult {
  signupId: string;
  /** True when this key was used before for the same request: the original sign-up, nothing written. */
  replayed: boolean;
}

/**
 * Signs a household up: a place while there is one, else the end of the waitlist. The
 * fee is taken at sign-up (into the activity's fund from the world) and a waitlisted
 * household gets it back in full if it never gets a place.
 */
export async function signUp(
  context: ActivityContext,
  input: { activityId: string; householdId: string; idempotencyKey: string },
): Promise<SignupResult> {
  if (!IDEMPOTENCY_KEY_PATTERN.test(input.idempotencyKey))
    throw new InvalidInputError('idempotencyKey', 'must be 8 to 64 letters, digits, "_", ":" or "-"');
  const { viewer, communityId } = await activityCommunity(context, input.activityId);
  await requireHouseholdActor(context, viewer, communityId, input.householdId);
  const now = context.services.money.clock.now();
  const today = todayOf(context.services.money);
  const requestHash = requestFingerprint('signUpForActivity', {
    activityId: input.activityId,
    householdId: input.householdId,
  });
  return inUnit(context, communityId, async (unit) => {
    const state = await locked(unit, input.activityId);
    const earlier = await signupByIdempotencyKey(unit.em, communityId, input.idempotencyKey);
    if (earlier) {
      if (earlier.requestHash !== requestHash) throw new IdempotencyConflictError(input.idempotencyKey);
      return { signupId: earlier.signupId, replayed: true };
    }
    const signupId = randomUUID();
    const payload = decideSignup(
      state,
      { signupId, householdId: input.householdId, idempotencyKey: input.idempotencyKey, requestHash },
      now,
    );
    if (payload.feeFen > 0n) {
      const external = await ensureAccount(unit, 'external', null, today, viewer.accountId);
      await move(
        unit,
        {
          key: `activity-fee:${signupId}`,
          debitAccountId: state.activity.fundAccountId!,
          creditAccountId: external,
          amountFen: payload.feeFen,
          code: 'activity-fee',
        },
        today,
        viewer.accountId,
      );
    }
    await record(unit, state, 'activities.signed-up', payload, viewer.accountId);
    return { signupId, replayed: false };
  });
}

/** A household leaves: refunded under the activity's rule; its place goes to the first on the waitlist. */
export async function cancelSignup(context: ActivityContext, signupId: string): Promise<SignupRecord> {
  if (!context.viewer) throw new UnauthenticatedError();
  const found = await communityOfSignup(context.em, signupId);
  if (!found) throw new NotFoundError('Sign-up');
  const viewer = requireMember(context.viewer, found.communityId);
  await requireHouseholdActor(context, viewer, found.communityId, found.householdId);
  const now = context.services.money.clock.now();
  const today = todayOf(context.services.money);
  return inUnit(context, found.communityId, async (unit) => {
    const state = await locked(unit, found.activityId);
    const payload = decideSignupCancellation(state, signupId, now);
    await refundAll(unit, state, [payload], today, viewer.accountId);
    const after = await record(unit, state, 'activities.signup-cancelled', payload, viewer.accountId);
    return after.signups.get(signupId)!;
  });
}

/** Fixes the participant list (reviews build their census from it) and refunds the waitlist in full. */
export async function closeSignups(context: ActivityContext, activityId: string): Promise<void> {
  const { viewer, communityId } = await activityCommunity(context, activityId);
  await closeInUnit(
    context,
    communityId,
    activityId,
    (state) => requireOrganiserOrManager(viewer, communityId, state),
    viewer.accountId,
  );
}

async function closeInUnit(
  context: Pick<ActivityContext, 'services' | 'em'>,
  communityId: string,
  activityId: string,
  authorise: (state: ActivityState) => void,
  actor: string,
): Promise<void> {
  const today = todayOf(context.services.money);
  await inUnit(context, communityId, async (unit) => {
    const state = await locked(unit, activityId);
    authorise(state);
    const payload = decideSignupsClosed(state);
    await refundAll(unit, state, payload.released, today, actor);
    await record(unit, state, 'activities.signups-closed', payload, actor);
    await openActivityReviews(unit.em, communityId, activityId, actor);
  });
}

/**
 * Closes the sign-ups of every open activity whose closing time has come (the closing
 * job's work, actor `system`): at most `limit` per call, each in its own unit. An activity
 * closed meanwhile by its organiser is skipped. One that cannot be closed — its fund can no
 * longer refund the waitlist because expenses spent the fees (BALANCE_RULE_BROKEN) — is
 * reported and left open for the organiser, and the others still close.
 */
export async function closeDueSignups(
  context: Pick<ActivityContext, 'services' | 'em'>,
  limit = CLOSE_BATCH_ACTIVITIES,
): Promise<{ closed: number; refused: Array<{ activityId: string; code: string }> }> {
  const due = await activitiesDueToClose(context.em, context.services.money.clock.now(), limit);
  const result = { closed: 0, refused: [] as Array<{ activityId: string; code: string }> };
  for (const { activityId, communityId } of due) {
    try {
      await closeInUnit(context, communityId, activityId, () => undefined, 'system');
      result.closed += 1;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      if (error.code !== 'INVALID_TRANSITION') result.refused.push({ activityId, code: error.code });
    }
  }
  return result;
}

// Money -----------------------------------------------------------------------------------------

function requireAmount(amountFen: bigint): void {
  if (amountFen <= 0n || amountFen > MAX_AMOUNT_FEN)
    throw new InvalidInputError('amount', `must be from 1 to ${MAX_AMOUNT_FEN} fen`);
}

/** Money given to the activity (a sponsor, the organiser), received by the organiser or a manager. */
export async function contribute(
  context: ActivityContext,
  input: { activityId: string; amountFen: bigint; idempotencyKey: string },
): Promise<{ replayed: boolean }> {
  requireAmount(input.amountFen);
  if (!IDEMPOTENCY_KEY_PATTERN.test(input.idempotencyKey))
    throw new InvalidInputError('idempotencyKey', 'must be 8 to 64 letters, digits, "_", ":" or "-"');
  const { viewer, communityId } = await activityCommunity(context, input.activityId);
  const today = todayOf(context.services.money);
  return inUnit(context, communityId, async (unit) => {
    const state = await locked(unit, input.activityId);
    requireOrganiserOrManager(viewer, communityId, state);
    requireExpenseAllowed(state);
    const external = await ensureAccount(unit, 'external', null, today, viewer.accountId);
    const moved = await move(
      unit,
      {
        key: input.idempotencyKey,
        debitAccountId: state.activity.fundAccountId!,
        creditAccountId: external,
        amountFen: input.amountFen,
        code: 'contribution',
      },
      today,
      viewer.accountId,
    );
    if (moved.replayed) return moved;
    await record(
      unit,
      state,
      'activities.contribution-recorded',
      { activityId: input.activityId, amountFen: input.amountFen, idempotencyKey: input.idempotencyKey },
      viewer.accountId,
    );
    return moved;
  });
}

/**
 * An expense out of the activity's fund: a spend (src/funds/expense-approval.ts) with the
 * receipt's hash, approved and executed through the funds' spend approvals.
 */
export async function proposeExpense(
  context: ActivityContext,
  input: { activityId: string; amountFen: bigint; payeeId: string; purpose: string; receiptHash: string },
): Promise<string> {
  requireAmount(input.amountFen);
  if (!ID_PATTERN.test(input.payeeId))
    throw new InvalidInputError('payeeId', 'must be 1 to 64 letters, digits, "-" or "_"');
  if (!/^[0-9a-f]{64}$/u.test(input.receiptHash))
    throw new InvalidInputError('receiptHash', 'must be 64 lower-case hex digits (SHA-256)');
  const purpose = requireText(input.purpose, 'purpose', { maxLength: MAX_ACTIVITY_TITLE_LENGTH });
  const { viewer, communityId } = await activityCommunity(context, input.activityId);
  const today = todayOf(context.services.money);
  return inUnit(context, communityId, async (unit) => {
    const state = await locked(unit, input.activityId);
    requireOrganiserOrManager(viewer, communityId, state);
    requireExpenseAllowed(state);
    const spendId = await proposeSpendCommand(
      unit,
      {
        accountId: state.activity.fundAccountId!,
        amountFen: input.amountFen,
        payeeId: input.payeeId,
        purposeHash: sha256(purpose),
        receiptHash: input.receiptHash,
        ownersProposalId: null,
      },
      viewer.accountId,
      today,
    );
    await record(
      unit,
      state,
      'activities.expense-proposed',
      { activityId: input.activityId, spendId, amountFen: input.amountFen, receiptHash: input.receiptHash },
      viewer.accountId,
    );
    return spendId;
  });
}

/** Cancels the whole activity: every active sign-up refunded in full, the rest back to the community fund. */
export async function cancelActivity(context: ActivityContext, activityId: string): Promise<void> {
  const { viewer, communityId } = await activityCommunity(context, activityId);
  const today = todayOf(context.services.money);
  await inUnit(context, communityId, async (unit) => {
    const state = await locked(unit, activityId);
    requireOrganiserOrManager(viewer, communityId, state);
    const payload = decideCancellation(state, await fundBalance(unit, state.activity.fundAccountId));
    await refundAll(unit, state, payload.refunds, today, viewer.accountId);
    await returnBalance(unit, state, payload.returnedFen, today, viewer.accountId);
    await record(unit, state, 'activities.cancelled', payload, viewer.accountId);
  });
}

/** After the activity ended: what is left in its fund goes back to the community fund. */
export async function settleActivity(context: ActivityContext, activityId: string): Promise<void> {
  const { viewer, communityId } = await activityCommunity(context, activityId);
  const now = context.services.money.clock.now();
  const today = todayOf(context.services.money);
  await inUnit(context, communityId, async (unit) => {
    const state = await locked(unit, activityId);
    requireOrganiserOrManager(viewer, communityId, state);
    const payload = decideSettlement(state, now, await fundBalance(unit, state.activity.fundAccountId));
    await returnBalance(unit, state, payload.returnedFen, today, viewer.accountId);
    await record(unit, state, 'activities.settled', payload, viewer.accountId);
  });
}
