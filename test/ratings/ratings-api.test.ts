/**
 * Ratings through the API, on real proofs of the households census: a household's second
 * anonymous rating in a period replaces its first and counts once; its ratings of two
 * subjects carry unrelated nullifiers; named ratings add up to what the test computes on
 * its own (a property over random ratings); a hidden comment stays on the ledger and
 * leaves the score card; outsiders, wrong roles and bad input get typed codes and write
 * nothing; the closing job closes a period left open; replay equals live.
 */
import fc from 'fast-check';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { censusMerkleProof } from '../../src/census/census-tree-service.ts';
import { closeDuePeriods } from '../../src/ratings/period-closing-job.ts';
import { compareRatingsReplay } from '../../src/ratings/ratings-replay-check.ts';
import { PERIOD_CLOSING_GRACE_DAYS } from '../../src/ratings/rating-subjects.ts';
import { periodEnd, periodOf, ratingMessage, ratingScope } from '../../src/ratings/rating-rules.ts';
import { loadMembershipArtifacts, type MembershipArtifacts } from '../../src/zk/artifacts-node.ts';
import { createIdentity, type Identity } from '../../src/zk/identity.ts';
import { proveMembership, type MembershipProof } from '../../src/zk/prover.ts';
import { createTestApp, mutate, type TestApp } from '../support/app.ts';
import { activateMembershipKey } from '../support/proof-community.ts';
import {
  createAccount,
  createCommunityFixture,
  grantRole,
  PASSWORD,
  type CommunityFixture,
} from '../support/fixtures.ts';

const localId = (globalId: string): string => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;

const SUBJECT = 'id key label active kind';
const PERIOD = 'period status';
const RECEIPT = 'ratingId subjectId period channel score comment nullifier replaced ledgerSeq';
const AGGREGATE = 'count sum mean distribution';
const OPEN = `mutation ($c: ID!, $p: String!) { openRatingPeriod(communityId: $c, period: $p) {
  __typename ... on MutationOpenRatingPeriodSuccess { data { ${PERIOD} } } ... on Error { code message } } }`;
const CLOSE = `mutation ($c: ID!, $p: String!) { closeRatingPeriod(communityId: $c, period: $p) {
  __typename ... on MutationCloseRatingPeriodSuccess { data { ${PERIOD} } } ... on Error { code message } } }`;
const ADD = `mutation ($c: ID!, $key: String!, $label: String!) { addRatingSubject(communityId: $c, key: $key, label: $label) {
  __typename ... on MutationAddRatingSubjectSuccess { data { ${SUBJECT} } } ... on Error { code message } } }`;
const SUBJECTS = `query ($c: ID!) { ratingSubjects(communityId: $c) { ${SUBJECT} } }`;
const NAMED = `mutation ($s: ID!, $p: String!, $score: Int!, $comment: String) { submitRating(subjectId: $s, period: $p, score: $score, comment: $comment) {
  __typename ... on MutationSubmitRatingSuccess { data { ${RECEIPT} } } ... on Error { code message } } }`;
const ANONYMOUS = `mutation ($s: ID!, $p: String!, $score: Int!, $comment: String, $proof: String!) {
  submitAnonymousRating(subjectId: $s, period: $p, score: $score, comment: $comment, proof: $proof) {
  __typename ... on MutationSubmitAnonymousRatingSuccess { data { ${RECEIPT} } } ... on Error { code message } } }`;
const HIDE = `mutation ($r: ID!, $reason: String!) { hideRatingComment(ratingId: $r, reason: $reason) {
  __typename ... on MutationHideRatingCommentSuccess { data { ratingId hidden hiddenReason comment } } ... on Error { code message } } }`;
const CARD = `query ($c: ID!, $p: String!) { serviceScoreCard(communityId: $c, period: $p) {
  __typename ... on QueryServiceScoreCardSuccess { data {
    period { ${PERIOD} } overall { ${AGGREGATE} } services { subject { id key } aggregate { ${AGGREGATE} } }
    comments(first: 20) { edges { node { ratingId subjectId score comment channel hidden } } } } }
  ... on Error { code message } } }`;
