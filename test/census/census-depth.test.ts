/**
 * A census proves at its tree's real depth (issue 9): it opens at depth 10, grows to 14
 * when a 1,025th member joins (a `census.grow` entry, in the join's transaction, once even
 * when two joins race for the 1,025th slot), and
 * every root keeps the depth it was recorded at. Two real proofs, made once: one at depth
 * 10 against the full depth-10 tree, one at depth 14 after the growth. Each verifies with
 * its depth's key, also after the growth, and is refused at another depth — by a snapshot
 * that names another depth, by a key of another depth, by a community with no key for it.
 *
 * The 1,023 filler members go through the real service (addCensusMember), 128 joins per
 * transaction; the member who proves at depth 10 joins the same way; then two members race
 * for the 1,025th slot, one through the API with an invite, one through the service.
 */
import { randomUUID } from 'node:crypto';
import * as snarkjs from 'snarkjs';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { addCensusMember, censusSnapshot, censusTotals, type CensusSnapshot } from '../../src/census/census-tree-service.ts';
import { censusRootDepth, verifyCommunityMembershipProof } from '../../src/census/membership-proof.ts';
import { findActiveVerificationKeys, membershipKeyOf } from '../../src/census/verification-keys.ts';
import { integratePending } from '../../src/ledger/integrator.ts';
import { loadMembershipArtifactsForDepth } from '../../src/zk/artifacts-node.ts';
import { createIdentity, membershipLeaf, type Identity } from '../../src/zk/identity.ts';
import { PoseidonMerkleTree, extendMerkleProof, type MerkleProof } from '../../src/zk/merkle-tree.ts';
import { proveMembership, type MembershipProof } from '../../src/zk/prover.ts';
import { verifyMembershipProof } from '../../src/zk/verifier.ts';
import { createTestApp, mutate, type TestApp } from '../support/app.ts';
import { createCommunityFixture, type CommunityFixture } from '../support/fixtures.ts';

const SCOPE = 77_001n;
const MESSAGE = 3n;
const FULL_DEPTH_10 = 2 ** 10;
const JOINS_PER_TRANSACTION = 128;

const PATH = `query ($communityId: ID!, $leafIndex: Int!) {
  censusMerkleProof(communityId: $communityId, kind: HOUSEHOLDS, leafIndex: $leafIndex) {
    __typename ... on QueryCensusMerkleProofSuccess { data { root depth leaf leafIndex siblings pathIndices } } ... on Error { code message }
  }
}`;
const CHECK = `query ($communityId: ID!, $proof: String!, $scope: String!, $root: String, $depth: Int) {
  checkMembershipProof(communityId: $communityId, census: HOUSEHOLDS, proof: $proof, scope: $scope, root: $root, depth: $depth) {
    valid code root depth instance verificationKeyHash
  }
}`;
const ACTIVATE = `mutation ($id: ID!, $instance: String!, $key: String) {
  activateVerificationKey(communityId: $id, instance: $instance, verificationKey: $key) {
    __typename ... on MutationActivateVerificationKeySuccess { data { instance depth hash } } ... on Error { code message }
  }
}`;

let testApp: TestApp;
let community: CommunityFixture;
let communityId: string;
let early: Identity;
let late: Identity;
/** The depth-10 proof against the full depth-10 tree (1,024 members), made before the growth. */
let proof10: MembershipProof;
/** Its path, from the API. */
let path10: MerkleProof & { depth: number };
let snapshot10: CensusSnapshot;
/** The depth-14 proof of the member who joined through the API, against the tree after both racing joins. */
let proof14: MembershipProof;
let snapshot14: CensusSnapshot;
/** What the racing join through the API returned, and the depth the racing service join grew from, if it did. */
let apiJoin: { leafIndex: number; root: string; depth: number; grewFromDepth: number | null };
let serviceJoinGrewFrom: number | null;

const em = () => testApp.database.orm.em.fork() as unknown as SqlEntityManager;
const localId = (globalId: string): string => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;

async function insertHouseholds(count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => randomUUID());
  for (let start = 0; start < count; start += 500) {
    const chunk = ids.slice(start, start + 500);
    await em().execute(
      `insert into households (id, community_id, floor_area_centi_square_metres, created_at) values ${chunk.map(() => "(?, ?, 5000, now())").join(', ')}`,
      chunk.flatMap((id) => [id, communityId]),
    );
  }
  return ids;
}

