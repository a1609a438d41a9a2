/**
 * How an entry becomes the bytes its leaf hash covers: the whole entry
 * `{seq, type, payload, actor, time}` encoded with RFC 8785 (JSON Canonicalization
 * Scheme), so that the type, actor and time are as tamper-evident as the payload.
 *
 * Payloads carry ids and amounts only. Personal data (names, phones, ID numbers, unit
 * addresses) never enters the ledger: the ledger is public to residents and can never be
 * erased, whereas personal data must stay encrypted and erasable. The denylist below is a
 * guard against mistakes, not a guarantee; callers are responsible for what they pass.
 */
import canonicalize from 'canonicalize';
import { LedgerInputError, PersonalDataInPayloadError } from './errors.ts';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export interface LedgerEntry {
  /** 0-based position in the community's log; also the leaf index in the Merkle tree. */
  seq: number;
  /** Dotted, lower-case event name such as "fees.payment-recorded". */
  type: string;
  payload: JsonObject;
  /** Account id, or a label such as "system" or "anonymous"; never a person's name. */
  actor: string;
  /** When the entry was appended, millisecond precision. */
  time: Date;
}

/** Keys that may carry personal data; compared case-insensitively, at any depth. */
export const PERSONAL_DATA_KEY_DENYLIST: readonly string[] = [
  'name',
  'fullname',
  'phone',
  'phonenumber',
  'mobile',
  'email',
  'idnumber',
  'address',
  'unitlabel',
];

export const MAX_ENTRY_TYPE_LENGTH = 100;
export const MAX_ACTOR_LENGTH = 100;
/** Canonical bytes of one entry; larger documents belong elsewhere, referenced by hash. */
export const MAX_ENTRY_BYTES = 16_384;
export const MAX_PAYLOAD_DEPTH = 8;

const ENTRY_TYPE_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+$/;
const DENYLIST = new Set(PERSONAL_DATA_KEY_DENYLIST);

export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new LedgerInputError('payload', 'cannot be encoded as JSON');
  return text;
}

/** Checks a payload for forbidden keys, unsafe numbers and excessive nesting. */
export function assertValidPayload(payload: unknown): asserts payload is JsonObject {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
    throw new LedgerInputError('payload', 'must be a JSON object');
  }
  checkValue(payload, 0);
}

function checkValue(value: unknown, depth: number): void {
  if (depth > MAX_PAYLOAD_DEPTH) throw new LedgerInputError('payload', `nests deeper than ${MAX_PAYLOAD_DEPTH} levels`);
  if (typeof value === 'number') {
    // Amounts are integer fen; beyond 2^53 they must travel as decimal strings.
    if (!Number.isFinite(value)) throw new LedgerInputError('payload', 'contains a non-finite number');
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) {
      throw new LedgerInputError('payload', 'contains an integer beyond 2^53; pass it as a decimal string');
    }
    return;
  }
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (Array.isArray(value)) {
    for (const item of value) checkValue(item, depth + 1);
    return;
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [key, item] of Object.entries(value)) {
      if (DENYLIST.has(key.toLowerCase().replaceAll(/[_-]/g, ''))) throw new PersonalDataInPayloadError(key);
      checkValue(item, depth + 1);
    }
    return;
  }
  throw new LedgerInputError('payload', `contains a value of type ${typeof value}, which JSON cannot carry`);
}

export function assertValidEntryFields(type: string, actor: string): void {
  if (type.length > MAX_ENTRY_TYPE_LENGTH || !ENTRY_TYPE_PATTERN.test(type)) {
    throw new LedgerInputError('type', 'must be dotted lower-case words such as "fees.payment-recorded"');
  }
  if (actor.length === 0 || actor.length > MAX_ACTOR_LENGTH) {
    throw new LedgerInputError('actor', `must be 1 to ${MAX_ACTOR_LENGTH} characters`);
  }
}

const encoder = new TextEncoder();

/** The RFC 8785 bytes of an entry: the input of its leaf hash. */
export function entryLeafBytes(entry: LedgerEntry): Uint8Array {
  return encoder.encode(
    canonicalJson({
      seq: entry.seq,
      type: entry.type,
      payload: entry.payload,
      actor: entry.actor,
      time: entry.time.toISOString(),
    }),
  );
}
