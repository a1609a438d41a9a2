/**
 * Witness keys registered by a version that did not yet record registrations have no
 * `ledger.witness-registered` entry, so replay does not equal live for them.
 * `recordUnloggedWitnesses` appends, for each such key, one
 * `ledger.witness-registration-recorded` entry: the key's id, public key and role (as a
 * registration carries them), and the account it belongs to, which a registration gives as
 * its actor but a late record cannot — its actor is `system`, who records it now. Every
 * server start runs it (the ledger module's `atStart`); once all keys are on the log it
 * appends nothing.
 *
 * Ordering (docs/ledger.md, "Appending"): it locks the log's witness rows first — the rows
 * a rotation locks before retiring a key, and another instance's backfill before its own —
 * and only then reads which keys the log already has, pending entries included, and
 * appends. So a key is recorded once even when several instances start together, and a
 * rotation of a key being recorded is sequenced after the record. A rotation recorded
 * before the key's registration was (its entry naming the key's id as retired) still
 * retires it: the replay applies a retirement whenever the key's registration shows up.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { appendEntries, MAX_ENTRIES_PER_APPEND } from './append-entry.ts';
import { toBytes } from './sql-values.ts';
import { WITNESS_KEY_ROTATED, WITNESS_REGISTERED, witnessKeyId, type WitnessRole } from './witnesses.ts';

export const WITNESS_REGISTRATION_RECORDED = 'ledger.witness-registration-recorded';

/** The entry types that put a witness key on a log: its registration, a late record of it, or the rotation that made it. */
const KEY_ANNOUNCEMENTS = [WITNESS_REGISTERED, WITNESS_REGISTRATION_RECORDED, WITNESS_KEY_ROTATED] as const;

/** The ids of the witness keys a log announces, whether its entries are sequenced or still pending. */
export async function announcedWitnessKeyIds(em: SqlEntityManager, logId: string): Promise<Set<string>> {
  const rows: Array<{ payload: string }> = await em.execute(
    `select payload::text as payload from ledger_entries where community_id = ? and type in (?, ?, ?)
     union all
     select payload::text from ledger_pending where community_id = ? and type in (?, ?, ?)`,
    [logId, ...KEY_ANNOUNCEMENTS, logId, ...KEY_ANNOUNCEMENTS],
  );
  return new Set(rows.map((row) => (JSON.parse(row.payload) as { keyId: string }).keyId));
}

interface WitnessRow {
  key_name: string;
  publicKey: Uint8Array;
  role: WitnessRole;
  account_id: string | null;
}

/** The log's witness keys that no entry announces; `lock` locks the log's witness rows first. */
async function unloggedWitnessesOf(em: SqlEntityManager, logId: string, lock: boolean): Promise<WitnessRow[]> {
  const rows: Array<Omit<WitnessRow, 'publicKey'> & { public_key: unknown }> = await em.execute(
    `select key_name, public_key, role, account_id from ledger_witnesses where community_id = ? order by key_name ${lock ? 'for update' : ''}`,
    [logId],
  );
  const announced = await announcedWitnessKeyIds(em, logId);
  return rows
    .map(({ public_key: publicKey, ...row }) => ({ ...row, publicKey: toBytes(publicKey) }))
    .filter((witness) => !announced.has(witnessKeyId(witness.key_name, witness.publicKey)));
}

/** Records the log's witness keys that no entry announces; returns how many it recorded. */
export async function recordUnloggedWitnessesOf(em: SqlEntityManager, logId: string): Promise<number> {
  const unlogged = await unloggedWitnessesOf(em, logId, true);
  for (let start = 0; start < unlogged.length; start += MAX_ENTRIES_PER_APPEND) {
    await appendEntries(
      em,
      logId,
      unlogged.slice(start, start + MAX_ENTRIES_PER_APPEND).map((witness) => ({
        type: WITNESS_REGISTRATION_RECORDED,
        payload: {
          keyId: witnessKeyId(witness.key_name, witness.publicKey),
          publicKey: Buffer.from(witness.publicKey).toString('base64'),
          role: witness.role,
          accountId: witness.account_id,
        },
        actor: 'system',
      })),
    );
  }
  return unlogged.length;
}

/**
 * Records every log's unlogged witness keys, one transaction per log (run it through the
 * transaction runner, which sequences the entries after each commit).
 */
export async function recordUnloggedWitnesses(
  forkEntityManager: () => SqlEntityManager,
  runInTransaction: <T>(em: SqlEntityManager, work: (tx: SqlEntityManager) => Promise<T>) => Promise<T>,
): Promise<Map<string, number>> {
  const logs: Array<{ community_id: string }> = await forkEntityManager().execute(
    'select distinct community_id from ledger_witnesses order by community_id',
  );
  const recorded = new Map<string, number>();
  for (const { community_id: logId } of logs) {
    // Once every key is on the log (every start but the first after the upgrade), one read and no lock.
    if ((await unloggedWitnessesOf(forkEntityManager(), logId, false)).length === 0) continue;
    const count = await runInTransaction(forkEntityManager(), (tx) => recordUnloggedWitnessesOf(tx, logId));
    if (count > 0) recorded.set(logId, count);
  }
  return recorded;
}
