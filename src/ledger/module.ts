/**
 * The ledger: one verifiable log per community — pending appends and their integration,
 * the RFC 9162 tree, checkpoints, witnesses and proofs.
 */
import type { DomainModule } from '../kernel/domain-module.ts';
import { ledgerEntities } from './ledger.entity.ts';
import { Migration20261123000300Ledger } from './migrations/20261123000300-ledger.ts';
import { Migration20261124000400LedgerPolicy } from './migrations/20261124000400-ledger-policy.ts';
import { Migration20261124000600LedgerPending } from './migrations/20261124000600-ledger-pending.ts';
import { Migration20261124000700LedgerPendingIndexes } from './migrations/20261124000700-ledger-pending-indexes.ts';

export const ledgerModule: DomainModule = {
  name: 'ledger',
  entities: ledgerEntities,
  migrations: [
    { name: 'Migration20261123000300_ledger', class: Migration20261123000300Ledger },
    { name: 'Migration20261124000400_ledger_policy', class: Migration20261124000400LedgerPolicy },
    { name: 'Migration20261124000600_ledger_pending', class: Migration20261124000600LedgerPending },
    { name: 'Migration20261124000700_ledger_pending_indexes', class: Migration20261124000700LedgerPendingIndexes },
  ],
};
