/**
 * What every resolver receives: a request-scoped EntityManager, the caller and
 * the installation's services. Built in src/server/yoga.ts once per request.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import type { Viewer } from '../accounts/viewer.ts';
import type { AppServices } from '../server/services.ts';

export interface GraphQLContext {
  /** A fork of the ORM's EntityManager for this request only. */
  em: SqlEntityManager;
  viewer: Viewer | null;
  services: AppServices;
  /** The client's address, for rate limits; never logged with personal data. */
  clientAddress: string;
}
