/**
 * Builds a call to any root field from the schema alone, filling every ID
 * argument with one given id and every other required argument with a
 * plausible value, so tests can sweep the whole API for cross-community leaks.
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
  type GraphQLSchema,
} from 'graphql';

export interface ProbeCall {
  operation: 'query' | 'mutation';
  field: string;
  document: string;
  variables: Record<string, unknown>;
}

function sampleValue(type: GraphQLInputType, id: string, depth = 0): unknown {
  if (isNonNullType(type)) return sampleValue(type.ofType, id, depth);
  if (isListType(type)) return [sampleValue(type.ofType, id, depth)];
  if (isEnumType(type)) return type.getValues()[0]!.name;
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type) || getNamedType(field.type).name === 'ID') {
        if (depth < 4) value[field.name] = sampleValue(field.type, id, depth + 1);
      }
    }
    return value;
  }
  switch (type.name) {
    case 'ID':
      return id;
    case 'Int':
      return 1;
    case 'Float':
      return 1;
    case 'Boolean':
      return true;
    case 'Hex':
      return '00';
    case 'Money':
    case 'BigInt':
      return '1';
    case 'DateTime':
      return new Date().toISOString();
    default:
      return 'probe value';
  }
}

function takesId(argument: GraphQLArgument): boolean {
  const named = getNamedType(argument.type);
  if (named.name === 'ID') return true;
  return isInputObjectType(named) && Object.values(named.getFields()).some((field) => getNamedType(field.type).name === 'ID');
}

function selection(field: GraphQLField<unknown, unknown>): string {
  const named = getNamedType(field.type);
  if (isScalarType(named) || isEnumType(named)) return '';
  if (isObjectType(named) && named.getFields()['edges']) return '{ __typename edges { __typename } }';
  if (isUnionType(named)) return '{ __typename ... on Error { code } }';
  return '{ __typename }';
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
 * Every root field that takes an id (directly or inside an input object), called
 * once per victim id, with each typed id argument given the victim's id of that type.
 */
export function probeCallsTakingIds(schema: GraphQLSchema, idsByType: Readonly<Record<string, string>>): ProbeCall[] {
  const calls: ProbeCall[] = [];
  const roots = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ] as const;
  for (const [operation, root] of roots) {
    for (const field of Object.values(root?.getFields() ?? {})) {
      if (!field.args.some(takesId)) continue;
      for (const fallback of Object.values(idsByType)) {
        const variables: Record<string, unknown> = {};
        const declarations: string[] = [];
        const passes: string[] = [];
        for (const argument of field.args) {
          const required = isNonNullType(argument.type);
          if (!required && !takesId(argument)) continue;
          const id = idFor(argument.name, idsByType, fallback);
          if (!required && id === undefined) continue;
          variables[argument.name] = sampleValue(argument.type, id ?? fallback);
          declarations.push(`$${argument.name}: ${String(argument.type)}`);
          passes.push(`${argument.name}: $${argument.name}`);
        }
        const declared = declarations.length ? `(${declarations.join(', ')})` : '';
        const passed = passes.length ? `(${passes.join(', ')})` : '';
        calls.push({
          operation,
          field: field.name,
          document: `${operation} Probe${declared} { ${field.name}${passed} ${selection(field)} }`,
          variables,
        });
      }
    }
  }
  return calls;
}
