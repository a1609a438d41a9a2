/**
 * Activities over HTTP (yoga.fetch, a real database): an activity with 40 sign-ups for 30
 * places, 5 cancellations under its refund rule, the waitlist promoted in order, fees, a
 * contribution, a grant, an expense through the spend approvals, then the whole activity
 * cancelled with every refund — each balance equal to figures this file computes on its
 * own, and replay equal to live. Bad input is typed and writes nothing; outsiders are
 * FORBIDDEN and anonymous callers UNAUTHENTICATED.
 */
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { compareActivitiesReplay } from '../../src/activities/activity-replay.ts';
import { activityParticipants } from '../../src/activities/activity-participants.ts';
import { closeDueSignups } from '../../src/activities/activity-commands.ts';
import { replayMoney } from '../../src/fees/money-replay.ts';
import { createTestApp, mutate, type TestApp } from '../support/app.ts';
import {
  createAccount,
  createCommunityFixture,
  grantRole,
  registerHousehold,
  type CommunityFixture,
} from '../support/fixtures.ts';

let testApp: TestApp;
let north: CommunityFixture;
let south: CommunityFixture;
let committeeToken: string;
let now = new Date('2026-06-01T02:00:00Z');
const DAY_MS = 86_400_000;
const at = (days: number) => new Date(Date.parse('2026-06-01T02:00:00Z') + days * DAY_MS).toISOString();
const uuidOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
const em = () => testApp.database.orm.em.fork() as SqlEntityManager;

const FEE = 2_999n;
const LATE_REFUND_BASIS_POINTS = 5_000n;
const OPENING_FEN = 1_000_000n;
const GRANT_FEN = 20_000n;
const CONTRIBUTION_FEN = 10_000n;
const EXPENSE_FEN = 12_345n;

const RESULT = `__typename ... on Error { code message }`;
const ACTIVITY_FIELDS = `id status participants waitlisted fundAccountId`;
const PROPOSE = `mutation ($communityId: ID!, $activity: ActivityInput!) {
  proposeActivity(communityId: $communityId, activity: $activity) { ${RESULT} ... on MutationProposeActivitySuccess { data { ${ACTIVITY_FIELDS} } } }
}`;
const step = (name: string) => `mutation ($activityId: ID!) {
  ${name}(activityId: $activityId) { ${RESULT} ... on Mutation${name[0]!.toUpperCase()}${name.slice(1)}Success { data { ${ACTIVITY_FIELDS} } } }
}`;
const SIGN_UP = `mutation ($activityId: ID!, $householdId: ID!, $key: String!) {
  signUpForActivity(activityId: $activityId, householdId: $householdId, idempotencyKey: $key) {
    ${RESULT} ... on MutationSignUpForActivitySuccess { data { signupId replayed } }
  }
}`;
const CANCEL_SIGNUP = `mutation ($signupId: ID!) {
  cancelActivitySignup(signupId: $signupId) { ${RESULT} ... on MutationCancelActivitySignupSuccess { data { id status refund } } }
}`;
const SIGNUPS = `query ($activityId: ID!, $after: String) {
  activitySignups(activityId: $activityId, first: 15, after: $after) {
    pageInfo { hasNextPage endCursor } edges { node { id position status fee refund household } }
  }
}`;
const ACCOUNTS = `query ($communityId: ID!) { moneyAccounts(communityId: $communityId) { id kind ownerId balance } }`;
const REPORT = `query ($activityId: ID!) { activityReport(activityId: $activityId) { fees refunds contributions grant income expenses returned balance } }`;

function activityInput(overrides: Record<string, unknown> = {}) {
  return {
    title: '中秋游园会',
    description: 'Lanterns and riddles in the courtyard.',
    place: 'Courtyard garden',
    startsAt: at(12),
    endsAt: at(12.25),
    signupsCloseAt: at(10),
    capacity: 30,
    fee: FEE.toString(),
    budget: '100000',
    grant: GRANT_FEN.toString(),
    fullRefundUntil: at(5),
    lateRefundBasisPoints: Number(LATE_REFUND_BASIS_POINTS),
    ...overrides,
  };
}

