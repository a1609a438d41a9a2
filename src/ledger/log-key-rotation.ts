/**
 * Log-key rotation (docs/ledger.md, "Key rotation"). In one transaction, holding the
 * cutter's advisory lock and the log key row:
 *
 * 1. append `ledger.log-key-rotated` announcing the new key (id and public key only),
 * 2. integrate the log exactly up to it and cut a checkpoint there, signed by the OLD
 *    key: the old key's last checkpoint is the one whose last entry is the announcement
 *    (size R = its seq + 1), which a verifier can find from the entry alone,
 * 3. move the old key to `ledger_log_key_history` (valid to size R) and make the new one
 *    current from size R + 1.
 *
 * So the chain of trust holds: the old key signs the tree that announces its successor.
 * The new private key is sealed at once and never logged or appended.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import type { SqlEntityManager } from '../db/orm.ts';
import { appendEntry } from './append-entry.ts';
import { CUTTER_LOCK_KEY } from './checkpoint-cutter.ts';
import { cutCheckpoint } from './checkpoints.ts';
import { LogKeyMissingError } from './errors.ts';
import { integrateBatch, MAX_INTEGRATION_BATCH } from './integrator.ts';
import { associatedData, keyIdOf, type SecretSealer } from './log-keys.ts';
import { formatVerifierKey, SIGNATURE_TYPE_ED25519 } from './signed-note.ts';
import { toBytes, toSafeNumber } from './sql-values.ts';

export const LOG_KEY_ROTATED = 'ledger.log-key-rotated';

export interface LogKeyRotation {
  communityId: string;
  previousKeyId: string;
  keyId: string;
  /** The new key as "name+hash+base64", to hand to verifiers. */
  verifierKey: string;
  announcementSeq: number;
  /** Size of the old key's last checkpoint, which covers the announcement. */
  retiredAfterSize: number;
}

export async function rotateLogKey(
  em: SqlEntityManager,
  input: { communityId: string; sealer: SecretSealer; actor: string },
): Promise<LogKeyRotation> {
  const { communityId, sealer, actor } = input;
  return em.transactional(async (tx) => {
    await tx.execute('select pg_advisory_xact_lock(?)', [CUTTER_LOCK_KEY]);
    const rows: Array<{ key_name: string; public_key: unknown; valid_from_size: unknown }> = await tx.execute(
      'select key_name, public_key, valid_from_size from ledger_log_keys where community_id = ? for update',
      [communityId],
    );
    const row = rows[0];
    if (!row) throw new LogKeyMissingError(communityId);
    const previous = { keyName: row.key_name, publicKey: toBytes(row.public_key) };
    const privateKey = ed25519.utils.randomSecretKey();
    const next = { keyName: row.key_name, publicKey: ed25519.getPublicKey(privateKey) };
    const previousKeyId = keyIdOf(previous);
    const keyId = keyIdOf(next);
    const { entryId } = await appendEntry(tx, {
      communityId,
      type: LOG_KEY_ROTATED,
      payload: { keyId, publicKey: Buffer.from(next.publicKey).toString('base64'), previousKeyId },
      actor,
    });
    const announcementSeq = await integrateThrough(tx, communityId, entryId);
    const checkpoint = await cutCheckpoint(tx, communityId, sealer);
    if (checkpoint.treeSize !== announcementSeq + 1) throw new Error(`log key rotation of ${communityId}: the last checkpoint does not end at the announcement`);
    await tx.execute(
      `insert into ledger_log_key_history (community_id, key_name, public_key, valid_from_size, valid_to_size, retired_at)
       values (?, ?, ?, ?, ?, now())`,
      [communityId, previous.keyName, Buffer.from(previous.publicKey), toSafeNumber(row.valid_from_size), checkpoint.treeSize],
    );
    await tx.execute('update ledger_log_keys set public_key = ?, sealed_private_key = ?, valid_from_size = ? where community_id = ?', [
      Buffer.from(next.publicKey),
      Buffer.from(sealer.seal(privateKey, associatedData(communityId))),
      checkpoint.treeSize + 1,
      communityId,
    ]);
    return {
      communityId,
      previousKeyId,
      keyId,
      verifierKey: formatVerifierKey(next.keyName, SIGNATURE_TYPE_ED25519, next.publicKey),
      announcementSeq,
      retiredAfterSize: checkpoint.treeSize,
    };
  });
}

/**
 * Integrates the community's pending entries up to and including this one, and none after
 * it, so the head ends at the announcement; returns its seq. Runs in the caller's
 * transaction, whose first batch locks the head against other integrators; an entry that
 * committed meanwhile with a smaller id is integrated first, then the count is redone.
 */
async function integrateThrough(tx: SqlEntityManager, communityId: string, entryId: number): Promise<number> {
  const heads: Array<{ tree_size: unknown }> = await tx.execute('select tree_size from ledger_heads where community_id = ?', [communityId]);
  const from = heads[0] ? toSafeNumber(heads[0].tree_size) : 0;
  for (;;) {
    const sequenced: Array<{ seq: unknown }> = await tx.execute(
      'select seq from ledger_entries where community_id = ? and seq >= ? and entry_id = ? and type = ?',
      [communityId, from, entryId, LOG_KEY_ROTATED],
    );
    if (sequenced[0]) return toSafeNumber(sequenced[0].seq);
    const before: Array<{ count: unknown }> = await tx.execute('select count(*) as count from ledger_pending where community_id = ? and id <= ?', [communityId, entryId]);
    await integrateBatch(tx, communityId, { maxEntries: Math.min(toSafeNumber(before[0]!.count), MAX_INTEGRATION_BATCH) });
  }
}
