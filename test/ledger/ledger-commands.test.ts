/**
 * The ledger commands (scripts/ledger/) run as child processes, as an operator runs
 * them: they take the global id the API hands out as well as the UUID, and every
 * failure is one clear line and its own exit status (docs/ledger.md, "Commands").
 *
 * @ci-both-engines: on PGlite a command opens the installation's data folder, under its lock
 * (src/db/data-folder-lock.ts); on PostgreSQL it connects to DATABASE_URL.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { loadConfiguration } from '../../src/config/configuration.ts';
import type { Orm, SqlEntityManager } from '../../src/db/orm.ts';
import { cutCheckpoint } from '../../src/ledger/checkpoints.ts';
import { createApp, openDatabase, type App } from '../../src/server/app.ts';
import { COMMAND_EXIT } from '../../scripts/ledger/command.ts';
import { ADMIN_PASSWORD } from '../support/app.ts';
import { createTestDatabase, seedPgliteDataFolder, serverDatabaseUrl, type TestDatabase } from '../support/database.ts';

const run = promisify(execFile);
const NODE = join(process.cwd(), 'node_modules/.bin/node');
const silent = () => pino({ level: 'silent' });
const uuidOf = (globalId: string) => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function command(script: string, args: string[], env: Record<string, string>): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(NODE, [`scripts/ledger/${script}.ts`, ...args], { timeout: 60_000, env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as { code: number; stdout: string; stderr: string };
    return { code: failure.code, stdout: failure.stdout, stderr: failure.stderr };
  }
}

/** Creates a community through the API of an app on `orm`, and returns its global id. */
async function createCommunity(app: App, slug: string): Promise<string> {
  const graphql = async (query: string, token?: string) => {
    const response = await app.yoga.fetch('http://courtyard.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query }),
    });
    return (await response.json()) as any;
  };
  const login = await graphql(`mutation { login(login: "admin", password: "${ADMIN_PASSWORD}") { ... on MutationLoginSuccess { data { token } } } }`);
  const token = login.data.login.data.token;
  const created = await graphql(`mutation { createCommunity(slug: "${slug}", name: "Commands") { ... on MutationCreateCommunitySuccess { data { id } } } }`, token);
  return created.data.createCommunity.data.id;
}

describe('ledger commands', () => {
  let env: Record<string, string>;
  let communityId: string;
  let folder: string;
  let database: TestDatabase | undefined;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'courtyard-commands-'));
    const configuration = loadConfiguration({ COURTYARD_DATA_DIR: folder, COURTYARD_ADMIN_PASSWORD: ADMIN_PASSWORD });
    let orm: Orm;
    if (serverDatabaseUrl) {
      database = await createTestDatabase();
      orm = database.orm;
      env = { DATABASE_URL: database.databaseUrl!, COURTYARD_DATA_DIR: folder };
    } else {
      // The folder starts from the run's migrated template (what is tested here is the commands).
      await seedPgliteDataFolder(folder);
      orm = await openDatabase(configuration);
      env = { DATABASE_URL: '', COURTYARD_DATA_DIR: folder };
    }
    const app = await createApp(configuration, { orm, logger: silent() });
    communityId = await createCommunity(app, 'command-court');
    await cutCheckpoint(orm.em.fork() as SqlEntityManager, uuidOf(communityId), app.services.ledger.sealer);
    await app.close();
    // The commands open the database themselves; a PGlite folder is then free for them.
    if (!database) await orm.close(true);
  });
  afterAll(async () => {
    await database?.dispose();
    await rm(folder, { recursive: true, force: true });
  });


  it('audit takes the global id the API hands out', async () => {
    const outcome = await command('audit', ['--community', communityId], env);
    expect(outcome).toMatchObject({ code: COMMAND_EXIT.ok, stdout: expect.stringContaining('OK: the log verifies') });
  });

  it('audit takes the UUID, and the installation log by its id or by name', async () => {
    for (const id of [uuidOf(communityId), 'installation', Buffer.from('Installation:00000000-0000-0000-0000-000000000000').toString('base64')]) {
      const outcome = await command('audit', ['--community', id], env);
      expect({ id, code: outcome.code, stdout: outcome.stdout }).toMatchObject({ id, code: COMMAND_EXIT.ok, stdout: expect.stringContaining('OK') });
    }
  });

  it('audit says in one line that a community does not exist, with its own exit status', async () => {
    const outcome = await command('audit', ['--community', '7d9f5c1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f'], env);
    expect(outcome.code).toBe(COMMAND_EXIT.notFound);
    expect(outcome.stderr.trim().split('\n')).toEqual([expect.stringMatching(/no ledger for community 7d9f5c1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f/u)]);
    expect(outcome.stdout).not.toContain('OK');
  });

  it('audit refuses an id that is neither a UUID nor a global id as bad usage', async () => {
    for (const id of ['not-an-id', Buffer.from('Household:7d9f5c1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f').toString('base64')]) {
      const outcome = await command('audit', ['--community', id], env);
      expect({ id, code: outcome.code }).toEqual({ id, code: COMMAND_EXIT.usage });
      expect(outcome.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('export takes the global id too, and names a missing community the same way', async () => {
    const out = join(folder, 'bundle.json');
    const exported = await command('export', ['--community', communityId, '--out', out], env);
    expect(exported.code).toBe(COMMAND_EXIT.ok);
    expect(JSON.parse(await readFile(out, 'utf8')).entries.length).toBeGreaterThan(0);
    const missing = await command('export', ['--community', '7d9f5c1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f', '--out', out], env);
    expect(missing.code).toBe(COMMAND_EXIT.notFound);
  });

  it('verify answers a missing bundle file in one line', async () => {
    const outcome = await command('verify', [join(folder, 'no-such-bundle.json')], env);
    expect(outcome.code).toBe(COMMAND_EXIT.usage);
    expect((outcome.stderr + outcome.stdout).trim().split('\n')).toHaveLength(1);
  });
});

describe('ledger commands beside a live server', () => {
  let folder: string;
  let app: App;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'courtyard-in-use-'));
    const configuration = loadConfiguration({ COURTYARD_DATA_DIR: folder, DATABASE_URL: '', COURTYARD_ADMIN_PASSWORD: ADMIN_PASSWORD });
    await seedPgliteDataFolder(folder);
    app = await createApp(configuration, { logger: silent() });
  });
  afterAll(async () => {
    await app.close();
    await rm(folder, { recursive: true, force: true });
  });

  it('say in one line that the PGlite data folder is in use, with its own exit status', async () => {
    const outcome = await command('audit', ['--community', 'installation'], { DATABASE_URL: '', COURTYARD_DATA_DIR: folder });
    expect(outcome.code).toBe(COMMAND_EXIT.dataFolderInUse);
    expect(outcome.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`data folder .* is in use by process ${process.pid}`, 'u'))]);
    expect(outcome.stderr).not.toContain('Aborted');
  });
});
