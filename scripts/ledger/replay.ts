/**
 * Rebuilds every projection of a community from its ledger alone — each module that has
 * a `replay` (src/kernel/domain-module.ts; today the money fold of src/fees) — and
 * compares it with the live tables. Any difference is an error naming the record.
 *
 *   node scripts/ledger/replay.ts --community <id> [--json]
 *
 * Exit statuses: scripts/ledger/command.ts (0 replay equals live, 1 it does not or an
 * entry cannot be replayed, 2 bad usage, 3 no such log, 4 data folder in use, 5 database
 * unreachable, 6 other).
 */
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { logExists } from '../../src/ledger/entries.ts';
import { COMMAND_EXIT, CommandFailure, parseCommunityArguments, runCommand } from './command.ts';
import { printReplays, replayModules, replaysOk } from './module-replays.ts';
import { openDatabase } from './open-database.ts';

const USAGE = 'usage: node scripts/ledger/replay.ts --community <id> [--json]';

await runCommand(async () => {
  const { logId, json } = parseCommunityArguments(USAGE);
  const orm = await openDatabase();
  try {
    const em = orm.em.fork() as SqlEntityManager;
    if (!(await logExists(em, logId)))
      throw new CommandFailure(COMMAND_EXIT.notFound, `no ledger for community ${logId}`);
    const results = await replayModules(em, logId);
    const ok = replaysOk(results);
    if (json) console.log(JSON.stringify({ communityId: logId, ok, modules: results }, null, 2));
    else printReplays(results);
    return ok ? COMMAND_EXIT.ok : COMMAND_EXIT.failed;
  } finally {
    await orm.close(true);
  }
});