const SUBJECT_AGGREGATE = `query ($id: ID!, $p: String!) { ratingSubject(id: $id) {
  __typename ... on QueryRatingSubjectSuccess { data { aggregate(period: $p) { ${AGGREGATE} } trend(periods: 24) { period aggregate { ${AGGREGATE} } } } }
  ... on Error { code message } } }`;

/** The period this test rates anonymously in: the current month, so it can be opened. */
const NOW_PERIOD = periodOf(new Date());
const RESIDENTS = 5;

let testApp: TestApp;
let community: CommunityFixture;
let other: CommunityFixture;
let regulatorToken: string;
let residents: string[];
let subjects: Record<string, string>;
let identity: Identity;
let leafIndex: number;
let proofs: {
  cleaningFour: MembershipProof;
  cleaningTwo: MembershipProof;
  securityFive: MembershipProof;
  cleaningEarlier: MembershipProof;
};
/** An earlier month the household rates in too (closed before the named ratings' months). */
const EARLIER = '2024-12';

const db = () => testApp.database.orm.em.getConnection();
async function count(sql: string, parameters: unknown[] = []): Promise<number> {
  const [row] = await db().execute(`select count(*)::int as count from (${sql}) as counted`, parameters);
  return row!.count;
}
/** Everything a refused call must leave untouched. */
const footprint = async () => [
  (await count('select 1 from ledger_pending')) + (await count('select 1 from ledger_entries')),
  await count('select 1 from ratings'),
  await count('select 1 from rating_current'),
  await count('select 1 from rating_subjects'),
  await count('select 1 from rating_periods'),
  await count('select 1 from census_nullifiers'),
];

async function prove(
  artifacts: MembershipArtifacts,
  subject: string,
  period: string,
  score: number,
  comment: string | null,
): Promise<MembershipProof> {
  const em = testApp.database.orm.em.fork() as unknown as SqlEntityManager;
  return proveMembership(artifacts, {
    secret: identity.secret,
    merkleProof: await censusMerkleProof(em, localId(community.id), 'households', leafIndex),
    attribute: 1n,
    scope: ratingScope(subject, period),
    message: ratingMessage(score, comment),
  });
}

const anonymous = (subject: string, score: number, comment: string | null, proof: unknown, period = NOW_PERIOD) =>
  testApp.graphql(
    ANONYMOUS,
    { s: subject, p: period, score, comment, proof: typeof proof === 'string' ? proof : JSON.stringify(proof) },
    null,
  );

beforeAll(async () => {
  testApp = await createTestApp();
  const jurisdiction = await mutate(
    testApp,
    'createJurisdiction',
    `mutation { createJurisdiction(name: "Chaoyang") { __typename ... on MutationCreateJurisdictionSuccess { data { id } } ... on Error { code } } }`,
    {},
    testApp.adminToken,
  );
  community = await createCommunityFixture(testApp, 'ratings', jurisdiction.id);
  other = await createCommunityFixture(testApp, 'ratings-other');
  const regulator = await createAccount(testApp, 'ratings-regulator');
  await grantRole(testApp, regulator.id, 'REGULATOR', { jurisdictionId: jurisdiction.id });
  regulatorToken = await testApp.login('ratings-regulator', PASSWORD);
  residents = [community.residentToken];
  for (let index = 1; index < RESIDENTS; index++) {
    const account = await createAccount(testApp, `ratings-resident-${index}`);
    await grantRole(testApp, account.id, 'RESIDENT', { communityId: community.id });
    residents.push(await testApp.login(`ratings-resident-${index}`, PASSWORD));
  }
  await activateMembershipKey(testApp, community.id);
  const invite = await mutate(
    testApp,
    'createCensusInvite',
    `mutation ($c: ID!, $h: ID) { createCensusInvite(communityId: $c, kind: HOUSEHOLDS, householdId: $h) {
    __typename ... on MutationCreateCensusInviteSuccess { data { code } } ... on Error { code message } } }`,
    { c: community.id, h: community.householdId },
    community.managerToken,
  );
  identity = await createIdentity();
  const joined = await mutate(
    testApp,
    'joinCensus',
    `mutation ($code: String!, $c: String!) { joinCensus(inviteCode: $code, identityCommitment: $c) {
    __typename ... on MutationJoinCensusSuccess { data { leafIndex } } ... on Error { code message } } }`,
    { code: invite.code, c: identity.commitment.toString() },
    community.residentToken,
  );
  leafIndex = joined.leafIndex;

  await mutate(testApp, 'openRatingPeriod', OPEN, { c: community.id, p: NOW_PERIOD }, community.managerToken);
  const listed = (await testApp.graphql(SUBJECTS, { c: community.id }, community.residentToken)).data
    .ratingSubjects as Array<{ id: string; key: string }>;
  subjects = Object.fromEntries(listed.map((subject) => [subject.key, subject.id]));
  const artifacts = await loadMembershipArtifacts('membership-10');
  proofs = {
    cleaningFour: await prove(artifacts, subjects['cleaning']!, NOW_PERIOD, 4, '楼道很干净'),
    cleaningTwo: await prove(artifacts, subjects['cleaning']!, NOW_PERIOD, 2, null),
    securityFive: await prove(artifacts, subjects['security']!, NOW_PERIOD, 5, null),
    cleaningEarlier: await prove(artifacts, subjects['cleaning']!, EARLIER, 2, null),
  };
}, 300_000);
afterAll(() => testApp.dispose());

