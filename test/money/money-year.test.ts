/**
 * A year of a community's fees over GraphQL: 200
 * households billed monthly by floor area, a rate change for the later months, payments on time, late, partial and never, a fixed late fee,
 * reminders before the due date and when overdue — the money day run by two server
 * instances at once on every simulated day. On PostgreSQL these are two separate server
 * processes (test/money/fixtures/money-day-process.ts: the real app, its own pool, on the
 * same database); on PGlite, which is one process, two runs in this process. The reports
 * must equal figures this test computes on its own, every reminder step must exist
 * exactly once with its outbox row, and replay must equal live.
 */
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { runMoneyDay, type MoneyDayResult } from '../../src/fees/money-jobs.ts';
import { replayMoney } from '../../src/fees/money-replay.ts';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createTestApp, mutate, type TestApp } from '../support/app.ts';
import { createCommunityFixture, registerHousehold, type CommunityFixture } from '../support/fixtures.ts';

const HOUSEHOLDS = 200;
/**
 * Twelve months (about 20 s on PostgreSQL and 30 s on PGlite on the 2-core machine, since
 * invoice runs and payments were batched), the fee change from the seventh.
 */
const MONTHS = 12;
const CHANGE_MONTH = 7;
const RATE_BEFORE_CHANGE = 150n;
const RATE_AFTER_CHANGE = 180n;
const LATE_FEE = 500n;
/** Days of each month the money day runs: issue, before-due reminder (due 10th − 3), first overdue day (grace 5), then weekly. */
const RUN_DAYS = [1, 7, 16, 23, 30];
type Behaviour = 'on-time' | 'late' | 'partial' | 'never';
const behaviourOf = (index: number): Behaviour =>
  index % 10 < 5 ? 'on-time' : index % 10 < 7 ? 'late' : index % 10 < 8 ? 'partial' : 'never';

const MONEY_DAY_PROCESS = new URL('./fixtures/money-day-process.ts', import.meta.url).pathname;
const NODE = new URL('../../node_modules/.bin/node', import.meta.url).pathname;
const onPostgres = Boolean(process.env['DATABASE_URL']);

/** A server process that runs the money day when told to (see the fixture). */
class MoneyDayProcess {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #waiting: Array<(line: string) => void> = [];
  readonly #lines: string[] = [];
  readonly exited: Promise<number | null>;

  constructor(databaseUrl: string, communityId: string) {
    this.#child = spawn(NODE, [MONEY_DAY_PROCESS, databaseUrl, communityId], { stdio: ['pipe', 'pipe', 'pipe'] });
    let buffered = '';
    this.#child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        const waiter = this.#waiting.shift();
        if (waiter) waiter(line);
        else this.#lines.push(line);
      }
    });
    let errors = '';
    this.#child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    this.exited = new Promise((resolve) =>
      this.#child.on('exit', (code) => {
        for (const waiter of this.#waiting.splice(0)) waiter(`exit ${code} ${errors.slice(-2_000)}`);
        resolve(code);
      }),
    );
  }

  nextLine(): Promise<string> {
    const line = this.#lines.shift();
    return line !== undefined ? Promise.resolve(line) : new Promise((resolve) => this.#waiting.push(resolve));
  }

  async ready(): Promise<void> {
    const line = await this.nextLine();
    if (line !== 'ready') throw new Error(`money-day process failed to start: ${line}`);
  }

  async runDay(instant: Date): Promise<MoneyDayResult> {
    this.#child.stdin.write(`${instant.toISOString()}\n`);
    const line = await this.nextLine();
    if (!line.startsWith('done ')) throw new Error(`money-day process failed: ${line}`);
    return JSON.parse(line.slice('done '.length)) as MoneyDayResult;
  }

  async stop(): Promise<void> {
    this.#child.stdin.end();
    await this.exited;
  }
}

