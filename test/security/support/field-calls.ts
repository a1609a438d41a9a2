/**
 * Calls to any root field built from the schema: the operation document (variables for
 * every argument, a selection that shows the outcome) and well-typed arguments against
 * the security world — ids of the world's objects chosen by the argument's name, other
 * values plausible for their type. The matrix rows override what a field needs beyond that.
 */
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  isUnionType,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';
import type { SecurityWorld } from './security-world.ts';

export type OperationKind = 'query' | 'mutation' | 'subscription';

export interface RootField {
  /** `Query.accounts`, `Mutation.login`, `Subscription.liveTally`. */
  key: string;
  operation: OperationKind;
  field: GraphQLField<unknown, unknown>;
}

/** Every root field of the schema, as the server builds it. */
export function rootFields(schema: GraphQLSchema): RootField[] {
  const roots: Array<[OperationKind, GraphQLObjectType | null | undefined]> = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
    ['subscription', schema.getSubscriptionType()],
  ];
  return roots.flatMap(([operation, root]) =>
    Object.values(root?.getFields() ?? {}).map((field) => ({ key: `${root!.name}.${field.name}`, operation, field })),
  );
}

/** A selection that shows whether the field answered, and a typed error's code. */
export function selectionOf(field: GraphQLField<unknown, unknown>): string {
  const named = getNamedType(field.type);
  if (isScalarType(named) || isEnumType(named)) return '';
  if (isUnionType(named)) return '{ __typename ... on Error { code } }';
  if (isObjectType(named) && named.getFields()['edges']) return '{ __typename pageInfo { hasNextPage } }';
  return '{ __typename }';
}

/** `query Call($a: ID!, …) { field(a: $a, …) { … } }` over every argument the variables give. */
export function documentFor(root: RootField, argumentNames: readonly string[]): string {
  const argumentsUsed = root.field.args.filter((argument) => argumentNames.includes(argument.name));
  const declarations = argumentsUsed.map((argument) => `$${argument.name}: ${String(argument.type)}`).join(', ');
  const passes = argumentsUsed.map((argument) => `${argument.name}: $${argument.name}`).join(', ');
  return `${root.operation} Call${declarations ? `(${declarations})` : ''} { ${root.field.name}${passes ? `(${passes})` : ''} ${selectionOf(root.field)} }`;
}

/** The world's object an id argument of this name stands for. */
export function idArgumentValue(name: string, world: SecurityWorld): string | undefined {
  const ids: Record<string, string> = {
    communityId: world.community.id,
    householdId: world.community.householdId,
    accountId: world.bystanderAccountId,
    jurisdictionId: world.jurisdictionId,
    proposalId: world.proposalId,
    activityId: world.activityId,
    signupId: world.signupId,
    subjectId: world.ratingSubjectId,
    ratingId: world.ratingId,
    suggestionId: world.suggestionId,
    challengeId: world.challengeId,
    id: world.community.id,
    ids: world.community.id,
  };
  return ids[name];
}

/** Plain-string arguments whose meaning the name gives away. */
function stringArgumentValue(name: string, world: SecurityWorld): string {
  const strings: Record<string, string> = {
    periodId: world.feePeriodId,
    period: world.ratingPeriod,
    scheduleId: world.scheduleId,
    paymentId: world.paymentId,
    invoiceId: world.invoiceId,
    spendId: world.spendId,
    accountId: world.cashAccountId,
    debitAccountId: world.cashAccountId,
    creditAccountId: world.cashAccountId,
    activityId: world.activityId,
    idempotencyKey: `matrix-${Math.random().toString(36).slice(2)}`,
    from: '2026-01-01',
    to: '2026-12-31',
    asOf: '2026-06-30',
    choice: 'yes',
    purpose: 'Parking permit',
    reason: 'Off topic',
    answer: 'Thank you, we will.',
    instance: 'membership-depth-20',
    key: 'security',
    keyName: 'matrix-witness',
    name: 'Matrix name',
    label: 'Security',
    title: 'Matrix title',
    body: 'Matrix body',
    unitLabel: 'Matrix 1',
    login: 'matrix-new-login',
    password: 'a long enough password',
    currentPassword: 'a long enough password',
    newPassword: 'another long enough password',
    payeeId: 'payee-1',
    purposeHash: '0'.repeat(64),
    receiptHash: '0'.repeat(64),
    identityCommitment: '1',
    inviteCode: 'not-an-invite',
    proof: '{}',
    scope: '1',
    type: 'census.join',
    nullifier: '1',
    slug: 'matrix-new-community',
    phone: '+86 138 0000 0000',
  };
  return strings[name] ?? 'matrix value';
}

/** A well-typed value for an argument or input field of this type, named `name`. */
export function sampleValue(type: GraphQLInputType, name: string, world: SecurityWorld, depth = 0): unknown {
  if (isNonNullType(type)) return sampleValue(type.ofType, name, world, depth);
  if (isListType(type)) return [sampleValue(type.ofType, name, world, depth)];
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const inputField of Object.values(type.getFields())) {
      if (isNonNullType(inputField.type) && depth < 4)
        value[inputField.name] = sampleValue(inputField.type, inputField.name, world, depth + 1);
    }
    return value;
  }
  switch (type.name) {
    case 'ID':
      return idArgumentValue(name, world) ?? world.community.id;
    case 'Int':
      return 1;
    case 'Float':
      return 1;
    case 'Boolean':
      return false;
    case 'Hex':
      return '00'.repeat(32);
    case 'Money':
    case 'BigInt':
      return '1';
    case 'DateTime':
      return new Date(Date.now() + 86_400_000).toISOString();
    default:
      return stringArgumentValue(name, world);
  }
}

/** Well-typed values for every argument of the field: required ones always, optional ids too. */
export function sampleArguments(root: RootField, world: SecurityWorld): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const argument of root.field.args) {
    const isId = getNamedType(argument.type).name === 'ID';
    if (!isNonNullType(argument.type) && !(isId && idArgumentValue(argument.name, world) !== undefined)) continue;
    values[argument.name] = sampleValue(argument.type, argument.name, world);
  }
  return values;
}
