/**
 * Inclusion and consistency proofs served from stored tree nodes: one query each,
 * O(log n) index lookups, never a rebuild.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { LedgerInputError } from './errors.ts';
import { buildConsistencyProof, buildInclusionProof, treeRoot } from './merkle-tree.ts';
import { DatabaseNodeSource } from './node-store.ts';
import { toSafeNumber } from './sql-values.ts';

async function committedTreeSize(em: SqlEntityManager, communityId: string): Promise<number> {
  const rows: Array<{ tree_size: unknown }> = await em.execute('select tree_size from ledger_heads where community_id = ?', [communityId]);
  return rows[0] ? toSafeNumber(rows[0].tree_size) : 0;
}

async function assertWithinLog(em: SqlEntityManager, communityId: string, treeSize: number, parameter: string): Promise<void> {
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) throw new LedgerInputError(parameter, 'must be a non-negative integer');
  if (treeSize > (await committedTreeSize(em, communityId))) throw new LedgerInputError(parameter, 'exceeds the size of the log');
}

export async function inclusionProof(em: SqlEntityManager, communityId: string, seq: number, treeSize: number): Promise<Uint8Array[]> {
  await assertWithinLog(em, communityId, treeSize, 'treeSize');
  if (!Number.isSafeInteger(seq) || seq < 0 || seq >= treeSize) throw new LedgerInputError('seq', 'must be below treeSize');
  return buildInclusionProof(new DatabaseNodeSource(em, communityId), seq, treeSize);
}

export async function consistencyProof(em: SqlEntityManager, communityId: string, fromSize: number, toSize: number): Promise<Uint8Array[]> {
  await assertWithinLog(em, communityId, toSize, 'toSize');
  if (!Number.isSafeInteger(fromSize) || fromSize < 0 || fromSize > toSize) throw new LedgerInputError('fromSize', 'must be from 0 to toSize');
  return buildConsistencyProof(new DatabaseNodeSource(em, communityId), fromSize, toSize);
}

export async function rootAt(em: SqlEntityManager, communityId: string, treeSize: number): Promise<Uint8Array> {
  await assertWithinLog(em, communityId, treeSize, 'treeSize');
  return treeRoot(new DatabaseNodeSource(em, communityId), treeSize);
}
