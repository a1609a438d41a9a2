/**
 * Activity reviews over HTTP, on real proofs (three, made once): when sign-ups close the
 * activity gets its participant census tree and its rating subject; after it ends a
 * participant household rates it anonymously (a replacement counted once) and a member
 * rates it by name; a non-participant's proof of the households census is refused with
 * NOT_PARTICIPANT, and so is a non-participant's named rating, writing nothing; the
 * organiser reads the aggregate and the comments; a later activity of the same kind shows
 * them; replay equals live.
 */
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { compareActivitiesReplay } from '../../src/activities/activity-replay.ts';
import { participantTree } from '../../src/activities/activity-reviews.ts';
import { censusMerkleProof } from '../../src/census/census-tree-service.ts';
import { compareRatingsReplay } from '../../src/ratings/ratings-replay-check.ts';
import { activityReviewPeriod, ratingMessage, ratingScope } from '../../src/ratings/rating-rules.ts';
import { loadMembershipArtifacts } from '../../src/zk/artifacts-node.ts';
import { createIdentity, type Identity } from '../../src/zk/identity.ts';
import { proveMembership, type MembershipProof } from '../../src/zk/prover.ts';
import { createTestApp, mutate, type TestApp } from '../support/app.ts';
import { activateMembershipKey } from '../support/proof-community.ts';
import {
  addHouseholdMember,
  createAccount,
  createCommunityFixture,
  grantRole,
  PASSWORD,
  registerHousehold,
  type CommunityFixture,
} from '../support/fixtures.ts';

const localId = (globalId: string): string => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** The real time the ratings are given at; the activity ended an hour before. */
const REAL = Date.now();
let clock = new Date(REAL - 3 * DAY_MS);
const iso = (ms: number) => new Date(ms).toISOString();

const RESULT = `__typename ... on Error { code message }`;
const PROPOSE = `mutation ($communityId: ID!, $activity: ActivityInput!) {
  proposeActivity(communityId: $communityId, activity: $activity) { ${RESULT} ... on MutationProposeActivitySuccess { data { id status kind } } }
}`;
const SIGN_UP = `mutation ($activityId: ID!, $householdId: ID!, $key: String!) {
  signUpForActivity(activityId: $activityId, householdId: $householdId, idempotencyKey: $key) {
    ${RESULT} ... on MutationSignUpForActivitySuccess { data { signupId } }
  }
}`;
const CLOSE = `mutation ($activityId: ID!) {
  closeActivitySignups(activityId: $activityId) { ${RESULT} ... on MutationCloseActivitySignupsSuccess { data { id status } } }
}`;
const AGGREGATE = 'count sum mean distribution';
const REVIEWS = `activityId period subject { id kind eligibleCensus } aggregate { ${AGGREGATE} } comments { score comment channel }`;
const ACTIVITY = `query ($id: ID!) { activity(activityId: $id) { reviews { ${REVIEWS} } } }`;
const EARLIER = `query ($id: ID!) { activity(activityId: $id) { earlierReviews { ${REVIEWS} } } }`;
const OPEN_PERIOD = `mutation ($c: ID!, $p: String!) { openRatingPeriod(communityId: $c, period: $p) {
  __typename ... on MutationOpenRatingPeriodSuccess { data { period } } ${RESULT} } }`;
const RECEIPT = 'ratingId channel score replaced';
const NAMED = `mutation ($s: ID!, $p: String!, $score: Int!, $comment: String) { submitRating(subjectId: $s, period: $p, score: $score, comment: $comment) {
  __typename ... on MutationSubmitRatingSuccess { data { ${RECEIPT} } } ${RESULT} } }`;
const ANONYMOUS = `mutation ($s: ID!, $p: String!, $score: Int!, $comment: String, $proof: String!) {
  submitAnonymousRating(subjectId: $s, period: $p, score: $score, comment: $comment, proof: $proof) {
  __typename ... on MutationSubmitAnonymousRatingSuccess { data { ${RECEIPT} } } ${RESULT} } }`;

