/**
 * The integrator: gives accepted (pending) entries their sequence numbers.
 *
 * `appendEntry` only inserts a row into `ledger_pending` in the caller's transaction.
 * `integratePending` then, per community and in ONE transaction per batch:
 *
 *   1. locks the community's `ledger_heads` row (SELECT … FOR UPDATE; the background job
 *      uses SKIP LOCKED) — one integrator at a time per community, across processes;
 *   2. reads the community's committed pending rows `order by id` (at most a batch);
 *   3. assigns consecutive seqs from the head's size, computes the RFC 9162 leaf hashes
 *      and the perfect subtrees they complete;
 *   4. in one statement inserts the entries and nodes, advances the head (size,
 *      frontier) and deletes exactly those pending rows.
 *
 * Gap-free and fork-free: the head lock serialises integrators and the head, entries and
 * queue change atomically, so a crash leaves either the whole batch or none of it. A
 * pending row committed with a smaller id after a larger one was integrated is simply
 * integrated in the next batch: rows of non-conflicting transactions have no defined
 * order, and rows of conflicting ones are ordered by id (see append-entry.ts).
 *
 * `integrateCommunities` does the same for several communities in one transaction, so
 * one commit serves many logs. `startLedgerIntegrator` runs it in the background: every
 * `intervalMs`, or within `batchDelayMs` when nudged; it keeps going while there is work.
 * A unit of work run by the transaction runner (transaction-runner.ts) integrates its
 * own communities right after its commit; the background job catches everything else.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { entryLeafText } from './entry-encoding.ts';
import { leafHash } from './merkle-hash.ts';
import { appendToFrontier, frontierLength } from './merkle-tree.ts';
import { joinHashes, splitHashes, toBytes, toSafeNumber } from './sql-values.ts';

/** Most entries one integration transaction sequences (bounds statement parameters and lock time). */
export const MAX_INTEGRATION_BATCH = 2_000;
/** Communities the background job integrates in one transaction. */
const COMMUNITIES_PER_TRANSACTION = 64;

export interface IntegrationBatch {
  communityId: string;
  /** Entries sequenced by this batch (0 when nothing was pending or another integrator held the head). */
  integrated: number;
  /** The log's size after the batch. */
  treeSize: number;
  /** True when another integrator held the head and `skipLocked` was asked for. */
  skipped: boolean;
}

interface PendingRow {
  id: unknown;
  type: string;
  payload: string;
  actor: string;
  time_ms: unknown;
}

const encoder = new TextEncoder();

interface LockedHead {
  treeSize: number;
  frontier: Uint8Array[];
}

type HeadRow = { community_id: string; tree_size: unknown; frontier: unknown };

/**
 * Locks the heads of these communities, in community order, creating missing ones. With
 * `skipLocked`, heads another integrator holds are left out. The same statement declares
 * the transaction the integrator, which alone may delete pending rows (see the migration).
 */
async function lockHeads(tx: SqlEntityManager, communityIds: readonly string[], skipLocked: boolean): Promise<Map<string, LockedHead>> {
  const lock = (ids: readonly string[]): Promise<HeadRow[]> =>
    tx.execute(
      `select set_config('courtyard.ledger_integrator', 'on', true) as integrator, community_id, tree_size, frontier
         from ledger_heads where community_id in (${ids.map(() => '?').join(', ')})
        order by community_id for update${skipLocked ? ' skip locked' : ''}`,
      [...ids],
    );
  const rows = await lock(communityIds);
  const missing = communityIds.filter((id) => !rows.some((row) => row.community_id === id));
  if (missing.length > 0) {
    const present: Array<{ community_id: string }> = await tx.execute(
      `select community_id from ledger_heads where community_id in (${missing.map(() => '?').join(', ')})`,
      [...missing],
    );
    // Present but not returned: held by another integrator (skip locked).
    const absent = missing.filter((id) => !present.some((row) => row.community_id === id));
    if (absent.length > 0) {
      await tx.execute(`insert into ledger_heads (community_id) values ${absent.map(() => '(?)').join(', ')} on conflict do nothing`, absent);
      rows.push(...(await lock(absent)));
    }
  }
  const heads = new Map<string, LockedHead>();
  for (const row of rows) {
    const treeSize = toSafeNumber(row.tree_size);
    const frontier = splitHashes(toBytes(row.frontier));
    if (frontier.length !== frontierLength(treeSize)) throw new Error(`ledger head of ${row.community_id} is corrupt`);
    heads.set(row.community_id, { treeSize, frontier });
  }
  return heads;
}

