/**
 * Leak search: unique marker strings are seeded as every kind of personal data — names,
 * phone numbers, ID numbers, unit labels — and as personal free text (suggestions, named
 * and anonymous, and rating comments naming a neighbour), scenarios of the other domains
 * run through the HTTP API as each role — households and blind-index lookups, refused input carrying
 * personal data, fees (schedule, invoices, payment, notifications), an owners' vote with
 * named and paper ballots closed to its result, suggestions, ratings, ledger and oversight
 * reads — and, on real depth-10 proofs made from what the resident's device reads (six
 * in all), the anonymous channels: an anonymous public-weight ballot closed to its result
 * and election bundle, an encrypted-weight ballot (the committee, the regulator and the
 * manager generating the election key), an anonymous rating of a service, an activity
 * signed up for and reviewed anonymously and by name, an anonymous suggestion answered by a
 * manager, and a fee proof the regulator asks for, submits and checks in the period's bundle
 * offline. Then the markers are searched for:
 *
 * - in every log line the server wrote;
 * - in every row of every table of the database, the vault's included (it holds only
 *   ciphertext and blind indexes), as text;
 * - in every ledger payload (entries sequenced and pending);
 * - in every GraphQL response, except the one a manager gets from
 *   `householdPersonalData` with a purpose — which must hold them, or the search proves
 *   nothing.
 *
 * Personal free text is by design stored and shown where it was written (a suggestion's
 * body, a rating's comment), so its markers are searched in the logs and the ledger
 * only. Any hit fails the test and says where it was found.
 *
 * What the anonymous channels must not reveal is searched for too: the identity secrets of
 * the resident's device (owner and household) anywhere at all; their commitments anywhere
 * but as census leaves (a census's leaves, `census.*` entries, a pinned snapshot, a
 * bundle's census); for the encrypted-weight ballot, the owner's area in its responses,
 * its proposal's ledger entries and the logs; and, for the anonymous suggestion, the ids of
 * the household and its owner in its row, its entries, the responses showing it and the
 * log lines written while it was sent.
 */
import { activateMembershipKey } from '../support/proof-community.ts';
import { activateEncryptedBallotKey } from '../governance/support/governance-fixture.ts';
import { currentFeePeriod, currentRatingPeriod } from '../support/periods.ts';
import { randomBytes, randomInt } from 'node:crypto';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { participantTree } from '../../src/activities/activity-reviews.ts';
import { censusMerkleProof } from '../../src/census/census-tree-service.ts';
import { proveAnonymousRating } from '../../src/client/anonymous-rating.ts';
import { proveAnonymousSuggestion } from '../../src/client/anonymous-suggestion.ts';
import type { PinnedCensusTree, PublicCensusLeaf } from '../../src/client/census-snapshot-path.ts';
import { censusPathFor } from '../../src/client/census-snapshot-path.ts';
import { paidSetPath } from '../../src/client/fee-proof.ts';
import { proveInCensus } from '../../src/client/prove-in-census.ts';
import { ratingMessage, ratingScope } from '../../src/client/scope-hash.ts';
import { pointFromJson, randomScalar } from '../../src/governance/encrypted-weights/baby-jubjub.ts';
import {
  dealShares,
  startKeyGeneration,
  type ElectionKeyRecord,
  type TrusteeDealing,
} from '../../src/governance/encrypted-weights/election-key.ts';
import { choiceMessage } from '../../src/governance/proposal-scope.ts';
import { YES, YES_NO_ABSTAIN } from '../../src/governance/tally-rules.ts';
import { cutCheckpoint } from '../../src/ledger/checkpoints.ts';
import { verifyComplianceBundle } from '../../src/regulators/compliance-bundles.ts';
import { loadEncryptedBallotArtifactsForDepth, loadMembershipArtifacts } from '../../src/zk/artifacts-node.ts';
import { proveEncryptedBallot } from '../../src/zk/encrypted-ballot.ts';
import { createIdentity, type Identity } from '../../src/zk/identity.ts';
import { proveMembership } from '../../src/zk/prover.ts';
import { createTestApp, type GraphQLResponse, type TestApp } from '../support/app.ts';
import {
  addHouseholdMember,
  createAccount,
  createCommunityFixture,
  grantRole,
  PASSWORD,
  registerHousehold,
  type CommunityFixture,
} from '../support/fixtures.ts';
import { mutate } from '../support/app.ts';
import {
  ANONYMOUS,
  CLOSE,
  CREATE,
  localId,
  NAMED,
  OPEN,
  PAPER,
  PROPOSAL,
  PROPOSAL_FIELDS,
  passClose,
  seedOwners,
  window,
} from '../governance/support/governance-fixture.ts';

const tag = randomBytes(4).toString('hex').toUpperCase();
const digits = (count: number) => Array.from({ length: count }, () => randomInt(10)).join('');
const phoneDigits = `139${digits(8)}`;
const MARKERS = {
  ownerName: `Qiuyue Marker${tag}`,
  occupantName: `占位者${tag}`,
  phone: `+86 ${phoneDigits.slice(0, 3)} ${phoneDigits.slice(3, 7)} ${phoneDigits.slice(7)}`,
  idNumber: `3101151987${digits(7)}X`,
  unitLabel: `Marker楼${tag} 2单元 1203`,
};
/** Other spellings a value could leak in: the phone's digits alone, a name's distinctive part. */
const VARIANTS: Record<string, string[]> = {
  phone: [phoneDigits, `86${phoneDigits}`],
  ownerName: [`Marker${tag}`],
  unitLabel: [`Marker楼${tag}`],
};
const FREE_TEXT = {
  suggestionBody: `SuggestionNeighbour${tag}`,
  ratingComment: `CommentNeighbour${tag}`,
  anonymousRatingComment: `AnonymousNeighbour${tag}`,
  activityReview: `ReviewNeighbour${tag}`,
  anonymousActivityReview: `AnonymousReviewNeighbour${tag}`,
  anonymousSuggestionTitle: `AnonymousTitleNeighbour${tag}`,
  anonymousSuggestionBody: `AnonymousSuggestionNeighbour${tag}`,
};

interface Recorded {
  query: string;
  variables: Record<string, unknown> | undefined;
  token: string | null | undefined;
  response: GraphQLResponse;
}

