/**
 * GraphQL throughput and p99 over real HTTP on loopback (issue 16): `viewer { login }`, a
 * 20-entry `ledgerEntries` page and `communities(first: 20)`, each next to a bare
 * graphql-yoga server answering a constant, measured in the same run with the same load
 * generator (autocannon, 32 connections, bounded duration). Runs alternate (bare, then
 * each query, round after round) so that a loaded machine weighs on all alike; each
 * figure is the median over rounds of its req/s and of its ratio to that round's bare run.
 *
 * autocannon runs as its own process so that it does not share the server's thread.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { createSchema, createYoga } from 'graphql-yoga';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { countStatements } from '../../src/db/statement-count.ts';
import { appendEntry } from '../../src/ledger/append-entry.ts';
import type { App } from '../../src/server/app.ts';
import { listen } from '../../src/server/server.ts';
import { readProcessStat } from './process-stat.ts';
import { median, percentile, type BenchFigure, type BenchOptions, type BenchSuite } from './bench-suite.ts';
import { postConcurrently } from './http-clients.ts';
import { openBenchApp } from './bench-app.ts';

const CONNECTIONS = 32;
const ADMIN_PASSWORD = 'correct horse battery staple';
const PASSWORD = 'a long enough password';
const COMMUNITIES = 20;
const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');

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

/** A member (manager) of COMMUNITIES communities, the first with 40 more ledger entries; their token and the first community's id. */
export async function seed(app: App): Promise<{ token: string; communityId: string }> {
  const adminToken = await login(app, 'admin', ADMIN_PASSWORD);
  const created = await graphql(
    app,
    `
      mutation ($l: String!, $p: String) {
        createAccount(login: $l, password: $p) {
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
    { l: 'bench-member', p: PASSWORD },
    adminToken,
  );
  const accountId: string = created.createAccount.data.account.id;
  const communityIds: string[] = [];
  for (let index = 0; index < COMMUNITIES; index++) {
    const community = await graphql(
      app,
      `
        mutation ($s: String!) {
          createCommunity(slug: $s, name: $s) {
            ... on MutationCreateCommunitySuccess {
              data {
                id
              }
            }
          }
        }
      `,
      { s: `bench-${String(index).padStart(2, '0')}` },
      adminToken,
    );
    communityIds.push(community.createCommunity.data.id);
    await graphql(
      app,
      `
        mutation ($a: ID!, $c: ID) {
          grantRole(accountId: $a, role: MANAGER, communityId: $c) {
            __typename
          }
        }
      `,
      { a: accountId, c: community.createCommunity.data.id },
      adminToken,
    );
  }
  const uuid = Buffer.from(communityIds[0]!, 'base64').toString('utf8').split(':')[1]!;
  for (let index = 0; index < 40; index++) {
    await app.services.transactions.run(app.orm.em.fork() as SqlEntityManager, (tx) =>
      appendEntry(tx, { communityId: uuid, type: 'bench.entry', payload: { index }, actor: 'bench' }),
    );
  }
  // The member changes nothing; the token is what every request carries.
  return { token: await login(app, 'bench-member', PASSWORD), communityId: communityIds[0]! };
}

/** One account per login connection: each signs in again and again, from its own address. */
async function createLoginAccounts(app: App): Promise<string[]> {
  const adminToken = await login(app, 'admin', ADMIN_PASSWORD);
  const logins = Array.from({ length: CONNECTIONS }, (_, index) => `bench-login-${String(index).padStart(2, '0')}`);
  for (const name of logins) {
    await graphql(app, 'mutation ($l: String!, $p: String) { createAccount(login: $l, password: $p) { __typename } }', { l: name, p: PASSWORD }, adminToken);
  }
  return logins;
}

/**
 * `login` under load: CONNECTIONS clients, each signing in as its own account from its own
 * loopback address, `count` sign-ins in all (the login throttle counts attempts in flight
 * per address and per name, so one address sending 32 at once would be refused by design).
 */
async function loginLoad(endpoint: string, logins: readonly string[], count: number): Promise<Load> {
  const query = 'mutation ($l: String!, $p: String!) { login(login: $l, password: $p) { __typename } }';
  const bodies = Array.from({ length: count }, (_, index) => JSON.stringify({ query, variables: { l: logins[index % logins.length], p: PASSWORD } }));
  const { seconds, latenciesMs } = await postConcurrently({
    url: endpoint,
    clients: logins.length,
    bodies,
    headers: { 'content-type': 'application/json' },
    expect: 'MutationLoginSuccess',
    sourceAddresses: logins.map((_, index) => `127.0.0.${10 + index}`),
  });
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return { requestsPerSecond: count / seconds, p99Ms: percentile(sorted, 0.99), requests: count };
}

/** A graphql-yoga server with nothing but a constant field: the baseline. */
async function bareServer(): Promise<{ url: string; server: Server }> {
  const yoga = createYoga({
    schema: createSchema({ typeDefs: 'type Query { ok: String! }', resolvers: { Query: { ok: () => 'ok' } } }),
    logging: false,
    landingPage: false,
  });
  const server = createServer(yoga);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, server };
}

interface Load {
  requestsPerSecond: number;
  p99Ms: number;
  /** Requests answered in the run. */
  requests: number;
}

/** One autocannon run; refuses a run with failed requests, so a broken query cannot pass for a fast one. */
export async function load(url: string, body: string, seconds: number, token?: string): Promise<Load> {
  const headers = ['-H', 'content-type=application/json', ...(token ? ['-H', `authorization=Bearer ${token}`] : [])];
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [AUTOCANNON, '-c', String(CONNECTIONS), '-d', String(seconds), '-m', 'POST', ...headers, '-b', body, '-j', url],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const result = JSON.parse(stdout) as {
    requests: { average: number; total: number };
    latency: { p99: number };
    non2xx: number;
    errors: number;
    timeouts: number;
  };
  if (result.non2xx || result.errors || result.timeouts)
    throw new Error(`autocannon: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  return { requestsPerSecond: result.requests.average, p99Ms: result.latency.p99, requests: result.requests.total };
}

/** What one run cost per request: this process's CPU (the server), PostgreSQL's and statements sent. */
interface RunCost {
  serverCpuMsPerRequest: number;
  /** PostgreSQL backends of the bench database on this machine; undefined on PGlite or a remote server. */
  databaseCpuMsPerRequest: number | undefined;
  statementsPerRequest: number;
}

async function databaseBackendsCpuSeconds(orm: App['orm']): Promise<Map<number, number>> {
  const rows = (await orm.em.getConnection().execute(
    'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
  )) as Array<{ pid: number }>;
  const seconds = new Map<number, number>();
  for (const { pid } of rows) {
    const stat = readProcessStat(pid);
    if (stat) seconds.set(pid, stat.cpuMs / 1000);
  }
  return seconds;
}

/** Marks the async work of HTTP requests, so that statements of background jobs are not counted as theirs. */
const requestScope = new AsyncLocalStorage<true>();

/** Runs every request `server` receives inside `requestScope`. */
export function scopeRequests(server: Server): void {
  const listeners = server.listeners('request') as Array<(request: IncomingMessage, response: ServerResponse) => void>;
  server.removeAllListeners('request');
  for (const listener of listeners) server.on('request', (request, response) => requestScope.run(true, () => listener(request, response)));
}

/** Seconds of quiet before each measured run, to learn what the background jobs cost meanwhile. */
const IDLE_SECONDS = 1;

async function cpuSnapshot(orm: App['orm'], local: boolean) {
  const usage = process.cpuUsage();
  return { serverSeconds: (usage.user + usage.system) / 1e6, database: local ? await databaseBackendsCpuSeconds(orm) : undefined, at: performance.now() };
}

function databaseSecondsBetween(before: Map<number, number> | undefined, after: Map<number, number> | undefined): number | undefined {
  if (!before || !after || after.size === 0) return undefined;
  let seconds = 0;
  // A backend opened in between started from nothing.
  for (const [pid, cpu] of after) seconds += cpu - (before.get(pid) ?? 0);
  return seconds;
}

/**
 * Runs `run` and divides what the server and the database spent by the requests it made:
 * statements sent within requests (scopeRequests), and CPU less what the same process and
 * database spent over IDLE_SECONDS of quiet just before (background jobs), per second.
 */
export async function measureCost(orm: App['orm'], local: boolean, run: () => Promise<Load>): Promise<Load & RunCost> {
  const idleStart = await cpuSnapshot(orm, local);
  await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000));
  const start = await cpuSnapshot(orm, local);
  const statements = countStatements(orm, () => requestScope.getStore() === true);
  let result: Load;
  try {
    result = await run();
  } finally {
    statements.stop();
  }
  const end = await cpuSnapshot(orm, local);
  const idleSeconds = (start.at - idleStart.at) / 1000;
  const runSeconds = (end.at - start.at) / 1000;
  const background = (idle: number) => (idle / idleSeconds) * runSeconds;
  const server = end.serverSeconds - start.serverSeconds - background(start.serverSeconds - idleStart.serverSeconds);
  const databaseIdle = databaseSecondsBetween(idleStart.database, start.database);
  const databaseRun = databaseSecondsBetween(start.database, end.database);
  const requests = Math.max(result.requests, 1);
  return {
    ...result,
    serverCpuMsPerRequest: (Math.max(server, 0) * 1000) / requests,
    databaseCpuMsPerRequest:
      databaseRun === undefined || databaseIdle === undefined ? undefined : (Math.max(databaseRun - background(databaseIdle), 0) * 1000) / requests,
    statementsPerRequest: statements.total / requests,
  };
}