async function ledgerSize(communityGlobalId: string): Promise<number> {
  const rows: Array<{ n: string | number }> = await em().execute(
    `select (select count(*) from ledger_entries where community_id = ?) + (select count(*) from ledger_pending where community_id = ?) as n`,
    [uuidOf(communityGlobalId), uuidOf(communityGlobalId)],
  );
  return Number(rows[0]!.n);
}

async function tableRows(): Promise<number> {
  const rows: Array<{ n: string | number }> = await em().execute(
    'select (select count(*) from activities) + (select count(*) from activity_signups) + (select count(*) from money_transfers) as n',
  );
  return Number(rows[0]!.n);
}

/** Nothing was written: no entry, no activity, sign-up or transfer row. */
async function expectNothingWritten(attempt: () => Promise<unknown>): Promise<void> {
  const before = [await ledgerSize(north.id), await tableRows()];
  await attempt();
  expect([await ledgerSize(north.id), await tableRows()]).toEqual(before);
}

async function allSignups(activityId: string, token: string) {
  const nodes: Array<{ id: string; position: number; status: string; fee: string; refund: string; household: string }> =
    [];
  for (let after: string | null = null; ;) {
    const page: any = await testApp.graphql(SIGNUPS, { activityId, after }, token);
    nodes.push(...page.data.activitySignups.edges.map((edge: any) => edge.node));
    if (!page.data.activitySignups.pageInfo.hasNextPage) return nodes;
    after = page.data.activitySignups.pageInfo.endCursor;
  }
}

let households: string[];

beforeAll(async () => {
  testApp = await createTestApp();
  testApp.app.services.money.jobsPaused = true;
  testApp.app.services.money.clock = { now: () => now };
  north = await createCommunityFixture(testApp, 'north-activities');
  south = await createCommunityFixture(testApp, 'south-activities');
  const committee = await createAccount(testApp, 'activities-committee');
  await grantRole(testApp, committee.id, 'COMMITTEE', { communityId: north.id });
  committeeToken = await testApp.login('activities-committee', 'a long enough password');
  households = [];
  for (let index = 1; index <= 40; index++) {
    const household = await registerHousehold(testApp, north.managerToken, {
      communityId: north.id,
      unitLabel: `north 5栋 ${100 + index}`,
      floorAreaCentiSquareMetres: 8_000 + index,
    });
    households.push(household.id);
  }
  await mutate(
    testApp,
    'openBooks',
    `mutation ($c: ID!) { openBooks(communityId: $c) { ${RESULT} ... on MutationOpenBooksSuccess { data { id } } } }`,
    { c: north.id },
    north.managerToken,
  );
  const accounts = (await testApp.graphql(ACCOUNTS, { communityId: north.id }, north.managerToken)).data.moneyAccounts;
  const account = (kind: string) => accounts.find((a: any) => a.kind === kind).id;
  await mutate(
    testApp,
    'postTransfers',
    `mutation ($c: ID!, $key: String!, $t: [TransferInput!]!) { postTransfers(communityId: $c, idempotencyKey: $key, transfers: $t) { ${RESULT} ... on MutationPostTransfersSuccess { data { batchId } } } }`,
    {
      c: north.id,
      key: 'opening-balance-1',
      t: [
        {
          debitAccountId: account('OPERATING'),
          creditAccountId: account('EXTERNAL'),
          amount: OPENING_FEN.toString(),
          code: 'OPENING_BALANCE',
        },
      ],
    },
    north.managerToken,
  );
}, 120_000);
afterAll(() => testApp.dispose());

