/**
 * How a rule changes a state made of tables (maps from id to record) without copying
 * the tables: it reads through a copy-on-write overlay and writes into it, and what it
 * wrote — the changes, records to upsert per table — is the result.
 *
 * The same changes serve both paths that must agree:
 * - live: the wiring loads (and locks) the rows a command touches into a small state,
 *   runs the rule, and upserts the changed rows in the same transaction as the append;
 * - replay: `ledger:replay` keeps the whole state in memory and merges each entry's
 *   changes into it.
 * Both call the same rule on the same entry, so replay equals live by construction; the
 * test of it compares the two. The overlay also records every key a rule reads (`reads`):
 * the rows the live path has to load, and lock, before it runs the rule.
 */
export type TableName<S> = { [K in keyof S]-?: S[K] extends ReadonlyMap<string, unknown> ? K : never }[keyof S] &
  string;
export type RowOf<S, K extends keyof S> = S[K] extends ReadonlyMap<string, infer Row> ? Row : never;

/** Records to upsert, per table. Money state never deletes a record: history is kept. */
export type StateChanges<S> = { [K in TableName<S>]?: Map<string, RowOf<S, K>> };

export interface StateReader<S> {
  read<K extends TableName<S>>(table: K, key: string): RowOf<S, K> | undefined;
}

/** The keys a rule read, per table: the rows the live path must load (and lock) for it. */
export type ReadSet<S> = { [K in TableName<S>]?: Set<string> };

export class StateOverlay<S> implements StateReader<S> {
  readonly base: S;
  readonly changes: StateChanges<S> = {};
  readonly reads: ReadSet<S> = {};

  constructor(base: S) {
    this.base = base;
  }

  read<K extends TableName<S>>(table: K, key: string): RowOf<S, K> | undefined {
    ((this.reads as Record<string, Set<string>>)[table] ??= new Set()).add(key);
    const changed = this.changes[table] as Map<string, RowOf<S, K>> | undefined;
    if (changed?.has(key)) return changed.get(key);
    return (this.base[table] as ReadonlyMap<string, RowOf<S, K>>).get(key);
  }

  write<K extends TableName<S>>(table: K, key: string, row: RowOf<S, K>): void {
    let changed = this.changes[table] as Map<string, RowOf<S, K>> | undefined;
    if (!changed) {
      changed = new Map();
      (this.changes as Record<string, Map<string, unknown>>)[table] = changed;
    }
    changed.set(key, row);
  }
}

/** The state after the changes, as a new object; tables without changes are shared, not copied. */
export function mergeChanges<S extends object>(state: S, changes: StateChanges<S>): S {
  const next = { ...state } as Record<string, unknown>;
  for (const [table, rows] of Object.entries(changes) as Array<[string, Map<string, unknown>]>) {
    const merged = new Map(next[table] as ReadonlyMap<string, unknown>);
    for (const [key, row] of rows) merged.set(key, row);
    next[table] = merged;
  }
  return next as S;
}

/**
 * Merges changes into tables the caller owns (fresh Maps it created), without copying.
 * For a fold that builds a state from nothing and hands out no reference before it ends.
 */
export function mergeChangesInPlace<S extends object>(ownedState: S, changes: StateChanges<S>): void {
  for (const [table, rows] of Object.entries(changes) as Array<[string, Map<string, unknown>]>) {
    const target = (ownedState as Record<string, unknown>)[table] as Map<string, unknown>;
    for (const [key, row] of rows) target.set(key, row);
  }
}

/** A state holding only the rows named by `reads` (what the live path loads for one entry). */
export function restrictToReads<S extends object>(state: S, reads: ReadSet<S>): S {
  const partial = { ...state } as Record<string, unknown>;
  for (const [table, value] of Object.entries(state)) {
    if (!(value instanceof Map)) continue;
    const rows = new Map();
    for (const key of (reads as Record<string, Set<string>>)[table] ?? [])
      if (value.has(key)) rows.set(key, value.get(key));
    partial[table] = rows;
  }
  return partial as S;
}
