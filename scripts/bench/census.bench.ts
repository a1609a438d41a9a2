/**
 * Census insertion into the persisted tree: N members join the households census one
 * at a time, each in its own transaction exactly as joinCensus does it (tree row lock,
 * one path read, one path write, the leaf row, the ledger entry, the root history).
 * The final root is checked against a bulk in-memory build of the same leaves.
 *
 *   npm run bench -- --only census [--quick]      (DATABASE_URL for PostgreSQL)
 */
import { randomUUID } from 'node:crypto';
import { initOrm, type SqlEntityManager } from '../../src/db/orm.ts';
import { databaseSchema } from '../../src/server/modules.ts';
import { addCensusMember, censusTotals } from '../../src/census/census-tree-service.ts';
import { membershipLeaf } from '../../src/zk/identity.ts';
import { PoseidonMerkleTree } from '../../src/zk/merkle-tree.ts';
import { median, timeEach, type BenchFigure, type BenchOptions, type BenchSuite } from './bench-suite.ts';
import { createScratchDatabase } from '../../src/db/scratch-database.ts';

const FULL_MEMBERS = 10_000;
const QUICK_MEMBERS = 1_000;

export const suite: BenchSuite = {
  name: 'census',
  async run(options: BenchOptions): Promise<BenchFigure[]> {
    const members = options.quick ? QUICK_MEMBERS : FULL_MEMBERS;
    const scratch = options.databaseUrl ? await createScratchDatabase(options.databaseUrl, 'courtyard_bench') : undefined;
    const orm = await initOrm(scratch ? { databaseUrl: scratch.url } : { pgliteDataDirectory: 'memory://' }, databaseSchema);
    try {
      const em = orm.em.fork() as SqlEntityManager;
      const communityId = randomUUID();
      await em.execute(`insert into communities (id, slug, name, created_at) values (?, 'census-bench', 'Census bench', now())`, [communityId]);
      await em.execute(
        `insert into households (id, community_id, floor_area_centi_square_metres, created_at)
         select gen_random_uuid(), ?, 8000 + n, now() from generate_series(1, ?) as n`,
        [communityId, members],
      );
      const householdIds = (await em.execute<Array<{ id: string }>>('select id from households where community_id = ? order by floor_area_centi_square_metres', [communityId])).map((row) => row.id);
      const commitments = Array.from({ length: members }, (_, index) => BigInt(index + 1) * 7_919n);
      const totalStart = performance.now();
      const insertMs = await timeEach(members, (index) =>
        (orm.em.fork() as SqlEntityManager).transactional((tx) =>
          addCensusMember(tx as SqlEntityManager, {
            communityId, kind: 'households', identityCommitment: commitments[index]!, weight: 1,
            accountId: null, householdId: householdIds[index]!, actor: 'bench',
          }),
        ),
      );
      const totalMs = performance.now() - totalStart;
      const leaves = await Promise.all(commitments.map((commitment) => membershipLeaf(commitment, 1n)));
      const totals = await censusTotals(em, communityId, 'households');
      // The census grew to the smallest declared depth that holds its members (14 for 10,000; 10 for 1,000).
      const expected = await (await PoseidonMerkleTree.build(leaves, totals.depth)).root();
      if (totals.root !== expected || totals.headCount !== members) throw new Error('Failed to benchmark: the persisted census differs from its rebuild');
      const sorted = [...insertMs].sort((a, b) => a - b);
      return [{
        name: `census insertion into the persisted tree, ${members} members, one transaction each`,
        median: median(insertMs),
        unit: 'ms per insert',
        samples: insertMs.length,
        detail: {
          database: scratch ? 'postgresql' : 'pglite',
          depth: totals.depth,
          totalSeconds: Number((totalMs / 1000).toFixed(1)),
          p95Ms: Number(sorted[Math.floor(sorted.length * 0.95)]!.toFixed(2)),
          insertsPerSecond: Number((members / (totalMs / 1000)).toFixed(0)),
        },
      }];
    } finally {
      await orm.close(true);
      await scratch?.drop();
    }
  },
};