describe('an activity with 40 sign-ups for 30 places, cancelled with every refund', () => {
  let activityId: string;
  const signupIds: string[] = [];

  it('is proposed by a resident and opened by the committee, its grant paid from the community fund', async () => {
    const proposed = await mutate(
      testApp,
      'proposeActivity',
      PROPOSE,
      { communityId: north.id, activity: activityInput() },
      north.residentToken,
    );
    expect(proposed).toMatchObject({ status: 'PROPOSED', fundAccountId: null });
    activityId = proposed.id;
    const own = await testApp.graphql(step('approveActivity'), { activityId }, north.residentToken);
    expect(own.data.approveActivity.code).toBe('FORBIDDEN');
    const approved = await mutate(testApp, 'approveActivity', step('approveActivity'), { activityId }, committeeToken);
    expect(approved.status).toBe('OPEN');
    expect(approved.fundAccountId).toEqual(expect.any(String));
  });

  it('gives the first 30 households a place and puts the next 10 on the waitlist, idempotently', async () => {
    for (const [index, household] of households.entries()) {
      const result = await mutate(
        testApp,
        'signUpForActivity',
        SIGN_UP,
        { activityId, householdId: household, key: `signup-key-${index}` },
        north.managerToken,
      );
      expect(result.replayed).toBe(false);
      signupIds.push(result.signupId);
    }
    await expectNothingWritten(async () => {
      const retried = await mutate(
        testApp,
        'signUpForActivity',
        SIGN_UP,
        { activityId, householdId: households[7], key: 'signup-key-7' },
        north.managerToken,
      );
      expect(retried).toEqual({ signupId: signupIds[7], replayed: true });
      const otherBody = await testApp.graphql(
        SIGN_UP,
        { activityId, householdId: households[8], key: 'signup-key-7' },
        north.managerToken,
      );
      expect(otherBody.data.signUpForActivity.code).toBe('CONFLICT');
      const twice = await testApp.graphql(
        SIGN_UP,
        { activityId, householdId: households[8], key: 'another-key-8' },
        north.managerToken,
      );
      expect(twice.data.signUpForActivity.code).toBe('ALREADY_SIGNED_UP');
    });
    const signups = await allSignups(activityId, north.managerToken);
    expect(signups.map((s) => s.position)).toEqual(households.map((_, index) => index + 1));
    expect(signups.map((s) => s.status)).toEqual([...Array(30).fill('PARTICIPANT'), ...Array(10).fill('WAITLISTED')]);
  });

  it('refunds 3 early and 2 late cancellations under the rule and promotes the waitlist in order', async () => {
    // Positions are 1-based; indexes into signupIds are 0-based.
    for (const index of [1, 4, 8]) {
      const cancelled = await mutate(
        testApp,
        'cancelActivitySignup',
        CANCEL_SIGNUP,
        { signupId: signupIds[index] },
        north.managerToken,
      );
      expect(cancelled).toMatchObject({ status: 'CANCELLED', refund: FEE.toString() });
    }
    now = new Date(at(6)); // past fullRefundUntil, before sign-ups close
    for (const index of [9, 30]) {
      const cancelled = await mutate(
        testApp,
        'cancelActivitySignup',
        CANCEL_SIGNUP,
        { signupId: signupIds[index] },
        north.managerToken,
      );
      expect(cancelled.status).toBe('CANCELLED');
    }
    const again = await testApp.graphql(CANCEL_SIGNUP, { signupId: signupIds[9] }, north.managerToken);
    expect(again.data.cancelActivitySignup.code).toBe('SIGNUP_NOT_ACTIVE');
    const signups = await allSignups(activityId, north.managerToken);
    const statusAt = (position: number) => signups.find((s) => s.position === position)!.status;
    // Positions 31, 32, 33 took the first three places; 31 then left; 34 and 35 took the late two.
    expect([2, 5, 9, 10, 31].map(statusAt)).toEqual(Array(5).fill('CANCELLED'));
    expect([32, 33, 34, 35].map(statusAt)).toEqual(Array(4).fill('PARTICIPANT'));
    expect([36, 37, 38, 39, 40].map(statusAt)).toEqual(Array(5).fill('WAITLISTED'));
    expect(signups.filter((s) => s.status === 'PARTICIPANT')).toHaveLength(30);
    const lateRefund = (FEE * LATE_REFUND_BASIS_POINTS * 2n + 10_000n) / 20_000n; // half up
    expect(signups.find((s) => s.position === 10)!.refund).toBe(lateRefund.toString());
  });

  it('takes a contribution once and an expense through the spend approvals', async () => {
    const CONTRIBUTE = `mutation ($activityId: ID!, $amount: Money!, $key: String!) {
      contributeToActivity(activityId: $activityId, amount: $amount, idempotencyKey: $key) { ${RESULT} ... on MutationContributeToActivitySuccess { data } }
    }`;
    const variables = { activityId, amount: CONTRIBUTION_FEN.toString(), key: 'sponsor-gift-1' };
    expect(await mutate(testApp, 'contributeToActivity', CONTRIBUTE, variables, north.residentToken)).toBe(false);
    expect(await mutate(testApp, 'contributeToActivity', CONTRIBUTE, variables, north.residentToken)).toBe(true);
    const spendId = await mutate(
      testApp,
      'proposeActivityExpense',
      `mutation ($activityId: ID!, $amount: Money!, $receipt: String!) {
        proposeActivityExpense(activityId: $activityId, amount: $amount, payeeId: "lantern-shop", purpose: "Lanterns", receiptHash: $receipt) {
          ${RESULT} ... on MutationProposeActivityExpenseSuccess { data }
        }
      }`,
      { activityId, amount: EXPENSE_FEN.toString(), receipt: 'ab'.repeat(32) },
      north.residentToken,
    );
    const spend = (name: string) =>
      `mutation ($c: ID!, $s: String!) { ${name}(communityId: $c, spendId: $s) { ${RESULT} ... on Mutation${name[0]!.toUpperCase()}${name.slice(1)}Success { data { id } } } }`;
    await mutate(testApp, 'approveSpend', spend('approveSpend'), { c: north.id, s: spendId }, committeeToken);
    await mutate(testApp, 'executeSpend', spend('executeSpend'), { c: north.id, s: spendId }, north.managerToken);
  });

  it('cancels the whole activity: every fee refunded, the rest back to the community fund, to the fen', async () => {
    const cancelled = await mutate(
      testApp,
      'cancelActivity',
      step('cancelActivity'),
      { activityId },
      north.managerToken,
    );
    expect(cancelled).toMatchObject({ status: 'CANCELLED', participants: 0, waitlisted: 0 });

    // Independent figures: 40 fees in; 3 early refunds in full, 2 late at half (rounded half up);
    // then the 35 still signed up refunded in full.
    const lateRefund = (FEE * LATE_REFUND_BASIS_POINTS * 2n + 10_000n) / 20_000n;
    const fees = 40n * FEE;
    const refunds = 3n * FEE + 2n * lateRefund + 35n * FEE;
    const returned = fees - refunds + CONTRIBUTION_FEN + GRANT_FEN - EXPENSE_FEN;
    const report = (await testApp.graphql(REPORT, { activityId }, north.residentToken)).data.activityReport;
    expect(report).toEqual({
      fees: fees.toString(),
      refunds: refunds.toString(),
      contributions: CONTRIBUTION_FEN.toString(),
      grant: GRANT_FEN.toString(),
      income: (fees - refunds + CONTRIBUTION_FEN + GRANT_FEN).toString(),
      expenses: EXPENSE_FEN.toString(),
      returned: returned.toString(),
      balance: '0',
    });
    const accounts = (await testApp.graphql(ACCOUNTS, { communityId: north.id }, north.managerToken)).data
      .moneyAccounts;
    const balance = (kind: string, ownerId: string | null = null) =>
      accounts.find((a: any) => a.kind === kind && a.ownerId === ownerId).balance;
    expect(balance('ACTIVITY_FUND', activityId)).toBe('0');
    expect(balance('OPERATING')).toBe((OPENING_FEN - GRANT_FEN + returned).toString());
    expect(balance('EXPENSES')).toBe(EXPENSE_FEN.toString());

    const signups = await allSignups(activityId, north.managerToken);
    const kept = signups.reduce((sum, s) => sum + BigInt(s.fee) - BigInt(s.refund), 0n);
    expect(kept).toBe(2n * (FEE - lateRefund)); // only the late cancellers paid anything in the end
    expect(signups.filter((s) => s.status === 'REFUNDED')).toHaveLength(35);
    expect(await activityParticipants(em(), activityId)).toBeNull();
  });

  it('replays to exactly the live activity, sign-ups and money', async () => {
    const activities = await compareActivitiesReplay(em(), uuidOf(north.id));
    expect(activities.differences).toEqual([]);
    expect(activities.entries).toBe(1 + 1 + 40 + 5 + 1 + 1 + 1);
    expect((await replayMoney(em(), uuidOf(north.id))).differences).toEqual([]);
    const payloads: Array<{ payload: string }> = await em().execute(
      `select payload::text as payload from ledger_entries where community_id = ? and type like 'activities.%'`,
      [uuidOf(north.id)],
    );
    for (const { payload } of payloads) expect(payload).not.toMatch(/中秋|Lanterns|Courtyard garden|north 5栋/u);
  });
});

