/**
 * Money over GraphQL (yoga.fetch, a real database): who may do what, the Money scalar as a
 * string of fen, idempotent payments through the API, residents seeing only their own
 * household, aggregates for regulators, expense approvals, and the payment webhook's
 * refusals — each typed, each writing nothing.
 */
import { readFileSync } from 'node:fs';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { signWebhook } from '../../src/fees/payment-webhook.ts';
import { replayMoney } from '../../src/fees/money-replay.ts';
import { queueApproverReminders } from '../../src/fees/approver-reminders.ts';
import { readTable } from '../../src/fees/money-commands.ts';
import { createTestApp, mutate, type TestApp } from '../support/app.ts';
import {
  CLOSE,
  CREATE,
  localId,
  OPEN,
  PAPER,
  passClose,
  seedOwners,
  window,
} from '../governance/support/governance-fixture.ts';
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
const now = new Date('2026-03-01T02:00:00Z');
const uuidOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
const em = () => testApp.database.orm.em.fork() as SqlEntityManager;

async function rows(sql: string, parameters: unknown[] = []): Promise<number> {
  const result: Array<{ n: string | number }> = await em().execute(sql, parameters);
  return Number(result[0]!.n);
}

const SCHEDULE = `mutation ($communityId: ID!, $schedule: FeeScheduleInput!) {
  defineFeeSchedule(communityId: $communityId, schedule: $schedule) {
    __typename ... on MutationDefineFeeScheduleSuccess { data { scheduleId version } } ... on Error { code message }
  }
}`;
const ISSUE = `mutation ($communityId: ID!, $scheduleId: String!, $periodId: String!) {
  issueInvoices(communityId: $communityId, scheduleId: $scheduleId, periodId: $periodId) {
    __typename ... on MutationIssueInvoicesSuccess { data { issued alreadyIssued notApplicable } } ... on Error { code message }
  }
}`;
const PAY = `mutation ($communityId: ID!, $householdId: ID!, $amount: Money!, $key: String!) {
  recordPayment(communityId: $communityId, householdId: $householdId, amount: $amount, idempotencyKey: $key) {
    __typename
    ... on MutationRecordPaymentSuccess { data { replayed payment { id amount toCredit settled { invoiceId amount } } } }
    ... on Error { code message }
  }
}`;
const INVOICES = `query ($communityId: ID!, $householdId: ID!) {
  householdInvoices(communityId: $communityId, householdId: $householdId) { edges { node { id periodId principal paid open dueDate household } } }
}`;

let scheduleId: string;
let regulatorToken: string;
let committeeTokens: string[];

beforeAll(async () => {
  testApp = await createTestApp();
  testApp.app.services.money.jobsPaused = true;
  testApp.app.services.money.clock = { now: () => now };
  testApp.app.services.money.webhookSecrets.set('wxpay', 'test-webhook-secret');
  const jurisdiction = await mutate(
    testApp,
    'createJurisdiction',
    `mutation { createJurisdiction(name: "Haidian") { __typename ... on MutationCreateJurisdictionSuccess { data { id } } ... on Error { code } } }`,
    {},
    testApp.adminToken,
  );
  north = await createCommunityFixture(testApp, 'north-money', jurisdiction.id);
  south = await createCommunityFixture(testApp, 'south-money');
  const regulator = await createAccount(testApp, 'money-regulator');
  await grantRole(testApp, regulator.id, 'REGULATOR', { jurisdictionId: jurisdiction.id });
  regulatorToken = await testApp.login('money-regulator', 'a long enough password');
  committeeTokens = [];
  for (const name of ['money-committee-a', 'money-committee-b']) {
    const member = await createAccount(testApp, name);
    await grantRole(testApp, member.id, 'COMMITTEE', { communityId: north.id });
    committeeTokens.push(await testApp.login(name, 'a long enough password'));
  }
  await mutate(
    testApp,
    'openBooks',
    `mutation ($c: ID!) { openBooks(communityId: $c) { __typename ... on MutationOpenBooksSuccess { data { id } } ... on Error { code message } } }`,
    { c: north.id },
    north.managerToken,
  );
  const schedule = await mutate(
    testApp,
    'defineFeeSchedule',
    SCHEDULE,
    {
      communityId: north.id,
      schedule: {
        frequency: 'MONTH',
        effectiveFromPeriodId: '2026-03',
        ratePerSquareMetreMonth: '150',
        dueDay: 10,
        graceDays: 0,
        lateFee: { kind: 'FIXED', amount: '500', cap: '500' },
      },
    },
    north.managerToken,
  );
  scheduleId = schedule.scheduleId;
});
afterAll(() => testApp.dispose());

