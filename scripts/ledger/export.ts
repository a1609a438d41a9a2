/**
 * Exports a log, or a range of it, as a portable bundle that verifies offline.
 *
 *   node scripts/ledger/export.ts --community <id> [--from N] [--to M] [--tree-size S] --out bundle.json
 *
 * <id> as for audit.ts. The bundle is cut against the latest checkpoint, or the one of
 * size S. Exit statuses: scripts/ledger/command.ts.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { exportBundle } from '../../src/ledger/bundle.ts';
import { logExists } from '../../src/ledger/entries.ts';
import { latestCheckpoint } from '../../src/ledger/checkpoints.ts';
import { COMMAND_EXIT, CommandFailure, parseLogId, runCommand } from './command.ts';
import { openDatabase } from './open-database.ts';

const USAGE = 'usage: node scripts/ledger/export.ts --community <id> [--from N] [--to M] [--tree-size S] --out FILE';

function optionalIndex(text: string | undefined, option: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^(0|[1-9]\d{0,15})$/u.test(text)) throw new CommandFailure(COMMAND_EXIT.usage, `${option} must be a whole number`);
  return Number(text);
}

await runCommand(async () => {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      options: { community: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, 'tree-size': { type: 'string' }, out: { type: 'string' } },
    }));
  } catch (error) {
    throw new CommandFailure(COMMAND_EXIT.usage, `${(error as Error).message}; ${USAGE}`);
  }
  const logId = parseLogId(values['community']);
  if (!values['out']) throw new CommandFailure(COMMAND_EXIT.usage, `--out is required; ${USAGE}`);
  const range = { start: optionalIndex(values['from'], '--from'), end: optionalIndex(values['to'], '--to'), treeSize: optionalIndex(values['tree-size'], '--tree-size') };
  const orm = await openDatabase();
  try {
    const em = orm.em.fork() as SqlEntityManager;
    if (!(await logExists(em, logId))) throw new CommandFailure(COMMAND_EXIT.notFound, `no ledger for community ${logId}`);
    if (range.treeSize === undefined && !(await latestCheckpoint(em, logId))) {
      throw new CommandFailure(COMMAND_EXIT.notFound, `community ${logId} has no checkpoint yet: a bundle is cut against one (the server cuts them on its cadence)`);
    }
    const bundle = await exportBundle(em, { communityId: logId, ...range });
    await writeFile(values['out'], `${JSON.stringify(bundle, null, 1)}\n`);
    process.stderr.write(`wrote ${bundle.entries.length} entries [${bundle.range.start}, ${bundle.range.end}) to ${values['out']}\n`);
    return COMMAND_EXIT.ok;
  } finally {
    await orm.close(true);
  }
});