/** Sequences one batch of a community's pending entries, in one transaction. */
export async function integrateBatch(
  em: SqlEntityManager,
  communityId: string,
  options: { maxEntries?: number; skipLocked?: boolean } = {},
): Promise<IntegrationBatch> {
  const [batch] = await integrateCommunities(em, [communityId], options);
  return batch!;
}

/**
 * Sequences one batch of pending entries of several communities in ONE transaction (one
 * commit, one WAL flush for all of them): at most `maxEntries` in all, the oldest pending
 * ids first, so each community gets a prefix of its pending rows in id order.
 */
export async function integrateCommunities(
  em: SqlEntityManager,
  communityIds: readonly string[],
  options: { maxEntries?: number; skipLocked?: boolean } = {},
): Promise<IntegrationBatch[]> {
  const ids = [...new Set(communityIds)].sort();
  if (ids.length === 0) return [];
  const limit = Math.min(Math.max(Math.trunc(options.maxEntries ?? MAX_INTEGRATION_BATCH), 1), MAX_INTEGRATION_BATCH);
  return em.transactional(async (tx) => {
    const heads = await lockHeads(tx, ids, options.skipLocked ?? false);
    const skipped = ids.filter((id) => !heads.has(id)).map((id) => ({ communityId: id, integrated: 0, treeSize: -1, skipped: true }));
    if (heads.size === 0) return skipped;
    const locked = [...heads.keys()];
    const pending: Array<PendingRow & { community_id: string }> = await tx.execute(
      `select id, community_id, type, payload, actor, (extract(epoch from recorded_at) * 1000)::int8 as time_ms
         from ledger_pending where community_id in (${locked.map(() => '?').join(', ')}) order by id limit ?`,
      [...locked, limit],
    );
    const entryValues: unknown[] = [];
    const nodeValues: unknown[] = [];
    const pendingIds: number[] = [];
    const counts = new Map<string, number>();
    for (const row of pending) {
      const head = heads.get(row.community_id)!;
      const seq = head.treeSize + (counts.get(row.community_id) ?? 0);
      const id = toSafeNumber(row.id);
      const time = new Date(toSafeNumber(row.time_ms));
      // The payload column holds the canonical text appendEntries wrote.
      const hash = leafHash(encoder.encode(entryLeafText(seq, row.type, row.payload, row.actor, time.toISOString())));
      const next = appendToFrontier(head.frontier, seq, hash);
      head.frontier = next.frontier;
      counts.set(row.community_id, (counts.get(row.community_id) ?? 0) + 1);
      entryValues.push(row.community_id, seq, row.type, row.payload, row.actor, time, Buffer.from(hash), id);
      for (const node of next.completed) nodeValues.push(row.community_id, node.level, node.index, Buffer.from(node.hash));
      pendingIds.push(id);
    }
    const headValues: unknown[] = [];
    for (const [communityId, count] of counts) {
      const head = heads.get(communityId)!;
      head.treeSize += count;
      headValues.push(communityId, head.treeSize, joinHashes(head.frontier));
    }
    if (pending.length > 0) {
      await tx.execute(writeStatement(pending.length, nodeValues.length / 4, counts.size), [...entryValues, ...nodeValues, ...pendingIds, ...headValues]);
    }
    return [
      ...locked.map((communityId) => ({ communityId, integrated: counts.get(communityId) ?? 0, treeSize: heads.get(communityId)!.treeSize, skipped: false })),
      ...skipped,
    ];
  });
}

/** One statement: insert entries and completed nodes, delete the integrated pending rows, advance the heads. */
function writeStatement(entryCount: number, nodeCount: number, headCount: number): string {
  const entryRows = Array.from({ length: entryCount }, () => '(?, ?, ?, ?::jsonb, ?, ?, ?, ?)').join(', ');
  const parts = [
    `with inserted_entries as (insert into ledger_entries (community_id, seq, type, payload, actor, recorded_at, leaf_hash, entry_id) values ${entryRows})`,
  ];
  if (nodeCount > 0) {
    const nodeRows = Array.from({ length: nodeCount }, () => '(?, ?, ?, ?)').join(', ');
    parts.push(`, inserted_nodes as (insert into ledger_tree_nodes (community_id, level, node_index, hash) values ${nodeRows})`);
  }
  parts.push(`, integrated as (delete from ledger_pending where id in (${Array.from({ length: entryCount }, () => '?').join(', ')}))`);
  const headRows = Array.from({ length: headCount }, () => '(?::uuid, ?::bigint, ?::bytea)').join(', ');
  parts.push(
    ` update ledger_heads h set tree_size = v.tree_size, frontier = v.frontier, updated_at = now()
        from (values ${headRows}) as v (community_id, tree_size, frontier) where h.community_id = v.community_id`,
  );
  return parts.join('');
}

