/**
 * Keyset paging, the one way a list is read a page at a time (docs/architecture.md,
 * "Lists and pages"). A list has an order over a unique key — `(slug)`, `(created_at, id)`,
 * `(seq)` — and a page is "the next `limit` rows after (or before) this key": one
 * indexed range read, whatever the page's position, where OFFSET would read and throw
 * away every row before it.
 *
 * The GraphQL layer (src/graphql/keyset-connection.ts) turns `first`/`after`,
 * `last`/`before` into a `KeysetPage` and the rows back into a connection with opaque
 * cursors; domain cores take the `KeysetPage` and build their SQL with `keysetSql`, or
 * their ORM filter with `keysetFilter` for a one-column key.
 */

/** One part of a key: a string (text, uuid, a timestamp as PostgreSQL prints it) or a safe integer. */
export type KeyPart = string | number;
export type Key = readonly KeyPart[];

export interface KeysetPage<K extends Key = Key> {
  /** Only rows strictly after this key in the list's order. */
  after?: K | undefined;
  /** Only rows strictly before this key in the list's order. */
  before?: K | undefined;
  /** How many rows to read: the page and one more, which tells whether more follow. */
  limit: number;
  /**
   * Read from the end backwards (a `last` page): the rows come in reverse list order,
   * nearest to `before` first, and the caller turns them round.
   */
  backwards: boolean;
}

export interface KeysetColumn {
  /** The SQL expression of the column, e.g. `h.created_at`. */
  expression: string;
  /** A cast for the key's parameter, e.g. `timestamptz` or `uuid`. */
  cast?: string;
}

export interface KeysetOrder {
  /** The key's columns, most significant first; together they are unique in the list. */
  columns: readonly KeysetColumn[];
  /** The list runs from the largest key down (newest first). */
  descending?: boolean;
}

/** A key the page was given has the wrong shape for the list it was used on. */
export class KeysetKeyError extends Error {
  override name = 'KeysetKeyError';
}

/**
 * SQL for one page: a condition on the key (or `true`), the ORDER BY and the LIMIT, with
 * their parameters in order of appearance. Keys compare as row values — `(a, b) > (?, ?)`
 * — which PostgreSQL answers with one range scan of an index on (a, b).
 */
export function keysetSql(order: KeysetOrder, page: KeysetPage): { condition: string; orderBy: string; limit: number; parameters: unknown[] } {
  const columns = order.columns;
  const row = `(${columns.map((column) => column.expression).join(', ')})`;
  const placeholders = `(${columns.map((column) => (column.cast ? `?::${column.cast}` : '?')).join(', ')})`;
  const ascending = !order.descending;
  const conditions: string[] = [];
  const parameters: unknown[] = [];
  for (const [key, later] of [[page.after, true], [page.before, false]] as const) {
    if (!key) continue;
    if (key.length !== columns.length) throw new KeysetKeyError(`a key of this list has ${columns.length} parts, not ${key.length}`);
    conditions.push(`${row} ${later === ascending ? '>' : '<'} ${placeholders}`);
    parameters.push(...key);
  }
  const readAscending = ascending !== page.backwards;
  const orderBy = columns.map((column) => `${column.expression} ${readAscending ? 'asc' : 'desc'}`).join(', ');
  return { condition: conditions.length ? conditions.join(' and ') : 'true', orderBy, limit: page.limit, parameters };
}

/**
 * For a list ordered by one unique property, read through the ORM: the filter on that
 * property and the order to read in, for `em.find(…, { ...filter }, { orderBy, limit })`.
 */
export function keysetFilter<Property extends string>(
  property: Property,
  page: KeysetPage<readonly [KeyPart]>,
  descending = false,
): { where: Record<string, Record<string, KeyPart>>; orderBy: Record<Property, 'asc' | 'desc'>; limit: number } {
  const range: Record<string, KeyPart> = {};
  if (page.after) range[descending ? '$lt' : '$gt'] = page.after[0];
  if (page.before) range[descending ? '$gt' : '$lt'] = page.before[0];
  const readAscending = !descending !== page.backwards;
  return {
    where: Object.keys(range).length ? { [property]: range } : {},
    orderBy: { [property]: readAscending ? 'asc' : 'desc' } as Record<Property, 'asc' | 'desc'>,
    limit: page.limit,
  };
}