describe('subjects and periods', () => {
  it("creates the five default service categories with a community's first period", () => {
    expect(Object.keys(subjects).sort()).toEqual(['cleaning', 'greening', 'management', 'repairs', 'security']);
  });

  it('lets managers add a category, and refuses residents, outsiders and callers without a session', async () => {
    const added = await mutate(
      testApp,
      'addRatingSubject',
      ADD,
      { c: community.id, key: 'parking', label: '停车 Parking' },
      community.managerToken,
    );
    expect(added).toMatchObject({ key: 'parking', active: true, kind: 'SERVICE' });
    const before = await footprint();
    expect(
      (await testApp.graphql(ADD, { c: community.id, key: 'lifts', label: '电梯' }, community.residentToken)).data
        .addRatingSubject.code,
    ).toBe('FORBIDDEN');
    expect(
      (await testApp.graphql(ADD, { c: community.id, key: 'lifts', label: '电梯' }, other.managerToken)).data
        .addRatingSubject.code,
    ).toBe('FORBIDDEN');
    expect(
      (await testApp.graphql(ADD, { c: community.id, key: 'lifts', label: '电梯' }, null)).data.addRatingSubject.code,
    ).toBe('UNAUTHENTICATED');
    expect(
      (await testApp.graphql(ADD, { c: community.id, key: 'parking', label: '停车' }, community.managerToken)).data
        .addRatingSubject.code,
    ).toBe('SUBJECT_CONFLICT');
    expect(
      (await testApp.graphql(ADD, { c: community.id, key: 'Bad Key', label: '停车' }, community.managerToken)).data
        .addRatingSubject.code,
    ).toBe('INVALID_INPUT');
    expect(
      (await testApp.graphql(OPEN, { c: community.id, p: '2099-01' }, community.managerToken)).data.openRatingPeriod
        .code,
    ).toBe('PERIOD_STATE');
    expect(
      (await testApp.graphql(OPEN, { c: community.id, p: NOW_PERIOD }, community.managerToken)).data.openRatingPeriod
        .code,
    ).toBe('PERIOD_STATE');
    expect(
      (await testApp.graphql(OPEN, { c: community.id, p: '2026-13' }, community.managerToken)).data.openRatingPeriod
        .code,
    ).toBe('INVALID_INPUT');
    expect(
      (await testApp.graphql(OPEN, { c: community.id, p: '2025-01' }, community.residentToken)).data.openRatingPeriod
        .code,
    ).toBe('FORBIDDEN');
    expect(await footprint()).toEqual(before);
  });
});

