/**
 * Calls every query, mutation and subscription field of the built schema as each role —
 * anonymous, a resident of another community, a regulator outside and inside the
 * jurisdiction, a resident, a committee member, a manager, the admin — over a real HTTP
 * server, and checks each answer against the matrix (authorization-matrix.ts): allowed
 * (no UNAUTHENTICATED, FORBIDDEN or PASSWORD_CHANGE_REQUIRED; a business refusal is fine),
 * or refused with the row's code. A field without a row fails the test.
 *
 * @ci-pglite-only: who may call what is decided in TypeScript and by the same SQL on both
 * engines, so CI's PostgreSQL pass would only repeat these ~940 calls (it passes there too:
 * DATABASE_URL=… npm test -- test/security/authorization-matrix.test.ts).
 */
import { randomUUID } from 'node:crypto';
import type { GraphQLSchema } from 'graphql';
import { buildSchema } from '../../src/graphql/schema.ts';
import { listen, type RunningServer } from '../../src/server/server.ts';
import { modules } from '../../src/server/modules.ts';
import { createTestApp, type GraphQLResponse, type TestApp } from '../support/app.ts';
import { AUTHORIZATION_MATRIX, type Denial, type MatrixRow } from './authorization-matrix.ts';
import { documentFor, rootFields, sampleArguments, type RootField } from './support/field-calls.ts';
import { createSecurityWorld, ROLES, type MatrixRole, type SecurityWorld } from './support/security-world.ts';

/**
 * What a caller got: a refusal code, NULL (no data and no error), or ALLOWED with the
 * business answer's code if any (`ALLOWED PROPOSAL_STATE`).
 */
type Outcome = string;
const REFUSALS = new Set<string>(['UNAUTHENTICATED', 'FORBIDDEN', 'PASSWORD_CHANGE_REQUIRED', 'NOT_FOUND']);
/** Codes that never mean "allowed", whatever the row says. */
const AUTHORIZATION_REFUSALS = new Set<string>(['UNAUTHENTICATED', 'FORBIDDEN', 'PASSWORD_CHANGE_REQUIRED']);
/** How long a subscription that was let through stays silent before it counts as open. */
const SUBSCRIPTION_SETTLE_MS = 3_000;

let testApp: TestApp;
let server: RunningServer;
let world: SecurityWorld;
let schema: GraphQLSchema;

beforeAll(async () => {
  testApp = await createTestApp();
  world = await createSecurityWorld(testApp, 'matrix');
  server = await listen(testApp.app, '127.0.0.1', 0);
  schema = await buildSchema(modules);
}, 120_000);
afterAll(async () => {
  await server?.close();
  await testApp?.dispose();
});

/**
 * Whether the outcome is what the row expects. An allowed caller may meet a business
 * refusal, NOT_FOUND (the object it names is not in the state the call needs) or a null
 * answer included — unless the row refuses others with that very answer, which an
 * allowed caller must then not get.
 */
function matches(row: MatrixRow, expected: Outcome, outcome: Outcome): boolean {
  // A refusal with a code of its own (MAY_NOT_PROPOSE) reaches the client as any business code does.
  if (expected !== 'ALLOWED') return outcome === expected || outcome === `ALLOWED ${expected}`;
  if (denialsOf(row).some(({ code }) => outcome === code || outcome === `ALLOWED ${code}`)) return false;
  return outcome.startsWith('ALLOWED') || (!AUTHORIZATION_REFUSALS.has(outcome) && !outcome.startsWith('HTTP'));
}

function denialsOf(row: MatrixRow): readonly Denial[] {
  if (!row.deniedAs) return [];
  return 'code' in row.deniedAs ? [row.deniedAs] : row.deniedAs;
}

