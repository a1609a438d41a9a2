/**
 * Witnesses — committee members and regulators — hold Ed25519 keys and cosign
 * checkpoints (C2SP tlog-cosignature). A witness cosigns only after checking a
 * consistency proof from the last checkpoint it cosigned (see scripts/ledger/witness.ts);
 * the server checks the signature, and that a witness never goes backwards.
 * A checkpoint is final once it carries the community's required number of cosignatures.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { ConflictError, NotFoundError } from '../domain-error.ts';
import { getCheckpoint, latestCheckpoint, type StoredCheckpoint } from './checkpoints.ts';
import { cosignatureToNoteSignature, verifyCosignature, type Cosignature } from './cosignature.ts';
import { LedgerInputError, LedgerVerificationError } from './errors.ts';
import { findLogKey } from './log-keys.ts';
import { parseNote, formatSignatureLine, assertValidKeyName, ed25519PublicKeyProblem, keyHash, NoteFormatError, SIGNATURE_TYPE_COSIGNATURE_V1 } from './signed-note.ts';
import { appendEntry } from './append-entry.ts';
import { toBytes, toSafeNumber } from './sql-values.ts';

export type WitnessRole = 'committee' | 'regulator';

export interface WitnessKey {
  communityId: string;
  keyName: string;
  publicKey: Uint8Array;
  role: WitnessRole;
  accountId: string | null;
  /** Retired by a rotation: its cosignatures still verify, it cosigns no more. */
  retired?: boolean;
}

export interface StoredCosignature extends Cosignature {
  treeSize: number;
}

/** How far a cosignature's timestamp may lie in the future. */
const MAX_CLOCK_SKEW_SECONDS = 300;

/**
 * Refuses a public key no honest witness has: not a canonical Ed25519 encoding (RFC 8032
 * strict decoding), a point of small order — the all-zero key is one, and under such a
 * key signatures can be forged without any secret — or a point with a small-order
 * component, which standard key generation never makes and under which verifiers may
 * disagree. The errors name `publicKey`, the registerWitnessKey argument.
 */
export function requireWitnessPublicKey(publicKey: Uint8Array): void {
  const problem = ed25519PublicKeyProblem(publicKey);
  if (problem) throw new LedgerInputError('publicKey', problem);
}

export const WITNESS_REGISTERED = 'ledger.witness-registered';

/** A witness key's id on the log: its cosignature key hash (C2SP signed-note, type 0x04), hex. */
export function witnessKeyId(keyName: string, publicKey: Uint8Array): string {
  return Buffer.from(keyHash(keyName, SIGNATURE_TYPE_COSIGNATURE_V1, publicKey)).toString('hex');
}

/**
 * Registers a witness's key for a community's log, recorded as `ledger.witness-registered`
 * (the key's id and public key, and its role; the account is the entry's actor; the key
 * name is the witness's choice and stays off the log). The name must be a valid note key
 * name and differ from the log's own key name (its origin), so a verifier never meets
 * two signature lines by different keys under one name.
 */
export async function registerWitness(em: SqlEntityManager, witness: WitnessKey): Promise<void> {
  await insertWitness(em, witness);
  // Appended after the insert, whose unique key name is the state lock of a registration.
  await appendEntry(em, {
    communityId: witness.communityId,
    type: WITNESS_REGISTERED,
    payload: { keyId: witnessKeyId(witness.keyName, witness.publicKey), publicKey: Buffer.from(witness.publicKey).toString('base64'), role: witness.role },
    actor: witness.accountId ?? 'system',
  });
}

async function insertWitness(em: SqlEntityManager, witness: WitnessKey): Promise<void> {
  try {
    assertValidKeyName(witness.keyName);
  } catch (error) {
    if (error instanceof NoteFormatError) throw new LedgerInputError('name', error.message);
    throw error;
  }
  requireWitnessPublicKey(witness.publicKey);
  const log = await findLogKey(em, witness.communityId);
  if (log?.keyName === witness.keyName) throw new LedgerInputError('name', "must differ from the log's own key name (its origin)");
  const rows: unknown[] = await em.execute(
    `insert into ledger_witnesses (community_id, key_name, public_key, role, account_id, registered_at)
     values (?, ?, ?, ?, ?, now()) on conflict do nothing returning key_name`,
    [witness.communityId, witness.keyName, Buffer.from(witness.publicKey), witness.role, witness.accountId],
  );
  if (rows.length === 0) throw new ConflictError(`Failed to register witness: key name "${witness.keyName}" is taken`);
}