let testApp: TestApp;
let community: CommunityFixture;
let residentToken: string;
let committeeToken: string;
let regulatorToken: string;
let outsiderToken: string;
let householdId: string;
let ownerAccountId: string;
let managerAccountId: string;
let committeeAccountId: string;
let regulatorAccountId: string;
/** The owner's identity in the owners census, and the household's in the households census: on the resident's device only. */
let ownerIdentity: Identity;
let householdIdentity: Identity;
/** What the anonymous scenarios made, for the checks of what a ballot must not reveal. */
let encryptedProposalId: string;
let ownerArea: string;
let anonymousSuggestionId: string;
/** The log lines the server wrote while it took the anonymous suggestion. */
let anonymousSuggestionLogs: string[] = [];
const responses: Recorded[] = [];
const RESULT = '__typename ... on Error { code message }';

beforeAll(async () => {
  testApp = await createTestApp();
  const graphql = testApp.graphql;
  testApp.graphql = async (query, variables, token) => {
    const response = await graphql(query, variables, token);
    responses.push({ query, variables, token, response });
    return response;
  };
  const jurisdiction = await mutate(
    testApp,
    'createJurisdiction',
    `mutation { createJurisdiction(name: "Leak district") { __typename ... on MutationCreateJurisdictionSuccess { data { id } } ... on Error { code } } }`,
    {},
    testApp.adminToken,
  );
  community = await createCommunityFixture(testApp, 'leak', jurisdiction.id);
  await createCommunityFixture(testApp, 'leak-other');
  outsiderToken = await testApp.login('leak-other-resident', PASSWORD);
  const regulator = await createAccount(testApp, 'leak-regulator');
  await grantRole(testApp, regulator.id, 'REGULATOR', { jurisdictionId: jurisdiction.id });
  regulatorToken = await testApp.login('leak-regulator', PASSWORD);
  regulatorAccountId = regulator.id;
  managerAccountId = community.managerAccountId;
  const committee = await createAccount(testApp, 'leak-committee');
  await grantRole(testApp, committee.id, 'COMMITTEE', { communityId: community.id });
  committeeToken = await testApp.login('leak-committee', PASSWORD);
  committeeAccountId = committee.id;

  // The vault: a unit and its owner (an account, so a resident) and occupant, every field a marker.
  const owner = await createAccount(testApp, 'leak-owner');
  householdId = (
    await registerHousehold(testApp, community.managerToken, {
      communityId: community.id,
      unitLabel: MARKERS.unitLabel,
      floorAreaCentiSquareMetres: 10_250,
    })
  ).id;
  await addHouseholdMember(testApp, community.managerToken, {
    householdId,
    relation: 'OWNER',
    name: MARKERS.ownerName,
    phone: MARKERS.phone,
    idNumber: MARKERS.idNumber,
    accountId: owner.id,
  });
  await addHouseholdMember(testApp, community.managerToken, {
    householdId,
    relation: 'OCCUPANT',
    name: MARKERS.occupantName,
  });
  residentToken = await testApp.login('leak-owner', PASSWORD);
  ownerAccountId = owner.id;

  // The resident's device joins the owners census (as the owner) and the households census
  // (for the household), before any payment, so the household enters the month's paid set.
  await activateMembershipKey(testApp, community.id);
  // The encrypted-weight ballot below verifies against the community's activated key of its depth.
  await activateEncryptedBallotKey(testApp, community.id, 10);
  [ownerIdentity, householdIdentity] = await Promise.all([createIdentity(), createIdentity()]);
  await joinCensus('OWNERS', { accountId: ownerAccountId }, ownerIdentity);
  await joinCensus('HOUSEHOLDS', { householdId }, householdIdentity);
  for (const [kind, identity] of Object.entries({ ownerSecret: ownerIdentity, householdSecret: householdIdentity })) {
    SECRETS[kind] = identity.secret.toString();
    VARIANTS[kind] = [identity.secret.toString(16).padStart(64, '0')];
  }
}, 120_000);
afterAll(() => testApp.dispose());

const SECRETS: Record<string, string> = {};

const as = (token: string, query: string, variables: Record<string, unknown> = {}) =>
  testApp.graphql(query, variables, token);

/** A mutation's data; fails on any error. `null` is the anonymous caller (no session). */
async function call<T = any>(
  field: string,
  document: string,
  variables: Record<string, unknown>,
  token: string | null,
): Promise<T> {
  const result = await testApp.graphql(document, variables, token);
  const payload = result.data?.[field];
  if (!payload || 'code' in payload || result.errors) throw new Error(`${field} failed: ${JSON.stringify(result)}`);
  return payload.data as T;
}

async function joinCensus(
  kind: 'OWNERS' | 'HOUSEHOLDS',
  target: { accountId?: string; householdId?: string },
  identity: Identity,
) {
  const invite = await call(
    'createCensusInvite',
    `mutation ($c: ID!, $k: CensusKind!, $a: ID, $h: ID) { createCensusInvite(communityId: $c, kind: $k, accountId: $a, householdId: $h) {
    __typename ... on MutationCreateCensusInviteSuccess { data { code } } ${RESULT} } }`,
    { c: community.id, k: kind, a: target.accountId ?? null, h: target.householdId ?? null },
    community.managerToken,
  );
  await call(
    'joinCensus',
    `mutation ($code: String!, $i: String!) { joinCensus(inviteCode: $code, identityCommitment: $i) {
    __typename ... on MutationJoinCensusSuccess { data { leafIndex } } ${RESULT} } }`,
    { code: invite.code, i: identity.commitment.toString() },
    residentToken,
  );
}

/** What the resident's device reads to prove: every leaf of a census, and its current tree. */
async function readCensus(
  kind: 'OWNERS' | 'HOUSEHOLDS',
): Promise<{ leaves: PublicCensusLeaf[]; current: PinnedCensusTree }> {
  const result = await as(
    residentToken,
    `query ($c: ID!, $k: CensusKind!) { census(communityId: $c, kind: $k) { root depth size
    leaves(first: 100) { edges { node { leafIndex identityCommitment weight active } } } } }`,
    { c: community.id, k: kind },
  );
  const { root, depth, size, leaves } = result.data.census;
  return { leaves: leaves.edges.map((edge: { node: PublicCensusLeaf }) => edge.node), current: { root, depth, size } };
}

