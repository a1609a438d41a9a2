/**
 * One BN254 curve per process (src/zk/curve.ts). Its worker threads are a process's to
 * stop once; a second curve would leave the first one's threads running, unreachable.
 */
import { getCurve, terminateCurve } from '../../src/zk/curve.ts';
import { webAssemblyPoseidon } from '../../src/zk/poseidon.ts';

type CurveGlobal = { curve_bn128?: unknown };

describe('the shared curve', () => {
  afterEach(terminateCurve);

  it('is built once for callers that arrive while it is being built', async () => {
    const [first, second, third] = await Promise.all([getCurve(), getCurve(), getCurve()]);
    expect(second).toBe(first);
    expect(third).toBe(first);
  });

  it('survives circomlibjs loading its own ffjavascript, which clears snarkjs global', async () => {
    const curve = await getCurve();
    // The Poseidon hash's WebAssembly build loads circomlibjs's copy of ffjavascript, whose
    // module sets `globalThis.curve_bn128 = null` when it is evaluated.
    await webAssemblyPoseidon();
    expect((globalThis as CurveGlobal).curve_bn128).toBeNull();
    expect(await getCurve()).toBe(curve);
    // And snarkjs, which reads the global, finds it again.
    expect((globalThis as CurveGlobal).curve_bn128).toBe(curve);
  });

  it('is built anew after it is terminated', async () => {
    const curve = await getCurve();
    await terminateCurve();
    expect((globalThis as CurveGlobal).curve_bn128).toBeNull();
    const rebuilt = await getCurve();
    expect(rebuilt).not.toBe(curve);
  });
});
