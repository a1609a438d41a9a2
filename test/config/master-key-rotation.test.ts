/**
 * The master key rotates while the server serves (src/privacy/master-key-rotation.ts,
 * `npm run keys:rotate-master`): personal data written before reads the same after,
 * requests made during the rotation (on PostgreSQL) — reads, lookups by blind index, new
 * households — all succeed, and afterwards the old key opens nothing while the new one opens every
 * wrapped key.
 *
 * @ci-both-engines: on PGlite the rotation shares the server's one connection through the
 * ORM's transactions, one short transaction per kind of key (src/privacy/master-key-rotation.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { MasterKey } from '../../src/privacy/envelope.ts';
import { rotateMasterKey } from '../../src/privacy/master-key-rotation.ts';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { serverDatabaseUrl } from '../support/database.ts';
import { createCommunityFixture, registerHousehold, type CommunityFixture } from '../support/fixtures.ts';

let testApp: TestApp;
let community: CommunityFixture;

beforeAll(async () => {
  testApp = await createTestApp();
  community = await createCommunityFixture(testApp, 'rotation');
});
afterAll(() => testApp.dispose());

const READ = `query ($householdId: ID!) {
  householdPersonalData(householdId: $householdId, purpose: BILLING) {
    __typename ... on QueryHouseholdPersonalDataSuccess { data { unitLabel members { name phone idNumber } } } ... on Error { code message }
  }
}`;
const FIND = `query ($communityId: ID!, $unitLabel: String) { findHousehold(communityId: $communityId, unitLabel: $unitLabel) { __typename ... on QueryFindHouseholdSuccess { data { id } } } }`;

async function personalData(householdId: string) {
  const response = await testApp.graphql(READ, { householdId }, community.managerToken);
  return response.data?.householdPersonalData?.data ?? response;
}

async function readKeyFile(): Promise<{
  masterKeyBase64: string;
  previousMasterKeysBase64?: string[];
  blindIndexRootBase64?: string;
}> {
  return JSON.parse(await readFile(join(testApp.dataDirectory, 'keys.json'), 'utf8'));
}

async function sealedRows(): Promise<Array<{ sealed: Uint8Array; context: string }>> {
  const connection = testApp.database.orm.em.getConnection();
  const households: Array<{ id: string; wrapped_data_key: Uint8Array }> = await connection.execute(
    'select id, wrapped_data_key from households where wrapped_data_key is not null',
  );
  const logKeys: Array<{ community_id: string; sealed_private_key: Uint8Array }> = await connection.execute(
    'select community_id, sealed_private_key from ledger_log_keys',
  );
  return [
    ...households.map((row) => ({ sealed: new Uint8Array(row.wrapped_data_key), context: `${row.id}/dataKey` })),
    ...logKeys.map((row) => ({
      sealed: new Uint8Array(row.sealed_private_key),
      context: `ledger_log_keys/${row.community_id}/private_key`,
    })),
  ];
}

function opens(key: MasterKey, row: { sealed: Uint8Array; context: string }): boolean {
  try {
    key.open(row.sealed, row.context);
    return true;
  } catch {
    return false;
  }
}

describe('rotating the master key', () => {
  it('re-wraps every data and log key while requests keep succeeding; data written before reads the same after', async () => {
    const before = await personalData(community.householdId);
    expect(before.members[0]).toEqual({
      name: community.residentName,
      phone: community.residentPhone,
      idNumber: community.residentIdNumber,
    });
    const oldFile = await readKeyFile();

    let rotating = true;
    const failures: string[] = [];
    const written: Array<{ id: string; unitLabel: string }> = [];
    // The command runs beside servers only on PostgreSQL: PGlite's data folder is locked by
    // its one server process, so there the requests run before and after the rotation.
    if (!serverDatabaseUrl) rotating = false;
    const traffic = (async () => {
      for (let round = 0; rotating || round < 3; round++) {
        const read = await personalData(community.householdId);
        if (JSON.stringify(read) !== JSON.stringify(before)) failures.push(`read ${round}: ${JSON.stringify(read)}`);
        const found = await testApp.graphql(
          FIND,
          { communityId: community.id, unitLabel: community.unitLabel },
          community.managerToken,
        );
        if (found.data?.findHousehold?.data?.id !== community.householdId)
          failures.push(`find ${round}: ${JSON.stringify(found)}`);
        const unitLabel = `rotation ${round} 号`;
        written.push({
          unitLabel,
          ...(await registerHousehold(testApp, community.managerToken, {
            communityId: community.id,
            unitLabel,
            floorAreaCentiSquareMetres: 7000,
          })),
        });
      }
    })();
    if (!serverDatabaseUrl) await traffic;
    const rotation = await rotateMasterKey({
      dataDirectory: testApp.dataDirectory,
      forkEntityManager: () => testApp.database.orm.em.fork() as SqlEntityManager,
    }).finally(() => {
      rotating = false;
    });
    await traffic;

    expect(failures).toEqual([]);
    expect(rotation.resumed).toBe(false);
    expect(rotation.householdKeysRewrapped).toBeGreaterThanOrEqual(1);
    expect(rotation.logKeysResealed).toBeGreaterThanOrEqual(2); // the installation log and the community's
    expect(written.length).toBeGreaterThanOrEqual(3);

    const newFile = await readKeyFile();
    expect(newFile.masterKeyBase64).not.toBe(oldFile.masterKeyBase64);
    expect(newFile.previousMasterKeysBase64).toBeUndefined();
    const oldKeyOnly = new MasterKey(new Uint8Array(Buffer.from(oldFile.masterKeyBase64, 'base64')));
    const newKeyOnly = new MasterKey(new Uint8Array(Buffer.from(newFile.masterKeyBase64, 'base64')));
    const rows = await sealedRows();
    expect(rows.filter((row) => opens(oldKeyOnly, row))).toEqual([]);
    expect(rows.filter((row) => !opens(newKeyOnly, row))).toEqual([]);

    // Every household, those written during the rotation too, reads after; lookups by blind index still find them.
    expect(await personalData(community.householdId)).toEqual(before);
    for (const household of written) {
      expect((await personalData(household.id)).unitLabel).toBe(household.unitLabel);
      const found = await testApp.graphql(
        FIND,
        { communityId: community.id, unitLabel: household.unitLabel },
        community.managerToken,
      );
      expect(found.data.findHousehold.data.id).toBe(household.id);
    }
  });

  it('a second rotation goes on from the first, and an interrupted one is resumed without a new key', async () => {
    const first = await readKeyFile();
    const again = await rotateMasterKey({
      dataDirectory: testApp.dataDirectory,
      forkEntityManager: () => testApp.database.orm.em.fork() as SqlEntityManager,
      settleMs: 0,
    });
    expect(again.resumed).toBe(false);
    const second = await readKeyFile();
    expect(second.masterKeyBase64).not.toBe(first.masterKeyBase64);
    expect(second.blindIndexRootBase64).toBe(first.blindIndexRootBase64);
    expect(await personalData(community.householdId)).toMatchObject({ unitLabel: community.unitLabel });

    // Interrupted after the new key was written: the file still lists the previous key.
    const path = join(testApp.dataDirectory, 'keys.json');
    await writeFile(path, JSON.stringify({ ...second, previousMasterKeysBase64: [first.masterKeyBase64] }));
    const resumed = await rotateMasterKey({
      dataDirectory: testApp.dataDirectory,
      forkEntityManager: () => testApp.database.orm.em.fork() as SqlEntityManager,
      settleMs: 0,
    });
    expect(resumed).toMatchObject({ resumed: true, householdKeysRewrapped: 0, logKeysResealed: 0 });
    expect(await readKeyFile()).toEqual({ ...second });
    expect(await personalData(community.householdId)).toMatchObject({ unitLabel: community.unitLabel });
  });
});

describe('npm run keys:rotate-master', () => {
  const NODE = join(process.cwd(), 'node_modules/.bin/node');
  async function command(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
    try {
      const { stderr } = await promisify(execFile)(NODE, ['scripts/keys/rotate-master.ts'], {
        timeout: 60_000,
        env: { ...process.env, ...env },
      });
      return { code: 0, stderr };
    } catch (error) {
      return error as { code: number; stderr: string };
    }
  }

  it('refuses a master key given by configuration, and a data folder without a key file, with status 2 and one line', async () => {
    const folder = await mkdtemp(join(tmpdir(), 'courtyard-rotate-'));
    try {
      const configured = await command({
        COURTYARD_DATA_DIR: folder,
        COURTYARD_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      });
      expect(configured).toMatchObject({
        code: 2,
        stderr: expect.stringMatching(/^error: COURTYARD_MASTER_KEY is set/u),
      });
      const missing = await command({ COURTYARD_DATA_DIR: folder, COURTYARD_MASTER_KEY: '' });
      expect(missing).toMatchObject({ code: 2, stderr: expect.stringMatching(/^error: no key file at /u) });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