function expectedOutcome(row: MatrixRow, role: MatrixRole): Outcome {
  if (row.allowed.includes(role)) return 'ALLOWED';
  const denial = denialsOf(row).find(({ roles }) => roles.includes(role));
  if (denial) return denial.code;
  return role === 'anonymous' ? 'UNAUTHENTICATED' : 'FORBIDDEN';
}

function outcomeOfCode(code: string | undefined): Outcome {
  if (code === undefined) return 'ALLOWED';
  return REFUSALS.has(code) ? code : `ALLOWED ${code}`;
}

function outcomeOf(response: GraphQLResponse, field: string): Outcome {
  const errorCodes = (response.errors ?? []).map((error) => error.extensions?.code);
  const refusal = errorCodes.find((code) => code !== undefined && REFUSALS.has(code));
  if (refusal) return refusal;
  if (errorCodes.length > 0) return `ALLOWED ${errorCodes.join(',')}`;
  const payload = response.data?.[field];
  if (payload === null || (Array.isArray(payload) && payload.length > 0 && payload.every((item) => item === null)))
    return 'NULL';
  return outcomeOfCode(typeof payload === 'object' ? payload?.code : undefined);
}

async function post(
  body: unknown,
  token: string | null,
  accept = 'application/json',
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });
}

async function sessionFor(role: MatrixRole): Promise<string | null> {
  if (role === 'anonymous') return null;
  const { login, password } = world.credentials[role];
  return testApp.login(login, password);
}

function callFor(root: RootField, row: MatrixRow, role: MatrixRole) {
  const variables = { ...sampleArguments(root, world), ...row.arguments?.(world, role) };
  return { query: documentFor(root, Object.keys(variables)), variables };
}

async function callAs(root: RootField, row: MatrixRow, role: MatrixRole): Promise<Outcome> {
  const token = row.ownSession ? await sessionFor(role) : world.tokens[role];
  const response = await post(callFor(root, row, role), token);
  if (response.status !== 200) return `HTTP ${response.status}` as Outcome;
  return outcomeOf((await response.json()) as GraphQLResponse, root.field.name);
}

/** Opens the subscription over SSE: a refusal is the stream's first event; an allowed stream stays open and silent. */
async function subscribeAs(root: RootField, row: MatrixRow, role: MatrixRole): Promise<Outcome> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), SUBSCRIPTION_SETTLE_MS);
  try {
    const response = await post(callFor(root, row, role), world.tokens[role], 'text/event-stream', controller.signal);
    const reader = response.body!.getReader();
    let text = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
      const data = /^data: (.+)$/mu.exec(text);
      if (data) return outcomeOf(JSON.parse(data[1]!) as GraphQLResponse, root.field.name);
    }
    return 'ALLOWED';
  } catch (error) {
    if (controller.signal.aborted) return 'ALLOWED';
    throw error;
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
}

