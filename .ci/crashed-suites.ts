/**
 * Reads a Jest JSON report of a failed run and prints the test files whose worker process
 * died of a signal (SIGSEGV, SIGABRT) before reporting — and only when that is the whole failure:
 * no test failed an assertion. Exits 1 otherwise, so CI re-runs nothing that really failed.
 *
 * Why: Node 24 with `--experimental-vm-modules` and worker threads (snarkjs's curve, the
 * ballot verifier) occasionally crashes inside V8's garbage collector
 * (https://github.com/nodejs/node/issues/62393, "~1/10 runs" there). Such a file is run
 * once more on its own; a second crash, or any failed assertion, fails CI.
 *
 *   node .ci/crashed-suites.ts REPORT.json
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

interface SuiteResult {
  name: string;
  status: string;
  message: string;
  assertionResults: Array<{ status: string }>;
}

const report = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as {
  numFailedTests: number;
  testResults: SuiteResult[];
};
const failed = report.testResults.filter((suite) => suite.status === 'failed');
const crashed = failed.filter(
  (suite) =>
    /terminated by another process: signal=SIG(SEGV|ABRT)/.test(suite.message) &&
    suite.assertionResults.every((test) => test.status !== 'failed'),
);
if (report.numFailedTests > 0 || failed.length === 0 || crashed.length !== failed.length) process.exit(1);
for (const suite of crashed) console.log(relative(process.cwd(), suite.name));
