/**
 * Roles are granted per community (resident, manager, committee) or per
 * jurisdiction (regulator); an admin operates the whole installation.
 */
export const COMMUNITY_ROLES = ['resident', 'manager', 'committee'] as const;
export type CommunityRole = (typeof COMMUNITY_ROLES)[number];
export type Role = CommunityRole | 'regulator';
export const ALL_ROLES: readonly Role[] = [...COMMUNITY_ROLES, 'regulator'];

export function isCommunityRole(value: string): value is CommunityRole {
  return (COMMUNITY_ROLES as readonly string[]).includes(value);
}
