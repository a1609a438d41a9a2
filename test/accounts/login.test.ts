import { createTestApp, ADMIN_PASSWORD, type TestApp } from '../support/app.ts';
import { createAccount, PASSWORD } from '../support/fixtures.ts';
import { LOGIN_THROTTLE_POLICY } from '../../src/accounts/login-throttle.ts';

const LOGIN = `mutation ($login: String!, $password: String!) {
  login(login: $login, password: $password) {
    __typename
    ... on MutationLoginSuccess { data { token expiresAt account { login } } }
    ... on Error { code message }
  }
}`;
const VIEWER = '{ viewer { login isAdmin } }';

describe('signing in', () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await createTestApp();
  });
  afterAll(() => testApp.dispose());

  it('returns a token that identifies the account', async () => {
    const result = await testApp.graphql(LOGIN, { login: 'admin', password: ADMIN_PASSWORD });
    expect(result.data.login.__typename).toBe('MutationLoginSuccess');
    const { token, expiresAt } = result.data.login.data;
    expect(new Date(expiresAt).getTime()).toBeGreaterThan(Date.now());
    expect(token.split('.')).toHaveLength(3);
    expect(JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString())).toMatchObject({ alg: 'EdDSA' });
    const viewer = await testApp.graphql(VIEWER, {}, token);
    expect(viewer.data.viewer).toEqual({ login: 'admin', isAdmin: true });
  });

  it('rejects a wrong password with a typed error', async () => {
    const result = await testApp.graphql(LOGIN, { login: 'admin', password: 'not the password at all' });
    expect(result.errors).toBeUndefined();
    expect(result.data.login).toEqual({
      __typename: 'InvalidCredentialsError',
      code: 'UNAUTHENTICATED',
      message: 'Login failed: unknown login or wrong password',
    });
  });

  it('gives an unknown login the same answer as a wrong password', async () => {
    const result = await testApp.graphql(LOGIN, { login: 'nobody-here', password: 'whatever password' });
    expect(result.data.login.__typename).toBe('InvalidCredentialsError');
  });

  it('treats a forged, malformed or missing token as anonymous', async () => {
    const token = await testApp.login('admin', ADMIN_PASSWORD);
    const [header, payload] = token.split('.');
    const forged = `${header}.${payload}.${Buffer.alloc(64).toString('base64url')}`;
    for (const candidate of [forged, 'not-a-token', null]) {
      expect((await testApp.graphql(VIEWER, {}, candidate)).data.viewer).toBeNull();
    }
  });

  it('ends the session at logout, so the token stops working at once', async () => {
    const token = await testApp.login('admin', ADMIN_PASSWORD);
    const logout = await testApp.graphql('mutation { logout { __typename ... on MutationLogoutSuccess { data } } }', {}, token);
    expect(logout.data.logout.data).toBe(true);
    expect((await testApp.graphql(VIEWER, {}, token)).data.viewer).toBeNull();
    const again = await testApp.graphql('mutation { logout { __typename ... on Error { code } } }', {}, token);
    expect(again.data.logout).toEqual({ __typename: 'UnauthenticatedError', code: 'UNAUTHENTICATED' });
  });

  it('lets an admin revoke every session of an account', async () => {
    const account = await createAccount(testApp, 'revoked-user');
    const second = await testApp.login('revoked-user', PASSWORD);
    const revoke = await testApp.graphql(
      `mutation ($id: ID!) { revokeSessions(accountId: $id) { __typename ... on MutationRevokeSessionsSuccess { data } } }`,
      { id: account.id },
      testApp.adminToken,
    );
    expect(revoke.data.revokeSessions.data).toBe(2);
    expect((await testApp.graphql(VIEWER, {}, account.token)).data.viewer).toBeNull();
    expect((await testApp.graphql(VIEWER, {}, second)).data.viewer).toBeNull();
  });

  it('refuses revocation by a non-admin', async () => {
    const account = await createAccount(testApp, 'plain-user');
    const revoke = await testApp.graphql(
      `mutation ($id: ID!) { revokeSessions(accountId: $id) { __typename ... on Error { code } } }`,
      { id: account.id },
      account.token,
    );
    expect(revoke.data.revokeSessions).toEqual({ __typename: 'ForbiddenError', code: 'FORBIDDEN' });
  });

  it('issues a one-time password that must be changed, and changing it works', async () => {
    const created = await testApp.graphql(
      `mutation { createAccount(login: "new-resident") {
        ... on MutationCreateAccountSuccess { data { oneTimePassword account { mustChangePassword } } } } }`,
      {},
      testApp.adminToken,
    );
    const { oneTimePassword, account } = created.data.createAccount.data;
    expect(oneTimePassword).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(account.mustChangePassword).toBe(true);
    const token = await testApp.login('new-resident', oneTimePassword);
    const change = await testApp.graphql(
      `mutation ($current: String!, $next: String!) {
        changePassword(currentPassword: $current, newPassword: $next) { __typename ... on Error { code } } }`,
      { current: oneTimePassword, next: 'my own new passphrase' },
      token,
    );
    expect(change.data.changePassword.__typename).toBe('MutationChangePasswordSuccess');
    const viewer = await testApp.graphql('{ viewer { mustChangePassword } }', {}, await testApp.login('new-resident', 'my own new passphrase'));
    expect(viewer.data.viewer.mustChangePassword).toBe(false);
  });

  it('rate-limits repeated failures on one login from one address before hashing again', async () => {
    const free = LOGIN_THROTTLE_POLICY.nameAndAddress.freeFailures;
    const attempts = [];
    for (let attempt = 0; attempt <= free; attempt++) {
      attempts.push((await testApp.graphql(LOGIN, { login: 'brute-forced', password: `guess number ${attempt}` })).data.login);
    }
    expect(attempts.slice(0, free).every((result) => result.__typename === 'InvalidCredentialsError')).toBe(true);
    expect(attempts[free]).toMatchObject({ __typename: 'RateLimitedError', code: 'RATE_LIMITED' });
  });
});
