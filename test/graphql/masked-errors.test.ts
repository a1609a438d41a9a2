/**
 * Bad input gets a typed answer, never a masked "Unexpected error." from deeper down:
 * `node`/`nodes` answer null for an id the caller cannot have, text arguments refuse
 * control characters by the shared text rule, and DateTime arguments are parsed strictly.
 */
import { createTestApp, type TestApp } from '../support/app.ts';
import { addHouseholdMember, createCommunityFixture, registerHousehold, type CommunityFixture } from '../support/fixtures.ts';

const globalId = (typename: string, id: string): string => Buffer.from(`${typename}:${id}`).toString('base64');

let testApp: TestApp;
let alpha: CommunityFixture;
let bravo: CommunityFixture;

beforeAll(async () => {
  testApp = await createTestApp();
  alpha = await createCommunityFixture(testApp, 'masked-alpha');
  bravo = await createCommunityFixture(testApp, 'masked-bravo');
});
afterAll(() => testApp.dispose());

async function count(table: string): Promise<number> {
  const [row] = await testApp.database.orm.em.getConnection().execute(`select count(*)::int as count from ${table}`);
  return row!.count;
}

describe('node and nodes', () => {
  const NODES = `query ($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }`;

  it('answer null, item by item, for ids the caller may not see, that do not exist or are malformed', async () => {
    const ids = [
      alpha.id,
      bravo.id,
      globalId('Community', '00000000-0000-4000-8000-000000000000'),
      globalId('Household', bravo.householdId),
      'garbage',
      globalId('Community', 'not-a-uuid'),
      globalId('NoSuchType', '00000000-0000-4000-8000-000000000000'),
      alpha.householdId,
    ];
    const result = await testApp.graphql(NODES, { ids }, alpha.residentToken);
    expect(result.errors).toBeUndefined();
    expect(result.data.nodes).toEqual([
      { __typename: 'Community', id: alpha.id },
      null,
      null,
      null,
      null,
      null,
      null,
      { __typename: 'Household', id: alpha.householdId },
    ]);
  });

  it('answers node(id) with null for an unknown, unreachable or malformed id', async () => {
    for (const id of [bravo.id, 'garbage', globalId('Community', '00000000-0000-4000-8000-000000000000')]) {
      const result = await testApp.graphql(`query ($id: ID!) { node(id: $id) { id } }`, { id }, alpha.residentToken);
      expect({ id, result }).toEqual({ id, result: { data: { node: null } } });
    }
  });

  it('refuses more ids than one call may resolve', async () => {
    const result = await testApp.graphql(NODES, { ids: Array.from({ length: 101 }, () => alpha.id) }, alpha.residentToken);
    expect(result.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
  });
});

describe('text arguments', () => {
  const CREATE_COMMUNITY = `mutation ($slug: String!, $name: String!) {
    createCommunity(slug: $slug, name: $name) { __typename ... on InvalidInputError { code parameter } ... on Error { code message } }
  }`;

  it.each([
    ['a NUL', 'Sunny\u0000Garden'],
    ['a bell', 'Sunny\u0007Garden'],
    ['an escape sequence', 'Sunny\u001b[31mGarden'],
    ['a line break', 'Sunny\nGarden'],
    ['a C1 control', 'Sunny\u0085Garden'],
    ['a right-to-left override', 'Sunny\u202eGarden'],
    ['a lone surrogate', 'Sunny\ud800Garden'],
  ])('refuse %s in a community name with INVALID_INPUT naming `name`, writing nothing', async (_label, name) => {
    const before = await count('communities');
    const result = await testApp.graphql(CREATE_COMMUNITY, { slug: 'control-court', name }, testApp.adminToken);
    expect(result.data.createCommunity).toMatchObject({ __typename: 'InvalidInputError', code: 'INVALID_INPUT', parameter: 'name' });
    expect(await count('communities')).toBe(before);
  });

  it('accept a name in any script, with emoji', async () => {
    const result = await testApp.graphql(CREATE_COMMUNITY, { slug: 'script-court', name: '阳光花园 🌻 Ωμέγα' }, testApp.adminToken);
    expect(result.data.createCommunity.__typename).toBe('MutationCreateCommunitySuccess');
  });

  it('refuse a NUL in a jurisdiction name with INVALID_INPUT naming `name`', async () => {
    const result = await testApp.graphql(
      `mutation ($name: String!) { createJurisdiction(name: $name) { __typename ... on InvalidInputError { code parameter } } }`,
      { name: 'District\u0000One' },
      testApp.adminToken,
    );
    expect(result.data.createJurisdiction).toEqual({ __typename: 'InvalidInputError', code: 'INVALID_INPUT', parameter: 'name' });
  });

  it('refuse a NUL in a unit label, a member name and a ledger entry type, each naming its parameter', async () => {
    const unit = await testApp.graphql(
      `mutation ($c: ID!, $unit: String!) { registerHousehold(communityId: $c, unitLabel: $unit, floorAreaCentiSquareMetres: 9000) {
        __typename ... on InvalidInputError { parameter } } }`,
      { c: alpha.id, unit: '1\u0000' },
      alpha.managerToken,
    );
    expect(unit.data.registerHousehold).toEqual({ __typename: 'InvalidInputError', parameter: 'unitLabel' });
    const member = await testApp.graphql(
      `mutation ($h: ID!, $name: String!) { addHouseholdMember(householdId: $h, relation: OCCUPANT, name: $name) {
        __typename ... on InvalidInputError { parameter } } }`,
      { h: alpha.householdId, name: 'Li\u0000Na' },
      alpha.managerToken,
    );
    expect(member.data.addHouseholdMember).toEqual({ __typename: 'InvalidInputError', parameter: 'name' });
    const types = await testApp.graphql(
      `query ($c: ID!, $type: String) { ledgerEntries(communityId: $c, type: $type) { edges { cursor } } }`,
      { c: alpha.id, type: 'census.join\u0000' },
      alpha.residentToken,
    );
    expect(types.errors?.map((error) => [error.extensions?.code, (error.extensions as any)?.parameter])).toEqual([['INVALID_INPUT', 'type']]);
  });

  it('still store what a clean name holds', async () => {
    const household = await registerHousehold(testApp, alpha.managerToken, { communityId: alpha.id, unitLabel: '7栋 2单元 301', floorAreaCentiSquareMetres: 7000 });
    await addHouseholdMember(testApp, alpha.managerToken, { householdId: household.id, relation: 'OCCUPANT', name: 'Łucja Nowak-李' });
  });
});

describe('DateTime arguments', () => {
  const SINCE = `query ($c: ID!, $since: DateTime) { ledgerEntries(communityId: $c, since: $since) { edges { cursor } } }`;

  it.each([
    ['year 0000', '0000-01-01T00:00:00Z'],
    ['year −000001 (expanded)', '-000001-01-01T00:00:00Z'],
    ['year +099999 (expanded)', '+099999-01-01T00:00:00Z'],
    ['30 February', '2026-02-30T00:00:00Z'],
    ['29 February of a common year', '2025-02-29T12:00:00Z'],
    ['31 April', '2026-04-31T00:00:00Z'],
    ['hour 24', '2026-03-01T24:00:00Z'],
    ['a leap second', '2026-06-30T23:59:60Z'],
    ['no time zone', '2026-03-01T10:00:00'],
    ['a date alone', '2026-03-01'],
    ['a time zone offset out of range', '2026-03-01T10:00:00+24:00'],
    ['microseconds', '2026-03-01T10:00:00.123456Z'],
    ['a year before 0001 once converted to UTC', '0001-01-01T00:30:00+01:00'],
    ['free text', 'next tuesday'],
  ])('refuse %s with INVALID_INPUT, echoing nothing', async (_label, since) => {
    const result = await testApp.graphql(SINCE, { c: alpha.id, since }, alpha.residentToken);
    expect(result.data).toBeUndefined();
    expect(result.errors?.map((error) => error.extensions?.code)).toEqual(['INVALID_INPUT']);
    expect(result.errors![0]!.message).not.toContain(since);
  });

  it.each([
    ['the earliest instant', '0001-01-01T00:00:00Z'],
    ['the latest instant', '9999-12-31T23:59:59.999Z'],
    ['an offset and a lower-case separator', '2026-02-28t23:00:00.5+08:00'],
    ['29 February of a leap year', '2024-02-29T00:00:00Z'],
  ])('accept %s', async (_label, since) => {
    const result = await testApp.graphql(SINCE, { c: alpha.id, since }, alpha.residentToken);
    expect(result.errors).toBeUndefined();
  });

  it('refuse an impossible date written in the document itself with INVALID_INPUT, at validation', async () => {
    const result = await testApp.graphql(
      `query ($c: ID!) { ledgerEntries(communityId: $c, since: "2026-02-30T00:00:00Z") { edges { cursor } } }`,
      { c: alpha.id },
      alpha.residentToken,
    );
    expect(result.data).toBeUndefined();
    expect(result.errors?.map((error) => error.extensions?.code)).toEqual(['INVALID_INPUT']);
  });
});
