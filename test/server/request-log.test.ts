/**
 * The request log (src/server/request-log.ts): one line per operation with its codes and
 * paths — the codes the client sees — and never a variable's value, not even inside a
 * coercion message.
 */
import { createTestApp, type TestApp } from '../support/app.ts';
import { createCommunityFixture, type CommunityFixture } from '../support/fixtures.ts';

let testApp: TestApp;
let alpha: CommunityFixture;
let bravo: CommunityFixture;

beforeAll(async () => {
  testApp = await createTestApp();
  alpha = await createCommunityFixture(testApp, 'log-alpha');
  bravo = await createCommunityFixture(testApp, 'log-bravo');
});
afterAll(() => testApp.dispose());

interface OperationLine {
  msg: string;
  operation: string | null;
  type: string | null;
  errors?: Array<{ code: string; path?: string }>;
  results?: string[];
  unexpected?: Array<{ name: string; message: string; path?: string }>;
}

/** Runs the operation and returns the log lines it wrote. */
async function logged(query: string, variables: Record<string, unknown>, token: string | null): Promise<{ text: string; lines: OperationLine[] }> {
  const start = testApp.logLines.length;
  await testApp.graphql(query, variables, token);
  const written = testApp.logLines.slice(start);
  return { text: written.join(''), lines: written.map((line) => JSON.parse(line) as OperationLine).filter((line) => line.msg === 'graphql operation') };
}

describe('the request log', () => {
  it("never writes a variable's value, even when the value does not fit its type", async () => {
    const phone = 13_800_138_000;
    const { text, lines } = await logged(
      `mutation AddMember($h: ID!, $name: String!, $phone: String) {
        addHouseholdMember(householdId: $h, relation: OCCUPANT, name: $name, phone: $phone) { __typename } }`,
      { h: alpha.householdId, name: '王秀英', phone },
      alpha.managerToken,
    );
    expect(text).not.toContain(String(phone));
    expect(text).not.toContain('王秀英');
    expect(lines).toEqual([expect.objectContaining({ operation: 'AddMember', errors: [{ code: 'INVALID_INPUT' }] })]);
    expect(lines[0]!.unexpected).toBeUndefined();
  });

  it.each([
    ['FORBIDDEN', 'a community the caller does not belong to', `query Read($c: ID!) { households(communityId: $c) { edges { cursor } } }`, () => ({ c: bravo.id }), () => alpha.residentToken],
    ['UNAUTHENTICATED', 'no session', `query Read { communities { edges { cursor } } }`, () => ({}), () => null],
    ['INVALID_INPUT', 'a bad cursor', `query Read($c: ID!) { ledgerEntries(communityId: $c, after: "no-such-cursor") { edges { cursor } } }`, () => ({ c: alpha.id }), () => alpha.residentToken],
  ])('logs %s (%s) with its code and path, never as an internal error', async (code, _label, query, variables, token) => {
    const { lines } = await logged(query, variables(), token());
    expect(lines).toHaveLength(1);
    expect(lines[0]!.errors).toEqual([{ code, path: expect.stringMatching(/^\w+$/u) }]);
    expect(lines[0]!.unexpected).toBeUndefined();
  });

  it('logs the typed error a mutation returns with its code', async () => {
    const { text, lines } = await logged(
      `mutation SignIn($login: String!, $password: String!) { login(login: $login, password: $password) { __typename } }`,
      { login: 'log-alpha-resident', password: 'not the right password' },
      null,
    );
    expect(lines).toEqual([expect.objectContaining({ operation: 'SignIn', type: 'mutation', results: ['UNAUTHENTICATED'] })]);
    expect(text).not.toContain('not the right password');
    expect(text).not.toContain('log-alpha-resident');
  });

  it('logs a document that fails validation, or a limit, with its code', async () => {
    const broken = await logged(`query Broken { viewer { noSuchField } }`, {}, alpha.residentToken);
    expect(broken.lines).toEqual([expect.objectContaining({ operation: 'Broken', errors: [{ code: 'GRAPHQL_VALIDATION_FAILED' }] })]);
    const costly = await logged(`query Costly($c: ID!) { ledgerEntries(communityId: $c, first: 5000) { edges { cursor } } }`, { c: alpha.id }, alpha.residentToken);
    expect(costly.lines).toEqual([expect.objectContaining({ operation: 'Costly', errors: [{ code: 'QUERY_LIMIT_EXCEEDED' }] })]);
    const long = await logged(`query Long { ${'viewer { id } '.repeat(1000)} }`, {}, alpha.residentToken);
    expect(long.lines).toEqual([expect.objectContaining({ errors: [{ code: 'QUERY_LIMIT_EXCEEDED' }] })]);
  });

  it('answers a document over a limit with a machine-readable code', async () => {
    const result = await testApp.graphql(`query ($c: ID!) { ledgerEntries(communityId: $c, first: 5000) { edges { cursor } } }`, { c: alpha.id }, alpha.residentToken);
    expect(result.errors).toEqual([expect.objectContaining({ message: expect.stringMatching(/^Query Cost limit/u), extensions: { code: 'QUERY_LIMIT_EXCEEDED' } })]);
  });

  it('logs an unexpected failure with its class and a message stripped of the values it quotes', async () => {
    const connection = testApp.database.orm.em.getConnection();
    await connection.execute('alter table communities rename to communities_elsewhere');
    try {
      const { text, lines } = await logged(
        `mutation Create($slug: String!, $name: String!) { createCommunity(slug: $slug, name: $name) { __typename } }`,
        { slug: 'leaky-slug-court', name: '秘密花园 88776655' },
        testApp.adminToken,
      );
      expect(lines).toHaveLength(1);
      expect(lines[0]!.errors).toEqual([{ code: 'INTERNAL_SERVER_ERROR', path: 'createCommunity' }]);
      expect(lines[0]!.unexpected).toEqual([expect.objectContaining({ name: expect.any(String), message: expect.any(String), path: 'createCommunity' })]);
      for (const value of ['leaky-slug-court', '秘密花园', '88776655']) expect(text).not.toContain(value);
    } finally {
      await connection.execute('alter table communities_elsewhere rename to communities');
    }
  });
});
