/**
 * The demo's participation (scripts/demo/demo-installation.ts calls it after the fee year):
 * residents who sign in, join the owners and households censuses the real way (a manager's
 * census invite, an identity made on the "device" by src/zk's `createIdentity`, and
 * `joinCensus` with its commitment only), then per community
 *
 * - proposals: an Art. 278 item 4 matter of the owners with anonymous ballots (real
 *   membership proofs against the pinned root), a households' poll with named ballots,
 *   both closed so their results are on the ledger, and a poll still open;
 * - ratings: two closed past months of named ratings of the service categories, plus a
 *   few anonymous ones (real proofs), so aggregates and the trend show; the current month
 *   stays open;
 * - activities: one that ended, with sign-ups and named reviews, and one still taking
 *   sign-ups.
 *
 * Every change is a GraphQL mutation; only the Merkle path of a resident's own leaf is read
 * from the census service, as a resident's device would ask `censusMerkleProof`. Anonymous
 * proofs cost about 0.4 s each at depth 10 on a quiet machine, so their number is a budget
 * (`proofs`, shared by ballots and anonymous ratings over all communities).
 */
import { createHash } from 'node:crypto';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { censusMerkleProof } from '../../src/census/census-tree-service.ts';
import { periodOf, ratingMessage, ratingScope } from '../../src/ratings/rating-rules.ts';
import type { App } from '../../src/server/app.ts';
import { loadMembershipArtifacts, type MembershipArtifacts } from '../../src/zk/artifacts-node.ts';
import { createIdentity, type Identity } from '../../src/zk/identity.ts';
import { proveMembership, type MembershipProof } from '../../src/zk/prover.ts';
import type { DemoClient, DemoCommunity, DemoHousehold } from './demo-installation.ts';

const RESULT = `__typename ... on Error { code message }`;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Requests in flight at once while residents join, as that many devices. */
const DEVICES = 4;

export interface ParticipationOptions {
  /** Residents per community who sign in and join the censuses (at most one per household). */
  residents: number;
  /** Anonymous proofs over all communities: ballots and anonymous ratings. */
  proofs: number;
}

export interface DemoResident {
  accountId: string;
  login: string;
  token: string;
  household: DemoHousehold;
  identity: Identity;
  /** Null for a resident who did not join the owners census. */
  ownersLeaf: number | null;
  householdsLeaf: number;
}

export interface DemoParticipation {
  /** The closed Art. 278 proposal (anonymous), the closed named poll, and the open poll. */
  proposals: { anonymous: string; named: string; open: string };
  /** The closed past months the ratings are in, oldest first. */
  ratingPeriods: string[];
  ratingSubjects: Record<string, string>;
  activities: { ended: string; upcoming: string };
}

/** What one community's phase will do, so the progress bar's total is known in advance. */
export function participationPlan(communities: number, householdsPerCommunity: readonly number[], options: ParticipationOptions) {
  return householdsPerCommunity.map((households, index) => {
    const residents = Math.min(households, options.residents);
    const proofs = Math.floor(options.proofs / communities) + (index < options.proofs % communities ? 1 : 0);
    const anonymousRatings = Math.min(residents, Math.floor(proofs / 4));
    const ballots = Math.min(residents, proofs - anonymousRatings);
    // The owners census: the anonymous voters and a quarter more who stay away, so the
    // Art. 278 participation (two thirds of heads and area) is met; the others are not owners on record.
    const owners = Math.min(residents, Math.max(1, ballots + Math.floor(ballots / 4)));
    // Steps: each resident joining, each proof, and the fixed steps (proposals, ratings, activities, closes).
    return { residents, owners, ballots, anonymousRatings, steps: residents + ballots + anonymousRatings + 6 };
  });
}

type Tick = (step: string) => void;

async function pool<T>(items: readonly T[], work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: DEVICES }, async () => {
      for (let index = next++; index < items.length; index = next++) await work(items[index]!, index);
    }),
  );
}

