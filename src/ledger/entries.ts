/**
 * Reading a community's entries back: one by sequence number, or a page in sequence
 * order filtered by type and time. Reads use SQL directly, like the writes, so that a
 * page costs one indexed query and no ORM hydration.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import type { JsonObject } from './entry-encoding.ts';
import { toBytes, toSafeNumber } from './sql-values.ts';

export interface StoredEntry {
  communityId: string;
  seq: number;
  type: string;
  payload: JsonObject;
  actor: string;
  time: Date;
  leafHash: Uint8Array;
}

/** Most entries one page returns. */
export const MAX_ENTRY_PAGE_SIZE = 1_000;

export interface EntryPageQuery {
  /** Only entries with a larger sequence number. */
  afterSeq?: number | undefined;
  /** Only entries with a smaller sequence number. */
  beforeSeq?: number | undefined;
  limit: number;
  /** Newest first instead of oldest first. */
  descending?: boolean | undefined;
  type?: string | undefined;
  /** Recorded at or after this instant. */
  since?: Date | undefined;
  /** Recorded strictly before this instant. */
  until?: Date | undefined;
}

interface EntryRow {
  seq: unknown;
  type: string;
  payload: JsonObject;
  actor: string;
  time_ms: unknown;
  leaf_hash: unknown;
}

const ENTRY_COLUMNS = `seq, type, payload, actor, (extract(epoch from recorded_at) * 1000)::int8 as time_ms, leaf_hash`;

function toEntry(communityId: string, row: EntryRow): StoredEntry {
  return {
    communityId,
    seq: toSafeNumber(row.seq),
    type: row.type,
    payload: row.payload,
    actor: row.actor,
    time: new Date(toSafeNumber(row.time_ms)),
    leafHash: toBytes(row.leaf_hash),
  };
}

export async function getEntry(em: SqlEntityManager, communityId: string, seq: number): Promise<StoredEntry | undefined> {
  if (!Number.isSafeInteger(seq) || seq < 0) return undefined;
  const rows: EntryRow[] = await em.execute(
    `select ${ENTRY_COLUMNS} from ledger_entries where community_id = ? and seq = ?`,
    [communityId, seq],
  );
  return rows[0] ? toEntry(communityId, rows[0]) : undefined;
}

export async function listEntries(em: SqlEntityManager, communityId: string, query: EntryPageQuery): Promise<StoredEntry[]> {
  const conditions = ['community_id = ?'];
  const parameters: unknown[] = [communityId];
  const add = (condition: string, value: unknown) => {
    conditions.push(condition);
    parameters.push(value);
  };
  if (query.afterSeq !== undefined) add('seq > ?', query.afterSeq);
  if (query.beforeSeq !== undefined) add('seq < ?', query.beforeSeq);
  if (query.type !== undefined) add('type = ?', query.type);
  if (query.since !== undefined) add('recorded_at >= ?', query.since);
  if (query.until !== undefined) add('recorded_at < ?', query.until);
  parameters.push(Math.min(Math.max(Math.trunc(query.limit), 0), MAX_ENTRY_PAGE_SIZE));
  const rows: EntryRow[] = await em.execute(
    `select ${ENTRY_COLUMNS} from ledger_entries where ${conditions.join(' and ')}
      order by seq ${query.descending ? 'desc' : 'asc'} limit ?`,
    parameters,
  );
  return rows.map((row) => toEntry(communityId, row));
}

/** The committed size of a community's log (0 before its first entry). */
export async function logSize(em: SqlEntityManager, communityId: string): Promise<number> {
  const rows: Array<{ tree_size: unknown }> = await em.execute('select tree_size from ledger_heads where community_id = ?', [communityId]);
  return rows[0] ? toSafeNumber(rows[0].tree_size) : 0;
}

/** Whether a log exists under this id: it has a key (every community's log does, from its creation) or a head. */
export async function logExists(em: SqlEntityManager, communityId: string): Promise<boolean> {
  const rows: unknown[] = await em.execute(
    `select 1 from ledger_log_keys where community_id = ? union all select 1 from ledger_heads where community_id = ? limit 1`,
    [communityId, communityId],
  );
  return rows.length > 0;
}
