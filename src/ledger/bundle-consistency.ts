/**
 * A consistency proof carried by a bundle: from an earlier signed checkpoint of the same
 * log to the bundle's own, so an offline reader who kept the earlier checkpoint (or any
 * witness) sees that the log only grew. Verified with the bundle's log key.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { parseCheckpointBody } from './checkpoint.ts';
import { getCheckpoint, previousCheckpointSize } from './checkpoints.ts';
import { fromHex, toHex } from './merkle-hash.ts';
import { verifyConsistency } from './proof-verifier.ts';
import { bundleLogKeys, type LedgerBundle } from './bundle.ts';
import { consistencyProof } from './proofs.ts';
import { noteHasValidSignature, parseNote, parseVerifierKey } from './signed-note.ts';

export interface BundleConsistency {
  /** The earlier checkpoint's signed note. */
  checkpoint: string;
  /** RFC 9162 consistency proof, hex hashes. */
  proof: string[];
}

/** From the checkpoint before `treeSize` (none when it is the log's first). */
export async function consistencyFromPreviousCheckpoint(
  em: SqlEntityManager,
  communityId: string,
  treeSize: number,
): Promise<BundleConsistency | null> {
  const previous = await previousCheckpointSize(em, communityId, treeSize);
  const earlier = previous > 0 ? await getCheckpoint(em, communityId, previous) : undefined;
  if (!earlier) return null;
  return { checkpoint: earlier.note, proof: (await consistencyProof(em, communityId, previous, treeSize)).map(toHex) };
}

/** The problem with the consistency section, or undefined when it verifies. */
export function consistencyProblem(
  consistency: BundleConsistency,
  logKeys: string | LedgerBundle,
  laterCheckpoint: string,
): string | undefined {
  // A bundle names every key of the log up to its checkpoint (its log-key rotations), so
  // an earlier checkpoint signed before a rotation verifies under the key of its time.
  const keys = typeof logKeys === 'string' ? [{ verifierKey: logKeys, validToSize: null }] : bundleLogKeys(logKeys);
  const earlierNote = parseNote(consistency.checkpoint);
  const earlier = parseCheckpointBody(earlierNote.text);
  const signer = keys.find(({ verifierKey }) => {
    const key = parseVerifierKey(verifierKey);
    return noteHasValidSignature(earlierNote, key.keyName, key.publicKey);
  });
  if (!signer || (signer.validToSize !== null && earlier.treeSize > signer.validToSize))
    return 'the earlier checkpoint signature is invalid';
  const later = parseCheckpointBody(parseNote(laterCheckpoint).text);
  if (
    !verifyConsistency(
      earlier.treeSize,
      later.treeSize,
      earlier.rootHash,
      later.rootHash,
      consistency.proof.map(fromHex),
    )
  ) {
    return `the checkpoint of ${later.treeSize} entries is not consistent with the earlier one of ${earlier.treeSize}`;
  }
  return undefined;
}
