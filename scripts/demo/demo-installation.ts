/**
 * Demo data through the real API (`npm run demo`, scripts/demo.ts): communities, each with
 * a manager, households registered over GraphQL, a monthly fee schedule, and a year of the
 * money day (invoices, reminders, late fees) driven by the money services' clock, with
 * payments on time, late, partial and never recorded over GraphQL. Every change goes
 * through the same path a client's does, so every community's log is complete and the
 * audit (hashes, sequence, tree and the modules' replays) accepts it. Then residents join
 * the censuses and vote, rate and sign up for activities (scripts/demo/demo-participation.ts).
 */
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { runMoneyDay } from '../../src/fees/money-jobs.ts';
import type { App } from '../../src/server/app.ts';
import { addParticipation, participationPlan, type DemoParticipation } from './demo-participation.ts';

export const DEMO_PASSWORD = 'courtyard demo password';
/** Aliases in one request: graphql-armor's limit is 15. */
const PER_REQUEST = 10;
/** Requests in flight at once, as that many clients. */
const CLIENTS = 4;
const RATE_FEN_PER_SQUARE_METRE_MONTH = 150n;
const LATE_FEE_FEN = 500n;
/** Days of each month the money day runs: issue (1st), before due (7th), first overdue (16th), weekly after. */
const MONEY_DAYS = [1, 7, 16, 23];
const YEAR = 2026;

export interface DemoOptions {
  communities: number;
  households: number;
  months: number;
  /** Residents per community who join the censuses, vote, rate and sign up (default 40). */
  residents?: number;
  /** Anonymous proofs over all communities, ballots and anonymous ratings (default 40). */
  proofs?: number;
}

export const DEFAULT_RESIDENTS = 40;
export const DEFAULT_PROOFS = 40;

export interface DemoProgress {
  (done: number, total: number, step: string): void;
}

export interface DemoCommunity {
  id: string;
  uuid: string;
  slug: string;
  households: number;
  managerToken: string;
  participation?: DemoParticipation;
}

type Behaviour = 'on-time' | 'late' | 'partial' | 'never';
/** 7 in 10 pay on time, 1 late, 1 half, 1 in 20 never (the rest of the tenth pays on time). */
const behaviourOf = (index: number): Behaviour =>
  index % 20 === 19 ? 'never' : index % 10 < 7 ? 'on-time' : index % 10 === 7 ? 'late' : index % 10 === 8 ? 'partial' : 'on-time';

export class DemoClient {
  readonly app: App;

  constructor(app: App) {
    this.app = app;
  }

  async graphql(query: string, variables: Record<string, unknown>, token?: string): Promise<any> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers['authorization'] = `Bearer ${token}`;
    const response = await this.app.yoga.fetch('http://courtyard.demo/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    const result = (await response.json()) as { data?: any; errors?: unknown };
    if (result.errors) throw new Error(`demo: GraphQL failed: ${JSON.stringify(result.errors)}`);
    return result.data;
  }

  /** A mutation's typed result; anything but success stops the demo with its code. */
  async mutate(field: string, query: string, variables: Record<string, unknown>, token?: string): Promise<any> {
    const result = (await this.graphql(query, variables, token))[field];
    if (!result?.__typename?.endsWith('Success')) throw new Error(`demo: ${field} failed: ${JSON.stringify(result)}`);
    return result.data;
  }

  async login(login: string, password: string): Promise<string> {
    const data = await this.mutate(
      'login',
      `mutation ($l: String!, $p: String!) { login(login: $l, password: $p) { __typename ... on MutationLoginSuccess { data { token } } ... on Error { code message } } }`,
      { l: login, p: password },
    );
    return data.token;
  }
}

const uuidOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
const pad = (value: number) => String(value).padStart(2, '0');
/** The fee for one month of one household: rate (fen/m²/month) × area (0.01 m²) / 100, half up. */
const monthlyFeeFen = (areaCentiSquareMetres: number) => (RATE_FEN_PER_SQUARE_METRE_MONTH * BigInt(areaCentiSquareMetres) * 2n + 100n) / 200n;

/** Runs `work` over `items` with CLIENTS requests in flight, `PER_REQUEST` items per request. */
async function inBatches<T>(items: readonly T[], work: (batch: readonly T[]) => Promise<void>, onBatch: () => void): Promise<void> {
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += PER_REQUEST) batches.push(items.slice(start, start + PER_REQUEST));
  let next = 0;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      for (let index = next++; index < batches.length; index = next++) {
        await work(batches[index]!);
        onBatch();
      }
    }),
  );
}

