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
import { byteaValue, openAuditSource, type AuditSource } from './audit-reader.ts';
import { entryLeafBytes, type JsonObject } from './entry-encoding.ts';
import { findLogKey } from './log-keys.ts';
import { EMPTY_TREE_ROOT, equalBytes, leafHash, toHex } from './merkle-hash.ts';
import { noteHasValidSignature, parseNote } from './signed-note.ts';
import { splitHashes, toSafeNumber } from './sql-values.ts';
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

export const AUDIT_PAGE_SIZE = 20_000;
export const MAX_AUDIT_PROBLEMS = 100;

interface CheckpointRow {
  tree_size: unknown;
  root_hash: unknown;
  note: string;
}

/** One page of entries, seq order, as arrays: seq, type, payload, actor, time_ms, leaf_hash. */
type EntryRow = [seq: unknown, type: string, payload: JsonObject, actor: string, timeMs: unknown, leafHash: unknown];

/** Stored nodes completed by a page's leaves, by level: hashes[level][index − first[level]]. */
interface PageNodes {
  first: number[];
  hashes: Array<Array<Buffer | undefined>>;
}

interface Page {
  start: number;
  end: number;
  rows: EntryRow[];
  nodes: PageNodes;
}

/**
 * RFC 8785 text of an entry, for the hot loop. RFC 8785 defines strings and numbers by
 * ECMAScript's JSON.stringify and orders object keys by UTF-16 code units, which is what
 * Array.prototype.sort does; so for plain JSON values read back from the database this is
 * the `canonicalize` package's text. The package stays the definition: a mismatch is only
 * reported after re-checking with it, so a divergence here could cost speed, never a
 * false alarm (nor a missed one: a leaf passes only if its stored hash matches).
 */
function canonicalValue(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) {
    let text = '[';
    for (let position = 0; position < value.length; position++) text += (position === 0 ? '' : ',') + canonicalValue(value[position]);
    return `${text}]`;
  }
  const record = value as Record<string, unknown>;
  const { sorted, prefixes } = keyOrder(Object.keys(record));
  let text = '';
  for (let position = 0; position < sorted.length; position++) text += prefixes[position]! + canonicalValue(record[sorted[position]!]);
  return `${sorted.length === 0 ? '{' : text}}`;
}

/**
 * Sorted keys with their `{"key":` / `,"key":` prefixes, remembered for the last few key
 * lists seen: a log's payloads come in a handful of shapes, so sorting and quoting keys
 * once per shape rather than once per entry saves much of the encoding time.
 */
interface KeyOrder {
  keys: string[];
  sorted: string[];
  prefixes: string[];
}
const keyOrders: KeyOrder[] = [];
const MAX_KEY_ORDERS = 16;

function keyOrder(keys: string[]): KeyOrder {
  search: for (const order of keyOrders) {
    if (order.keys.length !== keys.length) continue;
    for (let position = 0; position < keys.length; position++) if (order.keys[position] !== keys[position]) continue search;
    return order;
  }
  const sorted = [...keys].sort();
  const order = { keys, sorted, prefixes: sorted.map((key, position) => `${position === 0 ? '{' : ','}${JSON.stringify(key)}:`) };
  if (keyOrders.length >= MAX_KEY_ORDERS) keyOrders.pop();
  keyOrders.unshift(order);
  return order;
}

/** The last entry's time and its ISO text: entries appended together share a time. */
let lastTimeMs = Number.NaN;
let lastTimeText = '';
/** ISO-8601 text of a time, or undefined beyond what a Date can hold (then no leaf can match). */
function isoTime(timeMs: number): string | undefined {
  if (timeMs !== lastTimeMs) {
    const time = new Date(timeMs);
    if (Number.isNaN(time.getTime())) return undefined;
    lastTimeText = time.toISOString();
    lastTimeMs = timeMs;
  }
  return lastTimeText;
}

/** The leaf hash input as a string: 0x00 then the entry's RFC 8785 text (UTF-8 when hashed). */
function leafHashInput(seq: number, type: string, payload: unknown, actor: string, time: string): string {
  return `\u0000{"actor":${JSON.stringify(actor)},"payload":${canonicalValue(payload)},"seq":${seq},"time":"${time}","type":${JSON.stringify(type)}}`;
}

/** RFC 9162 hashes with Node's native SHA-256: hashing is the audit's hot loop. */
const nodeInput = Buffer.alloc(65, 0x01);
function interiorHash(left: Uint8Array, right: Uint8Array): Buffer {
  nodeInput.set(left, 1);
  nodeInput.set(right, 33);
  return hash('sha256', nodeInput, 'buffer');
}

function rootOf(frontier: readonly Uint8Array[]): Uint8Array {
  if (frontier.length === 0) return EMPTY_TREE_ROOT;
  let root = frontier[frontier.length - 1]!;
  for (let position = frontier.length - 2; position >= 0; position--) root = interiorHash(frontier[position]!, root);
  return new Uint8Array(root);
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
  // The snapshot opens first: keys and witnesses are append-only, so reading them after it
  // sees everything the snapshot's checkpoints and cosignatures can refer to.
  const source = await openAuditSource(em);
  try {
    return await runAudit(source, em, communityId, onProgress);
  } finally {
    await source.close();
  }
}

