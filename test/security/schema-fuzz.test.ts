/**
 * Fuzzing from the schema: for every query and mutation that takes arguments, fast-check
 * generates well-typed and ill-typed arguments from the argument types alone (scalars,
 * enums, input objects, lists, nulls, huge strings, any Unicode, control characters,
 * out-of-range numbers, malformed and foreign ids), sent as variables or written into the
 * document, by a caller the authorization matrix lets through. Whatever comes in:
 * - never an HTTP 5xx;
 * - never an internal error, masked ("Unexpected error.", INTERNAL_SERVER_ERROR) or not;
 * - never a partial write: after a call that did not succeed, every table (the ledger's
 *   included) has the rows it had before.
 * Most cases run in-process through `yoga.fetch` (the same Yoga the listener serves); a
 * sample runs over a real HTTP server too. The seed is printed with any failure, and
 * FUZZ_SEED replays a run.
 */
import { request as httpRequest } from 'node:http';
import fc from 'fast-check';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isUnionType,
  type GraphQLInputType,
  type GraphQLSchema,
} from 'graphql';
import { buildSchema } from '../../src/graphql/schema.ts';
import { listen, type RunningServer } from '../../src/server/server.ts';
import { modules } from '../../src/server/modules.ts';
import { createTestApp, type GraphQLResponse, type TestApp } from '../support/app.ts';
import { AUTHORIZATION_MATRIX } from './authorization-matrix.ts';
import { documentFor, rootFields, selectionOf, type RootField } from './support/field-calls.ts';
import { inputValue, maybeAbsent } from './support/schema-arbitraries.ts';
import { createSecurityWorld, type MatrixRole, type SecurityWorld } from './support/security-world.ts';

/** At least this many calls per run, spread evenly over the fields that take arguments (FUZZ_CASES for a longer hunt). */
const MINIMUM_CASES = Math.max(5_000, Number(process.env['FUZZ_CASES'] ?? 0));
/** Calls that go over the real HTTP server rather than in-process. */
const HTTP_CASES = 150;
const UNEXPECTED_MESSAGE = 'Unexpected error.';
const UNEXPECTED_CODE = 'INTERNAL_SERVER_ERROR';

const seed = process.env['FUZZ_SEED'] ? Number(process.env['FUZZ_SEED']) : Date.now() % 2_147_483_647;
/** FUZZ_FIELD=Mutation.postTransfers replays one field's cases of a seed. */
const onlyField = process.env['FUZZ_FIELD'];

let testApp: TestApp;
let server: RunningServer;
let world: SecurityWorld;
let schema: GraphQLSchema;
/** The table every write lands in, by a row trigger on every other table, and rolled back with its transaction. */
const WRITES_TABLE = 'fuzz_writes';

/**
 * Records every row written to any table from now on (checkpoints aside: the cutter signs
 * them on its own clock). A refused call's transaction rolls back its records with its
 * writes, so what remains after a call is what it committed — inserts, updates and deletes.
 */
async function recordEveryWrite(): Promise<void> {
  const connection = testApp.database.orm.em.getConnection();
  const tables: Array<{ tablename: string }> = await connection.execute(
    `select tablename from pg_tables where schemaname = 'public' and tablename <> 'ledger_checkpoints'`,
  );
  await connection.execute(`create table ${WRITES_TABLE} (table_name text not null)`);
  await connection.execute(`create function fuzz_record_write() returns trigger language plpgsql as $$
    begin insert into ${WRITES_TABLE} values (tg_table_name); return null; end $$`);
  for (const { tablename } of tables) {
    await connection.execute(
      `create trigger fuzz_record_write after insert or update or delete on "${tablename}" for each row execute function fuzz_record_write()`,
    );
  }
}

/** The tables written since the last call, and forgets them. */
async function tablesWritten(): Promise<string[]> {
  const connection = testApp.database.orm.em.getConnection();
  const [row] = await connection.execute(
    `select coalesce(array_agg(distinct table_name), '{}') as tables from ${WRITES_TABLE}`,
  );
  const tables = row!.tables as string[];
  if (tables.length > 0) await connection.execute(`delete from ${WRITES_TABLE}`);
  return tables;
}

