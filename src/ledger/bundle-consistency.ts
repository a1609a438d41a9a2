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
  logVerifierKey: string,
  laterCheckpoint: string,
): string | undefined {
  const logKey = parseVerifierKey(logVerifierKey);
  const earlierNote = parseNote(consistency.checkpoint);
  if (!noteHasValidSignature(earlierNote, logKey.keyName, logKey.publicKey))
    return 'the earlier checkpoint signature is invalid';
  const earlier = parseCheckpointBody(earlierNote.text);
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
