/**
 * The base of every error a client is expected to act on. Each subclass carries a
 * machine-readable code; `src/graphql/errors.ts` maps them to typed results, and
 * anything that is not a DomainError is masked before it reaches a client.
 *
 * Messages never contain personal data: they name the parameter or the rule.
 */
export class DomainError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The caller is not signed in, or the token is invalid, expired or revoked. */
export class UnauthenticatedError extends DomainError {
  constructor(message = 'Authentication required') {
    super('UNAUTHENTICATED', message);
  }
}

/** The caller lacks the role, or the object belongs to a community out of reach. */
export class ForbiddenError extends DomainError {
  constructor(message = 'Not allowed') {
    super('FORBIDDEN', message);
  }
}

/** No such object, or not one the caller may see (the two are indistinguishable on purpose). */
export class NotFoundError extends DomainError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} not found`);
  }
}

/** Input that passes GraphQL's type check but breaks a rule. The message names the parameter. */
export class InvalidInputError extends DomainError {
  readonly parameter: string;

  constructor(parameter: string, message: string) {
    super('INVALID_INPUT', `Invalid ${parameter}: ${message}`);
    this.parameter = parameter;
  }
}

/** A uniqueness rule was broken, e.g. a login name already taken. */
export class ConflictError extends DomainError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}

/** Too many attempts in a short time; `retryAfterSeconds` says when to try again. */
export class RateLimitedError extends DomainError {
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number) {
    super('RATE_LIMITED', `Too many attempts; retry in ${retryAfterSeconds} s`);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/**
 * A service the request needs is unreachable for now (the shared Redis of several
 * instances): nothing was written, and the same request may succeed later. `what` names
 * the service's role, never its address.
 */
export class ServiceUnavailableError extends DomainError {
  constructor(what: string, options: ErrorOptions = {}) {
    super('SERVICE_UNAVAILABLE', `Service unavailable: ${what} cannot be reached; retry later`);
    if (options.cause !== undefined) this.cause = options.cause;
  }
}
