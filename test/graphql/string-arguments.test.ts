/**
 * Input hygiene over the whole schema: every String argument and input field, on every
 * field of every type, refuses a bidirectional override and an unpaired surrogate with
 * INVALID_INPUT naming the parameter, before any authorisation or database work
 * (src/graphql/string-arguments.ts). Root fields are called over HTTP by an anonymous
 * caller; fields of other types, which need a parent object to be reached, are called
 * through the built schema's resolver, the same wrapped function HTTP reaches.
 *
 * Every String parameter is either typed text (names, titles, comments: textArgument's
 * rule, which also bounds its length and NFC-normalises it) or listed in NOT_TEXT with
 * the reason; the test fails when a parameter is in neither.
 */
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isAbstractType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import { InvalidInputError } from '../../src/domain-error.ts';
import { buildSchema } from '../../src/graphql/schema.ts';
import { modules } from '../../src/server/modules.ts';
import { createTestApp, type TestApp } from '../support/app.ts';

/** Text a person types: textArgument's rule (length in code points, no line breaks unless multi-line, NFC). */
const TEXT = new Set([
  'Mutation.addHouseholdMember.idNumber',
  'Mutation.addHouseholdMember.name',
  'Mutation.addHouseholdMember.phone',
  'Mutation.addRatingSubject.label',
  'Mutation.answerSuggestion.answer',
  'Mutation.createCommunity.name',
  'Mutation.createJurisdiction.name',
  'Mutation.createProposal.body',
  'Mutation.createProposal.options.0.label',
  'Mutation.createProposal.title',
  'Mutation.fileChallenge.reason',
  'Mutation.hideRatingComment.reason',
  'Mutation.proposeActivity.activity.description',
  'Mutation.proposeActivity.activity.place',
  'Mutation.proposeActivity.activity.title',
  'Mutation.proposeActivityExpense.purpose',
  'Mutation.registerHousehold.unitLabel',
  'Mutation.submitAnonymousRating.comment',
  'Mutation.submitAnonymousSuggestion.body',
  'Mutation.submitAnonymousSuggestion.title',
  'Mutation.submitRating.comment',
  'Mutation.submitSuggestion.body',
  'Mutation.submitSuggestion.title',
  'Query.findHousehold.phone',
  'Query.findHousehold.unitLabel',
  'Query.ledgerEntries.type',
]);

