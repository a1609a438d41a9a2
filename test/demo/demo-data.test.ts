/**
 * `npm run demo` at a small size (scripts/demo/): two communities of 10 households and two
 * months of fees, made through the GraphQL API and the money day, then 6 residents each
 * joining the censuses, proposals (one anonymous ballot per community, a real proof), named
 * ratings and activities, on this run's database.
 * Every log it wrote passes the audit with the modules' replays, and what it made is
 * there to read through the API.
 * @ci-pglite-only: it drives the same API calls the domain tests already run on PostgreSQL;
 * what it adds (the demo script, the GraphiQL tabs) does not depend on the engine.
 */
import { auditDemo } from '../../scripts/demo/demo-audit.ts';
import { createDemo, type DemoCommunity } from '../../scripts/demo/demo-installation.ts';
import { GRAPHIQL_EXAMPLES } from '../../src/server/graphiql-examples.ts';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../support/app.ts';

let testApp: TestApp;
let communities: DemoCommunity[];
const progress: Array<[number, number]> = [];

beforeAll(async () => {
  testApp = await createTestApp();
  communities = await createDemo(testApp.app, ADMIN_PASSWORD, { communities: 2, households: 20, months: 2, residents: 6, proofs: 2 }, (done, total) => progress.push([done, total]));
}, 180_000);
afterAll(() => testApp.dispose());

test('makes the communities and households asked for, reporting progress to the end', async () => {
  expect(communities.map((community) => [community.slug, community.households])).toEqual([
    ['demo-1', 10],
    ['demo-2', 10],
  ]);
  const listed = await testApp.graphql(`query ($c: ID!) { households(communityId: $c, first: 100) { edges { node { id } } } }`, { c: communities[0]!.id }, communities[0]!.managerToken);
  expect(listed.data.households.edges).toHaveLength(10);
  expect(progress.at(-1)).toEqual([progress.at(-1)![1], progress.at(-1)![1]]);
  expect(progress.every(([done, total], index) => done <= total && (index === 0 || done >= progress[index - 1]![0]))).toBe(true);
});

test('closes proposals with their results on the ledger, and leaves one open', async () => {
  const community = communities[0]!;
  const PROPOSAL = `query ($id: ID!) { proposal(id: $id) { __typename ... on QueryProposalSuccess { data {
    status mode result { participatingHeads ballotsCast ledgerSeq participationMet passed } } } ... on Error { code message } } }`;
  const read = async (id: string) => (await testApp.graphql(PROPOSAL, { id }, community.managerToken)).data.proposal.data;
  const { anonymous, named, open } = community.participation!.proposals;
  expect(await read(anonymous)).toMatchObject({ status: 'FINAL', mode: 'ANONYMOUS', result: { participatingHeads: '1', ballotsCast: 1, participationMet: true, passed: true } });
  const poll = await read(named);
  expect(poll).toMatchObject({ status: 'FINAL', mode: 'NAMED', result: { participatingHeads: '6', ballotsCast: 6 } });
  expect(Number(poll.result.ledgerSeq)).toBeGreaterThan(0);
  expect(await read(open)).toMatchObject({ status: 'OPEN', result: null });
});

test('leaves rating aggregates and a trend over closed months, and activities with sign-ups and reviews', async () => {
  const community = communities[1]!;
  const { ratingPeriods, ratingSubjects, activities } = community.participation!;
  const SUBJECT = `query ($id: ID!, $p: String!) { ratingSubject(id: $id) { __typename ... on QueryRatingSubjectSuccess { data {
    aggregate(period: $p) { count mean } trend(periods: 3) { period aggregate { count } } } } ... on Error { code message } } }`;
  const cleaning = (await testApp.graphql(SUBJECT, { id: ratingSubjects['cleaning'], p: ratingPeriods[1] }, community.managerToken)).data.ratingSubject.data;
  expect(cleaning.aggregate.count).toBeGreaterThan(3);
  expect(cleaning.trend.filter((point: any) => point.aggregate.count > 0).map((point: any) => point.period)).toEqual(ratingPeriods);
  const PERIODS = `query ($c: ID!) { ratingPeriods(communityId: $c, first: 5) { edges { node { period status } } } }`;
  const periods = (await testApp.graphql(PERIODS, { c: community.id }, community.managerToken)).data.ratingPeriods.edges.map((edge: any) => edge.node);
  expect(periods).toEqual(expect.arrayContaining(ratingPeriods.map((period) => ({ period, status: 'CLOSED' }))));
  const ACTIVITY = `query ($id: ID!) { activity(activityId: $id) { status participants reviews { aggregate { count } } } }`;
  const ended = (await testApp.graphql(ACTIVITY, { id: activities.ended }, community.managerToken)).data.activity;
  expect(ended.status).toBe('CLOSED');
  expect(ended.participants).toBeGreaterThan(3);
  expect(ended.reviews.aggregate.count).toBeGreaterThan(1);
  const upcoming = (await testApp.graphql(ACTIVITY, { id: activities.upcoming }, community.managerToken)).data.activity;
  expect(upcoming).toMatchObject({ status: 'OPEN', reviews: null });
  expect(upcoming.participants).toBeGreaterThan(0);
});

test("answers GraphiQL's demo tabs: a proposal's tally and a rating aggregate", async () => {
  const community = communities[0]!;
  const run = async (tab: number, operationName: string, variables: Record<string, unknown>) => {
    const response = await testApp.app.yoga.fetch('http://courtyard.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${community.managerToken}` },
      body: JSON.stringify({ query: GRAPHIQL_EXAMPLES[tab]!.query, operationName, variables }),
    });
    const result = (await response.json()) as { data: any; errors?: unknown };
    expect(result.errors).toBeUndefined();
    return result.data;
  };
  const proposals = (await run(5, 'DemoProposals', { communityId: community.id })).proposals.edges.map((edge: any) => edge.node);
  const matter = proposals.find((proposal: any) => proposal.matter === 4);
  expect(matter).toMatchObject({ mode: 'ANONYMOUS', result: { ballotsCast: 1 } });
  expect(matter.result.totals.map((total: any) => total.option)).toEqual(['yes', 'no', 'abstain']);
  const period = community.participation!.ratingPeriods[1]!;
  const card = (await run(6, 'DemoScoreCard', { communityId: community.id, period })).serviceScoreCard.data;
  expect(card.period).toEqual({ period, status: 'CLOSED' });
  expect(card.overall.count).toBeGreaterThan(10);
  const trend = (await run(6, 'DemoRatingTrend', { subjectId: card.services[0].subject.id, period })).ratingSubject.data;
  expect(trend.aggregate.count).toBe(card.services[0].aggregate.count);
});

test('leaves logs the audit accepts: hashes, sequence, tree and the modules\' replays', async () => {
  const audits = await auditDemo(testApp.app, communities);
  expect(audits.map((audit) => [audit.slug, audit.ok, audit.problem])).toEqual([
    ['demo-1', true, undefined],
    ['demo-2', true, undefined],
    ['installation', true, undefined],
  ]);
  // Invoices, payments, late fees and reminders of two months are on each log.
  const types = await testApp.graphql(`query ($c: ID!) { ledgerEntries(communityId: $c, first: 100) { edges { node { type } } } }`, { c: communities[0]!.id }, communities[0]!.managerToken);
  const seen = new Set(types.data.ledgerEntries.edges.map((edge: any) => edge.node.type));
  expect(audits[0]!.entries).toBeGreaterThan(20);
  expect(seen.size).toBeGreaterThan(4);
});
