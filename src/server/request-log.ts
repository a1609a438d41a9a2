/**
 * One structured log line per GraphQL operation, over HTTP and graphql-ws alike:
 *
 *   { operation, type, durationMs, errors: [{ code, path }], results: [code…], unexpected: [{ name, message, path }] }
 *
 * - `errors`: each GraphQL error with the code the client sees (`errorCodeOf`, the same
 *   function the error mask uses: a DomainError's code, an attached code such as
 *   INVALID_INPUT or GRAPHQL_VALIDATION_FAILED, else INTERNAL_SERVER_ERROR) and the
 *   field path. Documents that fail to parse or validate get their line too.
 * - `results`: the codes of expected errors a mutation returned as typed results
 *   (a failed sign-in is UNAUTHENTICATED), collected by graphql/resolved-errors.ts.
 * - `unexpected`: for masked errors only, the class and the message with every quoted
 *   literal and long number cut out (`withoutValues`): a driver's message can quote the
 *   value it refused, and the log must not hold what a client sent.
 *
 * Never logged: variables, results, and the message of any error a client caused (a
 * coercion message quotes the bad value). The logger's redact list (logger.ts) is a
 * second line of defence.
 */
import type { Plugin } from 'graphql-yoga';
import { getOperationAST, GraphQLError, type DocumentNode, type ExecutionResult } from 'graphql';
import { collectResolvedErrors } from '../graphql/resolved-errors.ts';
import { errorCodeOf, UNEXPECTED_ERROR_CODE } from '../graphql/errors.ts';
import type { Logger } from './logger.ts';

/** Most errors described on one line; the count says how many there were. */
const MAX_LOGGED_ERRORS = 20;

interface Operation {
  name: string | null;
  type: string | null;
}

/** A message with what might be a value cut out: quoted text, and digit runs long enough to be a phone or ID number. */
export function withoutValues(message: string): string {
  return message
    .replaceAll(/'(?:[^'\\]|\\.|'')*'/gu, "'…'")
    .replaceAll(/"(?:[^"\\]|\\.)*"/gu, '"…"')
    .replaceAll(/\d{5,}/gu, '…')
    .slice(0, 500);
}

function operationOf(document: DocumentNode | undefined, operationName: string | null | undefined): Operation {
  const operation = document ? getOperationAST(document, operationName ?? undefined) : null;
  return { name: operation?.name?.value ?? operationName ?? null, type: operation?.operation ?? null };
}

function pathOf(error: unknown): string | undefined {
  return error instanceof GraphQLError && error.path ? error.path.join('.') : undefined;
}

/** The innermost error behind a GraphQL error, for the class name of an unexpected failure. */
function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof GraphQLError && current.originalError; depth++) current = current.originalError;
  return current;
}

/** Errors of a document refused before execution carry this code unless they have their own. */
function codeBeforeExecution(fallback: string) {
  return (error: unknown) => {
    const attached = error instanceof GraphQLError ? error.extensions?.['code'] : undefined;
    return typeof attached === 'string' ? attached : fallback;
  };
}

function describeErrors(errors: readonly unknown[], codeOf: (error: unknown) => string) {
  const described = errors.slice(0, MAX_LOGGED_ERRORS).map((error) => ({ error, code: codeOf(error), path: pathOf(error) }));
  const unexpected = described
    .filter(({ code }) => code === UNEXPECTED_ERROR_CODE)
    .map(({ error, path }) => {
      const cause = rootCause(error);
      const name = cause instanceof Error ? cause.name : typeof cause;
      const message = cause instanceof Error ? withoutValues(cause.message) : '';
      return { name, message, ...(path ? { path } : {}) };
    });
  return {
    errors: described.map(({ code, path }) => ({ code, ...(path ? { path } : {}) })),
    ...(errors.length > MAX_LOGGED_ERRORS ? { errorCount: errors.length } : {}),
    ...(unexpected.length ? { unexpected } : {}),
  };
}

export function useRequestLog(logger: Logger): Plugin {
  // Per operation context: when its first hook ran, for the duration.
  const startedAt = new WeakMap<object, number>();
  const start = (context: object) => {
    if (!startedAt.has(context)) startedAt.set(context, performance.now());
  };
  const write = (context: object, operation: Operation, errors: readonly unknown[], resolved: readonly unknown[] = [], codeOf = errorCodeOf) => {
    const started = startedAt.get(context) ?? performance.now();
    logger.info(
      {
        operation: operation.name,
        type: operation.type,
        durationMs: Math.round(performance.now() - started),
        ...(errors.length ? describeErrors(errors, codeOf) : { errors: [] }),
        ...(resolved.length ? { results: resolved.map(errorCodeOf) } : {}),
      },
      'graphql operation',
    );
  };
  const onResult = (context: object, operation: Operation, resolved: unknown[]) => (result: ExecutionResult | AsyncIterable<unknown>) => {
    // A subscription's stream is logged once, when it starts; its events are not logged.
    if (Symbol.asyncIterator in result) write(context, operation, [], resolved);
    else write(context, operation, result.errors ?? [], resolved);
  };
  return {
    onParse({ context }) {
      start(context);
      return ({ result }) => {
        if (result instanceof Error) write(context, { name: null, type: null }, [result], [], codeBeforeExecution('GRAPHQL_PARSE_FAILED'));
      };
    },
    onValidate({ context, params }) {
      start(context);
      return ({ valid, result }) => {
        if (!valid) write(context, operationOf(params.documentAST, undefined), result, [], codeBeforeExecution('GRAPHQL_VALIDATION_FAILED'));
      };
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      start(args.contextValue);
      const resolved: unknown[] = [];
      setExecuteFn((executeArgs) => collectResolvedErrors(resolved, () => executeFn(executeArgs)));
      const done = onResult(args.contextValue, operationOf(args.document, args.operationName), resolved);
      return { onExecuteDone: ({ result }) => done(result) };
    },
    onSubscribe({ args, subscribeFn, setSubscribeFn }) {
      start(args.contextValue);
      const resolved: unknown[] = [];
      setSubscribeFn((subscribeArgs) => collectResolvedErrors(resolved, () => subscribeFn(subscribeArgs)));
      const done = onResult(args.contextValue, operationOf(args.document, args.operationName), resolved);
      return { onSubscribeResult: ({ result }) => done(result) };
    },
  };
}