async function runScenarios(): Promise<void> {
  const c = community.id;
  // Managers look households up by blind index and read with a purpose (the one exempt response).
  await as(
    community.managerToken,
    `query ($c: ID!, $u: String) { findHousehold(communityId: $c, unitLabel: $u) { __typename ... on QueryFindHouseholdSuccess { data { id floorAreaCentiSquareMetres } } } }`,
    { c, u: MARKERS.unitLabel },
  );
  await as(
    community.managerToken,
    `query ($c: ID!, $p: String) { findHousehold(communityId: $c, phone: $p) { __typename ... on QueryFindHouseholdSuccess { data { id } } } }`,
    { c, p: MARKERS.phone },
  );
  const read = await as(
    community.managerToken,
    `query ($h: ID!) { householdPersonalData(householdId: $h, purpose: BILLING) {
    __typename ... on QueryHouseholdPersonalDataSuccess { data { unitLabel members { relation name phone idNumber } } } } }`,
    { h: householdId },
  );
  expect(JSON.stringify(read)).toContain(MARKERS.idNumber);

  // Bad input that carries personal data: refused, and the refusal must not quote it.
  await as(
    community.managerToken,
    `mutation ($h: ID!, $n: String!) { addHouseholdMember(householdId: $h, relation: OCCUPANT, name: $n) { __typename ... on Error { code message } } }`,
    { h: householdId, n: `${MARKERS.ownerName}\u202e` },
  );
  await as(
    community.managerToken,
    `mutation ($h: ID!, $p: String) { addHouseholdMember(householdId: $h, relation: OCCUPANT, name: "x", phone: $p) { __typename ... on Error { code message } } }`,
    { h: householdId, p: MARKERS.idNumber },
  );
  await as(
    community.managerToken,
    `mutation ($c: ID!, $u: String!) { registerHousehold(communityId: $c, unitLabel: $u, floorAreaCentiSquareMetres: 100) { __typename ... on Error { code message } } }`,
    { c, u: MARKERS.unitLabel },
  );
  await as(
    community.managerToken,
    `query ($c: ID!, $p: String) { findHousehold(communityId: $c, phone: $p) { __typename } }`,
    { c, p: 13900000000 },
  );
  await testApp.graphql(
    `mutation ($l: String!) { login(login: $l, password: "not the password at all") { __typename ... on Error { code message } } }`,
    { l: MARKERS.ownerName },
  );
  await as(
    outsiderToken,
    `query ($h: ID!) { householdPersonalData(householdId: $h, purpose: BILLING) { __typename ... on Error { code message } } }`,
    { h: householdId },
  );

  // Every other role reads what it may: households, who read their data, the ledger, oversight.
  const households = `query ($c: ID!) { households(communityId: $c) { edges { node { id floorAreaCentiSquareMetres erased createdAt
    personalDataAccesses { edges { node { accessorAccountId purpose accessedAt } } } } } } }`;
  const ledger = `query ($c: ID!) { ledgerEntries(communityId: $c, first: 100) { edges { node { seq type actor payload } } } }`;
  for (const token of [
    residentToken,
    committeeToken,
    regulatorToken,
    community.managerToken,
    testApp.adminToken,
    outsiderToken,
  ]) {
    await as(token, households, { c });
    await as(token, ledger, { c });
  }
  await as(
    regulatorToken,
    `query ($c: ID!) { communityOversight(communityId: $c) { community { id name } votes { __typename } scoreCards { __typename } } }`,
    { c },
  );
  await as(residentToken, `query { viewer { id login } }`);

  const thisMonth = currentFeePeriod();
  // Fees: a schedule, invoices for every household, a payment; the household's invoices and notifications read by its resident.
  const schedule = await mutate(
    testApp,
    'defineFeeSchedule',
    `mutation ($c: ID!, $schedule: FeeScheduleInput!) { defineFeeSchedule(communityId: $c, schedule: $schedule) {
    __typename ... on MutationDefineFeeScheduleSuccess { data { scheduleId } } ... on Error { code message } } }`,
    {
      c,
      schedule: {
        frequency: 'MONTH',
        effectiveFromPeriodId: thisMonth,
        ratePerSquareMetreMonth: '150',
        dueDay: 10,
        graceDays: 0,
        lateFee: { kind: 'FIXED', amount: '500', cap: '500' },
      },
    },
    community.managerToken,
  );
  await mutate(
    testApp,
    'issueInvoices',
    `mutation ($c: ID!, $s: String!, $p: String!) { issueInvoices(communityId: $c, scheduleId: $s, periodId: $p) {
    __typename ... on MutationIssueInvoicesSuccess { data { issued } } ... on Error { code message } } }`,
    { c, s: schedule.scheduleId, p: thisMonth },
    community.managerToken,
  );
  await mutate(
    testApp,
    'recordPayment',
    `mutation ($c: ID!, $h: ID!) { recordPayment(communityId: $c, householdId: $h, amount: "20000", idempotencyKey: "leak-search-payment-1") {
    __typename ... on MutationRecordPaymentSuccess { data { payment { id amount } } } ... on Error { code message } } }`,
    { c, h: householdId },
    community.managerToken,
  );
  for (const token of [residentToken, community.managerToken, regulatorToken]) {
    await as(
      token,
      `query ($c: ID!, $h: ID!) { householdInvoices(communityId: $c, householdId: $h) { edges { node { id periodId principal paid open dueDate household } } } }`,
      { c, h: householdId },
    );
    await as(
      token,
      `query ($c: ID!, $h: ID!) { householdNotifications(communityId: $c, householdId: $h) { edges { node { __typename } } } }`,
      { c, h: householdId },
    );
  }

  // Governance: an owners' vote with named ballots (the census seeded directly, as the governance tests do), closed, its result read by every role.
  // Areas other than the marker owner's, so that area is one owner's alone.
  const owners = await seedOwners(testApp, c, [9_100, 8_950]);
  const created = await mutate(
    testApp,
    'createProposal',
    CREATE,
    { communityId: c, title: '更换物业', body: '是否续聘。', matter: 4, census: 'OWNERS', mode: 'NAMED', ...window() },
    committeeToken,
  );
  await mutate(testApp, 'openProposal', OPEN, { id: created.id }, committeeToken);
  await as(residentToken, NAMED, { id: created.id, choice: 'yes' });
  for (const owner of owners) {
    await mutate(
      testApp,
      'enterPaperBallot',
      PAPER,
      { id: created.id, leafIndex: owner.leafIndex, choice: 'no' },
      committeeToken,
    );
  }
  await passClose(testApp, created.id);
  await mutate(testApp, 'closeProposal', CLOSE, { id: created.id }, committeeToken);
  for (const token of [residentToken, committeeToken, regulatorToken, outsiderToken])
    await as(token, PROPOSAL, { id: created.id });

  // Governance and ratings: personal free text written by a resident.
  await mutate(
    testApp,
    'submitSuggestion',
    `mutation ($c: ID!, $t: String!, $b: String!) { submitSuggestion(communityId: $c, title: $t, body: $b) {
    __typename ... on MutationSubmitSuggestionSuccess { data { id } } ... on Error { code message } } }`,
    { c, t: '楼道噪音', b: `${FREE_TEXT.suggestionBody} 晚上很吵` },
    residentToken,
  );
  await as(committeeToken, `query ($c: ID!) { suggestions(communityId: $c) { edges { node { id } } } }`, { c });
  const period = currentRatingPeriod();
  await mutate(
    testApp,
    'openRatingPeriod',
    `mutation ($c: ID!, $p: String!) { openRatingPeriod(communityId: $c, period: $p) {
    __typename ... on MutationOpenRatingPeriodSuccess { data { period } } ... on Error { code message } } }`,
    { c, p: period },
    community.managerToken,
  );
  const subject = await mutate(
    testApp,
    'addRatingSubject',
    `mutation ($c: ID!) { addRatingSubject(communityId: $c, key: "night-guard", label: "夜班保安") {
    __typename ... on MutationAddRatingSubjectSuccess { data { id } } ... on Error { code message } } }`,
    { c },
    community.managerToken,
  );
  await mutate(
    testApp,
    'submitRating',
    `mutation ($s: ID!, $p: String!, $comment: String) { submitRating(subjectId: $s, period: $p, score: 2, comment: $comment) {
    __typename ... on MutationSubmitRatingSuccess { data { ratingId } } ... on Error { code message } } }`,
    { s: subject.id, p: period, comment: `${FREE_TEXT.ratingComment} 夜班睡觉` },
    residentToken,
  );
}

