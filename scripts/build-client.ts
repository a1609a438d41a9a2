/**
 * Builds the browser bundle of the resident SDK and writes it to disk
 * (`npm run client:build [-- --out DIR]`, default `.courtyard/client/`, ignored by git),
 * printing each file's size raw and gzipped.
 *
 * The server does not need this: it builds the same bundle in memory on first request
 * (src/server/client-routes.ts). Use it to inspect the bundle, measure it, or host the
 * files on another static server.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { buildClientBundle } from '../src/client/bundle-node.ts';

const { values } = parseArgs({ options: { out: { type: 'string', default: '.courtyard/client' } } });
const outputDirectory = resolve(values.out);

const started = performance.now();
const bundle = await buildClientBundle();
const buildMs = Math.round(performance.now() - started);

await rm(outputDirectory, { recursive: true, force: true });
await mkdir(outputDirectory, { recursive: true });
let gzippedTotal = 0;
for (const file of bundle.files) {
  await writeFile(join(outputDirectory, file.name), file.bytes);
  const gzipped = gzipSync(file.bytes, { level: 9 }).byteLength;
  gzippedTotal += gzipped;
  console.log(
    `${file.name.padEnd(32)} ${String(file.bytes.byteLength).padStart(9)} bytes  ${String(gzipped).padStart(9)} gzipped`,
  );
}
await writeFile(
  join(outputDirectory, 'client.json'),
  `${JSON.stringify({ entries: bundle.entries, files: bundle.files.map(({ name, sha256 }) => ({ name, sha256 })) }, null, 2)}\n`,
);
console.log(
  `${'total'.padEnd(32)} ${String(bundle.totalBytes).padStart(9)} bytes  ${String(gzippedTotal).padStart(9)} gzipped`,
);
console.log(`built in ${buildMs} ms into ${outputDirectory}`);