async function createCommunity(client: DemoClient, adminToken: string, slug: string, name: string): Promise<DemoCommunity> {
  const community = await client.mutate(
    'createCommunity',
    `mutation ($s: String!, $n: String!) { createCommunity(slug: $s, name: $n) { __typename ... on MutationCreateCommunitySuccess { data { id } } ... on Error { code message } } }`,
    { s: slug, n: name },
    adminToken,
  );
  const account = await client.mutate(
    'createAccount',
    `mutation ($l: String!, $p: String) { createAccount(login: $l, password: $p) { __typename ... on MutationCreateAccountSuccess { data { account { id } } } ... on Error { code message } } }`,
    { l: `${slug}-manager`, p: DEMO_PASSWORD },
    adminToken,
  );
  await client.mutate(
    'grantRole',
    `mutation ($a: ID!, $c: ID) { grantRole(accountId: $a, role: MANAGER, communityId: $c) { __typename ... on Error { code message } } }`,
    { a: account.account.id, c: community.id },
    adminToken,
  );
  return { id: community.id, uuid: uuidOf(community.id), slug, households: 0, managerToken: await client.login(`${slug}-manager`, DEMO_PASSWORD) };
}

export interface DemoHousehold {
  id: string;
  area: number;
  behaviour: Behaviour;
}

async function registerHouseholds(client: DemoClient, community: DemoCommunity, count: number, tick: () => void): Promise<DemoHousehold[]> {
  const units = Array.from({ length: count }, (_, index) => ({
    label: `${1 + Math.floor(index / 24)}-${pad(1 + Math.floor((index % 24) / 4))}0${1 + (index % 4)}`,
    area: 6_000 + ((index * 37) % 9_000),
    behaviour: behaviourOf(index),
  }));
  const households: DemoHousehold[] = [];
  await inBatches(
    units,
    async (batch) => {
      const fields = batch.map(
        (_, i) =>
          `h${i}: registerHousehold(communityId: $c, unitLabel: $u${i}, floorAreaCentiSquareMetres: $a${i}) { __typename ... on MutationRegisterHouseholdSuccess { data { id } } ... on Error { code message } }`,
      );
      const declared = batch.map((_, i) => `$u${i}: String!, $a${i}: Int!`).join(', ');
      const variables: Record<string, unknown> = { c: community.id };
      batch.forEach((unit, i) => Object.assign(variables, { [`u${i}`]: unit.label, [`a${i}`]: unit.area }));
      const data = await client.graphql(`mutation ($c: ID!, ${declared}) {\n${fields.join('\n')}\n}`, variables, community.managerToken);
      batch.forEach((unit, i) => {
        const result = data[`h${i}`];
        if (result.__typename !== 'MutationRegisterHouseholdSuccess') throw new Error(`demo: registerHousehold failed: ${JSON.stringify(result)}`);
        households.push({ id: result.data.id, area: unit.area, behaviour: unit.behaviour });
      });
    },
    tick,
  );
  community.households = households.length;
  return households;
}

async function defineSchedule(client: DemoClient, community: DemoCommunity): Promise<void> {
  await client.mutate(
    'defineFeeSchedule',
    `mutation ($c: ID!, $s: FeeScheduleInput!) { defineFeeSchedule(communityId: $c, schedule: $s) { __typename ... on Error { code message } } }`,
    {
      c: community.id,
      s: {
        frequency: 'MONTH',
        effectiveFromPeriodId: `${YEAR}-01`,
        ratePerSquareMetreMonth: RATE_FEN_PER_SQUARE_METRE_MONTH.toString(),
        dueDay: 10,
        graceDays: 5,
        lateFee: { kind: 'FIXED', amount: LATE_FEE_FEN.toString(), cap: LATE_FEE_FEN.toString() },
      },
    },
    community.managerToken,
  );
}

async function pay(client: DemoClient, community: DemoCommunity, payments: ReadonlyArray<{ householdId: string; amount: bigint; key: string }>, tick: () => void): Promise<void> {
  await inBatches(
    payments,
    async (batch) => {
      const declared = batch.map((_, i) => `$h${i}: ID!, $a${i}: Money!, $k${i}: String!`).join(', ');
      const fields = batch.map(
        (_, i) => `p${i}: recordPayment(communityId: $c, householdId: $h${i}, amount: $a${i}, idempotencyKey: $k${i}) { __typename ... on Error { code message } }`,
      );
      const variables: Record<string, unknown> = { c: community.id };
      batch.forEach((payment, i) => Object.assign(variables, { [`h${i}`]: payment.householdId, [`a${i}`]: payment.amount.toString(), [`k${i}`]: payment.key }));
      const data = await client.graphql(`mutation ($c: ID!, ${declared}) {\n${fields.join('\n')}\n}`, variables, community.managerToken);
      for (const result of Object.values(data) as any[]) {
        if (result.__typename !== 'MutationRecordPaymentSuccess') throw new Error(`demo: recordPayment failed: ${JSON.stringify(result)}`);
      }
    },
    tick,
  );
}

