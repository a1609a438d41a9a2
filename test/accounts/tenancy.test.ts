import { buildSchema } from '../../src/graphql/schema.ts';
import { modules } from '../../src/server/modules.ts';
import { createTestApp, mutate, type TestApp } from '../support/app.ts';
import { createAccount, createCommunityFixture, grantRole, type CommunityFixture } from '../support/fixtures.ts';
import { probeCallsTakingIds } from '../support/field-calls.ts';

/**
 * Codes that reveal nothing about the other community's records. PROOF_MALFORMED answers
 * the anonymous, proof-carrying mutations (open to anyone with a proof, by design) for the
 * probe's garbage proof: it describes the input alone.
 */
const REFUSALS = new Set(['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED', 'INVALID_INPUT', 'PROOF_MALFORMED']);

/** One statement that counts the rows of every table: a probe is checked in one round trip. */
let countEveryRow: string | undefined;

async function totalRows(testApp: TestApp): Promise<number> {
  const connection = testApp.database.orm.em.getConnection();
  if (countEveryRow === undefined) {
    const tables: Array<{ tablename: string }> = await connection.execute(
      // Checkpoints are cut by a background job on its own clock (every 60 s), not by a probe.
      `select tablename from pg_tables where schemaname = 'public' and tablename <> 'ledger_checkpoints'`,
    );
    countEveryRow = `select ${tables.map(({ tablename }) => `(select count(*) from "${tablename}")`).join(' + ')} as count`;
  }
  const [row] = await connection.execute(countEveryRow);
  return Number(row!.count);
}

describe('tenancy', () => {
  let testApp: TestApp;
  let communityA: CommunityFixture;
  let communityB: CommunityFixture;
  let communityC: CommunityFixture;
  let regulatorToken: string;

  beforeAll(async () => {
    testApp = await createTestApp();
    const jurisdiction = await mutate(
      testApp,
      'createJurisdiction',
      `mutation { createJurisdiction(name: "Street office East") {
        __typename ... on MutationCreateJurisdictionSuccess { data { id } } ... on Error { code message } } }`,
      {},
      testApp.adminToken,
    );
    communityA = await createCommunityFixture(testApp, 'alpha', jurisdiction.id);
    communityB = await createCommunityFixture(testApp, 'bravo');
    communityC = await createCommunityFixture(testApp, 'charlie', jurisdiction.id);
    const regulator = await createAccount(testApp, 'east-regulator');
    await grantRole(testApp, regulator.id, 'REGULATOR', { jurisdictionId: jurisdiction.id });
    regulatorToken = regulator.token;
  });
  afterAll(() => testApp.dispose());

  function secretsOf(community: CommunityFixture): string[] {
    return [community.id, community.householdId, community.managerAccountId, community.residentAccountId, community.slug];
  }

  async function expectNoLeak(token: string, victim: CommunityFixture, role: string): Promise<void> {
    const schema = await buildSchema(modules);
    const leaks: string[] = [];
    let probed = 0;
    const victimIds = [
      { Community: victim.id, Household: victim.householdId, Account: victim.managerAccountId },
      { Community: victim.id, Household: victim.householdId, Account: victim.residentAccountId },
    ];
    for (const idsByType of victimIds) {
      for (const call of probeCallsTakingIds(schema, idsByType)) {
        const rowsBefore = await totalRows(testApp);
        const result = await testApp.graphql(call.document, call.variables, token);
        probed += 1;
        const text = JSON.stringify(result.data ?? null);
        const payload = result.data?.[call.field];
        const refusedByError = result.errors?.every((error) => REFUSALS.has(error.extensions?.code ?? '')) ?? false;
        const refusedByType = payload && typeof payload === 'object' && REFUSALS.has(payload.code);
        const empty =
          payload === null ||
          (Array.isArray(payload) && payload.every((item) => item === null)) ||
          (Array.isArray(payload?.edges) && payload.edges.length === 0);
        if (secretsOf(victim).some((secret) => text.includes(secret))) leaks.push(`${call.field} returned the victim's data`);
        else if (!(refusedByError || refusedByType || empty)) leaks.push(`${call.field} answered ${JSON.stringify(result)}`);
        if ((await totalRows(testApp)) !== rowsBefore) leaks.push(`${call.field} wrote rows`);
      }
    }
    expect({ role, leaks }).toEqual({ role, leaks: [] });
    expect(probed).toBeGreaterThan(10);
  }

  it("lets a resident of one community read nothing of another, through every field that takes an id", async () => {
    await expectNoLeak(communityA.residentToken, communityB, 'resident');
  });

  it("lets a manager of one community read or change nothing of another, through every field that takes an id", async () => {
    await expectNoLeak(communityA.managerToken, communityB, 'manager');
  });

  it('lets a regulator read the communities of its jurisdiction and nothing of any other', async () => {
    const listed = await testApp.graphql('{ communities(first: 10) { edges { node { slug } } } }', {}, regulatorToken);
    expect(listed.data.communities.edges.map((edge: any) => edge.node.slug)).toEqual(['alpha', 'charlie']);
    const households = await testApp.graphql(
      `query ($id: ID!) { households(communityId: $id, first: 5) { edges { node { id floorAreaCentiSquareMetres } } } }`,
      { id: communityC.id },
      regulatorToken,
    );
    expect(households.data.households.edges).toEqual([{ node: { id: communityC.householdId, floorAreaCentiSquareMetres: 8950 } }]);
    await expectNoLeak(regulatorToken, communityB, 'regulator');
  });

  it('lists for a resident only the communities and households it belongs to', async () => {
    const listed = await testApp.graphql('{ communities(first: 10) { edges { node { slug } } } }', {}, communityA.residentToken);
    expect(listed.data.communities.edges).toEqual([{ node: { slug: 'alpha' } }]);
    const households = await testApp.graphql(
      `query ($id: ID!) { households(communityId: $id, first: 5) { edges { node { id } } } }`,
      { id: communityA.id },
      communityA.residentToken,
    );
    expect(households.data.households.edges).toEqual([{ node: { id: communityA.householdId } }]);
  });

  it('answers an anonymous caller with UNAUTHENTICATED and nothing else', async () => {
    const result = await testApp.graphql(
      `query ($id: ID!) { households(communityId: $id, first: 5) { edges { node { id } } } }`,
      { id: communityA.id },
    );
    expect(result.data).toBeNull();
    expect(result.errors?.map((error) => error.extensions?.code)).toEqual(['UNAUTHENTICATED']);
  });
});
