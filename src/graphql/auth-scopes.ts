/**
 * Scope-auth checks shared by several domains' fields. The scopes themselves are
 * defined in builder.ts; these helpers build them from a field's arguments.
 */
import { parseUuid } from './ids.ts';

/** For fields that take a community's global id and need its manager role. */
export function managerOf(communityGlobalId: string) {
  return { communityRole: { communityId: parseUuid(communityGlobalId, 'communityId'), roles: ['manager'] as const } };
}
