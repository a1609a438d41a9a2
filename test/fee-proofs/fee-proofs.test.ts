/**
 * Fee-payment proofs and regulators end to end over HTTP, with real proofs of the
 * committed membership circuit: 50 households, 40 pay March in full, 5 partly, 5 not.
 * The paid set of March holds exactly the 40; a fully paid household's proof answers a
 * challenge; a used or expired challenge, a proof for another period, a proof against
 * another community's root, an altered public signal and a partly paid household's
 * attempt are each refused with a typed code, writing nothing. A refund takes the
 * household out as a new root; paying again puts it back. The regulator of jurisdiction
 * X reaches only X's community and never receives personal data (every response it got
 * is searched for the seeded names, phones, ID numbers and unit labels). The fee-period
 * bundle verifies offline with the server stopped, and fails, naming the place, once a
 * byte of a proof, an entry or a signature is altered; the proof inside verifies with
 * stock `snarkjs groth16 verify`.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { addCensusMember, censusMerkleProof } from '../../src/census/census-tree-service.ts';
import { loadMembershipArtifacts, type MembershipArtifacts } from '../../src/zk/artifacts-node.ts';
import { createIdentity, membershipLeaf, type Identity } from '../../src/zk/identity.ts';
import { PoseidonMerkleTree, type MerkleProof } from '../../src/zk/merkle-tree.ts';
import { paidSetPath } from '../../src/client/fee-proof.ts';
import { proveMembership, type MembershipProof } from '../../src/zk/prover.ts';
import type { FeePeriodBundle } from '../../src/fee-proofs/fee-period-bundle.ts';
import { verifyComplianceBundle } from '../../src/regulators/compliance-bundles.ts';
import { feeProofsModule } from '../../src/fee-proofs/module.ts';
import { cutCheckpoint } from '../../src/ledger/checkpoints.ts';
import { cosignCheckpoint } from '../../src/ledger/cosignature.ts';
import { toHex } from '../../src/ledger/merkle-hash.ts';
import { ed25519 } from '@noble/curves/ed25519.js';
import { createTestApp, mutate, type TestApp } from '../support/app.ts';
import { activateMembershipKey } from '../support/proof-community.ts';
import {
  addHouseholdMember,
  createAccount,
  createCommunityFixture,
  grantRole,
  registerHousehold,
  PASSWORD,
  type CommunityFixture,
} from '../support/fixtures.ts';
import { localId } from '../governance/support/governance-fixture.ts';

const HOUSEHOLDS = 50;
const PAID = 40;
const PARTLY = 5;
const MONTHLY_FEN = 10_000;
const MARCH = '2026-03';
const WITNESS_SEED = new Uint8Array(32).fill(7);
const REGISTER_WITNESS = `mutation ($communityId: ID!, $name: String!, $publicKey: Hex!) { registerWitnessKey(communityId: $communityId, name: $name, publicKey: $publicKey) {
  __typename ... on MutationRegisterWitnessKeySuccess { data { keyName } } ... on Error { code message } } }`;
const COSIGN = `mutation ($communityId: ID!, $treeSize: BigInt!, $keyName: String!, $timestampSeconds: BigInt!, $signature: Hex!) {
  cosignCheckpoint(communityId: $communityId, treeSize: $treeSize, keyName: $keyName, timestampSeconds: $timestampSeconds, signature: $signature) {
  __typename ... on MutationCosignCheckpointSuccess { data { treeSize } } ... on Error { code message } } }`;
const APRIL = '2026-04';

const SCHEDULE = `mutation ($communityId: ID!, $schedule: FeeScheduleInput!) { defineFeeSchedule(communityId: $communityId, schedule: $schedule) {
  __typename ... on MutationDefineFeeScheduleSuccess { data { scheduleId } } ... on Error { code message } } }`;
const ISSUE = `mutation ($communityId: ID!, $scheduleId: String!, $periodId: String!) { issueInvoices(communityId: $communityId, scheduleId: $scheduleId, periodId: $periodId) {
  __typename ... on MutationIssueInvoicesSuccess { data { issued } } ... on Error { code message } } }`;
const PAY = `mutation ($communityId: ID!, $householdId: ID!, $amount: Money!, $key: String!) {
  recordPayment(communityId: $communityId, householdId: $householdId, amount: $amount, idempotencyKey: $key) {
  __typename ... on MutationRecordPaymentSuccess { data { payment { id } } } ... on Error { code message } } }`;
const REFUND = `mutation ($communityId: ID!, $paymentId: String!, $amount: Money!) { refundPayment(communityId: $communityId, paymentId: $paymentId, amount: $amount) {
  __typename ... on MutationRefundPaymentSuccess { data { __typename } } ... on Error { code message } } }`;
const PAID_SET = `query ($communityId: ID!, $periodId: String!) { feePaidSet(communityId: $communityId, periodId: $periodId) {
  periodNumber tree depth size root headCount leaves(first: 60) { edges { node { leafIndex identityCommitment active } } } } }`;
const PAID_SET_ROOTS = `query ($communityId: ID!, $periodId: String!) { feePaidSet(communityId: $communityId, periodId: $periodId) {
  roots(first: 60) { edges { node { version root } } } } }`;
const CHALLENGE = `mutation ($communityId: ID!, $periodId: String!, $purpose: String!, $seconds: Int) {
  requestFeeProofChallenge(communityId: $communityId, periodId: $periodId, purpose: $purpose, validForSeconds: $seconds) {
  __typename ... on MutationRequestFeeProofChallengeSuccess { data { id periodNumber tree scope message fromRootVersion expiresAt used } } ... on Error { code message } } }`;
const SUBMIT = `mutation ($challengeId: ID!, $proof: String!) { submitFeeProof(challengeId: $challengeId, proof: $proof) {
  __typename ... on MutationSubmitFeeProofSuccess { data { rootVersion depth challenge { used periodId } } }
  ... on FeeProofRejected { code message } ... on Error { code message } } }`;
const OVERSIGHT = `query ($communityId: ID!, $periodId: String) { communityOversight(communityId: $communityId, periodId: $periodId) {
  community { id } collectionRate { invoiceCount paidInFullCount rateBasisPoints } arrearsAgeing { arrears householdsInArrears }
  funds { totalDebits totalCredits funds { __typename } } votes { passed } scoreCards { subject period ratings average } } }`;

interface Household {
  id: string;
  identity: Identity;
  name: string;
  phone: string;
  idNumber: string;
  unitLabel: string;
  paymentId?: string;
}
interface Challenge {
  id: string;
  periodNumber: number;
  tree: string;
  scope: string;
  message: string;
}

let testApp: TestApp;
let disposed = false;
let north: CommunityFixture;
let south: CommunityFixture;
let southIdentity: Identity;
let households: Household[];
let artifacts: MembershipArtifacts;
let now = new Date('2026-03-01T02:00:00Z');
let regulatorToken: string;
const regulatorResponses: string[] = [];

const em = () => testApp.database.orm.em.fork() as unknown as SqlEntityManager;
const count = async (table: string) => Number((await em().execute(`select count(*)::int as n from ${table}`))[0]!.n);

async function asRegulator(query: string, variables: Record<string, unknown>) {
  const result = await testApp.graphql(query, variables, regulatorToken);
  regulatorResponses.push(JSON.stringify(result));
  return result;
}

async function joinHouseholdsCensus(communityId: string, entries: Array<{ householdId: string; identity: Identity }>) {
  await em().transactional(async (tx) => {
    for (const entry of entries) {
      await addCensusMember(tx as unknown as SqlEntityManager, {
        communityId: localId(communityId),
        kind: 'households',
        identityCommitment: entry.identity.commitment,
        weight: 1,
        accountId: null,
        householdId: localId(entry.householdId),
        actor: 'system',
      });
    }
  });
}

async function openBooksWithSchedule(community: CommunityFixture): Promise<string> {
  await mutate(
    testApp,
    'openBooks',
    `mutation ($c: ID!) { openBooks(communityId: $c) { __typename ... on MutationOpenBooksSuccess { data { id } } ... on Error { code message } } }`,
    { c: community.id },
    community.managerToken,
  );
  const { scheduleId } = await mutate(
    testApp,
    'defineFeeSchedule',
    SCHEDULE,
    {
      communityId: community.id,
      schedule: {
        frequency: 'MONTH',
        effectiveFromPeriodId: MARCH,
        fixedPerMonth: String(MONTHLY_FEN),
        dueDay: 10,
        graceDays: 0,
      },
    },
    community.managerToken,
  );
  return scheduleId;
}

const issue = (community: CommunityFixture, scheduleId: string, periodId: string) =>
  mutate(testApp, 'issueInvoices', ISSUE, { communityId: community.id, scheduleId, periodId }, community.managerToken);

const pay = (community: CommunityFixture, householdId: string, amount: number, key: string) =>
  mutate(
    testApp,
    'recordPayment',
    PAY,
    { communityId: community.id, householdId, amount: String(amount), key },
    community.managerToken,
  );

async function paidSet(community: CommunityFixture, periodId: string, token = community.managerToken) {
  const result = await testApp.graphql(PAID_SET, { communityId: community.id, periodId }, token);
  if (!result.data?.feePaidSet) throw new Error(JSON.stringify(result));
  const set = result.data.feePaidSet;
  const roots = (await testApp.graphql(PAID_SET_ROOTS, { communityId: community.id, periodId }, token)).data.feePaidSet
    .roots;
  return {
    ...set,
    leaves: set.leaves.edges.map((edge: any) => edge.node),
    roots: roots.edges.map((edge: any) => edge.node),
  };
}

async function challenge(community: CommunityFixture, periodId: string, seconds?: number): Promise<Challenge> {
  return mutate(
    testApp,
    'requestFeeProofChallenge',
    CHALLENGE,
    { communityId: community.id, periodId, purpose: 'Parking permit renewal', seconds },
    community.managerToken,
  );
}

/** What the resident's device does: find its commitment among the set's leaves, take the path, prove. */
async function prove(
  community: CommunityFixture,
  identity: Identity,
  periodId: string,
  answering: Challenge,
  pathOf?: Identity,
): Promise<MembershipProof> {
  const set = await paidSet(community, periodId);
  let merkleProof: MerkleProof;
  if (pathOf) {
    // Someone else's path, as the server would give it for their leaf.
    const leaf = set.leaves.find((candidate: any) => candidate.identityCommitment === pathOf.commitment.toString());
    merkleProof = await censusMerkleProof(em(), localId(community.id), set.tree, leaf.leafIndex);
  } else {
    // The SDK rebuilds the set from every leaf, checks the published root, and takes its own path.
    merkleProof = await paidSetPath(identity, set);
  }
  return proveMembership(artifacts, {
    secret: identity.secret,
    merkleProof,
    attribute: BigInt(set.periodNumber),
    scope: BigInt(answering.scope),
    message: BigInt(answering.message),
  });
}

