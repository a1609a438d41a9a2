/**
 * The census snapshot a proposal pins when it opens: root, depth, head count and total
 * weight of one census tree, read from the census's own tree row under a share lock, so
 * no join or removal commits between reading the root and reading its totals.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import type { CensusKind } from '../census/census.entity.ts';
import { GovernanceError } from './governance-errors.ts';

export interface CensusSnapshot {
  kind: CensusKind;
  root: bigint;
  depth: number;
  heads: bigint;
  weight: bigint;
}

export async function readCensusSnapshot(em: SqlEntityManager, communityId: string, kind: CensusKind): Promise<CensusSnapshot> {
  const rows: Array<{ root: string; depth: unknown; head_count: unknown; total_weight: unknown }> = await em.execute(
    'select root, depth, head_count, total_weight from census_trees where community_id = ? and kind = ? for share',
    [communityId, kind],
  );
  const row = rows[0];
  if (!row || BigInt(String(row.head_count)) === 0n) {
    throw new GovernanceError('CENSUS_EMPTY', `Failed to open proposal: the ${kind} census has no member`);
  }
  return { kind, root: BigInt(row.root), depth: Number(row.depth), heads: BigInt(String(row.head_count)), weight: BigInt(String(row.total_weight)) };
}
