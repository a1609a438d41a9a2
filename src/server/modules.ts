/**
 * Every domain of the installation, in dependency order: a module comes after the
 * modules it builds on. The server, the database, the schema printer, tests and
 * benchmarks read this list. Adding a domain is its folder and one line here
 * (docs/architecture.md, "Adding a domain").
 */
import { databaseSchemaOf, type DomainModule } from '../kernel/domain-module.ts';
import { accountsModule } from '../accounts/module.ts';
import { privacyModule } from '../privacy/module.ts';
import { ledgerModule } from '../ledger/module.ts';
import { censusModule } from '../census/module.ts';
import { governanceModule } from '../governance/module.ts';
import { fundsModule } from '../funds/module.ts';
import { feesModule } from '../fees/module.ts';
import { activitiesModule } from '../activities/module.ts';
import { ratingsModule } from '../ratings/module.ts';
import { feeProofsModule } from '../fee-proofs/module.ts';
import { regulatorsModule } from '../regulators/module.ts';

export const modules: readonly DomainModule[] = [
  ledgerModule,
  accountsModule,
  privacyModule,
  censusModule,
  governanceModule,
  fundsModule,
  feesModule,
  activitiesModule,
  ratingsModule,
  feeProofsModule,
  regulatorsModule,
];

/** The entities and the migrations, in timestamp order, of every module. */
export const databaseSchema = databaseSchemaOf(modules);
