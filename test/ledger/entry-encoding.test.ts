import { describe, expect, test } from '@jest/globals';
import {
  assertValidEntryFields,
  assertValidPayload,
  canonicalJson,
  entryLeafBytes,
  entryLeafText,
  fastCanonicalJson,
  type JsonObject,
} from '../../src/ledger/entry-encoding.ts';
import { PersonalDataInPayloadError } from '../../src/ledger/errors.ts';

describe('entry encoding (RFC 8785)', () => {
  test('sorts keys and writes numbers the JCS way', () => {
    expect(canonicalJson({ b: 1, a: [1e21, 0.5, -0], c: 'é' })).toBe('{"a":[1e+21,0.5,0],"b":1,"c":"é"}');
  });

  test('covers seq, type, payload, actor and time in the leaf bytes', () => {
    const bytes = entryLeafBytes({
      seq: 7,
      type: 'fees.payment-recorded',
      payload: { invoiceId: 'i-1', amountFen: 12_000 },
      actor: 'account-1',
      time: new Date('2026-11-23T08:00:00.123Z'),
    });
    expect(new TextDecoder().decode(bytes)).toBe(
      '{"actor":"account-1","payload":{"amountFen":12000,"invoiceId":"i-1"},"seq":7,"time":"2026-11-23T08:00:00.123Z","type":"fees.payment-recorded"}',
    );
  });
});

describe('the fast leaf encoder of the integrator and the audit', () => {
  // Payloads chosen where a hand-written encoder could differ from RFC 8785: escapes and
  // control characters, non-ASCII text and surrogate pairs (a lone surrogate never reaches
  // the ledger: canonicalize refuses it at append), keys whose UTF-16 order
  // differs from code-point order, number forms, empty and nested containers.
  const payloads: JsonObject[] = [
    {},
    { amountFen: 12_000, invoiceId: 'i-1' },
    { quote: 'say "hi"\\ \n\t\u0001\u001f\u007f', slash: '/', unicode: '阳光花园 ✓ 😀' },
    { '\u{10000}': 'astral key', '\uffff': 'BMP key', é: 1, e: 2, E: 3, '': 'empty key', '10': 'ten', '9': 'nine' },
    { numbers: [0, -0, 1, -1, 0.1, 1e21, 1e-7, 123456789.5, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER] },
    { nested: { b: [{ z: null, a: true }, [], {}], a: { y: false, x: [1, [2, [3]]] } } },
  ];
  const entryFields = [
    { seq: 0, type: 'test.counted', actor: 'system' },
    { seq: 9_007_199_254_740_991, type: 'fees.payment-recorded', actor: '3f1c2b4e-7d6a-4c1e-9a2b-0e5f6d7c8b9a' },
    { seq: 42, type: 'census.join', actor: 'an "actor" with \\ escapes' },
  ];

  test.each(payloads.map((payload) => [JSON.stringify(payload), payload] as const))('writes the canonicalize text of %s', (_label, payload) => {
    expect(fastCanonicalJson(payload)).toBe(canonicalJson(payload));
    // Twice: the second call takes the remembered key order.
    expect(fastCanonicalJson(payload)).toBe(canonicalJson(payload));
  });

  test('writes the same bytes as entryLeafBytes for every entry, whatever the key order of the payload it reads back', () => {
    const time = new Date('2026-11-30T23:59:59.999Z');
    for (const fields of entryFields) {
      for (const payload of payloads) {
        const defined = new TextDecoder().decode(entryLeafBytes({ ...fields, payload, time }));
        const reordered = Object.fromEntries(Object.entries(payload).reverse()) as JsonObject;
        expect(entryLeafText(fields.seq, fields.type, canonicalJson(payload), fields.actor, time.toISOString())).toBe(defined);
        expect(entryLeafText(fields.seq, fields.type, fastCanonicalJson(reordered), fields.actor, time.toISOString())).toBe(defined);
      }
    }
  });
});

describe('payload guard', () => {
  test('accepts ids and amounts', () => {
    expect(() => assertValidPayload({ householdId: 'h-1', amountFen: 100, lines: [{ accountId: 'a', amountFen: -100 }] })).not.toThrow();
  });

  test.each(['name', 'phone', 'idNumber', 'unitLabel', 'id_number', 'Phone'])('refuses the personal-data key %s at any depth', (key) => {
    expect(() => assertValidPayload({ [key]: 'x' })).toThrow(PersonalDataInPayloadError);
    expect(() => assertValidPayload({ nested: [{ [key]: 'x' }] })).toThrow(PersonalDataInPayloadError);
  });

  test('refuses non-objects, unsafe integers, non-finite numbers and deep nesting', () => {
    expect(() => assertValidPayload([])).toThrow(/payload/);
    expect(() => assertValidPayload({ amountFen: 2 ** 60 })).toThrow(/2\^53/);
    expect(() => assertValidPayload({ ratio: Number.NaN })).toThrow(/non-finite/);
    expect(() => assertValidPayload({ when: new Date() })).toThrow(/type/);
    let deep: Record<string, unknown> = {};
    for (let level = 0; level < 12; level++) deep = { inner: deep };
    expect(() => assertValidPayload(deep)).toThrow(/deeper/);
  });

  test('accepts dotted lower-case types and refuses others, and refuses an empty actor', () => {
    expect(() => assertValidEntryFields('fees.invoice-issued', 'system')).not.toThrow();
    expect(() => assertValidEntryFields('Fees.Issued', 'system')).toThrow(/type/);
    expect(() => assertValidEntryFields('fees', 'system')).toThrow(/type/);
    expect(() => assertValidEntryFields('fees.issued', '')).toThrow(/actor/);
  });
});