let testApp: TestApp;
let servers: MoneyDayProcess[] = [];
const dayResults: MoneyDayResult[] = [];
let community: CommunityFixture;
let clock = new Date('2026-01-01T01:00:00Z');
const households: Array<{ id: string; uuid: string; area: bigint; behaviour: Behaviour }> = [];
const uuidOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
const em = () => testApp.database.orm.em.fork() as SqlEntityManager;
const dateOf = (month: number, day: number) => `2026-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

/** What this test expects, computed without the code under test: invoices per household, oldest first. */
interface ModelInvoice {
  periodId: string;
  principal: bigint;
  lateFee: bigint;
  paid: bigint;
  dueDate: string;
}
const model = new Map<string, ModelInvoice[]>();
const open = (invoice: ModelInvoice) => invoice.principal + invoice.lateFee - invoice.paid;

function modelPay(householdId: string, amount: bigint): void {
  let left = amount;
  for (const invoice of model.get(householdId)!) {
    const settled = left < open(invoice) ? left : open(invoice);
    invoice.paid += settled;
    left -= settled;
  }
}

beforeAll(async () => {
  testApp = await createTestApp();
  testApp.app.services.money.jobsPaused = true;
  testApp.app.services.money.clock = { now: () => clock };
  community = await createCommunityFixture(testApp, 'year-money');
  for (let index = 0; index < HOUSEHOLDS; index++) {
    const area = 6000 + ((index * 37) % 9000);
    const { id } = await registerHousehold(testApp, community.managerToken, {
      communityId: community.id,
      unitLabel: `Y-${index}`,
      floorAreaCentiSquareMetres: area,
    });
    households.push({ id, uuid: uuidOf(id), area: BigInt(area), behaviour: behaviourOf(index) });
    model.set(uuidOf(id), []);
  }
  // The fixture's own household has no fees in this test's model; give it the same book-keeping.
  model.set(uuidOf(community.householdId), []);
  if (onPostgres) {
    servers = [0, 1].map(() => new MoneyDayProcess(testApp.database.databaseUrl!, uuidOf(community.id)));
    await Promise.all(servers.map((server) => server.ready()));
  }
}, 120_000);
afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await testApp.dispose();
});

const SCHEDULE = `mutation ($communityId: ID!, $scheduleId: String, $schedule: FeeScheduleInput!) {
  defineFeeSchedule(communityId: $communityId, scheduleId: $scheduleId, schedule: $schedule) {
    __typename ... on MutationDefineFeeScheduleSuccess { data { scheduleId version } } ... on Error { code message }
  }
}`;

function paymentsDocument(count: number): string {
  const variables = Array.from({ length: count }, (_, i) => `$h${i}: ID!, $a${i}: Money!, $k${i}: String!`).join(', ');
  const fields = Array.from(
    { length: count },
    (_, i) =>
      `p${i}: recordPayment(communityId: $c, householdId: $h${i}, amount: $a${i}, idempotencyKey: $k${i}) { __typename ... on Error { code message } }`,
  ).join('\n');
  return `mutation ($c: ID!, ${variables}) {\n${fields}\n}`;
}

/** Pays through GraphQL: 8 requests at a time (as 8 clients), each with up to 15 payments (the alias limit). */
async function pay(payments: Array<{ householdId: string; amount: bigint; key: string }>): Promise<void> {
  const documents: Array<typeof payments> = [];
  for (let start = 0; start < payments.length; start += 5) documents.push(payments.slice(start, start + 5));
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let index = next++; index < documents.length; index = next++) {
        const slice = documents[index]!;
        const variables: Record<string, string> = { c: community.id };
        slice.forEach((payment, i) => {
          variables[`h${i}`] = payment.householdId;
          variables[`a${i}`] = payment.amount.toString();
          variables[`k${i}`] = payment.key;
        });
        const result = await testApp.graphql(paymentsDocument(slice.length), variables, community.managerToken);
        const failed = Object.values(result.data ?? {}).filter(
          (value: any) => value.__typename !== 'MutationRecordPaymentSuccess',
        );
        if (result.errors || failed.length > 0)
          throw new Error(`payments failed: ${JSON.stringify(result.errors ?? failed[0])}`);
      }
    }),
  );
}

async function moneyDay(month: number, day: number): Promise<void> {
  clock = new Date(`${dateOf(month, day)}T01:00:00Z`);
  const communityId = uuidOf(community.id);
  // Both at once: on PostgreSQL the two server processes, on PGlite two runs in this process.
  const results = onPostgres
    ? await Promise.all(servers.map((server) => server.runDay(clock)))
    : await Promise.all([0, 1].map(() => runMoneyDay({ services: testApp.app.services, em: em() }, communityId)));
  dayResults.push(...results);
}

function modelDay(month: number, day: number): void {
  const today = dateOf(month, day);
  for (const household of households) {
    const invoices = model.get(household.uuid)!;
    if (day === 1) {
      const rate = month >= CHANGE_MONTH ? RATE_AFTER_CHANGE : RATE_BEFORE_CHANGE;
      // Half up, once per invoice: rate (fen/m²/month) × area (0.01 m²) / 100.
      const principal = (rate * household.area * 2n + 100n) / 200n;
      invoices.push({ periodId: today.slice(0, 7), principal, lateFee: 0n, paid: 0n, dueDate: dateOf(month, 10) });
    }
    // The fixed late fee posts on the first overdue day (due + grace 5 + 1) of an invoice with principal unpaid.
    for (const invoice of invoices) {
      const firstOverdue = dateOf(Number(invoice.dueDate.slice(5, 7)), 16);
      if (invoice.lateFee === 0n && today >= firstOverdue && invoice.paid < invoice.principal)
        invoice.lateFee = LATE_FEE;
    }
  }
}

describe(`a year of fees for 200 households, the money day run by ${onPostgres ? 'two server processes on one PostgreSQL' : 'two runs in one process (PGlite)'}`, () => {
  it('bills, collects, charges late fees, reminds exactly once per step, reports the independent figures and replays to live', async () => {
    const january = await mutate(
      testApp,
      'defineFeeSchedule',
      SCHEDULE,
      {
        communityId: community.id,
        schedule: {
          frequency: 'MONTH',
          effectiveFromPeriodId: '2026-01',
          ratePerSquareMetreMonth: RATE_BEFORE_CHANGE.toString(),
          dueDay: 10,
          graceDays: 5,
          lateFee: { kind: 'FIXED', amount: LATE_FEE.toString(), cap: LATE_FEE.toString() },
          householdIds: households.map((household) => household.id).slice(0, 0),
        },
      },
      community.managerToken,
    );
    for (let month = 1; month <= MONTHS; month++) {
      if (month === CHANGE_MONTH - 1) {
        clock = new Date(`${dateOf(month, 20)}T01:00:00Z`);
        const july = await mutate(
          testApp,
          'defineFeeSchedule',
          SCHEDULE,
          {
            communityId: community.id,
            scheduleId: january.scheduleId,
            schedule: {
              frequency: 'MONTH',
              effectiveFromPeriodId: dateOf(CHANGE_MONTH, 1).slice(0, 7),
              ratePerSquareMetreMonth: RATE_AFTER_CHANGE.toString(),
              dueDay: 10,
              graceDays: 5,
              lateFee: { kind: 'FIXED', amount: LATE_FEE.toString(), cap: LATE_FEE.toString() },
            },
          },
          community.managerToken,
        );
        expect(july.version).toBe(2);
      }
      for (const day of RUN_DAYS) {
        if (day === 30 && month === 2) continue;
        modelDay(month, day);
        await moneyDay(month, day);
        if (day === 1) {
          // On time (day 5) and partly (half of this month's principal): the money day of the 7th sees them.
          clock = new Date(`${dateOf(month, 5)}T01:00:00Z`);
          const payments = households
            .filter((household) => household.behaviour === 'on-time' || household.behaviour === 'partial')
            .map((household) => {
              const invoice = model.get(household.uuid)!.at(-1)!;
              const amount = household.behaviour === 'on-time' ? invoice.principal : invoice.principal / 2n;
              return { householdId: household.id, amount, key: `pay-${month}-5-${household.uuid.slice(0, 8)}` };
            });
          await pay(payments);
          for (const payment of payments) modelPay(uuidOf(payment.householdId), payment.amount);
        }
        if (day === 16) {
          // Late payers settle this month's invoice and its late fee on the 20th.
          clock = new Date(`${dateOf(month, 20)}T01:00:00Z`);
          const payments = households
            .filter((household) => household.behaviour === 'late')
            .map((household) => ({
              householdId: household.id,
              amount: open(model.get(household.uuid)!.at(-1)!),
              key: `pay-${month}-20-${household.uuid.slice(0, 8)}`,
            }));
          await pay(payments);
          for (const payment of payments) modelPay(uuidOf(payment.householdId), payment.amount);
        }
      }
    }

    // Collection rate of every period, as this test computes it.
    for (let month = 1; month <= MONTHS; month++) {
      const periodId = dateOf(month, 1).slice(0, 7);
      let billed = 0n;
      let collected = 0n;
      for (const household of households) {
        const invoice = model.get(household.uuid)!.find((candidate) => candidate.periodId === periodId)!;
        billed += invoice.principal;
        collected += invoice.paid < invoice.principal ? invoice.paid : invoice.principal;
      }
      const fixtureInvoice = (
        await testApp.graphql(
          `query ($c: ID!, $h: ID!) { householdInvoices(communityId: $c, householdId: $h, first: 100) { edges { node { periodId principal paid } } } }`,
          { c: community.id, h: community.householdId },
          community.managerToken,
        )
      ).data.householdInvoices.edges
        .map((edge: { node: unknown }) => edge.node)
        .find((invoice: { periodId: string }) => invoice.periodId === periodId);
      billed += BigInt(fixtureInvoice.principal);
      collected += BigInt(fixtureInvoice.paid);
      const rate = await testApp.graphql(
        `query ($c: ID!, $p: String!) { collectionRate(communityId: $c, periodId: $p) { billed collected } }`,
        { c: community.id, p: periodId },
        community.managerToken,
      );
      expect(rate.data.collectionRate).toEqual({ billed: billed.toString(), collected: collected.toString() });
    }

    // Arrears on the last day simulated (the fixture's household never pays either), by days past due.
    const asOf = dateOf(MONTHS, 30);
    const buckets = [0n, 0n, 0n, 0n];
    const fixtureHouseholdArea = 8950n;
    const fixtureInvoices: ModelInvoice[] = [];
    for (let month = 1; month <= MONTHS; month++) {
      const rate = month >= CHANGE_MONTH ? RATE_AFTER_CHANGE : RATE_BEFORE_CHANGE;
      fixtureInvoices.push({
        periodId: '',
        principal: (rate * fixtureHouseholdArea * 2n + 100n) / 200n,
        lateFee: LATE_FEE,
        paid: 0n,
        dueDate: dateOf(month, 10),
      });
    }
    for (const invoice of [...[...model.values()].flat(), ...fixtureInvoices]) {
      if (open(invoice) === 0n) continue;
      const days = Math.round((Date.parse(asOf) - Date.parse(invoice.dueDate)) / 86_400_000);
      if (days < 1) continue;
      buckets[days <= 30 ? 0 : days <= 90 ? 1 : days <= 180 ? 2 : 3]! += open(invoice);
    }
    const ageing = await testApp.graphql(
      `query ($c: ID!) { arrearsAgeing(communityId: $c) { asOf buckets { amount } } }`,
      { c: community.id },
      community.managerToken,
    );
    expect(ageing.data.arrearsAgeing).toEqual({
      asOf,
      buckets: buckets.map((amount) => ({ amount: amount.toString() })),
    });

    // Cash: every fen paid is in the operating account.
    const paid = [...model.values()].flat().reduce((sum, invoice) => sum + invoice.paid, 0n);
    const funds = await testApp.graphql(
      `query ($c: ID!) { fundReport(communityId: $c) { funds { kind balance } totalDebits totalCredits } }`,
      { c: community.id },
      community.residentToken,
    );
    expect(funds.data.fundReport.funds.find((fund: { kind: string }) => fund.kind === 'OPERATING').balance).toBe(
      paid.toString(),
    );
    expect(funds.data.fundReport.totalDebits).toBe(funds.data.fundReport.totalCredits);

    // Reminders: on-time payers got none; the 100 others got step 0 (7th) and step 1 (16th) every month, once each.
    const communityId = uuidOf(community.id);
    const steps: Array<{ step: number; n: string | number }> = await em().execute(
      `select step, count(*) as n from money_notifications where community_id = ? and step < 2 group by step order by step`,
      [communityId],
    );
    expect(steps.map((row) => [row.step, Number(row.n)])).toEqual([
      [0, MONTHS * 101],
      [1, MONTHS * 101],
    ]);
    const onTime = households
      .filter((household) => household.behaviour === 'on-time')
      .map((household) => household.uuid);
    const remindedOnTime: Array<{ n: string | number }> = await em().execute(
      `select count(*) as n from money_notifications where community_id = ? and household_id in (${onTime.map(() => '?').join(', ')})`,
      [communityId, ...onTime],
    );
    expect(Number(remindedOnTime[0]!.n)).toBe(0);
    const duplicates: unknown[] = await em().execute(
      `select payload->>'invoiceId', payload->>'step' from ledger_entries where community_id = ? and type = 'fees.reminder-queued'
        group by 1, 2 having count(*) > 1`,
      [communityId],
    );
    expect(duplicates).toEqual([]);
    const [entries, outbox] = await Promise.all([
      em().execute(
        `select count(*) as n from ledger_entries where community_id = ? and type = 'fees.reminder-queued'`,
        [communityId],
      ),
      em().execute(`select count(*) as n from money_notifications where community_id = ?`, [communityId]),
    ]);
    expect(Number(entries[0]!.n)).toBe(Number(outbox[0]!.n));
    // What the two runners say they queued, added up, is each step once: neither queued one the other had.
    expect(dayResults.reduce((sum, result) => sum + result.remindersQueued, 0)).toBe(Number(entries[0]!.n));
    const invoiceEntries = await em().execute(
      `select count(*) as n from ledger_entries where community_id = ? and type = 'fees.invoice-issued'`,
      [communityId],
    );
    expect(dayResults.reduce((sum, result) => sum + result.invoicesIssued, 0)).toBe(Number(invoiceEntries[0]!.n));

    // The outbox as the household sees it: a household that never pays had one due-soon reminder a month.
    const never = households.find((household) => household.behaviour === 'never')!;
    // Every page: a year of a household that never pays is more reminders than one page holds.
    const kinds: Array<{ step: number; kind: string }> = [];
    for (let after: string | null = null; ; ) {
      const page: any = await testApp.graphql(
        `query ($c: ID!, $h: ID!, $after: String) { householdNotifications(communityId: $c, householdId: $h, first: 100, after: $after) {
          edges { node { step kind } } pageInfo { hasNextPage endCursor } } }`,
        { c: community.id, h: never.id, after },
        community.managerToken,
      );
      const connection = page.data.householdNotifications;
      kinds.push(...connection.edges.map((edge: { node: { step: number; kind: string } }) => edge.node));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(kinds.filter((node: { kind: string }) => node.kind === 'due-soon')).toEqual(
      Array.from({ length: MONTHS }, () => ({ step: 0, kind: 'due-soon' })),
    );
    expect(kinds.filter((node: { step: number }) => node.step === 1)).toHaveLength(MONTHS);

    expect((await replayMoney(em(), communityId)).differences).toEqual([]);
  }, 600_000);
});
