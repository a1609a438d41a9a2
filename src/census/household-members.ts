/**
 * Adding a member to a household, as a workflow that keeps the census right: an owner
 * who is already in the owners census carries the area of every unit they own, so their
 * leaf's weight is refreshed in the same transaction (a `census.weight` entry).
 *
 * It lives here rather than in the vault because the census depends on the privacy
 * domain, never the reverse: the vault knows nothing of the census.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { requireViewer, type Viewer } from '../accounts/viewer.ts';
import type { HouseholdMember } from '../privacy/household.entity.ts';
import { addHouseholdMember, type NewHouseholdMember, type VaultDependencies } from '../privacy/vault.ts';
import { refreshOwnerWeight } from './census-membership.ts';

export async function addHouseholdMemberKeepingCensus(
  em: SqlEntityManager,
  vault: VaultDependencies,
  viewer: Viewer | null,
  input: NewHouseholdMember,
): Promise<HouseholdMember> {
  const member = await addHouseholdMember(em, vault, viewer, input);
  if (member.relation === 'owner' && member.accountId) {
    await refreshOwnerWeight(em, { communityId: member.communityId, accountId: member.accountId, actor: requireViewer(viewer).accountId });
  }
  return member;
}
