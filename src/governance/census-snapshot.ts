/**
 * The census snapshot a proposal pins when it opens: root, depth, head count and total
 * weight of one census tree, read by the census under the tree's row lock, so no join,
 * growth or removal commits between reading the root and reading its totals.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import type { CensusKind } from '../census/census.entity.ts';
import { censusSnapshot } from '../census/census-tree-service.ts';
import { GovernanceError } from './governance-errors.ts';

export interface CensusSnapshot {
  kind: CensusKind;
  root: bigint;
  /** The depth ballots must be proved at: the verifier takes this depth's key. */
  depth: number;
  heads: bigint;
  weight: bigint;
}

export async function readCensusSnapshot(em: SqlEntityManager, communityId: string, kind: CensusKind): Promise<CensusSnapshot> {
  const snapshot = await censusSnapshot(em, communityId, kind, { lock: true });
  if (snapshot.headCount === 0) {
    throw new GovernanceError('CENSUS_EMPTY', `Failed to open proposal: the ${kind} census has no member`);
  }
  return { kind, root: snapshot.root, depth: snapshot.depth, heads: BigInt(snapshot.headCount), weight: BigInt(snapshot.totalWeight) };
}
