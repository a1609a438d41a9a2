/**
 * Writes test/support/test-durations.json from a Jest JSON report (`--json --outputFile`),
 * e.g. the PGlite pass of a CI run: the seconds of every file that took at least
 * MINIMUM_SECONDS, longest first. test/support/test-sequencer.ts starts those files first.
 *
 *   node .ci/test-durations.ts report.json
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const MINIMUM_SECONDS = 5;
const root = resolve(import.meta.dirname, '..');
const reportPath = process.argv[2];
if (!reportPath) {
  console.error('usage: node .ci/test-durations.ts <jest JSON report>');
  process.exit(2);
}
const report = JSON.parse(readFileSync(reportPath, 'utf8')) as {
  testResults: Array<{ name: string; startTime: number; endTime: number }>;
};
const seconds = report.testResults
  .map((result) => [relative(root, result.name), Math.round((result.endTime - result.startTime) / 1000)] as const)
  .filter(([, duration]) => duration >= MINIMUM_SECONDS)
  .sort((a, b) => b[1] - a[1]);
writeFileSync(join(root, 'test/support/test-durations.json'), `${JSON.stringify(Object.fromEntries(seconds), null, 2)}\n`);
console.log(`${seconds.length} files of ${MINIMUM_SECONDS} s or more`);