const HOUR_MS = 3_600_000;
const ELECTION = `query ($id: ID!) { proposal(id: $id) { ... on QueryProposalSuccess { data { ${PROPOSAL_FIELDS}
  election { threshold trusteeCount keyGenerationMessages electionKey sums } } } ${RESULT} } }`;
const RECEIPT = `query ($id: ID!, $nullifier: String) { checkBallotReceipt(proposalId: $id, nullifier: $nullifier) {
  ... on QueryCheckBallotReceiptSuccess { data { included counted ledgerSeq } } ${RESULT} } }`;
const ANONYMOUS_RATING = `mutation ($s: ID!, $p: String!, $score: Int!, $comment: String, $proof: String!) {
  submitAnonymousRating(subjectId: $s, period: $p, score: $score, comment: $comment, proof: $proof) {
  __typename ... on MutationSubmitAnonymousRatingSuccess { data { ratingId channel replaced } } ${RESULT} } }`;
const NAMED_RATING = `mutation ($s: ID!, $p: String!, $score: Int!, $comment: String) { submitRating(subjectId: $s, period: $p, score: $score, comment: $comment) {
  __typename ... on MutationSubmitRatingSuccess { data { ratingId channel } } ${RESULT} } }`;

/** Ballots without login: a public-weight anonymous one, and an encrypted-weight one; each read back by every role. */
async function runBallots(membership: Awaited<ReturnType<typeof loadMembershipArtifacts>>): Promise<void> {
  const c = community.id;
  const readers = [residentToken, committeeToken, regulatorToken, outsiderToken, community.managerToken];
  const created = await call(
    'createProposal',
    CREATE,
    {
      communityId: c,
      title: '加装电梯',
      body: '是否加装。',
      matter: 4,
      census: 'OWNERS',
      mode: 'ANONYMOUS',
      ...window(),
    },
    committeeToken,
  );
  const opened = await call('openProposal', OPEN, { id: created.id }, committeeToken);
  const owners = await readCensus('OWNERS');
  ownerArea = owners.leaves.find((leaf) => leaf.identityCommitment === ownerIdentity.commitment.toString())!.weight;
  const ballot = await proveInCensus(membership, {
    identity: ownerIdentity,
    leaves: owners.leaves,
    pinned: opened.snapshot,
    scope: BigInt(opened.scope),
    message: BigInt(opened.options.find((option: { id: string }) => option.id === YES).message),
  });
  await call('castAnonymousBallot', ANONYMOUS, { id: opened.id, choice: YES, proof: ballot.json }, null);
  await testApp.graphql(RECEIPT, { id: opened.id, nullifier: ballot.nullifier }, null);
  for (const token of readers) await as(token, PROPOSAL, { id: opened.id });
  await passClose(testApp, opened.id);
  await call('closeProposal', CLOSE, { id: opened.id }, committeeToken);
  for (const token of [residentToken, regulatorToken]) await as(token, PROPOSAL, { id: opened.id });
  const bundle = await as(
    committeeToken,
    `query ($id: ID!) { electionBundle(proposalId: $id) { ... on QueryElectionBundleSuccess { data } ${RESULT} } }`,
    { id: opened.id },
  );
  expect(bundle.data.electionBundle.data).toContain(ballot.nullifier);

  // Encrypted weights: the committee, the regulator and the manager are the trustees; key generation on their devices (this process).
  const trustees = [
    { id: committeeAccountId, token: committeeToken },
    { id: regulatorAccountId, token: regulatorToken },
    { id: managerAccountId, token: community.managerToken },
  ];
  const encrypted = await call(
    'createProposal',
    `mutation ($c: ID!, $trustees: [ID!], $opensAt: DateTime!, $closesAt: DateTime!) {
    createProposal(communityId: $c, title: "外墙翻新", body: "第七项。", matter: 7, census: OWNERS, mode: ENCRYPTED,
      opensAt: $opensAt, closesAt: $closesAt, trustees: $trustees, threshold: 2) {
    __typename ... on MutationCreateProposalSuccess { data { id } } ${RESULT} } }`,
    { c, trustees: trustees.map((trustee) => trustee.id), ...window() },
    committeeToken,
  );
  encryptedProposalId = encrypted.id;
  const parameters = { electionId: localId(encrypted.id), threshold: 2, trusteeCount: 3 };
  const publish = (
    field: string,
    argument: string,
  ) => `mutation ($id: ID!, $value: String!) { ${field}(proposalId: $id, ${argument}: $value) {
    __typename ... on Mutation${field[0]!.toUpperCase()}${field.slice(1)}Success { data { trustee } } ${RESULT} } }`;
  const dealings: TrusteeDealing[] = [];
  for (const [index, trustee] of trustees.entries()) {
    const { dealing, message } = startKeyGeneration(parameters, index + 1);
    dealings.push(dealing);
    await call(
      'publishKeyCommitments',
      publish('publishKeyCommitments', 'message'),
      { id: encrypted.id, value: JSON.stringify(message) },
      trustee.token,
    );
  }
  const { round1 } = JSON.parse(
    (await as(committeeToken, ELECTION, { id: encrypted.id })).data.proposal.data.election.keyGenerationMessages,
  );
  for (const [index, trustee] of trustees.entries())
    await call(
      'publishKeyShares',
      publish('publishKeyShares', 'messages'),
      { id: encrypted.id, value: JSON.stringify(dealShares(dealings[index]!, round1)) },
      trustee.token,
    );
  const openedEncrypted = await call('openProposal', OPEN, { id: encrypted.id }, committeeToken);
  const record = JSON.parse(
    (await as(residentToken, ELECTION, { id: encrypted.id })).data.proposal.data.election.electionKey,
  ) as ElectionKeyRecord;
  const { merkleProof } = await censusPathFor(
    ownerIdentity,
    (await readCensus('OWNERS')).leaves,
    openedEncrypted.snapshot,
  );
  const encryptedBallot = await proveEncryptedBallot(await loadEncryptedBallotArtifactsForDepth(10), {
    secret: ownerIdentity.secret,
    merkleProof,
    area: BigInt(ownerArea),
    scope: BigInt(openedEncrypted.scope),
    message: choiceMessage(YES_NO_ABSTAIN, YES),
    electionKey: pointFromJson('publicKey', record.publicKey).toAffine(),
    randomness: randomScalar(),
  });
  await call(
    'castEncryptedBallot',
    `mutation ($id: ID!, $choice: String!, $proof: String!) { castEncryptedBallot(proposalId: $id, choice: $choice, proof: $proof) {
    __typename ... on MutationCastEncryptedBallotSuccess { data { nullifier choice replaced } } ${RESULT} } }`,
    { id: encrypted.id, choice: YES, proof: JSON.stringify(encryptedBallot) },
    null,
  );
  await testApp.graphql(RECEIPT, { id: encrypted.id, nullifier: encryptedBallot.publicSignals[0] }, null);
  for (const token of readers) await as(token, ELECTION, { id: encrypted.id });
  await as(
    committeeToken,
    `query ($id: ID!) { electionBundle(proposalId: $id) { ... on QueryElectionBundleSuccess { data } ${RESULT} } }`,
    { id: encrypted.id },
  );
}

