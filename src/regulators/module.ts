/**
 * Regulators (街道办, 住建): read-only oversight of the communities in their
 * jurisdictions — aggregates, ledger-range bundles — and the offline check of every
 * compliance bundle (compliance-bundles.ts, `npm run compliance:verify`). Builds on
 * accounts, ledger, fees, funds, governance and fee proofs; nothing depends on it.
 */
import type { DomainModule } from '../kernel/domain-module.ts';

export const regulatorsModule: DomainModule = {
  name: 'regulators',
  entities: [],
  migrations: [],
  registerGraphQL: async () => {
    await import('./api/oversight.ts');
  },
};