/** Joins each household with its commitment through the census service, several joins per transaction. */
async function joinAll(members: ReadonlyArray<{ householdId: string; commitment: bigint }>): Promise<void> {
  for (let start = 0; start < members.length; start += JOINS_PER_TRANSACTION) {
    await em().transactional(async (transactional) => {
      for (const member of members.slice(start, start + JOINS_PER_TRANSACTION)) {
        await addCensusMember(transactional as SqlEntityManager, {
          communityId, kind: 'households', identityCommitment: member.commitment, weight: 1,
          accountId: null, householdId: member.householdId, actor: 'anonymous',
        });
      }
    });
  }
}

async function pathOf(leafIndex: number, token: string): Promise<MerkleProof & { depth: number }> {
  const result = await testApp.graphql(PATH, { communityId: community.id, leafIndex }, token);
  const path = result.data.censusMerkleProof.data;
  return {
    root: BigInt(path.root), leaf: BigInt(path.leaf), index: path.leafIndex, depth: path.depth,
    siblings: path.siblings.map(BigInt), pathIndices: path.pathIndices,
  };
}

async function prove(identity: Identity, path: MerkleProof & { depth: number }): Promise<MembershipProof> {
  const artifacts = await loadMembershipArtifactsForDepth(path.depth);
  return proveMembership(artifacts, { secret: identity.secret, merkleProof: path, attribute: 1n, scope: SCOPE, message: MESSAGE });
}

const check = (proof: MembershipProof, variables: Record<string, unknown> = {}) =>
  testApp.graphql(CHECK, { communityId: community.id, proof: JSON.stringify(proof), scope: SCOPE.toString(), ...variables }, community.residentToken)
    .then((result) => result.data.checkMembershipProof);

const verify = (proof: MembershipProof, pinnedRoot?: bigint | { root: bigint; depth: number }) =>
  verifyCommunityMembershipProof(em(), {
    communityId, kind: 'households', proof: proof.proof, publicSignals: proof.publicSignals, expectedScope: SCOPE, pinnedRoot,
  });

beforeAll(async () => {
  testApp = await createTestApp();
  community = await createCommunityFixture(testApp, 'census-depth');
  communityId = localId(community.id);
  early = await createIdentity();
  late = await createIdentity();

  // 1,024 members fill the depth-10 tree exactly; `early` is leaf 5.
  const [racer, ...households] = await insertHouseholds(FULL_DEPTH_10 + 1);
  await joinAll(households.map((householdId, index) => ({ householdId, commitment: index === 5 ? early.commitment : 9_000_000n + BigInt(index) })));
  snapshot10 = await censusSnapshot(em(), communityId, 'households');
  path10 = await pathOf(5, community.residentToken);
  proof10 = await prove(early, path10);

  // Two joins race for the 1,025th slot: the fixture's resident through the API, another household through the service.
  const issued = await mutate(
    testApp,
    'createCensusInvite',
    `mutation ($communityId: ID!, $householdId: ID) { createCensusInvite(communityId: $communityId, kind: HOUSEHOLDS, householdId: $householdId) {
      __typename ... on MutationCreateCensusInviteSuccess { data { code } } ... on Error { code message } } }`,
    { communityId: community.id, householdId: community.householdId },
    community.managerToken,
  );
  const [throughApi, throughService] = await Promise.all([
    mutate(
      testApp,
      'joinCensus',
      `mutation ($inviteCode: String!, $identityCommitment: String!) { joinCensus(inviteCode: $inviteCode, identityCommitment: $identityCommitment) {
        __typename ... on MutationJoinCensusSuccess { data { leafIndex root depth grewFromDepth } } ... on Error { code message } } }`,
      { inviteCode: issued.code, identityCommitment: late.commitment.toString() },
      community.residentToken,
    ),
    em().transactional((transactional) =>
      addCensusMember(transactional as SqlEntityManager, {
        communityId, kind: 'households', identityCommitment: 8_000_000n, weight: 1, accountId: null, householdId: racer!, actor: 'anonymous',
      }),
    ),
  ]);
  apiJoin = throughApi;
  serviceJoinGrewFrom = throughService.growth?.previousDepth ?? null;
  snapshot14 = await censusSnapshot(em(), communityId, 'households');
  proof14 = await prove(late, await pathOf(apiJoin.leafIndex, community.residentToken));
}, 120_000);
afterAll(() => testApp.dispose());

