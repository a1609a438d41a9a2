/**
 * Multi-exponentiations that send each base to the curve's threads once.
 *
 * snarkjs's Groth16 prover spends its time in five multi-exponentiations (A, B1 and C in
 * G1, B in G2, H in G1) on ffjavascript's worker threads. ffjavascript (0.3.1, snarkjs's)
 * splits each one by *windows* of scalar bits — about 29 windows for a circuit of a few
 * thousand variables — and sends every window's task the whole base and scalar buffers,
 * cloned by `postMessage` and never transferred. At depth 10 that is 157 tasks and
 * 56.2 MB of the 58.6 MB a proof sends to its threads, each byte copied on both sides; in
 * Chromium those copies cost as much CPU as the curve arithmetic (docs/client.md, "Where
 * the warm gap goes").
 *
 * This layer replaces `curve.G1.multiExpAffine` and `curve.G2.multiExpAffine` on the curve
 * object snarkjs shares (`globalThis.curve_bn128`) with a split by *points*: one part per
 * thread, each part's bases and scalars sliced once and transferred (not cloned) to a
 * thread, which runs the whole windowed multi-exponentiation on its part with the curve's
 * own WebAssembly function (`g1m_multiexpAffine` / `g2m_multiexpAffine`, exported by
 * wasmcurves beside the per-window `_chunk` ffjavascript calls); the parts' points are
 * then added. The sum is the same group element ffjavascript computes, so proofs are
 * unchanged (test/zk/multiexp-by-thread.test.ts compares both and verifies proofs).
 *
 * It uses only the libraries' public objects — `curve.tm.queueAction(task, transfers)`
 * with the thread protocol's ALLOCSET / ALLOC / CALL / GET commands, and the group's
 * `add` and `zero` — and patches no file of snarkjs or ffjavascript. Inputs it does not
 * take (ffjavascript's `BigBuffer`, for circuits past 2^21 variables; a single-threaded
 * curve, which copies nothing) go to ffjavascript's own function.
 */
import type { Curve, CurveGroup } from 'snarkjs';
import { getCurve } from './curve.ts';

/** One command of ffjavascript's thread protocol (threadman_thread.js). */
type ThreadCommand =
  | { cmd: 'ALLOCSET'; var: number; buff: Uint8Array }
  | { cmd: 'ALLOC'; var: number; len: number }
  | { cmd: 'CALL'; fnName: string; params: Array<{ var: number } | { val: number }> }
  | { cmd: 'GET'; out: number; var: number; len: number };

/** The part of ffjavascript's thread manager this layer uses (public fields of `curve.tm`). */
interface ThreadManager {
  singleThread: boolean;
  concurrency: number;
  queueAction(task: ThreadCommand[], transfers?: ArrayBuffer[]): Promise<Uint8Array[]>;
}

type MultiExpAffine = (
  bases: Uint8Array,
  scalars: Uint8Array,
  logger?: unknown,
  logText?: string,
) => Promise<Uint8Array>;

interface ThreadedCurve extends Curve {
  tm?: ThreadManager;
}

/**
 * Below this many points a part is not worth a thread of its own: the bucket method's
 * fixed cost per window (2^c buckets) would be paid twice for little work.
 */
export const MIN_POINTS_PER_THREAD = 256;

/** The curve's WebAssembly multi-exponentiation over affine bases, per group. */
const WASM_MULTIEXP_AFFINE = { G1: 'g1m_multiexpAffine', G2: 'g2m_multiexpAffine' } as const;

const installedOn = new WeakSet<Curve>();

/**
 * Puts the split-by-points multi-exponentiation on a curve's G1 and G2 (once per curve
 * object; a curve rebuilt after `terminateCurve` is a new object and gets it on its next
 * use). A single-threaded curve is left as it is.
 */
export function installMultiExpByThread(curve: Curve): void {
  const threads = (curve as ThreadedCurve).tm;
  if (installedOn.has(curve) || !threads || threads.singleThread) return;
  for (const groupName of ['G1', 'G2'] as const) {
    const group = curve[groupName];
    const library = group.multiExpAffine.bind(group) as MultiExpAffine;
    const replacement: MultiExpAffine = (bases, scalars, logger, logText) =>
      bases instanceof Uint8Array && scalars instanceof Uint8Array
        ? multiExpByThread(threads, group, WASM_MULTIEXP_AFFINE[groupName], bases, scalars)
        : library(bases, scalars, logger, logText);
    group.multiExpAffine = replacement;
  }
  installedOn.add(curve);
}

/** Called by the provers before snarkjs proves: snarkjs's shared curve (built if need be) with this layer on it. */
export async function prepareCurveForProving(): Promise<void> {
  installMultiExpByThread(await getCurve());
}

/** Whether `installMultiExpByThread` has put its function on this curve (benches, tests). */
export function hasMultiExpByThread(curve: Curve): boolean {
  return installedOn.has(curve);
}

/** Σ scalars[i]·bases[i], bases affine, as a Jacobian point (what ffjavascript returns). */
export async function multiExpByThread(
  threads: ThreadManager,
  group: CurveGroup,
  wasmFunction: string,
  bases: Uint8Array,
  scalars: Uint8Array,
): Promise<Uint8Array> {
  const affineBytes = group.F.n8 * 2;
  const jacobianBytes = group.F.n8 * 3;
  const points = Math.floor(bases.byteLength / affineBytes);
  if (points === 0) return group.zero;
  const scalarBytes = Math.floor(scalars.byteLength / points);
  if (scalarBytes * points !== scalars.byteLength) {
    throw new Error('Failed to multi-exponentiate: the scalars do not divide evenly among the bases');
  }
  const parts = Math.max(1, Math.min(threads.concurrency, Math.floor(points / MIN_POINTS_PER_THREAD)));
  const pointsPerPart = Math.ceil(points / parts);
  const partial: Array<Promise<Uint8Array[]>> = [];
  for (let first = 0; first < points; first += pointsPerPart) {
    const count = Math.min(pointsPerPart, points - first);
    // slice() gives each part buffers of its own, so they can be transferred, not cloned.
    const partBases = bases.slice(first * affineBytes, (first + count) * affineBytes);
    const partScalars = scalars.slice(first * scalarBytes, (first + count) * scalarBytes);
    const task: ThreadCommand[] = [
      { cmd: 'ALLOCSET', var: 0, buff: partBases },
      { cmd: 'ALLOCSET', var: 1, buff: partScalars },
      { cmd: 'ALLOC', var: 2, len: jacobianBytes },
      {
        cmd: 'CALL',
        fnName: wasmFunction,
        params: [{ var: 0 }, { var: 1 }, { val: scalarBytes }, { val: count }, { var: 2 }],
      },
      { cmd: 'GET', out: 0, var: 2, len: jacobianBytes },
    ];
    partial.push(threads.queueAction(task, [partBases.buffer as ArrayBuffer, partScalars.buffer as ArrayBuffer]));
  }
  let sum = group.zero;
  for (const [point] of await Promise.all(partial)) sum = group.add(sum, point!);
  return sum;
}
