/**
 * Funds: the community's double-entry accounts and transfers, idempotent batches, expense
 * approvals. Its projection tables are written by the money unit of work (fees/money-unit.ts),
 * since fee entries post into the same accounts; this module owns the tables and the
 * transfer and spend operations' GraphQL surface.
 */
import type { DomainModule } from '../kernel/domain-module.ts';
import { fundsEntities } from './funds-tables.ts';
import { Migration20261203001000Funds } from './migrations/20261203001000-funds.ts';

export const fundsModule: DomainModule = {
  name: 'funds',
  entities: fundsEntities,
  migrations: [{ name: 'Migration20261203001000_funds', class: Migration20261203001000Funds }],
  registerGraphQL: async () => {
    await import('./api/money-account.ts');
    await import('./api/spend.ts');
  },
};
