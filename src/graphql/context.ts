/**
 * What every resolver receives: a request-scoped EntityManager, the caller and the
 * installation's services. Built by src/server/yoga.ts once per request.
 *
 * The services are declared, not imported from the server: `AppServices` is the module
 * runtime (src/kernel/domain-module.ts — configuration, keys, logger, the transaction
 * runner, subscription pub/sub) plus each module's own services, which the module adds
 * to `ModuleServices` by declaration merging (e.g. `ledger` in src/ledger/ledger-services.ts).
 * src/server/ implements them.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import type { Viewer } from '../accounts/viewer.ts';
import type { AppServices } from '../kernel/domain-module.ts';

export interface GraphQLContext {
  /** A fork of the ORM's EntityManager for this request only. */
  em: SqlEntityManager;
  viewer: Viewer | null;
  services: AppServices;
  /** The client's address, for rate limits; never logged with personal data. */
  clientAddress: string;
}
