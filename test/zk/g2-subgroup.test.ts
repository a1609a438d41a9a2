/**
 * The fast G2 subgroup test (src/zk/g2-subgroup.ts) against the naive one, r·P = O, on
 * points of every kind a forged proof could carry in pi_b: subgroup points, random points
 * of the twist (almost never in the subgroup), and subgroup points plus a point of each
 * small prime order dividing the cofactor h = 10069 · 5864401 · 1875725156269 · q₅₄.
 */
import { bn254 } from '@noble/curves/bn254.js';
import type { Curve } from 'snarkjs';
import { getCurve } from '../../src/zk/curve.ts';
import { SNARK_SCALAR_FIELD } from '../../src/zk/field.ts';
import { inG2Subgroup } from '../../src/zk/g2-subgroup.ts';

const { Fp2 } = bn254.fields;
const TWIST_B = Fp2.div(Fp2.fromBigTuple([3n, 0n]), Fp2.NONRESIDUE);
const COFACTOR_PRIMES = [10069n, 5864401n, 1875725156269n, 197620364512881247228717050342013327560683201906968909n];
const COFACTOR = COFACTOR_PRIMES.reduce((product, prime) => product * prime, 1n);

let curve: Curve;
beforeAll(async () => {
  curve = await getCurve();
});

const naive = (point: Uint8Array) => curve.G2.isZero(curve.G2.timesScalar(point, SNARK_SCALAR_FIELD));

/** A random point of the twist y² = x³ + b' over Fp2 (the whole group, order h·r). */
function randomTwistPoint(): Uint8Array {
  for (;;) {
    const x = Fp2.fromBigTuple([BigInt(Math.floor(Math.random() * 2 ** 48)) + 2n, BigInt(Math.floor(Math.random() * 2 ** 48))]);
    const y2 = Fp2.add(Fp2.mul(Fp2.sqr(x), x), TWIST_B);
    let y;
    try {
      y = Fp2.sqrt(y2);
    } catch {
      continue; // not a square: no point with this x
    }
    return curve.G2.fromObject([[x.c0, x.c1], [y.c0, y.c1], [1n, 0n]] as unknown as bigint[]);
  }
}

test('the twist and the cofactor are the ones snarkjs uses', () => {
  expect(COFACTOR).toBe(2n * curve.q - curve.r);
  expect(curve.G2.isValid(randomTwistPoint())).toBe(true);
});

test('agrees with r·P = O on subgroup points and on random twist points', () => {
  for (let round = 0; round < 12; round++) {
    const member = curve.G2.timesScalar(randomTwistPoint(), COFACTOR);
    expect([naive(member), inG2Subgroup(curve, member)]).toEqual([true, true]);
    const random = randomTwistPoint();
    expect(inG2Subgroup(curve, random)).toBe(naive(random));
    expect(naive(random)).toBe(false);
  }
  expect(inG2Subgroup(curve, curve.G2.timesScalar(curve.G2.g, 123_456_789n))).toBe(true);
});

test('refuses a point with a component of each small order of the cofactor, alone or added to a subgroup point', () => {
  const member = curve.G2.timesScalar(randomTwistPoint(), COFACTOR);
  for (const prime of COFACTOR_PRIMES) {
    let small: Uint8Array;
    do small = curve.G2.timesScalar(randomTwistPoint(), (COFACTOR / prime) * SNARK_SCALAR_FIELD);
    while (curve.G2.isZero(small));
    expect(curve.G2.isZero(curve.G2.timesScalar(small, prime))).toBe(true); // order exactly `prime`
    for (const point of [small, curve.G2.add(member, small)]) {
      expect([naive(point), inG2Subgroup(curve, point)]).toEqual([false, false]);
    }
  }
});
