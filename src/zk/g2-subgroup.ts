/**
 * Membership of a BN254 G2 point in the prime-order subgroup, by the endomorphism test
 * that @noble/curves (audited) uses for the EIP-197 order check: a point P of the twist
 * is in G2 exactly when ψ(P) = [6x²]P, where ψ is the untwist-Frobenius-twist map and x
 * the BN parameter (on G2, ψ acts as multiplication by p ≡ 6x² mod r). The scalar has 127
 * bits instead of the 254 of the naive test r·P = O, so the check costs about half as
 * much: it runs once per ballot proof, in the pairing worker.
 *
 * ψ comes from noble (`psiFrobenius`, on affine coordinates); the scalar multiplication
 * and the comparison run in snarkjs's WebAssembly curve. test/zk/g2-subgroup.test.ts
 * compares it with r·P = O on subgroup points, random twist points and points with a
 * component of each small order of the cofactor.
 */
import { psiFrobenius } from '@noble/curves/abstract/tower.js';
import { bn254 } from '@noble/curves/bn254.js';
import type { Curve } from 'snarkjs';

const BN_X = 4965661367192848881n;
const SIX_X_SQUARED = 6n * BN_X * BN_X;

const { Fp, Fp2 } = bn254.fields;
const { psi } = psiFrobenius(Fp, Fp2, Fp2.NONRESIDUE);

/** True when `point` (a G2 point of snarkjs's curve, on the twist and not the identity) lies in the order-r subgroup. */
export function inG2Subgroup(curve: Curve, point: Uint8Array): boolean {
  const G2 = curve.G2;
  const [x, y] = G2.toObject(G2.toAffine(point)) as unknown as [[bigint, bigint], [bigint, bigint]];
  const [psiX, psiY] = psi(Fp2.fromBigTuple(x), Fp2.fromBigTuple(y));
  const psiPoint = G2.fromObject([[psiX.c0, psiX.c1], [psiY.c0, psiY.c1], [1n, 0n]] as unknown as bigint[]);
  return G2.eq(G2.timesScalar(point, SIX_X_SQUARED), psiPoint);
}
