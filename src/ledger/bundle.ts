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
import { findLogKey } from './log-keys.ts';
import { equalBytes, fromHex, leafHash, toHex } from './merkle-hash.ts';
import { buildInclusionProof } from './merkle-tree.ts';
import { DatabaseNodeSource } from './node-store.ts';
import { verifyInclusion } from './proof-verifier.ts';
import { formatVerifierKey, noteHasValidSignature, parseNote, parseVerifierKey, SIGNATURE_TYPE_ED25519 } from './signed-note.ts';
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
  const logKey = (await findLogKey(em, communityId))!;
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
  };
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
 * must equal the bundle's; without it the bundle's own key is taken on trust.
 */
export function verifyBundle(bundle: LedgerBundle, trustedLogVerifierKey?: string): BundleVerification {
  const fail = (message: string): never => {
    throw new LedgerVerificationError(`Bundle does not verify: ${message}`);
  };
  if (bundle.format !== BUNDLE_FORMAT) fail(`unknown format "${String(bundle.format)}"`);
  if (trustedLogVerifierKey !== undefined && trustedLogVerifierKey !== bundle.logVerifierKey) fail('the log key is not the trusted one');
  const logKey = parseVerifierKey(bundle.logVerifierKey);
  const note = parseNote(bundle.checkpoint);
  if (!noteHasValidSignature(note, logKey.keyName, logKey.publicKey)) fail('the checkpoint signature is invalid');
  const body = parseCheckpointBody(note.text);
  if (body.origin !== logKey.keyName) fail('the checkpoint origin is not the log key name');
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
