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
import { entryLeafBytes, entryLeafText, fastCanonicalJson, type JsonObject } from './entry-encoding.ts';
import { checkpointSignatureProblem, keyIdOf, logKeyVersions, type LogKeyVersion } from './log-keys.ts';
import { LOG_KEY_ROTATED } from './log-key-rotation.ts';
import { EMPTY_TREE_ROOT, equalBytes, leafHash, toHex } from './merkle-hash.ts';
import { parseNote } from './signed-note.ts';
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

/** Every key the log has had, oldest first, each with the checkpoint sizes it may sign. */
type LogKeys = readonly LogKeyVersion[];

/** What the audit reads before the entries. */
interface AuditInputs {
  logKeys: LogKeys;
  witnesses: ReadonlyArray<{ keyName: string; publicKey: Uint8Array }>;
  /** The head row's size and frontier, if the log has a head. */
  head: { size: number; frontier: Uint8Array } | undefined;
  totalEntries: number;
  checkpoints: CheckpointRow[];
}

/** The rebuilt tree so far: its size, and its compact range (one hash per set bit of the size, largest first). */
interface RebuiltTree {
  size: number;
  frontier: Buffer[];
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
  const inputs = await readAuditInputs(source, em, communityId);
  if (inputs.checkpoints.length > 0 && inputs.logKeys.length === 0) problems.add({ kind: 'log-key', message: 'checkpoints exist but the log key is missing' });
  const checkpoints = new CheckpointWalk(inputs.checkpoints, inputs.logKeys, problems);
  const tree: RebuiltTree = { size: 0, frontier: [] };
  checkpoints.reach(tree);
  await rebuildTree(source, communityId, tree, checkpoints, problems, (verifiedEntries) =>
    onProgress?.({ verifiedEntries, totalEntries: inputs.totalEntries }),
  );
  await checkLogEnd(source, communityId, inputs, tree, checkpoints, problems);
  await checkRotations(em, communityId, inputs.logKeys, inputs.checkpoints, problems);
  const cosignaturesVerified = await verifyCosignatures(source, communityId, inputs.witnesses, inputs.checkpoints, problems);
  onProgress?.({ verifiedEntries: tree.size, totalEntries: inputs.totalEntries });
  return {
    communityId,
    ok: problems.items.length === 0,
    treeSize: tree.size,
    checkpointsVerified: checkpoints.verified,
    cosignaturesVerified,
    rootHash: rootOf(tree.frontier),
    problems: problems.items,
  };
}

async function readAuditInputs(source: AuditSource, em: SqlEntityManager, communityId: string): Promise<AuditInputs> {
  const logKeys = await logKeyVersions(em, communityId);
  const witnesses = await listWitnesses(em, communityId);
  const heads = await source.query('select tree_size, frontier from ledger_heads where community_id = ?', [communityId]);
  const counts = await source.query('select count(*) from ledger_entries where community_id = ?', [communityId]);
  const checkpoints: CheckpointRow[] = (
    await source.query('select tree_size, root_hash, note from ledger_checkpoints where community_id = ? order by tree_size', [communityId])
  ).map(([tree_size, root_hash, note]) => ({ tree_size, root_hash, note: note as string }));
  return {
    logKeys,
    witnesses,
    head: heads[0] ? { size: toSafeNumber(heads[0][0]), frontier: byteaValue(heads[0][1]) } : undefined,
    totalEntries: toSafeNumber(counts[0]![0]),
    checkpoints,
  };
}

/** Verifies each checkpoint when the rebuilt tree reaches its size. */
class CheckpointWalk {
  verified = 0;
  #position = 0;
  #nextSize: number;
  readonly #checkpoints: CheckpointRow[];
  readonly #logKeys: LogKeys;
  readonly #problems: ProblemList;

  constructor(checkpoints: CheckpointRow[], logKeys: LogKeys, problems: ProblemList) {
    this.#checkpoints = checkpoints;
    this.#logKeys = logKeys;
    this.#problems = problems;
    this.#nextSize = this.#sizeAt(0);
  }

  /** The size of the next checkpoint to verify, or −1 when none is left. */
  get nextSize(): number {
    return this.#nextSize;
  }

