/**
 * Re-verifies a community's whole log from the database, trusting nothing stored
 * except the log's public key: every entry's leaf hash is recomputed from its columns,
 * the tree is rebuilt and every stored node compared, every checkpoint's root and
 * signature checked at its size, every cosignature checked against its witness key, and
 * the head compared with the rebuilt tree. The first problem found is named.
 *
 * NOTE: replaying contracts to recompute balances and tallies belongs to each contract's
 * module; this audit covers the log itself.
 */
import type { SqlEntityManager } from '../db/orm.ts';
import { parseCheckpointBody } from './checkpoint.ts';
import { verifyCosignature } from './cosignature.ts';
import { hash } from 'node:crypto';
import { entryLeafBytes, type JsonObject } from './entry-encoding.ts';
import { fastEntryLeafBytes } from './fast-canonical-json.ts';
import { findLogKey } from './log-keys.ts';
import { equalBytes, leafHash, toHex } from './merkle-hash.ts';
import { appendToFrontier, rootFromFrontier, type StoredNode } from './merkle-tree.ts';
import { noteHasValidSignature, parseNote } from './signed-note.ts';
import { splitHashes, toBytes, toSafeNumber } from './sql-values.ts';
import { listWitnesses } from './witnesses.ts';

export type AuditProblemKind = 'entry' | 'node' | 'checkpoint' | 'cosignature' | 'head' | 'log-key';

export interface AuditProblem {
  kind: AuditProblemKind;
  /** The entry's sequence number, for entry problems. */
  seq?: number;
  /** The checkpoint's tree size, for checkpoint and cosignature problems. */
  treeSize?: number;
  /** "level:index" for node problems, the key name for cosignature problems. */
  reference?: string;
  message: string;
}

export interface AuditProgress {
  verifiedEntries: number;
  totalEntries: number;
}

export interface AuditReport {
  communityId: string;
  ok: boolean;
  treeSize: number;
  checkpointsVerified: number;
  cosignaturesVerified: number;
  rootHash: Uint8Array;
  /** In log order; the first is the earliest problem. At most MAX_AUDIT_PROBLEMS. */
  problems: AuditProblem[];
}

export const AUDIT_PAGE_SIZE = 10_000;
export const MAX_AUDIT_PROBLEMS = 100;

interface EntryRow {
  seq: unknown;
  type: string;
  payload: JsonObject;
  actor: string;
  time_ms: unknown;
  leaf_hash: unknown;
}

interface CheckpointRow {
  tree_size: unknown;
  root_hash: unknown;
  note: string;
}

const LEAF_PREFIX = new Uint8Array([0x00]);

/** RFC 9162 leaf hash with Node's native SHA-256: the audit runs on Node, and hashing is its hot loop. */
function nodeLeafHash(leafBytes: Uint8Array): Uint8Array {
  const input = new Uint8Array(leafBytes.length + 1);
  input.set(LEAF_PREFIX, 0);
  input.set(leafBytes, 1);
  return new Uint8Array(hash('sha256', input, 'buffer'));
}

class ProblemList {
  readonly items: AuditProblem[] = [];

  add(problem: AuditProblem): void {
    if (this.items.length < MAX_AUDIT_PROBLEMS) this.items.push(problem);
  }
}

