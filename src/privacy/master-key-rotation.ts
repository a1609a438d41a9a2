/**
 * Rotates the installation's master key while servers keep serving (`npm run
 * keys:rotate-master`). The master key only wraps other keys — each household's data
 * key and each log's signing key — so rotating it re-wraps those; no personal data is
 * re-encrypted and nothing is unreadable at any moment:
 *
 * 1. The key file gets a new current key, with the old one kept as previous (opened,
 *    never used to seal) and the blind-index root kept as it was (the lookups of every
 *    stored row depend on it; it does not rotate with the wrapping key).
 * 2. Wait until every server sharing the key file seals with the new key: a server looks
 *    at the file before sealing at most every KEY_FILE_RECHECK_INTERVAL_MS, and at once
 *    when something fails to open under the keys it has.
 * 3. Re-wrap every wrapped key not yet under the new key, row by row with
 *    compare-and-set, until a pass finds none.
 * 4. Drop the previous key from the file: from then on the old key opens nothing.
 *
 * A rotation interrupted after step 1 is resumed by running the command again: it
 * finds previous keys in the file and goes on from step 2 instead of making a new key.
 * A master key given by configuration (COURTYARD_MASTER_KEY) is not rotated here.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SqlEntityManager } from '../db/orm.ts';
import {
  KEY_FILE_RECHECK_INTERVAL_MS,
  masterKeyFromFile,
  readKeyFile,
  writeKeyFile,
  type StoredKeys,
} from '../config/keys.ts';
import { resealLogKeys } from '../ledger/log-keys.ts';
import { blindIndexRootOf, KEY_BYTES } from './envelope.ts';
import { rewrapHouseholdDataKeys } from './vault.ts';

/** Passes over the wrapped keys before the rotation gives up on a database that keeps changing under it. */
const MAX_REWRAP_PASSES = 5;

export interface MasterKeyRotation {
  /** True when an interrupted rotation was resumed rather than a new key made. */
  resumed: boolean;
  householdKeysRewrapped: number;
  logKeysResealed: number;
  passes: number;
}

export class MasterKeyRotationError extends Error {
  override name = 'MasterKeyRotationError';
}

export async function rotateMasterKey(input: {
  dataDirectory: string;
  forkEntityManager: () => SqlEntityManager;
  /** How long to wait for servers to take the new key; two recheck intervals unless a test says otherwise. */
  settleMs?: number;
}): Promise<MasterKeyRotation> {
  const stored = await readKeyFile(input.dataDirectory);
  const resumed = (stored.previousMasterKeysBase64?.length ?? 0) > 0;
  const rotating: StoredKeys = resumed ? stored : withNewCurrentKey(stored);
  if (!resumed) await writeKeyFile(input.dataDirectory, rotating);
  await sleep(input.settleMs ?? 2 * KEY_FILE_RECHECK_INTERVAL_MS);

  const masterKey = masterKeyFromFile(rotating);
  const report: MasterKeyRotation = { resumed, householdKeysRewrapped: 0, logKeysResealed: 0, passes: 0 };
  for (;;) {
    if (report.passes === MAX_REWRAP_PASSES)
      throw new MasterKeyRotationError(`keys still changing after ${MAX_REWRAP_PASSES} passes; run the command again`);
    report.passes += 1;
    // One short transaction per kind of key: PGlite's single connection is shared with
    // the server's transactions only through the ORM's own transactions.
    const households = await input
      .forkEntityManager()
      .transactional((em) => rewrapHouseholdDataKeys(em as SqlEntityManager, masterKey));
    const logKeys = await input
      .forkEntityManager()
      .transactional((em) => resealLogKeys(em as SqlEntityManager, masterKey));
    report.householdKeysRewrapped += households;
    report.logKeysResealed += logKeys;
    if (households === 0 && logKeys === 0) break;
  }
  const { previousMasterKeysBase64: _retired, ...finished } = rotating;
  await writeKeyFile(input.dataDirectory, finished);
  return report;
}

function withNewCurrentKey(stored: StoredKeys): StoredKeys {
  const oldKey = new Uint8Array(Buffer.from(stored.masterKeyBase64, 'base64'));
  return {
    ...stored,
    masterKeyBase64: randomBytes(KEY_BYTES).toString('base64'),
    previousMasterKeysBase64: [stored.masterKeyBase64],
    blindIndexRootBase64: stored.blindIndexRootBase64 ?? Buffer.from(blindIndexRootOf(oldKey)).toString('base64'),
  };
}
