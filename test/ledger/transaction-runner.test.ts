/**
 * The one path from a committed append to a sequenced entry: the transaction runner
 * integrates what a unit of work appended right after it commits, and a failure there is
 * reported with its community id while the accepted entries wait for the integrator.
 */
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { appendEntry } from '../../src/ledger/append-entry.ts';
import { integratePending, pendingCount } from '../../src/ledger/integrator.ts';
import { logSize } from '../../src/ledger/entries.ts';
import { createTransactionRunner, type IntegrationFailure } from '../../src/ledger/transaction-runner.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { appendMany, asSuperuserBypassingTriggers, newCommunityLog } from './ledger-support.ts';

let database: TestDatabase;
const em = () => database.orm.em.fork() as SqlEntityManager;
const failures: IntegrationFailure[] = [];
const runner = createTransactionRunner({ onIntegrationFailure: (failure) => failures.push(failure) });

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.dispose());
beforeEach(() => {
  failures.length = 0;
});

const append = (transaction: SqlEntityManager, communityId: string, counter: number) =>
  appendEntry(transaction, { communityId, type: 'test.counted', payload: { counter }, actor: 'system' });

describe('the transaction runner', () => {
  it('sequences the entries a unit of work appended, in every community it touched, before returning', async () => {
    const first = await newCommunityLog(em());
    const second = await newCommunityLog(em());
    const result = await runner.run(em(), async (transaction) => {
      await append(transaction, first, 1);
      await append(transaction, second, 1);
      await append(transaction, first, 2);
      return 'done';
    });
    expect(result).toBe('done');
    expect([await logSize(em(), first), await pendingCount(em(), first)]).toEqual([2, 0]);
    expect([await logSize(em(), second), await pendingCount(em(), second)]).toEqual([1, 0]);
    expect(failures).toEqual([]);
  });

  it('commits and sequences nothing when the work fails', async () => {
    const communityId = await newCommunityLog(em());
    const failed = runner.run(em(), async (transaction) => {
      await append(transaction, communityId, 1);
      throw new Error('the contract refused');
    });
    await expect(failed).rejects.toThrow('the contract refused');
    expect([await logSize(em(), communityId), await pendingCount(em(), communityId)]).toEqual([0, 0]);
  });

  it('reports a failed integration with its community id and leaves the committed entries pending', async () => {
    const communityId = await newCommunityLog(em());
    await appendMany(em(), communityId, 3);
    // A head whose frontier does not fit its size makes every integration of this log fail.
    await asSuperuserBypassingTriggers(em(), `update ledger_heads set frontier = '\\x'::bytea where community_id = ?`, [communityId]);
    const result = await runner.run(em(), async (transaction) => {
      await append(transaction, communityId, 4);
      return 'accepted';
    });
    expect(result).toBe('accepted');
    expect(failures).toHaveLength(1);
    expect(failures[0]!.communityId).toBe(communityId);
    expect((failures[0]!.error as Error).message).toMatch(/ledger head of .* is corrupt/u);
    expect(await pendingCount(em(), communityId)).toBe(1);
    await expect(integratePending(em(), communityId)).rejects.toThrow(/is corrupt/u);
  });

  it('refuses to run inside an enclosing transaction, whose commit it could not wait for', async () => {
    await expect(em().transactional((transaction) => runner.run(transaction as SqlEntityManager, async () => 'nested'))).rejects.toThrow(
      'runs in its own transaction',
    );
  });
});
