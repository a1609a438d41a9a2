/**
 * Every state change of the foundation is on the record: community-scoped ones on the
 * community's log, installation-scoped ones on the installation log (a log with a fixed
 * id, read by admins and regulators, verified like any other) — with ids, roles and
 * areas only, never a name, a login, a phone or a unit label.
 */
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { auditLog } from '../../src/ledger/audit.ts';
import { INSTALLATION_LOG_ID } from '../../src/ledger/installation-log.ts';
import { createTestApp, mutate, type TestApp } from '../support/app.ts';
import { createAccount, createCommunityFixture, grantRole, type CommunityFixture } from '../support/fixtures.ts';

const localId = (globalId: string): string => Buffer.from(globalId, 'base64').toString('utf8').split(':')[1]!;

interface Entry {
  seq: number;
  type: string;
  actor: string;
  payload: Record<string, unknown>;
}

let testApp: TestApp;
let community: CommunityFixture;
let jurisdictionId: string;
let regulator: { id: string; token: string };

async function entriesOf(logId: string): Promise<Entry[]> {
  const rows: Array<{ seq: unknown; type: string; actor: string; payload: Record<string, unknown> }> = await testApp.database.orm.em
    .getConnection()
    .execute('select seq, type, actor, payload from ledger_entries where community_id = ? order by seq', [logId]);
  return rows.map((row) => ({ ...row, seq: Number(row.seq) }));
}

beforeAll(async () => {
  testApp = await createTestApp();
  const jurisdiction = await mutate(
    testApp,
    'createJurisdiction',
    `mutation { createJurisdiction(name: "东城区 Record District") { __typename ... on MutationCreateJurisdictionSuccess { data { id } } ... on Error { code } } }`,
    {},
    testApp.adminToken,
  );
  jurisdictionId = jurisdiction.id;
  community = await createCommunityFixture(testApp, 'record-court', jurisdictionId);
  regulator = await createAccount(testApp, 'record-regulator');
  await grantRole(testApp, regulator.id, 'REGULATOR', { jurisdictionId });
  regulator.token = await testApp.login('record-regulator', 'a long enough password');
});
afterAll(() => testApp.dispose());

describe("a community's log", () => {
  it("opens with the community's creation: its id, jurisdiction and cosignature policy", async () => {
    const [first] = await entriesOf(localId(community.id));
    expect(first).toEqual({
      seq: 0,
      type: 'accounts.community-created',
      actor: expect.stringMatching(/^[0-9a-f-]{36}$/u),
      payload: { communityId: localId(community.id), jurisdictionId: localId(jurisdictionId), requiredCosignatures: 1 },
    });
  });

  it('records who was granted which role, including a resident linked to a household, and revocations', async () => {
    const grants = (await entriesOf(localId(community.id))).filter((entry) => entry.type.startsWith('accounts.role-'));
    expect(grants.map((entry) => [entry.type, entry.payload])).toEqual([
      ['accounts.role-granted', { accountId: localId(community.managerAccountId), role: 'manager' }],
      ['accounts.role-granted', { accountId: localId(community.residentAccountId), role: 'resident' }],
    ]);
    // The resident was linked by the manager, who is the actor.
    expect(grants[1]!.actor).toBe(localId(community.managerAccountId));
    const revoked = await testApp.graphql(
      `mutation ($a: ID!, $c: ID!) { revokeRole(accountId: $a, role: MANAGER, communityId: $c) { __typename ... on Error { code } } }`,
      { a: community.managerAccountId, c: community.id },
      testApp.adminToken,
    );
    expect(revoked.data.revokeRole.__typename).toBe('MutationRevokeRoleSuccess');
    const last = (await entriesOf(localId(community.id))).at(-1)!;
    expect([last.type, last.payload]).toEqual(['accounts.role-revoked', { accountId: localId(community.managerAccountId), role: 'manager' }]);
    const again = await testApp.graphql(
      `mutation ($a: ID!, $c: ID!) { revokeRole(accountId: $a, role: MANAGER, communityId: $c) { __typename ... on Error { code } } }`,
      { a: community.managerAccountId, c: community.id },
      testApp.adminToken,
    );
    expect(again.data.revokeRole.code).toBe('NOT_FOUND');
    await grantRole(testApp, community.managerAccountId, 'MANAGER', { communityId: community.id });
  });

  it('records each registered household with its floor area, never its unit label', async () => {
    const households = (await entriesOf(localId(community.id))).filter((entry) => entry.type === 'privacy.household-registered');
    expect(households).toEqual([
      {
        seq: expect.any(Number),
        type: 'privacy.household-registered',
        actor: localId(community.managerAccountId),
        payload: { householdId: localId(community.householdId), floorAreaCentiSquareMetres: 8950 },
      },
    ]);
  });
});

