/**
 * The census through the API: invites (single use, expiry, binding), joining with a
 * commitment, typed refusals that write nothing, removal, ledger entries free of
 * personal data, owners counted by head, and a real proof over the persisted census
 * checked against the community's active verification key.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createIdentity, membershipNullifier, type Identity } from '../../src/zk/identity.ts';
import { SNARK_SCALAR_FIELD } from '../../src/zk/field.ts';
import { loadMembershipArtifactsForDepth } from '../../src/zk/artifacts-node.ts';
import { proveMembership, type MembershipProof } from '../../src/zk/prover.ts';
import { createTestApp, mutate, type TestApp } from '../support/app.ts';
import { activateMembershipKey } from '../support/proof-community.ts';
import { addHouseholdMember, createAccount, createCommunityFixture, registerHousehold, type CommunityFixture } from '../support/fixtures.ts';

const INVITE = `mutation ($communityId: ID!, $kind: CensusKind!, $accountId: ID, $householdId: ID) {
  createCensusInvite(communityId: $communityId, kind: $kind, accountId: $accountId, householdId: $householdId) {
    __typename
    ... on MutationCreateCensusInviteSuccess { data { code invite { kind expiresAt redeemed } } }
    ... on Error { code message }
  }
}`;
const JOIN = `mutation ($inviteCode: String!, $identityCommitment: String!) {
  joinCensus(inviteCode: $inviteCode, identityCommitment: $identityCommitment) {
    __typename
    ... on MutationJoinCensusSuccess { data { kind leafIndex weight root headCount totalWeight ledgerSeq } }
    ... on Error { code message }
  }
}`;
const REMOVE = `mutation ($communityId: ID!, $kind: CensusKind!, $leafIndex: Int!) {
  removeCensusMember(communityId: $communityId, kind: $kind, leafIndex: $leafIndex) {
    __typename
    ... on MutationRemoveCensusMemberSuccess { data { leafIndex root headCount ledgerSeq } }
    ... on Error { code message }
  }
}`;
const CENSUS = `query ($communityId: ID!, $kind: CensusKind!) {
  census(communityId: $communityId, kind: $kind) {
    size headCount totalWeight root
    leaves(first: 50) { edges { node { leafIndex identityCommitment weight active memberAccountId memberHouseholdId } } }
    roots(first: 50) { edges { node { version root ledgerSeq } } }
  }
}`;
const CHECK = `query ($communityId: ID!, $census: CensusKind!, $proof: String!, $scope: String!, $message: String, $root: String) {
  checkMembershipProof(communityId: $communityId, census: $census, proof: $proof, scope: $scope, message: $message, root: $root) {
    valid code nullifier root attribute scope message verificationKeyHash
  }
}`;

let testApp: TestApp;
let community: CommunityFixture;
let other: CommunityFixture;

/** The UUID inside a Relay global id. */
const localId = (globalId: string): string => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;

async function countRows(table: string): Promise<number> {
  const [row] = await testApp.database.orm.em.getConnection().execute(`select count(*)::int as count from ${table}`);
  return row!.count;
}

async function invite(variables: Record<string, unknown>, token = community.managerToken): Promise<string> {
  const issued = await mutate(testApp, 'createCensusInvite', INVITE, { communityId: community.id, ...variables }, token);
  return issued.code;
}

async function join(inviteCode: string, identityCommitment: string, token: string) {
  const result = await testApp.graphql(JOIN, { inviteCode, identityCommitment }, token);
  return result.data?.joinCensus;
}

async function ledgerEntries(types: string[]): Promise<Array<{ type: string; actor: string; payload: Record<string, unknown> }>> {
  return testApp.database.orm.em.getConnection().execute(
    `select type, actor, payload from ledger_entries where community_id = ? and type in (${types.map(() => '?').join(', ')}) order by seq`,
    [localId(community.id), ...types],
  );
}

beforeAll(async () => {
  testApp = await createTestApp();
  community = await createCommunityFixture(testApp, 'census-api');
  other = await createCommunityFixture(testApp, 'census-other');
});
afterAll(() => testApp.dispose());

