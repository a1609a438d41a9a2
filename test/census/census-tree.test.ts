/**
 * The persisted census tree: every change rewrites one path in the database, and the
 * result always equals a tree rebuilt in memory from the leaves alone.
 */
import { randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { addCensusMember, censusMerkleProof, censusTotals, INITIAL_CENSUS_DEPTH, reinstateCensusMember, removeCensusMember } from '../../src/census/census-tree-service.ts';
import { refreshOwnerWeight } from '../../src/census/census-membership.ts';
import { ownerWeight } from '../../src/census/owner-weights.ts';
import { scopedCensusTree, type CensusTreeName } from '../../src/census/census.entity.ts';
import { CensusError } from '../../src/census/census-errors.ts';
import { membershipLeaf } from '../../src/zk/identity.ts';
import { PoseidonMerkleTree, verifyMerkleProof } from '../../src/zk/merkle-tree.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { integratePending } from '../../src/ledger/integrator.ts';

let database: TestDatabase;
let communityId: string;

const em = () => database.orm.em.fork() as unknown as SqlEntityManager;
const inTransaction = <T>(work: (em: SqlEntityManager) => Promise<T>) => em().transactional((transactional) => work(transactional as SqlEntityManager));

async function insertAccount(): Promise<string> {
  const id = randomUUID();
  await em().execute(`insert into accounts (id, login, password_hash, created_at) values (?, ?, 'x', now())`, [id, `owner-${id.slice(0, 8)}`]);
  return id;
}

async function insertHousehold(areaCentiSquareMetres: number, ownerAccountId?: string): Promise<string> {
  const id = randomUUID();
  await em().execute(`insert into households (id, community_id, floor_area_centi_square_metres, created_at) values (?, ?, ?, now())`, [
    id, communityId, areaCentiSquareMetres,
  ]);
  if (ownerAccountId) await addOwner(id, ownerAccountId);
  return id;
}

async function addOwner(householdId: string, accountId: string): Promise<void> {
  await em().execute(
    `insert into household_members (id, household_id, community_id, account_id, relation, created_at) values (?, ?, ?, ?, 'owner', now())`,
    [randomUUID(), householdId, communityId, accountId],
  );
}

/** The tree rebuilt from the leaf table alone: removed leaves are empty (0). */
async function rebuiltRoot(kind: CensusTreeName): Promise<bigint> {
  const rows: Array<{ leaf_index: number; identity_commitment: string; weight: unknown; status: string }> = await em().execute(
    'select leaf_index, identity_commitment, weight, status from census_leaves where community_id = ? and kind = ? order by leaf_index',
    [communityId, kind],
  );
  const leaves: bigint[] = [];
  for (const [position, row] of rows.entries()) {
    expect(Number(row.leaf_index)).toBe(position);
    leaves.push(row.status === 'active' ? await membershipLeaf(BigInt(row.identity_commitment), BigInt(Number(row.weight))) : 0n);
  }
  return (await PoseidonMerkleTree.build(leaves, (await censusTotals(em(), communityId, kind)).depth)).root();
}

let nextCommitment = 1_000_000n;
const join = (kind: CensusTreeName, member: { accountId?: string; householdId?: string }, weight: number) =>
  inTransaction((transactional) =>
    addCensusMember(transactional, {
      communityId, kind, identityCommitment: nextCommitment++, weight,
      accountId: member.accountId ?? null, householdId: member.householdId ?? null, actor: 'system',
    }),
  );

beforeAll(async () => {
  database = await createTestDatabase();
  communityId = randomUUID();
  await em().execute(`insert into communities (id, slug, name, created_at) values (?, 'census-tree', 'Census tree', now())`, [communityId]);
});
afterAll(() => database.dispose());

describe('persisted census tree', () => {
  it('equals an in-memory rebuild after joins, removals and weight updates', async () => {
    const households: string[] = [];
    for (let unit = 0; unit < 9; unit++) households.push(await insertHousehold(5_000 + unit * 100));
    for (const householdId of households) await join('households', { householdId }, 1);
    expect((await censusTotals(em(), communityId, 'households')).root).toBe(await rebuiltRoot('households'));

    await inTransaction((transactional) => removeCensusMember(transactional, { communityId, kind: 'households', leafIndex: 3, actor: 'system' }));
    await inTransaction((transactional) => removeCensusMember(transactional, { communityId, kind: 'households', leafIndex: 8, actor: 'system' }));
    await join('households', { householdId: households[3]! }, 1);
    const totals = await censusTotals(em(), communityId, 'households');
    expect(totals).toMatchObject({ size: 10, headCount: 8, totalWeight: 8 });
    expect(totals.root).toBe(await rebuiltRoot('households'));

    const proof = await censusMerkleProof(em(), communityId, 'households', 9);
    expect(proof.root).toBe(totals.root);
    expect(totals.depth).toBe(INITIAL_CENSUS_DEPTH);
    expect(proof.depth).toBe(INITIAL_CENSUS_DEPTH);
    expect(proof.siblings).toHaveLength(INITIAL_CENSUS_DEPTH);
    expect(await verifyMerkleProof(proof)).toBe(true);
  });

  it('writes only the depth + 1 nodes of each changed path', async () => {
    const [row]: Array<{ count: number }> = await em().execute(`select count(*)::int as count from census_tree_nodes where community_id = ? and kind = 'households'`, [communityId]);
    // 10 leaves and the distinct nodes above them: far below a rebuild per change, and at most depth + 1 per leaf.
    expect(row!.count).toBeLessThanOrEqual(10 * (INITIAL_CENSUS_DEPTH + 1));
    expect(row!.count).toBe(10 + 5 + 3 + 2 + (INITIAL_CENSUS_DEPTH - 3));
  });

  it("counts an owner of two units once, with the sum of the units' areas, and follows a new unit", async () => {
    const owner = await insertAccount();
    const single = await insertAccount();
    await insertHousehold(8_950, owner);
    await insertHousehold(6_000, owner);
    await insertHousehold(12_000, single);
    expect(await ownerWeight(em(), communityId, owner)).toBe(14_950);
    const joined = await join('owners', { accountId: owner }, await ownerWeight(em(), communityId, owner));
    await join('owners', { accountId: single }, await ownerWeight(em(), communityId, single));
    expect(await censusTotals(em(), communityId, 'owners')).toMatchObject({ size: 2, headCount: 2, totalWeight: 26_950 });

    await insertHousehold(4_050, owner);
    const change = await inTransaction((transactional) => refreshOwnerWeight(transactional, { communityId, accountId: owner, actor: 'system' }));
    expect(change).toMatchObject({ leafIndex: joined.leafIndex, weight: 19_000, headCount: 2, totalWeight: 31_000 });
    expect((await censusTotals(em(), communityId, 'owners')).root).toBe(await rebuiltRoot('owners'));
    const unchanged = await inTransaction((transactional) => refreshOwnerWeight(transactional, { communityId, accountId: owner, actor: 'system' }));
    expect(unchanged).toBeNull();
  });

  it('records every root with its totals and the ledger entry that made it, in order', async () => {
    await integratePending(em(), communityId);
    const roots: Array<{ version: number; root: string; ledger_entry_id: unknown }> = await em().execute(
      `select version, root, ledger_entry_id from census_roots where community_id = ? and kind = 'owners' order by version`,
      [communityId],
    );
    expect(roots.map((root) => root.version)).toEqual([1, 2, 3]);
    const entries: Array<{ seq: unknown; type: string; payload: any }> = await em().execute(
      `select seq, type, payload from ledger_entries where community_id = ? and entry_id in (?, ?, ?) order by seq`,
      [communityId, ...roots.map((root) => Number(root.ledger_entry_id))],
    );
    expect(entries.map((entry) => [entry.type, entry.payload.root])).toEqual([
      ['census.join', roots[0]!.root], ['census.join', roots[1]!.root], ['census.weight', roots[2]!.root],
    ]);
  });

  it('serialises concurrent joins of one tree, so the tree stays equal to its rebuild', async () => {
    const households = await Promise.all(Array.from({ length: 6 }, (_, unit) => insertHousehold(7_000 + unit)));
    await Promise.all(households.map((householdId) => join('households', { householdId }, 1)));
    const totals = await censusTotals(em(), communityId, 'households');
    expect(totals.size).toBe(16);
    expect(totals.root).toBe(await rebuiltRoot('households'));
  });

  it('refuses a commitment already in the census, and a removal of an empty leaf, writing nothing', async () => {
    const before = await censusTotals(em(), communityId, 'households');
    const householdId = await insertHousehold(9_999);
    const duplicate = inTransaction((transactional) =>
      addCensusMember(transactional, { communityId, kind: 'households', identityCommitment: 1_000_000n, weight: 1, accountId: null, householdId, actor: 'system' }),
    );
    await expect(duplicate).rejects.toMatchObject({ code: 'COMMITMENT_IN_USE' });
    const removal = inTransaction((transactional) => removeCensusMember(transactional, { communityId, kind: 'households', leafIndex: 8, actor: 'system' }));
    await expect(removal).rejects.toBeInstanceOf(CensusError);
    expect(await censusTotals(em(), communityId, 'households')).toEqual(before);
  });

  it('keeps scoped trees (<kind>:<scope>) apart from the census and from each other, with removal and reinstatement', async () => {
    const march = scopedCensusTree('fees-paid', '2026-03');
    const april = scopedCensusTree('fees-paid', '2026-04');
    const households = [await insertHousehold(7_000), await insertHousehold(7_100)];
    const censusBefore = await censusTotals(em(), communityId, 'households');
    const first = await join(march, { householdId: households[0]! }, 202_603);
    await join(march, { householdId: households[1]! }, 202_603);
    await join(april, { householdId: households[0]! }, 202_604);
    expect(first.kind).toBe('fees-paid:2026-03');
    expect(await censusTotals(em(), communityId, 'households')).toEqual(censusBefore);
    expect((await censusTotals(em(), communityId, march)).headCount).toBe(2);
    await expect(join(march, { householdId: households[0]! }, 202_603)).rejects.toMatchObject({ code: 'ALREADY_MEMBER' });
    const removed = await inTransaction((transactional) => removeCensusMember(transactional, { communityId, kind: march, leafIndex: first.leafIndex, actor: 'system' }));
    expect(removed.headCount).toBe(1);
    expect(removed.root).toBe(await rebuiltRoot(march));
    const reinstated = await inTransaction((transactional) => reinstateCensusMember(transactional, { communityId, kind: march, leafIndex: first.leafIndex, actor: 'system' }));
    expect(reinstated).toMatchObject({ leafIndex: first.leafIndex, headCount: 2, size: 2 });
    expect(reinstated.root).toBe(await rebuiltRoot(march));
    expect(reinstated.version).toBe(removed.version + 1);
    await expect(inTransaction((transactional) => reinstateCensusMember(transactional, { communityId, kind: march, leafIndex: first.leafIndex, actor: 'system' }))).rejects.toMatchObject({ code: 'NOT_A_MEMBER' });
    expect(() => scopedCensusTree('owners', '2026-03')).toThrow(RangeError);
    expect(() => scopedCensusTree('fees-paid', 'a b')).toThrow(RangeError);
  });
});
