/**
 * Exports a log, or a range of it, as a portable bundle that verifies offline.
 *
 *   node scripts/ledger/export.ts --community <uuid> [--from N] [--to M] [--tree-size S] --out bundle.json
 *
 * The bundle is cut against the latest checkpoint, or the one of size S.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { exportBundle } from '../../src/ledger/bundle.ts';
import { openDatabase } from './open-database.ts';

const { values } = parseArgs({
  options: { community: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, 'tree-size': { type: 'string' }, out: { type: 'string' } },
});
if (!values.community || !values.out) {
  process.stderr.write('usage: node scripts/ledger/export.ts --community <uuid> [--from N] [--to M] [--tree-size S] --out FILE\n');
  process.exit(2);
}
const optionalNumber = (text: string | undefined) => (text === undefined ? undefined : Number(text));
const orm = await openDatabase();
try {
  const bundle = await exportBundle(orm.em.fork() as SqlEntityManager, {
    communityId: values.community,
    start: optionalNumber(values.from),
    end: optionalNumber(values.to),
    treeSize: optionalNumber(values['tree-size']),
  });
  await writeFile(values.out, `${JSON.stringify(bundle, null, 1)}\n`);
  process.stderr.write(`wrote ${bundle.entries.length} entries [${bundle.range.start}, ${bundle.range.end}) to ${values.out}\n`);
} finally {
  await orm.close(true);
}
