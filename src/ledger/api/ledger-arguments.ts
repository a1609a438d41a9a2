/**
 * Argument handling shared by the ledger's GraphQL types: sizes and sequence numbers
 * arrive as BigInt and must fit the ledger's safe-integer range. (Connections page with
 * the shared keyset helper, src/graphql/keyset-connection.ts.)
 */
import { InvalidInputError } from '../../domain-error.ts';
import { CommunityRef } from '../../accounts/api/community.ts';
import { InstallationRef } from '../../accounts/api/installation.ts';

/**
 * What a ledger field's `communityId` argument takes: a Community's id for its log, or
 * the Installation's id (`installation { id }`) for the installation log.
 */
export const LOG_OWNER_REFS = [CommunityRef, InstallationRef];
export const LOG_ID_DESCRIPTION = "A Community's id for its log, or the Installation's id for the installation log.";

export function toSafeIndex(value: bigint, parameter: string): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InvalidInputError(parameter, `must be from 0 to ${Number.MAX_SAFE_INTEGER}`);
  }
  return Number(value);
}

/** Global ids of ledger objects are "<community uuid>:<index>". */
export function formatLedgerId(communityId: string, index: number): string {
  return `${communityId}:${index}`;
}

export function parseLedgerId(id: string): { communityId: string; index: number } {
  const match = /^([0-9a-f-]{36}):(0|[1-9]\d{0,15})$/u.exec(id.toLowerCase());
  if (!match || !Number.isSafeInteger(Number(match[2]))) throw new InvalidInputError('id', 'is not a valid id');
  return { communityId: match[1]!, index: Number(match[2]) };
}
