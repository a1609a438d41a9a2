/**
 * Passwords are hashed with Argon2id (memory-hard) at OWASP's recommended
 * minimum: 19 MiB of memory, two passes, one lane. The options are spelled out
 * because the library's defaults are a choice about security, not ours to inherit.
 */
import { hash, verify } from '@node-rs/argon2';
import { randomBytes } from 'node:crypto';
import { InvalidInputError } from '../domain-error.ts';
import { textLength } from '../text-input.ts';

const ARGON2_OPTIONS = {
  // Algorithm.Argon2id; the library's const enum cannot be imported under verbatimModuleSyntax.
  algorithm: 2,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

export const PASSWORD_MIN_LENGTH = 12;
/** Argon2 takes any length, but an unbounded input is a cheap way to burn CPU. */
export const PASSWORD_MAX_LENGTH = 256;

/** Lengths in code points, as every text length is counted (src/text-input.ts); the password itself is hashed as given, never normalised. */
export function requireAcceptablePassword(password: string, parameter = 'password'): void {
  const length = textLength(password);
  if (length < PASSWORD_MIN_LENGTH) {
    throw new InvalidInputError(parameter, `must be at least ${PASSWORD_MIN_LENGTH} characters`);
  }
  if (length > PASSWORD_MAX_LENGTH) {
    throw new InvalidInputError(parameter, `must be at most ${PASSWORD_MAX_LENGTH} characters`);
  }
}

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when the login is unknown, so both paths cost the same. */
let decoyHash: Promise<string> | undefined;
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
  return decoyHash;
}

/** A one-time password to hand over on paper: 20 characters from an unambiguous alphabet. */
export function generateOneTimePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = randomBytes(20);
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('');
}
