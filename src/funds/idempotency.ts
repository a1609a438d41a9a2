/**
 * Idempotent requests. A client sends an idempotency key with a request; the request's
 * fingerprint is SHA-256 over the RFC 8785 canonical JSON of {operation, body}, where the
 * body holds only what the client sent (no server-made ids or clock readings), amounts as
 * decimal strings. Then:
 * - a new key → carry out the request and remember (key, fingerprint, result id);
 * - the same key and fingerprint → the original result, nothing new is written;
 * - the same key and another fingerprint → CONFLICT.
 * The record is part of the money state (a fold over the ledger), so a retry after a
 * replay or on another server instance gets the same answer.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { canonicalJson } from '../ledger/entry-encoding.ts';
import { IdempotencyConflictError } from './funds-errors.ts';
import type { IdempotencyRecord } from './funds-state.ts';
import { assertIdempotencyKey } from './identifiers.ts';
import { toJsonValue } from './json-values.ts';

export function requestFingerprint(operation: string, body: Record<string, unknown>): string {
  return bytesToHex(sha256(utf8ToBytes(canonicalJson({ operation, body: toJsonValue(body) }))));
}

export type IdempotentOutcome = { kind: 'new' } | { kind: 'replayed'; resultId: string };

export function resolveIdempotentRequest(
  existing: IdempotencyRecord | undefined,
  idempotencyKey: string,
  requestHash: string,
): IdempotentOutcome {
  assertIdempotencyKey(idempotencyKey);
  if (existing === undefined) return { kind: 'new' };
  if (existing.requestHash !== requestHash) throw new IdempotencyConflictError(idempotencyKey);
  return { kind: 'replayed', resultId: existing.resultId };
}