async function joinResidents(
  client: DemoClient,
  adminToken: string,
  community: DemoCommunity,
  households: readonly DemoHousehold[],
  count: number,
  owners: number,
  password: string,
  tick: Tick,
): Promise<DemoResident[]> {
  const residents: DemoResident[] = new Array(count);
  await pool(households.slice(0, count), async (household, index) => {
    const login = `${community.slug}-resident-${index + 1}`;
    const account = await client.mutate(
      'createAccount',
      `mutation ($l: String!, $p: String) { createAccount(login: $l, password: $p) { ${RESULT} ... on MutationCreateAccountSuccess { data { account { id } } } } }`,
      { l: login, p: password },
      adminToken,
    );
    const accountId: string = account.account.id;
    await client.mutate(
      'addHouseholdMember',
      `mutation ($h: ID!, $n: String!, $a: ID) { addHouseholdMember(householdId: $h, relation: OWNER, name: $n, accountId: $a) {
        ${RESULT} ... on MutationAddHouseholdMemberSuccess { data { id } } } }`,
      { h: household.id, n: `Demo Resident ${index + 1}`, a: accountId },
      community.managerToken,
    );
    // Signed in after becoming a resident, so the session carries the role.
    const token = await client.login(login, password);
    const identity = await createIdentity();
    const join = async (kind: 'OWNERS' | 'HOUSEHOLDS') => {
      const invite = await client.mutate(
        'createCensusInvite',
        `mutation ($c: ID!, $k: CensusKind!, $a: ID, $h: ID) { createCensusInvite(communityId: $c, kind: $k, accountId: $a, householdId: $h) {
          ${RESULT} ... on MutationCreateCensusInviteSuccess { data { code } } } }`,
        { c: community.id, k: kind, ...(kind === 'OWNERS' ? { a: accountId } : { h: household.id }) },
        community.managerToken,
      );
      const joined = await client.mutate(
        'joinCensus',
        `mutation ($code: String!, $c: String!) { joinCensus(inviteCode: $code, identityCommitment: $c) {
          ${RESULT} ... on MutationJoinCensusSuccess { data { leafIndex } } } }`,
        { code: invite.code, c: identity.commitment.toString() },
        token,
      );
      return joined.leafIndex as number;
    };
    const ownersLeaf = index < owners ? await join('OWNERS') : null;
    const householdsLeaf = await join('HOUSEHOLDS');
    residents[index] = { accountId, login, token, household, identity, ownersLeaf, householdsLeaf };
    tick(`${community.slug}: residents join the census`);
  });
  return residents;
}

const PROPOSAL_FIELDS = `id status scope options { id message } result { passed participatingHeads }`;
const CREATE_PROPOSAL = `mutation ($c: ID!, $t: String!, $b: String!, $m: Int, $k: CensusKind!, $mode: BallotMode!, $o: DateTime!, $z: DateTime!) {
  createProposal(communityId: $c, title: $t, body: $b, matter: $m, census: $k, mode: $mode, opensAt: $o, closesAt: $z) {
    ${RESULT} ... on MutationCreateProposalSuccess { data { id } } } }`;
const OPEN_PROPOSAL = `mutation ($id: ID!) { openProposal(proposalId: $id) { ${RESULT} ... on MutationOpenProposalSuccess { data { ${PROPOSAL_FIELDS} } } } }`;
const CLOSE_PROPOSAL = `mutation ($id: ID!) { closeProposal(proposalId: $id) { ${RESULT} ... on MutationCloseProposalSuccess { data { ${PROPOSAL_FIELDS} } } } }`;
const NAMED_BALLOT = `mutation ($id: ID!, $choice: String!) { castNamedBallot(proposalId: $id, choice: $choice) {
  ${RESULT} ... on MutationCastNamedBallotSuccess { data { ballotId } } } }`;