let testApp: TestApp;
let community: CommunityFixture;
/** The non-participant: a resident of another household of the community, in the households census. */
let outsiderToken: string;
let activityId: string;
let subjectId: string;
let period: string;
let proofs: { participantFour: MembershipProof; participantTwo: MembershipProof; outsiderFive: MembershipProof };

const em = () => testApp.database.orm.em.fork() as unknown as SqlEntityManager;
async function footprint(): Promise<number[]> {
  const count = async (sql: string) => Number(((await em().execute(sql)) as Array<{ n: unknown }>)[0]!.n);
  return [
    await count('select (select count(*) from ledger_entries) + (select count(*) from ledger_pending) as n'),
    await count('select count(*) as n from ratings'),
    await count('select count(*) as n from census_nullifiers'),
  ];
}

function activityInput(startsAt: number, endsAt: number, signupsCloseAt: number) {
  return {
    title: '中秋游园会',
    description: 'Lanterns and riddles in the courtyard.',
    place: 'Courtyard garden',
    startsAt: iso(startsAt),
    endsAt: iso(endsAt),
    signupsCloseAt: iso(signupsCloseAt),
    capacity: 10,
    fee: '0',
    budget: '0',
    fullRefundUntil: iso(signupsCloseAt - HOUR_MS),
    lateRefundBasisPoints: 0,
    kind: 'lantern-festival',
  };
}

async function joinHouseholdsCensus(householdId: string, token: string, identity: Identity): Promise<number> {
  const invite = await mutate(
    testApp,
    'createCensusInvite',
    `mutation ($c: ID!, $h: ID) { createCensusInvite(communityId: $c, kind: HOUSEHOLDS, householdId: $h) {
    __typename ... on MutationCreateCensusInviteSuccess { data { code } } ${RESULT} } }`,
    { c: community.id, h: householdId },
    community.managerToken,
  );
  const joined = await mutate(
    testApp,
    'joinCensus',
    `mutation ($code: String!, $c: String!) { joinCensus(inviteCode: $code, identityCommitment: $c) {
    __typename ... on MutationJoinCensusSuccess { data { leafIndex } } ${RESULT} } }`,
    { code: invite.code, c: identity.commitment.toString() },
    token,
  );
  return joined.leafIndex;
}

const anonymous = (score: number, comment: string | null, proof: MembershipProof, subject = subjectId) =>
  testApp.graphql(ANONYMOUS, { s: subject, p: period, score, comment, proof: JSON.stringify(proof) }, null);

