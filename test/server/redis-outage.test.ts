/**
 * An instance whose shared Redis (REDIS_URL) goes away after it started (docs/operations.md,
 * "When Redis is unreachable"): a real server on a loopback port, pointed at a Redis server
 * of this test's own, which is then stopped, so nothing listens on its port. Sign-in and
 * invite redemption (whose limits are counted in Redis) are refused with SERVICE_UNAVAILABLE
 * and write nothing; a subscription to a topic carried by Redis is refused the same way; a
 * change whose event would go through Redis still commits; `/ready` answers 503 until Redis is
 * back, and then everything works again, the invite included.
 */
import { randomBytes } from 'node:crypto';
import { createTestApp, mutate, type TestApp } from '../support/app.ts';
import { createCommunityFixture, PASSWORD, type CommunityFixture } from '../support/fixtures.ts';
import { eventually, startRedisServer, type RedisServer } from '../support/instances.ts';
import { listen, type RunningServer } from '../../src/server/server.ts';

const RESULT = `__typename ... on Error { code message }`;
const LOGIN = `mutation ($login: String!, $password: String!) { login(login: $login, password: $password) {
  ${RESULT} ... on MutationLoginSuccess { data { token } } } }`;
const INVITE = `mutation ($communityId: ID!, $householdId: ID) {
  createCensusInvite(communityId: $communityId, kind: HOUSEHOLDS, householdId: $householdId) {
    ${RESULT} ... on MutationCreateCensusInviteSuccess { data { code } } } }`;
const JOIN = `mutation ($code: String!) { joinCensus(inviteCode: $code, identityCommitment: "12345") {
  ${RESULT} ... on MutationJoinCensusSuccess { data { headCount } } } }`;
const PAY = `mutation ($c: ID!, $h: ID!, $k: String!) { recordPayment(communityId: $c, householdId: $h, amount: "500", idempotencyKey: $k) {
  ${RESULT} ... on MutationRecordPaymentSuccess { data { payment { id } } } } }`;

describe('an instance whose Redis goes away', () => {
  let redis: RedisServer;
  let testApp: TestApp;
  let server: RunningServer;
  let community: CommunityFixture;
  let inviteCode: string;
  const residentLogin = () => `${community.slug}-resident`;

  /** A GraphQL request over HTTP to the listening server. */
  async function post(query: string, variables: Record<string, unknown>, token?: string, accept = 'application/json'): Promise<any> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept };
    if (token) headers['authorization'] = `Bearer ${token}`;
    const response = await fetch(`${server.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables }) });
    return accept === 'application/json' ? response.json() : response.text();
  }
  const ready = async () => {
    const response = await fetch(`${server.url}/ready`);
    return { status: response.status, body: await response.json() };
  };
  const count = async (sql: string): Promise<number> => Number((await testApp.database.orm.em.getConnection().execute(sql))[0]!.n);

  beforeAll(async () => {
    redis = await startRedisServer();
    testApp = await createTestApp({ REDIS_URL: redis.url, COURTYARD_INSTALLATION_NAME: `outage-${randomBytes(4).toString('hex')}.test` });
    server = await listen(testApp.app, '127.0.0.1', 0);
    community = await createCommunityFixture(testApp, 'outage');
    await mutate(testApp, 'openBooks', `mutation ($c: ID!) { openBooks(communityId: $c) { ${RESULT} ... on MutationOpenBooksSuccess { data { id } } } }`, { c: community.id }, community.managerToken);
    inviteCode = (await mutate(testApp, 'createCensusInvite', INVITE, { communityId: community.id, householdId: community.householdId }, community.managerToken)).code;
    expect(await ready()).toEqual({ status: 200, body: { status: 'ready' } });
    await redis.stop();
  });

  afterAll(async () => {
    await server?.close();
    await testApp?.dispose();
    await redis?.stop();
  });

  it('says it is not ready while Redis is unreachable', async () => {
    expect(await eventually('/ready to answer 503', async () => (await ready()).status === 503 && ready())).toEqual({ status: 503, body: { status: 'redis unavailable' } });
  });

  it('refuses a sign-in with SERVICE_UNAVAILABLE rather than skip the throttle, and opens no session', async () => {
    const sessions = await count(`select count(*)::int as n from sessions`);
    const result = await post(LOGIN, { login: residentLogin(), password: PASSWORD });
    expect(result.data.login).toEqual({ __typename: 'OperationError', code: 'SERVICE_UNAVAILABLE', message: expect.stringContaining('retry later') });
    expect(await count(`select count(*)::int as n from sessions`)).toBe(sessions);
  });

  it('refuses an invite redemption with SERVICE_UNAVAILABLE and leaves the invite and the census as they were', async () => {
    const entries = await count(`select count(*)::int as n from ledger_entries`);
    const result = await post(JOIN, { code: inviteCode }, community.residentToken);
    expect(result.data.joinCensus).toMatchObject({ __typename: 'OperationError', code: 'SERVICE_UNAVAILABLE' });
    expect(await count(`select count(*)::int as n from census_invites where redeemed_at is not null`)).toBe(0);
    expect(await count(`select count(*)::int as n from census_leaves`)).toBe(0);
    expect(await count(`select count(*)::int as n from ledger_entries`)).toBe(entries);
  });

  it('refuses a subscription carried by Redis with SERVICE_UNAVAILABLE', async () => {
    const stream = await post(`subscription ($c: ID!) { moneyMoved(communityId: $c) { kind id amount } }`, { c: community.id }, community.managerToken, 'text/event-stream');
    const event = JSON.parse(/^data: (.*)$/mu.exec(stream)![1]!);
    expect(event.errors.map((error: { extensions: { code: string } }) => error.extensions.code)).toEqual(['SERVICE_UNAVAILABLE']);
  });

  it('still commits a change whose event would go through Redis (the event is lost and logged)', async () => {
    const paid = await post(PAY, { c: community.id, h: community.householdId, k: 'outage-payment' }, community.managerToken);
    expect(paid.data.recordPayment.__typename).toBe('MutationRecordPaymentSuccess');
    await eventually('the lost event in the log', () => testApp.logLines.some((line) => line.includes('publishing a subscription event to redis failed')));
  });

  it('serves sign-ins and redemptions again once Redis is back, the same invite included', async () => {
    await redis.start();
    await eventually('/ready to answer 200', async () => (await ready()).status === 200);
    const signedIn = await post(LOGIN, { login: residentLogin(), password: PASSWORD });
    expect(signedIn.data.login.__typename).toBe('MutationLoginSuccess');
    const joined = await post(JOIN, { code: inviteCode }, signedIn.data.login.data.token);
    expect(joined.data.joinCensus).toEqual({ __typename: 'MutationJoinCensusSuccess', data: { headCount: 1 } });
  });
});