describe('the authorization matrix', () => {
  it('has one row for every root field of the built schema, and none for a field that is gone', () => {
    const keys = rootFields(schema).map((root) => root.key);
    expect(keys.filter((key) => !AUTHORIZATION_MATRIX[key])).toEqual([]);
    expect(Object.keys(AUTHORIZATION_MATRIX).filter((key) => !keys.includes(key))).toEqual([]);
    expect(keys.length).toBeGreaterThan(100);
  });

  it('gives a reason for every field a caller who is not signed in is not refused with UNAUTHENTICATED', () => {
    const open = Object.entries(AUTHORIZATION_MATRIX).filter(
      ([, row]) => expectedOutcome(row, 'anonymous') !== 'UNAUTHENTICATED',
    );
    expect(open.filter(([, row]) => !row.public).map(([key]) => key)).toEqual([]);
    expect(
      Object.entries(AUTHORIZATION_MATRIX)
        .filter(([, row]) => row.public && !open.some(([, other]) => other === row))
        .map(([key]) => key),
    ).toEqual([]);
  });

  it('lets every query and mutation through for exactly the roles of its row, and refuses the others with the same code', async () => {
    const differences: string[] = [];
    for (const root of rootFields(schema).filter((field) => field.operation !== 'subscription')) {
      const row = AUTHORIZATION_MATRIX[root.key]!;
      // Refused roles first: what a refused call meets is the state the world was seeded in.
      const roles = [...ROLES].sort((a, b) => Number(row.allowed.includes(a)) - Number(row.allowed.includes(b)));
      for (const role of roles) {
        const outcome = await callAs(root, row, role);
        const expected = expectedOutcome(row, role);
        if (!matches(row, expected, outcome))
          differences.push(`${root.key} as ${role}: ${outcome}, expected ${expected}`);
      }
    }
    expect(differences).toEqual([]);
    // About 1,000 calls: beyond jest's minute on a loaded machine, and a timed-out run goes on beside the next test.
  }, 240_000);

  it('answers an anonymous ballot the same whoever sends it: NOT_FOUND for an unknown proposal, else what the proposal is', async () => {
    // What a proposal id tells a caller (SECURITY.md, the outsider's row): that it exists, its
    // mode and state — what a voter must be told — never anything that depends on the caller.
    const proposalTypename = Buffer.from(world.proposalId, 'base64').toString('utf8').split(':')[0];
    const unknown = Buffer.from(`${proposalTypename}:${randomUUID()}`).toString('base64');
    const proof = JSON.stringify({ proof: { pi_a: ['1', '2', '1'], pi_b: [['1', '2'], ['3', '4'], ['1', '0']], pi_c: ['1', '2', '1'], protocol: 'groth16', curve: 'bn128' }, publicSignals: ['1', '2', '3', '4', '5'] });
    const answers: Record<string, Record<string, string[]>> = {};
    for (const field of ['castAnonymousBallot', 'castEncryptedBallot'])
      for (const [name, proposalId] of Object.entries({
        unknown,
        open: world.proposalId,
        closed: world.closedProposalId,
        encryptedDraft: world.encryptedProposalId,
      })) {
        const codes = new Set<string>();
        for (const role of ROLES) {
          const response = await post(
            {
              query: `mutation ($p: ID!, $proof: String!) { ${field}(proposalId: $p, choice: "yes", proof: $proof) { __typename ... on Error { code } } }`,
              variables: { p: proposalId, proof },
            },
            world.tokens[role],
          );
          const body = (await response.json()) as GraphQLResponse;
          codes.add(body.data?.[field]?.code ?? body.errors?.[0]?.extensions?.code ?? 'NONE');
        }
        (answers[field] ??= {})[name] = [...codes];
      }
    expect(answers).toEqual({
      castAnonymousBallot: {
        unknown: ['NOT_FOUND'],
        open: ['BALLOT_MODE_MISMATCH'],
        closed: ['BALLOT_MODE_MISMATCH'],
        encryptedDraft: ['BALLOT_MODE_MISMATCH'],
      },
      castEncryptedBallot: {
        unknown: ['NOT_FOUND'],
        open: ['BALLOT_MODE_MISMATCH'],
        closed: ['BALLOT_MODE_MISMATCH'],
        encryptedDraft: ['PROPOSAL_NOT_OPEN'],
      },
    });
  });

  it('lets every subscription open for exactly the roles of its row, and refuses the others with the same code', async () => {
    const subscriptions = rootFields(schema).filter((field) => field.operation === 'subscription');
    const checks = subscriptions.flatMap((root) =>
      ROLES.map(async (role) => {
        const row = AUTHORIZATION_MATRIX[root.key]!;
        const outcome = await subscribeAs(root, row, role);
        const expected = expectedOutcome(row, role);
        return matches(row, expected, outcome) ? null : `${root.key} as ${role}: ${outcome}, expected ${expected}`;
      }),
    );
    expect((await Promise.all(checks)).filter((difference) => difference !== null)).toEqual([]);
    expect(subscriptions.length).toBeGreaterThan(0);
  });
});
