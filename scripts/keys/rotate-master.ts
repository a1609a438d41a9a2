/**
 * Rotates the master key in the key file while servers keep serving (`npm run
 * keys:rotate-master`); src/privacy/master-key-rotation.ts says how. Needs the same
 * COURTYARD_DATA_DIR (the key file) and DATABASE_URL as the servers. With PGlite the
 * data folder is locked by a running server, so stop it first (exit status 4).
 *
 * Exit statuses as the ledger commands' (scripts/ledger/command.ts): 0 rotated, 2 the
 * master key comes from configuration or there is no key file, 4/5 the database, 6 other.
 */
import { access } from 'node:fs/promises';
import { loadConfiguration } from '../../src/config/configuration.ts';
import { keyFilePath } from '../../src/config/keys.ts';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { rotateMasterKey } from '../../src/privacy/master-key-rotation.ts';
import { COMMAND_EXIT, CommandFailure, runCommand } from '../ledger/command.ts';
import { openDatabase } from '../ledger/open-database.ts';

await runCommand(async () => {
  const configuration = loadConfiguration();
  if (configuration.secrets.masterKeyBase64) {
    throw new CommandFailure(
      COMMAND_EXIT.usage,
      'COURTYARD_MASTER_KEY is set: a master key from configuration is rotated by the operator, not by this command',
    );
  }
  const path = keyFilePath(configuration.dataDirectory);
  try {
    await access(path);
  } catch {
    throw new CommandFailure(COMMAND_EXIT.usage, `no key file at ${path}`);
  }
  const orm = await openDatabase();
  try {
    const rotation = await rotateMasterKey({
      dataDirectory: configuration.dataDirectory,
      forkEntityManager: () => orm.em.fork() as SqlEntityManager,
    });
    console.log(
      `${rotation.resumed ? 'resumed an interrupted rotation' : 'rotated the master key'}: ` +
        `${rotation.householdKeysRewrapped} household data keys re-wrapped, ${rotation.logKeysResealed} log keys re-sealed, ${rotation.passes} passes; ` +
        `the previous key is removed from ${path}`,
    );
    return COMMAND_EXIT.ok;
  } finally {
    await orm.close(true);
  }
});