async function runAudit(
  source: AuditSource,
  em: SqlEntityManager,
  communityId: string,
  onProgress: ((progress: AuditProgress) => void) | undefined,
): Promise<AuditReport> {
  const problems = new ProblemList();
  const logKey = await findLogKey(em, communityId);
  const witnessList = await listWitnesses(em, communityId);
  const heads = await source.query('select tree_size, frontier from ledger_heads where community_id = ?', [communityId]);
  const headSize = heads[0] ? toSafeNumber(heads[0][0]) : 0;
  const counts = await source.query('select count(*) from ledger_entries where community_id = ?', [communityId]);
  const totalEntries = toSafeNumber(counts[0]![0]);
  const checkpoints: CheckpointRow[] = (
    await source.query('select tree_size, root_hash, note from ledger_checkpoints where community_id = ? order by tree_size', [communityId])
  ).map(([tree_size, root_hash, note]) => ({ tree_size, root_hash, note: note as string }));
  if (checkpoints.length > 0 && !logKey) problems.add({ kind: 'log-key', message: 'checkpoints exist but the log key is missing' });
  let checkpointPosition = 0;
  let checkpointsVerified = 0;
  let nextCheckpointSize = checkpoints.length > 0 ? toSafeNumber(checkpoints[0]!.tree_size) : -1;
  const verifyCheckpointsAt = (size: number, frontier: readonly Uint8Array[]) => {
    while (nextCheckpointSize === size) {
      if (verifyCheckpoint(checkpoints[checkpointPosition]!, rootOf(frontier), logKey, problems)) checkpointsVerified++;
      checkpointPosition++;
      nextCheckpointSize = checkpointPosition < checkpoints.length ? toSafeNumber(checkpoints[checkpointPosition]!.tree_size) : -1;
    }
  };

  // The compact range of the rebuilt tree: one hash per set bit of its size, largest first.
  const frontier: Buffer[] = [];
  let expectedSeq = 0;
  verifyCheckpointsAt(0, frontier);
  // Pages are fixed seq ranges, requested one ahead, so the database works while this
  // process hashes; a page that comes back short ends the log (or shows a gap).
  let nextPage = loadPage(source, communityId, 0);
  pages: for (;;) {
    const page = await nextPage;
    const complete = page.rows.length === page.end - page.start;
    if (complete) nextPage = loadPage(source, communityId, page.end);
    const { first, hashes } = page.nodes;
    for (const row of page.rows) {
      const seq = toSafeNumber(row[0]);
      if (seq !== expectedSeq) {
        problems.add({ kind: 'entry', seq: expectedSeq, message: `entry ${expectedSeq} is missing (next stored entry is ${seq})` });
        break pages;
      }
      const timeMs = toSafeNumber(row[4]);
      const stored = byteaValue(row[5]);
      const time = isoTime(timeMs);
      let leaf: Buffer;
      if (time === undefined) {
        problems.add({ kind: 'entry', seq, message: `entry ${seq} has a time no entry can have, so it does not match its leaf hash` });
        leaf = stored;
      } else if (!stored.equals((leaf = hash('sha256', leafHashInput(seq, row[1], row[2], row[3], time), 'buffer')))) {
        // The package defines the encoding; the fast path only saves time.
        leaf = Buffer.from(leafHash(entryLeafBytes({ seq, type: row[1], payload: row[2], actor: row[3], time: new Date(timeMs) })));
        if (!equalBytes(leaf, stored)) problems.add({ kind: 'entry', seq, message: `entry ${seq} does not match its leaf hash` });
      }
      // Appending leaf `seq` merges equal subtrees; each merge completes a stored node.
      let node = leaf;
      let level = 0;
      let index = seq;
      while (index % 2 === 1) {
        node = interiorHash(frontier.pop()!, node);
        level += 1;
        index = (index - 1) / 2;
        const storedNode = hashes[level]?.[index - first[level]!];
        if (storedNode === undefined || !storedNode.equals(node)) {
          const reference = `${level}:${index}`;
          problems.add({ kind: 'node', reference, message: storedNode === undefined ? `tree node ${reference} is missing` : `tree node ${reference} does not match the entries` });
        }
      }
      frontier.push(node);
      expectedSeq = seq + 1;
      if (nextCheckpointSize === expectedSeq) verifyCheckpointsAt(expectedSeq, frontier);
    }
    onProgress?.({ verifiedEntries: expectedSeq, totalEntries });
    if (!complete) {
      // A short page: the log ends here unless later entries exist past a gap.
      const later = await source.query('select min(seq) from ledger_entries where community_id = ? and seq >= ?', [communityId, expectedSeq]);
      const next = later[0]?.[0];
      if (next !== null && next !== undefined) {
        problems.add({ kind: 'entry', seq: expectedSeq, message: `entry ${expectedSeq} is missing (next stored entry is ${toSafeNumber(next)})` });
      }
      break;
    }
  }
  return finish();

  async function finish(): Promise<AuditReport> {
    const treeSize = expectedSeq;
    if (treeSize !== headSize) {
      problems.add({ kind: 'head', seq: Math.min(treeSize, headSize), message: `the head says ${headSize} entries but ${treeSize} verify in sequence` });
    } else if (heads[0] && !splitHashes(byteaValue(heads[0][1])).every((hash, index) => frontier[index] && equalBytes(hash, frontier[index]))) {
      problems.add({ kind: 'head', message: 'the head frontier does not match the rebuilt tree' });
    }
    for (const checkpoint of checkpoints.slice(checkpointPosition)) {
      problems.add({ kind: 'checkpoint', treeSize: toSafeNumber(checkpoint.tree_size), message: 'checkpoint is larger than the verified log' });
    }
    const stray = await source.query(
      `select level, node_index from ledger_tree_nodes where community_id = ? and ((node_index + 1) << level) > ? limit 1`,
      [communityId, treeSize],
    );
    if (stray[0]) problems.add({ kind: 'node', reference: `${toSafeNumber(stray[0][0])}:${toSafeNumber(stray[0][1])}`, message: 'tree node lies beyond the verified log' });
    const cosignaturesVerified = await verifyCosignatures(source, communityId, witnessList, checkpoints, problems);
    onProgress?.({ verifiedEntries: treeSize, totalEntries });
    return {
      communityId,
      ok: problems.items.length === 0,
      treeSize,
      checkpointsVerified,
      cosignaturesVerified,
      rootHash: rootOf(frontier),
      problems: problems.items,
    };
  }
}