/** Ratings of a service (anonymous, by the household) and of an activity the household signed up for (anonymous and named). */
async function runRatingsAndActivities(
  membership: Awaited<ReturnType<typeof loadMembershipArtifacts>>,
  period: string,
): Promise<void> {
  const c = community.id;
  const subject = await call(
    'addRatingSubject',
    `mutation ($c: ID!) { addRatingSubject(communityId: $c, key: "lift-maintenance", label: "电梯维保") {
    __typename ... on MutationAddRatingSubjectSuccess { data { id } } ${RESULT} } }`,
    { c },
    community.managerToken,
  );
  const subjects = (
    await as(
      residentToken,
      `query ($c: ID!, $p: String!) { ratingSubjects(communityId: $c) { id scope(period: $p) } }`,
      { c, p: period },
    )
  ).data.ratingSubjects;
  const households = await readCensus('HOUSEHOLDS');
  const rating = {
    subject: subjects.find((candidate: { id: string }) => candidate.id === subject.id),
    period,
    score: 3,
    comment: `${FREE_TEXT.anonymousRatingComment} 楼道没扫`,
  };
  const proof = await proveAnonymousRating(membership, {
    identity: householdIdentity,
    rating,
    leaves: households.leaves,
    pinned: households.current,
  });
  await call(
    'submitAnonymousRating',
    ANONYMOUS_RATING,
    { s: subject.id, p: period, score: 3, comment: rating.comment, proof: proof.json },
    null,
  );

  // An activity proposed three days ago (the activities' clock), signed up for, ended an hour ago.
  const money = testApp.app.services.money;
  const realClock = money.clock;
  const real = Date.now();
  money.clock = { now: () => new Date(real - 72 * HOUR_MS) };
  let activityId: string;
  try {
    await testApp.graphql(
      `mutation ($c: ID!) { openBooks(communityId: $c) { ${RESULT} } }`,
      { c },
      community.managerToken,
    );
    await call(
      'setActivitySettings',
      `mutation ($c: ID!) { setActivitySettings(communityId: $c, approvalRequired: false) { ${RESULT} ... on MutationSetActivitySettingsSuccess { data } } }`,
      { c },
      community.managerToken,
    );
    const iso = (ms: number) => new Date(ms).toISOString();
    activityId = (
      await call(
        'proposeActivity',
        `mutation ($c: ID!, $activity: ActivityInput!) { proposeActivity(communityId: $c, activity: $activity) {
      ${RESULT} ... on MutationProposeActivitySuccess { data { id } } } }`,
        {
          c,
          activity: {
            title: '中秋游园会',
            description: '猜灯谜。',
            place: '中心花园',
            startsAt: iso(real - 2 * HOUR_MS),
            endsAt: iso(real - HOUR_MS),
            signupsCloseAt: iso(real - 48 * HOUR_MS),
            capacity: 10,
            fee: '0',
            budget: '0',
            fullRefundUntil: iso(real - 49 * HOUR_MS),
            lateRefundBasisPoints: 0,
            kind: 'lantern-festival',
          },
        },
        community.managerToken,
      )
    ).id;
    await call(
      'signUpForActivity',
      `mutation ($a: ID!, $h: ID!) { signUpForActivity(activityId: $a, householdId: $h, idempotencyKey: "leak-search-signup") {
      ${RESULT} ... on MutationSignUpForActivitySuccess { data { signupId } } } }`,
      { a: activityId, h: householdId },
      residentToken,
    );
    await call(
      'closeActivitySignups',
      `mutation ($a: ID!) { closeActivitySignups(activityId: $a) { ${RESULT} ... on MutationCloseActivitySignupsSuccess { data { id } } } }`,
      { a: activityId },
      community.managerToken,
    );
  } finally {
    money.clock = realClock;
  }
  const activity = `query ($a: ID!) { activity(activityId: $a) { id title organiserId participants ratingSubjectId
    reviews { period aggregate { count sum } comments { score comment channel } } } }`;
  const reviewSubject: string = (await as(residentToken, activity, { a: activityId })).data.activity.ratingSubjectId;
  const reviewPeriod = new Date(real - HOUR_MS).toISOString().slice(0, 7);
  // In a UTC month's first hour the activity ended last month: its review period is that one.
  if (reviewPeriod !== currentRatingPeriod())
    await call(
      'openRatingPeriod',
      `mutation ($c: ID!, $p: String!) { openRatingPeriod(communityId: $c, period: $p) {
      ${RESULT} ... on MutationOpenRatingPeriodSuccess { data { period } } } }`,
      { c, p: reviewPeriod },
      community.managerToken,
    );
  const comment = `${FREE_TEXT.anonymousActivityReview} 灯笼很漂亮`;
  const review = await proveMembership(membership, {
    secret: householdIdentity.secret,
    // The household is the participant tree's only leaf.
    merkleProof: await censusMerkleProof(
      testApp.database.orm.em.fork() as unknown as SqlEntityManager,
      localId(c),
      participantTree(activityId) as never,
      0,
    ),
    attribute: 1n,
    scope: ratingScope(reviewSubject, reviewPeriod),
    message: ratingMessage(4, comment),
  });
  await call(
    'submitAnonymousRating',
    ANONYMOUS_RATING,
    { s: reviewSubject, p: reviewPeriod, score: 4, comment, proof: JSON.stringify(review) },
    null,
  );
  await call(
    'submitRating',
    NAMED_RATING,
    { s: reviewSubject, p: reviewPeriod, score: 5, comment: `${FREE_TEXT.activityReview} 明年还来` },
    residentToken,
  );
  for (const token of [residentToken, committeeToken, regulatorToken, outsiderToken, community.managerToken]) {
    await as(token, activity, { a: activityId });
    await as(
      token,
      `query ($a: ID!) { activitySignups(activityId: $a) { edges { node { id household status position fee refund } } } }`,
      { a: activityId },
    );
    await as(
      token,
      `query ($c: ID!, $p: String!) { ratingSubjects(communityId: $c) { id key label scope(period: $p) } }`,
      { c, p: period },
    );
  }
}

