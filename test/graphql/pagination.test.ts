/**
 * The offset connections' page sizes (src/graphql/pagination.ts), shown on `households`:
 * 20 by default, and a request for more than 100 cut to 100 with more pages to follow.
 */
import { randomUUID } from 'node:crypto';
import { OFFSET_PAGE_DEFAULT_SIZE, OFFSET_PAGE_MAX_SIZE } from '../../src/graphql/pagination.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createCommunityFixture, type CommunityFixture } from '../support/fixtures.ts';

const HOUSEHOLDS = `query ($communityId: ID!, $first: Int, $after: String) {
  households(communityId: $communityId, first: $first, after: $after) { edges { cursor } pageInfo { hasNextPage } }
}`;

let testApp: TestApp;
let community: CommunityFixture;
const localId = (globalId: string): string => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;

beforeAll(async () => {
  testApp = await createTestApp();
  community = await createCommunityFixture(testApp, 'paged');
  // The fixture registered one household; enough more that two full pages do not hold them all.
  const extra = 2 * OFFSET_PAGE_MAX_SIZE;
  const values = Array.from({ length: extra }, () => '(?, ?, 5000, now())').join(', ');
  await testApp.database.orm.em.getConnection().execute(
    `insert into households (id, community_id, floor_area_centi_square_metres, created_at) values ${values}`,
    Array.from({ length: extra }, () => [randomUUID(), localId(community.id)]).flat(),
  );
});
afterAll(() => testApp.dispose());

async function page(variables: Record<string, unknown>) {
  const result = await testApp.graphql(HOUSEHOLDS, { communityId: community.id, ...variables }, community.managerToken);
  expect(result.errors).toBeUndefined();
  return result.data.households as { edges: Array<{ cursor: string }>; pageInfo: { hasNextPage: boolean } };
}

describe('offset connections', () => {
  it(`return ${OFFSET_PAGE_DEFAULT_SIZE} items when no size is asked`, async () => {
    const households = await page({});
    expect(households.edges).toHaveLength(OFFSET_PAGE_DEFAULT_SIZE);
    expect(households.pageInfo.hasNextPage).toBe(true);
  });

  it(`cut a page asked larger than ${OFFSET_PAGE_MAX_SIZE} to ${OFFSET_PAGE_MAX_SIZE}, and the next page follows on`, async () => {
    const first = await page({ first: 10 * OFFSET_PAGE_MAX_SIZE });
    expect(first.edges).toHaveLength(OFFSET_PAGE_MAX_SIZE);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = await page({ first: OFFSET_PAGE_MAX_SIZE, after: first.edges.at(-1)!.cursor });
    const third = await page({ first: OFFSET_PAGE_MAX_SIZE, after: second.edges.at(-1)!.cursor });
    expect([second.edges.length, third.edges.length, third.pageInfo.hasNextPage]).toEqual([OFFSET_PAGE_MAX_SIZE, 1, false]);
  });
});
