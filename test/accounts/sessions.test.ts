/**
 * Sessions end everywhere at once: a revoked or logged-out session's open subscription
 * streams stop (SSE and graphql-ws), changing a password ends the account's other
 * sessions, and an account that must change its password can do nothing else first.
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { SESSION_RECHECK_INTERVAL_MS } from '../../src/accounts/session-watch.ts';
import { listen, type RunningServer } from '../../src/server/server.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { createAccount, createCommunityFixture, PASSWORD, type CommunityFixture } from '../support/fixtures.ts';

/** How soon a stream must stop after its session ended on this instance. */
const PROMPT_MS = 1_000;

let testApp: TestApp;
let server: RunningServer;
let community: CommunityFixture;

beforeAll(async () => {
  testApp = await createTestApp();
  community = await createCommunityFixture(testApp, 'session-court');
  server = await listen(testApp.app, '127.0.0.1', 0);
});
afterAll(async () => {
  await server.close();
  await testApp.dispose();
});

const SUBSCRIPTION = `subscription ($c: ID!) { ledgerEntryAppended(communityId: $c) { seq } }`;

/** Opens an SSE subscription; `ended` resolves with what the stream said last when the server closes it. */
async function openEventStream(token: string): Promise<{ ended: Promise<string>; close(): void }> {
  const abort = new AbortController();
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    signal: abort.signal,
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: SUBSCRIPTION, variables: { c: community.id } }),
  });
  expect(response.headers.get('content-type')).toContain('text/event-stream');
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const ended = (async () => {
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return text;
      text += decoder.decode(value, { stream: true });
    }
  })().catch(() => 'aborted');
  return { ended, close: () => abort.abort() };
}

/** Opens a graphql-ws subscription; `ended` resolves with the error or 'complete'. */
function openWebSocketStream(token: string): { ended: Promise<string>; client: Client } {
  const client = createClient({ url: `${server.url.replace('http', 'ws')}/graphql`, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0, lazy: false });
  const ended = new Promise<string>((resolve) => {
    client.subscribe(
      { query: SUBSCRIPTION, variables: { c: community.id } },
      { next: (value) => value.errors && resolve(JSON.stringify(value.errors)), error: (error) => resolve(JSON.stringify(error)), complete: () => resolve('complete') },
    );
  });
  return { ended, client };
}

/** Resolves with how long `ended` took, or rejects after `deadlineMs`. */
async function within<T>(ended: Promise<T>, deadlineMs: number): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`still open ${deadlineMs} ms after the session ended`)), deadlineMs);
  });
  try {
    const value = await Promise.race([ended, deadline]);
    return { value, ms: performance.now() - started };
  } finally {
    clearTimeout(timer);
  }
}

async function signIn(login: string, password = PASSWORD): Promise<string> {
  return testApp.login(login, password);
}

