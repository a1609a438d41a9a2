/**
 * Rotates a log's signing key (`npm run keys:rotate-log -- --community <id>`);
 * src/ledger/log-key-rotation.ts says how. The new key is announced on the log in an
 * entry that the old key's last checkpoint covers; later checkpoints are signed by the new
 * key; old checkpoints keep verifying under the old one. Prints the new verifier key
 * (public) for witnesses and bundle readers; the private key is sealed under the master
 * key and never printed.
 *
 * Needs the servers' COURTYARD_DATA_DIR (or COURTYARD_MASTER_KEY) and DATABASE_URL; with
 * PGlite stop the server first (exit status 4). Exit statuses as the ledger commands'
 * (scripts/ledger/command.ts): 0 rotated, 2 bad usage or no key file, 3 no such log,
 * 4/5 the database, 6 other.
 */
import { access } from 'node:fs/promises';
import { loadConfiguration } from '../../src/config/configuration.ts';
import { keyFilePath, loadInstallationKeys } from '../../src/config/keys.ts';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { findLogKey } from '../../src/ledger/log-keys.ts';
import { rotateLogKey } from '../../src/ledger/log-key-rotation.ts';
import { COMMAND_EXIT, CommandFailure, parseCommunityArguments, runCommand } from '../ledger/command.ts';
import { openDatabase } from '../ledger/open-database.ts';

const USAGE = 'usage: npm run keys:rotate-log -- --community <id> [--json]';

await runCommand(async () => {
  const { logId, json } = parseCommunityArguments(USAGE);
  const configuration = loadConfiguration();
  if (!configuration.secrets.masterKeyBase64) {
    try {
      await access(keyFilePath(configuration.dataDirectory));
    } catch {
      throw new CommandFailure(COMMAND_EXIT.usage, `no key file at ${keyFilePath(configuration.dataDirectory)}`);
    }
  }
  const { masterKey } = await loadInstallationKeys(configuration);
  const orm = await openDatabase();
  try {
    const em = orm.em.fork() as SqlEntityManager;
    if (!(await findLogKey(em, logId))) throw new CommandFailure(COMMAND_EXIT.notFound, `no log key for community ${logId}`);
    const rotation = await rotateLogKey(em, { communityId: logId, sealer: masterKey, actor: 'system' });
    if (json) console.log(JSON.stringify(rotation));
    else {
      console.log(
        `rotated the log key of ${logId}: ${rotation.previousKeyId} signed its last checkpoint at size ${rotation.retiredAfterSize} ` +
          `(announcement at seq ${rotation.announcementSeq}); ${rotation.keyId} signs from size ${rotation.retiredAfterSize + 1}`,
      );
      console.log(`new verifier key: ${rotation.verifierKey}`);
    }
    return COMMAND_EXIT.ok;
  } finally {
    await orm.close(true);
  }
});
