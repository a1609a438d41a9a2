import { createHash } from 'node:crypto';
import { babyjubjub } from '@noble/curves/misc.js';
import {
  BASE8, BASE_FIELD_ORDER, IDENTITY, SUBGROUP_ORDER, multiply, pointFromJson, pointToJson, randomScalar, scalarFromJson,
  type CurvePoint,
} from '../../src/governance/encrypted-weights/baby-jubjub.ts';
import { CHALLENGE_DST_PREFIX, challengeScalar, encodeChallengeInput } from '../../src/governance/encrypted-weights/challenge-hash.ts';
import { DiscreteLogTable, MAX_DISCRETE_LOG_BOUND } from '../../src/governance/encrypted-weights/discrete-log.ts';
import {
  MAX_ENCRYPTED_WEIGHT, ZERO_CIPHERTEXT, addCiphertexts, ciphertextFromJson, ciphertextToJson, decryptToPoint, encryptWeight,
  subtractCiphertexts, sumCiphertexts, weightPoint,
} from '../../src/governance/encrypted-weights/elgamal.ts';
import { EncryptedWeightError } from '../../src/governance/encrypted-weights/encrypted-weight-errors.ts';
import { proveEqualDiscreteLogs, verifyEqualDiscreteLogs } from '../../src/governance/encrypted-weights/equal-discrete-log-proof.ts';
import { terminateCurve } from '../../src/zk/curve.ts';

interface CircomlibBabyJub {
  F: { toObject(element: Uint8Array): bigint; e(value: bigint): Uint8Array };
  Base8: [Uint8Array, Uint8Array];
  subOrder: bigint;
  addPoint(a: Uint8Array[], b: Uint8Array[]): Uint8Array[];
  mulPointEscalar(point: Uint8Array[], scalar: bigint): Uint8Array[];
}

let babyJub: CircomlibBabyJub;
beforeAll(async () => {
  const circomlibjs = (await import('circomlibjs')) as unknown as { buildBabyjub(): Promise<CircomlibBabyJub> };
  babyJub = await circomlibjs.buildBabyjub();
});
afterAll(terminateCurve);

const toCircomlib = (point: CurvePoint) => { const { x, y } = point.toAffine(); return [babyJub.F.e(x), babyJub.F.e(y)]; };
const fromCircomlib = (point: Uint8Array[]) => ({ x: babyJub.F.toObject(point[0]!).toString(), y: babyJub.F.toObject(point[1]!).toString() });

function expectCode(run: () => unknown, code: string): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(EncryptedWeightError);
  expect((caught as EncryptedWeightError).code).toBe(code);
}

/** k · P by double-and-add with no range check on k (to reach the torsion points). */
function multiplyAnyScalar(point: CurvePoint, scalar: bigint): CurvePoint {
  let result = IDENTITY;
  for (let addend = point, rest = scalar; rest > 0n; rest >>= 1n, addend = addend.double()) if (rest & 1n) result = result.add(addend);
  return result;
}

/** RFC 9380 §5.3.1 expand_message_xmd with SHA-256, written from the RFC with node:crypto. */
function expandMessageXmd(message: Uint8Array, dst: string, length: number): Uint8Array {
  const sha256 = (...parts: Uint8Array[]) => new Uint8Array(createHash('sha256').update(Buffer.concat(parts)).digest());
  const dstPrime = Buffer.concat([Buffer.from(dst), Uint8Array.of(dst.length)]);
  const b0 = sha256(new Uint8Array(64), message, Uint8Array.of(length >> 8, length & 255), Uint8Array.of(0), dstPrime);
  const blocks = [sha256(b0, Uint8Array.of(1), dstPrime)];
  for (let index = 2; index <= Math.ceil(length / 32); index++) {
    const previous = blocks[blocks.length - 1]!;
    blocks.push(sha256(b0.map((byte, position) => byte ^ previous[position]!), Uint8Array.of(index), dstPrime));
  }
  return Buffer.concat(blocks).subarray(0, length);
}