describe('a census that grows from depth 10 to 14', () => {
  it('held 1,024 members at depth 10, and the join that took the 1,025th slot grew it to 14, once', async () => {
    expect(snapshot10).toMatchObject({ depth: 10, headCount: 1_024, totalWeight: 1_024 });
    expect(apiJoin).toMatchObject({ depth: 14 });
    expect([1_024, 1_025]).toContain(apiJoin.leafIndex);
    // Exactly one of the racing joins grew the tree: the one that took the lock first.
    expect([apiJoin.grewFromDepth, serviceJoinGrewFrom].sort()).toEqual([10, null]);
    expect(apiJoin.grewFromDepth === 10).toBe(apiJoin.leafIndex === 1_024);
    expect(snapshot14).toMatchObject({ depth: 14, headCount: 1_026, totalWeight: 1_026 });
    const locked = await em().transactional((transactional) => censusSnapshot(transactional as SqlEntityManager, communityId, 'households', { lock: true }));
    expect(locked).toEqual(snapshot14);
    expect(await censusTotals(em(), communityId, 'households')).toMatchObject({ depth: 14, size: 1_026 });
    // The stored tree equals a depth-14 tree rebuilt from the leaf table alone.
    const rows: Array<{ identity_commitment: string }> = await em().execute(
      `select identity_commitment from census_leaves where community_id = ? and kind = 'households' order by leaf_index`,
      [communityId],
    );
    const leaves = await Promise.all(rows.map((row) => membershipLeaf(BigInt(row.identity_commitment), 1n)));
    expect(await (await PoseidonMerkleTree.build(leaves, 14)).root()).toBe(snapshot14.root);
  });

  it('records the growth once on the ledger, before the join that took the 1,025th slot, with depths and roots only', async () => {
    await integratePending(em(), communityId);
    const entries: Array<{ type: string; actor: string; payload: Record<string, unknown> }> = await em().execute(
      `select type, actor, payload from ledger_entries where community_id = ? and type like 'census.%' order by seq desc limit 4`,
      [communityId],
    );
    const [last, join, grow, lastAtDepth10] = entries;
    expect([lastAtDepth10!.type, grow!.type, join!.type, last!.type]).toEqual(['census.join', 'census.grow', 'census.join', 'census.join']);
    expect(lastAtDepth10!.payload).toMatchObject({ depth: 10, root: snapshot10.root.toString(), size: 1_024 });
    // The grown root is the full depth-10 tree lifted with empty subtrees on the right.
    const lifted = await extendMerkleProof(path10, 14);
    expect(grow!.actor).toBe('system');
    expect(grow!.payload).toEqual({
      kind: 'households', previousDepth: 10, previousRoot: snapshot10.root.toString(), depth: 14,
      root: lifted.root.toString(), size: 1_024, totalWeight: 1_024, headCount: 1_024,
    });
    expect(join!.payload).toMatchObject({ depth: 14, leafIndex: 1_024, size: 1_025 });
    expect(last!.payload).toMatchObject({ depth: 14, root: snapshot14.root.toString(), leafIndex: 1_025, size: 1_026 });
  });

  it('keeps every root at the depth it was recorded at, in the history and the API', async () => {
    const history: Array<{ depth: unknown; size: unknown }> = await em().execute(
      `select depth, size from census_roots where community_id = ? and kind = 'households' order by version desc limit 4`,
      [communityId],
    );
    expect(history.map((row) => [Number(row.depth), Number(row.size)])).toEqual([[14, 1_026], [14, 1_025], [14, 1_024], [10, 1_024]]);
    expect(await censusRootDepth(em(), communityId, 'households', snapshot10.root)).toBe(10);
    expect(await censusRootDepth(em(), communityId, 'households', snapshot14.root)).toBe(14);
    const census = await testApp.graphql(
      `query ($c: ID!) { census(communityId: $c, kind: HOUSEHOLDS) { depth size roots(first: 4) { edges { node { depth size root } } } } }`,
      { c: community.id },
      community.residentToken,
    );
    expect(census.data.census).toMatchObject({ depth: 14, size: 1_026 });
    expect(census.data.census.roots.edges.map((edge: any) => edge.node.depth)).toEqual([14, 14, 14, 10]);
  });
});

