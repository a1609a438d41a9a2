/**
 * Page sizes of the offset connections (households, census leaves and roots): a page
 * holds OFFSET_PAGE_DEFAULT_SIZE items unless `first` or `last` asks otherwise, and at
 * most OFFSET_PAGE_MAX_SIZE — a larger request is cut to it, and `hasNextPage` says more
 * remain. (The ledger's cursor connections refuse a larger page instead: see
 * src/ledger/api/ledger-arguments.ts.)
 */
import type { DefaultConnectionArguments } from '@pothos/plugin-relay';

export const OFFSET_PAGE_DEFAULT_SIZE = 20;
export const OFFSET_PAGE_MAX_SIZE = 100;

/** The options of `resolveOffsetConnection` for these limits. */
export function offsetPage(args: DefaultConnectionArguments): { args: DefaultConnectionArguments; defaultSize: number; maxSize: number } {
  return { args, defaultSize: OFFSET_PAGE_DEFAULT_SIZE, maxSize: OFFSET_PAGE_MAX_SIZE };
}