describe('reading subjects and periods', () => {
  const PERIODS = `query ($c: ID!) { ratingPeriods(communityId: $c, first: 5) { edges { node { ${PERIOD} } } } }`;
  const ONE = `query ($id: ID!) { ratingSubject(id: $id) { __typename ... on QueryRatingSubjectSuccess { data { key } } ... on Error { code } } }`;

  it('lets members and regulators read them, and refuses outsiders and callers without a session', async () => {
    for (const token of [community.residentToken, regulatorToken]) {
      expect(
        (await testApp.graphql(PERIODS, { c: community.id }, token)).data.ratingPeriods.edges.map(
          (edge: any) => edge.node,
        ),
      ).toContainEqual({ period: NOW_PERIOD, status: 'OPEN' });
      expect((await testApp.graphql(ONE, { id: subjects['cleaning'] }, token)).data.ratingSubject.data.key).toBe(
        'cleaning',
      );
    }
    for (const [token, code] of [
      [other.residentToken, 'FORBIDDEN'],
      [null, 'UNAUTHENTICATED'],
    ] as const) {
      expect((await testApp.graphql(SUBJECTS, { c: community.id }, token)).errors?.[0]?.extensions?.code).toBe(code);
      expect((await testApp.graphql(PERIODS, { c: community.id }, token)).errors?.[0]?.extensions?.code).toBe(code);
      expect((await testApp.graphql(ONE, { id: subjects['cleaning'] }, token)).data.ratingSubject.code).toBe(code);
    }
  });

  it('refuses ratings of a paused subject until it is resumed', async () => {
    const SET = `mutation ($s: ID!, $a: Boolean!) { setRatingSubjectActive(subjectId: $s, active: $a) {
      __typename ... on MutationSetRatingSubjectActiveSuccess { data { ${SUBJECT} } } ... on Error { code message } } }`;
    expect(
      (await testApp.graphql(SET, { s: subjects['management'], a: false }, community.residentToken)).data
        .setRatingSubjectActive.code,
    ).toBe('FORBIDDEN');
    expect(
      await mutate(
        testApp,
        'setRatingSubjectActive',
        SET,
        { s: subjects['management'], a: false },
        community.managerToken,
      ),
    ).toMatchObject({ active: false });
    const before = await footprint();
    expect(
      (await testApp.graphql(NAMED, { s: subjects['management'], p: NOW_PERIOD, score: 3 }, community.residentToken))
        .data.submitRating.code,
    ).toBe('SUBJECT_INACTIVE');
    expect(await footprint()).toEqual(before);
    expect(
      await mutate(
        testApp,
        'setRatingSubjectActive',
        SET,
        { s: subjects['management'], a: true },
        community.managerToken,
      ),
    ).toMatchObject({ active: true });
  });
});