const submit = (answering: Challenge, proof: MembershipProof | string, token = north.managerToken) =>
  testApp.graphql(
    SUBMIT,
    { challengeId: answering.id, proof: typeof proof === 'string' ? proof : JSON.stringify(proof) },
    token,
  );

beforeAll(async () => {
  testApp = await createTestApp();
  testApp.app.services.money.jobsPaused = true;
  testApp.app.services.money.clock = { now: () => now };
  const jurisdiction = async (name: string) =>
    (
      await mutate(
        testApp,
        'createJurisdiction',
        `mutation ($n: String!) { createJurisdiction(name: $n) { __typename ... on MutationCreateJurisdictionSuccess { data { id } } ... on Error { code } } }`,
        { n: name },
        testApp.adminToken,
      )
    ).id as string;
  const x = await jurisdiction('Xicheng');
  const y = await jurisdiction('Yanqing');
  north = await createCommunityFixture(testApp, 'fee-north', x);
  south = await createCommunityFixture(testApp, 'fee-south', y);
  const regulator = await createAccount(testApp, 'fee-regulator');
  await grantRole(testApp, regulator.id, 'REGULATOR', { jurisdictionId: x });
  regulatorToken = await testApp.login('fee-regulator', PASSWORD);
  // 50 households in the north, each with a member whose personal data is unique.
  households = [
    {
      id: north.householdId,
      identity: await createIdentity(),
      name: north.residentName,
      phone: north.residentPhone,
      idNumber: north.residentIdNumber,
      unitLabel: north.unitLabel,
    },
  ];
  for (let index = 1; index < HOUSEHOLDS; index++) {
    const unitLabel = `北苑 ${index} 号楼 ${700 + index} 室`;
    const { id } = await registerHousehold(testApp, north.managerToken, {
      communityId: north.id,
      unitLabel,
      floorAreaCentiSquareMetres: 8000 + index,
    });
    const name = `住户李${index}号`;
    const phone = `+86 139 ${String(10_000_000 + index * 7919).slice(0, 4)} ${String(5000 + index)}`;
    const idNumber = `1101011990010${String(10_000 + index).slice(1)}X`;
    await addHouseholdMember(testApp, north.managerToken, {
      householdId: id,
      relation: 'OWNER',
      name,
      phone,
      idNumber,
    });
    households.push({ id, identity: await createIdentity(), name, phone, idNumber, unitLabel });
  }
  await joinHouseholdsCensus(
    north.id,
    households.map((household) => ({ householdId: household.id, identity: household.identity })),
  );
  southIdentity = await createIdentity();
  await joinHouseholdsCensus(south.id, [{ householdId: south.householdId, identity: southIdentity }]);
  for (const community of [north, south]) {
    await activateMembershipKey(testApp, community.id);
  }
  const northSchedule = await openBooksWithSchedule(north);
  await issue(north, northSchedule, MARCH);
  await issue(south, await openBooksWithSchedule(south), MARCH);
  now = new Date('2026-04-05T02:00:00Z');
  await issue(north, northSchedule, APRIL);
  // 40 pay March in full (the first also April), 5 pay part of it, 5 pay nothing.
  for (let start = 0; start < PAID + PARTLY; start += 8) {
    await Promise.all(
      households.slice(start, Math.min(start + 8, PAID + PARTLY)).map(async (household, offset) => {
        const index = start + offset;
        const amount = index === 0 ? 2 * MONTHLY_FEN : index < PAID ? MONTHLY_FEN : 4_000;
        household.paymentId = (await pay(north, household.id, amount, `fee-proof-${index}-a`)).payment.id;
      }),
    );
  }
  await pay(south, south.householdId, MONTHLY_FEN, 'fee-proof-south-a');
  // A checkpoint now, so the bundle's later one carries a consistency proof from it.
  await em().transactional((tx) =>
    cutCheckpoint(tx as unknown as SqlEntityManager, localId(north.id), testApp.app.services.ledger.sealer),
  );
  artifacts = await loadMembershipArtifacts('membership-10');
}, 300_000);
afterAll(async () => {
  if (!disposed) await testApp.dispose();
});

