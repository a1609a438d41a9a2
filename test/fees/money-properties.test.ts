/**
 * Property-based tests (fast-check) of the money core: random sequences of linked
 * transfers, invoices, payments (with retries), refunds, corrections, late fees,
 * reminders, schedule changes and spends, each run through the live path
 * (money-simulation.ts). After every accepted command the books must balance and every
 * rule must hold; a refused command must be refused with a typed DomainError and change
 * nothing; and at the end the state folded from the entries alone — each checked as the
 * ledger's append checks it and read back from its canonical JSON — must equal the live
 * state.
 */
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { rulesOfKind } from '../../src/funds/account-kinds.ts';
import { satisfiesBalanceRule, signedBalanceFen } from '../../src/funds/balance-rules.ts';
import { commandArbitrary, FUND_ACCOUNTS, HOUSEHOLDS, ordersArbitrary, Simulation } from './money-simulation.ts';
import { ACCOUNT, expectSameState } from './money-book.ts';
import { requestFingerprint, resolveIdempotentRequest } from '../../src/funds/idempotency.ts';
import { IdempotencyConflictError } from '../../src/funds/funds-errors.ts';
import { paymentRecorded } from '../../src/fees/payment-ledger-entries.ts';

function assertReplayEqualsLive(simulation: Simulation): void {
  expectSameState(simulation.book.replay(), simulation.book.state);
}

describe('money properties', () => {
  test('random sequences of money commands: books balance, rules hold, refusals change nothing, the rows a rule reads suffice, replay equals live', () => {
    const totals = { accepted: 0, refused: 0, retried: 0, conflicts: 0, lateFees: 0, reminders: 0, entries: 0 };
    fc.assert(
      fc.property(fc.array(commandArbitrary, { minLength: 10, maxLength: 80, size: 'max' }), (commands) => {
        const simulation = new Simulation({ checkPartialState: true });
        for (const command of commands) simulation.execute(command);
        assertReplayEqualsLive(simulation);
        for (const key of ['accepted', 'refused', 'retried', 'conflicts', 'lateFees', 'reminders'] as const)
          totals[key] += simulation[key];
        totals.entries += simulation.book.entries.length;
      }),
      { numRuns: 500 },
    );
    // Both spaces are exercised: commands pass and are refused, late fees and reminders post, retries replay and conflict.
    expect(totals.accepted).toBeGreaterThan(3_000);
    expect(totals.refused).toBeGreaterThan(1_500);
    expect(totals.lateFees).toBeGreaterThan(300);
    expect(totals.reminders).toBeGreaterThan(300);
    expect(totals.retried).toBeGreaterThan(50);
    expect(totals.conflicts).toBeGreaterThan(50);
  });

  test('random linked batches: all or nothing, in order, and replay equals live', () => {
    fc.assert(
      fc.property(fc.array(ordersArbitrary(8), { minLength: 1, maxLength: 30 }), (batches) => {
        const simulation = new Simulation();
        for (const orders of batches) {
          const before = simulation.book.state;
          simulation.execute({ kind: 'transfers', orders });
          if (simulation.book.state !== before) continue;
          // A refused batch: applying its transfers one by one from the same state breaks a rule somewhere.
          const accounts = new Map(before.accounts);
          const breaks = orders.some((order) => {
            if (order.debit === order.credit) return true;
            const debited = accounts.get(FUND_ACCOUNTS[order.debit]!)!;
            const credited = accounts.get(FUND_ACCOUNTS[order.credit]!)!;
            const updated = [
              { ...debited, debitsFen: debited.debitsFen + order.amountFen },
              { ...credited, creditsFen: credited.creditsFen + order.amountFen },
            ];
            for (const account of updated) accounts.set(account.accountId, account);
            return !updated.every((account) =>
              satisfiesBalanceRule(rulesOfKind(account.kind).balanceRule, signedBalanceFen(account)),
            );
          });
          expect(breaks).toBe(true);
        }
        assertReplayEqualsLive(simulation);
      }),
      { numRuns: 1_200 },
    );
  });

  test('retries of payments with shared idempotency keys: one payment and one entry per key, another body is a CONFLICT', () => {
    const request = fc.record({
      key: fc.nat({ max: 3 }),
      household: fc.nat({ max: 2 }),
      amountFen: fc.bigInt({ min: 1n, max: 3n }),
    });
    fc.assert(
      fc.property(fc.array(request, { minLength: 1, maxLength: 50 }), (requests) => {
        const book = new Simulation().book;
        const first = new Map<string, { householdId: string; amountFen: bigint }>();
        const outcomes: string[] = [];
        const expected: string[] = [];
        for (const { key, household, amountFen } of requests) {
          const idempotencyKey = `payment-retry-${key}`;
          const body = { householdId: HOUSEHOLDS[household]!, amountFen, cashAccountId: ACCOUNT.operating };
          const requestHash = requestFingerprint('fees.record-payment', body);
          const original = first.get(idempotencyKey);
          expected.push(
            !original
              ? 'new'
              : original.householdId === body.householdId && original.amountFen === amountFen
                ? 'replayed'
                : 'conflict',
          );
          try {
            const outcome = resolveIdempotentRequest(
              book.state.idempotency.get(idempotencyKey),
              idempotencyKey,
              requestHash,
            );
            outcomes.push(outcome.kind);
            if (outcome.kind === 'replayed') continue;
            book.run(paymentRecorded, {
              paymentId: `p-${key}`,
              ...body,
              idempotencyKey,
              requestHash,
              receivedOn: '2026-01-02',
            });
            first.set(idempotencyKey, body);
          } catch (error) {
            outcomes.push(error instanceof IdempotencyConflictError ? 'conflict' : String(error));
          }
        }
        expect(outcomes).toEqual(expected);
        expect(book.state.payments.size).toBe(first.size);
        expect(book.entries.length).toBe(new Simulation().book.entries.length + first.size);
        expect(book.replay().idempotency).toEqual(book.state.idempotency);
      }),
      { numRuns: 900 },
    );
  });
});
