/**
 * Committed schema changes, applied in this order on start. A migration is never
 * edited once committed; a change is a new migration appended to this list.
 */
import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261123000100Accounts } from './20261123000100-accounts.ts';
import { Migration20261123000200Privacy } from './20261123000200-privacy.ts';
import { Migration20261123000300Ledger } from './20261123000300-ledger.ts';
import { Migration20261124000400LedgerPolicy } from './20261124000400-ledger-policy.ts';
import { Migration20261123000500Census } from './20261123000500-census.ts';
import { Migration20261124000600LedgerPending } from './20261124000600-ledger-pending.ts';
import { Migration20261124000700LedgerPendingIndexes } from './20261124000700-ledger-pending-indexes.ts';

export const allMigrations: MigrationObject[] = [
  { name: 'Migration20261123000100_accounts', class: Migration20261123000100Accounts },
  { name: 'Migration20261123000200_privacy', class: Migration20261123000200Privacy },
  { name: 'Migration20261123000300_ledger', class: Migration20261123000300Ledger },
  { name: 'Migration20261124000400_ledger_policy', class: Migration20261124000400LedgerPolicy },
  { name: 'Migration20261123000500_census', class: Migration20261123000500Census },
  { name: 'Migration20261124000600_ledger_pending', class: Migration20261124000600LedgerPending },
  { name: 'Migration20261124000700_ledger_pending_indexes', class: Migration20261124000700LedgerPendingIndexes },
];
