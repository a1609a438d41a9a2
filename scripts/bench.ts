/**
 * Runs every benchmark suite, prints one table and writes the figures as JSON.
 *
 *   npm run bench -- [--quick] [--out FILE] [--only NAME]
 *
 * Suites live in scripts/bench/*.bench.ts and export `suite: BenchSuite`.
 */
import { readdir, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { cpus } from 'node:os';
import type { BenchFigure, BenchSuite } from './bench/bench-suite.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    only: { type: 'string' },
  },
});

const suiteDirectory = new URL('./bench/', import.meta.url);
const suiteFiles = (await readdir(suiteDirectory)).filter((file) => file.endsWith('.bench.ts')).sort();
const options = { quick: values.quick ?? false, databaseUrl: process.env['DATABASE_URL'] };
const results: Array<BenchFigure & { suite: string }> = [];

for (const file of suiteFiles) {
  const { suite } = (await import(new URL(file, suiteDirectory).href)) as { suite: BenchSuite };
  if (values.only && suite.name !== values.only) continue;
  process.stderr.write(`running ${suite.name}…\n`);
  for (const figure of await suite.run(options)) results.push({ suite: suite.name, ...figure });
}

console.table(
  results.map((figure) => ({
    suite: figure.suite,
    figure: figure.name,
    median: Number(figure.median.toPrecision(4)),
    unit: figure.unit,
    samples: figure.samples,
    target: figure.target ?? '',
    met: figure.met === undefined ? '' : figure.met ? 'yes' : 'NO',
  })),
);

if (values.out) {
  const report = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    database: options.databaseUrl ? 'postgresql' : 'pglite',
    quick: options.quick,
    figures: results,
  };
  await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
  process.stderr.write(`wrote ${values.out}\n`);
}
// snarkjs and database pools may keep handles open; the figures are written, so stop.
process.exit(0);
