/**
 * The live path of a projection: one unit of work that loads and locks the rows a rule
 * reads, runs the rule, keeps its changes, and at the end writes the changed rows and
 * appends the entries — in that order, in the caller's transaction (docs/ledger.md:
 * locks first, append last).
 *
 * Which rows a rule reads is known only by running it (state-overlay.ts records every
 * key it touches), so `execute` runs the rule on what is loaded, loads what it asked for
 * and did not have, and runs it again, until it asks for nothing new. Rows are loaded
 * `FOR UPDATE`. A key that has no row yet cannot be row-locked, so it is locked by a
 * transaction-scoped advisory lock on (table, community, key) and read again after the
 * lock is held: two units that both look for the same idempotency key, invoice key or
 * payment id are serialised, and the second sees what the first wrote. Rows are written
 * with INSERT when they were absent (the primary key refuses a racing twin) and UPDATE
 * when they were loaded (and locked).
 */
import { randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '../db/orm.ts';
import type { TransactionRunner } from '../kernel/domain-module.ts';
import type { JsonObject } from '../ledger/entry-encoding.ts';
import { appendEntries, MAX_ENTRIES_PER_APPEND, type PendingEntry } from '../ledger/append-entry.ts';
import { decideEntry, decodePayload, type EntryKind, type MoneyEntry } from './entry-kinds.ts';
import { toJsonValue } from './json-values.ts';
import type { ProjectionTables, ProjectionTable } from './projection-tables.ts';
import { decodeRecord, encodeRecord } from './record-codec.ts';
import { mergeChangesInPlace, StateOverlay, type StateChanges, type TableName } from './state-overlay.ts';

/** A transfer's key, `<record kind>:<record id>#<index>`: fresh when its record's id is. */
const FRESH_KEY = /^[a-z-]+:([^#:]+)#\d+$/u;
/** A rule that keeps asking for new rows after this many rounds is a bug, not a workload. */
export const MAX_DISCOVERY_ROUNDS = 64;
/** Rows per INSERT or UPDATE statement when a unit writes. */
const WRITE_BATCH_ROWS = 500;
/** Tables (or slices of 500 keys) read by one statement. */
const MAX_TABLES_PER_SELECT = 16;

export interface AppendedMoneyEntry extends MoneyEntry {
  actor: string;
}

export class ProjectionUnit<S extends object> {
  readonly communityId: string;
  readonly #em: SqlEntityManager;
  readonly #tables: ProjectionTables<S>;
  /** The rows loaded so far and the changes made since, as one state the unit owns. */
  readonly state: S;
  /** Keys looked up per table (present or not). */
  readonly #known = new Map<string, Set<string>>();
  /** Keys that have a row in the database. */
  readonly #stored = new Map<string, Set<string>>();
  readonly #dirty = new Map<string, Map<string, unknown>>();
  /** Every key this unit changed, per table, flushed or not (what watchers of a table look at). */
  readonly #changed = new Map<string, Set<string>>();
  readonly entries: AppendedMoneyEntry[] = [];
  readonly #lock: boolean;
  readonly #fresh = new Set<string>();

  constructor(
    em: SqlEntityManager,
    tables: ProjectionTables<S>,
    emptyState: S,
    communityId: string,
    options: { lock?: boolean } = {},
  ) {
    this.#em = em;
    this.#tables = tables;
    this.state = emptyState;
    this.communityId = communityId;
    this.#lock = options.lock ?? true;
  }

  #set(map: Map<string, Set<string>>, table: string): Set<string> {
    let set = map.get(table);
    if (!set) map.set(table, (set = new Set()));
    return set;
  }

  #table(name: string): ProjectionTable {
    return (this.#tables as Record<string, ProjectionTable>)[name]!;
  }

  /**
   * A new random id for a record this unit creates. Keys made of it — the record's own
   * (`paymentId`) and its transfers' (`payment:<id>#0`) — cannot exist yet, so they are
   * known to be absent without a query or a lock (the primary key still guards the insert).
   */
  freshId(): string {
    const id = randomUUID();
    this.#fresh.add(id);
    return id;
  }

  #isFresh(key: string, known: Set<string>): boolean {
    const id = FRESH_KEY.exec(key)?.[1] ?? key;
    if (!this.#fresh.has(id)) return false;
    known.add(key);
    return true;
  }

  /** Loads (and locks) these keys of a table, those not looked up yet. */
  async load(table: TableName<S>, keys: Iterable<string>): Promise<void> {
    await this.loadMany(new Map([[table, keys]]));
  }

  /**
   * Loads (and locks) keys of several tables in one statement, then takes the advisory
   * locks of the keys that had no row and reads those again (one statement each), so a
   * row another unit inserted meanwhile is seen once its unit committed.
   */
  async loadMany(requests: ReadonlyMap<string, Iterable<string>>): Promise<void> {
    const wanted = new Map<string, string[]>();
    for (const [table, keys] of requests) {
      const known = this.#set(this.#known, table);
      const fresh = [...new Set(keys)].filter((key) => !known.has(key) && !this.#isFresh(key, known)).sort();
      for (const key of fresh) known.add(key);
      if (fresh.length > 0) wanted.set(table, fresh);
    }
    if (wanted.size === 0) return;
    const found = await this.#select(wanted);
    const absent = new Map<string, string[]>();
    for (const [table, keys] of wanted) {
      const missing = keys.filter((key) => !found.get(table)?.has(key));
      if (missing.length > 0) absent.set(table, missing);
    }
    if (absent.size > 0 && this.#lock) {
      const lockNames = [...absent]
        .flatMap(([table, keys]) => keys.map((key) => `${this.#table(table).sqlName}/${this.communityId}/${key}`))
        .sort();
      await this.#em.execute(
        `select pg_advisory_xact_lock(hashtextextended(k, 0)) from (values ${lockNames.map(() => '(?)').join(', ')}) as t(k) order by k`,
        lockNames,
      );
      for (const [table, rows] of await this.#select(absent)) {
        let into = found.get(table);
        if (!into) found.set(table, (into = new Map()));
        for (const [key, record] of rows) into.set(key, record);
      }
    }
    for (const [table, rows] of found) {
      const state = (this.state as Record<string, Map<string, unknown>>)[table]!;
      const stored = this.#set(this.#stored, table);
      for (const [key, record] of rows) {
        state.set(key, record);
        stored.add(key);
      }
    }
  }

  /** One statement over several tables: a locking CTE per table (FOR UPDATE is not allowed on a UNION itself). */
  async #select(wanted: ReadonlyMap<string, readonly string[]>): Promise<Map<string, Map<string, unknown>>> {
    const found = new Map<string, Map<string, unknown>>();
    const parts: Array<{ table: string; keys: readonly string[] }> = [];
    for (const [table, keys] of wanted) {
      for (let start = 0; start < keys.length; start += WRITE_BATCH_ROWS)
        parts.push({ table, keys: keys.slice(start, start + WRITE_BATCH_ROWS) });
    }
    for (let first = 0; first < parts.length; first += MAX_TABLES_PER_SELECT) {
      const group = parts.slice(first, first + MAX_TABLES_PER_SELECT);
      const parameters: unknown[] = [];
      const ctes = group.map((part, index) => {
        parameters.push(index, this.communityId, ...part.keys);
        return `t${index} as (select ?::int as part, key, record::text as record from ${this.#table(part.table).sqlName}
          where community_id = ? and key in (${part.keys.map(() => '?').join(', ')})${this.#lock ? ' for update' : ''})`;
      });
      const rows: Array<{ part: number; key: string; record: string }> = await this.#em.execute(
        `with ${ctes.join(', ')} ${group.map((_, index) => `select * from t${index}`).join(' union all ')}`,
        parameters,
      );
      for (const row of rows) {
        const table = group[Number(row.part)]!.table;
        let into = found.get(table);
        if (!into) found.set(table, (into = new Map()));
        into.set(row.key, decodeRecord(row.record));
      }
    }
    return found;
  }

  /**
   * Loads what the rule reads for these inputs, without running it for real: the rule
   * runs on an overlay and its changes are dropped. Several commands' keys can be
   * gathered this way and loaded in one query per table (`prefetch`).
   */
  missingReads<I>(kind: EntryKind<S, I, unknown>, inputs: I): Map<string, Set<string>> {
    const decoded = decodePayload(kind.type, kind.inputSchema, toJsonValue(inputs));
    const overlay = new StateOverlay(this.state);
    try {
      kind.run(overlay, decoded);
    } catch {
      // The rule may have failed for want of a row not loaded yet; its reads say which.
    }
    const missing = new Map<string, Set<string>>();
    for (const [table, keys] of Object.entries(overlay.reads) as Array<[string, Set<string>]>) {
      const known = this.#set(this.#known, table);
      for (const key of keys) if (!known.has(key) && !this.#isFresh(key, known)) this.#set(missing, table).add(key);
    }
    return missing;
  }

  /** Loads every key the commands read, round after round, with one query per table and round. */
  async prefetch(commands: ReadonlyArray<{ kind: EntryKind<S, any, unknown>; inputs: unknown }>): Promise<void> {
    for (let round = 0; round < MAX_DISCOVERY_ROUNDS; round++) {
      const missing = new Map<string, Set<string>>();
      for (const command of commands) {
        for (const [table, keys] of this.missingReads(command.kind, command.inputs)) {
          for (const key of keys) this.#set(missing, table).add(key);
        }
      }
      if (missing.size === 0) return;
      await this.loadMany(missing);
    }
  }

  /**
   * Runs one command: loads what its rule reads, decides its entry, keeps its changes
   * and queues the entry. Throws the rule's typed error, and then the unit is unchanged.
   */
  async execute<I, D>(
    kind: EntryKind<S, I, D>,
    inputs: I,
    actor: string,
  ): Promise<{ entry: MoneyEntry; changes: StateChanges<S> }> {
    for (let round = 0; ; round++) {
      const missing = this.missingReads(kind as EntryKind<S, I, unknown>, inputs);
      if (missing.size === 0) break;
      if (round >= MAX_DISCOVERY_ROUNDS)
        throw new Error(`Rule ${kind.type} kept reading new rows for ${MAX_DISCOVERY_ROUNDS} rounds`);
      await this.loadMany(missing);
    }
    const decided = decideEntry(kind, this.state, inputs);
    mergeChangesInPlace(this.state, decided.changes);
    for (const [table, rows] of Object.entries(decided.changes) as Array<[string, Map<string, unknown>]>) {
      let dirty = this.#dirty.get(table);
      if (!dirty) this.#dirty.set(table, (dirty = new Map()));
      for (const [key, row] of rows) {
        dirty.set(key, row);
        this.#set(this.#changed, table).add(key);
      }
    }
    this.entries.push({ ...decided.entry, actor });
    return decided;
  }

  /** The unit's transaction, for reads that go with it (on PGlite, the only connection). */
  get em(): SqlEntityManager {
    return this.#em;
  }

  /** The rows of a table this unit changed, as they are now. */
  changedRows<K extends TableName<S>>(table: K): unknown[] {
    const keys = this.#changed.get(table) ?? new Set<string>();
    return [...keys].map((key) => this.row(table, key));
  }

  /** Reads a row the unit has loaded or made. */
  row<K extends TableName<S>>(table: K, key: string): unknown {
    return (this.state as Record<string, Map<string, unknown>>)[table]!.get(key);
  }

  /**
   * Writes the changed rows, then appends the entries: the last thing the unit does. The
   * writes of all tables go in as few statements as the parameter limit allows (one
   * data-modifying CTE per write), since a unit's round trips are what it holds its locks for.
   */
  async flush(): Promise<PendingEntry[]> {
    const writes: SqlWrite[] = [];
    for (const [table, rows] of this.#dirty) writes.push(...this.#writes(table, rows));
    this.#dirty.clear();
    for (const statement of combineWrites(writes)) await this.#em.execute(statement.sql, statement.parameters);
    const appended: PendingEntry[] = [];
    for (let start = 0; start < this.entries.length; start += MAX_ENTRIES_PER_APPEND) {
      const slice = this.entries.slice(start, start + MAX_ENTRIES_PER_APPEND);
      appended.push(
        ...(await appendEntries(
          this.#em,
          this.communityId,
          slice.map((entry) => ({ type: entry.type, payload: entry.payload as JsonObject, actor: entry.actor })),
        )),
      );
    }
    this.entries.length = 0;
    return appended;
  }

  #writes(tableName: string, rows: Map<string, unknown>): SqlWrite[] {
    const spec = this.#table(tableName);
    const stored = this.#set(this.#stored, tableName);
    const inserts: Array<[string, unknown]> = [];
    const updates: Array<[string, unknown]> = [];
    for (const entry of rows) (stored.has(entry[0]) ? updates : inserts).push(entry);
    const columns = ['community_id', 'key', 'record', ...spec.columns.map((c) => c.name)];
    const casts = ['uuid', 'text', 'jsonb', ...spec.columns.map((c) => sqlType(c.type))];
    const valuesOf = (key: string, record: unknown) => [
      this.communityId,
      key,
      encodeRecord(record),
      ...spec.columns.map((c) => {
        const value = c.of(record);
        return typeof value === 'bigint' ? value.toString() : value;
      }),
    ];
    const tuple = `(${casts.map((cast) => `?::${cast}`).join(', ')})`;
    const writes: SqlWrite[] = [];
    for (let start = 0; start < inserts.length; start += WRITE_BATCH_ROWS) {
      const slice = inserts.slice(start, start + WRITE_BATCH_ROWS);
      writes.push({
        sql: `insert into ${spec.sqlName} (${columns.join(', ')}) values ${slice.map(() => tuple).join(', ')}`,
        parameters: slice.flatMap(([key, record]) => valuesOf(key, record)),
      });
      for (const [key] of slice) stored.add(key);
    }
    for (let start = 0; start < updates.length; start += WRITE_BATCH_ROWS) {
      const slice = updates.slice(start, start + WRITE_BATCH_ROWS);
      const assignments = columns.slice(2).map((name) => `${name} = v.${name}`);
      writes.push({
        sql: `update ${spec.sqlName} t set ${assignments.join(', ')}
           from (values ${slice.map(() => tuple).join(', ')}) as v(${columns.join(', ')})
          where t.community_id = v.community_id and t.key = v.key`,
        parameters: slice.flatMap(([key, record]) => valuesOf(key, record)),
      });
    }
    return writes;
  }
}

interface SqlWrite {
  sql: string;
  parameters: unknown[];
}

/** Bind parameters per statement: PostgreSQL's protocol allows 65,535. */
const MAX_PARAMETERS_PER_STATEMENT = 30_000;

/**
 * Writes joined into statements of data-modifying CTEs, each under the parameter limit.
 * They may share a statement because no two of them touch the same row (one per table
 * and kind of write, distinct keys), so none needs to see another's effect.
 */
function combineWrites(writes: readonly SqlWrite[]): SqlWrite[] {
  const statements: SqlWrite[] = [];
  let group: SqlWrite[] = [];
  let parameters = 0;
  const close = () => {
    if (group.length === 1) statements.push(group[0]!);
    else if (group.length > 1)
      statements.push({
        sql: `with ${group.map((write, index) => `w${index} as (${write.sql})`).join(', ')} select 1`,
        parameters: group.flatMap((write) => write.parameters),
      });
    group = [];
    parameters = 0;
  };
  for (const write of writes) {
    if (group.length > 0 && parameters + write.parameters.length > MAX_PARAMETERS_PER_STATEMENT) close();
    group.push(write);
    parameters += write.parameters.length;
  }
  close();
  return statements;
}

function sqlType(type: ProjectionTable['columns'][number]['type']): string {
  return type === 'fen' ? 'numeric' : type === 'date' ? 'date' : type === 'integer' ? 'integer' : 'text';
}

/** Every row of a community's projection, unlocked (replay comparison, reports). */
export async function loadProjection<S extends object>(
  em: SqlEntityManager,
  tables: ProjectionTables<S>,
  emptyState: S,
): Promise<S> {
  const communityId = (emptyState as { communityId: string }).communityId;
  for (const [name, spec] of Object.entries(tables) as Array<[string, ProjectionTable]>) {
    const rows: Array<{ key: string; record: string }> = await em.execute(
      `select key, record::text as record from ${spec.sqlName} where community_id = ?`,
      [communityId],
    );
    const map = (emptyState as Record<string, Map<string, unknown>>)[name]!;
    for (const row of rows) map.set(row.key, decodeRecord(row.record));
  }
  return emptyState;
}

/** How often a unit is tried again after a deadlock, a serialisation failure or a racing insert. */
export const MAX_UNIT_ATTEMPTS = 8;
const RETRYABLE_SQL_STATES = new Set(['40P01', '40001', '23505']);

/** A deadlock, serialisation failure or unique violation: the unit lost a race and may run again from scratch. */
export function isRetryableConflict(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string' && RETRYABLE_SQL_STATES.has(code)) return true;
  }
  return false;
}

/**
 * Runs `work` on a fresh unit in one transaction of the installation's runner, flushes
 * the unit (rows, then entries) before the commit, and runs it again from scratch when it
 * lost a race (isRetryableConflict). A rule's typed error rolls everything back.
 */
export async function runProjectionUnit<S extends object, T>(
  transactions: TransactionRunner,
  em: SqlEntityManager,
  tables: ProjectionTables<S>,
  emptyState: () => S,
  work: (unit: ProjectionUnit<S>) => Promise<T>,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await transactions.run(em, async (transaction) => {
        const state = emptyState();
        const unit = new ProjectionUnit(transaction, tables, state, (state as { communityId: string }).communityId);
        const result = await work(unit);
        await unit.flush();
        return result;
      });
    } catch (error) {
      if (attempt >= MAX_UNIT_ATTEMPTS || !isRetryableConflict(error)) throw error;
    }
  }
}
