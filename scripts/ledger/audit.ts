/**
 * Re-verifies a community's whole log from the database and names the first problem.
 *
 *   node scripts/ledger/audit.ts --community <uuid> [--json]
 *
 * Exit status: 0 when the log verifies, 1 when it does not, 2 on bad usage.
 */
import { parseArgs } from 'node:util';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { auditLog } from '../../src/ledger/audit.ts';
import { toHex } from '../../src/ledger/merkle-hash.ts';
import { openDatabase } from './open-database.ts';

const { values } = parseArgs({ options: { community: { type: 'string' }, json: { type: 'boolean', default: false } } });
if (!values.community) {
  process.stderr.write('usage: node scripts/ledger/audit.ts --community <uuid> [--json]\n');
  process.exit(2);
}
const orm = await openDatabase();
const started = performance.now();
let lastProgressMs = 0;
const report = await auditLog(orm.em.fork() as SqlEntityManager, values.community, ({ verifiedEntries, totalEntries }) => {
  const now = performance.now();
  if (now - lastProgressMs < 1_000 && verifiedEntries < totalEntries) return;
  lastProgressMs = now;
  process.stderr.write(`verified ${verifiedEntries} of ${totalEntries} entries\n`);
});
await orm.close(true);
const seconds = (performance.now() - started) / 1000;
if (values.json) {
  console.log(JSON.stringify({ ...report, rootHash: toHex(report.rootHash), seconds }, null, 2));
} else {
  console.log(`community ${report.communityId}: ${report.treeSize} entries, root ${toHex(report.rootHash)}`);
  console.log(`${report.checkpointsVerified} checkpoints and ${report.cosignaturesVerified} cosignatures verified in ${seconds.toFixed(1)} s`);
  if (report.ok) console.log('OK: the log verifies');
  else {
    console.log(`FAILED: ${report.problems[0]!.message}`);
    for (const problem of report.problems.slice(1)) console.log(`  also: ${problem.message}`);
  }
}
process.exit(report.ok ? 0 : 1);
