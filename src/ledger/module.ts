/**
 * The ledger: one verifiable log per community — pending appends and their integration,
 * the RFC 9162 tree, checkpoints, witnesses and proofs.
 */
import type { DomainModule } from '../kernel/domain-module.ts';
import { ledgerCheckpointRoute } from './api/checkpoint-route.ts';
import { ledgerEntities } from './ledger.entity.ts';
import { startLedgerJobs } from './ledger-jobs.ts';
import { createLedgerServices } from './ledger-services.ts';
import { Migration20261123000300Ledger } from './migrations/20261123000300-ledger.ts';
import { Migration20261124000400LedgerPolicy } from './migrations/20261124000400-ledger-policy.ts';
import { Migration20261124000600LedgerPending } from './migrations/20261124000600-ledger-pending.ts';
import { Migration20261124000700LedgerPendingIndexes } from './migrations/20261124000700-ledger-pending-indexes.ts';
import { Migration20261216100000LedgerLogKeyResealing } from './migrations/20261216100000-ledger-log-key-resealing.ts';
import { Migration20261217100000LedgerKeyRotation } from './migrations/20261217100000-ledger-key-rotation.ts';
import { Migration20261218000400LedgerPendingCommunityKey } from './migrations/20261218000400-ledger-pending-community-key.ts';
import { LEDGER_TOPICS } from './topics.ts';
import { recordUnloggedWitnesses } from './witness-backfill.ts';
import { compareWitnessReplay } from './witness-replay.ts';

export const ledgerModule: DomainModule = {
  name: 'ledger',
  entities: ledgerEntities,
  migrations: [
    { name: 'Migration20261123000300_ledger', class: Migration20261123000300Ledger },
    { name: 'Migration20261124000400_ledger_policy', class: Migration20261124000400LedgerPolicy },
    { name: 'Migration20261124000600_ledger_pending', class: Migration20261124000600LedgerPending },
    { name: 'Migration20261124000700_ledger_pending_indexes', class: Migration20261124000700LedgerPendingIndexes },
    { name: 'Migration20261216100000_ledger_log_key_resealing', class: Migration20261216100000LedgerLogKeyResealing },
    { name: 'Migration20261217100000_ledger_key_rotation', class: Migration20261217100000LedgerKeyRotation },
    { name: 'Migration20261218000400_ledger_pending_community_key', class: Migration20261218000400LedgerPendingCommunityKey },
  ],
  topics: LEDGER_TOPICS,
  // The log feed of every instance polls the committed heads itself (log-feed.ts).
  instanceTopics: LEDGER_TOPICS,
  createServices: (runtime) => ({ ledger: createLedgerServices(runtime) }),
  // Witness keys registered before registrations were recorded get their entries.
  atStart: async (runtime) => {
    const recorded = await recordUnloggedWitnesses(runtime.forkEntityManager, (em, work) => runtime.transactions.run(em, work));
    for (const [communityId, keys] of recorded) runtime.logger.info({ communityId, keys }, 'witness registrations recorded');
  },
  jobs: (runtime, services) => startLedgerJobs(runtime, services.ledger),
  routes: (services) => [ledgerCheckpointRoute(services)],
  // Witness keys are the ledger's one projection built from its own entries.
  replay: compareWitnessReplay,
  registerGraphQL: async () => {
    await import('./api/ledger-entry.ts');
    await import('./api/ledger-checkpoint.ts');
    await import('./api/ledger-witness.ts');
    await import('./api/ledger-proof.ts');
    await import('./api/ledger-log.ts');
  },
};
