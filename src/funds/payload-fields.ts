/**
 * Field schemas shared by money entry payloads (zod). Payloads are JSON: amounts are
 * canonical decimal strings that decode to bigint fen, dates are civil dates, ids follow
 * identifiers.ts. Decoding is strict — an unknown key is refused — so what an entry says
 * is exactly what the fold reads.
 */
import { z } from 'zod';
import { MAX_AMOUNT_FEN } from './fen.ts';
import { parseCivilDate } from './civil-dates.ts';
import { ID_PATTERN, IDEMPOTENCY_KEY_PATTERN } from './identifiers.ts';

const FEN_TEXT = /^(0|[1-9][0-9]{0,18})$/;
const SIGNED_FEN_TEXT = /^(0|-?[1-9][0-9]{0,18})$/;

export const idField = z.string().regex(ID_PATTERN, 'must be an id of letters, digits, "-" or "_"');
export const idempotencyKeyField = z.string().regex(IDEMPOTENCY_KEY_PATTERN, 'must be an idempotency key');
/** SHA-256 in lower-case hex, for request fingerprints and document hashes. */
export const sha256HexField = z.string().regex(/^[0-9a-f]{64}$/, 'must be a SHA-256 hash in lower-case hex');

/** A non-negative amount of fen no larger than MAX_AMOUNT_FEN. */
export const fenField = z
  .string()
  .regex(FEN_TEXT, 'must be a whole number of fen as a decimal string')
  .transform((text) => BigInt(text))
  .refine((amount) => amount <= MAX_AMOUNT_FEN, `must not exceed ${MAX_AMOUNT_FEN} fen`);

export const positiveFenField = fenField.refine((amount) => amount > 0n, 'must be positive');

export const signedFenField = z
  .string()
  .regex(SIGNED_FEN_TEXT, 'must be a whole signed number of fen as a decimal string')
  .transform((text) => BigInt(text))
  .refine((amount) => amount <= MAX_AMOUNT_FEN && amount >= -MAX_AMOUNT_FEN, `must lie within ±${MAX_AMOUNT_FEN} fen`);

export const civilDateField = z.string().refine((text) => {
  try {
    parseCivilDate(text);
    return true;
  } catch {
    return false;
  }
}, 'must be a calendar date written YYYY-MM-DD');

export function boundedInt(min: number, max: number) {
  return z.number().int().min(min).max(max);
}