describe('anonymous ratings', () => {
  let first: { nullifier: string; ratingId: string };

  it("counts a household's second rating of a subject in a period once, replacing the first", async () => {
    first = (await anonymous(subjects['cleaning']!, 4, '楼道很干净', proofs.cleaningFour)).data.submitAnonymousRating
      .data;
    expect(first).toMatchObject({ channel: 'ANONYMOUS', score: 4, replaced: false, comment: '楼道很干净' });
    const second = (await anonymous(subjects['cleaning']!, 2, null, proofs.cleaningTwo)).data.submitAnonymousRating
      .data;
    expect(second).toMatchObject({ channel: 'ANONYMOUS', score: 2, replaced: true, nullifier: first.nullifier });
    const aggregate = (
      await testApp.graphql(SUBJECT_AGGREGATE, { id: subjects['cleaning'], p: NOW_PERIOD }, community.residentToken)
    ).data.ratingSubject.data.aggregate;
    expect(aggregate).toEqual({ count: 1, sum: 2, mean: 2, distribution: [0, 1, 0, 0, 0] });
    expect(await count('select 1 from ratings where subject_id = ?', [subjects['cleaning']])).toBe(2);
    // The replaced rating's comment leaves the card with it.
    const card = (await testApp.graphql(CARD, { c: community.id, p: NOW_PERIOD }, community.residentToken)).data
      .serviceScoreCard.data;
    expect(card.comments.edges).toEqual([]);
  });

  it('counts one household once when it sends the same rating from 8 concurrent clients', async () => {
    const before = await count('select 1 from ratings');
    const results = await Promise.all(
      Array.from({ length: 8 }, () => anonymous(subjects['cleaning']!, 2, null, proofs.cleaningTwo)),
    );
    for (const result of results)
      expect(result.data.submitAnonymousRating.data).toMatchObject({ replaced: true, nullifier: first.nullifier });
    expect(await count('select 1 from ratings')).toBe(before + 8);
    expect(await count('select 1 from rating_current where subject_id = ?', [subjects['cleaning']])).toBe(1);
    const em = testApp.database.orm.em.fork() as unknown as SqlEntityManager;
    expect((await compareRatingsReplay(em, localId(community.id))).differences).toEqual([]);
  });

  it("gives the same household's ratings of two subjects unrelated nullifiers", async () => {
    const security = (await anonymous(subjects['security']!, 5, null, proofs.securityFive)).data.submitAnonymousRating
      .data;
    expect(security).toMatchObject({ replaced: false, score: 5 });
    expect(security.nullifier).not.toBe(first.nullifier);
    expect(ratingScope(subjects['security']!, NOW_PERIOD)).not.toBe(ratingScope(subjects['cleaning']!, NOW_PERIOD));
    // Nothing on the record ties them together: each entry carries only its own nullifier.
    const entries: Array<{ payload: Record<string, unknown>; actor: string }> = await db().execute(
      `select payload, actor from ledger_entries where community_id = ? and type = 'ratings.rating' and payload->>'channel' = 'anonymous'`,
      [localId(community.id)],
    );
    expect(new Set(entries.map((entry) => entry.actor))).toEqual(new Set(['anonymous']));
    expect(new Set(entries.map((entry) => entry.payload['nullifier']))).toEqual(
      new Set([first.nullifier, security.nullifier]),
    );
  });

  it("gives the same household's ratings of one subject in two periods unrelated nullifiers", async () => {
    await mutate(testApp, 'openRatingPeriod', OPEN, { c: community.id, p: EARLIER }, community.managerToken);
    const earlier = (await anonymous(subjects['cleaning']!, 2, null, proofs.cleaningEarlier, EARLIER)).data
      .submitAnonymousRating.data;
    expect(earlier).toMatchObject({ replaced: false, period: EARLIER });
    expect(earlier.nullifier).not.toBe(first.nullifier);
    // Proved for one period, refused in another.
    expect(
      (await anonymous(subjects['cleaning']!, 2, null, proofs.cleaningEarlier)).data.submitAnonymousRating.code,
    ).toBe('SCOPE_MISMATCH');
    await mutate(testApp, 'closeRatingPeriod', CLOSE, { c: community.id, p: EARLIER }, community.managerToken);
    expect(
      (await anonymous(subjects['cleaning']!, 2, null, proofs.cleaningEarlier, EARLIER)).data.submitAnonymousRating
        .code,
    ).toBe('PERIOD_CLOSED');
  });

  it('refuses a proof for another subject, a changed score or comment, bad scores and text, with typed codes, writing nothing', async () => {
    const before = await footprint();
    const cases: Array<[Promise<any>, string]> = [
      [anonymous(subjects['greening']!, 5, null, proofs.securityFive), 'SCOPE_MISMATCH'],
      [anonymous(subjects['security']!, 4, null, proofs.securityFive), 'MESSAGE_MISMATCH'],
      [anonymous(subjects['security']!, 5, '补一句', proofs.securityFive), 'MESSAGE_MISMATCH'],
      [anonymous(subjects['security']!, 5, null, proofs.securityFive, '2025-02'), 'PERIOD_NOT_OPEN'],
      [anonymous(subjects['security']!, 6, null, proofs.securityFive), 'INVALID_INPUT'],
      [anonymous(subjects['security']!, 5, 'bell\u0007', proofs.securityFive), 'INVALID_INPUT'],
      [anonymous(subjects['security']!, 5, null, '{"proof": 1}'), 'PUBLIC_SIGNAL_COUNT'],
      [anonymous(subjects['security']!, 5, null, 'not json'), 'PROOF_MALFORMED'],
      [anonymous('00000000-0000-4000-8000-000000000000', 5, null, proofs.securityFive), 'NOT_FOUND'],
      [
        testApp.graphql(NAMED, { s: subjects['security'], p: NOW_PERIOD, score: 0 }, community.residentToken),
        'INVALID_INPUT',
      ],
      [
        testApp.graphql(
          NAMED,
          { s: subjects['security'], p: NOW_PERIOD, score: 3, comment: 'x'.repeat(501) },
          community.residentToken,
        ),
        'INVALID_INPUT',
      ],
      [
        testApp.graphql(NAMED, { s: subjects['security'], p: '26-11', score: 3 }, community.residentToken),
        'INVALID_INPUT',
      ],
    ];
    for (const [call, code] of cases) {
      const result = await call;
      const payload = result.data?.submitAnonymousRating ?? result.data?.submitRating;
      expect(payload?.code ?? result.errors?.[0]?.extensions?.code).toBe(code);
    }
    expect(await footprint()).toEqual(before);
  });
});

