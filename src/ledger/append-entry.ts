/**
 * Appending to a community's log. Other modules call `appendEntry` inside their own
 * transaction, with the transactional EntityManager, so a contract's state change and its
 * ledger entry commit or roll back together.
 *
 * Acceptance is decoupled from sequencing, as in Trillian and Tessera: the append only
 * INSERTs a pending row (community, type, RFC 8785 payload text, actor, time) whose id
 * comes from one global `bigserial`. It takes no lock, so concurrent callers never wait on
 * each other. Once the caller's transaction commits, the entry is durably accepted; the
 * integrator (integrator.ts) then gives it its sequence number, leaf hash and tree nodes
 * in a batch. The sequence number is therefore NOT known inside the caller's
 * transaction: keep the returned `entryId` and `time` and look the seq up later
 * (`sequenceOfEntry`), once integrated. A unit of work run by the transaction runner
 * (transaction-runner.ts) has its entries integrated right after it commits.
 *
 * Ordering rule (docs/ledger.md): the integrator orders a community's entries by pending
 * id. A transaction that waited for a row lock gets its id only after the holder
 * committed, so entries of conflicting transactions are in conflict order — provided the
 * contract appends AFTER taking its state locks. Append last, after your locks.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { assertValidEntryFields, assertValidPayload, canonicalJson, entryLeafBytes, MAX_ENTRY_BYTES, type JsonObject } from './entry-encoding.ts';
import { LedgerInputError } from './errors.ts';
import { toSafeNumber } from './sql-values.ts';
import { noteAppend } from './transaction-runner.ts';

export interface AppendEntryInput {
  communityId: string;
  type: string;
  /** Ids and amounts only — never names, phones, ID numbers or unit addresses. */
  payload: JsonObject;
  /** Account id, or "system" / "anonymous". */
  actor: string;
}

/** An accepted entry, before the integrator has sequenced it. */
export interface PendingEntry {
  communityId: string;
  /** The global pending id; after integration `ledger_entries.entry_id` (see `sequenceOfEntry`). */
  entryId: number;
  /** The entry's time, part of its hashed bytes. */
  time: Date;
}

/** Most entries one call of appendEntries takes. */
export const MAX_ENTRIES_PER_APPEND = 1_000;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function appendEntry(em: SqlEntityManager, input: AppendEntryInput): Promise<PendingEntry> {
  return appendEntries(em, input.communityId, [input]).then((entries) => entries[0]!);
}

/** The checked values of one pending row: (community, type, payload text, actor, time). */
function pendingRowValues(communityId: string, input: Omit<AppendEntryInput, 'communityId'>, time: Date): unknown[] {
  assertValidEntryFields(input.type, input.actor);
  assertValidPayload(input.payload);
  // Checked with the longest possible seq, so the integrator can never meet an entry it must refuse.
  const bytes = entryLeafBytes({ seq: Number.MAX_SAFE_INTEGER, type: input.type, payload: input.payload, actor: input.actor, time });
  if (bytes.length > MAX_ENTRY_BYTES) throw new LedgerInputError('payload', `encodes to more than ${MAX_ENTRY_BYTES} bytes`);
  return [communityId, input.type, canonicalJson(input.payload), input.actor, time];
}

/** A write that runs in the same statement as the append; it may read the entry's pending id and time from `entry` (`entry.id`, `entry.recorded_at`). */
export interface WriteWithEntry {
  sql: string;
  params: readonly unknown[];
}

/**
 * Appends one entry and, in the SAME statement, the caller's writes that point at it (a
 * data-modifying CTE): one round trip instead of one per write. Use it as the last
 * statement of the transaction, after the state locks, like `appendEntry`; the writes are
 * INSERT/UPDATE statements that may read the entry's id and time from `entry` (`select …, entry.id from entry`).
 */
export async function appendEntryWith(em: SqlEntityManager, input: AppendEntryInput, writes: readonly WriteWithEntry[]): Promise<PendingEntry> {
  if (!UUID_PATTERN.test(input.communityId)) throw new LedgerInputError('communityId', 'must be a UUID');
  const time = new Date(Date.now());
  const rows: Array<{ id: unknown }> = await em.execute(
    `with entry as (insert into ledger_pending (community_id, type, payload, actor, recorded_at) values (?, ?, ?, ?, ?) returning id, recorded_at)
     ${writes.map((write, index) => `, write_${index} as (${write.sql})`).join('\n')}
     select id from entry`,
    [...pendingRowValues(input.communityId, input, time), ...writes.flatMap((write) => write.params)],
  );
  noteAppend(input.communityId);
  return { communityId: input.communityId, entryId: toSafeNumber(rows[0]!.id), time };
}

/** Accepts several entries of one community, in order (their pending ids increase), in one statement. */
export async function appendEntries(
  em: SqlEntityManager,
  communityId: string,
  inputs: ReadonlyArray<Omit<AppendEntryInput, 'communityId'>>,
): Promise<PendingEntry[]> {
  if (!UUID_PATTERN.test(communityId)) throw new LedgerInputError('communityId', 'must be a UUID');
  if (inputs.length === 0 || inputs.length > MAX_ENTRIES_PER_APPEND) {
    throw new LedgerInputError('entries', `must number 1 to ${MAX_ENTRIES_PER_APPEND}`);
  }
  // Millisecond precision, because the time is part of the hashed entry and must round-trip.
  const time = new Date(Date.now());
  const values: unknown[] = [];
  for (const input of inputs) values.push(...pendingRowValues(communityId, input, time));
  const rows: Array<{ id: unknown }> = await em.execute(
    `insert into ledger_pending (community_id, type, payload, actor, recorded_at)
     values ${inputs.map(() => '(?, ?, ?, ?, ?)').join(', ')} returning id`,
    values,
  );
  noteAppend(communityId);
  // Ids are drawn in VALUES order; sorting guards against a driver returning rows otherwise.
  const ids = rows.map((row) => toSafeNumber(row.id)).sort((a, b) => a - b);
  return ids.map((entryId) => ({ communityId, entryId, time }));
}
