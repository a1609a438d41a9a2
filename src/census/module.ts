/**
 * The census: per-community Poseidon trees of owners and households, one-time invites,
 * verification keys and membership-proof checks. Governance, ratings and fee proofs
 * build on it; it never depends on them.
 */
import type { DomainModule } from '../kernel/domain-module.ts';
import { censusEntities } from './census.entity.ts';
import { Migration20261123000500Census } from './migrations/20261123000500-census.ts';

export const censusModule: DomainModule = {
  name: 'census',
  entities: censusEntities,
  migrations: [{ name: 'Migration20261123000500_census', class: Migration20261123000500Census }],
  registerGraphQL: async () => {
    await import('./api/census-tree.ts');
    await import('./api/verification-key.ts');
  },
};
