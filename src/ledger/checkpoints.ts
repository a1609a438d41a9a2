/**
 * Checkpoints: signed statements of (tree size, root hash) in the C2SP tlog-checkpoint
 * format. They are cut when a community's log has grown by `checkpoint_every_entries`
 * since the last one, or `checkpoint_every_seconds` have passed with new entries —
 * whichever comes first. The entries between two consecutive checkpoints form a block.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { formatCheckpointBody } from './checkpoint.ts';
import { loadLogSigningKey, type SecretSealer } from './log-keys.ts';
import { rootFromFrontier } from './merkle-tree.ts';
import { formatNote, signNoteText } from './signed-note.ts';
import { splitHashes, toBytes, toSafeNumber } from './sql-values.ts';

export interface StoredCheckpoint {
  communityId: string;
  treeSize: number;
  rootHash: Uint8Array;
  /** The signed note with the log's signature only. */
  note: string;
  createdAt: Date;
}

/** When a log is checkpointed. How many cosignatures make one final is the community's (`communities.required_cosignatures`). */
export interface CheckpointSettings {
  checkpointEveryEntries: number;
  checkpointEverySeconds: number;
}

const MAX_CHECKPOINT_INTERVAL_SECONDS = 86_400;

interface CheckpointRow {
  community_id: string;
  tree_size: unknown;
  root_hash: unknown;
  note: string;
  created_epoch_ms: unknown;
}

const CHECKPOINT_COLUMNS = `community_id, tree_size, root_hash, note, (extract(epoch from created_at) * 1000)::int8 as created_epoch_ms`;

function toCheckpoint(row: CheckpointRow): StoredCheckpoint {
  return {
    communityId: row.community_id,
    treeSize: toSafeNumber(row.tree_size),
    rootHash: toBytes(row.root_hash),
    note: row.note,
    createdAt: new Date(toSafeNumber(row.created_epoch_ms)),
  };
}

/** Sets when checkpoints are cut. */
export async function configureLog(em: SqlEntityManager, communityId: string, settings: CheckpointSettings): Promise<void> {
  const { checkpointEveryEntries, checkpointEverySeconds } = settings;
  if (!Number.isInteger(checkpointEveryEntries) || checkpointEveryEntries < 1) throw new RangeError('checkpointEveryEntries must be a positive integer');
  if (!Number.isInteger(checkpointEverySeconds) || checkpointEverySeconds < 1 || checkpointEverySeconds > MAX_CHECKPOINT_INTERVAL_SECONDS) {
    throw new RangeError(`checkpointEverySeconds must be 1 to ${MAX_CHECKPOINT_INTERVAL_SECONDS}`);
  }
  await em.execute(
    `insert into ledger_heads (community_id, checkpoint_every_entries, checkpoint_every_seconds)
     values (?, ?, ?)
     on conflict (community_id) do update set checkpoint_every_entries = excluded.checkpoint_every_entries,
       checkpoint_every_seconds = excluded.checkpoint_every_seconds`,
    [communityId, checkpointEveryEntries, checkpointEverySeconds],
  );
}

/**
 * Signs and stores a checkpoint of the log as committed now; returns the existing one if
 * the log has not grown since. Reads the head without locking it: a committed head row is
 * always a consistent (size, frontier) pair.
 */
export async function cutCheckpoint(em: SqlEntityManager, communityId: string, sealer: SecretSealer): Promise<StoredCheckpoint> {
  const heads: Array<{ tree_size: unknown; frontier: unknown }> = await em.execute(
    'select tree_size, frontier from ledger_heads where community_id = ?',
    [communityId],
  );
  const treeSize = heads[0] ? toSafeNumber(heads[0].tree_size) : 0;
  const existing = await getCheckpoint(em, communityId, treeSize);
  if (existing) return existing;
  const rootHash = rootFromFrontier(heads[0] ? splitHashes(toBytes(heads[0].frontier)) : []);
  const key = await loadLogSigningKey(em, communityId, sealer);
  const body = formatCheckpointBody({ origin: key.keyName, treeSize, rootHash, extensions: [] });
  const note = formatNote(body, [signNoteText(body, key.keyName, key.privateKey)]);
  await em.execute(
    `insert into ledger_checkpoints (community_id, tree_size, root_hash, note, created_at)
     values (?, ?, ?, ?, now()) on conflict do nothing`,
    [communityId, treeSize, Buffer.from(rootHash), note],
  );
  return (await getCheckpoint(em, communityId, treeSize))!;
}

export async function getCheckpoint(em: SqlEntityManager, communityId: string, treeSize: number): Promise<StoredCheckpoint | undefined> {
  const rows: CheckpointRow[] = await em.execute(
    `select ${CHECKPOINT_COLUMNS} from ledger_checkpoints where community_id = ? and tree_size = ?`,
    [communityId, treeSize],
  );
  return rows[0] ? toCheckpoint(rows[0]) : undefined;
}

export async function latestCheckpoint(em: SqlEntityManager, communityId: string): Promise<StoredCheckpoint | undefined> {
  const rows: CheckpointRow[] = await em.execute(
    `select ${CHECKPOINT_COLUMNS} from ledger_checkpoints where community_id = ? order by tree_size desc limit 1`,
    [communityId],
  );
  return rows[0] ? toCheckpoint(rows[0]) : undefined;
}

/** Checkpoints in ascending size (or descending), a page at a time. */
export async function listCheckpoints(
  em: SqlEntityManager,
  communityId: string,
  options: { afterTreeSize?: number | undefined; beforeTreeSize?: number | undefined; limit: number; descending?: boolean | undefined },
): Promise<StoredCheckpoint[]> {
  const rows: CheckpointRow[] = await em.execute(
    `select ${CHECKPOINT_COLUMNS} from ledger_checkpoints where community_id = ? and tree_size > ? and tree_size < ?
      order by tree_size ${options.descending ? 'desc' : 'asc'} limit ?`,
    [
      communityId,
      options.afterTreeSize ?? -1,
      options.beforeTreeSize ?? Number.MAX_SAFE_INTEGER,
      Math.min(Math.max(options.limit, 1), 1_000),
    ],
  );
  return rows.map(toCheckpoint);
}

/** The size of the checkpoint before this one (0 for the first): its block is the entries from there to `treeSize`. */
export async function previousCheckpointSize(em: SqlEntityManager, communityId: string, treeSize: number): Promise<number> {
  const rows: Array<{ tree_size: unknown }> = await em.execute(
    'select max(tree_size) as tree_size from ledger_checkpoints where community_id = ? and tree_size < ?',
    [communityId, treeSize],
  );
  return rows[0]?.tree_size == null ? 0 : toSafeNumber(rows[0].tree_size);
}

/** Communities whose log has new entries and is due a checkpoint by size or by time. An empty log is never checkpointed. */
export async function communitiesDueCheckpoint(em: SqlEntityManager, limit = 100): Promise<string[]> {
  const rows: Array<{ community_id: string }> = await em.execute(
    `select h.community_id from ledger_heads h
       join ledger_log_keys k on k.community_id = h.community_id
       left join lateral (select c.tree_size, c.created_at from ledger_checkpoints c
                           where c.community_id = h.community_id order by c.tree_size desc limit 1) last on true
      where h.tree_size > coalesce(last.tree_size, 0)
        and (h.tree_size - coalesce(last.tree_size, 0) >= h.checkpoint_every_entries
             or coalesce(last.created_at, h.created_at) <= now() - make_interval(secs => h.checkpoint_every_seconds))
      limit ?`,
    [limit],
  );
  return rows.map((row) => row.community_id);
}