/** String parameters that are not text a person types, and what they are instead. */
const NOT_TEXT: Record<string, string> = {
  after: 'an opaque keyset cursor (base64url), decoded and checked by resolveKeysetConnection',
  before: 'an opaque keyset cursor (base64url), decoded and checked by resolveKeysetConnection',
  'Mutation.login.password': 'a password: compared with its hash, never stored or shown',
  'Mutation.changePassword.currentPassword': 'a password: compared with its hash, never stored or shown',
  'Mutation.changePassword.newPassword':
    'a password: hashed (its own length rule in src/accounts/passwords.ts), never shown',
  'Mutation.createAccount.password':
    'a password: hashed (its own length rule in src/accounts/passwords.ts), never shown',
  'Mutation.createAccount.login': 'a login name: a lowercase code with its own pattern',
  'Mutation.login.login': 'a login name: a lowercase code with its own pattern',
  'Mutation.createCommunity.slug': 'a slug: a lowercase code with its own pattern',
  'Mutation.castAnonymousBallot.proof': 'a snarkjs proof as JSON, parsed and bounded in bytes',
  'Mutation.submitAnonymousRating.proof': 'a snarkjs proof as JSON, parsed and bounded in bytes',
  'Mutation.submitAnonymousSuggestion.proof': 'a snarkjs proof as JSON, parsed and bounded in bytes',
  'Mutation.submitFeeProof.proof': 'a snarkjs proof as JSON, parsed and bounded in bytes',
  'Mutation.castEncryptedBallot.proof': 'a snarkjs proof as JSON, parsed and bounded in bytes',
  'Mutation.publishKeyCommitments.message':
    "a trustee's dkg-round-1 protocol message as JSON (points and proofs), parsed, checked and bounded in bytes",
  'Mutation.publishKeyShares.messages':
    "a trustee's dkg-round-2 protocol messages as a JSON list (sealed shares), parsed, checked and bounded in bytes",
  'Mutation.fileKeyComplaint.complaint':
    "a dkg-complaint protocol message as JSON (the channel's shared point and its proof), parsed, judged and bounded in bytes",
  'Mutation.publishPartialDecryption.message':
    'a partial-decryption protocol message as JSON (group elements and proofs), parsed, verified and bounded in bytes',
  'Query.checkMembershipProof.proof': 'a snarkjs proof as JSON, parsed and bounded in bytes',
  'Query.feePeriodBundle.proofs.0': 'snarkjs proofs as JSON, parsed and bounded in bytes',
  'Mutation.activateVerificationKey.verificationKey': 'a snarkjs verification key as JSON, parsed and bounded in bytes',
  'Mutation.activateVerificationKey.instance': 'a circuit instance name from the manifest',
  'Query.checkMembershipProof.root': 'a field element in decimal',
  'Query.checkMembershipProof.scope': 'a field element in decimal',
  'Query.checkMembershipProof.message': 'a field element in decimal',
  'Query.checkBallotReceipt.nullifier': 'a field element in decimal',
  'Mutation.joinCensus.identityCommitment': 'a field element in decimal',
  'Mutation.joinCensus.inviteCode': 'an invite code with its own pattern',
  'Mutation.registerWitnessKey.name': 'a signed-note key name with its own pattern (C2SP signed-note)',
  'Mutation.rotateWitnessKey.name': 'a signed-note key name with its own pattern (C2SP signed-note)',
  'Mutation.rotateWitnessKey.retiredName': 'a signed-note key name with its own pattern (C2SP signed-note)',
  'Mutation.cosignCheckpoint.keyName': 'a signed-note key name with its own pattern (C2SP signed-note)',
  'Mutation.castAnonymousBallot.choice': 'an option id of the proposal (code)',
  'Mutation.castNamedBallot.choice': 'an option id of the proposal (code)',
  'Mutation.castEncryptedBallot.choice': 'an option id of the proposal (code)',
  'Mutation.enterPaperBallot.choice': 'an option id of the proposal (code)',
  'Mutation.createProposal.options.0.id': 'an option id (code)',
  'Mutation.addRatingSubject.key': 'a subject key (code)',
  'Mutation.proposeActivity.activity.kind': 'an activity kind (code)',
  'Mutation.requestFeeProofChallenge.purpose': 'a challenge purpose (code)',
  'Mutation.proposeActivityExpense.receiptHash': 'a SHA-256 in hex',
  'Mutation.proposeSpend.purposeHash': 'a SHA-256 in hex',
  'Mutation.proposeSpend.receiptHash': 'a SHA-256 in hex',
  'Query.cashFlow.from': 'a civil date (YYYY-MM-DD)',
  'Query.cashFlow.to': 'a civil date (YYYY-MM-DD)',
  'Query.communityOversight.asOf': 'a civil date (YYYY-MM-DD)',
};
/** Parameters whose last segment marks them as a code or id of their own pattern. */
const NOT_TEXT_NAMES: Record<string, string> = {
  period: 'a month (YYYY-MM)',
  periodId: 'a month (YYYY-MM)',
  effectiveFromPeriodId: 'a month (YYYY-MM)',
  idempotencyKey: "a client's idempotency key with its own pattern",
  accountId: 'an id (UUID)',
  activityId: 'an id (UUID)',
  creditAccountId: 'an id (UUID)',
  debitAccountId: 'an id (UUID)',
  invoiceId: 'an id (UUID)',
  ownersProposalId: 'an id (UUID)',
  payeeId: 'an id (UUID)',
  paymentId: 'an id (UUID)',
  scheduleId: 'an id (UUID)',
  spendId: 'an id (UUID)',
};

