/**
 * Who owns or lives in which household, for other domains that must not read the
 * vault's tables themselves (the census weighs owners by floor area, and lets a member of
 * a household redeem the household's invite). Nothing here decrypts personal data.
 */
import type { EntityManager } from '@mikro-orm/core';
import type { SqlEntityManager } from '../db/orm.ts';
import { HouseholdMemberSchema, HouseholdSchema } from './household.entity.ts';

/**
 * The total exclusive floor area, in 0.01 m², of the distinct units of the community the
 * account owns; 0 when it owns none. A unit with two owner rows for the account counts once.
 */
export async function ownedFloorArea(em: SqlEntityManager, communityId: string, accountId: string): Promise<number> {
  const [row]: Array<{ area: unknown }> = await em.execute(
    `select coalesce(sum(h.floor_area_centi_square_metres), 0) as area
       from households h
      where h.community_id = ?
        and h.id in (select m.household_id from household_members m
                      where m.community_id = ? and m.account_id = ? and m.relation = 'owner')`,
    [communityId, communityId, accountId],
  );
  return Number(row?.area ?? 0);
}

/** True when the account is an owner or occupant of the household. */
export async function isHouseholdMember(em: EntityManager, householdId: string, accountId: string): Promise<boolean> {
  return (await em.count(HouseholdMemberSchema, { householdId, accountId })) > 0;
}

/** The ids of the community's households the account owns or lives in, in id order. */
export async function householdsOfMember(em: SqlEntityManager, communityId: string, accountId: string): Promise<string[]> {
  const rows: Array<{ household_id: string }> = await em.execute(
    'select distinct household_id from household_members where community_id = ? and account_id = ? order by household_id',
    [communityId, accountId],
  );
  return rows.map((row) => row.household_id);
}

/** True when the household exists and belongs to the community. */
export async function isHouseholdOfCommunity(em: EntityManager, householdId: string, communityId: string): Promise<boolean> {
  return (await em.count(HouseholdSchema, { id: householdId, communityId })) > 0;
}

/**
 * Every household of the community that has not been erased, with its floor area in
 * 0.01 m² (ids and areas only), in id order: what a fee run bills.
 */
export async function householdFloorAreas(
  em: SqlEntityManager,
  communityId: string,
): Promise<Array<{ householdId: string; areaCentiSquareMetres: number }>> {
  const rows: Array<{ id: string; area: number }> = await em.execute(
    `select id, floor_area_centi_square_metres as area from households
      where community_id = ? and shredded_at is null order by id`,
    [communityId],
  );
  return rows.map((row) => ({ householdId: row.id, areaCentiSquareMetres: Number(row.area) }));
}