/** Entries [start, start + AUDIT_PAGE_SIZE) and the stored nodes they complete, in two concurrent queries. */
async function loadPage(source: AuditSource, communityId: string, start: number): Promise<Page> {
  const end = start + AUDIT_PAGE_SIZE;
  const [rows, nodes] = await Promise.all([
    source.query(
      `select seq, type, payload, actor, (extract(epoch from recorded_at) * 1000)::int8, leaf_hash
         from ledger_entries where community_id = ? and seq >= ? and seq < ? order by seq`,
      [communityId, start, end],
    ),
    loadNodes(source, communityId, start, end),
  ]);
  return { start, end, rows: rows as EntryRow[], nodes };
}

/** The nodes completed by appending leaves [start, end): node (l, i) completes with leaf (i+1)·2^l − 1. */
async function loadNodes(source: AuditSource, communityId: string, start: number, end: number): Promise<PageNodes> {
  const conditions: string[] = [];
  const parameters: unknown[] = [communityId];
  const first: number[] = [];
  const hashes: Array<Array<Buffer | undefined>> = [];
  for (let level = 1; 2 ** level <= end; level++) {
    const width = 2 ** level;
    const firstIndex = Math.floor(start / width);
    const lastIndex = Math.floor(end / width) - 1;
    if (lastIndex < firstIndex) continue;
    first[level] = firstIndex;
    hashes[level] = new Array<Buffer | undefined>(lastIndex - firstIndex + 1);
    conditions.push('(level = ? and node_index between ? and ?)');
    parameters.push(level, firstIndex, lastIndex);
  }
  if (conditions.length === 0) return { first, hashes };
  const rows = await source.query(`select level, node_index, hash from ledger_tree_nodes where community_id = ? and (${conditions.join(' or ')})`, parameters);
  for (const [level, index, hash] of rows) {
    const l = toSafeNumber(level);
    hashes[l]![toSafeNumber(index) - first[l]!] = byteaValue(hash);
  }
  return { first, hashes };
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
        : !equalBytes(body.rootHash, root) || !equalBytes(byteaValue(row.root_hash), root)
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

async function verifyCosignatures(
  source: AuditSource,
  communityId: string,
  witnessList: ReadonlyArray<{ keyName: string; publicKey: Uint8Array }>,
  checkpoints: CheckpointRow[],
  problems: ProblemList,
): Promise<number> {
  const witnesses = new Map(witnessList.map((witness) => [witness.keyName, witness]));
  const bodies = new Map(checkpoints.map((row) => [toSafeNumber(row.tree_size), row.note]));
  const rows = (
    await source.query(
      `select tree_size, key_name, timestamp_seconds, signature from ledger_cosignatures
        where community_id = ? order by tree_size, key_name`,
      [communityId],
    )
  ).map(([tree_size, key_name, timestamp_seconds, signature]) => ({ tree_size, key_name: key_name as string, timestamp_seconds, signature }));
  let verified = 0;
  for (const row of rows) {
    const treeSize = toSafeNumber(row.tree_size);
    const note = bodies.get(treeSize);
    const witness = witnesses.get(row.key_name);
    const cosignature = { keyName: row.key_name, timestampSeconds: toSafeNumber(row.timestamp_seconds), signature: byteaValue(row.signature) };
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