  /** Checkpoints larger than the verified log. */
  get unreached(): CheckpointRow[] {
    return this.#checkpoints.slice(this.#position);
  }

  reach(tree: RebuiltTree): void {
    while (this.#nextSize === tree.size) {
      if (verifyCheckpoint(this.#checkpoints[this.#position]!, rootOf(tree.frontier), this.#logKeys, this.#problems)) this.verified++;
      this.#position++;
      this.#nextSize = this.#sizeAt(this.#position);
    }
  }

  #sizeAt(position: number): number {
    return position < this.#checkpoints.length ? toSafeNumber(this.#checkpoints[position]!.tree_size) : -1;
  }
}

/**
 * Rebuilds the tree from the entries, page by page. Pages are fixed seq ranges, requested
 * one ahead, so the database works while this process hashes; a page that comes back
 * short ends the log (or shows a gap).
 */
async function rebuildTree(
  source: AuditSource,
  communityId: string,
  tree: RebuiltTree,
  checkpoints: CheckpointWalk,
  problems: ProblemList,
  onPage: (verifiedEntries: number) => void,
): Promise<void> {
  let nextPage = loadPage(source, communityId, 0);
  for (;;) {
    const page = await nextPage;
    const complete = page.rows.length === page.end - page.start;
    if (complete) nextPage = loadPage(source, communityId, page.end);
    if (!appendPage(page, tree, checkpoints, problems)) return;
    onPage(tree.size);
    if (!complete) {
      // A short page: the log ends here unless later entries exist past a gap.
      const later = await source.query('select min(seq) from ledger_entries where community_id = ? and seq >= ?', [communityId, tree.size]);
      const next = later[0]?.[0];
      if (next !== null && next !== undefined) {
        problems.add({ kind: 'entry', seq: tree.size, message: `entry ${tree.size} is missing (next stored entry is ${toSafeNumber(next)})` });
      }
      return;
    }
  }
}

/** Appends a page's entries to the tree; false when an entry is missing (the walk stops there). */
function appendPage(page: Page, tree: RebuiltTree, checkpoints: CheckpointWalk, problems: ProblemList): boolean {
  for (const row of page.rows) {
    const seq = toSafeNumber(row[0]);
    if (seq !== tree.size) {
      problems.add({ kind: 'entry', seq: tree.size, message: `entry ${tree.size} is missing (next stored entry is ${seq})` });
      return false;
    }
    appendLeaf(tree, verifiedLeaf(row, seq, problems), page.nodes, problems);
    if (checkpoints.nextSize === tree.size) checkpoints.reach(tree);
  }
  return true;
}

/** The entry's leaf hash, recomputed from its columns; a mismatch with the stored hash is named. */
function verifiedLeaf(row: EntryRow, seq: number, problems: ProblemList): Buffer {
  const timeMs = toSafeNumber(row[4]);
  const stored = byteaValue(row[5]);
  const time = isoTime(timeMs);
  if (time === undefined) {
    problems.add({ kind: 'entry', seq, message: `entry ${seq} has a time no entry can have, so it does not match its leaf hash` });
    return stored;
  }
  const leaf = hash('sha256', `\u0000${entryLeafText(seq, row[1], fastCanonicalJson(row[2]), row[3], time)}`, 'buffer');
  if (stored.equals(leaf)) return leaf;
  // The canonicalize package defines the encoding; the fast path only saves time.
  const defined = Buffer.from(leafHash(entryLeafBytes({ seq, type: row[1], payload: row[2], actor: row[3], time: new Date(timeMs) })));
  if (!equalBytes(defined, stored)) problems.add({ kind: 'entry', seq, message: `entry ${seq} does not match its leaf hash` });
  return defined;
}

/** Appends leaf `tree.size`: merging equal subtrees completes stored nodes, each compared with the page's. */
function appendLeaf(tree: RebuiltTree, leaf: Buffer, nodes: PageNodes, problems: ProblemList): void {
  let node = leaf;
  let level = 0;
  let index = tree.size;
  while (index % 2 === 1) {
    node = interiorHash(tree.frontier.pop()!, node);
    level += 1;
    index = (index - 1) / 2;
    const storedNode = nodes.hashes[level]?.[index - nodes.first[level]!];
    if (storedNode === undefined || !storedNode.equals(node)) {
      const reference = `${level}:${index}`;
      problems.add({ kind: 'node', reference, message: storedNode === undefined ? `tree node ${reference} is missing` : `tree node ${reference} does not match the entries` });
    }
  }
  tree.frontier.push(node);
  tree.size += 1;
}

/** What only the end of the walk shows: the head, checkpoints beyond the log, nodes beyond it. */
async function checkLogEnd(
  source: AuditSource,
  communityId: string,
  inputs: AuditInputs,
  tree: RebuiltTree,
  checkpoints: CheckpointWalk,
  problems: ProblemList,
): Promise<void> {
  const headSize = inputs.head?.size ?? 0;
  if (tree.size !== headSize) {
    problems.add({ kind: 'head', seq: Math.min(tree.size, headSize), message: `the head says ${headSize} entries but ${tree.size} verify in sequence` });
  } else if (inputs.head && !splitHashes(inputs.head.frontier).every((hash, index) => tree.frontier[index] && equalBytes(hash, tree.frontier[index]))) {
    problems.add({ kind: 'head', message: 'the head frontier does not match the rebuilt tree' });
  }
  for (const checkpoint of checkpoints.unreached) {
    problems.add({ kind: 'checkpoint', treeSize: toSafeNumber(checkpoint.tree_size), message: 'checkpoint is larger than the verified log' });
  }
  const stray = await source.query(
    `select level, node_index from ledger_tree_nodes where community_id = ? and ((node_index + 1) << level) > ? limit 1`,
    [communityId, tree.size],
  );
  if (stray[0]) problems.add({ kind: 'node', reference: `${toSafeNumber(stray[0][0])}:${toSafeNumber(stray[0][1])}`, message: 'tree node lies beyond the verified log' });
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

function verifyCheckpoint(row: CheckpointRow, root: Uint8Array, logKeys: LogKeys, problems: ProblemList): boolean {
  const treeSize = toSafeNumber(row.tree_size);
  try {
    const note = parseNote(row.note);
    const body = parseCheckpointBody(note.text);
    const problem =
      body.treeSize !== treeSize
        ? 'its note names another size'
        : !equalBytes(body.rootHash, root) || !equalBytes(byteaValue(row.root_hash), root)
          ? `its root does not match the entries (expected ${toHex(root)})`
          : logKeys.length === 0 || logKeys.some((key) => key.keyName !== body.origin)
            ? 'its log signature does not verify'
            : checkpointSignatureProblem(note, treeSize, logKeys);
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

/**
 * Each retired log key hands over to the next in sequence: the next key is valid from the
 * size after the retired one's last, its announcement (`ledger.log-key-rotated` with its
 * key id) lies within the retired key's last checkpoint, and that checkpoint exists.
 */
async function checkRotations(em: SqlEntityManager, communityId: string, logKeys: LogKeys, checkpoints: CheckpointRow[], problems: ProblemList): Promise<void> {
  const sizes = new Set(checkpoints.map((row) => toSafeNumber(row.tree_size)));
  for (let index = 0; index + 1 < logKeys.length; index++) {
    const retired = logKeys[index]!;
    const next = logKeys[index + 1]!;
    const last = retired.validToSize!;
    const announced: unknown[] = await em.execute(
      "select 1 from ledger_entries where community_id = ? and type = ? and seq = ? and payload->>'keyId' = ? and payload->>'previousKeyId' = ? limit 1",
      [communityId, LOG_KEY_ROTATED, last - 1, keyIdOf(next), keyIdOf(retired)],
    );
    const problem =
      next.validFromSize !== last + 1
        ? `log key ${keyIdOf(next)} is valid from ${next.validFromSize}, not right after ${keyIdOf(retired)}'s last size ${last}`
        : !sizes.has(last)
          ? `log key ${keyIdOf(retired)} has no checkpoint at its last size ${last}`
          : announced.length === 0
            ? `log key ${keyIdOf(next)} was not announced by the last entry of ${keyIdOf(retired)}'s last checkpoint (seq ${last - 1})`
            : undefined;
    if (problem) problems.add({ kind: 'log-key', treeSize: last, message: problem });
  }
}
