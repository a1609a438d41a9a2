/**
 * The community dashboard (`communities`): what it answers, what it costs in SQL
 * statements, and that keeping the communities' records in the process changes neither
 * who may read what nor the order of the pages.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { countStatements } from '../../src/db/statement-count.ts';
import { createTestApp, mutate, type TestApp } from '../support/app.ts';
import { createAccount, grantRole } from '../support/fixtures.ts';

const DASHBOARD = `query ($first: Int, $after: String, $last: Int, $before: String) {
  communities(first: $first, after: $after, last: $last, before: $before) {
    edges { cursor node { id slug name createdAt requiredCosignatures } }
    pageInfo { hasNextPage hasPreviousPage }
  }
}`;

/** Slugs whose order differs between byte order and a linguistic collation ("-" is ignored by en_US). */
const ODD_SLUGS = ['a-c', 'ab', 'a0', 'a-0', 'zz', 'z-a', '0-z', '00'];
const MEMBER_COMMUNITIES = 20;

describe('the community dashboard', () => {
  let testApp: TestApp;
  let member: { id: string; token: string };
  const memberCommunityIds: string[] = [];
  const requestScope = new AsyncLocalStorage<true>();

  async function createCommunity(slug: string): Promise<string> {
    const created = await mutate(
      testApp,
      'createCommunity',
      `mutation ($slug: String!) { createCommunity(slug: $slug, name: $slug) {
        __typename ... on MutationCreateCommunitySuccess { data { id } } ... on Error { code message } } }`,
      { slug },
      testApp.adminToken,
    );
    return created.id;
  }

  /** The answer and how many SQL statements the request itself sent (background jobs left out). */
  async function dashboard(token: string, variables: Record<string, unknown> = { first: 100 }) {
    const statements = countStatements(testApp.database.orm, () => requestScope.getStore() === true);
    try {
      const result = await requestScope.run(true, () => testApp.graphql(DASHBOARD, variables, token));
      return { result, statements: statements.total };
    } finally {
      statements.stop();
    }
  }

  const slugsOf = (result: any): string[] => result.data.communities.edges.map((edge: any) => edge.node.slug);

  beforeAll(async () => {
    testApp = await createTestApp();
    member = await createAccount(testApp, 'dashboard-member');
    for (let index = 0; index < MEMBER_COMMUNITIES; index++) {
      const slug = index < ODD_SLUGS.length ? ODD_SLUGS[index]! : `member-${String(index).padStart(2, '0')}`;
      const id = await createCommunity(slug);
      memberCommunityIds.push(id);
      await grantRole(testApp, member.id, index % 2 ? 'RESIDENT' : 'MANAGER', { communityId: id });
    }
    await createCommunity('not-a-members');
  });
  afterAll(() => testApp.dispose());

  it('answers a member’s 20 communities with a bounded number of statements, not one per community', async () => {
    const first = await dashboard(member.token);
    expect(first.result.errors).toBeUndefined();
    expect(slugsOf(first.result)).toHaveLength(MEMBER_COMMUNITIES);
    // The session check, and at most one read of the community records not yet kept.
    expect(first.statements).toBeGreaterThanOrEqual(1);
    expect(first.statements).toBeLessThanOrEqual(2);
    // Kept once read: the session check alone.
    const again = await dashboard(member.token);
    expect(again.result).toEqual(first.result);
    expect(again.statements).toBe(1);
  });

  it('answers an admin’s page with one statement beside the session check', async () => {
    const { result, statements } = await dashboard(testApp.adminToken);
    expect(result.errors).toBeUndefined();
    expect(slugsOf(result)).toContain('not-a-members');
    expect(statements).toBe(2);
  });

  it('shows only the member’s communities, with every field as stored', async () => {
    const { result } = await dashboard(member.token);
    const nodes = result.data.communities.edges.map((edge: any) => edge.node);
    expect(nodes.map((node: any) => node.slug)).not.toContain('not-a-members');
    const rows: Array<{ slug: string; name: string; required_cosignatures: number; created_at: Date | string }> =
      await testApp.database.orm.em.getConnection().execute('select slug, name, required_cosignatures, created_at from communities');
    for (const node of nodes) {
      const row = rows.find((candidate) => candidate.slug === node.slug)!;
      expect(node).toMatchObject({ name: row.name, requiredCosignatures: Number(row.required_cosignatures), createdAt: new Date(row.created_at).toISOString() });
    }
  });

  it('pages a member’s list (in memory) in the same byte order as an admin’s (in SQL), forwards and backwards', async () => {
    const memberSlugs = slugsOf((await dashboard(member.token)).result);
    const adminSlugs = slugsOf((await dashboard(testApp.adminToken)).result);
    const byteOrder = [...memberSlugs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    expect(memberSlugs).toEqual(byteOrder);
    expect(adminSlugs.filter((slug) => memberSlugs.includes(slug))).toEqual(memberSlugs);
    // "-" (0x2d) sorts before the digits, where en_US would ignore it.
    expect(memberSlugs.slice(0, 4)).toEqual(['0-z', '00', 'a-0', 'a-c']);

    for (const token of [member.token, testApp.adminToken]) {
      const forwards = (await dashboard(token, { first: 5 })).result.data.communities;
      expect(forwards.pageInfo.hasNextPage).toBe(true);
      const next = (await dashboard(token, { first: 5, after: forwards.edges[4].cursor })).result.data.communities;
      const backwards = (await dashboard(token, { last: 3, before: next.edges[2].cursor })).result.data.communities;
      const expected = token === member.token ? memberSlugs : adminSlugs;
      expect(slugsOf({ data: { communities: next } })).toEqual(expected.slice(5, 10));
      expect(slugsOf({ data: { communities: backwards } })).toEqual(expected.slice(4, 7));
      expect(backwards.pageInfo.hasPreviousPage).toBe(true);
    }
  });

  it('drops a revoked role’s community and refuses a revoked session on the very next request', async () => {
    await dashboard(member.token);
    await mutate(
      testApp,
      'revokeRole',
      `mutation ($a: ID!, $c: ID) { revokeRole(accountId: $a, role: MANAGER, communityId: $c) {
        __typename ... on MutationRevokeRoleSuccess { data { id } } ... on Error { code message } } }`,
      { a: member.id, c: memberCommunityIds[0] },
      testApp.adminToken,
    );
    const { result } = await dashboard(member.token);
    expect(slugsOf(result)).toHaveLength(MEMBER_COMMUNITIES - 1);
    expect(slugsOf(result)).not.toContain(ODD_SLUGS[0]);

    await mutate(
      testApp,
      'revokeSessions',
      `mutation ($a: ID!) { revokeSessions(accountId: $a) {
        __typename ... on MutationRevokeSessionsSuccess { data } ... on Error { code message } } }`,
      { a: member.id },
      testApp.adminToken,
    );
    const refused = await dashboard(member.token);
    expect(refused.result.data).toBeNull();
    expect(refused.result.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('cannot change or delete a community: the database refuses it, so a kept record is never stale', async () => {
    const connection = testApp.database.orm.em.getConnection();
    await expect(connection.execute(`update communities set name = 'renamed' where slug = ?`, [ODD_SLUGS[1]])).rejects.toThrow(/communities are immutable: UPDATE refused/u);
    await expect(connection.execute(`delete from communities where slug = 'not-a-members'`)).rejects.toThrow(/communities are immutable: DELETE refused/u);
    await expect(connection.execute('truncate communities cascade')).rejects.toThrow(/communities are immutable: TRUNCATE refused/u);
  });
});
