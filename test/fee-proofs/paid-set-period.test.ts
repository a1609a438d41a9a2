/**
 * The period number a fee proof carries as its attribute: readable, and one per period.
 */
import { parsePeriodId } from '../../src/fees/billing-periods.ts';
import { paidSetTree, periodNumber } from '../../src/fee-proofs/paid-set-period.ts';

describe('period numbers', () => {
  it.each([
    ['2026-03', 202_603],
    ['2026-12', 202_612],
    ['2026-Q1', 202_621],
    ['2026-Q4', 202_624],
    ['2026', 202_600],
    ['2199-01', 219_901],
  ])('numbers %s as %d', (periodId, expected) => {
    expect(periodNumber(periodId)).toBe(expected);
  });

  it('gives every month, quarter and year from 2000 to 2199 its own number', () => {
    const seen = new Map<number, string>();
    for (let year = 2000; year <= 2199; year++) {
      const ids = [
        String(year),
        ...[1, 2, 3, 4].map((q) => `${year}-Q${q}`),
        ...Array.from({ length: 12 }, (_, m) => `${year}-${String(m + 1).padStart(2, '0')}`),
      ];
      for (const id of ids) {
        const number = periodNumber(id);
        expect(seen.get(number)).toBeUndefined();
        seen.set(number, id);
      }
    }
    expect(seen.size).toBe(200 * 17);
  });

  it('refuses a malformed period with INVALID_INPUT naming the parameter, and names the paid-set tree', () => {
    expect(() => periodNumber('2026-13')).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', parameter: 'periodId' }),
    );
    expect(() => periodNumber('1999-01')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(paidSetTree(parsePeriodId('2026-Q2').periodId)).toBe('fees-paid:2026-Q2');
  });
});
