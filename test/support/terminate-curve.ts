/**
 * snarkjs keeps the BN254 curve's worker threads alive (src/zk/curve.ts), so a test file
 * that proved or verified would keep jest from exiting. Run for every test file
 * (jest.config.js, setupFilesAfterEnv): after the file's tests, the curve is terminated
 * if the file built one. The check reads the globals the curve is kept in (snarkjs's, which
 * another copy of ffjavascript may have cleared, and src/zk/curve.ts's), so that files
 * which never touch zero-knowledge code do not load snarkjs just to find nothing.
 */
afterAll(async () => {
  const global = globalThis as { curve_bn128?: unknown; [key: symbol]: unknown };
  if (global.curve_bn128 || global[Symbol.for('courtyard.sharedCurve')]) {
    const { terminateCurve } = await import('../../src/zk/curve.ts');
    await terminateCurve();
  }
});
