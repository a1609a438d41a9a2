/**
 * The one place where domain errors become API errors.
 *
 * Mutations return a union of their success type and typed errors, each with a
 * machine-readable `code`. Queries throw; `maskError` lets a DomainError through as a
 * GraphQL error carrying its code and masks everything else, so a client never sees a
 * stack trace, SQL or a library's message.
 *
 * Every DomainError subclass maps without being named here: one that has no object type
 * of its own is returned as `OperationError` with its `code` (or as the type of its
 * nearest registered ancestor, e.g. a `LedgerInputError` as `InvalidInputError`). A
 * domain whose error carries extra fields a client needs registers an object type for it
 * from its own `api/` folder with `registerErrorType`, and lists it in its fields'
 * `errors.types` — this file does not change.
 */
import { GraphQLError } from 'graphql';
import { PothosValidationError, type ObjectFieldsShape } from '@pothos/core';
import { createGraphQLError, maskError as yogaMaskError } from 'graphql-yoga';
import { builder } from './builder.ts';
import {
  ConflictError,
  DomainError,
  ForbiddenError,
  InvalidInputError,
  NotFoundError,
  RateLimitedError,
  UnauthenticatedError,
} from '../domain-error.ts';

export const ErrorInterface = builder.interfaceRef<DomainError>('Error').implement({
  description: 'An expected failure the client can act on.',
  fields: (t) => ({
    message: t.exposeString('message'),
    code: t.exposeString('code', { description: 'Machine-readable: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, …' }),
  }),
});

type BuilderTypes = typeof builder extends PothosSchemaTypes.SchemaBuilder<infer Types> ? Types : never;

// The class of a DomainError subclass, whatever its constructor's parameters.
type DomainErrorClass<Instance extends DomainError = DomainError> = new (...args: any[]) => Instance;

/**
 * The error types every mutation may return. Pothos reads this list when the schema is
 * built (after every module registered its types), so a type registered with
 * `everyMutation` joins every mutation's union; the order does not matter, since Pothos
 * matches the most specific class first.
 */
export const MUTATION_ERRORS: DomainErrorClass[] = [];

export interface ErrorTypeOptions<Instance extends DomainError> {
  /** The GraphQL type name, e.g. `RateLimitedError`. */
  name: string;
  description: string;
  /** Fields beyond `message` and `code`. */
  fields?: ObjectFieldsShape<BuilderTypes, Instance>;
  /**
   * Add the type to every mutation's union. For errors any mutation can raise; a
   * domain's own errors belong in its own fields' `errors.types` instead.
   */
  everyMutation?: boolean;
}

/** Registers the object type a DomainError subclass is returned as. */
export function registerErrorType<Instance extends DomainError>(errorClass: DomainErrorClass<Instance>, options: ErrorTypeOptions<Instance>): void {
  // Typed as the base class for Pothos, which cannot relate a generic subclass to the Error interface;
  // `fields` are the subclass's own, and `isTypeOf` admits only its instances.
  builder.objectType(errorClass as DomainErrorClass, {
    name: options.name,
    description: options.description,
    interfaces: [ErrorInterface],
    isTypeOf: (value) => value instanceof errorClass,
    ...(options.fields ? { fields: options.fields as unknown as ObjectFieldsShape<BuilderTypes, DomainError> } : {}),
  });
  if (options.everyMutation) MUTATION_ERRORS.push(errorClass);
}

registerErrorType(UnauthenticatedError, { name: 'UnauthenticatedError', description: 'Not signed in, or the session has ended.', everyMutation: true });
registerErrorType(ForbiddenError, { name: 'ForbiddenError', description: 'The caller lacks the role for this operation.', everyMutation: true });
registerErrorType(NotFoundError, { name: 'NotFoundError', description: 'No such object, or none the caller may see.', everyMutation: true });
registerErrorType(ConflictError, { name: 'ConflictError', description: 'A uniqueness or state rule refused the change.', everyMutation: true });
registerErrorType(InvalidInputError, {
  name: 'InvalidInputError',
  description: 'An argument broke a rule; `parameter` names it.',
  fields: (t) => ({ parameter: t.exposeString('parameter') }),
  everyMutation: true,
});
registerErrorType(RateLimitedError, {
  name: 'RateLimitedError',
  description: 'Too many attempts; retry later.',
  fields: (t) => ({ retryAfterSeconds: t.exposeInt('retryAfterSeconds') }),
  everyMutation: true,
});
registerErrorType(DomainError, { name: 'OperationError', description: 'Any other expected failure; `code` says which.', everyMutation: true });

function findDomainError(error: unknown): DomainError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current; depth++) {
    if (current instanceof DomainError) return current;
    // Pothos refuses malformed arguments (e.g. a global id of the wrong type) before any resolver runs.
    if (current instanceof PothosValidationError) return new InvalidInputError('argument', current.message);
    current = current instanceof GraphQLError ? current.originalError : (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The code a masked unexpected error carries (graphql-yoga's). */
export const UNEXPECTED_ERROR_CODE = 'INTERNAL_SERVER_ERROR';

/**
 * The machine-readable code a client sees for this error: a DomainError's own code, the
 * code already attached (our scalars' and variables' INVALID_INPUT, GraphQL's
 * GRAPHQL_VALIDATION_FAILED, …), else INTERNAL_SERVER_ERROR, the code of a masked error.
 * The request log uses it too, so it logs exactly what the client was told.
 */
export function errorCodeOf(error: unknown): string {
  const domainError = findDomainError(error);
  if (domainError) return domainError.code;
  const attached = error instanceof GraphQLError ? error.extensions?.['code'] : undefined;
  return typeof attached === 'string' ? attached : UNEXPECTED_ERROR_CODE;
}

/** Yoga's error mask: domain errors pass with their code, all else becomes "Unexpected error." */
export function maskError(error: unknown, message: string, isDevelopment?: boolean): Error {
  const domainError = findDomainError(error);
  if (domainError) {
    return createGraphQLError(domainError.message, {
      ...(error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {}),
      extensions: { code: domainError.code, ...(domainError instanceof InvalidInputError ? { parameter: domainError.parameter } : {}) },
    });
  }
  return yogaMaskError(error, message, isDevelopment);
}