/** Creates the demo installation's data; the admin must be able to sign in with `adminPassword`. */
export async function createDemo(app: App, adminPassword: string, options: DemoOptions, progress: DemoProgress = () => {}): Promise<DemoCommunity[]> {
  const client = new DemoClient(app);
  const perCommunity = Array.from({ length: options.communities }, (_, index) =>
    Math.floor(options.households / options.communities) + (index < options.households % options.communities ? 1 : 0),
  );
  const batchesOf = (count: number) => Math.ceil(count / PER_REQUEST);
  const payingOf = (count: number, pays: (behaviour: Behaviour) => boolean) =>
    Array.from({ length: count }, (_, index) => behaviourOf(index)).filter(pays).length;
  // Steps: household batches, then per month the money days and the two rounds of payment batches.
  const feeSteps = perCommunity.reduce(
    (sum, count) =>
      sum +
      batchesOf(count) +
      options.months *
        (MONEY_DAYS.length +
          batchesOf(payingOf(count, (behaviour) => behaviour === 'on-time' || behaviour === 'partial')) +
          batchesOf(payingOf(count, (behaviour) => behaviour === 'late'))),
    0,
  );
  const participation = participationPlan(options.communities, perCommunity, {
    residents: options.residents ?? DEFAULT_RESIDENTS,
    proofs: options.proofs ?? DEFAULT_PROOFS,
  });
  const total = feeSteps + participation.reduce((sum, plan) => sum + plan.steps, 0);
  let done = 0;
  const tick = (step: string) => () => progress(++done, total, step);

  const money = app.services.money;
  const savedClock = money.clock;
  const savedPaused = money.jobsPaused;
  let clock = new Date(`${YEAR}-01-01T01:00:00Z`);
  money.jobsPaused = true;
  money.clock = { now: () => clock };
  try {
    const adminToken = await client.login('admin', adminPassword);
    const communities: DemoCommunity[] = [];
    for (const [index, count] of perCommunity.entries()) {
      const names = ['Riverside Gardens', 'Maple Court', 'Harbour View', 'Pine Terrace'];
      const community = await createCommunity(client, adminToken, `demo-${index + 1}`, names[index % names.length]!);
      const households = await registerHouseholds(client, community, count, tick(`${community.slug}: households`));
      // Each community's year starts on the 1st of January.
      clock = new Date(`${YEAR}-01-01T01:00:00Z`);
      await defineSchedule(client, community);
      for (let month = 1; month <= options.months; month++) {
        for (const day of MONEY_DAYS) {
          clock = new Date(`${YEAR}-${pad(month)}-${pad(day)}T01:00:00Z`);
          await runMoneyDay({ services: app.services, em: app.orm.em.fork() as SqlEntityManager }, community.uuid);
          tick(`${community.slug}: ${YEAR}-${pad(month)} money day`)();
          if (day === 1) {
            clock = new Date(`${YEAR}-${pad(month)}-05T01:00:00Z`);
            const onTime = households
              .filter((household) => household.behaviour === 'on-time' || household.behaviour === 'partial')
              .map((household) => ({
                householdId: household.id,
                amount: household.behaviour === 'on-time' ? monthlyFeeFen(household.area) : monthlyFeeFen(household.area) / 2n,
                key: `demo-${month}-5-${uuidOf(household.id)}`,
              }));
            await pay(client, community, onTime, tick(`${community.slug}: ${YEAR}-${pad(month)} payments`));
          }
          if (day === 16) {
            // Late payers settle the month and its late fee after the first overdue day.
            clock = new Date(`${YEAR}-${pad(month)}-20T01:00:00Z`);
            const late = households
              .filter((household) => household.behaviour === 'late')
              .map((household) => ({ householdId: household.id, amount: monthlyFeeFen(household.area) + LATE_FEE_FEN, key: `demo-${month}-20-${uuidOf(household.id)}` }));
            await pay(client, community, late, tick(`${community.slug}: ${YEAR}-${pad(month)} late payments`));
          }
        }
      }
      community.participation = await addParticipation(
        app,
        client,
        adminToken,
        community,
        households,
        participation[index]!,
        DEMO_PASSWORD,
        (now) => void (clock = now),
        (step) => tick(step)(),
      );
      communities.push(community);
    }
    progress(total, total, 'done');
    return communities;
  } finally {
    money.clock = savedClock;
    money.jobsPaused = savedPaused;
  }
}