beforeAll(async () => {
  testApp = await createTestApp();
  testApp.app.services.money.jobsPaused = true;
  testApp.app.services.money.clock = { now: () => clock };
  community = await createCommunityFixture(testApp, 'reviews');
  const outsiderHousehold = await registerHousehold(testApp, community.managerToken, {
    communityId: community.id,
    unitLabel: 'reviews 4栋 101',
    floorAreaCentiSquareMetres: 9_000,
  });
  const outsider = await createAccount(testApp, 'reviews-outsider');
  await grantRole(testApp, outsider.id, 'RESIDENT', { communityId: community.id });
  await addHouseholdMember(testApp, community.managerToken, {
    householdId: outsiderHousehold.id,
    relation: 'OCCUPANT',
    name: '李娜',
    accountId: outsider.id,
  });
  outsiderToken = await testApp.login('reviews-outsider', PASSWORD);
  await activateMembershipKey(testApp, community.id);
  const participant = await createIdentity();
  const stranger = await createIdentity();
  await joinHouseholdsCensus(community.householdId, community.residentToken, participant);
  const strangerLeaf = await joinHouseholdsCensus(outsiderHousehold.id, outsiderToken, stranger);
  await mutate(
    testApp,
    'openBooks',
    `mutation ($c: ID!) { openBooks(communityId: $c) { ${RESULT} ... on MutationOpenBooksSuccess { data { id } } } }`,
    { c: community.id },
    community.managerToken,
  );
  await mutate(
    testApp,
    'setActivitySettings',
    `mutation ($c: ID!) { setActivitySettings(communityId: $c, approvalRequired: false) { ${RESULT} ... on MutationSetActivitySettingsSuccess { data } } }`,
    { c: community.id },
    community.managerToken,
  );

  // Proposed three days ago, sign-ups closed two days ago, ended an hour ago.
  const activity = await mutate(
    testApp,
    'proposeActivity',
    PROPOSE,
    {
      communityId: community.id,
      activity: activityInput(REAL - 2 * HOUR_MS, REAL - HOUR_MS, clock.getTime() + DAY_MS),
    },
    community.managerToken,
  );
  activityId = activity.id;
  expect(activity).toMatchObject({ status: 'OPEN', kind: 'lantern-festival' });
  await mutate(
    testApp,
    'signUpForActivity',
    SIGN_UP,
    { activityId, householdId: community.householdId, key: 'reviews-signup-1' },
    community.residentToken,
  );
  await mutate(testApp, 'closeActivitySignups', CLOSE, { activityId }, community.managerToken);
  period = activityReviewPeriod(new Date(REAL - HOUR_MS));
  await mutate(testApp, 'openRatingPeriod', OPEN_PERIOD, { c: community.id, p: period }, community.managerToken);
  const reviews = (await testApp.graphql(ACTIVITY, { id: activityId }, community.managerToken)).data.activity.reviews;
  subjectId = reviews.subject.id;

  const artifacts = await loadMembershipArtifacts('membership-10');
  const cid = localId(community.id);
  const prove = async (
    identity: Identity,
    tree: string,
    leaf: number,
    score: number,
    comment: string | null,
  ): Promise<MembershipProof> =>
    proveMembership(artifacts, {
      secret: identity.secret,
      merkleProof: await censusMerkleProof(em(), cid, tree as never, leaf),
      attribute: 1n,
      scope: ratingScope(subjectId, period),
      message: ratingMessage(score, comment),
    });
  // The participant household is the only leaf of the participant tree: index 0.
  proofs = {
    participantFour: await prove(participant, participantTree(activityId), 0, 4, '灯笼很漂亮'),
    participantTwo: await prove(participant, participantTree(activityId), 0, 2, null),
    outsiderFive: await prove(stranger, 'households', strangerLeaf, 5, null),
  };
}, 300_000);
afterAll(() => testApp.dispose());