describe('paid sets', () => {
  it('holds exactly the households whose March invoices are settled, each leaf Poseidon(commitment, 202603), published on the ledger', async () => {
    const march = await paidSet(north, MARCH);
    expect(march).toMatchObject({
      periodNumber: 202_603,
      tree: 'fees-paid:2026-03',
      depth: 10,
      headCount: PAID,
      size: PAID,
    });
    const members = new Set(march.leaves.map((leaf: any) => leaf.identityCommitment));
    expect(members).toEqual(
      new Set(households.slice(0, PAID).map((household) => household.identity.commitment.toString())),
    );
    for (const unpaid of households.slice(PAID)) expect(members.has(unpaid.identity.commitment.toString())).toBe(false);
    expect((await paidSet(north, APRIL)).headCount).toBe(1);
    const [published] = await em().execute(
      `select count(*)::int as n from ledger_entries where community_id = ? and type = 'census.join' and payload->>'kind' = 'fees-paid:2026-03'`,
      [localId(north.id)],
    );
    expect(published!.n).toBe(PAID);
  });

  it('takes a refunded household out as a new root, keeps the old root in the history, and puts it back when it pays again', async () => {
    const before = await paidSet(north, MARCH);
    const household = households[1]!;
    await mutate(
      testApp,
      'refundPayment',
      REFUND,
      { communityId: north.id, paymentId: household.paymentId, amount: '1000' },
      north.managerToken,
    );
    const refunded = await paidSet(north, MARCH);
    expect(refunded.headCount).toBe(PAID - 1);
    expect(refunded.roots[0].version).toBe(before.roots[0].version + 1);
    expect(refunded.roots.map((root: any) => root.root)).toContain(before.root);
    await pay(north, household.id, 1000, 'fee-proof-1-b');
    const repaid = await paidSet(north, MARCH);
    expect(repaid.headCount).toBe(PAID);
    expect(repaid.root).toBe(before.root);
    expect(repaid.size).toBe(PAID);
  });

  it('replays the paid sets from the ledger equal to live and to the money rule, and names a leaf changed behind the ledger', async () => {
    const community = localId(north.id);
    const clean = await feeProofsModule.replay!(em(), community);
    expect(clean.differences).toEqual([]);
    expect(clean.entries).toBeGreaterThanOrEqual(PAID + 3);
    const [leaf] = await em().execute(
      `select leaf_index from census_leaves where community_id = ? and kind = 'fees-paid:2026-03' and household_id = ?`,
      [community, localId(households[9]!.id)],
    );
    const setStatus = (status: string) =>
      em().execute(
        `update census_leaves set status = ? where community_id = ? and kind = 'fees-paid:2026-03' and leaf_index = ?`,
        [status, community, leaf!.leaf_index],
      );
    await setStatus('removed');
    try {
      const tampered = await feeProofsModule.replay!(em(), community);
      expect(tampered.differences.map((difference) => difference.description)).toEqual([
        `fees-paid:2026-03 leaf ${leaf!.leaf_index}: live differs from replay`,
        `fees-paid:2026-03 household ${localId(households[9]!.id)}: settled but not in the paid set`,
      ]);
    } finally {
      await setStatus('active');
    }
  });
});