describe('named ratings', () => {
  it('lets only residents of the community rate by name', async () => {
    const before = await footprint();
    const rate = (token: string | null) =>
      testApp.graphql(NAMED, { s: subjects['repairs'], p: NOW_PERIOD, score: 3 }, token);
    expect((await rate(community.managerToken)).data.submitRating.code).toBe('FORBIDDEN');
    expect((await rate(other.residentToken)).data.submitRating.code).toBe('FORBIDDEN');
    expect((await rate(regulatorToken)).data.submitRating.code).toBe('FORBIDDEN');
    expect((await rate(null)).data.submitRating.code).toBe('UNAUTHENTICATED');
    expect(await footprint()).toEqual(before);
  });

  it('adds up to the figures computed independently, for random ratings and replacements', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            rater: fc.nat(RESIDENTS - 1),
            subject: fc.constantFrom('cleaning', 'security', 'greening'),
            score: fc.integer({ min: 1, max: 5 }),
          }),
          { minLength: 1, maxLength: 12 },
        ),
        async (ratings) => {
          const period = `2025-${String(++run).padStart(2, '0')}`;
          await mutate(testApp, 'openRatingPeriod', OPEN, { c: community.id, p: period }, community.managerToken);
          const last = new Map<string, { subject: string; score: number }>();
          for (const [index, rating] of ratings.entries()) {
            const comment = index % 3 === 0 ? `第${index}条` : null;
            await mutate(
              testApp,
              'submitRating',
              NAMED,
              { s: subjects[rating.subject], p: period, score: rating.score, comment },
              residents[rating.rater]!,
            );
            last.set(`${rating.rater}/${rating.subject}`, { subject: rating.subject, score: rating.score });
          }
          const expected = (scores: number[]) => ({
            count: scores.length,
            sum: scores.reduce((a, b) => a + b, 0),
            mean: scores.length === 0 ? null : scores.reduce((a, b) => a + b, 0) / scores.length,
            distribution: [1, 2, 3, 4, 5].map((score) => scores.filter((s) => s === score).length),
          });
          const card = (await testApp.graphql(CARD, { c: community.id, p: period }, community.residentToken)).data
            .serviceScoreCard.data;
          expect(card.overall).toEqual(expected([...last.values()].map((rating) => rating.score)));
          for (const line of card.services) {
            expect(line.aggregate).toEqual(
              expected(
                [...last.values()]
                  .filter((rating) => rating.subject === line.subject.key)
                  .map((rating) => rating.score),
              ),
            );
          }
        },
      ),
      { numRuns: 6 },
    );
    // The trend lists each period's aggregate, oldest first.
    const subject = (
      await testApp.graphql(SUBJECT_AGGREGATE, { id: subjects['cleaning'], p: NOW_PERIOD }, community.residentToken)
    ).data.ratingSubject.data;
    expect(subject.trend.map((point: { period: string }) => point.period)).toEqual([
      EARLIER,
      '2025-01',
      '2025-02',
      '2025-03',
      '2025-04',
      '2025-05',
      '2025-06',
      NOW_PERIOD,
    ]);
    expect(subject.trend.at(-1).aggregate).toEqual(subject.aggregate);
  });
});

