/**
 * An owner's census weight: the total exclusive floor area, in 0.01 m², of the distinct
 * units of the community the account owns. An owner of several units is one head with
 * the sum of their areas (Civil Code Art. 278 counts owners by head and area apart).
 */
import type { SqlEntityManager } from '../db/orm.ts';

export async function ownerWeight(em: SqlEntityManager, communityId: string, accountId: string): Promise<number> {
  const [row]: Array<{ weight: unknown }> = await em.execute(
    `select coalesce(sum(h.floor_area_centi_square_metres), 0) as weight
       from households h
      where h.community_id = ?
        and h.id in (select m.household_id from household_members m
                      where m.community_id = ? and m.account_id = ? and m.relation = 'owner')`,
    [communityId, communityId, accountId],
  );
  return Number(row?.weight ?? 0);
}

/** True when the account is an owner or occupant of the household. */
export async function isHouseholdMember(em: SqlEntityManager, householdId: string, accountId: string): Promise<boolean> {
  const rows: unknown[] = await em.execute(
    'select 1 from household_members where household_id = ? and account_id = ? limit 1',
    [householdId, accountId],
  );
  return rows.length > 0;
}
