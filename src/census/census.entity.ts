import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

/**
 * The census tables as MikroORM entities, for reading (GraphQL). Writes go through
 * census-tree-service.ts and invites.ts, which use SQL directly so that one change
 * writes the depth + 1 nodes of its path in one statement under the tree's row lock.
 */

export const CENSUS_KINDS = ['owners', 'households'] as const;
export type CensusKind = (typeof CENSUS_KINDS)[number];

/**
 * A scoped census tree, named `<kind>:<scope>`: a tree a community keeps besides its
 * owners and households, one per scope of some kind — the households that paid a fee
 * period (`fees-paid:2026-03`), the participants of an activity. Its leaves stand for
 * households or accounts, as the kind's owner decides; the census treats it like any tree
 * (lock, path, leaf, ledger entry, root history, depth growth).
 */
export type ScopedCensusTree = `${string}:${string}`;
/** Any census tree: the owners, the households, or a scoped tree. */
export type CensusTreeName = CensusKind | ScopedCensusTree;

/** Kind and scope of a scoped tree's name; the database checks the same pattern. */
const SCOPED_KIND = /^[a-z][a-z0-9-]{0,23}$/u;
const SCOPE = /^[A-Za-z0-9._-]{1,39}$/u;

/** The name of the tree of `kind` for `scope`; a RangeError when either breaks its pattern. */
export function scopedCensusTree(kind: string, scope: string): ScopedCensusTree {
  if (!SCOPED_KIND.test(kind) || (CENSUS_KINDS as readonly string[]).includes(kind)) {
    throw new RangeError(
      `Invalid scoped census kind "${kind}": lower-case letters, digits and dashes, at most 24, not owners or households`,
    );
  }
  if (!SCOPE.test(scope))
    throw new RangeError(`Invalid census scope: letters, digits, ".", "_" or "-", 1 to 39 characters`);
  return `${kind}:${scope}`;
}

/** One census tree of a community: its depth, size, root and totals. Its row is the lock. */
export const CensusTreeSchema = defineEntity({
  name: 'CensusTree',
  tableName: 'census_trees',
  properties: {
    communityId: p.uuid().primary(),
    kind: p.string().length(64).primary(),
    depth: p.smallint(),
    size: p.integer(),
    /** Decimal field element. */
    root: p.string().length(78),
    totalWeight: p.bigint('number'),
    headCount: p.integer(),
    updatedAt: p.datetime(),
  },
});
export type CensusTree = InferEntity<typeof CensusTreeSchema>;

/** A stored Poseidon node; absent positions are empty subtrees (zero hashes). */
export const CensusTreeNodeSchema = defineEntity({
  name: 'CensusTreeNode',
  tableName: 'census_tree_nodes',
  properties: {
    communityId: p.uuid().primary(),
    kind: p.string().length(64).primary(),
    level: p.smallint().primary(),
    nodeIndex: p.integer().primary(),
    value: p.string().length(78),
  },
});

export const CENSUS_LEAF_STATUSES = ['active', 'removed'] as const;
export type CensusLeafStatus = (typeof CENSUS_LEAF_STATUSES)[number];

/**
 * A census member: leaf `leafIndex` of the tree holds Poseidon(identityCommitment, weight).
 * The account (owners) or household (households) it stands for is known to the server,
 * never written to the ledger, and shown only to the community's managers.
 */
export const CensusLeafSchema = defineEntity({
  name: 'CensusLeaf',
  tableName: 'census_leaves',
  properties: {
    id: p.uuid().primary(),
    communityId: p.uuid(),
    kind: p.string().length(64),
    leafIndex: p.integer(),
    identityCommitment: p.string().length(78),
    /** Owners: exclusive floor area in 0.01 m² over all the owner's units; households: 1. */
    weight: p.bigint('number'),
    accountId: p.uuid().nullable(),
    householdId: p.uuid().nullable(),
    status: p.string().length(16),
    joinedAt: p.datetime(),
    removedAt: p.datetime().nullable(),
  },
});
export type CensusLeaf = InferEntity<typeof CensusLeafSchema>;

/** Every root a tree has had, in order, with its totals and the ledger entry that made it. */
export const CensusRootSchema = defineEntity({
  name: 'CensusRoot',
  tableName: 'census_roots',
  properties: {
    communityId: p.uuid().primary(),
    kind: p.string().length(64).primary(),
    version: p.integer().primary(),
    root: p.string().length(78),
    /** The depth of the tree this is the root of: proofs against it are made and checked at this depth. */
    depth: p.smallint(),
    size: p.integer(),
    totalWeight: p.bigint('number'),
    headCount: p.integer(),
    recordedAt: p.datetime(),
    /** Rows written before the ledger integrator; later rows have ledgerEntryId instead. */
    ledgerSeq: p.bigint('number').nullable(),
    /** The pending id of the ledger entry that made this root (`ledger_entries.entry_id`). */
    ledgerEntryId: p.bigint('number').nullable(),
  },
});
export type CensusRoot = InferEntity<typeof CensusRootSchema>;

/** A one-time invite; only the sha256 of its code is stored. */
export const CensusInviteSchema = defineEntity({
  name: 'CensusInvite',
  tableName: 'census_invites',
  properties: {
    id: p.uuid().primary(),
    communityId: p.uuid(),
    kind: p.string().length(16),
    codeHash: p.uint8array(),
    accountId: p.uuid().nullable(),
    householdId: p.uuid().nullable(),
    createdByAccountId: p.uuid(),
    createdAt: p.datetime(),
    expiresAt: p.datetime(),
    redeemedAt: p.datetime().nullable(),
    redeemedLeafIndex: p.integer().nullable(),
  },
});
export type CensusInvite = InferEntity<typeof CensusInviteSchema>;

/**
 * A verification key a community accepts proofs against: of the membership circuit or of
 * the encrypted-weight ballot circuit; one row per circuit and depth is active.
 */
export const CommunityVerificationKeySchema = defineEntity({
  name: 'CommunityVerificationKey',
  tableName: 'zk_verification_keys',
  properties: {
    id: p.uuid().primary(),
    communityId: p.uuid(),
    instance: p.string().length(64),
    /** `membership` or `encrypted-ballot`: the circuit family of `instance`. */
    circuit: p.string(),
    /** The tree depth the key's circuit proves; one key per circuit and depth is active. */
    depth: p.smallint(),
    keyHash: p.string().length(64),
    verificationKey: p.json<Record<string, unknown>>(),
    insecure: p.boolean(),
    activatedAt: p.datetime(),
    activatedByAccountId: p.uuid(),
    /** Rows written before the ledger integrator; later rows have ledgerEntryId instead. */
    ledgerSeq: p.bigint('number').nullable(),
    /** The pending id of the zk.key.activated entry (`ledger_entries.entry_id`). */
    ledgerEntryId: p.bigint('number').nullable(),
    deactivatedAt: p.datetime().nullable(),
  },
});
export type CommunityVerificationKey = InferEntity<typeof CommunityVerificationKeySchema>;

export const censusEntities = [
  CensusTreeSchema,
  CensusTreeNodeSchema,
  CensusLeafSchema,
  CensusRootSchema,
  CensusInviteSchema,
  CommunityVerificationKeySchema,
];
