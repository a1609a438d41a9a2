/**
 * Ids in money payloads: opaque, short, and free of anything a person could be read
 * from. UUIDs fit; so do the short ids tests use. Idempotency keys are client-chosen and
 * follow the same pattern so that nothing but an opaque token can reach the ledger.
 */
import { InvalidInputError } from '../domain-error.ts';

export const MAX_ID_LENGTH = 64;
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Idempotency keys: 8 to 64 characters, so a client cannot pick a guessable "1". */
export const MIN_IDEMPOTENCY_KEY_LENGTH = 8;
export const IDEMPOTENCY_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_:-]{7,63}$/;

export function assertId(value: string, parameter: string): void {
  if (!ID_PATTERN.test(value)) {
    throw new InvalidInputError(parameter, `must be 1 to ${MAX_ID_LENGTH} letters, digits, "-" or "_"`);
  }
}

export function assertIdempotencyKey(value: string, parameter = 'idempotencyKey'): void {
  if (!IDEMPOTENCY_KEY_PATTERN.test(value)) {
    throw new InvalidInputError(
      parameter,
      `must be ${MIN_IDEMPOTENCY_KEY_LENGTH} to ${MAX_ID_LENGTH} letters, digits, "-", "_" or ":"`,
    );
  }
}
