/**
 * Each community's Ed25519 log key signs its checkpoints. The private key is stored
 * sealed (AES-256-GCM under the installation's master key); the ledger only needs
 * something that can seal and open, which `MasterKey` in src/privacy/envelope.ts is.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import type { SqlEntityManager } from '../db/orm.ts';
import { LogKeyMissingError } from './errors.ts';
import { assertValidKeyName, keyHash, noteHasValidSignature, SIGNATURE_TYPE_ED25519, type ParsedNote } from './signed-note.ts';
import { toBytes, toSafeNumber } from './sql-values.ts';

export interface SecretSealer {
  seal(secret: Uint8Array, associatedData: string): Uint8Array;
  open(sealed: Uint8Array, associatedData: string): Uint8Array;
}

export interface LogPublicKey {
  communityId: string;
  /** The key name, which is also the checkpoint origin line. */
  keyName: string;
  publicKey: Uint8Array;
}

export interface LogSigningKey extends LogPublicKey {
  privateKey: Uint8Array;
}

/** The origin line names the installation and the community, e.g. "courtyard.example.org/maple-court". */
export function logOrigin(installationName: string, communitySlug: string): string {
  const origin = `${installationName}/${communitySlug}`;
  assertValidKeyName(origin);
  return origin;
}

export function associatedData(communityId: string): string {
  return `ledger_log_keys/${communityId}/private_key`;
}

/** Creates the community's log key on first use; returns the public half. */
export async function ensureLogKey(
  em: SqlEntityManager,
  input: { communityId: string; origin: string; sealer: SecretSealer },
): Promise<LogPublicKey> {
  assertValidKeyName(input.origin);
  const existing = await findLogKey(em, input.communityId);
  if (existing) return existing;
  const privateKey = ed25519.utils.randomSecretKey();
  const sealed = input.sealer.seal(privateKey, associatedData(input.communityId));
  await em.execute(
    `insert into ledger_log_keys (community_id, key_name, public_key, sealed_private_key, created_at)
     values (?, ?, ?, ?, now()) on conflict (community_id) do nothing`,
    [input.communityId, input.origin, Buffer.from(ed25519.getPublicKey(privateKey)), Buffer.from(sealed)],
  );
  return (await findLogKey(em, input.communityId))!;
}

export async function findLogKey(em: SqlEntityManager, communityId: string): Promise<LogPublicKey | undefined> {
  const rows: Array<{ key_name: string; public_key: unknown }> = await em.execute(
    'select key_name, public_key from ledger_log_keys where community_id = ?',
    [communityId],
  );
  const row = rows[0];
  return row ? { communityId, keyName: row.key_name, publicKey: toBytes(row.public_key) } : undefined;
}

export async function loadLogSigningKey(em: SqlEntityManager, communityId: string, sealer: SecretSealer): Promise<LogSigningKey> {
  const rows: Array<{ key_name: string; public_key: unknown; sealed_private_key: unknown }> = await em.execute(
    'select key_name, public_key, sealed_private_key from ledger_log_keys where community_id = ?',
    [communityId],
  );
  const row = rows[0];
  if (!row) throw new LogKeyMissingError(communityId);
  const privateKey = sealer.open(toBytes(row.sealed_private_key), associatedData(communityId));
  return { communityId, keyName: row.key_name, publicKey: toBytes(row.public_key), privateKey };
}

/** A sealer that can tell whether something is sealed under its current key: the master key during a rotation. */
export interface RotatingSealer extends SecretSealer {
  isSealedUnderCurrent(sealed: Uint8Array, associatedData: string): boolean;
}

/**
 * Re-seals every log key that is not yet under the sealer's current key (a master-key
 * rotation). Each row is replaced only if it still holds what was read, so a concurrent
 * change is never undone; returns how many rows were re-sealed.
 */
export async function resealLogKeys(em: SqlEntityManager, sealer: RotatingSealer): Promise<number> {
  const rows: Array<{ community_id: string; sealed_private_key: unknown }> = await em.execute(
    'select community_id, sealed_private_key from ledger_log_keys order by community_id',
  );
  let resealed = 0;
  for (const row of rows) {
    const sealed = toBytes(row.sealed_private_key);
    const context = associatedData(row.community_id);
    if (sealer.isSealedUnderCurrent(sealed, context)) continue;
    const fresh = sealer.seal(sealer.open(sealed, context), context);
    const updated: unknown[] = await em.execute(
      'update ledger_log_keys set sealed_private_key = ? where community_id = ? and sealed_private_key = ? returning community_id',
      [Buffer.from(fresh), row.community_id, Buffer.from(sealed)],
    );
    resealed += updated.length;
  }
  return resealed;
}

/** One key a log has signed checkpoints with, and the checkpoint sizes it may sign (inclusive; `validToSize` null for the current key). */
export interface LogKeyVersion {
  keyName: string;
  publicKey: Uint8Array;
  validFromSize: number;
  validToSize: number | null;
}

/** Every key of the log, oldest first: the retired ones from `ledger_log_key_history`, then the current one. */
export async function logKeyVersions(em: SqlEntityManager, communityId: string): Promise<LogKeyVersion[]> {
  const retired: Array<{ key_name: string; public_key: unknown; valid_from_size: unknown; valid_to_size: unknown }> = await em.execute(
    'select key_name, public_key, valid_from_size, valid_to_size from ledger_log_key_history where community_id = ? order by valid_from_size',
    [communityId],
  );
  const current: Array<{ key_name: string; public_key: unknown; valid_from_size: unknown }> = await em.execute(
    'select key_name, public_key, valid_from_size from ledger_log_keys where community_id = ?',
    [communityId],
  );
  return [
    ...retired.map((row) => ({
      keyName: row.key_name,
      publicKey: toBytes(row.public_key),
      validFromSize: toSafeNumber(row.valid_from_size),
      validToSize: toSafeNumber(row.valid_to_size),
    })),
    ...current.map((row) => ({ keyName: row.key_name, publicKey: toBytes(row.public_key), validFromSize: toSafeNumber(row.valid_from_size), validToSize: null })),
  ];
}

/** The key version valid for a checkpoint of this size. */
export function logKeyForSize(versions: readonly LogKeyVersion[], treeSize: number): LogKeyVersion | undefined {
  return versions.find((version) => treeSize >= version.validFromSize && (version.validToSize === null || treeSize <= version.validToSize));
}

/**
 * Why a checkpoint note of this size is not validly signed by the log, or undefined. The
 * signing key is picked by the key hash on the note's signature line (C2SP signed-note), so
 * old checkpoints verify under the key that signed them; a checkpoint signed by a retired
 * key beyond its last size is refused.
 */
export function checkpointSignatureProblem(note: ParsedNote, treeSize: number, versions: readonly LogKeyVersion[]): string | undefined {
  for (const version of versions) {
    if (!noteHasValidSignature(note, version.keyName, version.publicKey)) continue;
    if (treeSize < version.validFromSize) return `it is signed by log key ${keyIdOf(version)}, valid only from tree size ${version.validFromSize}`;
    if (version.validToSize !== null && treeSize > version.validToSize) {
      return `it is signed by log key ${keyIdOf(version)}, retired after tree size ${version.validToSize}`;
    }
    return undefined;
  }
  return 'its log signature does not verify';
}

/** A log key's id: the hex key hash its signature lines carry. */
export function keyIdOf(key: { keyName: string; publicKey: Uint8Array }): string {
  return Buffer.from(keyHash(key.keyName, SIGNATURE_TYPE_ED25519, key.publicKey)).toString('hex');
}