export async function auditLog(
  em: SqlEntityManager,
  communityId: string,
  onProgress?: (progress: AuditProgress) => void,
): Promise<AuditReport> {
  const problems = new ProblemList();
  const logKey = await findLogKey(em, communityId);
  const heads: Array<{ tree_size: unknown; frontier: unknown }> = await em.execute(
    'select tree_size, frontier from ledger_heads where community_id = ?',
    [communityId],
  );
  const headSize = heads[0] ? toSafeNumber(heads[0].tree_size) : 0;
  const counts: Array<{ total: unknown }> = await em.execute('select count(*) as total from ledger_entries where community_id = ?', [communityId]);
  const totalEntries = toSafeNumber(counts[0]!.total);
  const checkpoints: CheckpointRow[] = await em.execute(
    'select tree_size, root_hash, note from ledger_checkpoints where community_id = ? order by tree_size',
    [communityId],
  );
  if (checkpoints.length > 0 && !logKey) problems.add({ kind: 'log-key', message: 'checkpoints exist but the log key is missing' });
  let checkpointPosition = 0;
  let checkpointsVerified = 0;
  const verifyCheckpointsAt = (size: number, frontier: Uint8Array[]) => {
    while (checkpointPosition < checkpoints.length && toSafeNumber(checkpoints[checkpointPosition]!.tree_size) === size) {
      if (verifyCheckpoint(checkpoints[checkpointPosition]!, rootFromFrontier(frontier), logKey, problems)) checkpointsVerified++;
      checkpointPosition++;
    }
  };

  let frontier: Uint8Array[] = [];
  let expectedSeq = 0;
  verifyCheckpointsAt(0, frontier);
  // Pages are fetched one ahead, so the database works while this process hashes.
  let nextPage = loadPage(em, communityId, 0);
  for (;;) {
    const { rows, storedNodes } = await nextPage;
    if (rows.length === 0) break;
    const lastSeq = toSafeNumber(rows[rows.length - 1]!.seq);
    nextPage = loadPage(em, communityId, lastSeq + 1);
    for (const row of rows) {
      const seq = toSafeNumber(row.seq);
      if (seq !== expectedSeq) {
        problems.add({ kind: 'entry', seq: expectedSeq, message: `entry ${expectedSeq} is missing (next stored entry is ${seq})` });
        return finish();
      }
      const entry = { seq, type: row.type, payload: row.payload, actor: row.actor, time: new Date(toSafeNumber(row.time_ms)) };
      const stored = toBytes(row.leaf_hash);
      let computed = nodeLeafHash(fastEntryLeafBytes(entry));
      if (!equalBytes(computed, stored)) {
        // The package defines the encoding; the fast path only saves time.
        computed = leafHash(entryLeafBytes(entry));
        if (!equalBytes(computed, stored)) problems.add({ kind: 'entry', seq, message: `entry ${seq} does not match its leaf hash` });
      }
      const next = appendToFrontier(frontier, seq, computed);
      frontier = next.frontier;
      compareNodes(next.completed, storedNodes, problems);
      expectedSeq = seq + 1;
      verifyCheckpointsAt(expectedSeq, frontier);
    }
    onProgress?.({ verifiedEntries: expectedSeq, totalEntries });
  }
  return finish();

  async function finish(): Promise<AuditReport> {
    const treeSize = expectedSeq;
    if (treeSize !== headSize) {
      problems.add({ kind: 'head', seq: Math.min(treeSize, headSize), message: `the head says ${headSize} entries but ${treeSize} verify in sequence` });
    } else if (heads[0] && !splitHashes(toBytes(heads[0].frontier)).every((hash, index) => frontier[index] && equalBytes(hash, frontier[index]))) {
      problems.add({ kind: 'head', message: 'the head frontier does not match the rebuilt tree' });
    }
    for (const checkpoint of checkpoints.slice(checkpointPosition)) {
      problems.add({ kind: 'checkpoint', treeSize: toSafeNumber(checkpoint.tree_size), message: 'checkpoint is larger than the verified log' });
    }
    const stray: Array<{ level: unknown; node_index: unknown }> = await em.execute(
      `select level, node_index from ledger_tree_nodes where community_id = ? and ((node_index + 1) << level) > ? limit 1`,
      [communityId, treeSize],
    );
    if (stray[0]) problems.add({ kind: 'node', reference: `${stray[0].level}:${stray[0].node_index}`, message: 'tree node lies beyond the verified log' });
    const cosignaturesVerified = await verifyCosignatures(em, communityId, checkpoints, problems);
    onProgress?.({ verifiedEntries: treeSize, totalEntries });
    return {
      communityId,
      ok: problems.items.length === 0,
      treeSize,
      checkpointsVerified,
      cosignaturesVerified,
      rootHash: rootFromFrontier(frontier),
      problems: problems.items,
    };
  }
}

async function loadPage(em: SqlEntityManager, communityId: string, fromSeq: number): Promise<{ rows: EntryRow[]; storedNodes: Map<string, Uint8Array> }> {
  const rows: EntryRow[] = await em.execute(
    `select seq, type, payload, actor, (extract(epoch from recorded_at) * 1000)::int8 as time_ms, leaf_hash
       from ledger_entries where community_id = ? and seq >= ? order by seq limit ?`,
    [communityId, fromSeq, AUDIT_PAGE_SIZE],
  );
  const end = rows.length === 0 ? fromSeq : toSafeNumber(rows[rows.length - 1]!.seq) + 1;
  return { rows, storedNodes: end > fromSeq ? await loadNodes(em, communityId, fromSeq, end) : new Map() };
}

