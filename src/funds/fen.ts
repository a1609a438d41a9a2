/**
 * Amounts of money: integer fen (0.01 yuan) as bigint, never floating point. In ledger
 * payloads and at the API an amount travels as a decimal string ("12345"), so that no
 * JSON reader can round it; `parseFen` is the one way back.
 */
import { InvalidInputError } from '../domain-error.ts';

/** The largest amount one transfer, payment, invoice or fee may carry: 10^12 fen, ten billion yuan. */
export const MAX_AMOUNT_FEN = 1_000_000_000_000n;

/** The largest cumulative debit or credit total of one account (TigerBeetle checks its u128 sums the same way). */
export const MAX_ACCOUNT_TOTAL_FEN = 1_000_000_000_000_000n;

/** Canonical decimal: no sign, no leading zeros, no exponent, at most 19 digits. */
const NON_NEGATIVE_FEN_PATTERN = /^(0|[1-9][0-9]{0,18})$/;
/** The same with an optional minus sign; "-0" is not canonical. */
const SIGNED_FEN_PATTERN = /^(0|-?[1-9][0-9]{0,18})$/;

/** Reads a canonical non-negative decimal string of fen. */
export function parseFen(text: string, parameter: string): bigint {
  if (!NON_NEGATIVE_FEN_PATTERN.test(text))
    throw new InvalidInputError(parameter, 'must be a whole number of fen written as a decimal string');
  return BigInt(text);
}

/** Reads a canonical signed decimal string of fen (corrections go both ways). */
export function parseSignedFen(text: string, parameter: string): bigint {
  if (!SIGNED_FEN_PATTERN.test(text))
    throw new InvalidInputError(parameter, 'must be a whole signed number of fen written as a decimal string');
  return BigInt(text);
}

export function formatFen(amountFen: bigint): string {
  return amountFen.toString();
}

/** A positive amount no larger than MAX_AMOUNT_FEN; the message names the parameter. */
export function assertPositiveAmount(amountFen: bigint, parameter: string): void {
  if (amountFen <= 0n) throw new InvalidInputError(parameter, 'must be positive');
  if (amountFen > MAX_AMOUNT_FEN) throw new InvalidInputError(parameter, `must not exceed ${MAX_AMOUNT_FEN} fen`);
}

export function minFen(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

export function maxFen(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

/** a·b/c rounded half up, for non-negative integers: the one rounding rule money uses. */
export function divideRoundHalfUp(numerator: bigint, denominator: bigint): bigint {
  if (numerator < 0n || denominator <= 0n)
    throw new RangeError('divideRoundHalfUp takes a non-negative numerator and a positive denominator');
  return (numerator * 2n + denominator) / (denominator * 2n);
}
