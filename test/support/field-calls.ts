/**
 * Calls to any root field built from the schema alone: the operation document (a variable
 * for every argument given, a selection that shows the outcome) and well-typed values for
 * its arguments, taken from a `SampleSource` that knows what the ids and strings stand for.
 * The security tests fill them from their world (test/security/support/field-calls.ts);
 * `probeCallsTakingIds` fills every id with a victim's, to sweep the API for
 * cross-community leaks (test/accounts/tenancy.test.ts).
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
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

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

/**
 * A selection that shows whether the field answered, and a typed error's code; of a
 * connection, whether there is a next page, or with `edges` the edges themselves (so an
 * empty answer can be told from a full one).
 */
export function selectionOf(field: GraphQLField<unknown, unknown>, options: { edges?: boolean } = {}): string {
  const named = getNamedType(field.type);
  if (isScalarType(named) || isEnumType(named)) return '';
  if (isUnionType(named)) return '{ __typename ... on Error { code } }';
  if (isObjectType(named) && named.getFields()['edges']) return options.edges ? '{ __typename edges { __typename } }' : '{ __typename pageInfo { hasNextPage } }';
  return '{ __typename }';
}

/** `<operation> <name>($a: ID!, …) { field(a: $a, …) { … } }` over every argument the variables give. */
export function documentFor(root: RootField, argumentNames: readonly string[], options: { name?: string; edges?: boolean } = {}): string {
  const argumentsUsed = root.field.args.filter((argument) => argumentNames.includes(argument.name));
  const declarations = argumentsUsed.map((argument) => `$${argument.name}: ${String(argument.type)}`).join(', ');
  const passes = argumentsUsed.map((argument) => `${argument.name}: $${argument.name}`).join(', ');
  return `${root.operation} ${options.name ?? 'Call'}${declarations ? `(${declarations})` : ''} { ${root.field.name}${passes ? `(${passes})` : ''} ${selectionOf(root.field, options)} }`;
}

/** Where sample values come from: what an id or a string of a given name stands for. */
export interface SampleSource {
  /** The id an ID parameter of this name takes (every ID gets one). */
  id(name: string): string;
  /** A plain string for a parameter of this name. */
  string(name: string): string;
  /** Fill optional input fields that take ids too, not only the required ones. */
  optionalIds?: boolean;
  boolean: boolean;
  hex: string;
  dateTime(): string;
}

/** A well-typed value for an argument or input field of this type, named `name`. */
export function sampleValue(type: GraphQLInputType, name: string, source: SampleSource, depth = 0): unknown {
  if (isNonNullType(type)) return sampleValue(type.ofType, name, source, depth);
  if (isListType(type)) return [sampleValue(type.ofType, name, source, depth)];
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const inputField of Object.values(type.getFields())) {
      const wanted = isNonNullType(inputField.type) || (source.optionalIds && getNamedType(inputField.type).name === 'ID');
      if (wanted && depth < 4) value[inputField.name] = sampleValue(inputField.type, inputField.name, source, depth + 1);
    }
    return value;
  }
  switch (type.name) {
    case 'ID':
      return source.id(name);
    case 'Int':
    case 'Float':
      return 1;
    case 'Boolean':
      return source.boolean;
    case 'Hex':
      return source.hex;
    case 'Money':
    case 'BigInt':
      return '1';
    case 'DateTime':
      return source.dateTime();
    default:
      return source.string(name);
  }
}

export interface ProbeCall {
  operation: 'query' | 'mutation';
  field: string;
  document: string;
  variables: Record<string, unknown>;
}

function takesId(argument: GraphQLArgument): boolean {
  const named = getNamedType(argument.type);
  if (named.name === 'ID') return true;
  return isInputObjectType(named) && Object.values(named.getFields()).some((field) => getNamedType(field.type).name === 'ID');
}

/**
 * The id for an argument: `communityId` takes a Community id, `householdId` a
 * Household id, and so on; a bare `id` (or an unknown kind) takes `fallback`.
 */
function idFor(argumentName: string, idsByType: Readonly<Record<string, string>>, fallback: string): string | undefined {
  const kind = /^(\w+?)Ids?$/u.exec(argumentName)?.[1];
  if (!kind || kind === 'id') return fallback;
  return idsByType[kind.charAt(0).toUpperCase() + kind.slice(1)];
}

/**
 * Every query and mutation root field that takes an id (directly or inside an input
 * object), called once per victim id, with each typed id argument given the victim's id of
 * that type.
 */
export function probeCallsTakingIds(schema: GraphQLSchema, idsByType: Readonly<Record<string, string>>): ProbeCall[] {
  const calls: ProbeCall[] = [];
  for (const root of rootFields(schema)) {
    if (root.operation === 'subscription' || !root.field.args.some(takesId)) continue;
    for (const fallback of Object.values(idsByType)) {
      const source: SampleSource = {
        id: () => fallback,
        string: () => 'probe value',
        optionalIds: true,
        boolean: true,
        hex: '00',
        dateTime: () => new Date().toISOString(),
      };
      const variables: Record<string, unknown> = {};
      for (const argument of root.field.args) {
        const required = isNonNullType(argument.type);
        if (!required && !takesId(argument)) continue;
        const id = idFor(argument.name, idsByType, fallback);
        if (!required && id === undefined) continue;
        variables[argument.name] = sampleValue(argument.type, argument.name, { ...source, id: () => id ?? fallback });
      }
      calls.push({
        operation: root.operation,
        field: root.field.name,
        document: documentFor(root, Object.keys(variables), { name: 'Probe', edges: true }),
        variables,
      });
    }
  }
  return calls;
}