describe('money over GraphQL', () => {
  it('lets only a manager of the community run the books', async () => {
    const asResident = await testApp.graphql(
      ISSUE,
      { communityId: north.id, scheduleId, periodId: '2026-03' },
      north.residentToken,
    );
    expect(asResident.data.issueInvoices).toMatchObject({ code: 'FORBIDDEN' });
    const otherManager = await testApp.graphql(
      ISSUE,
      { communityId: north.id, scheduleId, periodId: '2026-03' },
      south.managerToken,
    );
    expect(otherManager.data.issueInvoices).toMatchObject({ code: 'FORBIDDEN' });
    const accounts = await testApp.graphql(
      `query ($c: ID!) { moneyAccounts(communityId: $c) { id } }`,
      { c: north.id },
      north.residentToken,
    );
    expect(accounts.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await rows('select count(*) as n from money_invoices')).toBe(0);
  });

  it('issues invoices once per period, with the amount rounded half up once per invoice', async () => {
    const first = await mutate(
      testApp,
      'issueInvoices',
      ISSUE,
      { communityId: north.id, scheduleId, periodId: '2026-03' },
      north.managerToken,
    );
    const again = await mutate(
      testApp,
      'issueInvoices',
      ISSUE,
      { communityId: north.id, scheduleId, periodId: '2026-03' },
      north.managerToken,
    );
    expect(first).toEqual({ issued: 1, alreadyIssued: 0, notApplicable: 0 });
    expect(again).toEqual({ issued: 0, alreadyIssued: 1, notApplicable: 0 });
    const invoices = await testApp.graphql(
      INVOICES,
      { communityId: north.id, householdId: north.householdId },
      north.residentToken,
    );
    // 89.50 m² × 1.50 yuan = 134.25 yuan = 13,425 fen: a string of fen.
    expect(invoices.data.householdInvoices.edges.map((edge: { node: unknown }) => edge.node)).toEqual([
      expect.objectContaining({
        periodId: '2026-03',
        principal: '13425',
        paid: '0',
        open: '13425',
        dueDate: '2026-03-10',
        household: north.householdId,
      }),
    ]);
  });

  it("shows a resident their own household's invoices and never another's", async () => {
    const other = await registerHousehold(testApp, north.managerToken, {
      communityId: north.id,
      unitLabel: 'north 9-9-909',
      floorAreaCentiSquareMetres: 5000,
    });
    const refused = await testApp.graphql(
      INVOICES,
      { communityId: north.id, householdId: other.id },
      north.residentToken,
    );
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const crossCommunity = await testApp.graphql(
      INVOICES,
      { communityId: north.id, householdId: north.householdId },
      south.residentToken,
    );
    expect(crossCommunity.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const wrongCommunity = await testApp.graphql(
      INVOICES,
      { communityId: south.id, householdId: north.householdId },
      south.managerToken,
    );
    expect(wrongCommunity.errors?.[0]?.extensions?.code).toBe('NOT_FOUND');
  });

  it('records 50 concurrent retries of one payment as one payment, and refuses the key with another amount', async () => {
    const variables = { communityId: north.id, householdId: north.householdId, amount: '20000', key: 'pay-north-0001' };
    const results = await Promise.all(
      Array.from({ length: 50 }, () => testApp.graphql(PAY, variables, north.managerToken)),
    );
    const payments = results.map((result) => result.data.recordPayment.data);
    expect(new Set(payments.map((payment) => payment.payment.id)).size).toBe(1);
    expect(payments.filter((payment) => !payment.replayed)).toHaveLength(1);
    expect(payments[0].payment).toMatchObject({
      amount: '20000',
      toCredit: '6575',
      settled: [expect.objectContaining({ amount: '13425' })],
    });
    const entriesBefore = await rows(`select count(*) as n from ledger_pending where type = 'fees.payment-recorded'`);
    const conflict = await testApp.graphql(PAY, { ...variables, amount: '20001' }, north.managerToken);
    expect(conflict.data.recordPayment).toMatchObject({ code: 'CONFLICT' });
    expect(await rows(`select count(*) as n from ledger_pending where type = 'fees.payment-recorded'`)).toBe(
      entriesBefore,
    );
    expect(await rows(`select count(*) as n from money_payments`)).toBe(1);
  });

  it('gives a receipt and a 90-day statement to the household, and aggregates to a regulator but not households', async () => {
    const paymentId = (
      await testApp.graphql(
        `query ($c: ID!, $h: ID!) { householdPayments(communityId: $c, householdId: $h) { edges { node { id } } } }`,
        { c: north.id, h: north.householdId },
        north.residentToken,
      )
    ).data.householdPayments.edges[0].node.id;
    const receipt = await testApp.graphql(
      `query ($c: ID!, $p: String!) { paymentReceipt(communityId: $c, paymentId: $p) { amount toCredit settled { periodId amount } } }`,
      { c: north.id, p: paymentId },
      north.residentToken,
    );
    expect(receipt.data.paymentReceipt).toEqual({
      amount: '20000',
      toCredit: '6575',
      settled: [{ periodId: '2026-03', amount: '13425' }],
    });
    const statement = await testApp.graphql(
      `query ($c: ID!, $h: ID!) { householdStatement(communityId: $c, householdId: $h) { from to open lines { kind amount } } }`,
      { c: north.id, h: north.householdId },
      north.residentToken,
    );
    expect(statement.data.householdStatement).toEqual({
      from: '2025-12-02',
      to: '2026-03-01',
      open: '0',
      lines: [
        { kind: 'invoice', amount: '13425' },
        { kind: 'payment', amount: '-20000' },
      ],
    });
    const rate = await testApp.graphql(
      `query ($c: ID!) { collectionRate(communityId: $c, periodId: "2026-03") { billed collected rateBasisPoints } }`,
      { c: north.id },
      regulatorToken,
    );
    expect(rate.data.collectionRate).toEqual({ billed: '13425', collected: '13425', rateBasisPoints: 10000 });
    const household = await testApp.graphql(
      INVOICES,
      { communityId: north.id, householdId: north.householdId },
      regulatorToken,
    );
    expect(household.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('executes a spend only once its approvals are in, and refuses the proposer approving their own', async () => {
    const operatingId = (
      await testApp.graphql(
        `query ($c: ID!) { moneyAccounts(communityId: $c) { id kind } }`,
        { c: north.id },
        north.managerToken,
      )
    ).data.moneyAccounts.find((account: { kind: string }) => account.kind === 'OPERATING').id;
    const hash = 'ab'.repeat(32);
    const proposed = await mutate(
      testApp,
      'proposeSpend',
      `mutation ($c: ID!, $a: String!) { proposeSpend(communityId: $c, accountId: $a, amount: "600000", payeeId: "payee-1", purposeHash: "${hash}", receiptHash: "${hash}") {
        __typename ... on MutationProposeSpendSuccess { data { id status approvalsRequired } } ... on Error { code message } } }`,
      { c: north.id, a: operatingId },
      north.managerToken,
    );
    // 6,000 yuan is above the manager's limit: 3 of 5 committee approvals by default.
    expect(proposed).toMatchObject({ status: 'proposed', approvalsRequired: 3 });
    const decide = (name: string, token: string) =>
      testApp.graphql(
        `mutation ($c: ID!, $s: String!) { ${name}(communityId: $c, spendId: $s) { __typename ... on Error { code } } }`,
        { c: north.id, s: proposed.id },
        token,
      );
    expect((await decide('approveSpend', north.managerToken)).data.approveSpend).toMatchObject({ code: 'FORBIDDEN' });
    await decide('approveSpend', committeeTokens[0]!);
    const early = await decide('executeSpend', north.managerToken);
    expect(early.data.executeSpend.code).toBe('INVALID_TRANSITION');
    expect(await rows(`select count(*) as n from money_transfers where code = 'spend'`)).toBe(0);
  });

  it('reminds approvers who have not acted on a waiting spend, each step once even with two runners at once', async () => {
    const communityId = uuidOf(north.id);
    // Both runners as the money day runs them, at the same moment, each with its own connection.
    const remindTwiceAtOnce = async (on: string) =>
      (
        await Promise.all(
          [0, 1].map(async () => {
            const waiting = await readTable(em(), communityId, 'spends', `status = 'proposed'`);
            return queueApproverReminders(em(), communityId, waiting.values(), on, now);
          }),
        )
      ).flat();
    // The 6,000-yuan spend above waits for committee approvals; the manager proposed it, member a approved it.
    expect(await remindTwiceAtOnce('2026-03-03')).toEqual([]);
    const first = await remindTwiceAtOnce('2026-03-04');
    expect(first).toHaveLength(1);
    expect(first[0]!.step).toBe(1);
    expect(await remindTwiceAtOnce('2026-03-05')).toEqual([]);
    expect(await remindTwiceAtOnce('2026-03-07')).toEqual([{ ...first[0]!, step: 2 }]);
    const mine = (token: string) =>
      testApp.graphql(
        `query ($c: ID!) { myApproverReminders(communityId: $c, first: 10) { edges { node { spendId step queuedOn } } } }`,
        { c: north.id },
        token,
      );
    const remindedB = (await mine(committeeTokens[1]!)).data.myApproverReminders.edges.map(
      (edge: { node: unknown }) => edge.node,
    );
    expect(remindedB).toEqual([
      { spendId: first[0]!.spendId, step: 2, queuedOn: '2026-03-07' },
      { spendId: first[0]!.spendId, step: 1, queuedOn: '2026-03-04' },
    ]);
    expect((await mine(committeeTokens[0]!)).data.myApproverReminders.edges).toEqual([]);
    expect((await mine(north.residentToken)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    // Once it no longer waits, nobody is reminded of it.
    await mutate(
      testApp,
      'rejectSpend',
      `mutation ($c: ID!, $s: String!) { rejectSpend(communityId: $c, spendId: $s) { __typename ... on MutationRejectSpendSuccess { data { status } } ... on Error { code message } } }`,
      { c: north.id, s: first[0]!.spendId },
      committeeTokens[1]!,
    );
    expect(await remindTwiceAtOnce('2026-03-10')).toEqual([]);
    expect(await rows('select count(*) as n from money_approver_reminders')).toBe(2);
  });

  it("spends from the maintenance fund only with an owners' proposal on it that passed in governance", async () => {
    // Real proposals of the governance module: two owners vote on paper, the committee closes.
    const [first, second] = await seedOwners(testApp, north.id, [3_000, 2_000]);
    const ownersProposal = async (matter: number, choice: 'yes' | 'no'): Promise<string> => {
      const created = await mutate(
        testApp,
        'createProposal',
        CREATE,
        {
          communityId: north.id,
          title: 'Roof',
          body: 'Repair the roof.',
          matter,
          census: 'OWNERS',
          mode: 'NAMED',
          objectionDays: 0,
          ...window(),
        },
        committeeTokens[0]!,
      );
      await mutate(testApp, 'openProposal', OPEN, { id: created.id }, committeeTokens[0]!);
      for (const owner of [first!, second!])
        await mutate(
          testApp,
          'enterPaperBallot',
          PAPER,
          { id: created.id, leafIndex: owner.leafIndex, choice },
          committeeTokens[0]!,
        );
      await passClose(testApp, created.id);
      const closed = await mutate(testApp, 'closeProposal', CLOSE, { id: created.id }, committeeTokens[0]!);
      expect(closed.result).toMatchObject({ passed: choice === 'yes', final: true });
      return localId(created.id);
    };
    const passedProposal = await ownersProposal(5, 'yes');
    const failedProposal = await ownersProposal(5, 'no');
    const otherMatter = await ownersProposal(4, 'yes');
    const accounts = (
      await testApp.graphql(
        `query ($c: ID!) { moneyAccounts(communityId: $c) { id kind } }`,
        { c: north.id },
        north.managerToken,
      )
    ).data.moneyAccounts;
    const idOf = (kind: string) => accounts.find((account: { kind: string }) => account.kind === kind).id;
    await mutate(
      testApp,
      'postTransfers',
      `mutation ($c: ID!, $t: [TransferInput!]!) { postTransfers(communityId: $c, idempotencyKey: "fund-deposit-01", transfers: $t) {
        __typename ... on MutationPostTransfersSuccess { data { batchId } } ... on Error { code message } } }`,
      {
        c: north.id,
        t: [
          {
            debitAccountId: idOf('MAINTENANCE_FUND'),
            creditAccountId: idOf('EXTERNAL'),
            amount: '50000',
            code: 'CONTRIBUTION',
          },
        ],
      },
      north.managerToken,
    );
    const hash = 'cd'.repeat(32);
    const propose = (proposalId: string) =>
      mutate(
        testApp,
        'proposeSpend',
        `mutation ($c: ID!, $a: String!, $p: String) { proposeSpend(communityId: $c, accountId: $a, amount: "30000", payeeId: "roof-co", purposeHash: "${hash}", receiptHash: "${hash}", ownersProposalId: $p) {
          __typename ... on MutationProposeSpendSuccess { data { id needsOwnersProposal } } ... on Error { code message } } }`,
        { c: north.id, a: idOf('MAINTENANCE_FUND'), p: proposalId },
        north.managerToken,
      );
    const decide = (name: string, spendId: string, token: string) =>
      testApp.graphql(
        `mutation ($c: ID!, $s: String!) { ${name}(communityId: $c, spendId: $s) { __typename ... on Error { code } ... on Mutation${name[0]!.toUpperCase()}${name.slice(1)}Success { data { status } } } }`,
        { c: north.id, s: spendId },
        token,
      );
    // Failed, about another matter, or not a proposal of this community: refused, nothing moves.
    for (const proposalId of [failedProposal, otherMatter, 'proposal-unknown']) {
      const refused = await propose(proposalId);
      expect(refused.needsOwnersProposal).toBe(true);
      await decide('approveSpend', refused.id, committeeTokens[0]!);
      expect((await decide('executeSpend', refused.id, north.managerToken)).data.executeSpend.code).toBe(
        'OWNERS_PROPOSAL_REQUIRED',
      );
    }
    const passed = await propose(passedProposal);
    await decide('approveSpend', passed.id, committeeTokens[1]!);
    expect((await decide('executeSpend', passed.id, north.managerToken)).data.executeSpend.data.status).toBe(
      'executed',
    );
    const funds = (
      await testApp.graphql(
        `query ($c: ID!) { fundReport(communityId: $c) { funds { kind balance } } }`,
        { c: north.id },
        north.residentToken,
      )
    ).data.fundReport.funds;
    expect(funds.find((fund: { kind: string }) => fund.kind === 'MAINTENANCE_FUND').balance).toBe('20000');
  });

  it('refuses webhook deliveries with a bad signature, a stale timestamp, a malformed body, an unknown household or a replayed event id, writing nothing', async () => {
    const deliver = (body: string, options: { secret?: string; at?: number } = {}) =>
      testApp.app.yoga.fetch('http://courtyard.test/webhooks/payments/wxpay', {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'courtyard-signature': signWebhook(
            options.secret ?? 'test-webhook-secret',
            options.at ?? Math.floor(now.getTime() / 1000),
            body,
          ),
        },
        body,
      });
    const event = (eventId: string, householdId = uuidOf(north.householdId)) =>
      JSON.stringify({ eventId, communityId: uuidOf(north.id), householdId, amountFen: '1000' });
    const before = await rows('select count(*) as n from money_payments');
    const refusals = [
      await deliver(event('evt-1'), { secret: 'wrong-secret' }),
      await deliver(event('evt-1'), { at: Math.floor(now.getTime() / 1000) - 301 }),
      await deliver('{"eventId": "evt-1"'),
      await deliver(event('evt-1', '00000000-0000-4000-8000-000000000000')),
    ];
    expect(
      await Promise.all(
        refusals.map(async (response) => [response.status, ((await response.json()) as { code: string }).code]),
      ),
    ).toEqual([
      [401, 'BAD_SIGNATURE'],
      [400, 'STALE_TIMESTAMP'],
      [400, 'INVALID_INPUT'],
      [404, 'NOT_FOUND'],
    ]);
    expect(await rows('select count(*) as n from money_payments')).toBe(before);
    const accepted = await deliver(event('evt-2'));
    expect(accepted.status).toBe(200);
    const replayed = await Promise.all([deliver(event('evt-2')), deliver(event('evt-2'))]);
    expect(
      await Promise.all(
        replayed.map(async (response) => [response.status, ((await response.json()) as { code: string }).code]),
      ),
    ).toEqual([
      [409, 'DUPLICATE_EVENT'],
      [409, 'DUPLICATE_EVENT'],
    ]);
    expect(await rows('select count(*) as n from money_payments')).toBe(before + 1);
    expect(await rows('select count(*) as n from money_provider_events')).toBe(1);
  });

  it('checks deliveries recorded as a provider signs them (openssl), before anything else', async () => {
    const recorded = JSON.parse(
      readFileSync(new URL('./fixtures/webhook-deliveries.json', import.meta.url), 'utf8'),
    ) as {
      secret: string;
      deliveries: Array<{ name: string; timestamp: number; body: string; signature: string }>;
    };
    testApp.app.services.money.webhookSecrets.set('recorded', recorded.secret);
    const [valid, tampered, otherTimestamp] = recorded.deliveries;
    expect(signWebhook(recorded.secret, valid!.timestamp, valid!.body)).toBe(valid!.signature);
    const deliver = (delivery: { body: string; signature: string }) =>
      testApp.app.yoga.fetch('http://courtyard.test/webhooks/payments/recorded', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'courtyard-signature': delivery.signature },
        body: delivery.body,
      });
    const codeOf = async (response: Response) => [response.status, ((await response.json()) as { code: string }).code];
    const clock = testApp.app.services.money.clock;
    try {
      testApp.app.services.money.clock = { now: () => new Date(valid!.timestamp * 1000) };
      // Signed and on time; its community and household are not this installation's.
      expect(await codeOf(await deliver(valid!))).toEqual([404, 'NOT_FOUND']);
      expect(await codeOf(await deliver(tampered!))).toEqual([401, 'BAD_SIGNATURE']);
      expect(await codeOf(await deliver(otherTimestamp!))).toEqual([401, 'BAD_SIGNATURE']);
      testApp.app.services.money.clock = { now: () => new Date((valid!.timestamp + 301) * 1000) };
      expect(await codeOf(await deliver(valid!))).toEqual([400, 'STALE_TIMESTAMP']);
    } finally {
      testApp.app.services.money.clock = clock;
    }
    expect(await rows('select count(*) as n from money_provider_events')).toBe(1);
  });

  it('pushes money moving to managers over a subscription, and refuses residents', async () => {
    const subscribe = (token: string) =>
      testApp.app.yoga.fetch('http://courtyard.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
        body: JSON.stringify({
          query: `subscription ($c: ID!) { moneyMoved(communityId: $c) { kind id amount } }`,
          variables: { c: north.id },
        }),
      });
    const refused = await (await subscribe(north.residentToken)).text();
    expect(refused).toContain('FORBIDDEN');
    const stream = await subscribe(north.managerToken);
    const paid = await mutate(
      testApp,
      'recordPayment',
      PAY,
      { communityId: north.id, householdId: north.householdId, amount: '777', key: 'pay-north-pushed' },
      north.managerToken,
    );
    const reader = stream.body!.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`stream ended without an event: ${buffered}`);
      buffered += decoder.decode(value, { stream: true });
      const match = /data: (\{.*"moneyMoved".*\})/u.exec(buffered);
      if (match) {
        expect(JSON.parse(match[1]!).data.moneyMoved).toEqual({ kind: 'payment', id: paid.payment.id, amount: '777' });
        break;
      }
    }
    await reader.cancel();
  });

  it('corrects an invoice through the API as new entries, never edits, and refuses bad corrections writing nothing', async () => {
    const invoice = (
      await testApp.graphql(INVOICES, { communityId: north.id, householdId: north.householdId }, north.managerToken)
    ).data.householdInvoices.edges[0].node;
    const CORRECT = `mutation ($c: ID!, $i: String!, $k: InvoiceCorrectionComponent!, $d: Money!) {
      correctInvoice(communityId: $c, invoiceId: $i, component: $k, delta: $d) {
        __typename ... on MutationCorrectInvoiceSuccess { data { principal lateFees paid } } ... on Error { code message } } }`;
    const correct = (component: string, delta: string, token = north.managerToken, community = north.id) =>
      testApp.graphql(CORRECT, { c: community, i: invoice.id, k: component, d: delta }, token);
    const corrections = async () =>
      (await rows(`select count(*) as n from ledger_pending where type = 'fees.invoice-corrected'`)) +
      (await rows(`select count(*) as n from ledger_entries where type = 'fees.invoice-corrected'`));
    const before = await corrections();
    const refusals = [
      await correct('PRINCIPAL', '-100', north.residentToken),
      await correct('PRINCIPAL', '-100', south.managerToken, south.id),
      await correct('LATE_FEE', '100'),
      await correct('PRINCIPAL', '0'),
      await correct('PRINCIPAL', `-${BigInt(invoice.principal) + 1n}`),
    ].map((result) => result.data?.correctInvoice?.code ?? result.errors?.[0]?.extensions?.code);
    expect(refusals).toEqual(['FORBIDDEN', 'NOT_FOUND', 'INVALID_INPUT', 'INVALID_INPUT', 'INVALID_INPUT']);
    expect(await corrections()).toBe(before);
    // Paid in full: lowering the principal moves what was paid beyond it to credit; raising it uses that credit again.
    const paid = BigInt(invoice.paid);
    const lowered = (await correct('PRINCIPAL', '-1000')).data.correctInvoice.data;
    expect(lowered.principal).toBe((BigInt(invoice.principal) - 1000n).toString());
    expect(BigInt(lowered.paid)).toBeLessThanOrEqual(paid);
    const raised = (await correct('PRINCIPAL', '1000')).data.correctInvoice.data;
    expect(raised).toMatchObject({ principal: invoice.principal, paid: invoice.paid });
    expect((await corrections()) - before).toBe(2);
  });

  it('replays the community to exactly the live tables', async () => {
    const report = await replayMoney(em(), uuidOf(north.id));
    expect(report.differences).toEqual([]);
    expect(report.entries).toBeGreaterThan(10);
  });
});
