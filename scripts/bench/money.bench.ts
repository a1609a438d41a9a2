/**
 * Money figures (issue 10): issuing one period's invoices for 10,000 households (seconds;
 * target ≤ 10 s on PostgreSQL), and payments per second over GraphQL with 8 clients
 * (target ≥ 300/s) next to the ledger's plain append through the transaction runner,
 * measured in the same run. Each figure is a median over rounds.
 *
 * The app is the real one (createApp, yoga.fetch): a community, a manager and households
 * (inserted as rows: ids and floor areas, the only columns an invoice run reads).
 */
import { randomUUID } from 'node:crypto';
import { type SqlEntityManager } from '../../src/db/orm.ts';
import { appendEntry } from '../../src/ledger/append-entry.ts';
import { type App } from '../../src/server/app.ts';
import { runInvoicesForCommunity } from '../../src/fees/money-commands.ts';
import { median, type BenchFigure, type BenchOptions, type BenchSuite } from './bench-suite.ts';
import { openBenchApp } from './bench-app.ts';

const CLIENTS = 8;
const ADMIN_PASSWORD = 'correct horse battery staple';
const PASSWORD = 'a long enough password';

async function graphql(app: App, query: string, variables: Record<string, unknown>, token?: string): Promise<any> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers['authorization'] = `Bearer ${token}`;
  const response = await app.yoga.fetch('http://courtyard.bench/graphql', {
    method: 'POST',
    headers,
    body: JSON.stringify({ query, variables }),
  });
  const result = (await response.json()) as { data?: any; errors?: unknown };
  if (result.errors) throw new Error(`GraphQL failed: ${JSON.stringify(result.errors)}`);
  return result.data;
}

async function login(app: App, name: string, password: string): Promise<string> {
  const data = await graphql(
    app,
    `
      mutation ($l: String!, $p: String!) {
        login(login: $l, password: $p) {
          __typename
          ... on MutationLoginSuccess {
            data {
              token
            }
          }
        }
      }
    `,
    { l: name, p: password },
  );
  return data.login.data.token;
}

/** A community with a manager (through the API) and `households` households (as rows). */
async function community(
  app: App,
  adminToken: string,
  slug: string,
  households: number,
): Promise<{ id: string; uuid: string; managerToken: string; householdIds: string[] }> {
  const created = await graphql(
    app,
    `
      mutation ($s: String!) {
        createCommunity(slug: $s, name: $s) {
          __typename
          ... on MutationCreateCommunitySuccess {
            data {
              id
            }
          }
        }
      }
    `,
    { s: slug },
    adminToken,
  );
  const id: string = created.createCommunity.data.id;
  const account = await graphql(
    app,
    `
      mutation ($l: String!, $p: String) {
        createAccount(login: $l, password: $p) {
          __typename
          ... on MutationCreateAccountSuccess {
            data {
              account {
                id
              }
            }
          }
        }
      }
    `,
    { l: `${slug}-manager`, p: PASSWORD },
    adminToken,
  );
  await graphql(
    app,
    `
      mutation ($a: ID!, $c: ID) {
        grantRole(accountId: $a, role: MANAGER, communityId: $c) {
          __typename
        }
      }
    `,
    { a: account.createAccount.data.account.id, c: id },
    adminToken,
  );
  const managerToken = await login(app, `${slug}-manager`, PASSWORD);
  const uuid = Buffer.from(id, 'base64').toString('utf8').split(':')[1]!;
  const householdIds = Array.from({ length: households }, () => randomUUID());
  const em = app.orm.em.fork() as SqlEntityManager;
  for (let start = 0; start < households; start += 1_000) {
    const slice = householdIds.slice(start, start + 1_000);
    await em.execute(
      `insert into households (id, community_id, floor_area_centi_square_metres, created_at) values ${slice.map(() => '(?, ?, ?, now())').join(', ')}`,
      slice.flatMap((householdId, index) => [householdId, uuid, 6_000 + (((start + index) * 37) % 9_000)]),
    );
  }
  return { id, uuid, managerToken, householdIds };
}

async function defineSchedule(app: App, communityId: string, token: string): Promise<string> {
  const data = await graphql(
    app,
    `
      mutation ($c: ID!) {
        defineFeeSchedule(
          communityId: $c
          schedule: {
            frequency: MONTH
            effectiveFromPeriodId: "2026-03"
            ratePerSquareMetreMonth: "150"
            dueDay: 10
            graceDays: 5
          }
        ) {
          __typename
          ... on MutationDefineFeeScheduleSuccess {
            data {
              scheduleId
            }
          }
          ... on Error {
            code
            message
          }
        }
      }
    `,
    { c: communityId },
    token,
  );
  if (!data.defineFeeSchedule.data) throw new Error(JSON.stringify(data.defineFeeSchedule));
  return data.defineFeeSchedule.data.scheduleId;
}

