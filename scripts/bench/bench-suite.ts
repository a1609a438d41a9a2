/**
 * The contract every benchmark suite follows, so that all of Courtyard's figures
 * land in one table and one JSON file (`npm run bench`).
 */

export interface BenchOptions {
  /** `--quick`: smaller sizes so the whole run stays under three minutes. */
  quick: boolean;
  /** PostgreSQL connection string when `DATABASE_URL` is set; PGlite otherwise. */
  databaseUrl: string | undefined;
}

export interface BenchFigure {
  /** What was measured, e.g. "ledger append, 1 community, 8 clients". */
  name: string;
  /** The median of the measured samples. */
  median: number;
  unit: string;
  /** How many samples the median is taken over. */
  samples: number;
  /** Where the issue names a target, it is stated here, e.g. ">= 1000". */
  target?: string;
  /** Whether the target was met; undefined when there is no target. */
  met?: boolean;
  /** Free-form context: sizes, baseline figures, ratios. */
  detail?: Record<string, number | string>;
}

export interface BenchSuite {
  name: string;
  run(options: BenchOptions): Promise<BenchFigure[]>;
}

/** The value at `fraction` (0.99: p99) of a non-empty list sorted ascending: the nearest rank at or below it. */
export function percentile(sorted: readonly number[], fraction: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))]!;
}

/** Median of a non-empty list of numbers. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of an empty list');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs `work` `count` times and returns each run's duration in milliseconds. */
export async function timeEach(count: number, work: (index: number) => Promise<unknown>): Promise<number[]> {
  const durationsMs: number[] = [];
  for (let index = 0; index < count; index++) {
    const start = performance.now();
    await work(index);
    durationsMs.push(performance.now() - start);
  }
  return durationsMs;
}
