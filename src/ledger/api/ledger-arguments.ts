/**
 * Argument handling shared by the ledger's GraphQL types: sizes and sequence numbers
 * arrive as BigInt and must fit the ledger's safe-integer range; cursors are sequence
 * numbers (or tree sizes) in decimal.
 */
import { InvalidInputError } from '../../domain-error.ts';

/** Default and largest page of entries or checkpoints in one connection. */
export const LEDGER_PAGE_DEFAULT_SIZE = 20;
export const LEDGER_PAGE_MAX_SIZE = 100;

export function toSafeIndex(value: bigint, parameter: string): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new InvalidInputError(parameter, `must be from 0 to ${Number.MAX_SAFE_INTEGER}`);
  }
  return Number(value);
}

/** A connection cursor: a sequence number or tree size in decimal. */
export function parseIndexCursor(cursor: string | undefined, parameter: string): number | undefined {
  if (cursor === undefined) return undefined;
  if (!/^(0|[1-9]\d{0,15})$/u.test(cursor) || !Number.isSafeInteger(Number(cursor))) {
    throw new InvalidInputError(parameter, 'is not a cursor of this connection');
  }
  return Number(cursor);
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

/** Refuses a page larger than the limit, rather than silently returning less than asked. */
export function requirePageSize(args: { first?: number | null | undefined; last?: number | null | undefined }): void {
  for (const parameter of ['first', 'last'] as const) {
    const size = args[parameter];
    if (size !== null && size !== undefined && (size < 0 || size > LEDGER_PAGE_MAX_SIZE)) {
      throw new InvalidInputError(parameter, `must be from 0 to ${LEDGER_PAGE_MAX_SIZE}`);
    }
  }
}
