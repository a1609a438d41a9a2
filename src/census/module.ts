/**
 * The census: per-community Poseidon trees of owners and households, one-time invites,
 * verification keys, membership-proof checks and the nullifier store. Governance, ratings and fee proofs
 * build on it; it never depends on them.
 */
import type { DomainModule } from '../kernel/domain-module.ts';
import { censusEntities } from './census.entity.ts';
import { Migration20261123000500Census } from './migrations/20261123000500-census.ts';
import { Migration20261130000800CensusNullifiers } from './migrations/20261130000800-census-nullifiers.ts';
import { Migration20261202000900CensusDepths } from './migrations/20261202000900-census-depths.ts';
import { Migration20261212000100CensusScopedTrees } from './migrations/20261212000100-census-scoped-trees.ts';
import { Migration20261218000000HouseholdCommunityKeys } from './migrations/20261218000000-household-community-keys.ts';
import { Migration20261218000700CensusCircuitKeys } from './migrations/20261218000700-census-circuit-keys.ts';
import { Migration20261219000100CensusInviteCommunityKey } from './migrations/20261219000100-census-invite-community-key.ts';

export const censusModule: DomainModule = {
  name: 'census',
  entities: censusEntities,
  migrations: [
    { name: 'Migration20261123000500_census', class: Migration20261123000500Census },
    { name: 'Migration20261130000800_census_nullifiers', class: Migration20261130000800CensusNullifiers },
    { name: 'Migration20261202000900_census_depths', class: Migration20261202000900CensusDepths },
    { name: 'Migration20261212000100_census_scoped_trees', class: Migration20261212000100CensusScopedTrees },
    { name: 'Migration20261218000000_household_community_keys', class: Migration20261218000000HouseholdCommunityKeys },
    { name: 'Migration20261218000700_census_circuit_keys', class: Migration20261218000700CensusCircuitKeys },
    { name: 'Migration20261219000100_census_invite_community_key', class: Migration20261219000100CensusInviteCommunityKey },
  ],
  registerGraphQL: async () => {
    await import('./api/census-tree.ts');
    await import('./api/verification-key.ts');
    await import('./api/membership-proof-check.ts');
  },
};
