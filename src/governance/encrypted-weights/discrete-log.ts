/**
 * The bounded discrete logarithm that turns a decrypted sum m · G back into m, by
 * baby-step giant-step: a table of j · G for j in [0, T) keyed by the affine x
 * coordinate (unique within the prime-order subgroup: the other point with the same x,
 * (x, −y), is outside it), then giant steps Q − i·T·G until one lands in the table.
 *
 * Cost for a bound B (the census total weight, in 0.01 m²): T = ⌈√(B + 1)⌉ (at most
 * MAX_BABY_STEPS) table points, built once per election and reused for every option,
 * and at most ⌈(B + 1) / T⌉ giant steps per solve; points are normalised in batches
 * (one field inversion per batch). Memory is about T Map entries. With B ≤ 2^40 and
 * T ≤ 2^18 that is at most 2^22 giant steps: seconds, not minutes (see the benchmark).
 */
import { normalizeZ } from '@noble/curves/abstract/curve.js';
import { babyjubjub } from '@noble/curves/misc.js';
import { BASE8, IDENTITY, multiplyPublic, requireSubgroupPoint, type CurvePoint } from './baby-jubjub.ts';
import { EncryptedWeightError } from './encrypted-weight-errors.ts';

/** The largest bound the table serves: 2^40 × 0.01 m² is far above any census total. */
export const MAX_DISCRETE_LOG_BOUND = 2n ** 40n;
/** The largest table: 2^18 points, about 40 MB of Map entries. */
export const MAX_BABY_STEPS = 2 ** 18;
/** Points normalised to affine with one field inversion. */
const NORMALIZE_BATCH = 512;

function affineXs(points: CurvePoint[]): bigint[] {
  return normalizeZ(babyjubjub.Point, points).map((point) => point.X);
}

function integerSquareRootCeiling(value: bigint): bigint {
  if (value < 2n) return value;
  let root = BigInt(Math.floor(Math.sqrt(Number(value))));
  while (root * root < value) root += 1n;
  while ((root - 1n) * (root - 1n) >= value) root -= 1n;
  return root;
}

export class DiscreteLogTable {
  readonly bound: bigint;
  readonly babySteps: number;
  private readonly table: Map<bigint, number>;
  private readonly giantStep: CurvePoint;

  private constructor(bound: bigint, babySteps: number, table: Map<bigint, number>) {
    this.bound = bound;
    this.babySteps = babySteps;
    this.table = table;
    this.giantStep = multiplyPublic(BASE8, BigInt(babySteps)).negate();
  }

  /** Builds the table for logarithms in [0, bound]. */
  static build(bound: bigint): DiscreteLogTable {
    if (typeof bound !== 'bigint' || bound < 0n || bound > MAX_DISCRETE_LOG_BOUND) {
      throw new EncryptedWeightError('DISCRETE_LOG_BOUND_TOO_LARGE', `Invalid bound: must be 0 to ${MAX_DISCRETE_LOG_BOUND}`);
    }
    const wanted = integerSquareRootCeiling(bound + 1n);
    const babySteps = Number(wanted > BigInt(MAX_BABY_STEPS) ? BigInt(MAX_BABY_STEPS) : wanted < 1n ? 1n : wanted);
    const table = new Map<bigint, number>();
    let point = IDENTITY;
    for (let start = 0; start < babySteps; start += NORMALIZE_BATCH) {
      const batch: CurvePoint[] = [];
      for (let j = start; j < Math.min(start + NORMALIZE_BATCH, babySteps); j++) {
        batch.push(point);
        point = point.add(BASE8);
      }
      affineXs(batch).forEach((x, offset) => table.set(x, start + offset));
    }
    return new DiscreteLogTable(bound, babySteps, table);
  }

  /** m with m · G = point and 0 ≤ m ≤ bound, or DISCRETE_LOG_OUT_OF_RANGE. */
  solve(point: CurvePoint): bigint {
    requireSubgroupPoint('decrypted point', point, true);
    const step = BigInt(this.babySteps);
    const giantSteps = (this.bound + 1n + step - 1n) / step;
    let current = point;
    for (let start = 0n; start < giantSteps; start += BigInt(NORMALIZE_BATCH)) {
      const batch: CurvePoint[] = [];
      for (let i = start; i < giantSteps && i < start + BigInt(NORMALIZE_BATCH); i++) {
        batch.push(current);
        current = current.add(this.giantStep);
      }
      const xs = affineXs(batch);
      for (let offset = 0; offset < xs.length; offset++) {
        const j = this.table.get(xs[offset]!);
        if (j === undefined) continue;
        const value = (start + BigInt(offset)) * step + BigInt(j);
        if (value <= this.bound) return value;
      }
    }
    throw new EncryptedWeightError('DISCRETE_LOG_OUT_OF_RANGE', `Failed to decrypt: the sum is not in [0, ${this.bound}]`);
  }
}
