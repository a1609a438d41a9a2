/**
 * What a household is billed for one period under one schedule version.
 *
 * - Per area (物业费): rate in fen per m² per month × area in 0.01 m² × months in the
 *   period ÷ 100. The exact amount is a fraction with denominator 100; it is rounded **half
 *   up to whole fen once per invoice** — never per month, never per m² — so a quarter of
 *   89.33 m² at 1.50 yuan is 401.99 yuan (40,198.5 fen → 40,199), not 3 × 134.00.
 * - Fixed (parking): fen per month × months in the period, exact.
 */
import { InvalidInputError } from '../domain-error.ts';
import { divideRoundHalfUp } from '../funds/fen.ts';
import { MONTHS_PER_PERIOD, type BillingFrequency } from './billing-periods.ts';
import type { FeeCharge } from './fee-schedule.ts';

/** 100,000 m² in 0.01 m²: larger than any one unit; catches an area typed in the wrong unit. */
export const MAX_AREA_CENTI_SQUARE_METRES = 10_000_000;
export const CENTI_SQUARE_METRES_PER_SQUARE_METRE = 100n;

export function assertArea(areaCentiSquareMetres: number): void {
  if (
    !Number.isInteger(areaCentiSquareMetres) ||
    areaCentiSquareMetres < 1 ||
    areaCentiSquareMetres > MAX_AREA_CENTI_SQUARE_METRES
  ) {
    throw new InvalidInputError(
      'areaCentiSquareMetres',
      `must be a whole number of 0.01 m² from 1 to ${MAX_AREA_CENTI_SQUARE_METRES}`,
    );
  }
}

/** The exact per-area amount as a fraction of fen: numerator / 100. */
export function exactPerAreaAmount(
  rateFenPerSquareMetreMonth: bigint,
  areaCentiSquareMetres: number,
  months: number,
): { numerator: bigint; denominator: bigint } {
  return {
    numerator: rateFenPerSquareMetreMonth * BigInt(areaCentiSquareMetres) * BigInt(months),
    denominator: CENTI_SQUARE_METRES_PER_SQUARE_METRE,
  };
}

export function invoiceAmountFen(
  charge: FeeCharge,
  frequency: BillingFrequency,
  areaCentiSquareMetres: number | null,
): bigint {
  const months = MONTHS_PER_PERIOD[frequency];
  if (charge.kind === 'fixed') {
    if (areaCentiSquareMetres !== null)
      throw new InvalidInputError('areaCentiSquareMetres', 'must be empty for a fixed charge');
    return charge.amountFenPerMonth * BigInt(months);
  }
  if (areaCentiSquareMetres === null)
    throw new InvalidInputError('areaCentiSquareMetres', 'is required for a per-area charge');
  assertArea(areaCentiSquareMetres);
  const { numerator, denominator } = exactPerAreaAmount(
    charge.rateFenPerSquareMetreMonth,
    areaCentiSquareMetres,
    months,
  );
  return divideRoundHalfUp(numerator, denominator);
}