describe('the score card and moderation', () => {
  let named: { ratingId: string };

  it('is read by members and regulators of the community, and refused to outsiders', async () => {
    named = await mutate(
      testApp,
      'submitRating',
      NAMED,
      { s: subjects['greening'], p: NOW_PERIOD, score: 1, comment: '草坪没人修剪' },
      residents[1]!,
    );
    for (const token of [community.residentToken, community.managerToken, regulatorToken]) {
      const card = (await testApp.graphql(CARD, { c: community.id, p: NOW_PERIOD }, token)).data.serviceScoreCard;
      expect(card.data.comments.edges.map((edge: any) => edge.node.comment)).toEqual(['草坪没人修剪']);
    }
    expect(
      (await testApp.graphql(CARD, { c: community.id, p: NOW_PERIOD }, other.residentToken)).data.serviceScoreCard.code,
    ).toBe('FORBIDDEN');
    expect((await testApp.graphql(CARD, { c: community.id, p: NOW_PERIOD }, null)).data.serviceScoreCard.code).toBe(
      'UNAUTHENTICATED',
    );
  });

  it('hides a comment with a reason as a ledger entry: it stays stored, leaves the card, and its score still counts', async () => {
    const cardBefore = (await testApp.graphql(CARD, { c: community.id, p: NOW_PERIOD }, community.residentToken)).data
      .serviceScoreCard.data;
    const before = await footprint();
    expect(
      (await testApp.graphql(HIDE, { r: named.ratingId, reason: '不文明' }, community.residentToken)).data
        .hideRatingComment.code,
    ).toBe('FORBIDDEN');
    expect(
      (await testApp.graphql(HIDE, { r: named.ratingId, reason: '不文明' }, other.managerToken)).data.hideRatingComment
        .code,
    ).toBe('FORBIDDEN');
    expect(
      (await testApp.graphql(HIDE, { r: named.ratingId, reason: '' }, community.managerToken)).data.hideRatingComment
        .code,
    ).toBe('INVALID_INPUT');
    expect(await footprint()).toEqual(before);
    const hidden = await mutate(
      testApp,
      'hideRatingComment',
      HIDE,
      { r: named.ratingId, reason: '涉及他人隐私' },
      community.managerToken,
    );
    expect(hidden).toEqual({
      ratingId: named.ratingId,
      hidden: true,
      hiddenReason: '涉及他人隐私',
      comment: '草坪没人修剪',
    });
    expect(
      (await testApp.graphql(HIDE, { r: named.ratingId, reason: '再次' }, community.managerToken)).data
        .hideRatingComment.code,
    ).toBe('COMMENT_STATE');

    const card = (await testApp.graphql(CARD, { c: community.id, p: NOW_PERIOD }, community.residentToken)).data
      .serviceScoreCard.data;
    expect(card.comments.edges).toEqual([]);
    expect(card.overall).toEqual(cardBefore.overall);
    expect(card.services).toEqual(cardBefore.services);
    const [entry] = await db().execute(
      `select payload from ledger_entries where community_id = ? and type = 'ratings.comment-hidden'`,
      [localId(community.id)],
    );
    expect(entry!.payload).toMatchObject({ rating: named.ratingId });
    const HIDDEN = `query ($c: ID!, $p: String!) { serviceScoreCard(communityId: $c, period: $p) {
      ... on QueryServiceScoreCardSuccess { data { hiddenComments(first: 20) { edges { node { ratingId comment hiddenReason } } } } } } }`;
    const review = await testApp.graphql(HIDDEN, { c: community.id, p: NOW_PERIOD }, community.managerToken);
    expect(review.data.serviceScoreCard.data.hiddenComments.edges.map((edge: any) => edge.node)).toEqual([
      { ratingId: named.ratingId, comment: '草坪没人修剪', hiddenReason: '涉及他人隐私' },
    ]);
    const refused = await testApp.graphql(HIDDEN, { c: community.id, p: NOW_PERIOD }, community.residentToken);
    expect(refused.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const [rating] = await db().execute('select comment from ratings where id = ?', [named.ratingId]);
    expect(rating!.comment).toBe('草坪没人修剪');
  });
});

describe('the record', () => {
  it('refuses ratings once a period is closed, and the closing job closes periods left open', async () => {
    await mutate(testApp, 'closeRatingPeriod', CLOSE, { c: community.id, p: '2025-01' }, community.managerToken);
    const before = await footprint();
    expect(
      (await testApp.graphql(NAMED, { s: subjects['cleaning'], p: '2025-01', score: 5 }, community.residentToken)).data
        .submitRating.code,
    ).toBe('PERIOD_CLOSED');
    expect(
      (await testApp.graphql(CLOSE, { c: community.id, p: '2025-01' }, community.managerToken)).data.closeRatingPeriod
        .code,
    ).toBe('PERIOD_CLOSED');
    expect(
      (await testApp.graphql(CLOSE, { c: community.id, p: '2025-03' }, community.residentToken)).data.closeRatingPeriod
        .code,
    ).toBe('FORBIDDEN');
    expect(await footprint()).toEqual(before);
    // A past month opened late closes a week after its opening; the current month a week after its end.
    const periods: Array<{ period: string; opened_at: Date; closes_at: Date }> = await db().execute(
      `select period, opened_at, closes_at from rating_periods where community_id = ? and status = 'open' order by period`,
      [localId(community.id)],
    );
    const week = PERIOD_CLOSING_GRACE_DAYS * 86_400_000;
    const at = (value: Date | string) => new Date(value).getTime();
    for (const row of periods) {
      const expected = row.period === NOW_PERIOD ? at(periodEnd(NOW_PERIOD)) + week : at(row.opened_at) + week;
      expect(at(row.closes_at)).toBe(expected);
    }
    const services = testApp.app.services;
    const ours = (due: Array<{ communityId: string; period: string }>) =>
      due.filter((period) => period.communityId === localId(community.id)).map((period) => period.period);
    expect(ours(await closeDuePeriods(services))).toEqual([]);
    const lastPast = Math.max(...periods.filter((row) => row.period !== NOW_PERIOD).map((row) => at(row.closes_at)));
    // The current month closes a week after its end, so after the past months opened today —
    // unless this file started in one UTC month and got here in the next: then "today" is
    // past NOW_PERIOD's end, and NOW_PERIOD is due with them (the same rule, a later clock).
    const currentDue = at(periodEnd(NOW_PERIOD)) + week <= lastPast;
    expect(ours(await closeDuePeriods(services, new Date(lastPast)))).toEqual([
      ...(currentDue ? [NOW_PERIOD] : []),
      '2025-02',
      '2025-03',
      '2025-04',
      '2025-05',
      '2025-06',
    ]);
    const [open] = await db().execute(`select status from rating_periods where community_id = ? and period = ?`, [
      localId(community.id),
      NOW_PERIOD,
    ]);
    expect(open!.status).toBe(currentDue ? 'closed' : 'open');
  });

  it('replays to the live state, and keeps typed text and names off the ledger', async () => {
    const em = testApp.database.orm.em.fork() as unknown as SqlEntityManager;
    const comparison = await compareRatingsReplay(em, localId(community.id));
    expect(comparison.differences).toEqual([]);
    expect(comparison.entries).toBeGreaterThan(20);
    // A live score the ledger does not say is found.
    const [row] = await db().execute(
      'select rating_id, score from rating_current where subject_id = ? and period = ? limit 1',
      [subjects['security'], NOW_PERIOD],
    );
    await db().execute('update rating_current set score = ? where rating_id = ?', [
      row!.score === 1 ? 2 : 1,
      row!.rating_id,
    ]);
    const tampered = await compareRatingsReplay(em, localId(community.id));
    await db().execute('update rating_current set score = ? where rating_id = ?', [row!.score, row!.rating_id]);
    expect(tampered.differences).toHaveLength(1);
    expect(tampered.differences[0]!.description).toContain(String(row!.rating_id));
    const rows = await db().execute(
      `select payload from ledger_entries where community_id = ? and type like 'ratings.%'`,
      [localId(community.id)],
    );
    const text = JSON.stringify(rows);
    for (const typed of ['楼道很干净', '草坪没人修剪', '涉及他人隐私', '停车 Parking', community.residentName])
      expect(text).not.toContain(typed);
  });
});
