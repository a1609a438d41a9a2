/**
 * Parsing of the local part of global ids. A malformed id is a typed input error,
 * never an exception from the database driver.
 */
import { InvalidInputError } from '../domain-error.ts';

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u;

export function parseUuid(value: string, parameter = 'id'): string {
  const lower = value.toLowerCase();
  if (!UUID_PATTERN.test(lower)) throw new InvalidInputError(parameter, 'is not a valid id');
  return lower;
}