export async function listWitnesses(em: SqlEntityManager, communityId: string): Promise<WitnessKey[]> {
  const rows: Array<{ key_name: string; public_key: unknown; role: WitnessRole; account_id: string | null; retired: boolean }> = await em.execute(
    `select w.key_name, w.public_key, w.role, w.account_id, r.key_name is not null as retired
       from ledger_witnesses w left join ledger_witness_retirements r on r.community_id = w.community_id and r.key_name = w.key_name
      where w.community_id = ? order by w.key_name`,
    [communityId],
  );
  return rows.map((row) => ({
    communityId,
    keyName: row.key_name,
    publicKey: toBytes(row.public_key),
    role: row.role,
    accountId: row.account_id,
    retired: row.retired,
  }));
}

/** Verifies and stores a cosignature; resubmitting the same one is harmless. */
export async function submitCosignature(
  em: SqlEntityManager,
  input: { communityId: string; treeSize: number; cosignature: Cosignature },
): Promise<void> {
  const { communityId, treeSize, cosignature } = input;
  const checkpoint = await getCheckpoint(em, communityId, treeSize);
  if (!checkpoint) throw new NotFoundError(`Checkpoint of size ${treeSize}`);
  const witness = (await listWitnesses(em, communityId)).find((candidate) => candidate.keyName === cosignature.keyName);
  if (!witness) throw new NotFoundError(`Witness "${cosignature.keyName}"`);
  if (witness.retired) {
    throw new ConflictError(`Failed to accept cosignature: witness key "${cosignature.keyName}" is retired`);
  }
  if (cosignature.timestampSeconds > Date.now() / 1000 + MAX_CLOCK_SKEW_SECONDS) {
    throw new LedgerInputError('timestampSeconds', 'lies in the future');
  }
  if (!verifyCosignature(parseNote(checkpoint.note).text, cosignature, witness.publicKey)) {
    throw new LedgerVerificationError('Failed to accept cosignature: signature does not verify');
  }
  const later: unknown[] = await em.execute(
    'select 1 from ledger_cosignatures where community_id = ? and key_name = ? and tree_size > ? limit 1',
    [communityId, cosignature.keyName, treeSize],
  );
  if (later.length > 0) throw new ConflictError('Failed to accept cosignature: the witness already cosigned a larger checkpoint');
  await em.execute(
    `insert into ledger_cosignatures (community_id, tree_size, key_name, timestamp_seconds, signature, received_at)
     values (?, ?, ?, ?, ?, now()) on conflict do nothing`,
    [communityId, treeSize, cosignature.keyName, cosignature.timestampSeconds, Buffer.from(cosignature.signature)],
  );
}

export async function cosignaturesOf(em: SqlEntityManager, communityId: string, treeSize: number): Promise<StoredCosignature[]> {
  const rows: Array<{ key_name: string; timestamp_seconds: unknown; signature: unknown }> = await em.execute(
    `select key_name, timestamp_seconds, signature from ledger_cosignatures
      where community_id = ? and tree_size = ? order by key_name`,
    [communityId, treeSize],
  );
  return rows.map((row) => ({
    treeSize,
    keyName: row.key_name,
    timestampSeconds: toSafeNumber(row.timestamp_seconds),
    signature: toBytes(row.signature),
  }));
}

/** The largest checkpoint this witness has cosigned, from which its next consistency proof starts. */
export async function lastCosignedTreeSize(em: SqlEntityManager, communityId: string, keyName: string): Promise<number | undefined> {
  const rows: Array<{ tree_size: unknown }> = await em.execute(
    'select max(tree_size) as tree_size from ledger_cosignatures where community_id = ? and key_name = ?',
    [communityId, keyName],
  );
  return rows[0]?.tree_size == null ? undefined : toSafeNumber(rows[0].tree_size);
}

export interface CheckpointStatus {
  checkpoint: StoredCheckpoint;
  cosignatures: StoredCosignature[];
  requiredCosignatures: number;
  final: boolean;
  /** The note with the log signature and every cosignature line. */
  cosignedNote: string;
}

/** Cosignatures needed when a log has no community row (a log stands alone, e.g. in tests). */
export const DEFAULT_REQUIRED_COSIGNATURES = 1;

/**
 * How many cosignatures make a checkpoint of this community final. The community owns
 * that policy (`communities.required_cosignatures`, set by createCommunity); the ledger
 * only reads it, so there is one source of truth.
 */
export async function requiredCosignaturesOf(em: SqlEntityManager, communityId: string): Promise<number> {
  const rows: Array<{ required_cosignatures: unknown }> = await em.execute(
    'select required_cosignatures from communities where id = ?',
    [communityId],
  );
  return rows[0] ? toSafeNumber(rows[0].required_cosignatures) : DEFAULT_REQUIRED_COSIGNATURES;
}

