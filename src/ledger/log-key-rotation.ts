/**
 * Log-key rotation (docs/ledger.md, "Key rotation"). In one transaction, holding the
 * cutter's advisory lock and the log key row:
 *
 * 1. append `ledger.log-key-rotated` announcing the new key (id and public key only),
 * 2. integrate it and cut a checkpoint that covers it, signed by the OLD key — that
 *    checkpoint, of size R, is the old key's last,
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
import { integratePending } from './integrator.ts';
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
    await integratePending(tx, communityId);
    const checkpoint = await cutCheckpoint(tx, communityId, sealer);
    const announced: Array<{ seq: unknown }> = await tx.execute(
      'select seq from ledger_entries where community_id = ? and entry_id = ? and type = ? order by seq desc limit 1',
      [communityId, entryId, LOG_KEY_ROTATED],
    );
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
      announcementSeq: toSafeNumber(announced[0]!.seq),
      retiredAfterSize: checkpoint.treeSize,
    };
  });
}