const ANONYMOUS_BALLOT = `mutation ($id: ID!, $choice: String!, $proof: String!) { castAnonymousBallot(proposalId: $id, choice: $choice, proof: $proof) {
  ${RESULT} ... on MutationCastAnonymousBallotSuccess { data { ballotId } } } }`;

interface OpenedProposal {
  id: string;
  scope: bigint;
  messages: Record<string, bigint>;
  closesAt: Date;
}

async function openProposal(
  client: DemoClient,
  community: DemoCommunity,
  committeeToken: string,
  input: { title: string; body: string; matter: number | null; census: 'OWNERS' | 'HOUSEHOLDS'; mode: 'ANONYMOUS' | 'NAMED'; closesAt: Date },
): Promise<OpenedProposal> {
  const created = await client.mutate(
    'createProposal',
    CREATE_PROPOSAL,
    { c: community.id, t: input.title, b: input.body, m: input.matter, k: input.census, mode: input.mode, o: new Date(Date.now() - 1000).toISOString(), z: input.closesAt.toISOString() },
    committeeToken,
  );
  const opened = await client.mutate('openProposal', OPEN_PROPOSAL, { id: created.id }, committeeToken);
  return {
    id: opened.id,
    scope: BigInt(opened.scope),
    messages: Object.fromEntries(opened.options.map((option: { id: string; message: string }) => [option.id, BigInt(option.message)])),
    closesAt: input.closesAt,
  };
}

/** A resident's device proving membership: its own leaf's path, its secret, the scope and message. */
async function prove(
  app: App,
  artifacts: MembershipArtifacts,
  community: DemoCommunity,
  resident: DemoResident,
  kind: 'owners' | 'households',
  attribute: bigint,
  scope: bigint,
  message: bigint,
): Promise<MembershipProof> {
  const em = app.orm.em.fork() as SqlEntityManager;
  const leafIndex = kind === 'owners' ? resident.ownersLeaf : resident.householdsLeaf;
  if (leafIndex === null) throw new Error(`demo: ${resident.login} is not in the ${kind} census`);
  return proveMembership(artifacts, { secret: resident.identity.secret, merkleProof: await censusMerkleProof(em, community.uuid, kind, leafIndex), attribute, scope, message });
}

/** A choice for resident `index`: about four in five yes, the rest no or abstain. */
const choiceOf = (index: number) => (index % 10 < 8 ? 'yes' : index % 10 === 8 ? 'no' : 'abstain');
/** A score for resident `index` and subject `subject` in month `month`: mostly 3 to 5, improving over the months. */
const scoreOf = (index: number, subject: number, month: number) => Math.min(5, 1 + ((index * 7 + subject * 3) % 4) + month);

/** A sign-up's idempotency key (at most 64 characters): a digest of the activity's id and the resident's login. */
const signupKey = (activityId: string, resident: DemoResident) =>
  `signup-${createHash('sha256').update(`${activityId}/${resident.login}`).digest('hex').slice(0, 40)}`;

const RATING_COMMENTS = ['楼道很干净', 'Quick repair of the lift', 'The gate guard was friendly', null, null, '绿化很好', null];

/**
 * Residents, proposals, ratings and activities of one community. `money` is the money
 * services (the activities read their clock); the clock is set here and restored by the caller.
 */
