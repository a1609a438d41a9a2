import { describe, expect, test } from '@jest/globals';
import { assertValidEntryFields, assertValidPayload, canonicalJson, entryLeafBytes } from '../../src/ledger/entry-encoding.ts';
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
