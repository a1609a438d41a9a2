/**
 * An owner's census weight: the total exclusive floor area, in 0.01 m², of the distinct
 * units of the community the account owns. An owner of several units is one head with
 * the sum of their areas (Civil Code Art. 278 counts owners by head and area apart).
 * Ownership and areas are the privacy domain's records, read through its functions.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { ownedFloorArea } from '../privacy/ownership.ts';

export function ownerWeight(em: SqlEntityManager, communityId: string, accountId: string): Promise<number> {
  return ownedFloorArea(em, communityId, accountId);
}
