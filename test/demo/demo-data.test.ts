/**
 * `npm run demo` at a small size (scripts/demo/): two communities of 10 households and two
 * months of fees, made through the GraphQL API and the money day, on this run's database.
 * Every log it wrote passes the audit with the modules' replays, and what it made is
 * there to read through the API.
 */
import { auditDemo } from '../../scripts/demo/demo-audit.ts';
import { createDemo, type DemoCommunity } from '../../scripts/demo/demo-installation.ts';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../support/app.ts';

let testApp: TestApp;
let communities: DemoCommunity[];
const progress: Array<[number, number]> = [];

beforeAll(async () => {
  testApp = await createTestApp();
  communities = await createDemo(testApp.app, ADMIN_PASSWORD, { communities: 2, households: 20, months: 2 }, (done, total) => progress.push([done, total]));
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

test('leaves logs the audit accepts: hashes, sequence, tree and the money replay', async () => {
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
