/** Shared set-up for the ledger's database tests. */
import { randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { MasterKey } from '../../src/privacy/envelope.ts';
import { appendEntries } from '../../src/ledger/append-entry.ts';
import { integratePending } from '../../src/ledger/integrator.ts';
import { ensureLogKey } from '../../src/ledger/log-keys.ts';

export const testSealer = new MasterKey(new Uint8Array(32).fill(7));

export async function newCommunityLog(em: SqlEntityManager): Promise<string> {
  const communityId = randomUUID();
  await ensureLogKey(em, { communityId, origin: `courtyard.test/${communityId.slice(0, 8)}`, sealer: testSealer });
  return communityId;
}

export async function appendMany(em: SqlEntityManager, communityId: string, count: number, batch = 100): Promise<void> {
  for (let start = 0; start < count; start += batch) {
    const size = Math.min(batch, count - start);
    await em.transactional((transaction) =>
      appendEntries(
        transaction,
        communityId,
        Array.from({ length: size }, (_, offset) => ({
          type: 'test.counted',
          payload: { counter: start + offset, amountFen: (start + offset) * 100 },
          actor: 'system',
        })),
      ),
    );
  }
  await integratePending(em, communityId);
}

/** Runs SQL with triggers (and foreign keys) switched off, as a superuser could. */
export async function asSuperuserBypassingTriggers(em: SqlEntityManager, sql: string, parameters: unknown[] = []): Promise<void> {
  await em.transactional(async (transaction) => {
    await transaction.execute('set local session_replication_role = replica');
    await transaction.execute(sql, parameters);
  });
}

/** Gives a bare log a community row whose policy requires `count` cosignatures (the ledger reads it from there). */
export async function requireCosignatures(em: SqlEntityManager, communityId: string, count: number): Promise<void> {
  await em.execute(
    `insert into communities (id, slug, name, jurisdiction_id, required_cosignatures, created_at)
     values (?, ?, ?, null, ?, now())`,
    [communityId, `log-${communityId.slice(0, 8)}`, 'Ledger test community', count],
  );
}
