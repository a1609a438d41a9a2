import { describe, expect, test } from '@jest/globals';
import { decideEntry, evolveEntry } from '../../src/funds/entry-kinds.ts';
import { accountOpened, transfersPosted } from '../../src/funds/funds-ledger-entries.ts';
import { emptyFundsState, type FundsState } from '../../src/funds/funds-state.ts';
import { fundsFold, FUNDS_ENTRY_KINDS } from '../../src/funds/funds-fold.ts';
import { ReplayFailedError } from '../../src/funds/fold.ts';
import { mergeChanges } from '../../src/funds/state-overlay.ts';
import { requestFingerprint, resolveIdempotentRequest } from '../../src/funds/idempotency.ts';
import {
  DuplicateRecordError,
  IdempotencyConflictError,
  MalformedEntryError,
  UnknownEntryTypeError,
} from '../../src/funds/funds-errors.ts';
import { assertValidPayload } from '../../src/ledger/entry-encoding.ts';
import { InvalidInputError } from '../../src/domain-error.ts';

function opened(state: FundsState, accountId: string, kind: string, ownerId: string | null = null): FundsState {
  const { changes } = decideEntry(accountOpened, state, {
    accountId,
    kind: kind as never,
    ownerId,
    openedOn: '2026-01-01',
  });
  return mergeChanges(state, changes);
}

describe('opening accounts', () => {
  test('opens one account per kind and owner, and refuses a second', () => {
    let state = opened(emptyFundsState('c1'), 'h1-receivable', 'household-receivable', 'h1');
    state = opened(state, 'h2-receivable', 'household-receivable', 'h2');
    expect(state.accountIdsByKey.get('household-receivable/h1')).toBe('h1-receivable');
    expect(() => opened(state, 'h1-receivable-2', 'household-receivable', 'h1')).toThrow(DuplicateRecordError);
    expect(() => opened(state, 'h1-receivable', 'operating')).toThrow(DuplicateRecordError);
    try {
      opened(state, 'h1-receivable', 'operating');
    } catch (error) {
      expect((error as DuplicateRecordError).code).toBe('CONFLICT');
    }
  });

  test('requires an owner exactly for kinds that have one', () => {
    expect(() => opened(emptyFundsState('c1'), 'r', 'household-receivable')).toThrow(/ownerId.*required/);
    expect(() => opened(emptyFundsState('c1'), 'op', 'operating', 'h1')).toThrow(/ownerId.*empty/);
    expect(() => opened(emptyFundsState('c1'), 'af', 'activity-fund', 'picnic')).not.toThrow();
  });

  test('refuses an unknown kind and an id that is not an opaque token', () => {
    expect(() => opened(emptyFundsState('c1'), 'x', 'savings')).toThrow(MalformedEntryError);
    expect(() => opened(emptyFundsState('c1'), 'Room 1203', 'operating')).toThrow(/accountId/);
    expect(() => opened(emptyFundsState('c1'), 'a'.repeat(65), 'operating')).toThrow(/accountId/);
  });
});

