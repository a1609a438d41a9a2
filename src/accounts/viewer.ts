/**
 * Who is calling, and what they may reach. Built once per request from the
 * session token; every resolver asks these functions before touching data.
 */
import { ForbiddenError, UnauthenticatedError } from '../domain-error.ts';
import { isInstallationLog } from '../ledger/installation-log.ts';
import type { CommunityRole } from './roles.ts';

export interface Viewer {
  accountId: string;
  sessionId: string;
  /** The account's login handle (not personal data: chosen by the admin), read with the session. */
  login: string;
  isAdmin: boolean;
  /**
   * The password was issued by someone else (a one-time password) and not yet changed:
   * until it is, the account may only read `viewer`, change its password or log out.
   */
  mustChangePassword: boolean;
  /** Roles held in each community, by community id. */
  communityRoles: ReadonlyMap<string, ReadonlySet<CommunityRole>>;
  /** Communities in the jurisdictions this account regulates. */
  regulatedCommunityIds: ReadonlySet<string>;
  /** Holds a regulator role over some jurisdiction (reads and witnesses the installation log). */
  isRegulator: boolean;
}

export function requireViewer(viewer: Viewer | null): Viewer {
  if (!viewer) throw new UnauthenticatedError();
  return viewer;
}

export function hasCommunityRole(
  viewer: Viewer | null,
  communityId: string,
  roles: readonly CommunityRole[],
): boolean {
  const held = viewer?.communityRoles.get(communityId);
  return held !== undefined && roles.some((role) => held.has(role));
}

export function isRegulatorOf(viewer: Viewer | null, communityId: string): boolean {
  return viewer?.regulatedCommunityIds.has(communityId) ?? false;
}

/** Members of the community, its regulators and admins may read its non-personal records. */
export function canReadCommunity(viewer: Viewer | null, communityId: string): boolean {
  if (!viewer) return false;
  return viewer.isAdmin || viewer.communityRoles.has(communityId) || viewer.regulatedCommunityIds.has(communityId);
}

/**
 * Who reads a log: a community's log, the community's readers; the installation log
 * (src/ledger/installation-log.ts), admins and regulators.
 */
export function canReadLog(viewer: Viewer | null, logId: string): boolean {
  if (!isInstallationLog(logId)) return canReadCommunity(viewer, logId);
  return viewer !== null && (viewer.isAdmin || viewer.isRegulator);
}

export function requireLogReader(viewer: Viewer | null, logId: string): Viewer {
  const caller = requireViewer(viewer);
  if (!canReadLog(caller, logId)) throw new ForbiddenError('Not a reader of this log');
  return caller;
}

export function requireCommunityReader(viewer: Viewer | null, communityId: string): Viewer {
  const caller = requireViewer(viewer);
  if (!canReadCommunity(caller, communityId)) throw new ForbiddenError('Not a member of this community');
  return caller;
}

export function requireCommunityRole(
  viewer: Viewer | null,
  communityId: string,
  roles: readonly CommunityRole[],
): Viewer {
  const caller = requireViewer(viewer);
  if (!hasCommunityRole(caller, communityId, roles)) {
    throw new ForbiddenError(`Requires the ${roles.join(' or ')} role in this community`);
  }
  return caller;
}

export function requireAdmin(viewer: Viewer | null): Viewer {
  const caller = requireViewer(viewer);
  if (!caller.isAdmin) throw new ForbiddenError('Requires the admin role');
  return caller;
}

/** The ids of every community the viewer can read; `undefined` means all (admin). */
export function readableCommunityIds(viewer: Viewer): ReadonlySet<string> | undefined {
  if (viewer.isAdmin) return undefined;
  return new Set([...viewer.communityRoles.keys(), ...viewer.regulatedCommunityIds]);
}
