/**
 * Relay connections over keyset pages (src/kernel/keyset.ts): the one way every list in
 * the API is paged.
 *
 *   resolve: (_root, args, context) =>
 *     resolveKeysetConnection(args, (page) => listCommunities(db, context.viewer, page, directory),
 *       { name: 'communities', keyOf: (community) => [community.slug] as const, parseKey: keyParsers.oneString }),
 *
 * - `first`/`after` page forwards and `last`/`before` backwards; without either, the
 *   first CONNECTION_PAGE_DEFAULT_SIZE items. A page larger than CONNECTION_PAGE_MAX_SIZE
 *   (or negative) is refused with INVALID_INPUT naming `first` or `last`, rather than
 *   silently returning less than asked.
 * - The loader reads `page.limit` rows — the page and one more, which sets
 *   `hasNextPage` (or `hasPreviousPage` backwards) — so no count is ever taken.
 * - Cursors are opaque: base64url of the connection's name and the item's key, so a
 *   cursor of one list is refused by another (INVALID_INPUT naming `after`/`before`),
 *   and clients cannot build or do arithmetic on them.
 */
import { resolveCursorConnection, type DefaultConnectionArguments } from '@pothos/plugin-relay';
import { InvalidInputError } from '../domain-error.ts';
import type { Key, KeyPart, KeysetPage } from '../kernel/keyset.ts';

export const CONNECTION_PAGE_DEFAULT_SIZE = 20;
export const CONNECTION_PAGE_MAX_SIZE = 100;
/** Longest cursor accepted before decoding. */
const CURSOR_MAX_LENGTH = 1_000;

export interface KeysetConnectionOptions<Node, K extends Key> {
  /** Names the list inside its cursors, e.g. `communities`; unique per connection. */
  name: string;
  /** The item's key: the values of the list's ORDER BY columns. */
  keyOf: (node: Node) => K;
  /** The key from a decoded cursor's parts, or null when they do not fit this list. */
  parseKey: (parts: readonly unknown[]) => K | null;
  defaultSize?: number;
  maxSize?: number;
}

/** Key parsers for the common shapes. */
export const keyParsers = {
  oneString: (parts: readonly unknown[]): readonly [string] | null =>
    parts.length === 1 && typeof parts[0] === 'string' ? [parts[0]] : null,
  oneInteger: (parts: readonly unknown[]): readonly [number] | null =>
    parts.length === 1 && Number.isSafeInteger(parts[0]) && (parts[0] as number) >= 0 ? [parts[0] as number] : null,
  twoStrings: (parts: readonly unknown[]): readonly [string, string] | null =>
    parts.length === 2 && typeof parts[0] === 'string' && typeof parts[1] === 'string' ? [parts[0], parts[1]] : null,
};

export function encodeCursor(name: string, key: Key): string {
  return Buffer.from(JSON.stringify([name, ...key]), 'utf8').toString('base64url');
}

function decodeCursor<K extends Key>(cursor: string, parameter: 'after' | 'before', options: KeysetConnectionOptions<unknown, K>): K {
  const refuse = () => new InvalidInputError(parameter, 'is not a cursor of this connection');
  if (cursor.length > CURSOR_MAX_LENGTH || !/^[A-Za-z0-9_-]*$/u.test(cursor)) throw refuse();
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  if (!Array.isArray(parts) || parts[0] !== options.name || !parts.slice(1).every((part: unknown) => typeof part === 'string' || typeof part === 'number')) {
    throw refuse();
  }
  const key = options.parseKey(parts.slice(1) as KeyPart[]);
  if (!key) throw refuse();
  return key;
}

/** Refuses a negative page or one over the limit, naming the argument. */
export function requireConnectionPageSize(args: DefaultConnectionArguments, maxSize = CONNECTION_PAGE_MAX_SIZE): void {
  for (const parameter of ['first', 'last'] as const) {
    const size = args[parameter];
    if (size !== null && size !== undefined && (size < 0 || size > maxSize)) {
      throw new InvalidInputError(parameter, `must be from 0 to ${maxSize}`);
    }
  }
}

/** The loader comes before the options so TypeScript learns the node type from what it returns. */
export function resolveKeysetConnection<Node, K extends Key>(
  args: DefaultConnectionArguments,
  load: (page: KeysetPage<K>) => Promise<readonly Node[]>,
  options: KeysetConnectionOptions<Node, K>,
) {
  const maxSize = options.maxSize ?? CONNECTION_PAGE_MAX_SIZE;
  requireConnectionPageSize(args, maxSize);
  return resolveCursorConnection<Promise<readonly Node[]>>(
    {
      args,
      toCursor: (node) => encodeCursor(options.name, options.keyOf(node)),
      defaultSize: options.defaultSize ?? CONNECTION_PAGE_DEFAULT_SIZE,
      maxSize,
    },
    ({ before, after, limit, inverted }) =>
      load({
        after: after === undefined ? undefined : decodeCursor(after, 'after', options as KeysetConnectionOptions<unknown, K>),
        before: before === undefined ? undefined : decodeCursor(before, 'before', options as KeysetConnectionOptions<unknown, K>),
        limit,
        backwards: inverted,
      }),
  );
}
