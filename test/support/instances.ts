/**
 * Real server processes for tests of several instances: `node src/server/main.ts` with the
 * pinned Node, each on a free loopback port (PORT=0, read back from its start-up line),
 * sharing one PostgreSQL database, one Redis and the installation's keys, as instances
 * behind a load balancer do. PostgreSQL only: a PGlite folder belongs to one process.
 * Also a Redis server of a test's own (`startRedisServer`), which it may stop and start.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createScratchDatabase, type ScratchDatabase } from '../../src/db/scratch-database.ts';
import { initOrm, type Orm, type SqlEntityManager } from '../../src/db/orm.ts';
import { KEY_BYTES } from '../../src/privacy/envelope.ts';
import { databaseSchema } from '../../src/server/modules.ts';

const NODE = new URL('../../node_modules/.bin/node', import.meta.url).pathname;
const MAIN = new URL('../../src/server/main.ts', import.meta.url).pathname;
const AUDIT = new URL('../../scripts/ledger/audit.ts', import.meta.url).pathname;

export const INSTANCE_ADMIN_PASSWORD = 'correct horse battery staple';
export const INSTANCE_PASSWORD = 'a long enough password';
/** How long an instance may take to migrate, bootstrap and listen. */
const START_TIMEOUT_MS = 90_000;
/** Two instances migrate and start in about 10 s on an idle machine; far longer when the machine is shared. */
export const INSTANCES_STARTUP_TIMEOUT_MS = 120_000;

const databaseServerUrl = process.env['DATABASE_URL'] || undefined;
/** The Redis the instances share: REDIS_URL, else the local one. */
export const sharedRedisUrl = process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';

/**
 * `describe` when DATABASE_URL names a PostgreSQL server, else skipped with a warning: PGlite
 * is one process, so instances cannot share it.
 */
export function describeOnSharedPostgres(name: string, body: () => void): void {
  if (databaseServerUrl) return describe(name, body);
  console.warn(`"${name}" skipped: set DATABASE_URL to a PostgreSQL server (PGlite is one process, so instances cannot share it)`);
  describe.skip(name, body);
}

/** Two instances of one installation on a fresh PostgreSQL database, and the test's own view of that database. */
export interface TwoInstances {
  scratch: ScratchDatabase;
  orm: Orm;
  a: Instance;
  b: Instance;
  /** Rows of a query on the shared database, outside the instances. */
  rows<T>(sql: string, parameters?: unknown[]): Promise<T[]>;
  dispose(): Promise<void>;
}

/**
 * Instances `a` and `b` started together on a new scratch database (one migrates and creates
 * the admin, the other waits for it) with the shared Redis; `settings` are further
 * environment variables of both. Nothing is left running when one fails to start.
 */
export async function startTwoInstances(settings: Record<string, string> = {}): Promise<TwoInstances> {
  const scratch = await createScratchDatabase(databaseServerUrl!, 'courtyard_test', { asynchronousCommit: true });
  const installation = sharedInstallation(scratch.url, sharedRedisUrl, settings);
  const started = await Promise.allSettled([startInstance(installation, 'a'), startInstance(installation, 'b')]);
  const running = started.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
  const failed = started.find((outcome) => outcome.status === 'rejected');
  if (failed) {
    await Promise.all(running.map((instance) => instance.dispose()));
    await scratch.drop();
    throw failed.reason;
  }
  const [a, b] = running as [Instance, Instance];
  const orm = await initOrm({ databaseUrl: scratch.url }, databaseSchema);
  return {
    scratch,
    orm,
    a,
    b,
    rows: async <T>(sql: string, parameters: unknown[] = []) => (orm.em.fork() as SqlEntityManager).execute(sql, parameters) as Promise<T[]>,
    async dispose() {
      await Promise.all([a.dispose(), b.dispose()]);
      await orm.close(true);
      await scratch.drop();
    },
  };
}