/**
 * Sequences everything of the community that is pending and committed now, batch after
 * batch; waits for another integrator holding the head. Returns how many it sequenced.
 * For tests, commands, and readers that need a seq now.
 */
export async function integratePending(em: SqlEntityManager, communityId: string): Promise<number> {
  let total = 0;
  for (;;) {
    const batch = await integrateBatch(em, communityId);
    total += batch.integrated;
    if (batch.integrated < MAX_INTEGRATION_BATCH) return total;
  }
}

/** Communities that have pending entries (at most `limit`). */
export async function communitiesWithPending(em: SqlEntityManager, limit = 100): Promise<string[]> {
  const rows: Array<{ community_id: string }> = await em.execute(
    'select community_id from ledger_pending group by community_id limit ?',
    [limit],
  );
  return rows.map((row) => row.community_id);
}

/** How many entries of a community are accepted but not yet sequenced. */
export async function pendingCount(em: SqlEntityManager, communityId: string): Promise<number> {
  const rows: Array<{ count: unknown }> = await em.execute('select count(*) as count from ledger_pending where community_id = ?', [communityId]);
  return toSafeNumber(rows[0]!.count);
}

/**
 * The sequence number of an entry accepted under `entryId` at `time` (both returned by
 * appendEntry; the time makes the lookup an index read). If it is still pending (and
 * committed), integrates the community first. Throws when no such entry is committed.
 * `em` must not be inside a transaction that holds the pending row uncommitted.
 */
export async function sequenceOfEntry(em: SqlEntityManager, communityId: string, entryId: number, time: Date): Promise<number> {
  const find = async () => {
    const rows: Array<{ seq: unknown }> = await em.execute(
      'select seq from ledger_entries where community_id = ? and recorded_at = ? and entry_id = ?',
      [communityId, time, entryId],
    );
    return rows[0] ? toSafeNumber(rows[0].seq) : undefined;
  };
  let seq = await find();
  if (seq === undefined) {
    await integratePending(em, communityId);
    seq = await find();
  }
  if (seq === undefined) throw new Error(`ledger entry ${entryId} of ${communityId} is not committed`);
  return seq;
}

export interface LedgerIntegratorOptions {
  /** A fresh EntityManager fork per community integration. */
  forkEntityManager: () => SqlEntityManager;
  /** How often to look for pending entries when not nudged (default 50 ms). */
  intervalMs?: number;
  /** Transactions (chunks of up to 64 communities) run at once, each on its own connection; default 2. */
  concurrency?: number;
  /**
   * After a nudge or a pass that did work, wait this long before the next pass (default
   * 5 ms), so that under load a batch collects the appends of several commits: fewer,
   * larger integration transactions. Bounds the added latency of a nudged append.
   */
  batchDelayMs?: number;
  onIntegrated?: (batch: IntegrationBatch) => void;
  onError?: (error: unknown) => void;
  /**
   * True while units of work of this process are integrating what they appended, right
   * after their commits (TransactionRunner#integrating): then a poll that would only race
   * them for the head is skipped, up to MAX_SKIPPED_POLLS in a row, so what they do not
   * cover (appends outside a runner, a failed pass) still waits at most that many intervals.
   */
  integratingElsewhere?: () => boolean;
}

/** Consecutive polls the background integrator skips while units of work integrate after their commits. */
export const MAX_SKIPPED_POLLS = 9;

export interface LedgerIntegrator {
  /** Asks for a pass within `batchDelayMs` (e.g. after appends committed outside a transaction runner). */
  nudge(): void;
  /** Resolves when nothing is pending that was committed before the call (for tests). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * One pass: integrates every community with pending rows, in chunks of communities that
 * each cost one transaction, `concurrency` transactions at once; true if it did any work.
 */
async function integrationPass(options: LedgerIntegratorOptions, concurrency: number): Promise<boolean> {
  const communities = await communitiesWithPending(options.forkEntityManager(), 1_000);
  const chunks: string[][] = [];
  for (let start = 0; start < communities.length; start += COMMUNITIES_PER_TRANSACTION) chunks.push(communities.slice(start, start + COMMUNITIES_PER_TRANSACTION));
  let worked = false;
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, chunks.length) }, async () => {
      for (let index = next++; index < chunks.length; index = next++) {
        try {
          for (const batch of await integrateCommunities(options.forkEntityManager(), chunks[index]!, { skipLocked: true })) {
            if (batch.integrated === 0) continue;
            worked = true;
            options.onIntegrated?.(batch);
          }
        } catch (error) {
          options.onError?.(error);
        }
      }
    }),
  );
  return worked;
}

