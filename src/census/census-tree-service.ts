/**
 * Changes to a community's census trees: add a member, change a leaf's weight, remove a
 * member. Each change, in the caller's transaction:
 *
 *   1. locks the tree's `census_trees` row (SELECT … FOR UPDATE), so changes to one tree
 *      serialise across processes and two joins can never write the same path;
 *   2. rewrites the leaf's path through DatabaseNodeStore (depth + 1 node writes);
 *   3. writes the leaf row;
 *   4. appends the ledger entry (`census.join`, `census.weight`, `census.remove`) with
 *      kind, leaf index, commitment, weight, new root and its depth — never personal data;
 *   5. records the new root, its depth, size and totals in the tree row and the root
 *      history, with the pending id of the entry that made it (`ledger_entry_id`; its
 *      sequence number is assigned when the integrator sequences it, see `sequenceOfEntry`).
 *
 * Depth (issue 9): a tree opens at the smallest declared depth of the membership circuit
 * (src/zk/membership-depths.ts) and, when a join finds it full (every one of its 2^depth
 * leaf slots used, removed leaves included: their index is never reused), grows to the
 * next declared depth first, in the same transaction and under the same lock: the old
 * tree becomes the new one's leftmost subtree, so only the nodes above the old root are
 * written, and the growth is its own ledger entry (`census.grow`) and root-history row.
 * Every root keeps the depth it was recorded at, so proofs against it are made and
 * checked at that depth (membership-proof.ts).
 *
 * The append comes after the tree lock (ledger ordering rule, docs/ledger.md): changes to
 * one tree are serialised by that lock, so their entries' pending ids — and so their
 * sequence numbers — follow the order of the changes.
 */
import { randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '../db/orm.ts';
import { appendEntry } from '../ledger/append-entry.ts';
import { membershipLeaf } from '../zk/identity.ts';
import { ZkInputError } from '../zk/errors.ts';
import { MEMBERSHIP_DEPTHS, smallestDeclaredDepthFor } from '../zk/membership-depths.ts';
import { PoseidonMerkleTree, zeroHashes } from '../zk/merkle-tree.ts';
import type { MerkleProof } from '../zk/merkle-tree.ts';
import { CensusError } from './census-errors.ts';
import { DatabaseNodeStore } from './census-node-store.ts';
import type { CensusTreeName } from './census.entity.ts';

export interface CensusTotals {
  size: number;
  root: bigint;
  /** The depth of the tree `root` is the root of. */
  depth: number;
  totalWeight: number;
  headCount: number;
}

/** What one change did, as recorded on the ledger and in the root history. */
export interface CensusChange extends CensusTotals {
  communityId: string;
  kind: CensusTreeName;
  leafIndex: number;
  identityCommitment: bigint;
  weight: number;
  /** The root history's version of the new root. */
  version: number;
  /** The pending id of the ledger entry recording the change; the seq follows at integration. */
  ledgerEntryId: number;
  /** The entry's time, also the root history's `recorded_at`. */
  recordedAt: Date;
  /** Set when this join first grew the tree to a deeper declared depth. */
  growth?: CensusGrowth;
}

/** What a tree's growth to a deeper declared depth did, as recorded by `census.grow`. */
export interface CensusGrowth {
  communityId: string;
  kind: CensusTreeName;
  previousDepth: number;
  previousRoot: bigint;
  depth: number;
  /** The root of the grown tree: the previous root lifted with zero subtrees on the right. */
  root: bigint;
  version: number;
  ledgerEntryId: number;
  recordedAt: Date;
}

interface LockedTree {
  communityId: string;
  kind: CensusTreeName;
  tree: PoseidonMerkleTree;
  totals: CensusTotals;
}

const TREE_COLUMNS = 'depth, size, root, total_weight, head_count';

/** The depth a new census tree opens at: the smallest declared depth of the membership circuit. */
export const INITIAL_CENSUS_DEPTH: number = MEMBERSHIP_DEPTHS[0];

/** The actor of a `census.grow` entry: the census grows by itself when a join needs the room. */
const GROWTH_ACTOR = 'system';

function totalsOf(row: Record<string, unknown>): CensusTotals {
  return {
    depth: Number(row['depth']),
    size: Number(row['size']),
    root: BigInt(String(row['root'])),
    totalWeight: Number(row['total_weight']),
    headCount: Number(row['head_count']),
  };
}

/** The totals of a tree nobody joined yet: an empty tree of the initial depth. */
async function emptyTotals(): Promise<CensusTotals> {
  const root = (await zeroHashes(INITIAL_CENSUS_DEPTH))[INITIAL_CENSUS_DEPTH]!;
  return { depth: INITIAL_CENSUS_DEPTH, size: 0, root, totalWeight: 0, headCount: 0 };
}

/** Creates the tree row on first use (empty tree of the initial depth, zero root) and locks it. */
async function lockTree(em: SqlEntityManager, communityId: string, kind: CensusTreeName): Promise<LockedTree> {
  const select = `select ${TREE_COLUMNS} from census_trees where community_id = ? and kind = ? for update`;
  let rows: Array<Record<string, unknown>> = await em.execute(select, [communityId, kind]);
  if (rows.length === 0) {
    const empty = await emptyTotals();
    await em.execute(
      `insert into census_trees (community_id, kind, depth, root, updated_at) values (?, ?, ?, ?, ?) on conflict do nothing`,
      [communityId, kind, empty.depth, empty.root.toString(), new Date()],
    );
    rows = await em.execute(select, [communityId, kind]);
  }
  const totals = totalsOf(rows[0]!);
  const tree = await PoseidonMerkleTree.open(totals.depth, new DatabaseNodeStore(em, communityId, kind, totals.size));
  return { communityId, kind, tree, totals };
}

/** Appends a root-history row (the next version) and returns its version. */
async function recordRoot(
  em: SqlEntityManager,
  locked: LockedTree,
  row: CensusTotals & { recordedAt: Date; ledgerEntryId: number },
): Promise<number> {
  const [versionRow]: Array<{ version: number }> = await em.execute(
    `with updated as (
       update census_trees set depth = ?, root = ?, total_weight = ?, head_count = ?, updated_at = ? where community_id = ? and kind = ?
     )
     insert into census_roots (community_id, kind, version, root, depth, size, total_weight, head_count, recorded_at, ledger_entry_id)
     select ?, ?, coalesce(max(version), 0) + 1, ?, ?, ?, ?, ?, ?, ? from census_roots where community_id = ? and kind = ?
     returning version`,
    [
      row.depth, row.root.toString(), row.totalWeight, row.headCount, row.recordedAt, locked.communityId, locked.kind,
      locked.communityId, locked.kind, row.root.toString(), row.depth, row.size, row.totalWeight, row.headCount, row.recordedAt,
      row.ledgerEntryId, locked.communityId, locked.kind,
    ],
  );
  return Number(versionRow!.version);
}

/**
 * Makes room for one more leaf: when every slot of the locked tree is used, grows it to
 * the smallest declared depth that holds one more leaf (the next declared depth), writes
 * the nodes above the old root, appends `census.grow` and records the grown root at its
 * depth. CENSUS_FULL when the deepest declared tree is full. Call with the tree locked.
 */
async function makeRoom(em: SqlEntityManager, locked: LockedTree): Promise<CensusGrowth | undefined> {
  const { size, depth: previousDepth, root: previousRoot } = locked.totals;
  if (size < 2 ** previousDepth) return undefined;
  let depth: number;
  try {
    depth = smallestDeclaredDepthFor(size + 1);
  } catch (error) {
    if (error instanceof ZkInputError && error.code === 'TREE_FULL') {
      throw new CensusError('CENSUS_FULL', `Failed to join census: the ${locked.kind} census holds ${size} leaves, the most the deepest declared tree holds`);
    }
    throw error;
  }
  locked.tree = await locked.tree.grow(depth);
  const root = await locked.tree.root();
  const appended = await appendEntry(em, {
    communityId: locked.communityId,
    type: 'census.grow',
    actor: GROWTH_ACTOR,
    payload: {
      kind: locked.kind,
      previousDepth,
      previousRoot: previousRoot.toString(),
      depth,
      root: root.toString(),
      size,
      totalWeight: locked.totals.totalWeight,
      headCount: locked.totals.headCount,
    },
  });
  locked.totals = { ...locked.totals, depth, root };
  const version = await recordRoot(em, locked, { ...locked.totals, recordedAt: appended.time, ledgerEntryId: appended.entryId });
  return {
    communityId: locked.communityId, kind: locked.kind, previousDepth, previousRoot, depth, root,
    version, ledgerEntryId: appended.entryId, recordedAt: appended.time,
  };
}

/**
 * Takes the tree's lock early, for callers that read what a change depends on (an
 * owner's units) before making it: after the lock they see every committed change.
 * Locking again later in the same transaction is harmless.
 */
export async function lockCensusTree(em: SqlEntityManager, communityId: string, kind: CensusTreeName): Promise<void> {
  await lockTree(em, communityId, kind);
}

/** The ledger entry, then the tree row and root history, in that order (see the file header). */
async function recordChange(
  em: SqlEntityManager,
  locked: LockedTree,
  entry: { type: string; actor: string; leafIndex: number; identityCommitment: bigint; weight: number; totalWeightDelta: number; headCountDelta: number },
): Promise<CensusChange> {
  const root = await locked.tree.root();
  const size = await locked.tree.size();
  const depth = locked.tree.depth;
  const totalWeight = locked.totals.totalWeight + entry.totalWeightDelta;
  const headCount = locked.totals.headCount + entry.headCountDelta;
  const appended = await appendEntry(em, {
    communityId: locked.communityId,
    type: entry.type,
    actor: entry.actor,
    payload: {
      kind: locked.kind,
      leafIndex: entry.leafIndex,
      commitment: entry.identityCommitment.toString(),
      weight: entry.weight,
      root: root.toString(),
      depth,
      size,
      totalWeight,
      headCount,
    },
  });
  // The entry's own time, so the root row finds its entry (see ledgerSeqOfRecord).
  const now = appended.time;
  locked.totals = { depth, size, root, totalWeight, headCount };
  const version = await recordRoot(em, locked, { ...locked.totals, recordedAt: now, ledgerEntryId: appended.entryId });
  return {
    communityId: locked.communityId,
    kind: locked.kind,
    leafIndex: entry.leafIndex,
    identityCommitment: entry.identityCommitment,
    weight: entry.weight,
    size,
    root,
    depth,
    totalWeight,
    headCount,
    version,
    ledgerEntryId: appended.entryId,
    recordedAt: now,
  };
}

export interface AddCensusMemberInput {
  communityId: string;
  kind: CensusTreeName;
  /** Already checked: a field element in [1, r). */
  identityCommitment: bigint;
  weight: number;
  accountId: string | null;
  householdId: string | null;
  actor: string;
}

/**
 * Appends a leaf Poseidon(commitment, weight) and records the join; when the tree is full,
 * grows it to the next declared depth first (`census.grow`, then `census.join`), in the
 * same transaction. The change says whether it grew the tree (`growth`).
 */
export async function addCensusMember(em: SqlEntityManager, input: AddCensusMemberInput): Promise<CensusChange> {
  requireWeight(input.weight);
  const locked = await lockTree(em, input.communityId, input.kind);
  const commitment = input.identityCommitment.toString();
  const member = memberColumn(input);
  // Both refusals in one statement: is the commitment a leaf already, is the member active already?
  const [existing]: Array<{ taken: unknown; active: unknown }> = await em.execute(
    `select exists (select 1 from census_leaves where community_id = ? and kind = ? and identity_commitment = ?) as taken,
            exists (select 1 from census_leaves where community_id = ? and kind = ? and status = 'active' and ${member[0]} = ?) as active`,
    [input.communityId, input.kind, commitment, input.communityId, input.kind, member[1]],
  );
  if (existing!.taken === true) throw new CensusError('COMMITMENT_IN_USE', 'Failed to join census: the identity commitment is already in this census');
  if (existing!.active === true) throw new CensusError('ALREADY_MEMBER', `Failed to join census: this ${member[0] === 'account_id' ? 'account' : 'household'} is already a member`);
  const growth = await makeRoom(em, locked);
  const leafIndex = await locked.tree.insert(await membershipLeaf(input.identityCommitment, BigInt(input.weight)));
  await em.execute(
    `insert into census_leaves (id, community_id, kind, leaf_index, identity_commitment, weight, account_id, household_id, status, joined_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, 'active', ?)`,
    [randomUUID(), input.communityId, input.kind, leafIndex, commitment, input.weight, input.accountId, input.householdId, new Date()],
  );
  const change = await recordChange(em, locked, {
    type: 'census.join', actor: input.actor, leafIndex, identityCommitment: input.identityCommitment,
    weight: input.weight, totalWeightDelta: input.weight, headCountDelta: 1,
  });
  return growth ? { ...change, growth } : change;
}

/**
 * The column naming who a leaf stands for: the account in the owners tree, the household
 * in the households tree; in a scoped tree, whichever of the two the caller gives.
 */
function memberColumn(input: Pick<AddCensusMemberInput, 'kind' | 'accountId' | 'householdId'>): ['account_id' | 'household_id', string | null] {
  if (input.kind === 'owners') return ['account_id', input.accountId];
  if (input.kind === 'households' || input.householdId !== null) return ['household_id', input.householdId];
  return ['account_id', input.accountId];
}

interface ActiveLeaf {
  leafIndex: number;
  identityCommitment: bigint;
  weight: number;
}

async function requireActiveLeaf(em: SqlEntityManager, communityId: string, kind: CensusTreeName, leafIndex: number): Promise<ActiveLeaf> {
  const rows: Array<{ identity_commitment: string; weight: unknown }> = await em.execute(
    `select identity_commitment, weight from census_leaves where community_id = ? and kind = ? and leaf_index = ? and status = 'active'`,
    [communityId, kind, leafIndex],
  );
  if (rows.length === 0) throw new CensusError('NOT_A_MEMBER', `Failed to change census: leaf ${leafIndex} is not an active member`);
  return { leafIndex, identityCommitment: BigInt(rows[0]!.identity_commitment), weight: Number(rows[0]!.weight) };
}

/** Empties the leaf (the index is never reused) and records the removal. */
export async function removeCensusMember(
  em: SqlEntityManager,
  input: { communityId: string; kind: CensusTreeName; leafIndex: number; actor: string },
): Promise<CensusChange> {
  const locked = await lockTree(em, input.communityId, input.kind);
  const leaf = await requireActiveLeaf(em, input.communityId, input.kind, input.leafIndex);
  await locked.tree.remove(leaf.leafIndex);
  await em.execute(
    `update census_leaves set status = 'removed', removed_at = ? where community_id = ? and kind = ? and leaf_index = ?`,
    [new Date(), input.communityId, input.kind, leaf.leafIndex],
  );
  return recordChange(em, locked, {
    type: 'census.remove', actor: input.actor, leafIndex: leaf.leafIndex, identityCommitment: leaf.identityCommitment,
    weight: leaf.weight, totalWeightDelta: -leaf.weight, headCountDelta: -1,
  });
}

/**
 * Puts a removed leaf back, at its own index, with its own commitment and weight — for
 * scoped trees whose members come and go (a household that paid, was refunded, and paid
 * again): the commitment stays unique in the tree, so a second leaf for it is refused,
 * and the index is still never given to anyone else. Records `census.reinstate`.
 */
export async function reinstateCensusMember(
  em: SqlEntityManager,
  input: { communityId: string; kind: CensusTreeName; leafIndex: number; actor: string },
): Promise<CensusChange> {
  const locked = await lockTree(em, input.communityId, input.kind);
  const rows: Array<{ identity_commitment: string; weight: unknown }> = await em.execute(
    `select identity_commitment, weight from census_leaves where community_id = ? and kind = ? and leaf_index = ? and status = 'removed'`,
    [input.communityId, input.kind, input.leafIndex],
  );
  if (rows.length === 0) throw new CensusError('NOT_A_MEMBER', `Failed to change census: leaf ${input.leafIndex} is not a removed member`);
  const leaf = { identityCommitment: BigInt(rows[0]!.identity_commitment), weight: Number(rows[0]!.weight) };
  await locked.tree.update(input.leafIndex, await membershipLeaf(leaf.identityCommitment, BigInt(leaf.weight)));
  await em.execute(
    `update census_leaves set status = 'active', removed_at = null where community_id = ? and kind = ? and leaf_index = ?`,
    [input.communityId, input.kind, input.leafIndex],
  );
  return recordChange(em, locked, {
    type: 'census.reinstate', actor: input.actor, leafIndex: input.leafIndex, identityCommitment: leaf.identityCommitment,
    weight: leaf.weight, totalWeightDelta: leaf.weight, headCountDelta: 1,
  });
}

/** Rewrites a member's leaf with a new weight (an owner gained or lost a unit). */
export async function updateCensusMemberWeight(
  em: SqlEntityManager,
  input: { communityId: string; kind: CensusTreeName; leafIndex: number; weight: number; actor: string },
): Promise<CensusChange> {
  requireWeight(input.weight);
  const locked = await lockTree(em, input.communityId, input.kind);
  const leaf = await requireActiveLeaf(em, input.communityId, input.kind, input.leafIndex);
  await locked.tree.update(leaf.leafIndex, await membershipLeaf(leaf.identityCommitment, BigInt(input.weight)));
  await em.execute(
    'update census_leaves set weight = ? where community_id = ? and kind = ? and leaf_index = ?',
    [input.weight, input.communityId, input.kind, leaf.leafIndex],
  );
  return recordChange(em, locked, {
    type: 'census.weight', actor: input.actor, leafIndex: leaf.leafIndex, identityCommitment: leaf.identityCommitment,
    weight: input.weight, totalWeightDelta: input.weight - leaf.weight, headCountDelta: 0,
  });
}

/** The current totals of a tree, or those of an empty tree of the initial depth when nobody joined yet. */
export async function censusTotals(em: SqlEntityManager, communityId: string, kind: CensusTreeName): Promise<CensusTotals> {
  const rows: Array<Record<string, unknown>> = await em.execute(
    `select ${TREE_COLUMNS} from census_trees where community_id = ? and kind = ?`,
    [communityId, kind],
  );
  const row = rows[0];
  return row ? totalsOf(row) : emptyTotals();
}

/**
 * What a proposal pins: the census's current root, the depth of its tree (the depth its
 * ballots must be proved and verified at), its head count and total weight — all read
 * from one row, so they belong together.
 */
export interface CensusSnapshot {
  root: bigint;
  depth: number;
  headCount: number;
  totalWeight: number;
}

/**
 * The census's snapshot. With `lock: true` (inside the caller's transaction) it is the
 * locked tree's: the tree's row lock is taken first (creating the empty tree on first use),
 * so no join, removal or growth can change it until the transaction ends.
 */
export async function censusSnapshot(
  em: SqlEntityManager,
  communityId: string,
  kind: CensusTreeName,
  options: { lock?: boolean } = {},
): Promise<CensusSnapshot> {
  const { root, depth, headCount, totalWeight } = options.lock
    ? (await lockTree(em, communityId, kind)).totals
    : await censusTotals(em, communityId, kind);
  return { root, depth, headCount, totalWeight };
}

/** A Merkle path that names the depth of its tree (its number of siblings). */
export interface CensusMerkleProof extends MerkleProof {
  depth: number;
}

/** A leaf's Merkle path in the current tree, at the tree's depth, read without locking. */
export async function censusMerkleProof(em: SqlEntityManager, communityId: string, kind: CensusTreeName, leafIndex: number): Promise<CensusMerkleProof> {
  const totals = await censusTotals(em, communityId, kind);
  if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= totals.size) {
    throw new CensusError('NOT_A_MEMBER', `Failed to build census proof: leaf ${leafIndex} is not in this census`);
  }
  const tree = await PoseidonMerkleTree.open(totals.depth, new DatabaseNodeStore(em, communityId, kind, totals.size));
  return { ...(await tree.proof(leafIndex)), depth: totals.depth };
}

/** Largest weight a leaf carries: 10^12 in 0.01 m², far above any owner, well inside 2^53. */
export const MAX_CENSUS_WEIGHT = 1_000_000_000_000;

function requireWeight(weight: number): void {
  if (!Number.isSafeInteger(weight) || weight < 1 || weight > MAX_CENSUS_WEIGHT) {
    throw new RangeError(`Invalid census weight: ${weight} is not in [1, ${MAX_CENSUS_WEIGHT}]`);
  }
}
