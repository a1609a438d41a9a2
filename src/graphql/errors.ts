/**
 * The one place where domain errors become API errors.
 *
 * Mutations return a union of their success type and these typed errors, each
 * with a machine-readable `code`. Queries throw; `maskError` lets a DomainError
 * through as a GraphQL error carrying its code and masks everything else, so a
 * client never sees a stack trace, SQL or a library's message.
 */
import { GraphQLError } from 'graphql';
import { PothosValidationError } from '@pothos/core';
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
import { InvalidCredentialsError } from '../accounts/account-service.ts';

export const ErrorInterface = builder.interfaceRef<DomainError>('Error').implement({
  description: 'An expected failure the client can act on.',
  fields: (t) => ({
    message: t.exposeString('message'),
    code: t.exposeString('code', { description: 'Machine-readable: UNAUTHENTICATED, FORBIDDEN, NOT_FOUND, …' }),
  }),
});

const simpleErrors: Array<[typeof DomainError, string, string]> = [
  [InvalidCredentialsError, 'InvalidCredentialsError', 'Unknown login or wrong password.'],
  [UnauthenticatedError, 'UnauthenticatedError', 'Not signed in, or the session has ended.'],
  [ForbiddenError, 'ForbiddenError', 'The caller lacks the role for this operation.'],
  [NotFoundError, 'NotFoundError', 'No such object, or none the caller may see.'],
  [ConflictError, 'ConflictError', 'A uniqueness or state rule refused the change.'],
];
for (const [errorClass, name, description] of simpleErrors) {
  builder.objectType(errorClass, {
    name,
    description,
    interfaces: [ErrorInterface],
    isTypeOf: (value) => value instanceof errorClass,
  });
}
builder.objectType(InvalidInputError, {
  name: 'InvalidInputError',
  description: 'An argument broke a rule; `parameter` names it.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof InvalidInputError,
  fields: (t) => ({ parameter: t.exposeString('parameter') }),
});
builder.objectType(RateLimitedError, {
  name: 'RateLimitedError',
  description: 'Too many attempts; retry later.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof RateLimitedError,
  fields: (t) => ({ retryAfterSeconds: t.exposeInt('retryAfterSeconds') }),
});
builder.objectType(DomainError, {
  name: 'OperationError',
  description: 'Any other expected failure; `code` says which.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof DomainError,
});

/** The error types every mutation may return, most specific first. */
export const MUTATION_ERRORS = [
  InvalidCredentialsError,
  UnauthenticatedError,
  ForbiddenError,
  NotFoundError,
  ConflictError,
  InvalidInputError,
  RateLimitedError,
  DomainError,
];

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

/** Yoga's error mask: domain errors pass with their code, all else becomes "Unexpected error." */
export function maskError(error: unknown, message: string, isDevelopment?: boolean): Error {
  const domainError = findDomainError(error);
  if (domainError) {
    return createGraphQLError(domainError.message, {
      ...(error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {}),
      extensions: { code: domainError.code },
    });
  }
  return yogaMaskError(error, message, isDevelopment);
}
