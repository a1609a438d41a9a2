/**
 * The shared nullifier store: one use per community, scope and nullifier, enforced by the
 * database — also when transactions race for the same nullifier.
 */
import { randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { InvalidInputError } from '../../src/domain-error.ts';
import { isNullifierUsed, nullifierCheck, useNullifier } from '../../src/census/nullifier-store.ts';
import { SNARK_SCALAR_FIELD } from '../../src/zk/field.ts';
import { createTestDatabase, serverDatabaseUrl, type TestDatabase } from '../support/database.ts';

/** PGlite runs one transaction at a time, so nothing there can wait for a lock. */
const itOnPostgres = serverDatabaseUrl ? it : it.skip;

let database: TestDatabase;
let communityId: string;
let otherCommunityId: string;

const em = () => database.orm.em.fork() as unknown as SqlEntityManager;
const inTransaction = <T>(work: (em: SqlEntityManager) => Promise<T>) => em().transactional((transactional) => work(transactional as SqlEntityManager));
const SCOPE = 20_261_130n;
let nextNullifier = 7_000_000n;
const freshNullifier = () => nextNullifier++;

async function insertCommunity(slug: string): Promise<string> {
  const id = randomUUID();
  await em().execute(`insert into communities (id, slug, name, created_at) values (?, ?, ?, now())`, [id, slug, slug]);
  return id;
}

async function storedCount(): Promise<number> {
  const [row] = await em().execute<Array<{ count: unknown }>>('select count(*) as count from census_nullifiers');
  return Number(row!.count);
}

beforeAll(async () => {
  database = await createTestDatabase();
  communityId = await insertCommunity('nullifiers');
  otherCommunityId = await insertCommunity('nullifiers-other');
});
afterAll(() => database.dispose());

describe('the nullifier store', () => {
  it('accepts a nullifier once: fresh the first time, used every time after', async () => {
    const use = { communityId, scope: SCOPE, nullifier: freshNullifier() };
    expect(await isNullifierUsed(em(), use)).toBe(false);
    expect(await inTransaction((transaction) => useNullifier(transaction, use))).toBe(true);
    expect(await isNullifierUsed(em(), use)).toBe(true);
    expect(await inTransaction((transaction) => useNullifier(transaction, use))).toBe(false);
    expect(await nullifierCheck(em(), communityId)(use.nullifier, use.scope)).toBe(true);
  });

  it('keeps scopes and communities apart', async () => {
    const nullifier = freshNullifier();
    expect(await inTransaction((transaction) => useNullifier(transaction, { communityId, scope: SCOPE, nullifier }))).toBe(true);
    expect(await inTransaction((transaction) => useNullifier(transaction, { communityId, scope: SCOPE + 1n, nullifier }))).toBe(true);
    expect(await inTransaction((transaction) => useNullifier(transaction, { communityId: otherCommunityId, scope: SCOPE, nullifier }))).toBe(true);
    expect(await nullifierCheck(em(), otherCommunityId)(nullifier, SCOPE + 1n)).toBe(false);
  });

  it('forgets a use whose transaction rolled back', async () => {
    const use = { communityId, scope: SCOPE, nullifier: freshNullifier() };
    const rolledBack = inTransaction(async (transaction) => {
      expect(await useNullifier(transaction, use)).toBe(true);
      throw new Error('the action failed after using its nullifier');
    });
    await expect(rolledBack).rejects.toThrow('the action failed');
    expect(await isNullifierUsed(em(), use)).toBe(false);
    expect(await inTransaction((transaction) => useNullifier(transaction, use))).toBe(true);
  });

  it('refuses a scope or nullifier outside the field, and an invalid community id, writing nothing', async () => {
    const before = await storedCount();
    for (const use of [
      { communityId, scope: SNARK_SCALAR_FIELD, nullifier: 1n },
      { communityId, scope: SCOPE, nullifier: SNARK_SCALAR_FIELD },
      { communityId, scope: -1n, nullifier: 1n },
      { communityId: 'not-a-uuid', scope: SCOPE, nullifier: 1n },
    ]) {
      await expect(inTransaction((transaction) => useNullifier(transaction, use))).rejects.toBeInstanceOf(InvalidInputError);
    }
    // The largest field element is accepted: the bound is exclusive.
    expect(await inTransaction((transaction) => useNullifier(transaction, { communityId, scope: SCOPE, nullifier: SNARK_SCALAR_FIELD - 1n }))).toBe(true);
    expect(await storedCount()).toBe(before + 1);
  });

  it('gives a nullifier to exactly one of many transactions racing for it', async () => {
    const use = { communityId, scope: SCOPE, nullifier: freshNullifier() };
    const outcomes = await Promise.all(
      Array.from({ length: 8 }, () =>
        inTransaction(async (transaction) => {
          const fresh = await useNullifier(transaction, use);
          // Hold the row a moment, so the others meet an uncommitted insert.
          await new Promise((resolve) => setTimeout(resolve, 20));
          return fresh;
        }),
      ),
    );
    expect(outcomes.filter(Boolean)).toHaveLength(1);
  });

  itOnPostgres('makes a second transaction wait for the first, and hands it the nullifier when the first rolls back', async () => {
    const use = { communityId, scope: SCOPE, nullifier: freshNullifier() };
    let releaseFirst!: () => void;
    const firstMayEnd = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstUsed!: () => void;
    const firstHasUsed = new Promise<void>((resolve) => (firstUsed = resolve));
    const first = inTransaction(async (transaction) => {
      expect(await useNullifier(transaction, use)).toBe(true);
      firstUsed();
      await firstMayEnd;
      throw new Error('first rolls back');
    });
    await firstHasUsed;
    const second = inTransaction((transaction) => useNullifier(transaction, use));
    // The second insert blocks on the first's uncommitted row until the first ends.
    await waitForLockWait();
    releaseFirst();
    await expect(first).rejects.toThrow('first rolls back');
    expect(await second).toBe(true);
    // And once the second committed, a third is refused.
    expect(await inTransaction((transaction) => useNullifier(transaction, use))).toBe(false);
  });
});

/** Waits until some session of this database waits on a lock (at most two seconds). */
async function waitForLockWait(): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const [row] = await em().execute<Array<{ waiting: unknown }>>(
      `select count(*) as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`,
    );
    if (Number(row!.waiting) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no transaction waited for the lock');
}
