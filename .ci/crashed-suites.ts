/**
 * Reads a Jest JSON report of a failed run and prints the test files whose worker process
 * died of a signal (SIGSEGV, SIGABRT) before reporting — and only when that is the whole failure:
 * no test failed an assertion. Exits 1 otherwise, so CI re-runs nothing that really failed.
 *
 * Why: seven CI runs lost a Jest worker to SIGSEGV or SIGABRT ("malloc assertion failure"),
 * each in a file that used the ballot verifier's pairing worker thread. The cause was found
 * and removed: that thread loaded circomlibjs, whose native addon blake-hash deletes the
 * previous thread's constructor reference whenever a thread loads it, corrupting the heap
 * (src/zk/pairing.ts; test/governance/pairing-worker.test.ts keeps native addons out of
 * the thread). The re-run stays as a safety net against any other native crash: such a
 * file is run once more on its own; a second crash, or any failed assertion, fails CI.
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
