import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { exactPerAreaAmount, invoiceAmountFen, MAX_AREA_CENTI_SQUARE_METRES } from '../../src/fees/invoice-amounts.ts';

const rate = (rateFenPerSquareMetreMonth: bigint) => ({ kind: 'per-area' as const, rateFenPerSquareMetreMonth });

describe('invoice amounts', () => {
  test('per area: 89.33 m² at 1.50 yuan a month is 134.00 yuan (13,399.5 fen rounded half up)', () => {
    expect(invoiceAmountFen(rate(150n), 'month', 8_933)).toBe(13_400n);
  });

  test('rounds once per invoice, never per month: a quarter is 401.99 yuan, not 3 × 134.00', () => {
    expect(invoiceAmountFen(rate(150n), 'quarter', 8_933)).toBe(40_199n);
    expect(invoiceAmountFen(rate(150n), 'quarter', 8_933)).not.toBe(3n * invoiceAmountFen(rate(150n), 'month', 8_933));
  });

  test('rounds half up and below half down', () => {
    expect(invoiceAmountFen(rate(1n), 'month', 50)).toBe(1n); // 0.5 fen
    expect(invoiceAmountFen(rate(1n), 'month', 49)).toBe(0n); // 0.49 fen
    expect(invoiceAmountFen(rate(3n), 'month', 150)).toBe(5n); // 4.5 fen
  });

  test('is the exact amount rounded half up, for any rate, area and frequency', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 1n, max: 100_000n }),
        fc.integer({ min: 1, max: MAX_AREA_CENTI_SQUARE_METRES }),
        fc.constantFrom('month', 'quarter', 'year' as const),
        (fenPerSquareMetre, area, frequency) => {
          const months = { month: 1, quarter: 3, year: 12 }[frequency];
          const { numerator, denominator } = exactPerAreaAmount(fenPerSquareMetre, area, months);
          const amount = invoiceAmountFen(rate(fenPerSquareMetre), frequency, area);
          // |amount − exact| ≤ ½ fen, and exactly ½ rounds up.
          expect(2n * (amount * denominator - numerator) <= denominator).toBe(true);
          expect(2n * (numerator - amount * denominator) < denominator).toBe(true);
        },
      ),
      { numRuns: 500 },
    );
  });

  test('fixed: the monthly amount times the months of the period', () => {
    expect(invoiceAmountFen({ kind: 'fixed', amountFenPerMonth: 30_000n }, 'month', null)).toBe(30_000n);
    expect(invoiceAmountFen({ kind: 'fixed', amountFenPerMonth: 30_000n }, 'year', null)).toBe(360_000n);
  });

  test('refuses a missing, zero, fractional or oversized area for a per-area charge, and any area for a fixed one', () => {
    expect(() => invoiceAmountFen(rate(150n), 'month', null)).toThrow(/areaCentiSquareMetres/);
    expect(() => invoiceAmountFen(rate(150n), 'month', 0)).toThrow(/areaCentiSquareMetres/);
    expect(() => invoiceAmountFen(rate(150n), 'month', 10.5)).toThrow(/areaCentiSquareMetres/);
    expect(() => invoiceAmountFen(rate(150n), 'month', MAX_AREA_CENTI_SQUARE_METRES + 1)).toThrow(
      /areaCentiSquareMetres/,
    );
    expect(() => invoiceAmountFen({ kind: 'fixed', amountFenPerMonth: 1n }, 'month', 100)).toThrow(
      /areaCentiSquareMetres/,
    );
  });
});
