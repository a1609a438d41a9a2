// Jest runs the TypeScript sources as native ES modules (see the "test" script's
// --experimental-vm-modules); Node's own type stripping removes the types, exactly as
// `node file.ts` does at run time (test/support/strip-types-transform.ts).
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': '<rootDir>/test/support/strip-types-transform.ts' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // snarkjs's curve threads are terminated once here, after each file, not in each file.
  // One migrated database per run (PGlite or PostgreSQL), copied by every test database; Node's compile
  // cache for the processes tests start (test/support/global-setup.ts).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFilesAfterEnv: ['<rootDir>/test/support/terminate-curve.ts'],
  // The slowest files first, from a committed table, so that both workers end together even
  // without Jest's cache of durations (CI starts from a fresh clone).
  testSequencer: '<rootDir>/test/support/test-sequencer.ts',
  testTimeout: 60_000,
  // Two files at a time: much of a file's time waits on PostgreSQL, child processes or the
  // browser, so two workers finish the suite sooner even on a two-core machine (each file
  // has its own scratch database, PGlite folder and loopback port).
  maxWorkers: 2,
};
