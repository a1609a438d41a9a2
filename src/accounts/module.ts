/**
 * Accounts: communities, jurisdictions, accounts, role grants and sessions.
 */
import type { DomainModule } from '../kernel/domain-module.ts';
import { AccountSchema, RoleGrantSchema, SessionSchema } from './account.entity.ts';
import { createAccountsServices } from './accounts-services.ts';
import { CommunitySchema, JurisdictionSchema } from './community.entity.ts';
import { Migration20261123000100Accounts } from './migrations/20261123000100-accounts.ts';
import { Migration20261219000200CommunitiesImmutable } from './migrations/20261219000200-communities-immutable.ts';

export const accountsModule: DomainModule = {
  name: 'accounts',
  entities: [JurisdictionSchema, CommunitySchema, AccountSchema, RoleGrantSchema, SessionSchema],
  migrations: [
    { name: 'Migration20261123000100_accounts', class: Migration20261123000100Accounts },
    { name: 'Migration20261219000200_communities_immutable', class: Migration20261219000200CommunitiesImmutable },
  ],
  createServices: (runtime) => ({ accounts: createAccountsServices(runtime) }),
  jobs: (_runtime, services) => [{ name: 'session-watch', stop: async () => services.accounts.sessionWatch.stop() }],
  registerGraphQL: async () => {
    await import('./api/invalid-credentials-error.ts');
    await import('./api/community.ts');
    await import('./api/installation.ts');
    await import('./api/account.ts');
  },
};