export async function checkpointStatus(em: SqlEntityManager, checkpoint: StoredCheckpoint): Promise<CheckpointStatus> {
  const cosignatures = await cosignaturesOf(em, checkpoint.communityId, checkpoint.treeSize);
  const witnesses = await listWitnesses(em, checkpoint.communityId);
  const requiredCosignatures = await requiredCosignaturesOf(em, checkpoint.communityId);
  const lines = cosignatures.map((cosignature) => {
    const witness = witnesses.find((candidate) => candidate.keyName === cosignature.keyName)!;
    return formatSignatureLine(cosignatureToNoteSignature(cosignature, witness.publicKey));
  });
  return {
    checkpoint,
    cosignatures,
    requiredCosignatures,
    final: cosignatures.length >= requiredCosignatures,
    cosignedNote: checkpoint.note + lines.join(''),
  };
}

/** The plain-text body served at the community's stable checkpoint URL, or undefined before the first checkpoint. */
export async function latestCheckpointText(em: SqlEntityManager, communityId: string): Promise<string | undefined> {
  const checkpoint = await latestCheckpoint(em, communityId);
  return checkpoint ? (await checkpointStatus(em, checkpoint)).cosignedNote : undefined;
}

/** The largest checkpoint that is final, if any. */
export async function latestFinalCheckpoint(em: SqlEntityManager, communityId: string): Promise<StoredCheckpoint | undefined> {
  const rows: Array<{ tree_size: unknown }> = await em.execute(
    `select c.tree_size from ledger_checkpoints c
      where c.community_id = ?
        and (select count(*) from ledger_cosignatures s where s.community_id = c.community_id and s.tree_size = c.tree_size) >= ?
      order by c.tree_size desc limit 1`,
    [communityId, await requiredCosignaturesOf(em, communityId)],
  );
  return rows[0] ? getCheckpoint(em, communityId, toSafeNumber(rows[0].tree_size)) : undefined;
}

export const WITNESS_KEY_ROTATED = 'ledger.witness-key-rotated';

async function isWitnessRetired(em: SqlEntityManager, communityId: string, keyName: string): Promise<boolean> {
  const rows: unknown[] = await em.execute('select 1 from ledger_witness_retirements where community_id = ? and key_name = ?', [communityId, keyName]);
  return rows.length > 0;
}

/**
 * Registers a witness's new key and retires its old one, in one transaction, with the
 * entry `ledger.witness-key-rotated` (the two keys' ids — their cosignature key hashes —
 * and the new public key; key names are the witness's choice and stay off the log). The
 * old key stays in `ledger_witnesses`, so its cosignatures keep verifying; it cosigns no
 * more. The new key has the old one's role and account.
 */
export async function rotateWitnessKey(
  em: SqlEntityManager,
  input: {
    communityId: string;
    retiredKeyName: string;
    keyName: string;
    publicKey: Uint8Array;
    actor: string;
    /** When given, the old key must be this account's (a witness rotates only its own key). */
    accountId?: string;
  },
): Promise<WitnessKey> {
  const { communityId } = input;
  return em.transactional(async (tx) => {
    const rows: Array<{ public_key: unknown; role: WitnessRole; account_id: string | null }> = await tx.execute(
      'select public_key, role, account_id from ledger_witnesses where community_id = ? and key_name = ? for update',
      [communityId, input.retiredKeyName],
    );
    const old = rows[0];
    if (!old || (input.accountId !== undefined && old.account_id !== input.accountId)) throw new NotFoundError(`Witness "${input.retiredKeyName}"`);
    if (await isWitnessRetired(tx, communityId, input.retiredKeyName)) throw new ConflictError(`Failed to rotate witness key: "${input.retiredKeyName}" is retired`);
    const witness: WitnessKey = { communityId, keyName: input.keyName, publicKey: input.publicKey, role: old.role, accountId: old.account_id };
    await insertWitness(tx, witness);
    await tx.execute('insert into ledger_witness_retirements (community_id, key_name, replaced_by, retired_at) values (?, ?, ?, now())', [
      communityId,
      input.retiredKeyName,
      input.keyName,
    ]);
    const keyId = witnessKeyId;
    await appendEntry(tx, {
      communityId,
      type: WITNESS_KEY_ROTATED,
      payload: {
        keyId: keyId(input.keyName, input.publicKey),
        publicKey: Buffer.from(input.publicKey).toString('base64'),
        retiredKeyId: keyId(input.retiredKeyName, toBytes(old.public_key)),
        role: old.role,
      },
      actor: input.actor,
    });
    return witness;
  });
}