describe('closing sign-ups and settling', () => {
  it('fixes the participant list, refunds the waitlist, and returns the balance after the end', async () => {
    now = new Date('2026-06-01T02:00:00Z');
    await mutate(
      testApp,
      'setActivitySettings',
      `mutation ($c: ID!) { setActivitySettings(communityId: $c, approvalRequired: false) { ${RESULT} ... on MutationSetActivitySettingsSuccess { data } } }`,
      { c: north.id },
      north.managerToken,
    );
    const opened = await mutate(
      testApp,
      'proposeActivity',
      PROPOSE,
      { communityId: north.id, activity: activityInput({ capacity: 2, grant: '0', fee: '1000' }) },
      north.residentToken,
    );
    expect(opened.status).toBe('OPEN');
    for (const [index, household] of households.slice(0, 3).entries()) {
      await mutate(
        testApp,
        'signUpForActivity',
        SIGN_UP,
        { activityId: opened.id, householdId: household, key: `small-${index}-key` },
        north.managerToken,
      );
    }
    const early = await testApp.graphql(step('settleActivity'), { activityId: opened.id }, north.residentToken);
    expect(early.data.settleActivity.code).toBe('INVALID_TRANSITION');
    const closed = await mutate(
      testApp,
      'closeActivitySignups',
      step('closeActivitySignups'),
      { activityId: opened.id },
      north.residentToken,
    );
    expect(closed).toMatchObject({ status: 'CLOSED', participants: 2, waitlisted: 0 });
    expect(await activityParticipants(em(), opened.id)).toEqual(households.slice(0, 2).map(uuidOf));
    const late = await testApp.graphql(
      SIGN_UP,
      { activityId: opened.id, householdId: households[5], key: 'too-late-key' },
      north.managerToken,
    );
    expect(late.data.signUpForActivity.code).toBe('INVALID_TRANSITION');
    const notEnded = await testApp.graphql(step('settleActivity'), { activityId: opened.id }, north.residentToken);
    expect(notEnded.data.settleActivity.code).toBe('ACTIVITY_NOT_ENDED');
    now = new Date(at(13));
    const settled = await mutate(
      testApp,
      'settleActivity',
      step('settleActivity'),
      { activityId: opened.id },
      north.residentToken,
    );
    expect(settled.status).toBe('SETTLED');
    const report = (await testApp.graphql(REPORT, { activityId: opened.id }, north.residentToken)).data.activityReport;
    expect(report).toMatchObject({ fees: '3000', refunds: '1000', returned: '2000', balance: '0' });
    expect((await compareActivitiesReplay(em(), uuidOf(north.id))).differences).toEqual([]);
  });
});

