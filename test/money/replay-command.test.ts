/**
 * `npm run ledger:replay` as an operator runs it (a child process on the database the
 * server used): exit 0 when the money projection replayed from the ledger equals the live
 * tables, exit 1 naming the record when a live row was changed behind the ledger's back.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { loadConfiguration } from '../../src/config/configuration.ts';
import type { Orm, SqlEntityManager } from '../../src/db/orm.ts';
import { createApp, openDatabase } from '../../src/server/app.ts';
import { postTransferBatch } from '../../src/funds/funds-operations.ts';
import { runProjectionUnit } from '../../src/funds/projection-unit.ts';
import { ensureCommunityBooks } from '../../src/fees/fees-operations.ts';
import { emptyMoneyState } from '../../src/fees/fees-state.ts';
import { MONEY_TABLES } from '../../src/fees/money-tables.ts';
import { COMMAND_EXIT } from '../../scripts/ledger/command.ts';
import { ADMIN_PASSWORD } from '../support/app.ts';
import { createTestDatabase, seedPgliteDataFolder, serverDatabaseUrl, type TestDatabase } from '../support/database.ts';
import { newCommunityLog } from '../ledger/ledger-support.ts';

const run = promisify(execFile);
const NODE = join(process.cwd(), 'node_modules/.bin/node');

async function replay(
  communityId: string,
  env: Record<string, string>,
  script = 'replay',
): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await run(NODE, [`scripts/ledger/${script}.ts`, '--community', communityId], {
      timeout: 60_000,
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout };
  } catch (error) {
    const failure = error as { code: number; stdout: string };
    return { code: failure.code, stdout: failure.stdout };
  }
}

describe('ledger:replay', () => {
  let folder: string;
  let env: Record<string, string>;
  let database: TestDatabase | undefined;
  let communityId: string;
  let operatingId: string;
  const withOrm = async (work: (orm: Orm) => Promise<void>) => {
    if (database) return work(database.orm);
    const orm = await openDatabase(
      loadConfiguration({ COURTYARD_DATA_DIR: folder, COURTYARD_ADMIN_PASSWORD: ADMIN_PASSWORD }),
    );
    try {
      await work(orm);
    } finally {
      await orm.close(true);
    }
  };

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'courtyard-replay-'));
    const configuration = loadConfiguration({ COURTYARD_DATA_DIR: folder, COURTYARD_ADMIN_PASSWORD: ADMIN_PASSWORD });
    if (serverDatabaseUrl) database = await createTestDatabase();
    // On PGlite the folder starts from the run's migrated template (what is tested here is the command).
    else await seedPgliteDataFolder(folder);
    env = { DATABASE_URL: database?.databaseUrl ?? '', COURTYARD_DATA_DIR: folder };
    await withOrm(async (orm) => {
      const app = await createApp(configuration, { orm, logger: pino({ level: 'silent' }) });
      const em = () => orm.em.fork() as SqlEntityManager;
      communityId = await newCommunityLog(em());
      const inUnit = <T>(work: Parameters<typeof runProjectionUnit<ReturnType<typeof emptyMoneyState>, T>>[4]) =>
        runProjectionUnit(app.services.transactions, em(), MONEY_TABLES, () => emptyMoneyState(communityId), work);
      const ids = await inUnit((unit) => ensureCommunityBooks(unit, '2026-03-01', 'system'));
      operatingId = ids.get('operating')!;
      await inUnit((unit) =>
        postTransferBatch(unit, {
          idempotencyKey: 'replay-cmd-01',
          transfers: [
            {
              debitAccountId: operatingId,
              creditAccountId: ids.get('external')!,
              amountFen: 5_000n,
              code: 'opening-balance',
            },
          ],
          postedOn: '2026-03-01',
          actor: 'system',
        }),
      );
      await app.close();
    });
  });
  afterAll(async () => {
    await database?.dispose();
    await rm(folder, { recursive: true, force: true });
  });

  it('says replay equals live, and names an account changed behind the ledger, as the audit does', async () => {
    const clean = await replay(communityId, env);
    expect(clean).toMatchObject({
      code: COMMAND_EXIT.ok,
      stdout: expect.stringContaining('fees: 7 entries replayed; replay equals live'),
    });
    await withOrm(async (orm) => {
      await orm.em
        .fork()
        .execute(
          `update money_accounts set record = jsonb_set(record, '{debitsFen}', '{"$fen": "6000"}') where key = ?`,
          [operatingId],
        );
    });
    const tampered = await replay(communityId, env);
    // The audit replays once the hashes verify: the log is intact, the projection is not.
    const audit = await replay(communityId, env, 'audit');
    expect(audit).toMatchObject({
      code: COMMAND_EXIT.failed,
      // The hashes first, then each module's replay (governance has nothing here; fees differs).
      stdout: expect.stringMatching(new RegExp(`OK: the log verifies\n(.+\n)*fees: 7 entries replayed; FAILED: account ${operatingId}`)),
    });
    expect(tampered).toMatchObject({
      code: COMMAND_EXIT.failed,
      stdout: expect.stringContaining(`FAILED: account ${operatingId}: live differs from replay`),
    });
  });
});