/** What every instance of one installation shares: database, Redis, keys and name. */
export interface Installation {
  databaseUrl: string;
  redisUrl: string;
  environment: Record<string, string>;
}

export function sharedInstallation(databaseUrl: string, redisUrl: string, settings: Record<string, string> = {}): Installation {
  const { privateKey } = generateKeyPairSync('ed25519');
  return {
    databaseUrl,
    redisUrl,
    environment: {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      HOST: '127.0.0.1',
      PORT: '0',
      // Redis keys and channels are named after the installation: a fresh name per run keeps runs apart.
      COURTYARD_INSTALLATION_NAME: `instances-${randomBytes(4).toString('hex')}.test`,
      COURTYARD_MASTER_KEY: randomBytes(KEY_BYTES).toString('base64'),
      COURTYARD_TOKEN_SIGNING_KEY: privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      COURTYARD_ADMIN_PASSWORD: INSTANCE_ADMIN_PASSWORD,
      LOG_LEVEL: 'info',
      ...settings,
    },
  };
}

export interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  /** Every JSON log line the process wrote so far. */
  logs: Array<Record<string, unknown>>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  graphql<T = any>(query: string, variables?: Record<string, unknown>, token?: string): Promise<{ data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> }>;
  /** Opens an SSE subscription; `events` fills with each `data` payload as it arrives. */
  subscribe(query: string, variables: Record<string, unknown>, token: string): Promise<{ events: any[]; close(): void }>;
  dispose(): Promise<void>;
}