export async function addParticipation(
  app: App,
  client: DemoClient,
  adminToken: string,
  community: DemoCommunity,
  households: readonly DemoHousehold[],
  plan: { residents: number; owners: number; ballots: number; anonymousRatings: number },
  password: string,
  setClock: (now: Date) => void,
  tick: Tick,
): Promise<DemoParticipation> {
  const realNow = Date.now();
  setClock(new Date(realNow));
  // The committee proposes and closes; the admin activates the depth-10 key.
  const committeeAccount = await client.mutate(
    'createAccount',
    `mutation ($l: String!, $p: String) { createAccount(login: $l, password: $p) { ${RESULT} ... on MutationCreateAccountSuccess { data { account { id } } } } }`,
    { l: `${community.slug}-committee`, p: password },
    adminToken,
  );
  await client.mutate(
    'grantRole',
    `mutation ($a: ID!, $c: ID) { grantRole(accountId: $a, role: COMMITTEE, communityId: $c) { ${RESULT} } }`,
    { a: committeeAccount.account.id, c: community.id },
    adminToken,
  );
  const committeeToken = await client.login(`${community.slug}-committee`, password);
  await client.mutate(
    'activateVerificationKey',
    `mutation ($c: ID!) { activateVerificationKey(communityId: $c, instance: "membership-10") { ${RESULT} ... on MutationActivateVerificationKeySuccess { data { hash } } } }`,
    { c: community.id },
    adminToken,
  );
  const residents = await joinResidents(client, adminToken, community, households, plan.residents, plan.owners, password, tick);
  const artifacts = await loadMembershipArtifacts('membership-10');

  // Proposals. The voting window must cover the proofs: time one first (a throwaway scope), allow
  // three times that per ballot and 4 s, and close when it has passed (ratings and activities run meanwhile).
  const started = performance.now();
  if (plan.ballots > 0) await prove(app, artifacts, community, residents[0]!, 'households', 1n, 1n, 1n);
  const perProof = performance.now() - started;
  const closesAt = new Date(Date.now() + 4_000 + 3 * perProof * plan.ballots);
  const art278 = await openProposal(client, community, committeeToken, {
    title: 'Renew the contract with the property service company',
    body: 'Civil Code Art. 278 item 4: keep the current property service company for three more years at the same fee.',
    matter: 4,
    census: 'OWNERS',
    mode: 'ANONYMOUS',
    closesAt,
  });
  const poll = await openProposal(client, community, committeeToken, {
    title: 'Chargers for electric cars in the garage',
    body: 'Should the committee ask for quotes for twenty chargers in the underground garage?',
    matter: null,
    census: 'HOUSEHOLDS',
    mode: 'NAMED',
    closesAt,
  });
  const open = await openProposal(client, community, committeeToken, {
    title: 'Summer opening hours of the courtyard pool',
    body: 'Open the pool from 7:00 to 22:00 in July and August.',
    matter: null,
    census: 'HOUSEHOLDS',
    mode: 'NAMED',
    closesAt: new Date(realNow + 14 * DAY_MS),
  });
  tick(`${community.slug}: proposals opened`);
  for (const [index, resident] of residents.slice(0, plan.ballots).entries()) {
    const choice = choiceOf(index);
    // The owners census's leaf weight is the resident's floor area (its attribute in the proof).
    const proof = await prove(app, artifacts, community, resident, 'owners', BigInt(resident.household.area), art278.scope, art278.messages[choice]!);
    await client.mutate('castAnonymousBallot', ANONYMOUS_BALLOT, { id: art278.id, choice, proof: JSON.stringify(proof) });
    tick(`${community.slug}: anonymous ballots`);
  }
  await pool(residents, async (resident, index) => {
    await client.mutate('castNamedBallot', NAMED_BALLOT, { id: poll.id, choice: choiceOf(index + 3) }, resident.token);
    if (index % 3 === 0) await client.mutate('castNamedBallot', NAMED_BALLOT, { id: open.id, choice: choiceOf(index) }, resident.token);
  });
  tick(`${community.slug}: named ballots`);

  // Ratings: the two months before this one, closed, and this one open.
  const monthStart = Date.UTC(new Date(realNow).getUTCFullYear(), new Date(realNow).getUTCMonth(), 1);
  const periods = [periodOf(new Date(monthStart - 32 * DAY_MS)), periodOf(new Date(monthStart - DAY_MS))];
  const current = periodOf(new Date(realNow));
  const OPEN_PERIOD = `mutation ($c: ID!, $p: String!) { openRatingPeriod(communityId: $c, period: $p) { ${RESULT} ... on MutationOpenRatingPeriodSuccess { data { period } } } }`;
  for (const period of [...periods, current]) await client.mutate('openRatingPeriod', OPEN_PERIOD, { c: community.id, p: period }, community.managerToken);
  const listed = (await client.graphql(`query ($c: ID!) { ratingSubjects(communityId: $c) { id key } }`, { c: community.id }, community.managerToken)).ratingSubjects as Array<{
    id: string;
    key: string;
  }>;
  const subjects = Object.fromEntries(listed.map((subject) => [subject.key, subject.id]));
  const NAMED_RATING = `mutation ($s: ID!, $p: String!, $score: Int!, $comment: String) { submitRating(subjectId: $s, period: $p, score: $score, comment: $comment) {
    ${RESULT} ... on MutationSubmitRatingSuccess { data { ratingId } } } }`;
  for (const [month, period] of periods.entries()) {
    await pool(residents, async (resident, index) => {
      for (const [subject, subjectId] of listed.map((entry) => entry.id).entries()) {
        // Not everyone rates everything: about two in three.
        if ((index + subject + month) % 3 === 2) continue;
        const comment = (index + subject) % 5 === 0 ? RATING_COMMENTS[(index + subject) % RATING_COMMENTS.length]! : null;
        await client.mutate('submitRating', NAMED_RATING, { s: subjectId, p: period, score: scoreOf(index, subject, month), comment }, resident.token);
      }
    });
  }
  tick(`${community.slug}: named ratings`);
  // Anonymous ratings of cleaning in the last closed month, from the households census.
  const lastPeriod = periods.at(-1)!;
  for (const [index, resident] of residents.slice(residents.length - plan.anonymousRatings).entries()) {
    const score = 2 + (index % 4);
    const proof = await prove(app, artifacts, community, resident, 'households', 1n, ratingScope(subjects['cleaning']!, lastPeriod), ratingMessage(score, null));
    await client.mutate(
      'submitAnonymousRating',
      `mutation ($s: ID!, $p: String!, $score: Int!, $proof: String!) { submitAnonymousRating(subjectId: $s, period: $p, score: $score, proof: $proof) {
        ${RESULT} ... on MutationSubmitAnonymousRatingSuccess { data { ratingId } } } }`,
      { s: subjects['cleaning'], p: lastPeriod, score, proof: JSON.stringify(proof) },
    );
    tick(`${community.slug}: anonymous ratings`);
  }
  const CLOSE_PERIOD = `mutation ($c: ID!, $p: String!) { closeRatingPeriod(communityId: $c, period: $p) { ${RESULT} ... on MutationCloseRatingPeriodSuccess { data { period } } } }`;
  for (const period of periods) await client.mutate('closeRatingPeriod', CLOSE_PERIOD, { c: community.id, p: period }, community.managerToken);
  tick(`${community.slug}: rating periods closed`);

  // Activities, on the money clock: one proposed three days ago that ended a minute ago, with a
  // place for everyone (its reviewers must be participants), and one next week with a waitlist.
  const PROPOSE = `mutation ($c: ID!, $a: ActivityInput!) { proposeActivity(communityId: $c, activity: $a) { ${RESULT} ... on MutationProposeActivitySuccess { data { id } } } }`;
  const APPROVE = `mutation ($id: ID!) { approveActivity(activityId: $id) { ${RESULT} } }`;
  const SIGN_UP = `mutation ($id: ID!, $h: ID!, $k: String!) { signUpForActivity(activityId: $id, householdId: $h, idempotencyKey: $k) {
    ${RESULT} ... on MutationSignUpForActivitySuccess { data { signupId } } } }`;
  const iso = (ms: number) => new Date(ms).toISOString();
  const activityInput = (title: string, kind: string, startsAt: number, endsAt: number, signupsCloseAt: number, fee: string, capacity: number) => ({
    title,
    description: `${title} for the whole courtyard.`,
    place: 'Courtyard garden',
    startsAt: iso(startsAt),
    endsAt: iso(endsAt),
    signupsCloseAt: iso(signupsCloseAt),
    capacity,
    fee,
    budget: '0',
    fullRefundUntil: iso(signupsCloseAt - HOUR_MS),
    lateRefundBasisPoints: 5_000,
    kind,
  });
  await client.mutate('openBooks', `mutation ($c: ID!) { openBooks(communityId: $c) { ${RESULT} ... on MutationOpenBooksSuccess { data { id } } } }`, { c: community.id }, community.managerToken);
  const organiser = residents[0]!;
  setClock(new Date(realNow - 3 * DAY_MS));
  const ended = await client.mutate(
    'proposeActivity',
    PROPOSE,
    { c: community.id, a: activityInput('中秋游园会 Mid-autumn lanterns', 'lantern-festival', realNow - 2 * HOUR_MS, realNow - 60_000, realNow - 2 * DAY_MS, '0', residents.length) },
    organiser.token,
  );
  await client.mutate('approveActivity', APPROVE, { id: ended.id }, community.managerToken);
  const participants = residents.filter((_, index) => index % 3 !== 1);
  await pool(participants, async (resident) => {
    await client.mutate('signUpForActivity', SIGN_UP, { id: ended.id, h: resident.household.id, k: signupKey(ended.id, resident) }, resident.token);
  });
  setClock(new Date(realNow - 2 * DAY_MS));
  await client.mutate('closeActivitySignups', `mutation ($id: ID!) { closeActivitySignups(activityId: $id) { ${RESULT} } }`, { id: ended.id }, community.managerToken);
  setClock(new Date(realNow));
  const subjectOfEnded = (await client.graphql(`query ($id: ID!) { activity(activityId: $id) { ratingSubjectId } }`, { id: ended.id }, community.managerToken)).activity.ratingSubjectId;
  const reviewPeriod = periodOf(new Date(realNow - 60_000));
  if (reviewPeriod !== current) await client.mutate('openRatingPeriod', OPEN_PERIOD, { c: community.id, p: reviewPeriod }, community.managerToken);
  await pool(participants.filter((_, index) => index % 2 === 0), async (resident, index) => {
    await client.mutate('submitRating', NAMED_RATING, { s: subjectOfEnded, p: reviewPeriod, score: 3 + (index % 3), comment: index === 0 ? '灯笼很漂亮' : null }, resident.token);
  });
  const upcoming = await client.mutate(
    'proposeActivity',
    PROPOSE,
    { c: community.id, a: activityInput('Spring clean-up of the garden', 'garden-day', realNow + 10 * DAY_MS, realNow + 10 * DAY_MS + 4 * HOUR_MS, realNow + 7 * DAY_MS, '2000', Math.max(1, Math.ceil(residents.length / 8))) },
    organiser.token,
  );
  await client.mutate('approveActivity', APPROVE, { id: upcoming.id }, community.managerToken);
  await pool(residents.filter((_, index) => index % 4 === 0), async (resident) => {
    await client.mutate('signUpForActivity', SIGN_UP, { id: upcoming.id, h: resident.household.id, k: signupKey(upcoming.id, resident) }, resident.token);
  });
  tick(`${community.slug}: activities`);

  // Close the two proposals once their window has passed.
  const wait = closesAt.getTime() - Date.now();
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait + 50));
  for (const proposal of [art278, poll]) await client.mutate('closeProposal', CLOSE_PROPOSAL, { id: proposal.id }, committeeToken);
  tick(`${community.slug}: proposals closed`);
  return { proposals: { anonymous: art278.id, named: poll.id, open: open.id }, ratingPeriods: periods, ratingSubjects: subjects, activities: { ended: ended.id, upcoming: upcoming.id } };
}
