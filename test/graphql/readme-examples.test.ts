import { readFile } from 'node:fs/promises';
import { parse, validate, type OperationDefinitionNode } from 'graphql';
import { buildSchema } from '../../src/graphql/schema.ts';
import { modules } from '../../src/server/modules.ts';
import { GRAPHIQL_EXAMPLES } from '../../src/server/graphiql-examples.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

async function readmeOperations(): Promise<string[]> {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
  return [...readme.matchAll(/```graphql\n([\s\S]*?)```/g)].map((match) => match[1]!);
}

/** The README's operations by name. */
async function namedOperations(): Promise<Map<string, string>> {
  const named = new Map<string, string>();
  for (const operation of await readmeOperations()) {
    const definition = parse(operation).definitions[0] as OperationDefinitionNode;
    expect(named.has(definition.name!.value)).toBe(false);
    named.set(definition.name!.value, operation);
  }
  return named;
}

describe('example operations', () => {
  it('in the README are valid against the schema', async () => {
    const operations = await readmeOperations();
    expect(operations.length).toBeGreaterThan(0);
    const schema = await buildSchema(modules);
    for (const operation of operations) expect(validate(schema, parse(operation))).toEqual([]);
  });

  it('in GraphiQL are valid against the schema', async () => {
    const schema = await buildSchema(modules);
    for (const example of GRAPHIQL_EXAMPLES) expect(validate(schema, parse(example.query))).toEqual([]);
  });
});

describe("the README's first session", () => {
  let testApp: TestApp;
  beforeAll(async () => {
    testApp = await createTestApp();
  });
  afterAll(() => testApp.dispose());

  it('creates a community, a manager and a resident, each changing a one-time password', async () => {
    const operations = await namedOperations();
    const run = async (name: string, variables: Record<string, unknown>, token: string | null) => {
      const result = await testApp.graphql(operations.get(name)!, variables, token);
      expect({ name, errors: result.errors }).toEqual({ name, errors: undefined });
      const [field] = Object.keys(result.data);
      const value = result.data[field!];
      expect({ name, type: value?.__typename }).not.toEqual({ name, type: expect.stringMatching(/Error$/u) });
      return value;
    };
    /** Signs in with a one-time password, finds a password change required, and changes it. */
    const firstSignIn = async (login: string, oneTimePassword: string): Promise<string> => {
      const signedIn = await run('SignIn', { login, password: oneTimePassword }, null);
      expect(signedIn.data.account.mustChangePassword).toBe(true);
      const token = signedIn.data.token;
      const refused = await testApp.graphql(operations.get('MyCommunities')!, {}, token);
      expect(refused.errors?.map((error) => error.extensions?.code)).toEqual(['PASSWORD_CHANGE_REQUIRED']);
      expect((await run('ChangePassword', { current: oneTimePassword, next: `${login} chose this passphrase` }, token)).__typename).toBe('MutationChangePasswordSuccess');
      return token;
    };

    const admin = testApp.adminToken;
    const community = (await run('CreateCommunity', {}, admin)).data;
    const manager = (await run('CreateAccount', { login: 'li-manager' }, admin)).data;
    const resident = (await run('CreateAccount', { login: 'wang-resident' }, admin)).data;
    const granted = (await run('MakeManager', { accountId: manager.account.id, communityId: community.id }, admin)).data;
    expect(granted.roles).toEqual([{ role: 'MANAGER', community: { slug: 'sunny-garden' } }]);

    const managerToken = await firstSignIn('li-manager', manager.oneTimePassword);
    const unit = (await run('RegisterUnit', { communityId: community.id }, managerToken)).data;
    expect(unit.floorAreaCentiSquareMetres).toBe(8950);
    await run('AddResident', { householdId: unit.id, accountId: resident.account.id }, managerToken);

    const residentToken = await firstSignIn('wang-resident', resident.oneTimePassword);
    const mine = await testApp.graphql(operations.get('MyCommunities')!, {}, residentToken);
    expect(mine.data.viewer.roles).toEqual([{ role: 'RESIDENT', community: { slug: 'sunny-garden' } }]);
    expect(mine.data.communities.edges.map((edge: any) => edge.node.slug)).toEqual(['sunny-garden']);
    const ledger = await testApp.graphql(operations.get('CommunityLedger')!, { communityId: community.id }, residentToken);
    expect(ledger.data.ledgerEntries.edges.map((edge: any) => edge.node.type)).toEqual([
      'accounts.community-created',
      'accounts.role-granted',
      'privacy.household-registered',
      'accounts.role-granted',
    ]);
    expect(JSON.stringify(ledger)).not.toMatch(/王芳|3栋|li-manager|wang-resident/u);
  });
});