describe('Baby Jubjub as circomlib has it', () => {
  it('uses circomlib\'s Base8 as generator and its subgroup order', () => {
    expect(pointToJson(BASE8)).toEqual(fromCircomlib(babyJub.Base8));
    expect(SUBGROUP_ORDER).toBe(babyJub.subOrder);
    expect(BASE_FIELD_ORDER).toBe(21888242871839275222246405745257275088548364400416034343698204186575808495617n);
    expect(multiply(BASE8, SUBGROUP_ORDER).is0()).toBe(true);
  });

  it('encrypts exactly as circomlibjs computes C1 = r·Base8 and C2 = m·Base8 + r·PK (what the circuit will compute)', () => {
    const secretKey = randomScalar();
    const publicKey = multiply(BASE8, secretKey);
    for (const weight of [0n, 1n, 8_950n, MAX_ENCRYPTED_WEIGHT]) {
      const randomness = randomScalar();
      const ciphertext = encryptWeight(weight, publicKey, randomness);
      expect(pointToJson(ciphertext.c1)).toEqual(fromCircomlib(babyJub.mulPointEscalar(babyJub.Base8, randomness)));
      const c2 = babyJub.addPoint(babyJub.mulPointEscalar(babyJub.Base8, weight), babyJub.mulPointEscalar(toCircomlib(publicKey), randomness));
      expect(pointToJson(ciphertext.c2)).toEqual(fromCircomlib(c2));
      expect(decryptToPoint(ciphertext, secretKey).equals(weightPoint(weight))).toBe(true);
    }
  });
});

describe('point validation', () => {
  const p = BASE_FIELD_ORDER;
  // EIP-2494's generator of the whole group (order 8·l); Base8 = 8 × it.
  const generator = babyjubjub.Point.fromAffine({
    x: 995203441582195749578291179787384436505546430278305826713579947235728471134n,
    y: 5472060717959818805561601436314318772137091100104008585924551046643952123905n,
  });
  const orderTwo = babyjubjub.Point.fromAffine({ x: 0n, y: p - 1n });
  const orderEight = multiplyAnyScalar(generator, SUBGROUP_ORDER);

  it('accepts subgroup points and round-trips them through JSON', () => {
    const point = multiply(BASE8, randomScalar());
    expect(pointFromJson('point', pointToJson(point)).equals(point)).toBe(true);
    expect(pointFromJson('sum', pointToJson(IDENTITY), true).is0()).toBe(true);
  });

  it('refuses a point off the curve', () => {
    const { x, y } = pointToJson(BASE8);
    expectCode(() => pointFromJson('point', { x, y: (BigInt(y) + 1n).toString() }), 'POINT_NOT_ON_CURVE');
    expectCode(() => pointFromJson('point', { x: '1', y: '2' }), 'POINT_NOT_ON_CURVE');
  });

  it('refuses points of small order and points outside the prime-order subgroup', () => {
    expect(multiplyAnyScalar(generator, 8n).equals(BASE8)).toBe(true);
    expect(orderEight.is0()).toBe(false);
    expect(multiplyAnyScalar(orderEight, 8n).is0()).toBe(true);
    for (const point of [orderTwo, orderEight, generator, BASE8.add(orderTwo), multiply(BASE8, 12_345n).add(orderEight)]) {
      point.assertValidity();
      expectCode(() => pointFromJson('point', pointToJson(point)), 'POINT_NOT_IN_SUBGROUP');
      expectCode(() => ciphertextFromJson('ciphertext', { c1: pointToJson(BASE8), c2: pointToJson(point) }), 'POINT_NOT_IN_SUBGROUP');
    }
  });

  it('refuses the identity where a key is needed, and malformed coordinates', () => {
    expectCode(() => pointFromJson('public key', pointToJson(IDENTITY)), 'POINT_IS_IDENTITY');
    expectCode(() => encryptWeight(1n, IDENTITY, 5n), 'POINT_IS_IDENTITY');
    const { x, y } = pointToJson(BASE8);
    for (const bad of [null, 'x', { x }, { x, y: `0${y}` }, { x, y: ` ${y}` }, { x: (BigInt(x) + p).toString(), y }, { x: Number(x), y }]) {
      expectCode(() => pointFromJson('point', bad), 'POINT_MALFORMED');
    }
  });

  it('refuses scalars out of range', () => {
    expectCode(() => encryptWeight(1n, BASE8, 0n), 'SCALAR_OUT_OF_RANGE');
    expectCode(() => encryptWeight(1n, BASE8, SUBGROUP_ORDER), 'SCALAR_OUT_OF_RANGE');
    expectCode(() => scalarFromJson('response', SUBGROUP_ORDER.toString(), true), 'SCALAR_OUT_OF_RANGE');
    expectCode(() => scalarFromJson('response', '-1', true), 'SCALAR_OUT_OF_RANGE');
    expect(scalarFromJson('response', (SUBGROUP_ORDER - 1n).toString())).toBe(SUBGROUP_ORDER - 1n);
  });
});