async function throughput(total: number, clients: number, work: (index: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let index = next++; index < total; index = next++) await work(index);
    }),
  );
  return total / ((performance.now() - start) / 1000);
}

const PAY = `mutation ($c: ID!, $h: ID!, $a: Money!, $k: String!) {
  recordPayment(communityId: $c, householdId: $h, amount: $a, idempotencyKey: $k) { __typename ... on Error { code message } }
}`;

export const suite: BenchSuite = {
  name: 'money',
  async run(options: BenchOptions): Promise<BenchFigure[]> {
    const installation = await openBenchApp(options, { adminPassword: ADMIN_PASSWORD });
    const { app, database } = installation;
    app.services.money.jobsPaused = true;
    app.services.money.clock = { now: () => new Date('2026-03-02T02:00:00Z') };
    try {
      const adminToken = await login(app, 'admin', ADMIN_PASSWORD);
      const households = options.quick ? 2_000 : 10_000;
      const rounds = options.quick ? 1 : 3;
      const issueSeconds: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const books = await community(app, adminToken, `issue-${round}`, households);
        const scheduleId = await defineSchedule(app, books.id, books.managerToken);
        const start = performance.now();
        const result = await runInvoicesForCommunity(
          { services: app.services, em: app.orm.em.fork() as SqlEntityManager },
          books.uuid,
          scheduleId,
          '2026-03',
          'bench',
        );
        issueSeconds.push((performance.now() - start) / 1000);
        if (result.issued !== households) throw new Error(`issued ${result.issued} of ${households}`);
      }

      const payments = options.quick ? 400 : 2_000;
      const payRates: number[] = [];
      const appendRates: number[] = [];
      for (let round = 0; round < rounds; round++) {
        const books = await community(app, adminToken, `pay-${round}`, 500);
        const scheduleId = await defineSchedule(app, books.id, books.managerToken);
        await runInvoicesForCommunity(
          { services: app.services, em: app.orm.em.fork() as SqlEntityManager },
          books.uuid,
          scheduleId,
          '2026-03',
          'bench',
        );
        const householdGlobalIds = books.householdIds.map((householdId) =>
          Buffer.from(`Household:${householdId}`).toString('base64'),
        );
        payRates.push(
          await throughput(payments, CLIENTS, async (index) => {
            const data = await graphql(
              app,
              PAY,
              {
                c: books.id,
                h: householdGlobalIds[index % householdGlobalIds.length],
                a: '5000',
                k: `bench-${round}-${index}`,
              },
              books.managerToken,
            );
            if (data.recordPayment.__typename !== 'MutationRecordPaymentSuccess')
              throw new Error(JSON.stringify(data.recordPayment));
          }),
        );
        // The ledger's plain append through the transaction runner (as a mutation), same run, same clients.
        const log = randomUUID();
        appendRates.push(
          await throughput(payments, CLIENTS, (index) =>
            app.services.transactions.run(app.orm.em.fork() as SqlEntityManager, (tx) =>
              appendEntry(tx, { communityId: log, type: 'bench.append', payload: { index }, actor: 'bench' }),
            ),
          ),
        );
      }
      const issue = median(issueSeconds);
      const pay = median(payRates);
      const append = median(appendRates);
      return [
        {
          name: `issue one period's invoices, ${households} households`,
          median: issue,
          unit: 's',
          samples: rounds,
          target: '<= 10 (10,000 households, PostgreSQL)',
          // The target is for 10,000 households on PostgreSQL; a quick or PGlite run only indicates.
          met: households === 10_000 && database === 'postgresql' ? issue <= 10 : undefined,
          detail: { database, households, invoicesPerSecond: Math.round(households / issue) },
        },
        {
          name: `payments over GraphQL, ${CLIENTS} clients`,
          median: pay,
          unit: 'payments/s',
          samples: rounds,
          target: '>= 300',
          met: pay >= 300,
          detail: {
            database,
            paymentsPerRound: payments,
            ledgerAppendThroughRunnerPerSecond: Math.round(append),
            ratioToLedgerAppend: Number((pay / append).toFixed(2)),
          },
        },
        {
          name: `ledger append through the transaction runner, ${CLIENTS} clients (baseline)`,
          median: append,
          unit: 'entries/s',
          samples: rounds,
          detail: { database },
        },
      ];
    } finally {
      await installation.close();
    }
  },
};