beforeAll(async () => {
  testApp = await createTestApp();
  world = await createSecurityWorld(testApp, 'fuzz');
  // The daily money run (reminders, late fees) would write on its own clock, between two calls.
  testApp.app.services.money.jobsPaused = true;
  server = await listen(testApp.app, '127.0.0.1', 0);
  schema = await buildSchema(modules);
  await recordEveryWrite();
}, 120_000);
afterAll(async () => {
  await server?.close();
  await testApp?.dispose();
});

/** The callers of a field: those its matrix row lets through, signed in where any is, so the input gets past authorization. */
function callersOf(root: RootField): MatrixRole[] {
  const allowed = AUTHORIZATION_MATRIX[root.key]!.allowed;
  const signedIn = allowed.filter((role) => role !== 'anonymous');
  return signedIn.length > 0 ? signedIn : [...allowed];
}

/** A value written into the document as a GraphQL literal (enum names bare). */
function literal(value: unknown, type: GraphQLInputType): string {
  if (value === null || value === undefined) return 'null';
  const inner = isNonNullType(type) ? type.ofType : type;
  if (Array.isArray(value))
    return `[${value.map((item) => literal(item, isListType(inner) ? inner.ofType : inner)).join(', ')}]`;
  if (typeof value === 'object') {
    const fields = isInputObjectType(inner) ? inner.getFields() : {};
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    return `{${entries.map(([key, item]) => `${key}: ${literal(item, fields[key]?.type ?? inner)}`).join(', ')}}`;
  }
  if (typeof value === 'string' && isEnumType(inner) && /^[_A-Za-z][_0-9A-Za-z]*$/u.test(value)) return value;
  if (typeof value === 'number' && !Number.isFinite(value)) return '0';
  return JSON.stringify(value);
}

function literalDocument(root: RootField, variables: Record<string, unknown>): string {
  const given = root.field.args.filter((argument) => variables[argument.name] !== undefined);
  const passes = given
    .map((argument) => `${argument.name}: ${literal(variables[argument.name], argument.type)}`)
    .join(', ');
  return `${root.operation} Fuzz { ${root.field.name}${passes ? `(${passes})` : ''} ${selectionOf(root.field)} }`;
}

interface FuzzCase {
  caller: MatrixRole;
  variables: Record<string, unknown>;
  inline: boolean;
}

function caseArbitrary(root: RootField): fc.Arbitrary<FuzzCase> {
  const argumentsOf = (wild: boolean) =>
    fc.record(
      Object.fromEntries(
        root.field.args.map((argument) => [
          argument.name,
          maybeAbsent(argument.type, inputValue(argument.type, argument.name, world, wild)),
        ]),
      ),
    ) as fc.Arbitrary<Record<string, unknown>>;
  return fc.record({
    caller: fc.constantFrom(...callersOf(root)),
    variables: fc.oneof({ weight: 3, arbitrary: argumentsOf(false) }, { weight: 2, arbitrary: argumentsOf(true) }),
    inline: fc.integer({ min: 0, max: 4 }).map((draw) => draw === 0),
  });
}

function succeeded(root: RootField, response: GraphQLResponse): boolean {
  if (response.errors?.length) return false;
  const payload = response.data?.[root.field.name];
  if (payload === null || payload === undefined) return false;
  const named = getNamedType(root.field.type);
  return isUnionType(named) ? String(payload.__typename).endsWith('Success') : true;
}

/**
 * POST /graphql over a connection of its own: a kept-alive connection the server closes
 * as idle while the next request is on its way would read as a reset, which is no answer
 * of the server's to that input.
 */
