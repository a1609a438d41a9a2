/**
 * Fees: schedules, invoice runs, payments, refunds, late fees, reminders and the money
 * fold. Its rules post into the funds accounts, so its unit of work covers the whole
 * money projection (money-tables.ts).
 */
import type { DomainModule } from '../kernel/domain-module.ts';
import { Migration20261203001100Fees } from './migrations/20261203001100-fees.ts';
import { feesEntities } from './money-tables.ts';

export const feesModule: DomainModule = {
  name: 'fees',
  entities: feesEntities,
  migrations: [{ name: 'Migration20261203001100_fees', class: Migration20261203001100Fees }],
};
