import { createTestApp, type TestApp } from '../support/app.ts';
import { createCommunityFixture, type CommunityFixture } from '../support/fixtures.ts';

const READ_PERSONAL_DATA = `query ($id: ID!, $purpose: AccessPurpose!) {
  householdPersonalData(householdId: $id, purpose: $purpose) {
    __typename
    ... on QueryHouseholdPersonalDataSuccess { data { unitLabel members { name phone idNumber relation } } }
    ... on Error { code message }
  }
}`;

describe('the personal-data vault', () => {
  let testApp: TestApp;
  let community: CommunityFixture;

  beforeAll(async () => {
    testApp = await createTestApp();
    community = await createCommunityFixture(testApp, 'vault-garden');
  });
  afterAll(() => testApp.dispose());

  it('does not let a resident read personal data, not even their own household', async () => {
    const result = await testApp.graphql(READ_PERSONAL_DATA, { id: community.householdId, purpose: 'BILLING' }, community.residentToken);
    expect(result.data.householdPersonalData).toEqual({
      __typename: 'NotFoundError',
      code: 'NOT_FOUND',
      message: 'Household not found',
    });
  });

  it('lets a manager of the community read it, with a purpose', async () => {
    const result = await testApp.graphql(READ_PERSONAL_DATA, { id: community.householdId, purpose: 'BILLING' }, community.managerToken);
    expect(result.data.householdPersonalData.data).toEqual({
      unitLabel: community.unitLabel,
      members: [{ name: community.residentName, phone: community.residentPhone, idNumber: community.residentIdNumber, relation: 'owner' }],
    });
  });

  it('refuses a read without a purpose before anything runs', async () => {
    const result = await testApp.graphql(
      `query ($id: ID!) { householdPersonalData(householdId: $id) { __typename } }`,
      { id: community.householdId },
      community.managerToken,
    );
    expect(result.data).toBeUndefined();
    expect(result.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });

  it('records every read, and shows the household who read its data, when and why', async () => {
    await testApp.graphql(READ_PERSONAL_DATA, { id: community.householdId, purpose: 'EMERGENCY' }, community.managerToken);
    const result = await testApp.graphql(
      `query ($id: ID!) { node(id: $id) { ... on Household { personalDataAccesses(first: 10) { edges { node { accessorAccountId purpose accessedAt } } } } } }`,
      { id: community.householdId },
      community.residentToken,
    );
    const accesses = result.data.node.personalDataAccesses.edges.map((edge: any) => edge.node);
    // Newest first.
    expect(accesses.map((access: any) => access.purpose).slice(0, 2)).toEqual(['EMERGENCY', 'BILLING']);
    expect(accesses.every((access: any) => access.accessorAccountId === community.managerAccountId)).toBe(true);
  });

  it('finds a household by unit label or phone through blind indexes, ignoring spacing and case', async () => {
    const find = `query ($communityId: ID!, $unitLabel: String, $phone: String) {
      findHousehold(communityId: $communityId, unitLabel: $unitLabel, phone: $phone) {
        __typename ... on QueryFindHouseholdSuccess { data { id } } ... on Error { code } } }`;
    const byLabel = await testApp.graphql(find, { communityId: community.id, unitLabel: community.unitLabel.replace(/\s/g, '').toUpperCase() }, community.managerToken);
    expect(byLabel.data.findHousehold.data).toEqual({ id: community.householdId });
    const byPhone = await testApp.graphql(find, { communityId: community.id, phone: community.residentPhone.replace(/\s/g, '-') }, community.managerToken);
    expect(byPhone.data.findHousehold.data).toEqual({ id: community.householdId });
    const missing = await testApp.graphql(find, { communityId: community.id, unitLabel: 'no such unit' }, community.managerToken);
    expect(missing.data.findHousehold).toBeNull();
    const asResident = await testApp.graphql(find, { communityId: community.id, unitLabel: community.unitLabel }, community.residentToken);
    expect(asResident.data.findHousehold).toEqual({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
  });

  it('keeps no personal data in clear in any table', async () => {
    const connection = testApp.database.orm.em.getConnection();
    const columns: Array<{ table_name: string; column_name: string }> = await connection.execute(
      `select table_name, column_name from information_schema.columns where table_schema = 'public'`,
    );
    const plaintexts = [community.residentName, community.residentPhone, community.residentIdNumber, community.unitLabel, '3栋'];
    const found: string[] = [];
    for (const { table_name: table, column_name: column } of columns) {
      const rows: Array<{ value: string | null }> = await connection.execute(
        `select encode(convert_to(coalesce("${column}"::text, ''), 'UTF8'), 'escape') as value from "${table}"`,
      );
      for (const { value } of rows) {
        for (const plaintext of plaintexts) {
          if (value?.includes(plaintext)) found.push(`${table}.${column} holds "${plaintext}"`);
        }
      }
    }
    expect(found).toEqual([]);
  });

  it('crypto-shreds a household: its data can never be read again', async () => {
    const other = await createCommunityFixture(testApp, 'shred-court');
    const erase = await testApp.graphql(
      `mutation ($id: ID!) { eraseHouseholdPersonalData(householdId: $id) {
        __typename ... on MutationEraseHouseholdPersonalDataSuccess { data { erased } } } }`,
      { id: other.householdId },
      other.managerToken,
    );
    expect(erase.data.eraseHouseholdPersonalData.data).toEqual({ erased: true });
    const read = await testApp.graphql(READ_PERSONAL_DATA, { id: other.householdId, purpose: 'BILLING' }, other.managerToken);
    expect(read.data.householdPersonalData).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
  });
});