describe('sign-ups closing at their set time', () => {
  it('refuses late sign-ups, and the closing job records the participants and refunds the waitlist', async () => {
    now = new Date('2026-06-01T02:00:00Z');
    const activity = await mutate(
      testApp,
      'proposeActivity',
      PROPOSE,
      { communityId: north.id, activity: activityInput({ capacity: 1, grant: '0', fee: '500' }) },
      north.residentToken,
    );
    for (const [index, household] of households.slice(10, 12).entries()) {
      await mutate(
        testApp,
        'signUpForActivity',
        SIGN_UP,
        { activityId: activity.id, householdId: household, key: `timed-${index}-key` },
        north.managerToken,
      );
    }
    now = new Date(at(10));
    const late = await testApp.graphql(
      SIGN_UP,
      { activityId: activity.id, householdId: households[12], key: 'timed-late-key' },
      north.managerToken,
    );
    expect(late.data.signUpForActivity.code).toBe('SIGNUPS_CLOSED');
    const context = { services: testApp.app.services, em: em() };
    expect(await closeDueSignups(context)).toEqual({ closed: 1, refused: [] });
    expect(await closeDueSignups(context)).toEqual({ closed: 0, refused: [] });
    expect(await activityParticipants(em(), activity.id)).toEqual([uuidOf(households[10]!)]);
    const report = (await testApp.graphql(REPORT, { activityId: activity.id }, north.residentToken)).data
      .activityReport;
    expect(report).toMatchObject({ fees: '1000', refunds: '500', balance: '500' });
  });
});

