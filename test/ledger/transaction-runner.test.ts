/**
 * The one path from a committed append to a sequenced entry: the transaction runner
 * integrates what a unit of work appended right after it commits, and a failure there is
 * reported with its community id while the accepted entries wait for the integrator.
 *
 * @ci-both-engines: after-commit integration shares PGlite's one connection with the next
 * unit of work, and has connections of its own on PostgreSQL.
 */
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { appendEntry } from '../../src/ledger/append-entry.ts';
import { integratePending, pendingCount, sequenceOfEntry } from '../../src/ledger/integrator.ts';
import { logSize } from '../../src/ledger/entries.ts';
import { createTransactionRunner, IntegrationPasses, type IntegrationFailure } from '../../src/ledger/transaction-runner.ts';
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

  it("with sequencing 'after-return', answers at the commit and sequences in a pass it shares with the units committed meanwhile", async () => {
    const communityId = await newCommunityLog(em());
    const receipts = await Promise.all(Array.from({ length: 5 }, (_, counter) =>
      runner.run(em(), (transaction) => append(transaction, communityId, counter), { sequencing: 'after-return' })));
    // Answered before the pass ended: its request waits AFTER_RETURN_INTEGRATION_DELAY_MS for others to join.
    expect(runner.integrating()).toBe(true);
    await runner.settled();
    expect(runner.integrating()).toBe(false);
    expect([await logSize(em(), communityId), await pendingCount(em(), communityId)]).toEqual([5, 0]);
    // Each receipt's entry is committed and now has its seq, in commit order of the pending ids.
    const seqs = await Promise.all(receipts.map((receipt) => sequenceOfEntry(em(), communityId, receipt.entryId, receipt.time)));
    expect([...seqs].sort()).toEqual([0, 1, 2, 3, 4]);
    expect(failures).toEqual([]);
  });

  it("with sequencing 'after-return', a receipt's seq read at once is resolved on demand", async () => {
    const communityId = await newCommunityLog(em());
    const receipt = await runner.run(em(), (transaction) => append(transaction, communityId, 1), { sequencing: 'after-return' });
    expect(await sequenceOfEntry(em(), communityId, receipt.entryId, receipt.time)).toBe(0);
    await runner.settled();
    expect([await logSize(em(), communityId), await pendingCount(em(), communityId)]).toEqual([1, 0]);
    expect(failures).toEqual([]);
  });

  it("with sequencing 'after-return', a failed integration is still reported with its community id", async () => {
    const communityId = await newCommunityLog(em());
    await appendMany(em(), communityId, 1);
    await asSuperuserBypassingTriggers(em(), `update ledger_heads set frontier = '\\x'::bytea where community_id = ?`, [communityId]);
    expect(await runner.run(em(), (transaction) => append(transaction, communityId, 2).then(() => 'accepted'), { sequencing: 'after-return' })).toBe('accepted');
    await runner.settled();
    expect(failures.map((failure) => failure.communityId)).toEqual([communityId]);
    expect(await pendingCount(em(), communityId)).toBe(1);
  });

  it('refuses to run inside an enclosing transaction, whose commit it could not wait for', async () => {
    await expect(em().transactional((transaction) => runner.run(transaction as SqlEntityManager, async () => 'nested'))).rejects.toThrow(
      'runs in its own transaction',
    );
  });
});

describe('shared integration passes', () => {
  /** A pass that runs until released, recording when it began. */
  function controlledPasses() {
    const began: number[] = [];
    const releases: Array<(value: number) => void> = [];
    const failures: Array<(error: Error) => void> = [];
    const pass = () =>
      new Promise<number>((resolve, reject) => {
        began.push(began.length);
        releases.push(resolve);
        failures.push(reject);
      });
    return { began, releases, failures, pass };
  }
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('gives a caller who arrives during a pass the next pass, one shared by everyone who arrived meanwhile', async () => {
    const passes = new IntegrationPasses();
    const { began, releases, pass } = controlledPasses();
    const first = passes.integrate('c', pass);
    const during = [passes.integrate('c', pass), passes.integrate('c', pass), passes.integrate('c', pass)];
    await settle();
    expect(began).toHaveLength(1); // the next pass waits for the running one to end
    releases[0]!(1);
    expect(await first).toBe(1);
    await settle();
    expect(began).toHaveLength(2);
    const afterSecondBegan = passes.integrate('c', pass); // the second pass may have missed this caller's commit
    releases[1]!(3);
    expect(await Promise.all(during)).toEqual([3, 3, 3]);
    await settle();
    expect(began).toHaveLength(3);
    releases[2]!(1);
    expect(await afterSecondBegan).toBe(1);
    // Another community never waits for this one.
    const other = passes.integrate('d', pass);
    await settle();
    expect(began).toHaveLength(4);
    releases[3]!(0);
    await other;
  });

  it("reports a failed pass to the callers who shared it, and the next caller's pass still runs", async () => {
    const passes = new IntegrationPasses();
    const { began, releases, failures, pass } = controlledPasses();
    const first = passes.integrate('c', pass);
    const shared = [passes.integrate('c', pass), passes.integrate('c', pass)];
    failures[0]!(new Error('head corrupt'));
    await expect(first).rejects.toThrow('head corrupt');
    await settle();
    failures[1]!(new Error('still corrupt'));
    for (const caller of shared) await expect(caller).rejects.toThrow('still corrupt');
    const later = passes.integrate('c', pass);
    await settle();
    expect(began).toHaveLength(3);
    releases[2]!(2);
    expect(await later).toBe(2);
  });

  it('lets callers who ask for a pass within a delay share one request, which then joins the running pass as any caller does', async () => {
    const passes = new IntegrationPasses();
    const { began, releases, pass } = controlledPasses();
    const soon = [passes.integrateSoon('c', pass, 30), passes.integrateSoon('c', pass, 30)];
    expect(passes.busy()).toBe(true);
    await settle();
    expect(began).toHaveLength(0); // nothing begins before the delay
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(began).toHaveLength(1);
    const later = passes.integrateSoon('c', pass, 1); // after the request went out: a new request
    releases[0]!(2);
    expect(await Promise.all(soon)).toEqual([2, 2]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(began).toHaveLength(2);
    releases[1]!(1);
    expect(await later).toBe(1);
    await passes.settled();
    expect(passes.busy()).toBe(false);
  });

  it('sequences every entry of many concurrent units of work on one community', async () => {
    const communityId = await newCommunityLog(em());
    await Promise.all(Array.from({ length: 24 }, (_, counter) => runner.run(em(), (transaction) => append(transaction, communityId, counter))));
    expect([await logSize(em(), communityId), await pendingCount(em(), communityId)]).toEqual([24, 0]);
    expect(failures).toEqual([]);
  });
});