/** Why a parameter (`Mutation.login.password`) is not text, or undefined when it is not listed as such. */
function notTextReason(qualified: string): string | undefined {
  const last = qualified.split('.').at(-1)!;
  return NOT_TEXT[qualified] ?? NOT_TEXT[last] ?? NOT_TEXT_NAMES[last];
}

interface StringParameter {
  type: GraphQLObjectType;
  field: GraphQLField<unknown, unknown>;
  /** As the error names it: `name`, `activity.title`, `options.0.label`. */
  parameter: string;
  /** The field's arguments with every required one filled and the parameter set to `bad`. */
  argumentsWith(bad: string): Record<string, unknown>;
}

/** A value of the type that passes coercion; `target` puts `bad` at that path inside it. */
function fill(type: GraphQLInputType, target: string[] | null, bad: string): unknown {
  if (isNonNullType(type)) return fill(type.ofType, target, bad);
  if (isListType(type)) return [fill(type.ofType, target?.[0] === '0' ? target.slice(1) : target, bad)];
  if (target !== null && target.length === 0) return bad;
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (target?.[0] === field.name) value[field.name] = fill(field.type, target.slice(1), bad);
      else if (isNonNullType(field.type)) value[field.name] = fill(field.type, null, bad);
    }
    return value;
  }
  const scalars: Record<string, unknown> = {
    String: 'x',
    ID: 'x',
    Int: 1,
    Float: 1,
    Boolean: false,
    BigInt: '1',
    Money: '1',
    Hex: '00',
    DateTime: '2026-01-01T00:00:00.000Z',
  };
  if (!(type.name in scalars)) throw new Error(`no filler for scalar ${type.name}`);
  return scalars[type.name];
}

/** The paths of String values inside an input type, lists marked by index 0. */
function stringPaths(type: GraphQLInputType, seen: ReadonlySet<string> = new Set()): string[][] {
  if (isNonNullType(type)) return stringPaths(type.ofType, seen);
  if (isListType(type)) return stringPaths(type.ofType, seen).map((path) => ['0', ...path]);
  if (isScalarType(type)) return type.name === 'String' ? [[]] : [];
  if (isInputObjectType(type) && !seen.has(type.name)) {
    return Object.values(type.getFields()).flatMap((field) =>
      stringPaths(field.type, new Set([...seen, type.name])).map((path) => [field.name, ...path]),
    );
  }
  return [];
}

function stringParameters(schema: GraphQLSchema): StringParameter[] {
  const found: StringParameter[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      for (const argument of field.args) {
        for (const path of stringPaths(argument.type)) {
          found.push({
            type,
            field,
            parameter: [argument.name, ...path].join('.'),
            argumentsWith(bad) {
              const values: Record<string, unknown> = {};
              for (const other of field.args) {
                if (other === argument) values[other.name] = fill(other.type, path, bad);
                else if (isNonNullType(other.type)) values[other.name] = fill(other.type, null, bad);
              }
              return values;
            },
          });
        }
      }
    }
  }
  return found;
}

function documentFor(schema: GraphQLSchema, root: 'query' | 'mutation', field: GraphQLField<unknown, unknown>): string {
  const definitions = field.args.map((argument) => `$${argument.name}: ${String(argument.type)}`).join(', ');
  const uses = field.args.map((argument) => `${argument.name}: $${argument.name}`).join(', ');
  const named = getNamedType(field.type);
  let selection = '';
  if (isObjectType(named) || isAbstractType(named)) {
    const invalidInput = schema.getType('InvalidInputError') as GraphQLObjectType;
    const canBeInvalidInput = isAbstractType(named) && schema.isSubType(named, invalidInput);
    const canBeError =
      isAbstractType(named) &&
      schema.getPossibleTypes(named).some((type) => type.getInterfaces().some((face) => face.name === 'Error'));
    selection = `{ __typename ${canBeInvalidInput ? '... on InvalidInputError { code parameter }' : ''} ${canBeError ? '... on Error { code message }' : ''} }`;
  }
  return `${root} (${definitions}) { ${field.name}(${uses}) ${selection} }`;
}