interface Case {
  name: string;
  body: string;
  /** What the answer must hold, checked once before the load. */
  check(data: any): boolean;
  target?: { requestsPerSecond?: number; ratio?: number; p99Ms?: number };
}

export const suite: BenchSuite = {
  name: 'graphql',
  async run(options: BenchOptions): Promise<BenchFigure[]> {
    const bench = await openBenchApp(options, { adminPassword: ADMIN_PASSWORD });
    const { app, database } = bench;
    const orm = app.orm;
    const bare = await bareServer();
    const courtyard = await listen(app, '127.0.0.1', 0);
    scopeRequests(courtyard.httpServer);
    try {
      const { token, communityId } = await seed(app);
      const logins = await createLoginAccounts(app);
      const cases: Case[] = [
        {
          name: 'viewer { login }',
          body: JSON.stringify({ query: '{ viewer { login } }' }),
          check: (data) => data.viewer?.login === 'bench-member',
          target: { ratio: 0.5 },
        },
        {
          name: 'ledgerEntries, 20-entry page',
          body: JSON.stringify({
            query:
              'query ($c: ID!) { ledgerEntries(communityId: $c, first: 20) { edges { node { seq type actor time payload leafHash } } } }',
            variables: { c: communityId },
          }),
          check: (data) => data.ledgerEntries?.edges?.length === 20,
          target: { ratio: 0.5 },
        },
        {
          name: 'communities(first: 20)',
          body: JSON.stringify({
            query: '{ communities(first: 20) { edges { node { id slug name createdAt requiredCosignatures } } } }',
          }),
          check: (data) => data.communities?.edges?.length === 20,
          target: { requestsPerSecond: 1_500, p99Ms: 50 },
        },
      ];
      const endpoint = `${courtyard.url}/graphql`;
      for (const testCase of cases) {
        const response = await fetch(endpoint, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: testCase.body,
        });
        const result = (await response.json()) as { data?: unknown; errors?: unknown };
        if (result.errors || !testCase.check(result.data))
          throw new Error(`${testCase.name}: unexpected answer ${JSON.stringify(result)}`);
      }
      const rounds = options.quick ? 2 : 3;
      const seconds = options.quick ? 3 : 8;
      const bareBody = JSON.stringify({ query: '{ ok }' });
      const bareRuns: Load[] = [];
      const runs = cases.map(() => [] as Array<Load & RunCost & { ratio: number }>);
      // The database's CPU is read from /proc: only when PostgreSQL runs on this machine.
      const local = database === 'postgresql' && /@(127\.0\.0\.1|localhost)[:/]/u.test(options.databaseUrl!);
      const loginsPerRound = options.quick ? 160 : 480;
      const loginRuns: Array<Load & RunCost & { ratio: number }> = [];
      for (let round = 0; round < rounds; round++) {
        const baseline = await load(bare.url, bareBody, seconds);
        bareRuns.push(baseline);
        for (const [index, testCase] of cases.entries()) {
          const run = await measureCost(orm, local, () => load(endpoint, testCase.body, seconds, token));
          runs[index]!.push({ ...run, ratio: run.requestsPerSecond / baseline.requestsPerSecond });
        }
        const loginRun = await measureCost(orm, local, () => loginLoad(endpoint, logins, loginsPerRound));
        loginRuns.push({ ...loginRun, ratio: loginRun.requestsPerSecond / baseline.requestsPerSecond });
      }
      const bareRate = median(bareRuns.map((run) => run.requestsPerSecond));
      const figures: BenchFigure[] = [
        {
          name: `bare graphql-yoga constant, ${CONNECTIONS} connections (baseline)`,
          median: bareRate,
          unit: 'req/s',
          samples: rounds,
          detail: { p99Ms: median(bareRuns.map((run) => run.p99Ms)), secondsPerRun: seconds },
        },
      ];
      for (const [index, testCase] of cases.entries()) {
        const caseRuns = runs[index]!;
        const rate = median(caseRuns.map((run) => run.requestsPerSecond));
        const ratio = median(caseRuns.map((run) => run.ratio));
        const p99 = median(caseRuns.map((run) => run.p99Ms));
        const databaseCpu = caseRuns.every((run) => run.databaseCpuMsPerRequest !== undefined)
          ? median(caseRuns.map((run) => run.databaseCpuMsPerRequest!))
          : undefined;
        const { target } = testCase;
        figures.push({
          name: `${testCase.name}, ${CONNECTIONS} connections`,
          median: rate,
          unit: 'req/s',
          samples: rounds,
          ...(target?.ratio ? { target: `>= ${target.ratio} x bare`, met: ratio >= target.ratio } : {}),
          ...(target?.requestsPerSecond
            ? { target: `>= ${target.requestsPerSecond}`, met: rate >= target.requestsPerSecond }
            : {}),
          detail: {
            database,
            ratioToBare: Number(ratio.toFixed(2)),
            bareRequestsPerSecond: Math.round(bareRate),
            p99Ms: p99,
            secondsPerRun: seconds,
          },
        });
        figures.push({
          name: `${testCase.name}, server CPU per request`,
          median: median(caseRuns.map((run) => run.serverCpuMsPerRequest)),
          unit: 'ms',
          samples: rounds,
          detail: {
            database,
            statementsPerRequest: Number(median(caseRuns.map((run) => run.statementsPerRequest)).toFixed(3)),
            ...(databaseCpu === undefined ? {} : { databaseCpuMsPerRequest: Number(databaseCpu.toFixed(3)) }),
          },
        });
        figures.push({
          name: `${testCase.name}, SQL statements per request`,
          median: median(caseRuns.map((run) => run.statementsPerRequest)),
          unit: 'statements',
          samples: rounds,
          detail: { database },
        });
        if (databaseCpu !== undefined)
          figures.push({ name: `${testCase.name}, PostgreSQL CPU per request`, median: databaseCpu, unit: 'ms', samples: rounds, detail: { database } });
        figures.push({
          name: `${testCase.name}, ${CONNECTIONS} connections, p99`,
          median: p99,
          unit: 'ms',
          samples: rounds,
          ...(target?.p99Ms ? { target: `<= ${target.p99Ms}`, met: p99 <= target.p99Ms } : {}),
          detail: { database },
        });
      }
      figures.push(
        {
          name: `login, ${CONNECTIONS} connections (${CONNECTIONS} accounts, one address each)`,
          median: median(loginRuns.map((run) => run.requestsPerSecond)),
          unit: 'req/s',
          samples: rounds,
          detail: {
            database,
            ratioToBare: Number(median(loginRuns.map((run) => run.ratio)).toFixed(3)),
            p99Ms: Math.round(median(loginRuns.map((run) => run.p99Ms))),
            loginsPerRun: loginsPerRound,
            // What bounds it: one Argon2id hash per sign-in (19 MiB, 2 passes; src/accounts/passwords.ts).
            serverCpuMsPerRequest: Number(median(loginRuns.map((run) => run.serverCpuMsPerRequest)).toFixed(2)),
            statementsPerRequest: Number(median(loginRuns.map((run) => run.statementsPerRequest)).toFixed(2)),
          },
        },
        {
          name: `login, ${CONNECTIONS} connections, p99`,
          median: median(loginRuns.map((run) => run.p99Ms)),
          unit: 'ms',
          samples: rounds,
          detail: { database },
        },
      );
      return figures;
    } finally {
      await courtyard.close();
      await new Promise<void>((resolve) => bare.server.close(() => resolve()));
      await bench.close();
    }
  },
};