describe('concurrent sign-ups', () => {
  it('never gives more places than the capacity, numbers every sign-up once, and pays a retried key once', async () => {
    now = new Date('2026-06-01T02:00:00Z');
    const activity = await mutate(
      testApp,
      'proposeActivity',
      PROPOSE,
      { communityId: north.id, activity: activityInput({ capacity: 8, grant: '0' }) },
      north.residentToken,
    );
    const racing = households
      .slice(20, 32)
      .map((household, index) =>
        testApp.graphql(
          SIGN_UP,
          { activityId: activity.id, householdId: household, key: `race-${index}-key` },
          north.managerToken,
        ),
      );
    const retries = Array.from({ length: 6 }, () =>
      testApp.graphql(
        SIGN_UP,
        { activityId: activity.id, householdId: households[32], key: 'race-retried-key' },
        north.managerToken,
      ),
    );
    const results = await Promise.all([...racing, ...retries]);
    for (const result of results)
      expect(result.data.signUpForActivity.__typename).toBe('MutationSignUpForActivitySuccess');
    const retried = results.slice(12).map((result) => result.data.signUpForActivity.data);
    expect(new Set(retried.map((result: any) => result.signupId)).size).toBe(1);
    expect(retried.filter((result: any) => !result.replayed)).toHaveLength(1);
    const signups = await allSignups(activity.id, north.managerToken);
    expect(signups.map((s) => s.position)).toEqual(Array.from({ length: 13 }, (_, index) => index + 1));
    expect(signups.filter((s) => s.status === 'PARTICIPANT')).toHaveLength(8);
    expect(signups.slice(8).every((s) => s.status === 'WAITLISTED')).toBe(true);
    const report = (await testApp.graphql(REPORT, { activityId: activity.id }, north.residentToken)).data
      .activityReport;
    expect(report.fees).toBe((13n * FEE).toString());
    expect((await compareActivitiesReplay(em(), uuidOf(north.id))).differences).toEqual([]);
  });
});

