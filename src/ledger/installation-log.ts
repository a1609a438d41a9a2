/**
 * The installation's own log, for events that belong to no single community: accounts
 * created, jurisdictions created, regulator roles (a regulator's reach is a
 * jurisdiction), communities opened, and admin actions such as ending an account's
 * sessions. It is a log like any community's — entries, RFC 9162 tree, checkpoints
 * signed with its own key, witnesses, proofs, audit — kept under a fixed id, the nil
 * UUID, which no community can have (community ids are random v4 UUIDs).
 *
 * Its origin line is the installation's name alone (`courtyard.example.org`), where a
 * community's is `<installation>/<slug>`, so the two can never be confused. Admins and
 * regulators read it (src/accounts/viewer.ts, `canReadLog`); regulators witness it.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { configureLog, type CheckpointSettings } from './checkpoints.ts';
import { ensureLogKey, type SecretSealer } from './log-keys.ts';

export const INSTALLATION_LOG_ID = '00000000-0000-0000-0000-000000000000';

export function isInstallationLog(logId: string): boolean {
  return logId === INSTALLATION_LOG_ID;
}

/** Creates the installation log's key on first start and (re)applies the checkpoint cadence. */
export async function ensureInstallationLog(
  em: SqlEntityManager,
  input: { installationName: string; sealer: SecretSealer; settings: CheckpointSettings },
): Promise<void> {
  await ensureLogKey(em, { communityId: INSTALLATION_LOG_ID, origin: input.installationName, sealer: input.sealer });
  await configureLog(em, INSTALLATION_LOG_ID, input.settings);
}