/** Lets the subscription reach the server and start following. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));

describe('a session that ends', () => {
  it('stops its SSE subscription promptly when an admin revokes it', async () => {
    const token = await signIn('session-court-resident');
    const stream = await openEventStream(token);
    await settle();
    await testApp.graphql(`mutation ($id: ID!) { revokeSessions(accountId: $id) { __typename } }`, { id: community.residentAccountId }, testApp.adminToken);
    const { value } = await within(stream.ended, PROMPT_MS);
    expect(value).toContain('UNAUTHENTICATED');
  });

  it('stops its SSE subscription promptly at logout', async () => {
    const token = await signIn('session-court-resident');
    const stream = await openEventStream(token);
    await settle();
    await testApp.graphql(`mutation { logout { __typename } }`, {}, token);
    await within(stream.ended, PROMPT_MS);
  });

  it('stops its graphql-ws subscription promptly when revoked, and leaves other sessions streaming', async () => {
    const revoked = openWebSocketStream(await signIn('session-court-resident'));
    const other = openWebSocketStream(await signIn('session-court-manager'));
    try {
      await settle();
      await testApp.graphql(`mutation ($id: ID!) { revokeSessions(accountId: $id) { __typename } }`, { id: community.residentAccountId }, testApp.adminToken);
      const { value } = await within(revoked.ended, PROMPT_MS);
      expect(value).toContain('UNAUTHENTICATED');
      await expect(within(other.ended, 300)).rejects.toThrow(/still open/u);
    } finally {
      await revoked.client.dispose();
      await other.client.dispose();
    }
  });

  it(`stops a stream within ${SESSION_RECHECK_INTERVAL_MS} ms when the session was revoked elsewhere (another instance)`, async () => {
    const token = await signIn('session-court-resident');
    const stream = await openEventStream(token);
    await settle();
    await testApp.database.orm.em.getConnection().execute(
      `update sessions set revoked_at = now() where account_id = (select id from accounts where login = 'session-court-resident') and revoked_at is null`,
    );
    await within(stream.ended, SESSION_RECHECK_INTERVAL_MS + 1_000);
  });
});

describe('requests arriving together', () => {
  it('are each checked against their own session, one of them revoked', async () => {
    const [first, second] = [await createAccount(testApp, 'batch-first'), await createAccount(testApp, 'batch-second')];
    const revoked = await signIn('batch-first');
    const loggedOut = await testApp.graphql(`mutation { logout { __typename } }`, {}, revoked);
    expect(loggedOut.data.logout.__typename).toBe('MutationLogoutSuccess');
    const tokens = [first.token, second.token, revoked, testApp.adminToken, first.token, revoked, second.token];
    const answers = await Promise.all(tokens.map((token) => testApp.graphql('{ viewer { login isAdmin } }', {}, token)));
    expect(answers.map((answer) => answer.data.viewer?.login ?? null)).toEqual(['batch-first', 'batch-second', null, 'admin', 'batch-first', null, 'batch-second']);
    expect(answers[3]!.data.viewer.isAdmin).toBe(true);
  });
});

describe('changing a password', () => {
  it("ends the account's other sessions and keeps the current one", async () => {
    const account = await createAccount(testApp, 'password-changer');
    const elsewhere = await signIn('password-changer');
    const stream = await openEventStream(elsewhere);
    const changed = await testApp.graphql(
      `mutation ($current: String!, $next: String!) { changePassword(currentPassword: $current, newPassword: $next) { __typename } }`,
      { current: PASSWORD, next: 'a different long passphrase' },
      account.token,
    );
    expect(changed.data.changePassword.__typename).toBe('MutationChangePasswordSuccess');
    expect((await testApp.graphql('{ viewer { login } }', {}, elsewhere)).data.viewer).toBeNull();
    expect((await testApp.graphql('{ viewer { login } }', {}, account.token)).data.viewer).toEqual({ login: 'password-changer' });
    stream.close();
  });
});

describe('an account that must change its password', () => {
  let token: string;
  let oneTimePassword: string;

  beforeAll(async () => {
    const created = await testApp.graphql(
      `mutation { createAccount(login: "fresh-resident") { ... on MutationCreateAccountSuccess { data { oneTimePassword } } } }`,
      {},
      testApp.adminToken,
    );
    oneTimePassword = created.data.createAccount.data.oneTimePassword;
    token = await signIn('fresh-resident', oneTimePassword);
  });

  it('may read viewer, and nothing else, until it changes the password', async () => {
    expect((await testApp.graphql('{ viewer { login mustChangePassword } }', {}, token)).data.viewer).toEqual({ login: 'fresh-resident', mustChangePassword: true });
    const query = await testApp.graphql('{ communities { edges { cursor } } }', {}, token);
    expect(query.errors?.map((error) => error.extensions?.code)).toEqual(['PASSWORD_CHANGE_REQUIRED']);
    const mutation = await testApp.graphql(
      `mutation { joinCensus(inviteCode: "x", identityCommitment: "1") { __typename ... on Error { code } } }`,
      {},
      token,
    );
    expect(mutation.data.joinCensus.code).toBe('PASSWORD_CHANGE_REQUIRED');
    const stream = await openEventStream(token);
    expect(await within(stream.ended, PROMPT_MS).then(({ value }) => value)).toContain('PASSWORD_CHANGE_REQUIRED');
  });

  it('may change the password, and then use the same session for everything', async () => {
    const changed = await testApp.graphql(
      `mutation ($current: String!) { changePassword(currentPassword: $current, newPassword: "now my own passphrase") { __typename } }`,
      { current: oneTimePassword },
      token,
    );
    expect(changed.data.changePassword.__typename).toBe('MutationChangePasswordSuccess');
    const query = await testApp.graphql('{ communities { edges { cursor } } }', {}, token);
    expect(query.errors).toBeUndefined();
  });

  it('may log out', async () => {
    const created = await testApp.graphql(
      `mutation { createAccount(login: "fresh-leaver") { ... on MutationCreateAccountSuccess { data { oneTimePassword } } } }`,
      {},
      testApp.adminToken,
    );
    const leaver = await signIn('fresh-leaver', created.data.createAccount.data.oneTimePassword);
    expect((await testApp.graphql('mutation { logout { __typename } }', {}, leaver)).data.logout.__typename).toBe('MutationLogoutSuccess');
  });
});
