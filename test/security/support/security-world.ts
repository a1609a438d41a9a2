/**
 * The world the authorization matrix and the schema fuzzer call every root field in: one
 * community (A) in a jurisdiction with a manager, a committee member and a resident, each
 * kind of object a field can be keyed by seeded in it (a proposal, an encrypted-weight
 * draft whose trustees are the committee member, the manager and the regulator, an activity with a
 * sign-up, a rating subject with a named rating, a suggestion, open books with a fee
 * schedule, an invoice and a payment, a fee-proof challenge), a second community (B) with
 * its own resident, a regulator over A's jurisdiction and one over another, and the admin.
 * Everything is created through the API by the role that may create it.
 */
import { currentFeePeriod, currentRatingPeriod } from '../../support/periods.ts';
import { randomUUID } from 'node:crypto';
import { createIdentity } from '../../../src/zk/identity.ts';
import { ADMIN_PASSWORD, mutate, type TestApp } from '../../support/app.ts';
import {
  createAccount,
  createCommunityFixture,
  grantRole,
  PASSWORD,
  type CommunityFixture,
} from '../../support/fixtures.ts';

/** The callers of the matrix, from least to most privileged in community A. */
export const ROLES = [
  'anonymous',
  'otherResident',
  'regulatorOutside',
  'regulatorInside',
  'resident',
  'committee',
  'manager',
  'admin',
] as const;
export type MatrixRole = (typeof ROLES)[number];

export interface SecurityWorld {
  community: CommunityFixture;
  other: CommunityFixture;
  jurisdictionId: string;
  /** A bearer token per role (null for anonymous). */
  tokens: Record<MatrixRole, string | null>;
  /** Login and password of the callers that have an account, to open a session of their own. */
  credentials: Record<Exclude<MatrixRole, 'anonymous'>, { login: string; password: string }>;
  /** Account ids of the callers that have one. */
  accounts: Record<Exclude<MatrixRole, 'anonymous'>, string>;
  /** An account with no role anywhere, for the fields that act on an account (sessions, roles). */
  bystanderAccountId: string;
  /** A second household of A, with no personal data worth keeping (erasure targets it). */
  spareHouseholdId: string;
  /** Open for voting until next week. */
  proposalId: string;
  /** Closed, with its result. */
  closedProposalId: string;
  /** ENCRYPTED mode, still a draft (no key generated): trustees 1..3 are the committee member, the manager and the regulator inside. */
  encryptedProposalId: string;
  activityId: string;
  signupId: string;
  ratingSubjectId: string;
  ratingId: string;
  ratingPeriod: string;
  suggestionId: string;
  scheduleId: string;
  feePeriodId: string;
  paymentId: string;
  invoiceId: string;
  challengeId: string;
  cashAccountId: string;
  spendId: string;
}

const RESULT = `__typename ... on Error { code message }`;

async function createJurisdiction(testApp: TestApp, name: string): Promise<string> {
  const created = await mutate(
    testApp,
    'createJurisdiction',
    `mutation ($name: String!) { createJurisdiction(name: $name) { ${RESULT} ... on MutationCreateJurisdictionSuccess { data { id } } } }`,
    { name },
    testApp.adminToken,
  );
  return created.id;
}

async function createRoleAccount(
  testApp: TestApp,
  login: string,
  role: string,
  scope: { communityId?: string; jurisdictionId?: string },
) {
  const account = await createAccount(testApp, login);
  await grantRole(testApp, account.id, role, scope);
  // Sign in again: roles are read into the session at sign-in.
  return { id: account.id, token: await testApp.login(login, PASSWORD) };
}

