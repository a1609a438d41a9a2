/**
 * snarkjs keeps the BN254 curve's worker threads alive (src/zk/curve.ts), so a test file
 * that proved or verified would keep jest from exiting. Run for every test file
 * (jest.config.js, setupFilesAfterEnv): after the file's tests, the curve is terminated
 * if the file built one. The check reads the global snarkjs keeps the curve in, so that
 * files which never touch zero-knowledge code do not load snarkjs just to find nothing.
 */
afterAll(async () => {
  if ((globalThis as { curve_bn128?: unknown }).curve_bn128) {
    const { terminateCurve } = await import('../../src/zk/curve.ts');
    await terminateCurve();
  }
});