describe('idempotency', () => {
  test('fingerprints the request body canonically: key order does not matter, amounts are exact', () => {
    const a = requestFingerprint('fees.record-payment', { householdId: 'h1', amountFen: 12_000n });
    const b = requestFingerprint('fees.record-payment', { amountFen: 12_000n, householdId: 'h1' });
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(requestFingerprint('fees.record-payment', { householdId: 'h1', amountFen: 12_001n })).not.toBe(a);
    expect(requestFingerprint('funds.post-transfers', { householdId: 'h1', amountFen: 12_000n })).not.toBe(a);
  });

  test('same key and body → the original result; same key, other body → CONFLICT', () => {
    const record = { idempotencyKey: 'retry-key-1', requestHash: 'a'.repeat(64), resultId: 'payment-1' };
    expect(resolveIdempotentRequest(undefined, 'retry-key-1', 'a'.repeat(64))).toEqual({ kind: 'new' });
    expect(resolveIdempotentRequest(record, 'retry-key-1', 'a'.repeat(64))).toEqual({
      kind: 'replayed',
      resultId: 'payment-1',
    });
    expect(() => resolveIdempotentRequest(record, 'retry-key-1', 'b'.repeat(64))).toThrow(IdempotencyConflictError);
    try {
      resolveIdempotentRequest(record, 'retry-key-1', 'b'.repeat(64));
    } catch (error) {
      expect((error as IdempotencyConflictError).code).toBe('CONFLICT');
    }
  });

  test('refuses a key that is too short or carries anything but a token', () => {
    expect(() => resolveIdempotentRequest(undefined, 'short', 'a'.repeat(64))).toThrow(InvalidInputError);
    expect(() => resolveIdempotentRequest(undefined, 'has spaces in it', 'a'.repeat(64))).toThrow(/idempotencyKey/);
  });

  test('an entry that reuses a key is refused by the fold, whatever its body', () => {
    let state = opened(opened(emptyFundsState('c1'), 'op', 'operating'), 'ext', 'external');
    const transfers = [
      { debitAccountId: 'op', creditAccountId: 'ext', amountFen: 5n, code: 'opening-balance' as const },
    ];
    const inputs = {
      batchId: 'b1',
      idempotencyKey: 'key-000001',
      requestHash: requestFingerprint('t', { transfers }),
      postedOn: '2026-01-01',
      transfers,
    };
    const { changes } = decideEntry(transfersPosted, state, inputs);
    state = mergeChanges(state, changes);
    expect(state.idempotency.get('key-000001')).toEqual({
      idempotencyKey: 'key-000001',
      requestHash: inputs.requestHash,
      resultId: 'b1',
    });
    expect(() => decideEntry(transfersPosted, state, { ...inputs, batchId: 'b2' })).toThrow(IdempotencyConflictError);
  });
});

describe('entries as the ledger holds them', () => {
  const state = opened(opened(emptyFundsState('c1'), 'op', 'operating'), 'ext', 'external');
  const transfers = [{ debitAccountId: 'op', creditAccountId: 'ext', amountFen: 5n, code: 'opening-balance' as const }];
  const { entry } = decideEntry(transfersPosted, state, {
    batchId: 'b1',
    idempotencyKey: 'key-000001',
    requestHash: 'c'.repeat(64),
    postedOn: '2026-01-01',
    transfers,
  });

  test('carry amounts as decimal strings and pass the ledger’s payload guard', () => {
    expect(entry.payload.transfers).toEqual([
      { debitAccountId: 'op', creditAccountId: 'ext', amountFen: '5', code: 'opening-balance' },
    ]);
    expect(() => assertValidPayload(entry.payload)).not.toThrow();
  });

  test.each([
    ['an unknown key', { ...entry.payload, note: 'x' }, /Unrecognized key/],
    [
      'a number for an amount',
      { ...entry.payload, transfers: [{ ...(entry.payload.transfers as object[])[0], amountFen: 5 }] },
      /transfers\.0\.amountFen/,
    ],
    [
      'a non-canonical amount',
      { ...entry.payload, transfers: [{ ...(entry.payload.transfers as object[])[0], amountFen: '05' }] },
      /amountFen/,
    ],
    ['a missing field', { ...entry.payload, postedOn: undefined }, /postedOn/],
    ['a date that is no day', { ...entry.payload, postedOn: '2026-02-30' }, /postedOn/],
  ])('refuse %s, naming where', (_label, payload, message) => {
    const malformed = { type: entry.type, payload: JSON.parse(JSON.stringify(payload)) };
    expect(() => evolveEntry(transfersPosted, state, malformed)).toThrow(MalformedEntryError);
    expect(() => evolveEntry(transfersPosted, state, malformed)).toThrow(message);
  });

  test('a type the money fold does not know is refused', () => {
    expect(() => fundsFold.apply(state, { type: 'funds.magic', payload: {} })).toThrow(UnknownEntryTypeError);
  });

  test('a replay names the entry it stopped at', () => {
    const bad = {
      seq: 7,
      type: entry.type,
      payload: { ...entry.payload, transfers: [{ ...(entry.payload.transfers as object[])[0], amountFen: '6' }] },
    };
    const replay = () => fundsFold.replay([bad], emptyFundsState('c1'));
    expect(replay).toThrow(ReplayFailedError);
    expect(replay).toThrow(/entry 7 \(funds\.transfers-posted\)/);
  });

  test('every funds kind has a dotted lower-case type, registered once', () => {
    const types = FUNDS_ENTRY_KINDS.map((kind) => kind.type);
    expect(new Set(types).size).toBe(types.length);
    for (const type of types) expect(type).toMatch(/^funds\.[a-z-]+$/);
  });
});