describe('the installation log', () => {
  it('records accounts created (without their login), jurisdictions (without their name), regulator grants and communities', async () => {
    const entries = await entriesOf(INSTALLATION_LOG_ID);
    const types = entries.map((entry) => entry.type);
    expect(types[0]).toBe('accounts.account-created');
    expect(entries[0]).toMatchObject({ actor: 'system', payload: { accountId: expect.any(String), isAdmin: true } });
    expect(entries).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'accounts.jurisdiction-created', payload: { jurisdictionId: localId(jurisdictionId) } }),
        expect.objectContaining({ type: 'accounts.community-created', payload: { communityId: localId(community.id), jurisdictionId: localId(jurisdictionId) } }),
        expect.objectContaining({ type: 'accounts.account-created', payload: { accountId: localId(regulator.id), isAdmin: false } }),
        expect.objectContaining({ type: 'accounts.role-granted', payload: { accountId: localId(regulator.id), role: 'regulator', jurisdictionId: localId(jurisdictionId) } }),
      ]),
    );
  });

  it('records an admin ending the sessions of an account', async () => {
    const account = await createAccount(testApp, 'record-revoked');
    await testApp.graphql(`mutation ($id: ID!) { revokeSessions(accountId: $id) { __typename } }`, { id: account.id }, testApp.adminToken);
    const last = (await entriesOf(INSTALLATION_LOG_ID)).at(-1)!;
    expect([last.type, last.payload]).toEqual(['accounts.sessions-revoked', { accountId: localId(account.id), sessions: 1 }]);
  });

  it('is read by admins and regulators through the API, and by nobody else', async () => {
    const QUERY = `{ installation { id ledgerLog { origin size } } }`;
    const forAdmin = await testApp.graphql(QUERY, {}, testApp.adminToken);
    expect(forAdmin.data.installation.ledgerLog.origin).toBe('courtyard.localhost');
    const installationId = forAdmin.data.installation.id;
    const ENTRIES = `query ($id: ID!) { ledgerEntries(communityId: $id, first: 5) { edges { node { type payload } } } }`;
    for (const token of [testApp.adminToken, regulator.token]) {
      const entries = await testApp.graphql(ENTRIES, { id: installationId }, token);
      expect(entries.errors).toBeUndefined();
      expect(entries.data.ledgerEntries.edges[0].node.type).toBe('accounts.account-created');
    }
    for (const token of [community.residentToken, community.managerToken]) {
      expect((await testApp.graphql(QUERY, {}, token)).data.installation).toBeNull();
      const entries = await testApp.graphql(ENTRIES, { id: installationId }, token);
      expect(entries.errors?.map((error) => error.extensions?.code)).toEqual(['FORBIDDEN']);
    }
  });

  it('verifies like any community log', async () => {
    const report = await auditLog(testApp.database.orm.em.fork() as SqlEntityManager, INSTALLATION_LOG_ID);
    expect(report.ok).toBe(true);
    expect(report.treeSize).toBeGreaterThan(5);
  });
});

describe('every log', () => {
  it('holds no login, name, phone or unit label, as payload or actor', async () => {
    const rows: Array<{ text: string }> = await testApp.database.orm.em
      .getConnection()
      .execute(`select string_agg(type || ' ' || actor || ' ' || payload::text, ' ') as text from ledger_entries`);
    const text = rows[0]!.text;
    for (const secret of [
      'record-court-manager', 'record-court-resident', 'record-regulator', 'admin"', 'Community record-court', '东城区', 'Record District',
      community.residentName, community.residentPhone, community.residentIdNumber, community.unitLabel,
    ]) {
      expect(text).not.toContain(secret);
    }
  });
});
