import { createTestApp, type TestApp } from '../support/app.ts';
import { createCommunityFixture, type CommunityFixture } from '../support/fixtures.ts';
import { MAX_REQUEST_BODY_BYTES } from '../../src/server/routes.ts';

const REGISTER = `mutation ($communityId: ID!, $unitLabel: String!, $area: Int!) {
  registerHousehold(communityId: $communityId, unitLabel: $unitLabel, floorAreaCentiSquareMetres: $area) {
    __typename
    ... on MutationRegisterHouseholdSuccess { data { id } }
    ... on InvalidInputError { code parameter message }
    ... on Error { code message }
  }
}`;

describe('bad input', () => {
  let testApp: TestApp;
  let community: CommunityFixture;

  beforeAll(async () => {
    testApp = await createTestApp();
    community = await createCommunityFixture(testApp, 'input-court');
  });
  afterAll(() => testApp.dispose());

  async function householdCount(): Promise<number> {
    const [row] = await testApp.database.orm.em.getConnection().execute('select count(*)::int as count from households');
    return row!.count;
  }

  async function expectNothingWritten(work: () => Promise<void>): Promise<void> {
    const before = await householdCount();
    await work();
    expect(await householdCount()).toBe(before);
  }

  it('refuses a variable of the wrong type with INVALID_INPUT naming the variable, without quoting its value', async () => {
    await expectNothingWritten(async () => {
      const result = await testApp.graphql(REGISTER, { communityId: community.id, unitLabel: 'A-1', area: 'ninety' }, community.managerToken);
      expect(result.data).toBeUndefined();
      expect(result.errors).toEqual([
        expect.objectContaining({ message: 'Invalid value for variable "$area": expected Int!', extensions: { code: 'INVALID_INPUT', variable: 'area' } }),
      ]);
    });
  });

  it('refuses an oversized string with a typed error naming the parameter', async () => {
    await expectNothingWritten(async () => {
      const result = await testApp.graphql(REGISTER, { communityId: community.id, unitLabel: 'x'.repeat(65), area: 9000 }, community.managerToken);
      expect(result.data.registerHousehold).toMatchObject({ __typename: 'InvalidInputError', code: 'INVALID_INPUT', parameter: 'unitLabel' });
    });
  });

  it('refuses an out-of-range number with a typed error naming the parameter', async () => {
    await expectNothingWritten(async () => {
      const result = await testApp.graphql(REGISTER, { communityId: community.id, unitLabel: 'A-2', area: 0 }, community.managerToken);
      expect(result.data.registerHousehold).toMatchObject({ code: 'INVALID_INPUT', parameter: 'floorAreaCentiSquareMetres' });
    });
  });

  it('refuses an unknown id with a typed NOT_FOUND or FORBIDDEN, never an internal error', async () => {
    const unknownCommunity = Buffer.from('Community:00000000-0000-4000-8000-000000000000').toString('base64');
    await expectNothingWritten(async () => {
      const result = await testApp.graphql(REGISTER, { communityId: unknownCommunity, unitLabel: 'A-3', area: 9000 }, community.managerToken);
      expect(result.data.registerHousehold.code).toBe('FORBIDDEN');
    });
    const asAdmin = await testApp.graphql(
      `mutation ($id: ID!) { grantRole(accountId: $id, role: MANAGER) { __typename ... on Error { code } } }`,
      { id: Buffer.from('Account:00000000-0000-4000-8000-000000000000').toString('base64') },
      testApp.adminToken,
    );
    expect(asAdmin.data.grantRole.code).toBe('NOT_FOUND');
  });

  it('refuses a malformed global id with a typed INVALID_INPUT', async () => {
    for (const malformed of ['%%%', Buffer.from('Community:not-a-uuid').toString('base64'), Buffer.from('Household:' + 'f'.repeat(36)).toString('base64')]) {
      await expectNothingWritten(async () => {
        const result = await testApp.graphql(REGISTER, { communityId: malformed, unitLabel: 'A-4', area: 9000 }, community.managerToken);
        const code = result.data?.registerHousehold?.code ?? result.errors?.[0]?.extensions?.code;
        expect(code).toBe('INVALID_INPUT');
      });
    }
  });

  it('refuses a duplicate unit label with a typed CONFLICT', async () => {
    await expectNothingWritten(async () => {
      const result = await testApp.graphql(REGISTER, { communityId: community.id, unitLabel: community.unitLabel, area: 9000 }, community.managerToken);
      expect(result.data.registerHousehold.code).toBe('CONFLICT');
    });
  });

  it('rolls back every write of a mutation that fails part-way', async () => {
    const connection = testApp.database.orm.em.getConnection();
    const created = await testApp.graphql(
      `mutation { createAccount(login: "late-joiner", password: "a long enough password") {
        ... on MutationCreateAccountSuccess { data { account { id } } } } }`,
      {},
      testApp.adminToken,
    );
    const accountId = created.data.createAccount.data.account.id;
    const erased = await testApp.graphql(
      `mutation ($id: ID!) { eraseHouseholdPersonalData(householdId: $id) { __typename } }`,
      { id: community.householdId },
      community.managerToken,
    );
    expect(erased.data.eraseHouseholdPersonalData.__typename).toBe('MutationEraseHouseholdPersonalDataSuccess');
    const grantsBefore = await connection.execute('select count(*)::int as count from role_grants');
    // Linking the account grants it the resident role first; sealing the name then fails.
    const result = await testApp.graphql(
      `mutation ($householdId: ID!, $accountId: ID!) {
        addHouseholdMember(householdId: $householdId, relation: OCCUPANT, name: "Li Na", accountId: $accountId) {
          __typename ... on Error { code } } }`,
      { householdId: community.householdId, accountId },
      community.managerToken,
    );
    expect(result.data.addHouseholdMember).toEqual({ __typename: 'ConflictError', code: 'CONFLICT' });
    expect(await connection.execute('select count(*)::int as count from role_grants')).toEqual(grantsBefore);
  });

  it('refuses a request body over the limit before parsing it', async () => {
    const response = await testApp.app.yoga.fetch('http://courtyard.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ viewer { id } }`, variables: { padding: 'x'.repeat(MAX_REQUEST_BODY_BYTES) } }),
    });
    expect(response.status).toBe(413);
  });

  it('refuses documents that are too deep or have too many aliases', async () => {
    // The schema is not yet deep enough to nest 13 levels legally; the depth rule runs regardless.
    const deep = `{ ${'level { '.repeat(13)}id${' }'.repeat(13)} }`;
    const deepErrors = (await testApp.graphql(deep, {}, testApp.adminToken)).errors ?? [];
    expect(deepErrors.some((error) => /depth limit/i.test(error.message))).toBe(true);
    const aliases = `{ ${Array.from({ length: 20 }, (_, index) => `a${index}: viewer { id }`).join(' ')} }`;
    const result = await testApp.graphql(aliases, {}, testApp.adminToken);
    expect(result.errors?.[0]?.message).toMatch(/aliases/i);
  });

  it('masks unexpected failures: no stack trace, no SQL', async () => {
    const orm = testApp.database.orm;
    const connection = orm.em.getConnection();
    await connection.execute('alter table communities rename to communities_away');
    try {
      const result = await testApp.graphql('{ communities(first: 1) { edges { node { id } } } }', {}, testApp.adminToken);
      expect(result.errors).toEqual([expect.objectContaining({ message: 'Unexpected error.' })]);
      expect(JSON.stringify(result)).not.toMatch(/select|communities_away|at .*\.ts/i);
    } finally {
      await connection.execute('alter table communities_away rename to communities');
    }
  });
});
