/**
 * Portable bundles: a log or a range of it, with the checkpoint (and its cosignatures)
 * and an inclusion proof per entry, as JSON that verifies offline with nothing but this
 * file and the log's public key.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { parseCheckpointBody } from './checkpoint.ts';
import { getCheckpoint, latestCheckpoint } from './checkpoints.ts';
import { noteSignatureToCosignature, verifyCosignature } from './cosignature.ts';
import { entryLeafBytes, type JsonObject } from './entry-encoding.ts';
import { LedgerInputError, LedgerVerificationError } from './errors.ts';
import { keyIdOf, logKeyForSize, logKeyVersions, type LogKeyVersion } from './log-keys.ts';
import { LOG_KEY_ROTATED } from './log-key-rotation.ts';
import { equalBytes, fromHex, leafHash, toHex } from './merkle-hash.ts';
import { buildInclusionProof } from './merkle-tree.ts';
import { DatabaseNodeSource } from './node-store.ts';
import { verifyConsistency, verifyInclusion } from './proof-verifier.ts';
import { consistencyProof } from './proofs.ts';
import { formatVerifierKey, keyHash, noteHasValidSignature, parseNote, parseVerifierKey, SIGNATURE_TYPE_ED25519 } from './signed-note.ts';
import { toBytes, toSafeNumber } from './sql-values.ts';
import { checkpointStatus, listWitnesses } from './witnesses.ts';

export const BUNDLE_FORMAT = 'courtyard-ledger-bundle/v1';
/** Most entries one bundle carries; export larger logs as several ranges. */
export const MAX_BUNDLE_ENTRIES = 1_000_000;

export interface BundleEntry {
  seq: number;
  type: string;
  payload: JsonObject;
  actor: string;
  time: string;
  leafHash: string;
  inclusionProof: string[];
}

export interface LedgerBundle {
  format: typeof BUNDLE_FORMAT;
  communityId: string;
  /** The log's verifier key "name+hash+base64"; check it against one obtained out of band. */
  logVerifierKey: string;
  /** Verifier keys (type 0x04) of the witnesses whose cosignatures the note carries. */
  witnessVerifierKeys: string[];
  /** The signed checkpoint note, cosignature lines included. */
  checkpoint: string;
  range: { start: number; end: number };
  entries: BundleEntry[];
  /**
   * The log-key rotations between the first key and `logVerifierKey`, oldest first (absent
   * when the log never rotated before this checkpoint). Each lets a verifier who trusts
   * `previousVerifierKey` reach `verifierKey`: the old key's last checkpoint, the
   * announcement entry with its inclusion proof in it, and a consistency proof from it to
   * the bundle's checkpoint.
   */
  logKeyRotations?: LogKeyRotationProof[];
}

export interface LogKeyRotationProof {
  previousVerifierKey: string;
  verifierKey: string;
  /** The old key's last checkpoint (log signature only). */
  checkpoint: string;
  announcement: BundleEntry;
  /** RFC 9162 consistency proof from that checkpoint to the bundle's, hex hashes. */
  consistency: string[];
}

export async function exportBundle(
  em: SqlEntityManager,
  options: { communityId: string; start?: number; end?: number; treeSize?: number },
): Promise<LedgerBundle> {
  const { communityId } = options;
  const checkpoint = options.treeSize === undefined ? await latestCheckpoint(em, communityId) : await getCheckpoint(em, communityId, options.treeSize);
  if (!checkpoint) throw new LedgerInputError('treeSize', 'names no checkpoint of this community');
  const start = options.start ?? 0;
  const end = Math.min(options.end ?? checkpoint.treeSize, checkpoint.treeSize);
  if (!Number.isSafeInteger(start) || start < 0 || start > end) throw new LedgerInputError('start', 'must be from 0 to end');
  if (end - start > MAX_BUNDLE_ENTRIES) throw new LedgerInputError('end', `a bundle carries at most ${MAX_BUNDLE_ENTRIES} entries`);
  const versions = await logKeyVersions(em, communityId);
  const logKey = logKeyForSize(versions, checkpoint.treeSize)!;
  const status = await checkpointStatus(em, checkpoint);
  const witnesses = await listWitnesses(em, communityId);
  const rows: Array<{ seq: unknown; type: string; payload: JsonObject; actor: string; time_ms: unknown; leaf_hash: unknown }> = await em.execute(
    `select seq, type, payload, actor, (extract(epoch from recorded_at) * 1000)::int8 as time_ms, leaf_hash
       from ledger_entries where community_id = ? and seq >= ? and seq < ? order by seq`,
    [communityId, start, end],
  );
  const source = new DatabaseNodeSource(em, communityId);
  const entries: BundleEntry[] = [];
  for (const row of rows) {
    const seq = toSafeNumber(row.seq);
    const proof = await buildInclusionProof(source, seq, checkpoint.treeSize);
    entries.push({
      seq,
      type: row.type,
      payload: row.payload,
      actor: row.actor,
      time: new Date(toSafeNumber(row.time_ms)).toISOString(),
      leafHash: toHex(toBytes(row.leaf_hash)),
      inclusionProof: proof.map(toHex),
    });
  }
  const cosigners = new Set(status.cosignatures.map((cosignature) => cosignature.keyName));
  return {
    format: BUNDLE_FORMAT,
    communityId,
    logVerifierKey: formatVerifierKey(logKey.keyName, SIGNATURE_TYPE_ED25519, logKey.publicKey),
    witnessVerifierKeys: witnesses.filter((witness) => cosigners.has(witness.keyName)).map((witness) => formatVerifierKey(witness.keyName, 0x04, witness.publicKey)),
    checkpoint: status.cosignedNote,
    range: { start, end },
    entries,
    ...(logKey === versions[0] ? {} : { logKeyRotations: await rotationProofs(em, communityId, versions, checkpoint.treeSize) }),
  };
}

