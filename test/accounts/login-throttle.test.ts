/**
 * Failed sign-ins are throttled per client address, per login name from that address,
 * and per login name overall, with exponential backoff — so guessing is slow, and
 * nobody can lock an account out by failing on purpose from their own address.
 */
import { MemoryLoginThrottle, LOGIN_THROTTLE_POLICY, addressKey } from '../../src/accounts/login-throttle.ts';
import { RateLimitedError } from '../../src/domain-error.ts';
import { createTestApp, ADMIN_PASSWORD, type TestApp } from '../support/app.ts';

const LOGIN = `mutation ($login: String!, $password: String!) {
  login(login: $login, password: $password) { __typename ... on Error { code } ... on RateLimitedError { retryAfterSeconds } }
}`;

let testApp: TestApp;
beforeAll(async () => {
  testApp = await createTestApp();
});
afterAll(() => testApp.dispose());

/** A sign-in from a given client address, as the HTTP server would see it. */
async function signIn(address: string, login: string, password: string, document = LOGIN): Promise<any> {
  const response = await testApp.app.yoga.fetch(
    'http://courtyard.test/graphql',
    { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: document, variables: { login, password } }) },
    { req: { socket: { remoteAddress: address } } },
  );
  return response.json();
}

describe('signing in under attack', () => {
  it("does not let failures from one address lock the admin out from another", async () => {
    for (let attempt = 0; attempt < 12; attempt++) await signIn('203.0.113.66', 'admin', `wrong guess ${attempt}`);
    const attacker = await signIn('203.0.113.66', 'admin', 'yet another guess');
    expect(attacker.data.login.__typename).toBe('RateLimitedError');
    const admin = await signIn('198.51.100.1', 'admin', ADMIN_PASSWORD);
    expect(admin.data.login.__typename).toBe('MutationLoginSuccess');
  });

  it('counts attempts before checking them: of many at once, only the free ones are checked', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, index) => signIn('203.0.113.77', 'nobody-here', `guess ${index}`)));
    const kinds = results.map((result) => result.data.login.__typename);
    expect(kinds.filter((kind) => kind === 'InvalidCredentialsError')).toHaveLength(LOGIN_THROTTLE_POLICY.nameAndAddress.freeFailures);
    expect(kinds.filter((kind) => kind === 'RateLimitedError')).toHaveLength(10 - LOGIN_THROTTLE_POLICY.nameAndAddress.freeFailures);
  });

  it('refuses a document with more than one login field before any password is checked', async () => {
    const aliased = `mutation ($login: String!, $password: String!) {
      ${Array.from({ length: 10 }, (_, index) => `a${index}: login(login: $login, password: $password) { __typename }`).join('\n')}
    }`;
    const result = await signIn('203.0.113.88', 'admin', 'a guess', aliased);
    expect(result.data).toBeUndefined();
    expect(result.errors.map((error: any) => error.extensions?.code)).toEqual(['QUERY_LIMIT_EXCEEDED']);
    // Nothing was counted: the address still has its whole allowance for the name.
    for (let attempt = 0; attempt < LOGIN_THROTTLE_POLICY.nameAndAddress.freeFailures; attempt++) {
      expect((await signIn('203.0.113.88', 'admin', `guess ${attempt}`)).data.login.__typename).toBe('InvalidCredentialsError');
    }
  });

  it('throttles one address trying many names', async () => {
    const kinds: string[] = [];
    for (let index = 0; index <= LOGIN_THROTTLE_POLICY.address.freeFailures; index++) {
      kinds.push((await signIn('203.0.113.99', `user-${index}`, 'a guess')).data.login.__typename);
    }
    expect(kinds.slice(0, -1).every((kind) => kind === 'InvalidCredentialsError')).toBe(true);
    expect(kinds.at(-1)).toBe('RateLimitedError');
  });
});

describe('the in-memory login throttle', () => {
  const policy = { ...LOGIN_THROTTLE_POLICY, nameAndAddress: { freeFailures: 3 }, address: { freeFailures: 50 }, name: { freeFailures: 6 } };

  function clock() {
    let nowMs = 1_000_000;
    return { now: () => nowMs, advance: (ms: number) => (nowMs += ms) };
  }

  async function refusal(attempt: Promise<unknown>): Promise<number | null> {
    try {
      await attempt;
      return null;
    } catch (error) {
      if (error instanceof RateLimitedError) return error.retryAfterSeconds;
      throw error;
    }
  }

  it('backs off exponentially after the free failures, up to the maximum', async () => {
    const time = clock();
    const throttle = new MemoryLoginThrottle(policy, time.now);
    const attempt = { login: 'alice', address: '192.0.2.1' };
    for (let failure = 0; failure < policy.nameAndAddress.freeFailures; failure++) await throttle.begin(attempt);
    const waits: number[] = [];
    for (let round = 0; round < 4; round++) {
      const wait = await refusal(throttle.begin(attempt));
      waits.push(wait!);
      time.advance(wait! * 1_000);
      expect(await refusal(throttle.begin(attempt))).toBeNull();
    }
    expect(waits).toEqual([1, 2, 4, 8]);
    for (let round = 0; round < 20; round++) {
      time.advance(policy.backoffMaxMs);
      await throttle.begin(attempt);
    }
    expect(await refusal(throttle.begin(attempt))).toBe(policy.backoffMaxMs / 1_000);
  });

  it('forgets an address and name after a success there, and after a quiet period', async () => {
    const time = clock();
    const throttle = new MemoryLoginThrottle(policy, time.now);
    const attempt = { login: 'bob', address: '192.0.2.2' };
    for (let failure = 0; failure < policy.nameAndAddress.freeFailures - 1; failure++) await throttle.begin(attempt);
    await (await throttle.begin(attempt)).succeeded();
    for (let failure = 0; failure < policy.nameAndAddress.freeFailures; failure++) await throttle.begin(attempt);
    expect(await refusal(throttle.begin(attempt))).not.toBeNull();
    time.advance(policy.forgetAfterMs + 1);
    expect(await refusal(throttle.begin(attempt))).toBeNull();
  });

  it('slows guessing one name from many addresses, without refusing the first tries of a new address', async () => {
    const throttle = new MemoryLoginThrottle(policy, clock().now);
    for (let index = 0; index < policy.name.freeFailures; index++) await throttle.begin({ login: 'carol', address: `192.0.2.${10 + index}` });
    expect(await refusal(throttle.begin({ login: 'carol', address: '192.0.2.200' }))).toBe(1);
  });

  it('keys IPv6 clients by their /64 and IPv4-mapped addresses as IPv4', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:db8:1:2:bbbb::2'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::ffff:192.0.2.7')).toBe(addressKey('192.0.2.7'));
  });
});
