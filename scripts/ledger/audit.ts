/**
 * Re-verifies a log's whole history from the database and names the first problem.
 *
 *   node scripts/ledger/audit.ts --community <id> [--json]
 *
 * <id> is a community's id as the API gives it, its UUID, or `installation` for the
 * installation log. Exit statuses: scripts/ledger/command.ts (0 verifies, 1 does not,
 * 2 bad usage, 3 no such log, 4 data folder in use, 5 database unreachable, 6 other).
 */
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { auditLog } from '../../src/ledger/audit.ts';
import { logExists } from '../../src/ledger/entries.ts';
import { toHex } from '../../src/ledger/merkle-hash.ts';
import { COMMAND_EXIT, CommandFailure, parseCommunityArguments, runCommand } from './command.ts';
import { printReplays, replayModules, replaysOk } from './module-replays.ts';
import { openDatabase } from './open-database.ts';

const USAGE = 'usage: node scripts/ledger/audit.ts --community <id> [--json]';

await runCommand(async () => {
  const { logId, json } = parseCommunityArguments(USAGE);
  const orm = await openDatabase();
  try {
    const em = orm.em.fork() as SqlEntityManager;
    if (!(await logExists(em, logId))) throw new CommandFailure(COMMAND_EXIT.notFound, `no ledger for community ${logId}`);
    const started = performance.now();
    let lastProgressMs = 0;
    const report = await auditLog(em, logId, ({ verifiedEntries, totalEntries }) => {
      const now = performance.now();
      if (now - lastProgressMs < 1_000 && verifiedEntries < totalEntries) return;
      lastProgressMs = now;
      process.stderr.write(`verified ${verifiedEntries} of ${totalEntries} entries\n`);
    });
    // Once the hashes verify, the modules' projections are replayed from the entries (docs/money.md).
    const replays = report.ok ? await replayModules(em, logId) : [];
    const seconds = (performance.now() - started) / 1000;
    if (json) {
      console.log(JSON.stringify({ ...report, rootHash: toHex(report.rootHash), seconds, replays }, null, 2));
    } else {
      console.log(`community ${report.communityId}: ${report.treeSize} entries, root ${toHex(report.rootHash)}`);
      console.log(`${report.checkpointsVerified} checkpoints and ${report.cosignaturesVerified} cosignatures verified in ${seconds.toFixed(1)} s`);
      if (report.ok) {
        console.log('OK: the log verifies');
        printReplays(replays);
      }
      else {
        console.log(`FAILED: ${report.problems[0]!.message}`);
        for (const problem of report.problems.slice(1)) console.log(`  also: ${problem.message}`);
      }
    }
    return report.ok && replaysOk(replays) ? COMMAND_EXIT.ok : COMMAND_EXIT.failed;
  } finally {
    await orm.close(true);
  }
});
