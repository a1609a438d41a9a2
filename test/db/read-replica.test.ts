/**
 * Read-only requests on a PostgreSQL hot standby (src/db/read-replicas.ts): a primary and
 * a streaming standby made here from the installed PostgreSQL binaries, in a temporary
 * folder, on free ports, torn down afterwards. Replay on the standby is paused to tell
 * who answered: a query that does not see a committed write was served by the standby.
 */
import { execFile } from 'node:child_process';
import { appendFile, chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import { loadConfiguration } from '../../src/config/configuration.ts';
import { createApp, type App } from '../../src/server/app.ts';

const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';
const ADMIN_PASSWORD = 'correct horse battery staple';
const run = promisify(execFile);



/** PostgreSQL refuses to run as root: then its commands run as the `postgres` user. */
const asRoot = process.getuid?.() === 0;
async function pgCommand(command: string, args: string[]): Promise<void> {
  const [file, fullArgs] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(POSTGRES_BIN, command), ...args]] : [join(POSTGRES_BIN, command), args];
  await run(file, fullArgs, { timeout: 60_000 });
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Cluster {
  folder: string;
  primaryPort: number;
  standbyPort: number;
  url(port: number): string;
}

async function startPrimaryAndStandby(): Promise<Cluster> {
  const folder = await mkdtemp(join(tmpdir(), 'courtyard-replica-'));
  if (asRoot) await chown(folder, Number((await run('id', ['-u', 'postgres'])).stdout), Number((await run('id', ['-g', 'postgres'])).stdout));
  const primary = join(folder, 'primary');
  const standby = join(folder, 'standby');
  const [primaryPort, standbyPort] = [await freePort(), await freePort()];
  await pgCommand('initdb', ['-D', primary, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  // Loopback only, sockets in the test's folder; no fsync: the data is thrown away.
  await appendFile(primary + '/postgresql.conf', `\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '${folder}'\nfsync = off\n`);
  await pgCommand('pg_ctl', ['-D', primary, '-l', join(folder, 'primary.log'), '-o', `-p ${primaryPort}`, '-w', '-t', '30', 'start']);
  // -R writes standby.signal and primary_conninfo: the copy starts as a streaming hot standby.
  await pgCommand('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primaryPort), '-U', 'postgres', '-D', standby, '-R', '-X', 'stream']);
  await pgCommand('pg_ctl', ['-D', standby, '-l', join(folder, 'standby.log'), '-o', `-p ${standbyPort}`, '-w', '-t', '30', 'start']);
  return { folder, primaryPort, standbyPort, url: (port) => `postgres://postgres@127.0.0.1:${port}/postgres` };
}

async function stopServer(cluster: Cluster, name: 'primary' | 'standby'): Promise<void> {
  await pgCommand('pg_ctl', ['-D', join(cluster.folder, name), '-m', 'immediate', '-w', '-t', '30', 'stop']).catch(() => undefined);
}

let cluster: Cluster;
let standby: pg.Client;
let primary: pg.Client;
let app: App;

async function graphql(query: string, variables: Record<string, unknown>, token: string | null): Promise<any> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers['authorization'] = `Bearer ${token}`;
  const response = await app.yoga.fetch('http://courtyard.test/graphql', { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
  const body = (await response.json()) as any;
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data;
}

async function login(): Promise<string> {
  const data = await graphql(
    `mutation ($login: String!, $password: String!) { login(login: $login, password: $password) { ... on MutationLoginSuccess { data { token } } } }`,
    { login: 'admin', password: ADMIN_PASSWORD },
    null,
  );
  return data.login.data.token;
}

/** Until the standby has replayed everything the primary wrote so far (bounded). */
async function waitForReplay(): Promise<void> {
  const { rows } = await primary.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const caughtUp = await standby.query<{ done: boolean }>('SELECT pg_last_wal_replay_lsn() >= $1::pg_lsn AS done', [rows[0]!.lsn]);
    if (caughtUp.rows[0]!.done) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the standby did not catch up within 20 s');
}

async function metric(name: string): Promise<string | undefined> {
  const response = await app.yoga.fetch('http://courtyard.test/metrics');
  const text = await response.text();
  return text.split('\n').find((line) => line.startsWith(name))?.split(' ').at(-1);
}

const COMMUNITY_SLUGS = `query { communities(first: 100) { edges { node { slug } } } }`;
const INSTALLATION_ENTRY_TYPES = `query ($log: ID!) { ledgerEntries(communityId: $log, last: 100) { edges { node { type } } } }`;
const CREATE_COMMUNITY = `mutation ($slug: String!) { createCommunity(slug: $slug, name: "Replica test") {
  __typename ... on MutationCreateCommunitySuccess { data { slug } } } }`;

const slugs = async (token: string) => ((await graphql(COMMUNITY_SLUGS, {}, token)).communities.edges as any[]).map((edge) => edge.node.slug);

beforeAll(async () => {
  cluster = await startPrimaryAndStandby();
  primary = new pg.Client({ connectionString: cluster.url(cluster.primaryPort) });
  standby = new pg.Client({ connectionString: cluster.url(cluster.standbyPort) });
  await primary.connect();
  await standby.connect();
  const dataDirectory = join(cluster.folder, 'app');
  const configuration = loadConfiguration({
    COURTYARD_DATA_DIR: dataDirectory,
    COURTYARD_ADMIN_PASSWORD: ADMIN_PASSWORD,
    DATABASE_URL: cluster.url(cluster.primaryPort),
    DATABASE_REPLICA_URLS: cluster.url(cluster.standbyPort),
    // Pausing replay below makes the standby fall behind on purpose; it must keep serving.
    DATABASE_REPLICA_MAX_LAG_SECONDS: '3600',
  });
  app = await createApp(configuration, { logger: pino({ level: 'silent' }) });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await primary?.end().catch(() => undefined);
  await standby?.end().catch(() => undefined);
  if (cluster) {
    await stopServer(cluster, 'standby');
    await stopServer(cluster, 'primary');
    await rm(cluster.folder, { recursive: true, force: true });
  }
}, 120_000);

test('queries read on the standby, mutations and the writer’s own reads on the primary, and a lost standby sends reads back to the primary', async () => {
  expect(app.readReplicas?.replicaCount).toBe(1);
  const writer = await login();
  const reader = await login();
  const installationId = (await graphql(`query { installation { id } }`, {}, reader)).installation.id;
  await waitForReplay();
  await app.readReplicas!.pollNow();
  expect(app.readReplicas!.replicasServeReads()).toBe(true);
  const entriesBefore = (await graphql(INSTALLATION_ENTRY_TYPES, { log: installationId }, reader)).ledgerEntries.edges.length;

  // The standby stops applying what it receives: from now on it is behind the primary.
  await standby.query('SELECT pg_wal_replay_pause()');
  const created = await graphql(CREATE_COMMUNITY, { slug: 'north' }, writer);
  expect(created.createCommunity).toEqual({ __typename: 'MutationCreateCommunitySuccess', data: { slug: 'north' } });
  expect((await primary.query(`SELECT count(*)::int AS n FROM communities WHERE slug = 'north'`)).rows[0].n).toBe(1);

  // The writer reads its own write (primary); another session's queries are answered by the standby.
  expect(await slugs(writer)).toContain('north');
  expect(await slugs(reader)).not.toContain('north');
  expect((await graphql(INSTALLATION_ENTRY_TYPES, { log: installationId }, reader)).ledgerEntries.edges).toHaveLength(entriesBefore);
  // A session revoked on the primary is refused at once, whatever the standby holds.
  await graphql(`mutation { logout { __typename } }`, {}, writer);
  await expect(slugs(writer)).rejects.toThrow(/UNAUTHENTICATED/u);

  // The lag is exported, and grows while replay is paused.
  const deadline = Date.now() + 10_000;
  while (Number(await metric('courtyard_database_replica_lag_seconds{replica="0"}')) <= 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(Number(await metric('courtyard_database_replica_lag_seconds{replica="0"}'))).toBeGreaterThan(0);
  expect(await metric('courtyard_database_replicas_serving_reads')).toBe('1');

  await standby.query('SELECT pg_wal_replay_resume()');
  await waitForReplay();
  expect(await slugs(reader)).toContain('north');
  expect((await graphql(INSTALLATION_ENTRY_TYPES, { log: installationId }, reader)).ledgerEntries.edges.length).toBeGreaterThan(entriesBefore);
  expect(Number(await metric('courtyard_database_replica_lag_seconds{replica="0"}'))).toBe(0);

  // A standby that cannot be reached serves nothing: reads go to the primary.
  await standby.end();
  await stopServer(cluster, 'standby');
  await app.readReplicas!.pollNow();
  expect(app.readReplicas!.replicasServeReads()).toBe(false);
  expect(await metric('courtyard_database_replicas_serving_reads')).toBe('0');
  expect(await metric('courtyard_database_replica_lag_seconds{replica="0"}')).toBeUndefined();
  await graphql(CREATE_COMMUNITY, { slug: 'south' }, await login());
  expect(await slugs(reader)).toEqual(expect.arrayContaining(['north', 'south']));
}, 120_000);