const BAD_VALUES = {
  'a right-to-left override': 'left\u202eright',
  'an unpaired surrogate': 'left\udc00right',
};

let testApp: TestApp;
let schema: GraphQLSchema;
let parameters: StringParameter[];

beforeAll(async () => {
  testApp = await createTestApp();
  schema = await buildSchema(modules);
  parameters = stringParameters(schema);
});
afterAll(() => testApp.dispose());

async function refusal(entry: StringParameter, bad: string): Promise<{ code?: unknown; parameter?: unknown }> {
  const root =
    entry.type === schema.getQueryType() ? 'query' : entry.type === schema.getMutationType() ? 'mutation' : null;
  if (root) {
    const response = await testApp.graphql(documentFor(schema, root, entry.field), entry.argumentsWith(bad), null);
    const typed = response.data?.[entry.field.name];
    if (typed?.__typename === 'InvalidInputError') return typed;
    // A union without InvalidInputError returns it as its nearest ancestor (OperationError), naming the parameter in the message.
    if (typed?.code) return { code: typed.code, parameter: /^Invalid (\S+):/u.exec(typed.message)?.[1] };
    return (response.errors?.[0]?.extensions ?? {}) as { code?: unknown; parameter?: unknown };
  }
  // A field of another type: its resolver, wrapped by the plugins, checks arguments before touching its parent.
  try {
    const result = await entry.field.resolve!({}, entry.argumentsWith(bad), {}, {
      parentType: entry.type,
      fieldName: entry.field.name,
      schema,
    } as never);
    if (result instanceof InvalidInputError) return { code: result.code, parameter: result.parameter };
    return { code: 'RESOLVED' };
  } catch (error) {
    return error instanceof InvalidInputError
      ? { code: error.code, parameter: error.parameter }
      : { code: String(error) };
  }
}

describe('every String argument and input field of the schema', () => {
  it('is found by the walk, and is either listed as text or listed as not text with its reason', () => {
    expect(parameters.length).toBeGreaterThan(100);
    const names = parameters.map(qualifiedName);
    expect(names.filter((name) => !TEXT.has(name) && !notTextReason(name))).toEqual([]);
    expect(names.filter((name) => TEXT.has(name) && notTextReason(name))).toEqual([]);
    expect([...TEXT].filter((name) => !names.includes(name))).toEqual([]);
  });

  it.each(Object.entries(BAD_VALUES))(
    'refuses %s with INVALID_INPUT naming the parameter, before authorisation',
    async (_label, bad) => {
      const wrong: string[] = [];
      for (const entry of parameters) {
        const got = await refusal(entry, bad);
        if (got.code !== 'INVALID_INPUT' || got.parameter !== entry.parameter) {
          wrong.push(`${entry.type.name}.${entry.field.name}(${entry.parameter}): ${JSON.stringify(got)}`);
        }
      }
      expect(wrong).toEqual([]);
    },
  );

  it('refuses text over its length limit in every text parameter', async () => {
    const wrong: string[] = [];
    for (const entry of parameters.filter((candidate) => TEXT.has(qualifiedName(candidate)))) {
      const got = await refusal(entry, 'x'.repeat(100_001));
      if (got.code !== 'INVALID_INPUT' || got.parameter !== entry.parameter)
        wrong.push(`${qualifiedName(entry)}: ${JSON.stringify(got)}`);
    }
    expect(wrong).toEqual([]);
  });
});

describe('text through the API', () => {
  it('is stored NFC-normalised and trimmed: a name typed decomposed reads back composed', async () => {
    const created = await testApp.graphql(
      `mutation ($name: String!) { createCommunity(slug: "nfc-name", name: $name) { __typename ... on MutationCreateCommunitySuccess { data { name } } } }`,
      { name: '  Re\u0301sidence Zo\u0308e  ' },
      testApp.adminToken,
    );
    expect(created.data.createCommunity.data.name).toBe('R\u00e9sidence Z\u00f6e');
  });
});

function qualifiedName(entry: StringParameter): string {
  return `${entry.type.name}.${entry.field.name}.${entry.parameter}`;
}