describe('proofs at the depth of their root', () => {
  let keyHash10: string;
  let keyHash14: string;

  it('refuses a proof whose depth has no active key, naming the missing depth', async () => {
    keyHash14 = (await mutate(testApp, 'activateVerificationKey', ACTIVATE, { id: community.id, instance: 'membership-14' }, testApp.adminToken)).hash;
    expect(await check(proof10, { root: snapshot10.root.toString() })).toMatchObject({ valid: false, code: 'NO_KEY_FOR_DEPTH' });
    expect(await check(proof14)).toMatchObject({ valid: true, depth: 14, instance: 'membership-14', verificationKeyHash: keyHash14 });
  });

  it("refuses to activate another depth's key under a depth's instance", async () => {
    const key14 = (await loadMembershipArtifactsForDepth(14)).verificationKey;
    const result = await testApp.graphql(ACTIVATE, { id: community.id, instance: 'membership-10', key: JSON.stringify(key14) }, testApp.adminToken);
    expect(result.data.activateVerificationKey).toMatchObject({ code: 'INVALID_INPUT' });
    expect(result.data.activateVerificationKey.message).toMatch(/membership-14/u);
    const bad = await testApp.graphql(ACTIVATE, { id: community.id, instance: 'membership-12' }, testApp.adminToken);
    expect(bad.data.activateVerificationKey).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('keeps a root from before the growth verifiable at its own depth, with its own key', async () => {
    const activated = await mutate(testApp, 'activateVerificationKey', ACTIVATE, { id: community.id, instance: 'membership-10' }, testApp.adminToken);
    keyHash10 = activated.hash;
    expect(activated.depth).toBe(10);
    // Activating depth 10 left depth 14's key active: one key per depth.
    expect((await findActiveVerificationKeys(em(), communityId)).map((key) => [key.depth, key.keyHash])).toEqual([[10, keyHash10], [14, keyHash14]]);
    const served = await testApp.graphql(
      `query ($c: ID!) { activeVerificationKeys(communityId: $c) { instance depth hash } deep: activeVerificationKey(communityId: $c, depth: 14) { hash } }`,
      { c: community.id },
      community.residentToken,
    );
    expect(served.data.activeVerificationKeys).toEqual([
      { instance: 'membership-10', depth: 10, hash: keyHash10 },
      { instance: 'membership-14', depth: 14, hash: keyHash14 },
    ]);
    expect(served.data.deep.hash).toBe(keyHash14);
    for (const pinned of [snapshot10.root, { root: snapshot10.root, depth: 10 }]) {
      expect(await verify(proof10, pinned)).toMatchObject({ depth: 10, instance: 'membership-10', verificationKeyHash: keyHash10, root: snapshot10.root });
    }
    expect(await check(proof10, { root: snapshot10.root.toString(), depth: 10 })).toMatchObject({ valid: true, depth: 10, instance: 'membership-10' });
    // …and in the recent window, next to the depth-14 roots.
    expect(await check(proof10)).toMatchObject({ valid: true, depth: 10 });
    expect(await verify(proof14, { root: snapshot14.root, depth: 14 })).toMatchObject({ depth: 14, verificationKeyHash: keyHash14 });
  });

  it('makes the pinned depth of a snapshot the one its proofs must use', async () => {
    // A snapshot that names another depth than the one recorded for its root.
    await expect(verify(proof10, { root: snapshot10.root, depth: 14 })).rejects.toMatchObject({ code: 'DEPTH_MISMATCH' });
    expect(await check(proof14, { root: snapshot14.root.toString(), depth: 10 })).toMatchObject({ valid: false, code: 'DEPTH_MISMATCH' });
    // The snapshot pinned right after the growth is the full depth-10 tree at depth 14: a
    // depth-10 proof of that very tree is a proof at another depth than the snapshot's.
    const grown = (await em().execute(
      `select root from census_roots where community_id = ? and kind = 'households' and depth = 14 order by version limit 1`,
      [communityId],
    )) as Array<{ root: string }>;
    const grownSnapshot = { root: BigInt(grown[0]!.root), depth: 14 };
    await expect(verify(proof10, grownSnapshot)).rejects.toMatchObject({ code: 'DEPTH_MISMATCH' });
    // A proof against another snapshot altogether is not a depth question.
    await expect(verify(proof10, { root: snapshot14.root, depth: 14 })).rejects.toMatchObject({ code: 'ROOT_UNKNOWN' });
  });

  it("verifies with its depth's key and is refused by the other depth's key", async () => {
    const keys = new Map((await findActiveVerificationKeys(em(), communityId)).map((row) => [row.depth, membershipKeyOf(row)]));
    const at = (proof: MembershipProof, depth: number, root: bigint) =>
      verifyMembershipProof(keys.get(depth)!, proof.proof, proof.publicSignals, { roots: [{ root, depth: root === snapshot10.root ? 10 : 14 }], scope: SCOPE });
    await expect(at(proof10, 10, snapshot10.root)).resolves.toMatchObject({ root: snapshot10.root });
    await expect(at(proof14, 14, snapshot14.root)).resolves.toMatchObject({ root: snapshot14.root });
    await expect(at(proof10, 14, snapshot10.root)).rejects.toMatchObject({ code: 'DEPTH_MISMATCH' });
    await expect(at(proof14, 10, snapshot14.root)).rejects.toMatchObject({ code: 'DEPTH_MISMATCH' });
    // Without the depth check, the pairing itself refuses: the keys of two depths share nothing.
    expect(await snarkjs.groth16.verify(keys.get(14)!.verificationKey, proof10.publicSignals, proof10.proof)).toBe(false);
    expect(await snarkjs.groth16.verify(keys.get(10)!.verificationKey, proof10.publicSignals, proof10.proof)).toBe(true);
  });
});
