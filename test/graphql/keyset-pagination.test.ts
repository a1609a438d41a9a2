/**
 * Every connection pages in SQL by keyset (src/graphql/keyset-connection.ts and
 * src/kernel/keyset.ts): opaque cursors, `first`/`after` and `last`/`before`, at most
 * CONNECTION_PAGE_MAX_SIZE items a page, and no limit on how far the list goes.
 */
import { randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { appendEntries } from '../../src/ledger/append-entry.ts';
import { integratePending } from '../../src/ledger/integrator.ts';
import { CONNECTION_PAGE_DEFAULT_SIZE, CONNECTION_PAGE_MAX_SIZE } from '../../src/graphql/keyset-connection.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createCommunityFixture, type CommunityFixture } from '../support/fixtures.ts';

const localId = (globalId: string): string => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;

/** More communities than the old in-memory listing could ever show. */
const BULK_COMMUNITIES = 1_050;
/** Households inserted in one statement, so they share one created_at and only the id orders them. */
const BULK_HOUSEHOLDS = 2 * 100 + 7;

let testApp: TestApp;
let community: CommunityFixture;

interface Page {
  edges: Array<{ cursor: string; node: Record<string, any> }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
}

beforeAll(async () => {
  testApp = await createTestApp();
  community = await createCommunityFixture(testApp, 'keyset-court');
  const connection = testApp.database.orm.em.getConnection();
  const slugs = Array.from({ length: BULK_COMMUNITIES }, (_, index) => `bulk-${String(index).padStart(4, '0')}`);
  await connection.execute(
    `insert into communities (id, slug, name, required_cosignatures, created_at) values ${slugs.map(() => `(?, ?, 'Bulk', 1, now())`).join(', ')}`,
    slugs.flatMap((slug) => [randomUUID(), slug]),
  );
  await connection.execute(
    `insert into households (id, community_id, floor_area_centi_square_metres, created_at) values ${Array.from({ length: BULK_HOUSEHOLDS }, () => '(?, ?, 5000, now())').join(', ')}`,
    Array.from({ length: BULK_HOUSEHOLDS }, () => [randomUUID(), localId(community.id)]).flat(),
  );
  const em = testApp.database.orm.em.fork() as SqlEntityManager;
  await em.transactional((transaction) =>
    appendEntries(transaction, localId(community.id), [1, 2, 3].map((counter) => ({ type: 'test.counted', payload: { counter }, actor: 'system' }))),
  );
  await integratePending(em, localId(community.id));
});
afterAll(() => testApp.dispose());

const PAGE_INFO = 'pageInfo { hasNextPage hasPreviousPage startCursor endCursor }';
const COMMUNITIES = `query ($first: Int, $after: String, $last: Int, $before: String) {
  communities(first: $first, after: $after, last: $last, before: $before) { edges { cursor node { slug } } ${PAGE_INFO} }
}`;
const HOUSEHOLDS = `query ($c: ID!, $first: Int, $after: String, $last: Int, $before: String) {
  households(communityId: $c, first: $first, after: $after, last: $last, before: $before) { edges { cursor node { id } } ${PAGE_INFO} }
}`;

async function page(query: string, field: string, variables: Record<string, unknown>, token = testApp.adminToken): Promise<Page> {
  const result = await testApp.graphql(query, variables, token);
  expect(result.errors).toBeUndefined();
  return result.data[field] as Page;
}

/** Follows `after` cursors to the end of the list, `size` at a time. */
async function everything(query: string, field: string, variables: Record<string, unknown>, size: number, token?: string): Promise<Array<Record<string, any>>> {
  const nodes: Array<Record<string, any>> = [];
  let after: string | undefined;
  for (let pages = 0; pages < 1_000; pages++) {
    const current = await page(query, field, { ...variables, first: size, after }, token);
    nodes.push(...current.edges.map((edge) => edge.node));
    if (!current.pageInfo.hasNextPage) return nodes;
    after = current.pageInfo.endCursor;
  }
  throw new Error('the list never ended');
}

describe('keyset connections', () => {
  it(`list every community, past the 1,000th, in slug order`, async () => {
    const slugs = (await everything(COMMUNITIES, 'communities', {}, CONNECTION_PAGE_MAX_SIZE)).map((node) => node.slug);
    expect(slugs.length).toBe(BULK_COMMUNITIES + 1);
    expect(new Set(slugs).size).toBe(slugs.length);
    expect(slugs).toEqual([...slugs].sort());
    expect(slugs).toContain('bulk-1049');
  });

  it('page backwards with last and before, to the same items', async () => {
    const forwards = await page(COMMUNITIES, 'communities', { first: 30 });
    const backwards = await page(COMMUNITIES, 'communities', { last: 10, before: forwards.edges[25]!.cursor });
    expect(backwards.edges.map((edge) => edge.node.slug)).toEqual(forwards.edges.slice(15, 25).map((edge) => edge.node.slug));
    expect(backwards.pageInfo.hasPreviousPage).toBe(true);
    const start = await page(COMMUNITIES, 'communities', { last: 10, before: forwards.edges[5]!.cursor });
    expect(start.edges.map((edge) => edge.node.slug)).toEqual(forwards.edges.slice(0, 5).map((edge) => edge.node.slug));
    expect(start.pageInfo.hasPreviousPage).toBe(false);
  });

  it(`return ${CONNECTION_PAGE_DEFAULT_SIZE} items when no size is asked, and refuse a page over ${CONNECTION_PAGE_MAX_SIZE}`, async () => {
    expect((await page(COMMUNITIES, 'communities', {})).edges).toHaveLength(CONNECTION_PAGE_DEFAULT_SIZE);
    for (const variables of [{ first: CONNECTION_PAGE_MAX_SIZE + 1 }, { last: CONNECTION_PAGE_MAX_SIZE + 1, before: (await page(COMMUNITIES, 'communities', { first: 1 })).pageInfo.endCursor }, { first: -1 }]) {
      const result = await testApp.graphql(COMMUNITIES, variables, testApp.adminToken);
      expect(result.errors?.map((error) => [error.extensions?.code, (error.extensions as any)?.parameter])).toEqual([
        ['INVALID_INPUT', 'first' in variables ? 'first' : 'last'],
      ]);
    }
  });

  it('list households that share a creation instant exactly once each, in both directions', async () => {
    const variables = { c: community.id };
    const forwards = (await everything(HOUSEHOLDS, 'households', variables, 50, community.managerToken)).map((node) => node.id);
    expect(forwards).toHaveLength(BULK_HOUSEHOLDS + 1);
    expect(new Set(forwards).size).toBe(forwards.length);
    const last = await page(HOUSEHOLDS, 'households', { ...variables, first: 100, after: (await page(HOUSEHOLDS, 'households', { ...variables, first: 100 }, community.managerToken)).pageInfo.endCursor }, community.managerToken);
    const before = await page(HOUSEHOLDS, 'households', { ...variables, last: 100, before: last.edges[0]!.cursor }, community.managerToken);
    expect(before.edges.map((edge) => edge.node.id)).toEqual(forwards.slice(0, 100));
  });

  it('refuse a cursor that is not one of this connection with INVALID_INPUT naming it', async () => {
    const communityCursor = (await page(COMMUNITIES, 'communities', { first: 1 })).pageInfo.endCursor;
    const cases: Array<[string, string, Record<string, unknown>]> = [
      [HOUSEHOLDS, 'after', { c: community.id, first: 5, after: communityCursor }],
      [HOUSEHOLDS, 'before', { c: community.id, last: 5, before: 'bm90IGEgY3Vyc29y' }],
      [COMMUNITIES, 'after', { first: 5, after: Buffer.from('OffsetConnection:3').toString('base64') }],
      [COMMUNITIES, 'after', { first: 5, after: '%%%' }],
    ];
    for (const [query, parameter, variables] of cases) {
      const result = await testApp.graphql(query, variables, community.managerToken);
      expect(result.errors?.map((error) => [error.extensions?.code, (error.extensions as any)?.parameter])).toEqual([['INVALID_INPUT', parameter]]);
    }
  });

  it('page the census, the ledger and accounts the same way, with opaque cursors', async () => {
    const ledger = await page(
      `query ($c: ID!) { ledgerEntries(communityId: $c, first: 2) { edges { cursor node { seq } } ${PAGE_INFO} } }`,
      'ledgerEntries',
      { c: community.id },
      community.residentToken,
    );
    expect(ledger.edges.map((edge) => edge.node.seq)).toEqual(['0', '1']);
    expect(ledger.edges.map((edge) => edge.cursor)).not.toContain('1');
    expect(ledger.pageInfo.hasNextPage).toBe(true);
    const next = await page(
      `query ($c: ID!, $after: String) { ledgerEntries(communityId: $c, first: 1, after: $after) { edges { node { seq } } ${PAGE_INFO} } }`,
      'ledgerEntries',
      { c: community.id, after: ledger.pageInfo.endCursor },
      community.residentToken,
    );
    expect(next.edges.map((edge) => edge.node.seq)).toEqual(['2']);
    const accounts = await everything(`query ($first: Int, $after: String) { accounts(first: $first, after: $after) { edges { cursor node { login } } ${PAGE_INFO} } }`, 'accounts', {}, 2);
    const logins = accounts.map((node) => node.login);
    expect(logins).toEqual([...logins].sort());
    expect(logins).toEqual(expect.arrayContaining(['admin', 'keyset-court-manager', 'keyset-court-resident']));
    const census = await testApp.graphql(
      `query ($c: ID!) { census(communityId: $c, kind: HOUSEHOLDS) { leaves(first: 5) { edges { cursor } ${PAGE_INFO} } roots(first: 5) { edges { cursor } ${PAGE_INFO} } } }`,
      { c: community.id },
      community.residentToken,
    );
    expect(census.errors).toBeUndefined();
  });

  it('refuse accounts to anyone but an admin', async () => {
    const result = await testApp.graphql(`{ accounts(first: 1) { edges { cursor } } }`, {}, community.managerToken);
    expect(result.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
  });
});