describe('challenge-bound fee proofs over HTTP', () => {
  let accepted: MembershipProof;
  let bundledProof: MembershipProof;

  it("accepts a fully paid household's proof, and stores nothing about the household", async () => {
    const asked = await challenge(north, MARCH);
    expect(asked).toMatchObject({ periodNumber: 202_603, tree: 'fees-paid:2026-03', used: false });
    accepted = await prove(north, households[3]!.identity, MARCH, asked);
    const result = await submit(asked, accepted);
    expect(result.data.submitFeeProof).toMatchObject({
      __typename: 'MutationSubmitFeeProofSuccess',
      data: { depth: 10, challenge: { used: true, periodId: MARCH } },
    });
    const [row] = await em().execute('select * from fee_proof_challenges where id = ?', [localId(asked.id)]);
    expect(Object.keys(row!).sort()).toEqual([
      'community_id',
      'created_at',
      'expires_at',
      'from_root_version',
      'id',
      'message',
      'period_id',
      'purpose',
      'requested_by_account_id',
      'scope',
      'used_at',
    ]);
    expect(JSON.stringify(row)).not.toContain(accepted.publicSignals[0]);
    // The same proof against its used challenge.
    expect((await submit(asked, accepted)).data.submitFeeProof).toMatchObject({
      __typename: 'FeeProofRejected',
      code: 'CHALLENGE_USED',
    });
  });

  it.each([
    [
      'a proof replayed against an expired challenge',
      async () => {
        const asked = await challenge(north, MARCH, 10);
        now = new Date(now.getTime() + 11_000);
        return submit(asked, accepted);
      },
      'CHALLENGE_EXPIRED',
    ],
    [
      'a proof for another period',
      async () => {
        const april = await challenge(north, APRIL);
        const forApril = await prove(north, households[0]!.identity, APRIL, april);
        return submit(await challenge(north, MARCH), forApril);
      },
      'WRONG_PERIOD',
    ],
    [
      "a proof against another community's paid set",
      async () => {
        const asked = await challenge(north, MARCH);
        const southern = await prove(south, southIdentity, MARCH, asked);
        return submit(asked, southern);
      },
      'ROOT_UNKNOWN',
    ],
    [
      'a proof with an altered public signal (its nullifier)',
      async () => {
        const asked = await challenge(north, MARCH);
        bundledProof = await prove(north, households[5]!.identity, MARCH, asked);
        const altered = {
          ...bundledProof,
          publicSignals: [
            (BigInt(bundledProof.publicSignals[0]!) + 1n).toString(),
            ...bundledProof.publicSignals.slice(1),
          ],
        };
        const refused = await submit(asked, altered);
        // Refusals write nothing: the unaltered proof still answers the challenge.
        expect((await submit(asked, bundledProof)).data.submitFeeProof.__typename).toBe(
          'MutationSubmitFeeProofSuccess',
        );
        return refused;
      },
      'INVALID_PROOF',
    ],
    [
      'a partly paid household, which has no leaf, proving against the paid set with itself added on its device',
      async () => {
        const asked = await challenge(north, MARCH);
        const partly = households[PAID]!.identity;
        const set = await paidSet(north, MARCH);
        expect(set.leaves.some((leaf: any) => leaf.identityCommitment === partly.commitment.toString())).toBe(false);
        // The SDK refuses to prove with someone else's path; a forged tree that includes the household gives a root nobody published.
        await expect(prove(north, partly, MARCH, asked, households[7]!.identity)).rejects.toThrow(/its leaf is not/u);
        await expect(paidSetPath(partly, set)).rejects.toThrow(/no active leaf/u);
        const leaves = await Promise.all(
          set.leaves.map((leaf: any) => membershipLeaf(BigInt(leaf.identityCommitment), 202_603n)),
        );
        const forged = await PoseidonMerkleTree.build(
          [...leaves, await membershipLeaf(partly.commitment, 202_603n)],
          set.depth,
        );
        const attempt = await proveMembership(artifacts, {
          secret: partly.secret,
          merkleProof: await forged.proof(leaves.length),
          attribute: 202_603n,
          scope: BigInt(asked.scope),
          message: BigInt(asked.message),
        });
        return submit(asked, attempt);
      },
      'ROOT_UNKNOWN',
    ],
  ])(
    'refuses %s with a typed code, writing nothing',
    async (_name, send, code) => {
      const counts = () => Promise.all(['ledger_pending', 'ledger_entries', 'census_nullifiers'].map(count));
      const before = await counts();
      const used = await em().execute('select count(*)::int as n from fee_proof_challenges where used_at is not null');
      const result = await send();
      expect(result.data.submitFeeProof).toMatchObject({ __typename: 'FeeProofRejected', code });
      expect(await counts()).toEqual(before);
      const usedAfter = await em().execute(
        'select count(*)::int as n from fee_proof_challenges where used_at is not null',
      );
      expect(usedAfter[0]!.n - used[0]!.n).toBe(code === 'INVALID_PROOF' ? 1 : 0);
    },
    120_000,
  );

  it('lets no one but the requester submit to a challenge, and no one outside the community ask for one', async () => {
    const asked = await challenge(north, MARCH);
    expect((await submit(asked, accepted, south.managerToken)).data.submitFeeProof).toMatchObject({
      code: 'NOT_FOUND',
    });
    const outsider = await testApp.graphql(
      CHALLENGE,
      { communityId: north.id, periodId: MARCH, purpose: 'x' },
      south.managerToken,
    );
    expect(outsider.data.requestFeeProofChallenge).toMatchObject({ code: 'FORBIDDEN' });
    const badPeriod = await testApp.graphql(
      CHALLENGE,
      { communityId: north.id, periodId: '2026-13', purpose: 'x' },
      north.managerToken,
    );
    expect(badPeriod.data.requestFeeProofChallenge).toMatchObject({ code: 'INVALID_INPUT' });
  });

  describe('regulators and compliance bundles', () => {
    let directory: string;
    let bundle: FeePeriodBundle;

    beforeAll(async () => {
      directory = await mkdtemp(join(tmpdir(), 'fee-period-bundle-'));
    });
    afterAll(() => rm(directory, { recursive: true, force: true }));

    it('lets the regulator of jurisdiction X reach only X, with aggregates and no personal data', async () => {
      const overseen = await asRegulator('{ overseenCommunities { id slug } }', {});
      expect(overseen.data.overseenCommunities).toEqual([{ id: north.id, slug: 'fee-north' }]);
      await mutate(
        testApp,
        'openRatingPeriod',
        `mutation ($c: ID!) { openRatingPeriod(communityId: $c, period: "2026-11") {
        __typename ... on MutationOpenRatingPeriodSuccess { data { period } } ... on Error { code message } } }`,
        { c: north.id },
        north.managerToken,
      );
      const oversight = await asRegulator(OVERSIGHT, { communityId: north.id, periodId: MARCH });
      expect(oversight.data.communityOversight).toMatchObject({
        collectionRate: { invoiceCount: HOUSEHOLDS, paidInFullCount: PAID },
        votes: [],
        scoreCards: expect.arrayContaining([
          { subject: 'cleaning', period: '2026-11', ratings: 0, average: null },
          { subject: 'overall', period: '2026-11', ratings: 0, average: null },
        ]),
      });
      const set = await asRegulator(PAID_SET, { communityId: north.id, periodId: MARCH });
      expect(set.data.feePaidSet.headCount).toBe(PAID);
      // Every way into the community outside X is refused.
      const outside = await asRegulator(OVERSIGHT, { communityId: south.id, periodId: MARCH });
      expect(outside.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      expect(
        (await asRegulator(PAID_SET, { communityId: south.id, periodId: MARCH })).errors?.[0]?.extensions?.code,
      ).toBe('FORBIDDEN');
      const southBundle = await asRegulator(
        `query ($c: ID!) { feePeriodBundle(communityId: $c, periodId: "2026-03") { __typename ... on Error { code } } }`,
        { c: south.id },
      );
      expect(southBundle.data.feePeriodBundle.code).toBe('NOT_FOUND');
      const southRange = await asRegulator(
        `query ($c: ID!) { ledgerRangeBundle(communityId: $c, from: 0) { __typename ... on Error { code } } }`,
        { c: south.id },
      );
      expect(southRange.data.ledgerRangeBundle.code).toBe('FORBIDDEN');
      const garbage = await asRegulator(
        `query ($c: ID!) { feePeriodBundle(communityId: $c, periodId: "2026-03", proofs: ["not a proof"]) { __typename ... on Error { code } } }`,
        { c: north.id },
      );
      expect(garbage.data.feePeriodBundle.code).toBe('INVALID_INPUT');
      expect(
        (await asRegulator(CHALLENGE, { communityId: south.id, periodId: MARCH, purpose: 'inspection' })).data
          .requestFeeProofChallenge.code,
      ).toBe('FORBIDDEN');
      // The regulator witnesses the community's log: its cosignature travels in the bundles.
      await mutate(
        testApp,
        'registerWitnessKey',
        REGISTER_WITNESS,
        {
          communityId: north.id,
          name: 'xicheng.example/witness',
          publicKey: toHex(ed25519.getPublicKey(WITNESS_SEED)),
        },
        regulatorToken,
      );
      const range = await asRegulator(
        `query ($c: ID!) { ledgerRangeBundle(communityId: $c, from: 10, to: 20) { __typename ... on QueryLedgerRangeBundleSuccess { data } ... on Error { code message } } }`,
        { c: north.id },
      );
      const latest = (
        await asRegulator('query ($c: ID!) { latestCheckpoint(communityId: $c) { treeSize body } }', { c: north.id })
      ).data.latestCheckpoint;
      const seconds = Math.floor(Date.now() / 1000);
      const cosignature = cosignCheckpoint(latest.body, 'xicheng.example/witness', WITNESS_SEED, seconds);
      await mutate(
        testApp,
        'cosignCheckpoint',
        COSIGN,
        {
          communityId: north.id,
          treeSize: latest.treeSize,
          keyName: cosignature.keyName,
          timestampSeconds: String(seconds),
          signature: toHex(cosignature.signature),
        },
        regulatorToken,
      );
      // Downloads in its jurisdiction.
      const exported = await asRegulator(
        `query ($c: ID!, $proofs: [String!]) { feePeriodBundle(communityId: $c, periodId: "2026-03", proofs: $proofs) {
        __typename ... on QueryFeePeriodBundleSuccess { data } ... on Error { code message } } }`,
        { c: north.id, proofs: [JSON.stringify(bundledProof)] },
      );
      bundle = JSON.parse(exported.data.feePeriodBundle.data);
      expect(bundle.totals).toMatchObject({
        households: HOUSEHOLDS,
        householdsPaidInFull: PAID,
        householdsPartlyPaid: PARTLY,
        householdsUnpaid: HOUSEHOLDS - PAID - PARTLY,
      });
      expect(bundle.ledger.witnessVerifierKeys).toHaveLength(1);
      await writeFile(join(directory, 'range.json'), range.data.ledgerRangeBundle.data);
      // No response the regulator got holds a seeded personal value.
      const everything = regulatorResponses.join('\n');
      expect(regulatorResponses.length).toBeGreaterThanOrEqual(9);
      for (const household of households) {
        for (const value of [household.name, household.phone, household.idNumber, household.unitLabel])
          expect(everything).not.toContain(value);
      }
      for (const value of [south.residentName, south.residentPhone, south.residentIdNumber, south.unitLabel])
        expect(everything).not.toContain(value);
    }, 120_000);

    it('verifies the bundles offline with the server stopped, and the proof inside with stock snarkjs groth16 verify', async () => {
      await testApp.dispose();
      disposed = true;
      const file = join(directory, 'fee-period.json');
      await writeFile(file, JSON.stringify(bundle));
      const verified = await run(process.execPath, ['scripts/compliance/verify.ts', file]);
      expect(verified).toMatchObject({ code: 0 });
      expect(verified.stdout).toContain('OK courtyard-fee-period-bundle/v1: period 2026-03:');
      expect(verified.stdout).toContain('1 of 1 proofs verify');
      const asJson = JSON.parse(
        (
          await run(process.execPath, [
            'scripts/compliance/verify.ts',
            file,
            '--json',
            '--log-key',
            bundle.ledger.logVerifierKey,
          ])
        ).stdout,
      );
      expect(asJson).toMatchObject({ valid: true, problems: [], logKeyTrustedFromBundle: false });
      const rangeVerified = await run(process.execPath, [
        'scripts/compliance/verify.ts',
        join(directory, 'range.json'),
      ]);
      expect(rangeVerified).toMatchObject({ code: 0 });
      expect(rangeVerified.stdout).toContain(
        'OK courtyard-ledger-range-bundle/v1: 10 entries included in the checkpoint of',
      );
      // The documented stock command.
      await writeFile(join(directory, 'vkey.json'), JSON.stringify(bundle.verificationKeys['10']));
      await writeFile(join(directory, 'public.json'), JSON.stringify(bundle.proofs[0]!.publicSignals));
      await writeFile(join(directory, 'proof.json'), JSON.stringify(bundle.proofs[0]!.proof));
      const stock = await run('node_modules/.bin/snarkjs', [
        'groth16',
        'verify',
        join(directory, 'vkey.json'),
        join(directory, 'public.json'),
        join(directory, 'proof.json'),
      ]);
      expect(stock.stdout).toContain('OK!');
    }, 120_000);

    it.each([
      [
        'a byte of the proof',
        (copy: FeePeriodBundle) =>
          void ((copy.proofs[0]!.proof as { pi_a: string[] }).pi_a[0] = alterDigit(
            (copy.proofs[0]!.proof as { pi_a: string[] }).pi_a[0]!,
          )),
        'proofs[0]',
      ],
      [
        'a byte of a ledger entry',
        (copy: FeePeriodBundle) =>
          void (copy.ledger.entries.find((entry) => entry.type === 'fees.payment-recorded')!.payload['amountFen'] =
            '10001'),
        'ledger',
      ],
      [
        'a byte of the checkpoint signature',
        (copy: FeePeriodBundle) => void (copy.ledger.checkpoint = alterSignature(copy.ledger.checkpoint)),
        'ledger',
      ],
      [
        "a byte of the regulator's cosignature",
        (copy: FeePeriodBundle) =>
          void (copy.ledger.checkpoint = alterSignature(copy.ledger.checkpoint, 'xicheng\\.example/witness')),
        'ledger',
      ],
    ])(
      'makes the verify command fail after %s is altered, and say where',
      async (_name, alter, place) => {
        const copy = structuredClone(bundle);
        alter(copy);
        const file = join(directory, `altered-${place}.json`);
        await writeFile(file, JSON.stringify(copy));
        const result = await run(process.execPath, ['scripts/compliance/verify.ts', file]);
        expect(result.code).toBe(1);
        expect(result.stdout).toMatch(/^FAILED courtyard-fee-period-bundle\/v1\n/u);
        expect(result.stdout).toContain(`\n${place}: `);
        if (_name.includes('cosignature'))
          expect(result.stdout).toContain('the cosignature of xicheng.example/witness is invalid');
      },
      120_000,
    );

    it.each([
      [
        'a byte of the earlier checkpoint',
        (copy: FeePeriodBundle) => void (copy.consistency!.checkpoint = alterSignature(copy.consistency!.checkpoint)),
        'consistency',
      ],
      [
        'a hash of the consistency proof',
        (copy: FeePeriodBundle) =>
          void (copy.consistency!.proof[0] = copy.consistency!.proof[0]!.replace(/^./u, (c) =>
            c === '0' ? '1' : '0',
          )),
        'consistency',
      ],
      [
        'a paid-set leaf',
        (copy: FeePeriodBundle) =>
          void (copy.paidSet.leaves[2]!.commitment = alterDigit(copy.paidSet.leaves[2]!.commitment)),
        'paidSet',
      ],
      ['a total', (copy: FeePeriodBundle) => void (copy.totals.householdsPaidInFull += 1), 'totals'],
    ])(
      'fails after %s is altered, naming the place',
      async (_name, alter, place) => {
        const copy = structuredClone(bundle);
        alter(copy);
        const result = await verifyComplianceBundle(copy);
        expect(result.valid).toBe(false);
        expect(result.problems.map((problem) => problem.place)).toContain(place);
      },
      60_000,
    );

    it("checks the bundle's log alone as a plain ledger bundle, and names an unknown format", async () => {
      const plain = await verifyComplianceBundle(bundle.ledger);
      expect(plain).toMatchObject({ format: 'courtyard-ledger-bundle/v1', valid: true, problems: [] });
      expect(plain.summary).toContain(`${bundle.ledger.entries.length} entries included`);
      expect(plain.summary).toContain('cosigned by 1');
      const unknown = await verifyComplianceBundle({ format: 'something-else/v1' });
      expect(unknown).toMatchObject({ valid: false, problems: [{ place: 'format' }] });
    });
  });
});

/** Changes the last digit of a decimal string (one byte). */
function alterDigit(text: string): string {
  const last = text.at(-1)!;
  return `${text.slice(0, -1)}${last === '1' ? '2' : '1'}`;
}

/** Flips one base64 character inside the first signature line (past the 4-byte key hash). */
function alterSignature(note: string, keyName = '\\S+'): string {
  return note.replace(
    new RegExp(`^(— ${keyName} )(\\S{20})(\\S)`, 'mu'),
    (_match, head: string, kept: string, flipped: string) => `${head}${kept}${flipped === 'A' ? 'B' : 'A'}`,
  );
}

function run(command: string, args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { timeout: 120_000 }, (error, stdout) =>
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout }),
    );
  });
}
