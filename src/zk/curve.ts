/**
 * The BN254 curve object snarkjs uses (ffjavascript, WebAssembly, worker threads). It is
 * shared with snarkjs, so proving and verifying build it once; call `terminateCurve`
 * when done (tests, scripts), or its worker threads keep the process alive.
 */
import * as snarkjs from 'snarkjs';
import type { Curve } from 'snarkjs';
import { ProofRejectedError } from './errors.ts';
import { inG2Subgroup } from './g2-subgroup.ts';
import type { ParsedProof } from './proof-format.ts';

/**
 * Where the curve this process built, and has not terminated, is kept: beside snarkjs's own
 * global, under a registered symbol so that a test's clean-up finds it without loading this
 * module (test/support/terminate-curve.ts).
 */
export const SHARED_CURVE = Symbol.for('courtyard.sharedCurve');

type CurveGlobal = { curve_bn128?: Curve | null; [SHARED_CURVE]?: Curve | undefined };
/** The build in flight: callers that arrive meanwhile share it rather than build a second curve. */
let building: Promise<Curve> | undefined;

export function getCurve(): Promise<Curve> {
  const global = globalThis as CurveGlobal;
  // snarkjs finds the curve in this global, and every copy of ffjavascript sets it to null
  // when it loads — circomlibjs brings its own copy, loaded with the Poseidon hash, which
  // may come after the curve was built. Put ours back: building another would leave the
  // first one's worker threads running, unreachable, until the process ends.
  const shared = global[SHARED_CURVE];
  if (shared && !global.curve_bn128) global.curve_bn128 = shared;
  if (global.curve_bn128) return Promise.resolve(global.curve_bn128);
  building ??= snarkjs.curves
    .getCurveFromName('bn128')
    .then((curve) => (global[SHARED_CURVE] = curve))
    .finally(() => {
      building = undefined;
    });
  return building;
}

/** Stops the curve's worker threads (the curve is rebuilt on next use). */
export async function terminateCurve(): Promise<void> {
  const global = globalThis as CurveGlobal;
  const curves = new Set([global[SHARED_CURVE], global.curve_bn128].filter((curve): curve is Curve => Boolean(curve)));
  global[SHARED_CURVE] = undefined;
  global.curve_bn128 = null;
  for (const curve of curves) await curve.terminate();
}

export interface CurveProof {
  a: Uint8Array;
  b: Uint8Array;
  c: Uint8Array;
}

/**
 * Loads the proof points and checks them: on the curve, not the point at infinity, and
 * for B in the prime-order subgroup of G2 (G1 of BN254 has cofactor 1, so on-curve
 * suffices there; G2 does not: ./g2-subgroup.ts).
 */
export function loadProofPoints(curve: Curve, proof: ParsedProof): CurveProof {
  const a = curve.G1.fromObject([proof.a[0], proof.a[1], 1n]);
  const c = curve.G1.fromObject([proof.c[0], proof.c[1], 1n]);
  const b = curve.G2.fromObject([[...proof.b[0]], [...proof.b[1]], [1n, 0n]] as unknown as bigint[]);
  for (const [name, point, group] of [['pi_a', a, curve.G1], ['pi_c', c, curve.G1], ['pi_b', b, curve.G2]] as const) {
    if (group.isZero(point) || !group.isValid(point)) {
      throw new ProofRejectedError('PROOF_POINT_INVALID', `${name} is not a point of the curve`);
    }
  }
  if (!inG2Subgroup(curve, b)) {
    throw new ProofRejectedError('PROOF_POINT_INVALID', 'pi_b is not in the prime-order subgroup');
  }
  return { a, b, c };
}