export async function startInstance(installation: Installation, name: string): Promise<Instance> {
  const dataDirectory = await mkdtemp(join(tmpdir(), `courtyard-${name}-`));
  const child = spawn(NODE, [MAIN], {
    env: { PATH: process.env['PATH'] ?? '', ...installation.environment, COURTYARD_DATA_DIR: dataDirectory },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let output = '';
  let stderr = '';
  let buffered = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`instance ${name} did not start in ${START_TIMEOUT_MS} ms: ${stderr}`)), START_TIMEOUT_MS);
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('{')) logs.push(JSON.parse(line) as Record<string, unknown>);
        else output += `${line}\n`;
      }
      const started = /GraphiQL: (http:\/\/127\.0\.0\.1:\d+)\/graphql/u.exec(output);
      if (started) {
        clearTimeout(timer);
        resolve(started[1]!);
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`instance ${name} exited (${code ?? signal}) before listening: ${stderr}`));
    });
  });

  async function graphql(query: string, variables?: Record<string, unknown>, token?: string) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers['authorization'] = `Bearer ${token}`;
    const response = await fetch(`${url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    return (await response.json()) as any;
  }

  async function subscribe(query: string, variables: Record<string, unknown>, token: string) {
    const controller = new AbortController();
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query, variables }),
      signal: controller.signal,
    });
    const events: any[] = [];
    const decoder = new TextDecoder();
    let pending = '';
    void (async () => {
      try {
        const reader = response.body!.getReader();
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          pending += decoder.decode(value, { stream: true });
          const messages = pending.split('\n\n');
          pending = messages.pop()!;
          for (const message of messages) {
            const data = /^data: (.*)$/mu.exec(message);
            if (data) events.push(JSON.parse(data[1]!));
          }
        }
      } catch {
        // Aborted by close(), or the instance went away.
      }
    })();
    return { events, close: () => controller.abort() };
  }

  return {
    name,
    url,
    child,
    logs,
    exited,
    graphql,
    subscribe,
    async dispose() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      await rm(dataDirectory, { recursive: true, force: true });
    },
  };
}

/** Waits for `condition` to hold, checking every 50 ms, or fails naming `what`. */
export async function eventually<T>(what: string, condition: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Runs `npm run ledger:audit` (scripts/ledger/audit.ts) on one log; resolves with its exit status and JSON report. */
export async function runLedgerAudit(databaseUrl: string, communityId: string): Promise<{ status: number | null; report: any; stderr: string }> {
  const child = spawn(NODE, [AUDIT, '--community', communityId, '--json'], {
    env: { PATH: process.env['PATH'] ?? '', DATABASE_URL: databaseUrl },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const status = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  let report: any;
  try {
    report = JSON.parse(stdout);
  } catch {
    report = stdout;
  }
  return { status, report, stderr };
}

/** Runs `work` over `count` items with at most `concurrency` in flight. */
export async function inParallel<T>(count: number, concurrency: number, work: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await work(index);
      }
    }),
  );
  return results;
}

/** Fails with the whole answer unless `field` returned its typed success; returns the success's `data`. */
export function successOf(result: { data?: any; errors?: unknown }, field: string): any {
  const answer = result.data?.[field];
  if (!answer || !String(answer.__typename).endsWith('Success')) throw new Error(`${field} failed: ${JSON.stringify(result)}`);
  return answer.data;
}

export async function signIn(instance: Instance, login: string, password: string): Promise<string> {
  const result = await instance.graphql(
    `mutation ($login: String!, $password: String!) {
      login(login: $login, password: $password) { __typename ... on MutationLoginSuccess { data { token } } ... on Error { code message } }
    }`,
    { login, password },
  );
  return successOf(result, 'login').token;
}

/** Through `instance`: a community, and a manager of it signed in. */
export async function createCommunityWithManager(instance: Instance, adminToken: string, slug: string): Promise<{ communityId: string; managerLogin: string; managerToken: string }> {
  const community = successOf(
    await instance.graphql(
      `mutation ($slug: String!, $name: String!) {
        createCommunity(slug: $slug, name: $name) { __typename ... on MutationCreateCommunitySuccess { data { id } } ... on Error { code message } }
      }`,
      { slug, name: `Community ${slug}` },
      adminToken,
    ),
    'createCommunity',
  );
  const managerLogin = `${slug}-manager`;
  const account = successOf(
    await instance.graphql(
      `mutation ($login: String!, $password: String) {
        createAccount(login: $login, password: $password) { __typename ... on MutationCreateAccountSuccess { data { account { id } } } ... on Error { code message } }
      }`,
      { login: managerLogin, password: INSTANCE_PASSWORD },
      adminToken,
    ),
    'createAccount',
  );
  successOf(
    await instance.graphql(
      `mutation ($accountId: ID!, $communityId: ID) {
        grantRole(accountId: $accountId, role: MANAGER, communityId: $communityId) { __typename ... on MutationGrantRoleSuccess { data { id } } ... on Error { code message } }
      }`,
      { accountId: account.account.id, communityId: community.id },
      adminToken,
    ),
    'grantRole',
  );
  return { communityId: community.id, managerLogin, managerToken: await signIn(instance, managerLogin, INSTANCE_PASSWORD) };
}

export const REGISTER_HOUSEHOLD = `mutation ($communityId: ID!, $unitLabel: String!, $area: Int!) {
  registerHousehold(communityId: $communityId, unitLabel: $unitLabel, floorAreaCentiSquareMetres: $area) {
    __typename ... on MutationRegisterHouseholdSuccess { data { id } } ... on Error { code message }
  }
}`;

/** The UUID inside a Relay global id (`base64("Type:uuid")`), as the database holds it. */
export function uuidOf(globalId: string): string {
  return Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
}

/** A free loopback TCP port (nothing listens on it once this resolves). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** A Redis server of one test's own (the installed `redis-server`, nothing saved), on one port for its life. */
export interface RedisServer {
  url: string;
  /** Ends the server: from then on nothing listens on its port. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

const REDIS_SERVER_START_TIMEOUT_MS = 10_000;

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();
  async function start() {
    const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = server;
    exited = new Promise((resolve) => server.on('exit', resolve));
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start in ${REDIS_SERVER_START_TIMEOUT_MS} ms: ${output}`)), REDIS_SERVER_START_TIMEOUT_MS);
      server.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited before it was ready: ${output}`));
      });
    });
  }
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    start,
  };
}
