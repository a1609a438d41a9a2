/**
 * Replay equals live for witness keys: folds a log's `ledger.witness-registered` and
 * `ledger.witness-key-rotated` entries into the keys they announce (id, public key, role,
 * account, retired) and compares them with `ledger_witnesses` and
 * `ledger_witness_retirements`. Keys are named by their id (the cosignature key hash), as
 * on the log; key names stay off both. Keys registered by a version that did not record
 * registrations are recorded late, by `ledger.witness-registration-recorded`, at the next
 * server start (witness-backfill.ts); until then they show as live keys missing from the log.
 */
import type { ReplayComparison } from '../kernel/domain-module.ts';
import type { SqlEntityManager } from '../db/orm.ts';
import { WITNESS_REGISTRATION_RECORDED } from './witness-backfill.ts';
import { listWitnesses, WITNESS_KEY_ROTATED, WITNESS_REGISTERED, witnessKeyId } from './witnesses.ts';

interface FoldedWitness {
  publicKey: string;
  role: string;
  accountId: string | null;
  retired: boolean;
}

async function foldWitnesses(
  em: SqlEntityManager,
  logId: string,
): Promise<{ keys: Map<string, FoldedWitness>; entries: number }> {
  const rows: Array<{ type: string; actor: string; payload: string }> = await em.execute(
    'select type, actor, payload::text as payload from ledger_entries where community_id = ? and type in (?, ?, ?) order by seq',
    [logId, WITNESS_REGISTERED, WITNESS_REGISTRATION_RECORDED, WITNESS_KEY_ROTATED],
  );
  const keys = new Map<string, FoldedWitness>();
  // Keys a rotation retired before their registration was recorded (witness-backfill.ts).
  const retiredEarlier = new Set<string>();
  for (const row of rows) {
    const payload = JSON.parse(row.payload) as Record<string, string | null>;
    const keyId = payload['keyId']!;
    if (row.type === WITNESS_REGISTERED || row.type === WITNESS_REGISTRATION_RECORDED) {
      // A registration names the account as its actor; a late record, made by `system`, in its payload.
      const account = row.type === WITNESS_REGISTERED ? row.actor : payload['accountId'];
      keys.set(keyId, {
        publicKey: payload['publicKey']!,
        role: payload['role']!,
        accountId: account === 'system' ? null : (account ?? null),
        retired: retiredEarlier.has(keyId),
      });
      continue;
    }
    // A rotation: the new key takes the retired one's role and account.
    const retiredKeyId = payload['retiredKeyId']!;
    const retired = keys.get(retiredKeyId);
    if (retired) retired.retired = true;
    else retiredEarlier.add(retiredKeyId);
    keys.set(keyId, {
      publicKey: payload['publicKey']!,
      role: payload['role']!,
      accountId: retired?.accountId ?? row.actor,
      retired: false,
    });
  }
  return { keys, entries: rows.length };
}

export async function compareWitnessReplay(em: SqlEntityManager, logId: string): Promise<ReplayComparison> {
  const { keys, entries } = await foldWitnesses(em, logId);
  const differences: Array<{ description: string }> = [];
  for (const witness of await listWitnesses(em, logId)) {
    const keyId = witnessKeyId(witness.keyName, witness.publicKey);
    const folded = keys.get(keyId);
    keys.delete(keyId);
    if (!folded) {
      differences.push({ description: `witness key ${keyId}: live but not on the log` });
      continue;
    }
    const live: FoldedWitness = {
      publicKey: Buffer.from(witness.publicKey).toString('base64'),
      role: witness.role,
      accountId: witness.accountId,
      retired: witness.retired ?? false,
    };
    for (const field of ['publicKey', 'role', 'accountId', 'retired'] as const) {
      if (live[field] !== folded[field])
        differences.push({ description: `witness key ${keyId}: live ${field} differs from replay` });
    }
  }
  for (const keyId of keys.keys()) differences.push({ description: `witness key ${keyId}: on the log but not live` });
  return { entries, differences };
}