/**
 * Runs passes one at a time: after `intervalMs` when idle, after `batchDelayMs` when the
 * last pass did work or a nudge arrived, so that under load a pass collects the appends
 * of several commits.
 */
class PassScheduler {
  readonly #pass: () => Promise<boolean>;
  readonly #intervalMs: number;
  readonly #batchDelayMs: number;
  readonly #onError: ((error: unknown) => void) | undefined;
  readonly #skipPoll: () => boolean;
  #skippedPolls = 0;
  /** Whether the pending timer is an idle poll (not a nudge, nor a pass right after work). */
  #polling = false;
  #stopped = false;
  #running: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #dueAt = Number.POSITIVE_INFINITY;

  constructor(
    pass: () => Promise<boolean>,
    timing: { intervalMs: number; batchDelayMs: number },
    onError: ((error: unknown) => void) | undefined,
    skipPoll: () => boolean = () => false,
  ) {
    this.#pass = pass;
    this.#intervalMs = timing.intervalMs;
    this.#batchDelayMs = timing.batchDelayMs;
    this.#onError = onError;
    this.#skipPoll = skipPoll;
  }

  /** Makes sure a pass starts within `delayMs` (keeps an earlier one); `poll`: an idle poll, which may be skipped. */
  schedule(delayMs: number, poll = false): void {
    if (this.#stopped) return;
    const at = performance.now() + delayMs;
    if (this.#timer !== undefined && this.#dueAt <= at) return;
    clearTimeout(this.#timer);
    this.#polling = poll;
    this.#dueAt = at;
    this.#timer = setTimeout(() => this.#tick(), delayMs);
    this.#timer.unref();
  }

  nudge(): void {
    if (this.#stopped) return;
    if (this.#running) this.#again = true;
    else this.schedule(this.#batchDelayMs);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (this.#running) await this.#running;
  }

  #tick(): void {
    this.#timer = undefined;
    this.#dueAt = Number.POSITIVE_INFINITY;
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    if (this.#polling && this.#skippedPolls < MAX_SKIPPED_POLLS && this.#skipPoll()) {
      this.#skippedPolls += 1;
      this.schedule(this.#intervalMs, true);
      return;
    }
    this.#skippedPolls = 0;
    this.#again = false;
    this.#running = this.#pass()
      .catch((error: unknown) => {
        this.#onError?.(error);
        return false;
      })
      .then((worked) => {
        this.#running = undefined;
        // Keep going while there is work (batches grow under load); otherwise wait.
        if (worked || this.#again) this.schedule(this.#batchDelayMs);
        else this.schedule(this.#intervalMs, true);
      });
  }
}

/**
 * Runs the integrator in the background. Every server instance runs one; SKIP LOCKED on
 * the head lets one of them integrate a community while the others move on.
 */
export function startLedgerIntegrator(options: LedgerIntegratorOptions): LedgerIntegrator {
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const scheduler = new PassScheduler(
    () => integrationPass(options, concurrency),
    { intervalMs: options.intervalMs ?? 50, batchDelayMs: Math.max(0, options.batchDelayMs ?? 5) },
    options.onError,
    options.integratingElsewhere,
  );
  scheduler.schedule(0);
  return {
    nudge: () => scheduler.nudge(),
    async drain() {
      for (;;) {
        const em = options.forkEntityManager();
        const communities = await communitiesWithPending(em, 1_000);
        if (communities.length === 0) return;
        for (const communityId of communities) await integratePending(em, communityId);
      }
    },
    stop: () => scheduler.stop(),
  };
}

/**
 * The seq of the entry a row recorded: `ledgerSeq` for rows written before the
 * integrator, otherwise looked up (and integrated first if still pending) by pending id
 * and the entry's time, which the row keeps as its own time.
 */
export function ledgerSeqOfRecord(
  em: SqlEntityManager,
  communityId: string,
  record: { ledgerSeq?: number | null | undefined; ledgerEntryId?: number | null | undefined },
  time: Date,
): Promise<number> {
  if (record.ledgerSeq != null) return Promise.resolve(record.ledgerSeq);
  if (record.ledgerEntryId == null) throw new Error('record names no ledger entry');
  return sequenceOfEntry(em.fork() as SqlEntityManager, communityId, record.ledgerEntryId, time);
}
