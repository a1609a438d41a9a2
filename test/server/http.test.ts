import { createTestApp, ADMIN_PASSWORD, type TestApp } from '../support/app.ts';
import { createCommunityFixture, type CommunityFixture } from '../support/fixtures.ts';
import { listen, type RunningServer } from '../../src/server/server.ts';

describe('the HTTP server', () => {
  let testApp: TestApp;
  let server: RunningServer;
  let community: CommunityFixture;

  beforeAll(async () => {
    testApp = await createTestApp();
    community = await createCommunityFixture(testApp, 'http-court');
    server = await listen(testApp.app, '127.0.0.1', 0);
  });
  afterAll(async () => {
    await server.close();
    await testApp.dispose();
  });

  async function post(body: unknown, token?: string): Promise<any> {
    const response = await fetch(`${server.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    return response.json();
  }

  it('listens on loopback only', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('answers /health and /ready', async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/ready`)).json()).toEqual({ status: 'ready' });
  });

  it('serves GraphiQL to a browser from the server itself, with no CDN', async () => {
    const response = await fetch(`${server.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('<title>Courtyard</title>');
    expect(page).not.toMatch(/(src|href)=["']?https?:/);
  });

  it('signs in and answers `viewer` over real HTTP', async () => {
    const login = await post({
      query: `mutation { login(login: "admin", password: "${ADMIN_PASSWORD}") { ... on MutationLoginSuccess { data { token } } } }`,
    });
    const viewer = await post({ query: '{ viewer { login isAdmin } }' }, login.data.login.data.token);
    expect(viewer.data.viewer).toEqual({ login: 'admin', isAdmin: true });
  });

  it('writes JSON logs that never contain personal data', async () => {
    await post(
      {
        query: `query Read($id: ID!) { householdPersonalData(householdId: $id, purpose: BILLING) {
          ... on QueryHouseholdPersonalDataSuccess { data { unitLabel members { name phone idNumber } } } } }`,
        variables: { id: community.householdId },
        operationName: 'Read',
      },
      community.managerToken,
    );
    const lines = testApp.logLines.map((line) => JSON.parse(line));
    expect(lines.some((line) => line.operation === 'Read' && line.msg === 'graphql operation')).toBe(true);
    const everything = testApp.logLines.join('\n');
    for (const personal of [community.residentName, community.residentPhone, community.residentIdNumber, community.unitLabel]) {
      expect(everything).not.toContain(personal);
    }
    expect(everything).not.toContain(ADMIN_PASSWORD);
  });
});
