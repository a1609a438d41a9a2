import { describe, expect, test } from '@jest/globals';
import {
  assertPositiveAmount,
  divideRoundHalfUp,
  formatFen,
  MAX_AMOUNT_FEN,
  parseFen,
  parseSignedFen,
} from '../../src/funds/fen.ts';
import { InvalidInputError } from '../../src/domain-error.ts';

describe('amounts in fen', () => {
  test('reads and writes canonical decimal strings', () => {
    expect(parseFen('0', 'amountFen')).toBe(0n);
    expect(parseFen('123456789012345678', 'amountFen')).toBe(123456789012345678n);
    expect(formatFen(12_345n)).toBe('12345');
    expect(parseSignedFen('-250', 'deltaFen')).toBe(-250n);
  });

  test.each(['01', '-1', '1.5', '1e3', ' 1', '', '+1', '0x10', '12345678901234567890'])(
    'refuses %j as an amount, naming the parameter',
    (text) => {
      expect(() => parseFen(text, 'amountFen')).toThrow(InvalidInputError);
      expect(() => parseFen(text, 'amountFen')).toThrow(/amountFen/);
    },
  );

  test('refuses "-0" as a signed amount', () => {
    expect(() => parseSignedFen('-0', 'deltaFen')).toThrow(/deltaFen/);
  });

  test('accepts positive amounts up to the limit and refuses zero, negatives and more', () => {
    expect(() => assertPositiveAmount(1n, 'amountFen')).not.toThrow();
    expect(() => assertPositiveAmount(MAX_AMOUNT_FEN, 'amountFen')).not.toThrow();
    expect(() => assertPositiveAmount(0n, 'amountFen')).toThrow(/positive/);
    expect(() => assertPositiveAmount(-5n, 'amountFen')).toThrow(/positive/);
    expect(() => assertPositiveAmount(MAX_AMOUNT_FEN + 1n, 'amountFen')).toThrow(/exceed/);
  });

  test('rounds half up', () => {
    expect(divideRoundHalfUp(5n, 10n)).toBe(1n);
    expect(divideRoundHalfUp(4n, 10n)).toBe(0n);
    expect(divideRoundHalfUp(15n, 10n)).toBe(2n);
    expect(divideRoundHalfUp(25n, 10n)).toBe(3n);
    expect(divideRoundHalfUp(1_339_950n, 100n)).toBe(13_400n);
    expect(divideRoundHalfUp(0n, 7n)).toBe(0n);
    expect(() => divideRoundHalfUp(-1n, 2n)).toThrow(RangeError);
  });
});
