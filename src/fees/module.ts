/**
 * Fees: schedules, invoice runs, payments (entered or through providers' webhooks),
 * refunds, late fees, reminders with their notification outbox, reports, and the money
 * fold and its replay. Its rules post into the funds accounts, so its unit of work covers
 * the whole money projection (money-tables.ts).
 */
import type { DomainModule } from '../kernel/domain-module.ts';
import { Migration20261203001100Fees } from './migrations/20261203001100-fees.ts';
import { Migration20261215001200ApproverReminders } from './migrations/20261215001200-approver-reminders.ts';
import { Migration20261218000500MoneyCommunityKeys } from './migrations/20261218000500-money-community-keys.ts';
import { startMoneyJob } from './money-jobs.ts';
import { replayMoney } from './money-replay.ts';
import { createMoneyServices } from './money-services.ts';
import { feesEntities } from './money-tables.ts';
import { paymentWebhookRoute } from './payment-webhook.ts';

export const feesModule: DomainModule = {
  name: 'fees',
  entities: feesEntities,
  migrations: [
    { name: 'Migration20261203001100_fees', class: Migration20261203001100Fees },
    { name: 'Migration20261215001200_approver_reminders', class: Migration20261215001200ApproverReminders },
    { name: 'Migration20261218000500_money_community_keys', class: Migration20261218000500MoneyCommunityKeys },
  ],
  topics: ['fees:money-moved'],
  createServices: () => ({ money: createMoneyServices() }),
  jobs: (runtime, services) => [startMoneyJob(runtime, services)],
  routes: (services) => [paymentWebhookRoute(services, services)],
  replay: (em, communityId) => replayMoney(em, communityId),
  registerGraphQL: async () => {
    await import('./api/invoice.ts');
    await import('./api/payment.ts');
    await import('./api/money-reports.ts');
    await import('./api/approver-reminders.ts');
  },
};