const verifierKeyOf = (key: LogKeyVersion): string => formatVerifierKey(key.keyName, SIGNATURE_TYPE_ED25519, key.publicKey);

async function rotationProofs(em: SqlEntityManager, communityId: string, versions: LogKeyVersion[], treeSize: number): Promise<LogKeyRotationProof[]> {
  const proofs: LogKeyRotationProof[] = [];
  const source = new DatabaseNodeSource(em, communityId);
  for (let index = 0; index + 1 < versions.length && versions[index]!.validToSize! < treeSize; index++) {
    const retired = versions[index]!;
    const next = versions[index + 1]!;
    const last = retired.validToSize!;
    const rows: Array<{ seq: unknown; payload: JsonObject; actor: string; time_ms: unknown; leaf_hash: unknown }> = await em.execute(
      `select seq, payload, actor, (extract(epoch from recorded_at) * 1000)::int8 as time_ms, leaf_hash from ledger_entries
        where community_id = ? and type = ? and seq = ? and payload->>'keyId' = ?`,
      [communityId, LOG_KEY_ROTATED, last - 1, keyIdOf(next)],
    );
    const row = rows[0];
    const lastCheckpoint = await getCheckpoint(em, communityId, last);
    if (!row || !lastCheckpoint) throw new LedgerVerificationError(`log key ${keyIdOf(next)} has no announcement or no checkpoint at size ${last}`);
    const seq = toSafeNumber(row.seq);
    proofs.push({
      previousVerifierKey: verifierKeyOf(retired),
      verifierKey: verifierKeyOf(next),
      checkpoint: lastCheckpoint.note,
      announcement: {
        seq,
        type: LOG_KEY_ROTATED,
        payload: row.payload,
        actor: row.actor,
        time: new Date(toSafeNumber(row.time_ms)).toISOString(),
        leafHash: toHex(toBytes(row.leaf_hash)),
        inclusionProof: (await buildInclusionProof(source, seq, last)).map(toHex),
      },
      consistency: (await consistencyProof(em, communityId, last, treeSize)).map(toHex),
    });
  }
  return proofs;
}

/**
 * Follows the bundle's log-key rotations from `trusted` (a verifier key) and returns the
 * key the chain ends at, or the problem. Each step needs the old key's signature on a
 * checkpoint that includes the announcement of the next key and that the bundle's
 * checkpoint (`body`) extends.
 */
function followRotations(bundle: LedgerBundle, trusted: string, body: { treeSize: number; rootHash: Uint8Array }): { key: string } | { problem: string } {
  if (trusted === bundle.logVerifierKey) return { key: trusted };
  const rotations = bundle.logKeyRotations ?? [];
  const first = rotations.findIndex((rotation) => rotation.previousVerifierKey === trusted);
  if (first < 0) return { key: trusted };
  let current = trusted;
  let lastSize = -1;
  for (const rotation of rotations.slice(first)) {
    if (rotation.previousVerifierKey !== current) return { problem: 'the log-key rotations do not form a chain' };
    const previous = parseVerifierKey(current);
    const next = parseVerifierKey(rotation.verifierKey);
    const note = parseNote(rotation.checkpoint);
    const old = parseCheckpointBody(note.text);
    if (!noteHasValidSignature(note, previous.keyName, previous.publicKey) || old.origin !== previous.keyName || next.keyName !== previous.keyName) {
      return { problem: 'a log-key rotation checkpoint is not signed by the key it retires' };
    }
    if (old.treeSize <= lastSize || old.treeSize >= body.treeSize) return { problem: 'the log-key rotations are out of order' };
    const entry = rotation.announcement;
    const leaf = leafHash(entryLeafBytes({ seq: entry.seq, type: entry.type, payload: entry.payload, actor: entry.actor, time: new Date(entry.time) }));
    const payload = entry.payload as { keyId?: unknown; publicKey?: unknown; previousKeyId?: unknown };
    if (
      entry.type !== LOG_KEY_ROTATED ||
      payload.keyId !== Buffer.from(keyHash(next.keyName, SIGNATURE_TYPE_ED25519, next.publicKey)).toString('hex') ||
      payload.publicKey !== Buffer.from(next.publicKey).toString('base64') ||
      payload.previousKeyId !== Buffer.from(keyHash(previous.keyName, SIGNATURE_TYPE_ED25519, previous.publicKey)).toString('hex') ||
      !Number.isSafeInteger(entry.seq) ||
      entry.seq !== old.treeSize - 1 ||
      !verifyInclusion(entry.seq, old.treeSize, leaf, entry.inclusionProof.map(fromHex), old.rootHash)
    ) {
      return { problem: `the announcement of log key ${payload.keyId as string} is not the last entry of the retired key's last checkpoint` };
    }
    if (!verifyConsistency(old.treeSize, body.treeSize, old.rootHash, body.rootHash, rotation.consistency.map(fromHex))) {
      return { problem: `the checkpoint is not consistent with the log-key rotation at size ${old.treeSize}` };
    }
    lastSize = old.treeSize;
    current = rotation.verifierKey;
  }
  return { key: current };
}

