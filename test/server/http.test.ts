import { createTestApp, ADMIN_PASSWORD, type TestApp } from '../support/app.ts';
import { createCommunityFixture, type CommunityFixture } from '../support/fixtures.ts';
import { listen, type RunningServer } from '../../src/server/server.ts';
import { MAX_REQUEST_BODY_BYTES } from '../../src/server/routes.ts';
import { connect } from 'node:net';

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

  /** Sends `head` and `body` as written on one connection and returns the status line of the answer. */
  function rawStatus(head: string, body: string | Buffer): Promise<string> {
    const { port } = new URL(server.url);
    return new Promise((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write(head.replaceAll('\n', '\r\n') + '\r\n');
        socket.write(body);
      });
      let answer = '';
      socket.setEncoding('latin1');
      socket.on('data', (chunk: string) => {
        answer += chunk;
        if (answer.includes('\r\n')) {
          socket.destroy();
          resolve(answer.slice(0, answer.indexOf('\r\n')));
        }
      });
      socket.on('error', reject);
    });
  }

  it('limits request bodies over real HTTP by their Content-Length, and refuses bodies that do not state it', async () => {
    const small = JSON.stringify({ query: '{ viewer { login } }' });
    const head = (length: string) => `POST /graphql HTTP/1.1\nHost: localhost\nContent-Type: application/json\nContent-Length: ${length}\nConnection: close\n`;
    expect(await rawStatus(head(String(Buffer.byteLength(small))), small)).toBe('HTTP/1.1 200 OK');
    const large = JSON.stringify({ query: '{ viewer { login } }', variables: { padding: 'x'.repeat(MAX_REQUEST_BODY_BYTES) } });
    expect(await rawStatus(head(String(Buffer.byteLength(large))), large)).toMatch(/^HTTP\/1\.1 413 /);
    // A chunked body has no length to check before it is read.
    const chunk = `${Buffer.byteLength(small).toString(16)}\r\n${small}\r\n0\r\n\r\n`;
    const chunked = `POST /graphql HTTP/1.1\nHost: localhost\nContent-Type: application/json\nTransfer-Encoding: chunked\nConnection: close\n`;
    expect(await rawStatus(chunked, chunk)).toMatch(/^HTTP\/1\.1 411 /);
    // A body longer than it says is cut at the stated length: the rest is never read as its body.
    expect(await rawStatus(head('10'), large)).toMatch(/^HTTP\/1\.1 400 /);
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