describe('census invites and joining', () => {
  let ownerIdentity: Identity;

  it('lets an invited owner join with a commitment, with the area of their unit as weight', async () => {
    ownerIdentity = await createIdentity();
    const code = await invite({ kind: 'OWNERS', accountId: community.residentAccountId });
    const joined = await join(code, ownerIdentity.commitment.toString(), community.residentToken);
    expect(joined).toMatchObject({ __typename: 'MutationJoinCensusSuccess', data: { kind: 'OWNERS', leafIndex: 0, weight: '8950', headCount: 1, totalWeight: '8950' } });
  });

  it('refuses an invite used twice', async () => {
    const code = await invite({ kind: 'HOUSEHOLDS', householdId: community.householdId });
    expect(await join(code, (await createIdentity()).commitment.toString(), community.residentToken)).toMatchObject({ __typename: 'MutationJoinCensusSuccess' });
    expect(await join(code, (await createIdentity()).commitment.toString(), community.residentToken)).toMatchObject({ code: 'INVITE_USED' });
  });

  it('refuses an expired invite and an unknown code', async () => {
    const household = await registerHousehold(testApp, community.managerToken, { communityId: community.id, unitLabel: '9栋 101', floorAreaCentiSquareMetres: 6000 });
    await addHouseholdMember(testApp, community.managerToken, { householdId: household.id, relation: 'OCCUPANT', name: '李娜', accountId: community.residentAccountId });
    const code = await invite({ kind: 'HOUSEHOLDS', householdId: household.id });
    await testApp.database.orm.em.getConnection().execute(`update census_invites set expires_at = now() - interval '1 minute' where redeemed_at is null`);
    expect(await join(code, (await createIdentity()).commitment.toString(), community.residentToken)).toMatchObject({ code: 'INVITE_EXPIRED' });
    expect(await join('A'.repeat(43), (await createIdentity()).commitment.toString(), community.residentToken)).toMatchObject({ code: 'INVITE_UNKNOWN' });
  });

  it('binds an owner invite to its account and a household invite to the household members', async () => {
    const outsider = await createAccount(testApp, 'census-outsider');
    const ownerCode = await invite({ kind: 'OWNERS', accountId: community.residentAccountId });
    expect(await join(ownerCode, (await createIdentity()).commitment.toString(), outsider.token)).toMatchObject({ code: 'INVITE_NOT_FOR_CALLER' });
    expect(await join(ownerCode, (await createIdentity()).commitment.toString(), community.managerToken)).toMatchObject({ code: 'INVITE_NOT_FOR_CALLER' });
    // The owner is already a member: the invite's owner is refused too, and the invite stays unused.
    expect(await join(ownerCode, (await createIdentity()).commitment.toString(), community.residentToken)).toMatchObject({ code: 'ALREADY_MEMBER' });
    const householdCode = await invite({ kind: 'HOUSEHOLDS', householdId: community.householdId });
    expect(await join(householdCode, (await createIdentity()).commitment.toString(), outsider.token)).toMatchObject({ code: 'INVITE_NOT_FOR_CALLER' });
    const foreignHousehold = await testApp.graphql(INVITE, { communityId: community.id, kind: 'HOUSEHOLDS', householdId: other.householdId }, community.managerToken);
    expect(foreignHousehold.data.createCensusInvite.code).toBe('NOT_FOUND');
  });

  it.each([
    ['zero', '0'],
    ['the field modulus', SNARK_SCALAR_FIELD.toString()],
    ['a leading zero', '0123'],
    ['a hexadecimal string', '0x1234'],
    ['a negative number', '-5'],
  ])('refuses a commitment that is %s with INVALID_COMMITMENT and writes nothing', async (_name, commitment) => {
    const code = await invite({ kind: 'HOUSEHOLDS', householdId: community.householdId });
    const [leaves, roots, entries, invites] = await Promise.all(['census_leaves', 'census_roots', 'ledger_entries', 'census_invites'].map(countRows));
    expect(await join(code, commitment, community.residentToken)).toMatchObject({ code: 'INVALID_COMMITMENT' });
    expect(await Promise.all(['census_leaves', 'census_roots', 'ledger_entries', 'census_invites'].map(countRows))).toEqual([leaves, roots, entries, invites]);
    const [row] = await testApp.database.orm.em.getConnection().execute(`select count(*)::int as count from census_invites where redeemed_at is null`);
    expect(row!.count).toBeGreaterThan(0);
  });

  it('refuses a commitment already in the census with COMMITMENT_IN_USE and writes nothing', async () => {
    await mutate(testApp, 'removeCensusMember', REMOVE, { communityId: community.id, kind: 'HOUSEHOLDS', leafIndex: 0 }, community.managerToken);
    const code = await invite({ kind: 'HOUSEHOLDS', householdId: community.householdId });
    const entries = await countRows('ledger_entries');
    expect(await join(code, ownerIdentity.commitment.toString(), community.residentToken)).toMatchObject({ __typename: 'MutationJoinCensusSuccess' });
    const again = await invite({ kind: 'OWNERS', accountId: community.residentAccountId });
    expect(await join(again, (await createIdentity()).commitment.toString(), community.residentToken)).toMatchObject({ code: 'ALREADY_MEMBER' });
    const [leaf] = await testApp.database.orm.em.getConnection().execute(`select identity_commitment from census_leaves where kind = 'households' and status = 'removed'`);
    const code2 = await invite({ kind: 'HOUSEHOLDS', householdId: community.householdId });
    const before = await countRows('ledger_entries');
    expect(await join(code2, leaf!.identity_commitment, community.residentToken)).toMatchObject({ code: 'COMMITMENT_IN_USE' });
    expect(await countRows('ledger_entries')).toBe(before);
    expect(before).toBe(entries + 1);
  });

  it('records joins and removals on the ledger with kind, index, commitment, weight, root and its depth only', async () => {
    const entries = await ledgerEntries(['census.join', 'census.remove', 'census.weight']);
    expect(entries.map((entry) => entry.type)).toEqual(['census.join', 'census.join', 'census.remove', 'census.join']);
    for (const entry of entries) {
      expect(Object.keys(entry.payload).sort()).toEqual(['commitment', 'depth', 'headCount', 'kind', 'leafIndex', 'root', 'size', 'totalWeight', 'weight']);
      const text = JSON.stringify(entry.payload);
      for (const secret of [localId(community.residentAccountId), localId(community.householdId), community.residentAccountId, community.householdId, community.residentName, community.residentPhone, community.unitLabel]) {
        expect(text).not.toContain(secret);
      }
    }
    const census = await testApp.graphql(CENSUS, { communityId: community.id, kind: 'HOUSEHOLDS' }, community.managerToken);
    const roots = census.data.census.roots.edges.map((edge: any) => edge.node);
    expect(roots.map((root: any) => root.root)).toEqual(entries.filter((entry) => entry.payload['kind'] === 'households').map((entry) => entry.payload['root']).reverse());
  });

  it('shows leaves and roots to residents, and who a leaf stands for only to managers', async () => {
    const forResident = await testApp.graphql(CENSUS, { communityId: community.id, kind: 'OWNERS' }, community.residentToken);
    expect(forResident.data.census).toMatchObject({ size: 1, headCount: 1, totalWeight: '8950' });
    expect(forResident.data.census.leaves.edges[0].node).toMatchObject({ identityCommitment: ownerIdentity.commitment.toString(), memberAccountId: null });
    const forManager = await testApp.graphql(CENSUS, { communityId: community.id, kind: 'OWNERS' }, community.managerToken);
    expect(forManager.data.census.leaves.edges[0].node.memberAccountId).toBe(community.residentAccountId);
    const forOutsider = await testApp.graphql(CENSUS, { communityId: community.id, kind: 'OWNERS' }, other.residentToken);
    expect(forOutsider.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it("counts an owner of two units as one head with both areas, and updates the weight when they gain a unit", async () => {
    const second = await registerHousehold(testApp, community.managerToken, { communityId: community.id, unitLabel: '5栋 702', floorAreaCentiSquareMetres: 12050 });
    await addHouseholdMember(testApp, community.managerToken, { householdId: second.id, relation: 'OWNER', name: '张伟', accountId: community.residentAccountId });
    const census = await testApp.graphql(CENSUS, { communityId: community.id, kind: 'OWNERS' }, community.residentToken);
    expect(census.data.census).toMatchObject({ size: 1, headCount: 1, totalWeight: '21000' });
    expect(census.data.census.leaves.edges.map((edge: any) => edge.node.weight)).toEqual(['21000']);
    const [weightEntry] = await ledgerEntries(['census.weight']);
    expect(weightEntry!.payload).toMatchObject({ kind: 'owners', leafIndex: 0, weight: 21000 });
  });

  it('records a join without the joining account, not even as its actor; removals and weight changes name the manager', async () => {
    const entries = await ledgerEntries(['census.join', 'census.remove', 'census.weight']);
    const resident = localId(community.residentAccountId);
    const joins = entries.filter((entry) => entry.type === 'census.join');
    expect(joins.length).toBeGreaterThan(0);
    for (const join of joins) {
      expect(join.actor).toBe('anonymous');
      expect(JSON.stringify(join)).not.toContain(resident);
    }
    const changes = entries.filter((entry) => entry.type !== 'census.join');
    expect(changes.map((entry) => entry.type).sort()).toEqual(['census.remove', 'census.weight']);
    for (const change of changes) expect(change.actor).toBe(localId(community.managerAccountId));
  });

  it('refuses removal by a resident, and removal of an empty leaf', async () => {
    const byResident = await testApp.graphql(REMOVE, { communityId: community.id, kind: 'OWNERS', leafIndex: 0 }, community.residentToken);
    expect(byResident.data.removeCensusMember.code).toBe('FORBIDDEN');
    const empty = await testApp.graphql(REMOVE, { communityId: community.id, kind: 'HOUSEHOLDS', leafIndex: 0 }, community.managerToken);
    expect(empty.data.removeCensusMember.code).toBe('NOT_A_MEMBER');
  });
});

describe('membership proofs over the persisted census', () => {
  const SCOPE = 424_242n;
  const MESSAGE = 1n;
  let identity: Identity;
  let proof: MembershipProof;
  const check = (variables: Record<string, unknown>, token = community.residentToken) =>
    testApp.graphql(CHECK, { communityId: community.id, census: 'OWNERS', proof: JSON.stringify(proof), scope: SCOPE.toString(), ...variables }, token);

  beforeAll(async () => {
    identity = await createIdentity();
    const owner = await createAccount(testApp, 'census-prover');
    await addHouseholdMember(testApp, community.managerToken, { householdId: community.householdId, relation: 'OWNER', name: '王芳', accountId: owner.id });
    const token = await testApp.login('census-prover', 'a long enough password');
    const code = await invite({ kind: 'OWNERS', accountId: owner.id });
    const joined = await join(code, identity.commitment.toString(), token);
    const path = await testApp.graphql(
      `query ($communityId: ID!, $leafIndex: Int!) { censusMerkleProof(communityId: $communityId, kind: OWNERS, leafIndex: $leafIndex) {
        __typename ... on QueryCensusMerkleProofSuccess { data { root depth leaf leafIndex siblings pathIndices } } ... on Error { code message } } }`,
      { communityId: community.id, leafIndex: joined.data.leafIndex },
      token,
    );
    const merkleProof = path.data.censusMerkleProof.data;
    expect(merkleProof.root).toBe(joined.data.root);
    // A small census: the smallest declared depth, whose circuit the proof is made with.
    expect(merkleProof.depth).toBe(10);
    expect(merkleProof.siblings).toHaveLength(10);
    const artifacts = await loadMembershipArtifactsForDepth(merkleProof.depth);
    proof = await proveMembership(artifacts, {
      secret: identity.secret,
      merkleProof: {
        root: BigInt(merkleProof.root), leaf: BigInt(merkleProof.leaf), index: merkleProof.leafIndex,
        siblings: merkleProof.siblings.map(BigInt), pathIndices: merkleProof.pathIndices,
      },
      attribute: BigInt(joined.data.weight),
      scope: SCOPE,
      message: MESSAGE,
    });
  }, 60_000);

  it('fails with NO_ACTIVE_VERIFICATION_KEY while the community has no active key', async () => {
    const result = await check({});
    expect(result.data.checkMembershipProof).toMatchObject({ valid: false, code: 'NO_ACTIVE_VERIFICATION_KEY', nullifier: null });
    const active = await testApp.graphql(`query ($id: ID!) { activeVerificationKey(communityId: $id) { hash } }`, { id: community.id }, community.residentToken);
    expect(active.data.activeVerificationKey).toBeNull();
  });

  it('activates the committed development key of the census depth, labelled insecure, with its hash and depth on the ledger', async () => {
    const residentTry = await testApp.graphql(
      `mutation ($id: ID!) { activateVerificationKey(communityId: $id, instance: "membership-10") { __typename ... on Error { code } } }`,
      { id: community.id },
      community.managerToken,
    );
    expect(residentTry.data.activateVerificationKey.code).toBe('FORBIDDEN');
    const activated = await mutate(
      testApp,
      'activateVerificationKey',
      `mutation ($id: ID!) { activateVerificationKey(communityId: $id, instance: "membership-10") {
        __typename ... on MutationActivateVerificationKeySuccess { data { instance depth hash insecure warning ledgerSeq } } ... on Error { code message } } }`,
      { id: community.id },
      testApp.adminToken,
    );
    const artifacts = await loadMembershipArtifactsForDepth(10);
    expect(activated).toMatchObject({ instance: 'membership-10', depth: 10, hash: artifacts.hashes.verificationKey, insecure: true });
    expect(activated.warning).toMatch(/^INSECURE/);
    const [entry] = await ledgerEntries(['zk.key.activated']);
    expect(entry!.payload).toEqual({ instance: 'membership-10', depth: 10, hash: artifacts.hashes.verificationKey, insecure: true });
    const active = await testApp.graphql(`query ($id: ID!) { activeVerificationKey(communityId: $id) { hash insecure } }`, { id: community.id }, other.managerToken);
    expect(active.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('verifies a real proof against the active key and a recent root, returning the nullifier and consuming nothing', async () => {
    const rowsBefore = await countRows('ledger_entries');
    for (let attempt = 0; attempt < 2; attempt++) {
      const result = await check({ message: MESSAGE.toString() });
      expect(result.data.checkMembershipProof).toMatchObject({
        valid: true,
        code: null,
        nullifier: (await membershipNullifier(SCOPE, identity.secret)).toString(),
        attribute: '8950',
        scope: SCOPE.toString(),
      });
    }
    const pinned = await check({ root: proof.publicSignals[1] }, testApp.adminToken);
    expect(pinned.data.checkMembershipProof.valid).toBe(true);
    expect(await countRows('ledger_entries')).toBe(rowsBefore);
  });

  it('fails for an unknown pinned root, another scope, another message, and a tampered signal', async () => {
    expect((await check({ root: '12345' })).data.checkMembershipProof).toMatchObject({ valid: false, code: 'ROOT_UNKNOWN' });
    expect((await check({ scope: (SCOPE + 1n).toString() })).data.checkMembershipProof).toMatchObject({ valid: false, code: 'SCOPE_MISMATCH' });
    expect((await check({ message: '2' })).data.checkMembershipProof).toMatchObject({ valid: false, code: 'MESSAGE_MISMATCH' });
    const tampered = { ...proof, publicSignals: [...proof.publicSignals] };
    tampered.publicSignals[0] = (BigInt(tampered.publicSignals[0]!) + 1n).toString();
    expect((await check({ proof: JSON.stringify(tampered) })).data.checkMembershipProof).toMatchObject({ valid: false, code: 'INVALID_PROOF' });
    expect((await check({ proof: '{' })).data.checkMembershipProof).toMatchObject({ valid: false, code: 'PROOF_MALFORMED' });
  });

  it("fails in another community's census, whose roots it never had", async () => {
    await activateMembershipKey(testApp, other.id);
    const result = await testApp.graphql(
      CHECK,
      { communityId: other.id, census: 'OWNERS', proof: JSON.stringify(proof), scope: SCOPE.toString() },
      other.residentToken,
    );
    expect(result.data.checkMembershipProof).toMatchObject({ valid: false, code: 'ROOT_UNKNOWN' });
  });
});

// Last in the file: the old-form redemption adds a join to the community's log.
describe('invite codes and their community', () => {
  it('issues a code that names its community, and knows no code with another community in front of its secret', async () => {
    const code = await invite({ kind: 'HOUSEHOLDS', householdId: community.householdId });
    const [communityPart, secret] = code.split('.') as [string, string];
    expect(Buffer.from(communityPart, 'base64url').toString('hex')).toBe(localId(community.id).replaceAll('-', ''));
    expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/u);
    const otherPart = Buffer.from(localId(other.id).replaceAll('-', ''), 'hex').toString('base64url');
    for (const altered of [`${otherPart}.${secret}`, secret, `${communityPart}.${secret.slice(1)}A`]) {
      expect(await join(altered, (await createIdentity()).commitment.toString(), community.residentToken)).toMatchObject({ code: 'INVITE_UNKNOWN' });
    }
  });

  it('redeems, once, a code issued before codes named their community (the secret alone)', async () => {
    const household = await registerHousehold(testApp, community.managerToken, { communityId: community.id, unitLabel: '9栋 102', floorAreaCentiSquareMetres: 6000 });
    await addHouseholdMember(testApp, community.managerToken, { householdId: household.id, relation: 'OCCUPANT', name: '王芳', accountId: community.residentAccountId });
    const code = randomBytes(32).toString('base64url');
    // The row as the older createCensusInvite wrote it: the sha256 of the secret alone.
    await testApp.database.orm.em.getConnection().execute(
      `insert into census_invites (id, community_id, kind, code_hash, household_id, created_by_account_id, created_at, expires_at)
       values (?, ?, 'households', ?, ?, ?, now(), now() + interval '1 day')`,
      [randomUUID(), localId(community.id), createHash('sha256').update(code, 'utf8').digest(), localId(household.id), localId(community.managerAccountId)],
    );
    expect(await join(code, (await createIdentity()).commitment.toString(), community.residentToken)).toMatchObject({ __typename: 'MutationJoinCensusSuccess' });
    expect(await join(code, (await createIdentity()).commitment.toString(), community.residentToken)).toMatchObject({ code: 'INVITE_USED' });
  });
});