export async function createSecurityWorld(testApp: TestApp, prefix: string): Promise<SecurityWorld> {
  const jurisdictionId = await createJurisdiction(testApp, `${prefix} street office`);
  const elsewhereId = await createJurisdiction(testApp, `${prefix} elsewhere`);
  const community = await createCommunityFixture(testApp, `${prefix}-a`, jurisdictionId);
  const other = await createCommunityFixture(testApp, `${prefix}-b`);
  const committee = await createRoleAccount(testApp, `${prefix}-committee`, 'COMMITTEE', { communityId: community.id });
  const regulatorInside = await createRoleAccount(testApp, `${prefix}-regulator-in`, 'REGULATOR', { jurisdictionId });
  const regulatorOutside = await createRoleAccount(testApp, `${prefix}-regulator-out`, 'REGULATOR', {
    jurisdictionId: elsewhereId,
  });
  const bystander = await createAccount(testApp, `${prefix}-bystander`);
  const manager = community.managerToken;
  const call = <T = any>(field: string, document: string, variables: Record<string, unknown>, token: string) =>
    mutate<T>(testApp, field, document, variables, token);

  const spare = await call(
    'registerHousehold',
    `mutation ($c: ID!) { registerHousehold(communityId: $c, unitLabel: "Spare 1", floorAreaCentiSquareMetres: 5000) {
      ${RESULT} ... on MutationRegisterHouseholdSuccess { data { id } } } }`,
    { c: community.id },
    manager,
  );

  // The resident joins the owners census, so a proposal can open.
  const invite = await call(
    'createCensusInvite',
    `mutation ($c: ID!, $a: ID!) { createCensusInvite(communityId: $c, kind: OWNERS, accountId: $a) {
      ${RESULT} ... on MutationCreateCensusInviteSuccess { data { code } } } }`,
    { c: community.id, a: community.residentAccountId },
    manager,
  );
  const identity = await createIdentity();
  await call(
    'joinCensus',
    `mutation ($code: String!, $commitment: String!) { joinCensus(inviteCode: $code, identityCommitment: $commitment) {
      ${RESULT} ... on MutationJoinCensusSuccess { data { leafIndex } } } }`,
    { code: invite.code, commitment: identity.commitment.toString() },
    community.residentToken,
  );

  const now = Date.now();
  const inDays = (days: number) => new Date(now + days * 86_400_000).toISOString();
  /** A named owners' proposal, created and opened by the committee, closing in eight days. */
  const openNamedProposal = async (title: string, body: string): Promise<{ id: string }> => {
    const created = await call(
      'createProposal',
      `mutation ($c: ID!, $title: String!, $body: String!, $opensAt: DateTime!, $closesAt: DateTime!) {
        createProposal(communityId: $c, title: $title, body: $body, census: OWNERS, mode: NAMED, opensAt: $opensAt, closesAt: $closesAt) {
        ${RESULT} ... on MutationCreateProposalSuccess { data { id } } } }`,
      { c: community.id, title, body, opensAt: inDays(-0.001), closesAt: inDays(8) },
      committee.token,
    );
    await call(
      'openProposal',
      `mutation ($id: ID!) { openProposal(proposalId: $id) { ${RESULT} ... on MutationOpenProposalSuccess { data { id } } } }`,
      { id: created.id },
      committee.token,
    );
    return created;
  };
  const proposal = await openNamedProposal('Bicycle shed', 'Build one?');

  // A second proposal, opened and then closed as time passing would close it: it has a result.
  const closed = await openNamedProposal('Paint the gate', 'Green?');
  await testApp.database.orm.em
    .getConnection()
    .execute(`update governance_proposals set closes_at = now() - interval '1 millisecond' where id = ?`, [
      Buffer.from(closed.id, 'base64').toString('utf8').split(':')[1],
    ]);
  await call(
    'closeProposal',
    `mutation ($id: ID!) { closeProposal(proposalId: $id) { ${RESULT} ... on MutationCloseProposalSuccess { data { id } } } }`,
    { id: closed.id },
    committee.token,
  );

  // An encrypted-weight draft: its trustees may publish key-generation messages, no one else.
  const encrypted = await call(
    'createProposal',
    `mutation ($c: ID!, $opensAt: DateTime!, $closesAt: DateTime!, $trustees: [ID!]!) {
      createProposal(communityId: $c, title: "Roof repair", body: "Secret weights?", census: OWNERS, mode: ENCRYPTED,
        opensAt: $opensAt, closesAt: $closesAt, trustees: $trustees, threshold: 2) {
      ${RESULT} ... on MutationCreateProposalSuccess { data { id } } } }`,
    {
      c: community.id,
      opensAt: inDays(-0.001),
      closesAt: inDays(8),
      trustees: [committee.id, community.managerAccountId, regulatorInside.id],
    },
    committee.token,
  );

  const activity = await call(
    'proposeActivity',
    `mutation ($c: ID!, $activity: ActivityInput!) { proposeActivity(communityId: $c, activity: $activity) {
      ${RESULT} ... on MutationProposeActivitySuccess { data { id } } } }`,
    {
      c: community.id,
      activity: {
        title: 'Lantern walk',
        description: 'Lanterns in the courtyard.',
        place: 'Garden',
        startsAt: inDays(12),
        endsAt: inDays(12.25),
        signupsCloseAt: inDays(10),
        capacity: 30,
        fee: '0',
        budget: '0',
        fullRefundUntil: inDays(5),
        lateRefundBasisPoints: 5000,
      },
    },
    manager,
  );

  const books = await call(
    'openBooks',
    `mutation ($c: ID!) { openBooks(communityId: $c) { ${RESULT} ... on MutationOpenBooksSuccess { data { id } } } }`,
    { c: community.id },
    manager,
  );
  void books;

  await call(
    'approveActivity',
    `mutation ($a: ID!) { approveActivity(activityId: $a) { ${RESULT} ... on MutationApproveActivitySuccess { data { id } } } }`,
    { a: activity.id },
    committee.token,
  );
  const signup = await call(
    'signUpForActivity',
    `mutation ($a: ID!, $h: ID!, $k: String!) { signUpForActivity(activityId: $a, householdId: $h, idempotencyKey: $k) {
      ${RESULT} ... on MutationSignUpForActivitySuccess { data { signupId } } } }`,
    { a: activity.id, h: community.householdId, k: randomUUID() },
    community.residentToken,
  );

  const ratingPeriod = currentRatingPeriod();
  const subject = await call(
    'addRatingSubject',
    `mutation ($c: ID!) { addRatingSubject(communityId: $c, key: "cleaning", label: "Cleaning") {
      ${RESULT} ... on MutationAddRatingSubjectSuccess { data { id } } } }`,
    { c: community.id },
    manager,
  );
  await call(
    'openRatingPeriod',
    `mutation ($c: ID!, $p: String!) { openRatingPeriod(communityId: $c, period: $p) {
      ${RESULT} ... on MutationOpenRatingPeriodSuccess { data { period } } } }`,
    { c: community.id, p: ratingPeriod },
    manager,
  );
  const rating = await call(
    'submitRating',
    `mutation ($s: ID!, $p: String!) { submitRating(subjectId: $s, period: $p, score: 4, comment: "Clean stairs") {
      ${RESULT} ... on MutationSubmitRatingSuccess { data { ratingId } } } }`,
    { s: subject.id, p: ratingPeriod },
    community.residentToken,
  );

  const suggestion = await call(
    'submitSuggestion',
    `mutation ($c: ID!) { submitSuggestion(communityId: $c, title: "More benches", body: "By the gate.") {
      ${RESULT} ... on MutationSubmitSuggestionSuccess { data { id } } } }`,
    { c: community.id },
    community.residentToken,
  );

  const feePeriodId = currentFeePeriod();
  const { scheduleId } = await call(
    'defineFeeSchedule',
    `mutation ($c: ID!, $schedule: FeeScheduleInput!) { defineFeeSchedule(communityId: $c, schedule: $schedule) {
      ${RESULT} ... on MutationDefineFeeScheduleSuccess { data { scheduleId } } } }`,
    {
      c: community.id,
      schedule: {
        frequency: 'MONTH',
        effectiveFromPeriodId: feePeriodId,
        fixedPerMonth: '10000',
        dueDay: 10,
        graceDays: 0,
      },
    },
    manager,
  );
  await call(
    'issueInvoices',
    `mutation ($c: ID!, $s: String!, $p: String!) { issueInvoices(communityId: $c, scheduleId: $s, periodId: $p) {
      ${RESULT} ... on MutationIssueInvoicesSuccess { data { issued } } } }`,
    { c: community.id, s: scheduleId, p: feePeriodId },
    manager,
  );
  const payment = await call(
    'recordPayment',
    `mutation ($c: ID!, $h: ID!, $k: String!) { recordPayment(communityId: $c, householdId: $h, amount: "10000", idempotencyKey: $k) {
      ${RESULT} ... on MutationRecordPaymentSuccess { data { payment { id } } } } }`,
    { c: community.id, h: community.householdId, k: randomUUID() },
    manager,
  );
  const invoices = await testApp.graphql(
    `query ($c: ID!, $h: ID!) { householdInvoices(communityId: $c, householdId: $h, first: 1) { edges { node { id } } } }`,
    { c: community.id, h: community.householdId },
    manager,
  );
  const invoiceId: string = invoices.data?.householdInvoices?.edges?.[0]?.node?.id ?? randomUUID();
  const challenge = await call(
    'requestFeeProofChallenge',
    `mutation ($c: ID!, $p: String!) { requestFeeProofChallenge(communityId: $c, periodId: $p, purpose: "Parking permit") {
      ${RESULT} ... on MutationRequestFeeProofChallengeSuccess { data { id } } } }`,
    { c: community.id, p: feePeriodId },
    manager,
  );
  const accounts = await testApp.graphql(
    `query ($c: ID!) { moneyAccounts(communityId: $c) { id kind } }`,
    { c: community.id },
    manager,
  );
  const cash = (accounts.data?.moneyAccounts ?? []).find((account: { kind: string }) =>
    /cash|bank/iu.test(account.kind),
  );

  return {
    community,
    other,
    jurisdictionId,
    tokens: {
      anonymous: null,
      otherResident: other.residentToken,
      regulatorOutside: regulatorOutside.token,
      regulatorInside: regulatorInside.token,
      resident: community.residentToken,
      committee: committee.token,
      manager,
      admin: testApp.adminToken,
    },
    credentials: {
      otherResident: { login: `${prefix}-b-resident`, password: PASSWORD },
      regulatorOutside: { login: `${prefix}-regulator-out`, password: PASSWORD },
      regulatorInside: { login: `${prefix}-regulator-in`, password: PASSWORD },
      resident: { login: `${prefix}-a-resident`, password: PASSWORD },
      committee: { login: `${prefix}-committee`, password: PASSWORD },
      manager: { login: `${prefix}-a-manager`, password: PASSWORD },
      admin: { login: 'admin', password: ADMIN_PASSWORD },
    },
    accounts: {
      otherResident: other.residentAccountId,
      regulatorOutside: regulatorOutside.id,
      regulatorInside: regulatorInside.id,
      resident: community.residentAccountId,
      committee: committee.id,
      manager: community.managerAccountId,
      admin: '',
    },
    bystanderAccountId: bystander.id,
    spareHouseholdId: spare.id,
    proposalId: proposal.id,
    closedProposalId: closed.id,
    encryptedProposalId: encrypted.id,
    activityId: activity.id,
    signupId: signup.signupId,
    ratingSubjectId: subject.id,
    ratingId: rating.ratingId,
    ratingPeriod,
    suggestionId: suggestion.id,
    scheduleId,
    feePeriodId,
    paymentId: payment.payment.id,
    invoiceId,
    challengeId: challenge.id,
    cashAccountId: cash?.id ?? 'cash',
    spendId: randomUUID(),
  };
}