/** A fee proof: the regulator asks, the resident's device proves from the public paid set, the regulator submits and takes the period's bundle. */
async function runFeeProof(
  membership: Awaited<ReturnType<typeof loadMembershipArtifacts>>,
  period: string,
): Promise<void> {
  const c = community.id;
  const challenge = await call(
    'requestFeeProofChallenge',
    `mutation ($c: ID!, $p: String!) {
    requestFeeProofChallenge(communityId: $c, periodId: $p, purpose: "Parking permit renewal") {
    __typename ... on MutationRequestFeeProofChallengeSuccess { data { id periodNumber scope message } } ${RESULT} } }`,
    { c, p: period },
    regulatorToken,
  );
  const paidSet = (
    await as(
      residentToken,
      `query ($c: ID!, $p: String!) { feePaidSet(communityId: $c, periodId: $p) {
    periodNumber depth root size leaves(first: 100) { edges { node { leafIndex identityCommitment active } } } } }`,
      { c, p: period },
    )
  ).data.feePaidSet;
  const set = { ...paidSet, leaves: paidSet.leaves.edges.map((edge: { node: unknown }) => edge.node) };
  const proof = await proveMembership(membership, {
    secret: householdIdentity.secret,
    merkleProof: await paidSetPath(householdIdentity, set),
    attribute: BigInt(set.periodNumber),
    scope: BigInt(challenge.scope),
    message: BigInt(challenge.message),
  });
  await call(
    'submitFeeProof',
    `mutation ($id: ID!, $proof: String!) { submitFeeProof(challengeId: $id, proof: $proof) {
    __typename ... on MutationSubmitFeeProofSuccess { data { rootVersion challenge { used periodId } } } ... on FeeProofRejected { code message } ${RESULT} } }`,
    { id: challenge.id, proof: JSON.stringify(proof) },
    regulatorToken,
  );
  await testApp.database.orm.em
    .fork()
    .transactional((tx) =>
      cutCheckpoint(tx as unknown as SqlEntityManager, localId(c), testApp.app.services.ledger.sealer),
    );
  const bundle = await as(
    regulatorToken,
    `query ($c: ID!, $p: String!, $proofs: [String!]) { feePeriodBundle(communityId: $c, periodId: $p, proofs: $proofs) {
    ... on QueryFeePeriodBundleSuccess { data } ${RESULT} } }`,
    { c, p: period, proofs: [JSON.stringify(proof)] },
  );
  expect(await verifyComplianceBundle(JSON.parse(bundle.data.feePeriodBundle.data))).toMatchObject({
    valid: true,
    problems: [],
  });
}

/**
 * An anonymous suggestion (建议) from the household's device, answered by a manager and read
 * by every role. Besides the searches every scenario gets, what names the household or its
 * owner — their ids, global and plain — must appear in none of its records: its row, its
 * ledger entries, the responses that show it, and the log lines written while it was sent.
 */