describe('approval', () => {
  it('keeps a proposal asking for a grant waiting even where no approval is required, and a rejected one takes no sign-ups', async () => {
    now = new Date('2026-06-01T02:00:00Z');
    const free = await mutate(
      testApp,
      'proposeActivity',
      PROPOSE,
      { communityId: north.id, activity: activityInput({ grant: '0' }) },
      north.residentToken,
    );
    expect(free.status).toBe('OPEN');
    const withGrant = await mutate(
      testApp,
      'proposeActivity',
      PROPOSE,
      { communityId: north.id, activity: activityInput() },
      north.residentToken,
    );
    expect(withGrant).toMatchObject({ status: 'PROPOSED', fundAccountId: null });
    const rejected = await mutate(
      testApp,
      'rejectActivity',
      step('rejectActivity'),
      { activityId: withGrant.id },
      north.managerToken,
    );
    expect(rejected.status).toBe('REJECTED');
    const again = await testApp.graphql(step('approveActivity'), { activityId: withGrant.id }, committeeToken);
    expect(again.data.approveActivity.code).toBe('INVALID_TRANSITION');
    const signup = await testApp.graphql(
      SIGN_UP,
      { activityId: withGrant.id, householdId: households[0], key: 'rejected-key' },
      north.managerToken,
    );
    expect(signup.data.signUpForActivity.code).toBe('INVALID_TRANSITION');
  });
});