describe('exponential ElGamal', () => {
  const secretKey = randomScalar();
  const publicKey = multiply(BASE8, secretKey);

  it('adds ciphertexts to an encryption of the sum, and takes a replaced one out', () => {
    const weights = [8_950n, 12_025n, 8_950n, 6_400n];
    const ciphertexts = weights.map((weight) => encryptWeight(weight, publicKey, randomScalar()));
    const sum = sumCiphertexts(ciphertexts);
    expect(decryptToPoint(sum, secretKey).equals(weightPoint(36_325n))).toBe(true);
    expect(decryptToPoint(subtractCiphertexts(sum, ciphertexts[1]!), secretKey).equals(weightPoint(24_300n))).toBe(true);
    expect(addCiphertexts(ZERO_CIPHERTEXT, ciphertexts[0]!).c1.equals(ciphertexts[0]!.c1)).toBe(true);
    expect(ciphertextFromJson('sum', JSON.parse(JSON.stringify(ciphertextToJson(sum)))).c2.equals(sum.c2)).toBe(true);
  });

  it('gives different ciphertexts for the same weight (the area of two owners is not linkable)', () => {
    const first = encryptWeight(8_950n, publicKey, randomScalar());
    const second = encryptWeight(8_950n, publicKey, randomScalar());
    expect(first.c1.equals(second.c1) || first.c2.equals(second.c2)).toBe(false);
  });

  it('refuses weights outside [0, MAX_ENCRYPTED_WEIGHT]', () => {
    expectCode(() => encryptWeight(-1n, publicKey, 7n), 'WEIGHT_OUT_OF_RANGE');
    expectCode(() => encryptWeight(MAX_ENCRYPTED_WEIGHT + 1n, publicKey, 7n), 'WEIGHT_OUT_OF_RANGE');
  });
});

describe('bounded discrete logarithm', () => {
  const bound = 90_000_000n; // 900,000 m² in 0.01 m²
  const table = DiscreteLogTable.build(bound);

  it('recovers every value from 0 to the bound, the bound included', () => {
    expect(table.babySteps).toBe(9_487);
    for (const value of [0n, 1n, 9_486n, 9_487n, 9_488n, 45_000_001n, bound - 1n, bound]) expect(table.solve(weightPoint(value))).toBe(value);
  });

  it('refuses a point whose logarithm is above the bound, and a bound above the limit', () => {
    expectCode(() => table.solve(weightPoint(bound + 1n)), 'DISCRETE_LOG_OUT_OF_RANGE');
    expectCode(() => table.solve(multiply(BASE8, randomScalar())), 'DISCRETE_LOG_OUT_OF_RANGE');
    expectCode(() => DiscreteLogTable.build(MAX_DISCRETE_LOG_BOUND + 1n), 'DISCRETE_LOG_BOUND_TOO_LARGE');
    expectCode(() => DiscreteLogTable.build(-1n), 'DISCRETE_LOG_BOUND_TOO_LARGE');
    expect(DiscreteLogTable.build(0n).solve(IDENTITY)).toBe(0n);
  });
});

describe('Fiat–Shamir challenges', () => {
  it('are RFC 9380 hash_to_field over SHA-256 of the documented bytes, reduced mod l', () => {
    const points = [BASE8, multiply(BASE8, 7n)];
    const input = encodeChallengeInput('election-1/trustee/2/ciphertext/0', points);
    expect(input.length).toBe(4 + 33 + 4 + 2 * 64);
    const expected = BigInt(`0x${Buffer.from(expandMessageXmd(input, `${CHALLENGE_DST_PREFIX}partial-decryption`, 48)).toString('hex')}`) % SUBGROUP_ORDER;
    expect(challengeScalar('partial-decryption', 'election-1/trustee/2/ciphertext/0', points)).toBe(expected);
  });

  it('separate proof kinds and contexts: a proof verifies only under its own label and context', () => {
    const secret = randomScalar();
    const statements = [{ base: BASE8, result: multiply(BASE8, secret) }];
    const proof = proveEqualDiscreteLogs('dealer-proof-of-knowledge', 'election-1/dealer/1', statements, secret);
    expect(verifyEqualDiscreteLogs('dealer-proof-of-knowledge', 'election-1/dealer/1', statements, proof)).toBe(true);
    expect(verifyEqualDiscreteLogs('partial-decryption', 'election-1/dealer/1', statements, proof)).toBe(false);
    expect(verifyEqualDiscreteLogs('dealer-proof-of-knowledge', 'election-1/dealer/2', statements, proof)).toBe(false);
    expect(verifyEqualDiscreteLogs('dealer-proof-of-knowledge', 'election-1/dealer/1', statements, { ...proof, response: proof.response ^ 1n })).toBe(false);
  });
});