async function runAnonymousSuggestion(membership: Awaited<ReturnType<typeof loadMembershipArtifacts>>): Promise<void> {
  const c = community.id;
  const households = await readCensus('HOUSEHOLDS');
  const suggestion = {
    communityId: c,
    title: `${FREE_TEXT.anonymousSuggestionTitle} 电梯`,
    body: `${FREE_TEXT.anonymousSuggestionBody} 家的狗半夜叫`,
    slot: 0,
  };
  const proof = await proveAnonymousSuggestion(membership, {
    identity: householdIdentity,
    suggestion,
    leaves: households.leaves,
    pinned: households.current,
  });
  const logsBefore = testApp.logLines.length;
  const sent = await call(
    'submitAnonymousSuggestion',
    `mutation ($c: ID!, $t: String!, $b: String!, $slot: Int!, $proof: String!) {
    submitAnonymousSuggestion(communityId: $c, title: $t, body: $b, slot: $slot, proof: $proof) {
    __typename ... on MutationSubmitAnonymousSuggestionSuccess { data { id anonymous } } ${RESULT} } }`,
    { c, t: suggestion.title, b: suggestion.body, slot: suggestion.slot, proof: proof.json },
    null,
  );
  expect(sent.anonymous).toBe(true);
  anonymousSuggestionId = sent.id;
  anonymousSuggestionLogs = testApp.logLines.slice(logsBefore);
  await call(
    'answerSuggestion',
    `mutation ($s: ID!) { answerSuggestion(suggestionId: $s, answer: "已安排夜间巡查。") {
    __typename ... on MutationAnswerSuggestionSuccess { data { id status } } ${RESULT} } }`,
    { s: sent.id },
    community.managerToken,
  );
  for (const token of [residentToken, committeeToken, regulatorToken, outsiderToken, community.managerToken, testApp.adminToken])
    await as(
      token,
      `query ($c: ID!) { suggestions(communityId: $c) { edges { node { id title body anonymous status answer createdAt updatedAt } } } }`,
      { c },
    );
}

async function runAnonymousScenarios(): Promise<void> {
  const membership = await loadMembershipArtifacts('membership-10');
  await runBallots(membership);
  await runRatingsAndActivities(membership, currentRatingPeriod());
  await runAnonymousSuggestion(membership);
  await runFeeProof(membership, currentFeePeriod());
}

/** Where the anonymous suggestion names the household or its owner (support: runAnonymousSuggestion). */
async function anonymousSuggestionLinks(): Promise<string[]> {
  const identifying = [householdId, ownerAccountId].flatMap((id) => [id, localId(id)]);
  for (const id of identifying) expect(id).toMatch(/^[0-9a-f-]{36}$|^[A-Za-z0-9+/]+=*$/u);
  const names = (text: string) => identifying.some((id) => text.includes(id));
  const found: string[] = [];
  const connection = testApp.database.orm.em.getConnection();
  const rows: Array<{ row: string }> = await connection.execute(
    'select t::text as row from governance_suggestions t where id = ?',
    [anonymousSuggestionId],
  );
  expect(rows).toHaveLength(1);
  for (const { row } of rows) if (names(row)) found.push(`table governance_suggestions: ${row.slice(0, 120)}`);
  const entries: Array<{ type: string; actor: string; payload: string }> = await connection.execute(
    `select type, actor, payload::text as payload from ledger_entries where payload->>'suggestion' = ?
     union all select type, actor, payload::text from ledger_pending where payload::jsonb->>'suggestion' = ?`,
    [anonymousSuggestionId, anonymousSuggestionId],
  );
  expect(entries.map((entry) => entry.type).sort()).toEqual(['governance.suggestion', 'governance.suggestion.status']);
  for (const entry of entries) {
    if (entry.type === 'governance.suggestion' && entry.actor !== 'anonymous')
      found.push(`ledger ${entry.type}: actor ${entry.actor}`);
    if (names(entry.payload)) found.push(`ledger ${entry.type}: ${entry.payload}`);
  }
  // The suggestion as responses show it (a bundle's or a ledger page's other entries name households by design).
  const shown = responses.flatMap(({ query, response }) =>
    objectsWithId(response, anonymousSuggestionId).map((node) => ({ query, node })),
  );
  expect(shown.length).toBeGreaterThan(6);
  for (const { query, node } of shown)
    for (const path of findIn(node, names))
      found.push(`response to ${query.replace(/\s+/gu, ' ').slice(0, 80)} ${path}: the household or its owner`);
  for (const [index, line] of anonymousSuggestionLogs.entries())
    if (names(line)) found.push(`log line ${index} of the anonymous suggestion: the household or its owner`);
  return found;
}

function hitsIn(text: string, markers: Record<string, string>): string[] {
  const hits: string[] = [];
  for (const [kind, marker] of Object.entries(markers)) {
    for (const spelling of [marker, ...(VARIANTS[kind] ?? [])]) if (text.includes(spelling)) hits.push(kind);
  }
  return [...new Set(hits)];
}

async function tableHits(markers: Record<string, string>, only?: readonly string[]): Promise<string[]> {
  const connection = testApp.database.orm.em.getConnection();
  const tables: Array<{ name: string }> = await connection.execute(
    `select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`,
  );
  expect(tables.length).toBeGreaterThan(20);
  const found: string[] = [];
  for (const { name } of tables) {
    if (only && !only.includes(name)) continue;
    const rows: Array<{ row: string }> = await connection.execute(`select t::text as row from "${name}" t`);
    for (const { row } of rows)
      for (const kind of hitsIn(row, markers)) found.push(`table ${name}: ${kind} in ${row.slice(0, 160)}`);
  }
  return found;
}

/**
 * Where a JSON value holds a matching text: the paths, walking into strings that hold JSON
 * (a ledger payload, a bundle). `match` sees each scalar as text with its key and path.
 */