describe('lists', () => {
  it("pages the community's activities by keyset, newest first, for its readers", async () => {
    const LIST = `query ($c: ID!, $after: String) { activities(communityId: $c, first: 2, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id createdAt } } } }`;
    const seen: Array<{ id: string; createdAt: string }> = [];
    for (let after: string | null = null; ;) {
      const page: any = await testApp.graphql(LIST, { c: north.id, after }, north.residentToken);
      seen.push(...page.data.activities.edges.map((edge: any) => edge.node));
      if (!page.data.activities.pageInfo.hasNextPage) break;
      after = page.data.activities.pageInfo.endCursor;
    }
    const rows: Array<{ id: string }> = await em().execute(
      'select id from activities order by created_at desc, id desc',
    );
    expect(seen.map((activity) => activity.id)).toEqual(rows.map((row) => row.id));
    expect(seen.length).toBeGreaterThan(2);
    const outsider = await testApp.graphql(LIST, { c: north.id }, south.residentToken);
    expect(outsider.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('refusals', () => {
  it('refuses bad input with a typed error and writes nothing', async () => {
    now = new Date('2026-06-01T02:00:00Z');
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ capacity: 0 }, 'INVALID_INPUT'],
      [{ endsAt: at(11) }, 'INVALID_INPUT'],
      [{ fullRefundUntil: at(11) }, 'INVALID_INPUT'],
      [{ lateRefundBasisPoints: 10_001 }, 'INVALID_INPUT'],
      [{ grant: '100001' }, 'INVALID_INPUT'],
      [{ title: 'bad\u0000title' }, 'INVALID_INPUT'],
    ];
    await expectNothingWritten(async () => {
      for (const [overrides, code] of cases) {
        const result = await testApp.graphql(
          PROPOSE,
          { communityId: north.id, activity: activityInput(overrides) },
          north.residentToken,
        );
        const error = result.data?.proposeActivity ?? { code: result.errors?.[0]?.extensions?.code };
        expect([overrides, error.code]).toEqual([overrides, code]);
      }
      const badKey = await testApp.graphql(
        SIGN_UP,
        { activityId: '00000000-0000-4000-8000-000000000001', householdId: households[0], key: 'short' },
        north.managerToken,
      );
      expect(badKey.data?.signUpForActivity?.code ?? badKey.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
      const missing = await testApp.graphql(
        step('cancelActivity'),
        { activityId: '00000000-0000-4000-8000-000000000001' },
        north.managerToken,
      );
      expect(missing.data.cancelActivity.code).toBe('NOT_FOUND');
    });
  });

  it('refuses outsiders with FORBIDDEN and anonymous callers with UNAUTHENTICATED, writing nothing', async () => {
    const activity = await mutate(
      testApp,
      'proposeActivity',
      PROPOSE,
      { communityId: north.id, activity: activityInput({ grant: '0' }) },
      north.managerToken,
    );
    await expectNothingWritten(async () => {
      const outsider = await testApp.graphql(
        SIGN_UP,
        { activityId: activity.id, householdId: south.householdId, key: 'outsider-key' },
        south.managerToken,
      );
      expect(outsider.data.signUpForActivity.code).toBe('FORBIDDEN');
      const outsiderProposal = await testApp.graphql(
        PROPOSE,
        { communityId: north.id, activity: activityInput() },
        south.residentToken,
      );
      expect(outsiderProposal.data.proposeActivity.code).toBe('FORBIDDEN');
      const outsiderCancel = await testApp.graphql(
        step('cancelActivity'),
        { activityId: activity.id },
        south.managerToken,
      );
      expect(outsiderCancel.data.cancelActivity.code).toBe('FORBIDDEN');
      const outsiderRead = await testApp.graphql(
        `query ($a: ID!) { activity(activityId: $a) { id } }`,
        { a: activity.id },
        south.residentToken,
      );
      expect(outsiderRead.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const notTheirHousehold = await testApp.graphql(
        SIGN_UP,
        { activityId: activity.id, householdId: households[0], key: 'neighbour-key' },
        north.residentToken,
      );
      expect(notTheirHousehold.data.signUpForActivity.code).toBe('FORBIDDEN');
      const residentReadsList = await testApp.graphql(SIGNUPS, { activityId: activity.id }, north.residentToken);
      expect(residentReadsList.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const anonymous = await testApp.graphql(
        SIGN_UP,
        { activityId: activity.id, householdId: households[0], key: 'anonymous-key' },
        null,
      );
      expect(anonymous.errors?.[0]?.extensions?.code ?? anonymous.data?.signUpForActivity?.code).toBe(
        'UNAUTHENTICATED',
      );
      const anonymousRead = await testApp.graphql(
        `query ($a: ID!) { activity(activityId: $a) { id } }`,
        { a: activity.id },
        null,
      );
      expect(anonymousRead.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    });
  });

  it('refuses to cancel an activity whose fees were spent, writing none of its refunds', async () => {
    const activity = await mutate(
      testApp,
      'proposeActivity',
      PROPOSE,
      { communityId: north.id, activity: activityInput({ grant: '0', fee: '1000' }) },
      north.residentToken,
    );
    for (const [index, household] of households.slice(0, 2).entries()) {
      await mutate(
        testApp,
        'signUpForActivity',
        SIGN_UP,
        { activityId: activity.id, householdId: household, key: `spent-${index}-key` },
        north.managerToken,
      );
    }
    const spendId = (
      await testApp.graphql(
        `mutation ($a: ID!) { proposeActivityExpense(activityId: $a, amount: "1500", payeeId: "hall-rental", purpose: "Hall", receiptHash: "${'cd'.repeat(32)}") { ${RESULT} ... on MutationProposeActivityExpenseSuccess { data } } }`,
        { a: activity.id },
        north.residentToken,
      )
    ).data.proposeActivityExpense.data;
    const spend = (name: string) =>
      `mutation ($c: ID!, $s: String!) { ${name}(communityId: $c, spendId: $s) { ${RESULT} } }`;
    await testApp.graphql(spend('approveSpend'), { c: north.id, s: spendId }, committeeToken);
    await testApp.graphql(spend('executeSpend'), { c: north.id, s: spendId }, north.managerToken);
    await expectNothingWritten(async () => {
      const refused = await testApp.graphql(step('cancelActivity'), { activityId: activity.id }, north.managerToken);
      expect(refused.data.cancelActivity.code).toBe('BALANCE_RULE_BROKEN');
    });
    const report = (await testApp.graphql(REPORT, { activityId: activity.id }, north.residentToken)).data
      .activityReport;
    expect(report).toMatchObject({ fees: '2000', refunds: '0', expenses: '1500', balance: '500' });
  });

  it('names a sign-up changed behind the ledger in the replay', async () => {
    const connection = em();
    await connection.execute(
      `update activity_signups set record = jsonb_set(record, '{position}', '99') where id = (select id from activity_signups order by position limit 1)`,
    );
    const { differences } = await compareActivitiesReplay(connection, uuidOf(north.id));
    expect(differences).toEqual([
      { description: expect.stringMatching(/^sign-up [0-9a-f-]{36}: live differs from replay$/u) },
    ]);
  });
});
