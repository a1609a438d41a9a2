/**
 * Prints the test files that reach a database: those whose relative imports lead,
 * directly or through other files, to the ORM or to the tests' database support.
 * CI runs these a second time against PostgreSQL; tests that never open a database
 * (circuits, curves, pure functions, the browser prover) would only repeat themselves.
 * So would a file that carries the `@ci-pglite-only` marker in a comment, with its reason: what
 * it checks does not depend on the database engine (it still passes on PostgreSQL when
 * run there by hand).
 *
 * With `--postgresql-only`, prints instead the files CI leaves out of the PGlite pass: a
 * file marked `@ci-postgresql-only`, with its reason, is slow on PGlite and checks nothing
 * there that the other database tests do not (it still passes on PGlite, as `npm test` runs
 * it for a developer).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const databaseEntryPoints = new Set([join(root, 'src/db/orm.ts'), join(root, 'test/support/database.ts')]);
const PGLITE_ONLY = '@ci-pglite-only';
const POSTGRESQL_ONLY = '@ci-postgresql-only';
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
  if (postgresqlOnly ? source.includes(POSTGRESQL_ONLY) : !source.includes(PGLITE_ONLY)) console.log(relative(root, file));
}