/** Every log verifier key a bundle names with the last checkpoint size it may sign (null: no limit known), the bundle's own last. */
export function bundleLogKeys(bundle: LedgerBundle): Array<{ verifierKey: string; validToSize: number | null }> {
  return [
    ...(bundle.logKeyRotations ?? []).map((rotation) => ({
      verifierKey: rotation.previousVerifierKey,
      validToSize: parseCheckpointBody(parseNote(rotation.checkpoint).text).treeSize,
    })),
    { verifierKey: bundle.logVerifierKey, validToSize: null },
  ];
}

export interface BundleVerification {
  treeSize: number;
  rootHash: string;
  entriesVerified: number;
  /** Key names of witnesses whose cosignature verified. */
  cosignedBy: string[];
}

/**
 * Verifies a bundle with no database and no server. `trustedLogVerifierKey`, when given,
 * must equal the bundle's, or be an earlier key of the log from which the bundle's
 * log-key rotations lead to it; without it the bundle's first key is taken on trust.
 */
export function verifyBundle(bundle: LedgerBundle, trustedLogVerifierKey?: string): BundleVerification {
  const fail = (message: string): never => {
    throw new LedgerVerificationError(`Bundle does not verify: ${message}`);
  };
  if (bundle.format !== BUNDLE_FORMAT) fail(`unknown format "${String(bundle.format)}"`);
  const logKey = parseVerifierKey(bundle.logVerifierKey);
  const note = parseNote(bundle.checkpoint);
  for (const retired of bundleLogKeys(bundle).slice(0, -1)) {
    const key = parseVerifierKey(retired.verifierKey);
    if (noteHasValidSignature(note, key.keyName, key.publicKey)) fail(`the checkpoint is signed by a log key retired after tree size ${retired.validToSize}`);
  }
  if (!noteHasValidSignature(note, logKey.keyName, logKey.publicKey)) fail('the checkpoint signature is invalid');
  const body = parseCheckpointBody(note.text);
  if (body.origin !== logKey.keyName) fail('the checkpoint origin is not the log key name');
  const chain = followRotations(bundle, trustedLogVerifierKey ?? bundle.logKeyRotations?.[0]?.previousVerifierKey ?? bundle.logVerifierKey, body);
  if ('problem' in chain) fail(chain.problem);
  else if (chain.key !== bundle.logVerifierKey) fail('the log key is not the trusted one');
  const { start, end } = bundle.range;
  if (!(Number.isSafeInteger(start) && Number.isSafeInteger(end) && start >= 0 && start <= end && end <= body.treeSize)) fail('the range lies outside the checkpoint');
  if (bundle.entries.length !== end - start) fail(`the range needs ${end - start} entries, the bundle has ${bundle.entries.length}`);
  for (const [offset, entry] of bundle.entries.entries()) {
    const seq = start + offset;
    if (entry.seq !== seq) fail(`entry ${seq} is missing or out of order`);
    const computed = leafHash(entryLeafBytes({ seq, type: entry.type, payload: entry.payload, actor: entry.actor, time: new Date(entry.time) }));
    if (new Date(entry.time).toISOString() !== entry.time || !equalBytes(computed, fromHex(entry.leafHash))) fail(`entry ${seq} does not match its leaf hash`);
    if (!verifyInclusion(seq, body.treeSize, computed, entry.inclusionProof.map(fromHex), body.rootHash)) fail(`entry ${seq} is not included in the checkpoint`);
  }
  const cosignedBy: string[] = [];
  for (const witnessKey of bundle.witnessVerifierKeys.map(parseVerifierKey)) {
    const verified = note.signatures.some((signature) => {
      if (signature.keyName !== witnessKey.keyName) return false;
      const cosignature = noteSignatureToCosignature(signature, witnessKey.publicKey);
      return cosignature !== undefined && verifyCosignature(note.text, cosignature, witnessKey.publicKey);
    });
    if (!verified) fail(`the cosignature of ${witnessKey.keyName} is invalid`);
    cosignedBy.push(witnessKey.keyName);
  }
  return { treeSize: body.treeSize, rootHash: toHex(body.rootHash), entriesVerified: bundle.entries.length, cosignedBy };
}
