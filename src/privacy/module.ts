/**
 * Privacy: households and their members in the personal-data vault, and the record of
 * every read of personal data.
 */
import type { DomainModule } from '../kernel/domain-module.ts';
import { HouseholdMemberSchema, HouseholdSchema, PersonalDataAccessSchema } from './household.entity.ts';
import { Migration20261123000200Privacy } from './migrations/20261123000200-privacy.ts';
import { Migration20261201000300PrivacyKeysetIndexes } from './migrations/20261201000300-privacy-keyset-indexes.ts';
import { createPrivacyServices } from './privacy-services.ts';

export const privacyModule: DomainModule = {
  name: 'privacy',
  entities: [HouseholdSchema, HouseholdMemberSchema, PersonalDataAccessSchema],
  migrations: [
    { name: 'Migration20261123000200_privacy', class: Migration20261123000200Privacy },
    { name: 'Migration20261201000300_privacy_keyset_indexes', class: Migration20261201000300PrivacyKeysetIndexes },
  ],
  createServices: (runtime) => ({ privacy: createPrivacyServices(runtime) }),
  registerGraphQL: async () => {
    await import('./api/household.ts');
  },
};