/** The nodes completed by appending leaves [start, end): node (l, i) completes with leaf (i+1)·2^l − 1. */
async function loadNodes(em: SqlEntityManager, communityId: string, start: number, end: number): Promise<Map<string, Uint8Array>> {
  const conditions: string[] = [];
  const parameters: unknown[] = [communityId];
  for (let level = 1; 2 ** level <= end; level++) {
    const width = 2 ** level;
    const first = Math.floor(start / width);
    const last = Math.floor(end / width) - 1;
    if (last < first) continue;
    conditions.push('(level = ? and node_index between ? and ?)');
    parameters.push(level, first, last);
  }
  if (conditions.length === 0) return new Map();
  const rows: Array<{ level: unknown; node_index: unknown; hash: unknown }> = await em.execute(
    `select level, node_index, hash from ledger_tree_nodes where community_id = ? and (${conditions.join(' or ')})`,
    parameters,
  );
  return new Map(rows.map((row) => [`${toSafeNumber(row.level)}:${toSafeNumber(row.node_index)}`, toBytes(row.hash)]));
}

function compareNodes(completed: readonly StoredNode[], stored: Map<string, Uint8Array>, problems: ProblemList): void {
  for (const node of completed) {
    const reference = `${node.level}:${node.index}`;
    const hash = stored.get(reference);
    if (!hash) problems.add({ kind: 'node', reference, message: `tree node ${reference} is missing` });
    else if (!equalBytes(hash, node.hash)) problems.add({ kind: 'node', reference, message: `tree node ${reference} does not match the entries` });
  }
}

function verifyCheckpoint(
  row: CheckpointRow,
  root: Uint8Array,
  logKey: { keyName: string; publicKey: Uint8Array } | undefined,
  problems: ProblemList,
): boolean {
  const treeSize = toSafeNumber(row.tree_size);
  try {
    const note = parseNote(row.note);
    const body = parseCheckpointBody(note.text);
    const problem =
      body.treeSize !== treeSize
        ? 'its note names another size'
        : !equalBytes(body.rootHash, root) || !equalBytes(toBytes(row.root_hash), root)
          ? `its root does not match the entries (expected ${toHex(root)})`
          : !logKey || body.origin !== logKey.keyName || !noteHasValidSignature(note, logKey.keyName, logKey.publicKey)
            ? 'its log signature does not verify'
            : undefined;
    if (problem) problems.add({ kind: 'checkpoint', treeSize, message: `checkpoint ${treeSize}: ${problem}` });
    return problem === undefined;
  } catch (error) {
    problems.add({ kind: 'checkpoint', treeSize, message: `checkpoint ${treeSize} is malformed: ${(error as Error).message}` });
    return false;
  }
}

async function verifyCosignatures(em: SqlEntityManager, communityId: string, checkpoints: CheckpointRow[], problems: ProblemList): Promise<number> {
  const witnesses = new Map((await listWitnesses(em, communityId)).map((witness) => [witness.keyName, witness]));
  const bodies = new Map(checkpoints.map((row) => [toSafeNumber(row.tree_size), row.note]));
  const rows: Array<{ tree_size: unknown; key_name: string; timestamp_seconds: unknown; signature: unknown }> = await em.execute(
    `select tree_size, key_name, timestamp_seconds, signature from ledger_cosignatures
      where community_id = ? order by tree_size, key_name`,
    [communityId],
  );
  let verified = 0;
  for (const row of rows) {
    const treeSize = toSafeNumber(row.tree_size);
    const note = bodies.get(treeSize);
    const witness = witnesses.get(row.key_name);
    const cosignature = { keyName: row.key_name, timestampSeconds: toSafeNumber(row.timestamp_seconds), signature: toBytes(row.signature) };
    let text: string | undefined;
    try {
      text = note === undefined ? undefined : parseNote(note).text;
    } catch {
      text = undefined;
    }
    if (text === undefined || !witness || !verifyCosignature(text, cosignature, witness.publicKey)) {
      problems.add({ kind: 'cosignature', treeSize, reference: row.key_name, message: `cosignature by ${row.key_name} on checkpoint ${treeSize} does not verify` });
    } else {
      verified++;
    }
  }
  return verified;
}