function findIn(
  value: unknown,
  match: (text: string, key: string, path: string) => boolean,
  path = '$',
  key = '',
): string[] {
  if (typeof value === 'string') {
    if (/^\s*[[{]/u.test(value)) {
      try {
        return findIn(JSON.parse(value), match, path, key);
      } catch {
        // Not JSON after all: searched as text below.
      }
    }
    return match(value, key, path) ? [path] : [];
  }
  if (typeof value === 'number' || typeof value === 'boolean') return match(String(value), key, path) ? [path] : [];
  if (Array.isArray(value)) return value.flatMap((item, index) => findIn(item, match, `${path}[${index}]`, key));
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([name, item]) => findIn(item, match, `${path}.${name}`, name));
  return [];
}

/** The objects in a JSON value whose `id` is the given one. */
function objectsWithId(value: unknown, id: string): object[] {
  if (Array.isArray(value)) return value.flatMap((item) => objectsWithId(item, id));
  if (!value || typeof value !== 'object') return [];
  const inner = Object.values(value).flatMap((item) => objectsWithId(item, id));
  return (value as { id?: unknown }).id === id ? [value, ...inner] : inner;
}

/**
 * The identity commitments of the resident's device (owner and household) are public only
 * as census leaves — a census's `leaves`, a census entry's `commitment`, a bundle's census —
 * which name no voter: anywhere else, a commitment would tie an anonymous act to its leaf.
 */
function commitmentMatcher(leafKeys: readonly string[]) {
  const commitments = [ownerIdentity, householdIdentity].map((identity) => identity.commitment);
  return (text: string, key: string): boolean =>
    commitments.some((commitment) => {
      const spellings = [commitment.toString(), commitment.toString(16).padStart(64, '0')];
      if (!spellings.some((spelling) => text.includes(spelling))) return false;
      return !(leafKeys.includes(key) && text === commitment.toString());
    });
}

/** What the ballots, ratings, activities and fee proof must not reveal, wherever it could be. */
async function anonymityLeaks(): Promise<string[]> {
  const found: string[] = [];
  const connection = testApp.database.orm.em.getConnection();
  // The identity secrets: nowhere at all (they never leave the device).
  for (const [index, line] of testApp.logLines.entries())
    for (const kind of hitsIn(line, SECRETS)) found.push(`log line ${index}: ${kind}`);
  found.push(...(await tableHits(SECRETS)));
  for (const { query, response } of responses)
    for (const kind of hitsIn(JSON.stringify(response), SECRETS))
      found.push(`response to ${query.replace(/\s+/gu, ' ').slice(0, 80)}: ${kind}`);

  // The commitments: census leaves only (a proposal's pinned snapshot is a copy of its census's leaves).
  const commitmentIn = commitmentMatcher([]);
  for (const [index, line] of testApp.logLines.entries())
    if (commitmentIn(line, '')) found.push(`log line ${index}: a commitment`);
  const entries: Array<{ type: string; payload: string }> = await connection.execute(
    'select type, payload::text as payload from ledger_entries union all select type, payload::text from ledger_pending',
  );
  const censusLeafKey = commitmentMatcher(['commitment']);
  for (const entry of entries)
    for (const path of findIn(entry.payload, entry.type.startsWith('census.') ? censusLeafKey : commitmentIn))
      found.push(`ledger ${entry.type} ${path}: a commitment`);
  const tables: Array<{ name: string }> = await connection.execute(
    `select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'
      and table_name not in ('census_leaves', 'governance_snapshot_members', 'ledger_entries', 'ledger_pending') order by 1`,
  );
  for (const { name } of tables) {
    const rows: Array<{ row: string }> = await connection.execute(`select t::text as row from "${name}" t`);
    for (const { row } of rows)
      if (commitmentIn(row, '')) found.push(`table ${name}: a commitment in ${row.slice(0, 120)}`);
  }
  const leafKeys = commitmentMatcher(['identityCommitment', 'commitment']);
  for (const { query, response } of responses)
    for (const path of findIn(response, leafKeys))
      found.push(`response to ${query.replace(/\s+/gu, ' ').slice(0, 80)} ${path}: a commitment`);

  // The owner's area, in encrypted mode: in no ballot, receipt, result or entry of that proposal (a census leaf's weight is public).
  const area = (text: string, _key: string, path: string) => text === ownerArea && !/\.census\.leaves\[/u.test(path);
  const encryptedEntries = entries.filter(
    (entry) => (JSON.parse(entry.payload) as { proposal?: string }).proposal === localId(encryptedProposalId),
  );
  expect(encryptedEntries.map((entry) => entry.type)).toEqual(expect.arrayContaining(['governance.encrypted-ballot']));
  for (const entry of encryptedEntries)
    for (const path of findIn(entry.payload, area)) found.push(`ledger ${entry.type} ${path}: the area`);
  const aboutEncrypted = responses.filter(({ variables }) => variables?.['id'] === encryptedProposalId);
  expect(aboutEncrypted.length).toBeGreaterThan(8);
  for (const { query, response } of aboutEncrypted)
    for (const path of findIn(response, area))
      found.push(`response to ${query.replace(/\s+/gu, ' ').slice(0, 80)} ${path}: the area`);
  for (const [index, line] of testApp.logLines.entries())
    for (const path of findIn(line, area)) found.push(`log line ${index} ${path}: the area`);
  return found;
}

describe('personal data never leaves the vault', () => {
  it('is in no log line, no table outside the vault, no ledger payload and no response but a manager’s purposeful read', async () => {
    await runScenarios();
    await runAnonymousScenarios();
    const found: string[] = [];

    for (const [index, line] of testApp.logLines.entries())
      for (const kind of hitsIn(line, { ...MARKERS, ...FREE_TEXT })) found.push(`log line ${index}: ${kind}`);

    found.push(...(await tableHits(MARKERS)));
    found.push(...(await tableHits(FREE_TEXT, ['ledger_entries', 'ledger_pending'])));

    for (const { query, token, response } of responses) {
      const purposefulRead =
        token === community.managerToken && /householdPersonalData\(/u.test(query) && !response.errors;
      if (purposefulRead) continue;
      for (const kind of hitsIn(JSON.stringify(response), MARKERS))
        found.push(`response to ${query.replace(/\s+/gu, ' ').slice(0, 80)}: ${kind}`);
    }

    found.push(...(await anonymityLeaks()));
    found.push(...(await anonymousSuggestionLinks()));
    expect(found).toEqual([]);
    // The scenarios' documents were all valid, so each response is the field's real answer.
    expect(
      responses.filter(({ response }) =>
        response.errors?.some((error) => error.extensions?.code === 'GRAPHQL_VALIDATION_FAILED'),
      ),
    ).toEqual([]);
    // The search saw what it had to: every scenario answered, the logs and ledger are not empty.
    expect(responses.length).toBeGreaterThan(30);
    expect(testApp.logLines.length).toBeGreaterThan(30);
    // Six real proofs at depth 10 (one of them the encrypted-ballot circuit) and the trustees' key generation.
  }, 240_000);
});
