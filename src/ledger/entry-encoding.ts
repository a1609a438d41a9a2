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

/**
 * The fast path to the same text, for the integrator's and the audit's hot loops.
 *
 * RFC 8785 defines strings and numbers by ECMAScript's JSON.stringify and orders object
 * keys by UTF-16 code units, which is what Array.prototype.sort does; an entry's own keys
 * in that order are actor, payload, seq, time, type. So for plain JSON values (as read
 * back from the database) these functions write exactly the `canonicalize` package's
 * text — checked against `entryLeafBytes` in test/ledger/entry-encoding.test.ts. The
 * package stays the definition: callers that find a mismatch re-check with it.
 */
export function entryLeafText(seq: number, type: string, canonicalPayload: string, actor: string, isoTime: string): string {
  return `{"actor":${JSON.stringify(actor)},"payload":${canonicalPayload},"seq":${seq},"time":"${isoTime}","type":${JSON.stringify(type)}}`;
}

/** RFC 8785 text of a plain JSON value (see entryLeafText), with sorted keys remembered per object shape. */
export function fastCanonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let text = '[';
    for (let position = 0; position < value.length; position++) text += (position === 0 ? '' : ',') + fastCanonicalJson(value[position]);
    return `${text}]`;
  }
  const record = value as Record<string, unknown>;
  const { sorted, prefixes } = keyOrder(Object.keys(record));
  let text = '';
  for (let position = 0; position < sorted.length; position++) text += prefixes[position]! + fastCanonicalJson(record[sorted[position]!]);
  return `${sorted.length === 0 ? '{' : text}}`;
}

/**
 * Sorted keys with their `{"key":` / `,"key":` prefixes, remembered for the last few key
 * lists seen: a log's payloads come in a handful of shapes, so sorting and quoting keys
 * once per shape rather than once per entry saves much of the encoding time.
 */
interface KeyOrder {
  keys: string[];
  sorted: string[];
  prefixes: string[];
}
const keyOrders: KeyOrder[] = [];
const MAX_KEY_ORDERS = 16;

function keyOrder(keys: string[]): KeyOrder {
  search: for (const order of keyOrders) {
    if (order.keys.length !== keys.length) continue;
    for (let position = 0; position < keys.length; position++) if (order.keys[position] !== keys[position]) continue search;
    return order;
  }
  const sorted = [...keys].sort();
  const order = { keys, sorted, prefixes: sorted.map((key, position) => `${position === 0 ? '{' : ','}${JSON.stringify(key)}:`) };
  if (keyOrders.length >= MAX_KEY_ORDERS) keyOrders.pop();
  keyOrders.unshift(order);
  return order;
}