describe('activity reviews', () => {
  it('builds the participant tree and the subject when sign-ups close', async () => {
    const leaves = (await em().execute(
      'select household_id, status from census_leaves where community_id = ? and kind = ?',
      [localId(community.id), participantTree(activityId)],
    )) as Array<{ household_id: string; status: string }>;
    expect(leaves).toEqual([{ household_id: localId(community.householdId), status: 'active' }]);
    const reviews = (await testApp.graphql(ACTIVITY, { id: activityId }, community.managerToken)).data.activity.reviews;
    expect(reviews).toMatchObject({
      activityId,
      period,
      subject: { kind: 'ACTIVITY', eligibleCensus: 'activity-participants' },
      aggregate: { count: 0 },
    });
  });

  it("takes a participant's anonymous review, counts its replacement once, and a member's named review", async () => {
    const first = (await anonymous(4, '灯笼很漂亮', proofs.participantFour)).data.submitAnonymousRating.data;
    expect(first).toMatchObject({ channel: 'ANONYMOUS', score: 4, replaced: false });
    const second = (await anonymous(2, null, proofs.participantTwo)).data.submitAnonymousRating.data;
    expect(second).toMatchObject({ score: 2, replaced: true });
    const named = (
      await testApp.graphql(NAMED, { s: subjectId, p: period, score: 5, comment: '明年还来' }, community.residentToken)
    ).data.submitRating.data;
    expect(named).toMatchObject({ channel: 'NAMED', score: 5, replaced: false });
  });

  it("refuses a non-participant's anonymous proof and named review with NOT_PARTICIPANT, writing nothing", async () => {
    const before = await footprint();
    expect((await anonymous(5, null, proofs.outsiderFive)).data.submitAnonymousRating.code).toBe('NOT_PARTICIPANT');
    expect(
      (await testApp.graphql(NAMED, { s: subjectId, p: period, score: 5, comment: null }, outsiderToken)).data
        .submitRating.code,
    ).toBe('NOT_PARTICIPANT');
    expect(await footprint()).toEqual(before);
  });

  it('shows the organiser the aggregate and comments, and nobody else', async () => {
    const reviews = (await testApp.graphql(ACTIVITY, { id: activityId }, community.managerToken)).data.activity.reviews;
    // Counted: the anonymous 2 (it replaced the 4 and its comment) and the named 5.
    expect(reviews.aggregate).toEqual({ count: 2, sum: 7, mean: 3.5, distribution: [0, 1, 0, 0, 1] });
    expect(reviews.comments).toEqual([{ score: 5, comment: '明年还来', channel: 'NAMED' }]);
    const forbidden = await testApp.graphql(ACTIVITY, { id: activityId }, outsiderToken);
    expect(forbidden.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN');
  });

  it('shows a new activity of the same kind the earlier reviews; one not ended or cancelled takes none', async () => {
    clock = new Date(REAL);
    const next = await mutate(
      testApp,
      'proposeActivity',
      PROPOSE,
      {
        communityId: community.id,
        activity: activityInput(REAL + 2 * DAY_MS, REAL + 2 * DAY_MS + HOUR_MS, REAL + DAY_MS),
      },
      community.residentToken,
    );
    const earlier = (await testApp.graphql(EARLIER, { id: next.id }, outsiderToken)).data.activity.earlierReviews;
    expect(earlier).toHaveLength(1);
    expect(earlier[0]).toMatchObject({ activityId, aggregate: { count: 2, sum: 7 } });
    await mutate(testApp, 'closeActivitySignups', CLOSE, { activityId: next.id }, community.residentToken);
    const nextSubject = (await testApp.graphql(ACTIVITY, { id: next.id }, community.residentToken)).data.activity
      .reviews.subject.id;
    expect(
      (await testApp.graphql(NAMED, { s: nextSubject, p: period, score: 5, comment: null }, community.residentToken))
        .data.submitRating.code,
    ).toBe('ACTIVITY_NOT_ENDED');
    // A cancelled activity is not rated.
    await mutate(
      testApp,
      'cancelActivity',
      `mutation ($activityId: ID!) { cancelActivity(activityId: $activityId) { ${RESULT} ... on MutationCancelActivitySuccess { data { status } } } }`,
      { activityId: next.id },
      community.residentToken,
    );
    expect(
      (await testApp.graphql(NAMED, { s: nextSubject, p: period, score: 5, comment: null }, community.residentToken))
        .data.submitRating.code,
    ).toBe('SUBJECT_INACTIVE');
  });

  it('replays to exactly the live subjects, counted ratings, activities and participant trees', async () => {
    const cid = localId(community.id);
    const ratings = await compareRatingsReplay(em(), cid);
    expect(ratings.differences).toEqual([]);
    const activities = await compareActivitiesReplay(em(), cid);
    expect(activities.differences).toEqual([]);
    // A participant leaf changed behind the ledger is named.
    await em().execute(`update census_leaves set status = 'removed' where community_id = ? and kind = ?`, [
      cid,
      participantTree(activityId),
    ]);
    expect((await compareActivitiesReplay(em(), cid)).differences).toContainEqual({
      description: `${participantTree(activityId)} leaf 0: live differs from replay`,
    });
  });
});
