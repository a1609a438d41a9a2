/**
 * The order Jest starts test files in (jest.config.js, testSequencer). With two workers the
 * run ends when the slower worker ends, so the longest files should start first and the
 * short ones fill the gaps at the end. Jest does that by itself from the durations it
 * caches after a run; CI starts from a fresh clone, without that cache, and Jest then
 * orders by file size — which put the slowest files (short files that spawn processes or
 * prove) among the last ones, one worker finishing long after the other.
 *
 * Files in test/support/test-durations.json (seconds on the CI machine, refreshed with
 * `node .ci/test-durations.ts <jest JSON report>`) start first, longest first; then the
 * rest in Jest's own order. Where Jest has cached durations (a developer's machine), its
 * order stands.
 */
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import sequencerModule from '@jest/test-sequencer';

// The package's ES module entry exports the class itself; its CommonJS typings put it under `default`.
const TestSequencer = ((sequencerModule as unknown as { default?: unknown }).default ?? sequencerModule) as typeof sequencerModule.default;
type Test = Parameters<InstanceType<typeof TestSequencer>['sort']>[0][number];

const root = join(import.meta.dirname, '../..');
const durations = JSON.parse(readFileSync(join(import.meta.dirname, 'test-durations.json'), 'utf8')) as Record<string, number>;

export default class DurationSequencer extends TestSequencer {
  override sort(tests: Array<Test>): Array<Test> {
    // Jest's order: failed files first, then by its cached durations, else by file size.
    const ordered = super.sort(tests) as Array<Test>;
    if (ordered.some((test) => test.duration !== undefined && test.duration !== null)) return ordered;
    const seconds = (test: Test): number => durations[relative(root, test.path)] ?? -1;
    // Array.prototype.sort is stable: files not in the table keep Jest's order, after the listed ones.
    return ordered.toSorted((a, b) => seconds(b) - seconds(a));
  }
}
