/**
 * Appending to a community's log. Other modules call `appendEntry` inside their own
 * transaction, with the transactional EntityManager, so a contract's state change and its
 * ledger entry commit or roll back together.
 *
 * Sequencing: the community's `ledger_heads` row is locked with SELECT … FOR UPDATE and
 * stays locked until the caller's transaction ends. Every writer — in this process or
 * another sharing the database — therefore sees the previous append's size and frontier,
 * so sequence numbers are gap-free and the tree cannot fork. A rolled-back transaction
 * leaves the head untouched, so its sequence number is reused by the next append.
 * Ordering follows the database's serialisation order: an entry appended after a
 * conflicting transaction committed always gets a later sequence number.
 *
 * NOTE: the lock is held until the caller commits, so callers should append last, just
 * before committing, and keep transactions short.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { assertValidEntryFields, assertValidPayload, entryLeafBytes, MAX_ENTRY_BYTES, type JsonObject } from './entry-encoding.ts';
import { LedgerInputError } from './errors.ts';
import { leafHash } from './merkle-hash.ts';
import { appendToFrontier, frontierLength } from './merkle-tree.ts';
import { joinHashes, splitHashes, toBytes, toSafeNumber } from './sql-values.ts';

export interface AppendEntryInput {
  communityId: string;
  type: string;
  /** Ids and amounts only — never names, phones, ID numbers or unit addresses. */
  payload: JsonObject;
  /** Account id, or "system" / "anonymous". */
  actor: string;
}

export interface AppendedEntry {
  communityId: string;
  seq: number;
  time: Date;
  leafHash: Uint8Array;
  /** The tree size after this append (seq + 1). */
  treeSize: number;
}

/** Most entries one call of appendEntries takes, so one transaction cannot hold the head for long. */
export const MAX_ENTRIES_PER_APPEND = 1_000;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface LockedHead {
  treeSize: number;
  frontier: Uint8Array[];
}

async function lockHead(em: SqlEntityManager, communityId: string): Promise<LockedHead> {
  const select = 'select tree_size, frontier from ledger_heads where community_id = ? for update';
  let rows: Array<{ tree_size: unknown; frontier: unknown }> = await em.execute(select, [communityId]);
  if (rows.length === 0) {
    await em.execute('insert into ledger_heads (community_id) values (?) on conflict do nothing', [communityId]);
    rows = await em.execute(select, [communityId]);
  }
  const row = rows[0]!;
  const treeSize = toSafeNumber(row.tree_size);
  const frontier = splitHashes(toBytes(row.frontier));
  if (frontier.length !== frontierLength(treeSize)) throw new Error(`ledger head of ${communityId} is corrupt`);
  return { treeSize, frontier };
}

export function appendEntry(em: SqlEntityManager, input: AppendEntryInput): Promise<AppendedEntry> {
  return appendEntries(em, input.communityId, [input]).then((entries) => entries[0]!);
}

/** Appends several entries of one community in order, under one lock and three statements. */
export async function appendEntries(
  em: SqlEntityManager,
  communityId: string,
  inputs: ReadonlyArray<Omit<AppendEntryInput, 'communityId'>>,
): Promise<AppendedEntry[]> {
  if (!UUID_PATTERN.test(communityId)) throw new LedgerInputError('communityId', 'must be a UUID');
  if (inputs.length === 0 || inputs.length > MAX_ENTRIES_PER_APPEND) {
    throw new LedgerInputError('entries', `must number 1 to ${MAX_ENTRIES_PER_APPEND}`);
  }
  for (const input of inputs) {
    assertValidEntryFields(input.type, input.actor);
    assertValidPayload(input.payload);
  }
  const head = await lockHead(em, communityId);
  // Millisecond precision, because the time is part of the hashed entry and must round-trip.
  const time = new Date(Date.now());
  let frontier = head.frontier;
  const entryValues: unknown[] = [];
  const nodeValues: unknown[] = [];
  const appended: AppendedEntry[] = [];
  for (const [offset, input] of inputs.entries()) {
    const seq = head.treeSize + offset;
    const bytes = entryLeafBytes({ seq, type: input.type, payload: input.payload, actor: input.actor, time });
    if (bytes.length > MAX_ENTRY_BYTES) throw new LedgerInputError('payload', `encodes to more than ${MAX_ENTRY_BYTES} bytes`);
    const hash = leafHash(bytes);
    const next = appendToFrontier(frontier, seq, hash);
    frontier = next.frontier;
    entryValues.push(communityId, seq, input.type, JSON.stringify(input.payload), input.actor, time, Buffer.from(hash));
    for (const node of next.completed) nodeValues.push(communityId, node.level, node.index, Buffer.from(node.hash));
    appended.push({ communityId, seq, time, leafHash: hash, treeSize: seq + 1 });
  }
  await em.execute(writeStatement(inputs.length, nodeValues.length / 4), [
    ...entryValues,
    ...nodeValues,
    head.treeSize + inputs.length,
    joinHashes(frontier),
    communityId,
  ]);
  return appended;
}

/** One statement that inserts the entries and completed nodes and advances the head. */
function writeStatement(entryCount: number, nodeCount: number): string {
  const entryRows = Array.from({ length: entryCount }, () => '(?, ?, ?, ?::jsonb, ?, ?, ?)').join(', ');
  const parts = [
    `with inserted_entries as (insert into ledger_entries (community_id, seq, type, payload, actor, recorded_at, leaf_hash) values ${entryRows})`,
  ];
  if (nodeCount > 0) {
    const nodeRows = Array.from({ length: nodeCount }, () => '(?, ?, ?, ?)').join(', ');
    parts.push(`, inserted_nodes as (insert into ledger_tree_nodes (community_id, level, node_index, hash) values ${nodeRows})`);
  }
  parts.push(' update ledger_heads set tree_size = ?, frontier = ?, updated_at = now() where community_id = ?');
  return parts.join('');
}
