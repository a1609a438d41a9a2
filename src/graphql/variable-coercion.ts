/**
 * Variables are coerced here, before graphql-js sees them, so that a bad value comes
 * back as `extensions.code: INVALID_INPUT` naming the variable — and never quoted.
 *
 * graphql-js's own coercion errors quote the value ("Variable "$phone" got invalid value
 * 13800138000; String cannot represent …"), which would put whatever a client sent —
 * a phone number, a name — into responses, error trackers and logs. This plugin runs the
 * same coercion (graphql's `coerceInputValue`, over the operation's variable
 * definitions) and, when a variable does not fit, stops the operation with one error per
 * bad variable:
 *
 *   { message: 'Invalid value for variable "$phone": expected String', extensions: { code: 'INVALID_INPUT', variable: 'phone' } }
 *
 * The only detail passed through is the reason our own scalars give (DateTime, Hex,
 * Money, BigInt), which they mark with `extensions.code: INVALID_INPUT` and write without
 * the value. Values written into the document itself are checked by validation instead
 * (code GRAPHQL_VALIDATION_FAILED); those messages quote the client's own document.
 */
import {
  coerceInputValue,
  getOperationAST,
  GraphQLError,
  isInputType,
  isNonNullType,
  typeFromAST,
  type DocumentNode,
  type GraphQLSchema,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Most errors reported for one operation's variables. */
const MAX_VARIABLE_ERRORS = 10;

/** Marks an error our own scalars throw: its message names the rule, never the value. */
export function scalarInputError(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'INVALID_INPUT' } });
}

function pathText(path: ReadonlyArray<string | number>): string {
  return path.map((part) => (typeof part === 'number' ? `[${part}]` : `.${part}`)).join('');
}

function variableError(name: string, message: string): GraphQLError {
  return new GraphQLError(`Invalid value for variable "$${name}": ${message}`, { extensions: { code: 'INVALID_INPUT', variable: name } });
}

/** The errors of the operation's variables, each naming the variable and never its value. */
export function variableErrors(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  variableValues: Readonly<Record<string, unknown>> | null | undefined,
): GraphQLError[] {
  const operation = getOperationAST(document, operationName ?? undefined);
  const inputs = variableValues ?? {};
  const errors: GraphQLError[] = [];
  for (const definition of operation?.variableDefinitions ?? []) {
    if (errors.length >= MAX_VARIABLE_ERRORS) break;
    const name = definition.variable.name.value;
    const type = typeFromAST(schema, definition.type);
    // An unknown or output type was refused by validation already.
    if (!type || !isInputType(type)) continue;
    if (!Object.hasOwn(inputs, name)) {
      if (!definition.defaultValue && isNonNullType(type)) errors.push(variableError(name, `required ${String(type)} not given`));
      continue;
    }
    const value = inputs[name];
    if (value === null && isNonNullType(type)) {
      errors.push(variableError(name, `${String(type)} must not be null`));
      continue;
    }
    let reported = false;
    coerceInputValue(value, type, (path, _invalidValue, error) => {
      if (reported) return;
      reported = true;
      const at = path.length > 0 ? ` at "${name}${pathText(path)}"` : '';
      const reason = error.extensions?.['code'] === 'INVALID_INPUT' ? error.message : `expected ${String(type)}`;
      errors.push(variableError(name, `${reason}${at}`));
    });
  }
  return errors;
}

/** The envelop plugin: refuses the operation before execution when a variable does not fit. */
export function useVariableCoercion(): Plugin {
  const check = (args: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null | undefined; variableValues?: unknown }) =>
    variableErrors(args.schema, args.document, args.operationName, args.variableValues as Record<string, unknown> | undefined);
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const errors = check(args);
      if (errors.length > 0) setResultAndStopExecution({ errors });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const errors = check(args);
      if (errors.length > 0) setResultAndStopExecution({ errors });
    },
  };
}
