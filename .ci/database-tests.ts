/**
 * Splits the test files that reach a database — those whose relative imports lead,
 * directly or through other files, to the ORM or to the tests' database support — between
 * CI's two passes. The rest (circuits, curves, pure functions) run once, in the PGlite pass.
 *
 * A database file runs once in CI, on PostgreSQL (the production engine), unless it says
 * otherwise in a comment, with its reason:
 * - `@ci-both-engines`: its code path differs on PGlite (one connection, the data folder and
 *   its lock, the driver's value types), so CI runs it in both passes;
 * - `@ci-pglite-only`: what it checks does not depend on the engine and it is cheaper on PGlite
 *   (the browser pages, the demo), so CI runs it in the PGlite pass alone.
 * Every file passes on both engines: `npm test` without DATABASE_URL — what a developer runs —
 * runs them all on PGlite.
 *
 * Prints the files of the PostgreSQL pass; with `--postgresql-only`, the database files the
 * PGlite pass leaves out.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const databaseEntryPoints = new Set([join(root, 'src/db/orm.ts'), join(root, 'test/support/database.ts')]);
const PGLITE_ONLY = '@ci-pglite-only';
const BOTH_ENGINES = '@ci-both-engines';
const relativeImport = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function testFiles(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return testFiles(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const reaches = new Map<string, boolean>();

function reachesDatabase(file: string): boolean {
  if (databaseEntryPoints.has(file)) return true;
  const known = reaches.get(file);
  if (known !== undefined) return known;
  reaches.set(file, false); // an import cycle adds nothing new
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  const found = [...source.matchAll(relativeImport)].some((match) =>
    reachesDatabase(resolve(dirname(file), match[1]!)),
  );
  reaches.set(file, found);
  return found;
}

const postgresqlOnly = process.argv.includes('--postgresql-only');
for (const file of testFiles(join(root, 'test')).sort()) {
  if (!reachesDatabase(file)) continue;
  const source = readFileSync(file, 'utf8');
  if (source.includes(PGLITE_ONLY)) continue;
  if (!postgresqlOnly || !source.includes(BOTH_ENGINES)) console.log(relative(root, file));
}