function postOverHttp(headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${server.url}/graphql`, { method: 'POST', headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }),
      );
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(body);
  });
}

/** Accepted calls whose writes the recorder saw: proof that it records (a recorder that saw nothing would pass every case). */
let callsThatWrote = 0;

/** Sends one case; answers with what went wrong, or null. */
async function runCase(root: RootField, fuzzCase: FuzzCase, overHttp: boolean): Promise<string | null> {
  const variables = Object.fromEntries(Object.entries(fuzzCase.variables).filter(([, value]) => value !== undefined));
  const query = fuzzCase.inline ? literalDocument(root, variables) : documentFor(root, Object.keys(variables));
  const token = world.tokens[fuzzCase.caller];
  const init = {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables: fuzzCase.inline ? {} : variables }),
  };
  let status: number;
  let text: string;
  try {
    if (overHttp) ({ status, text } = await postOverHttp(init.headers, init.body));
    else {
      const response = await testApp.app.yoga.fetch('http://courtyard.test/graphql', init);
      status = response.status;
      text = await response.text();
    }
  } catch (error) {
    await tablesWritten();
    return `no answer (${String((error as Error).cause ?? error)}) to a ${init.body.length}-byte body`;
  }
  const written = await tablesWritten();
  if (status >= 500) return `HTTP ${status}`;
  let body: GraphQLResponse;
  try {
    body = JSON.parse(text) as GraphQLResponse;
  } catch {
    return `HTTP ${status} with a body that is not JSON`;
  }
  const internal = (body.errors ?? []).find(
    (error) =>
      error.message === UNEXPECTED_MESSAGE || error.extensions?.code === UNEXPECTED_CODE || !error.extensions?.code,
  );
  if (internal) {
    // The request log names what was masked (name and message, literals cut out).
    const logged = testApp.logLines.findLast((line) => line.includes('"unexpected"')) ?? '';
    return `internal error ${JSON.stringify(internal)} logged as ${/"unexpected":(\[.*?\])/u.exec(logged)?.[1] ?? 'nothing'}`;
  }
  const payload = body.data?.[root.field.name];
  if (payload && typeof payload === 'object' && payload.code === UNEXPECTED_CODE)
    return 'internal error as a typed result';
  const accepted = succeeded(root, body);
  if (written.length > 0 && !accepted)
    return `refused (${JSON.stringify(body).slice(0, 200)}) yet wrote to ${written.join(', ')}`;
  if (written.length > 0) callsThatWrote += 1;
  return null;
}

describe('schema fuzzing', () => {
  it(
    `never answers a generated input with a 5xx, an internal error or a partial write (seed ${seed})`,
    async () => {
      const fuzzed = rootFields(schema).filter(
        (root) => root.operation !== 'subscription' && root.field.args.length > 0,
      );
      const casesPerField = Math.ceil(MINIMUM_CASES / fuzzed.length);
      const targets = onlyField ? fuzzed.filter((root) => root.key === onlyField) : fuzzed;
      const httpEvery = Math.max(1, Math.floor((casesPerField * targets.length) / HTTP_CASES));
      const problems = new Map<string, string>();
      await tablesWritten();
      let sent = 0;
      let overHttp = 0;
      for (const root of targets) {
        const index = fuzzed.indexOf(root);
        for (const fuzzCase of fc.sample(caseArbitrary(root), { numRuns: casesPerField, seed: seed + index })) {
          const http = sent % httpEvery === 0;
          const problem = await runCase(root, fuzzCase, http);
          sent += 1;
          if (http) overHttp += 1;
          const kind = problem?.replace(/\(.*\)|\{.*\}/su, '').slice(0, 120);
          if (problem && !problems.has(`${root.key}: ${kind}`))
            problems.set(`${root.key}: ${kind}`, `${problem} — input ${JSON.stringify(fuzzCase).slice(0, 400)}`);
        }
      }
      expect([...problems.values()]).toEqual([]);
      if (!onlyField) {
        expect(sent).toBeGreaterThanOrEqual(MINIMUM_CASES);
        expect(overHttp).toBeGreaterThanOrEqual(HTTP_CASES / 2);
        expect(callsThatWrote).toBeGreaterThan(0);
      }
    },
    (300_000 * MINIMUM_CASES) / 5_000,
  );
});
