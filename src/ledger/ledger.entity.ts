/**
 * The ledger's tables as MikroORM entities, for reading (GraphQL, reports). Writes go
 * through append-entry.ts, integrator.ts, checkpoints.ts and witnesses.ts, which use SQL
 * directly so that sequencing and hashing happen in a handful of statements under one row lock.
 */
import { defineEntity, p, type InferEntity } from '@mikro-orm/core';

export const LedgerHeadSchema = defineEntity({
  name: 'LedgerHead',
  tableName: 'ledger_heads',
  properties: {
    communityId: p.uuid().primary(),
    treeSize: p.bigint('number'),
    frontier: p.uint8array(),
    checkpointEveryEntries: p.integer(),
    checkpointEverySeconds: p.integer(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});
export type LedgerHead = InferEntity<typeof LedgerHeadSchema>;

export const LedgerEntrySchema = defineEntity({
  name: 'LedgerEntryRow',
  tableName: 'ledger_entries',
  properties: {
    communityId: p.uuid().primary(),
    seq: p.bigint('number').primary(),
    type: p.string().length(100),
    payload: p.json<Record<string, unknown>>(),
    actor: p.string().length(100),
    recordedAt: p.datetime(),
    leafHash: p.uint8array(),
    /** The pending id the entry was accepted under (null for entries sequenced before the integrator). */
    entryId: p.bigint('number').nullable(),
  },
});
export type LedgerEntryRow = InferEntity<typeof LedgerEntrySchema>;

/** An accepted entry waiting for the integrator (see integrator.ts); deleted once sequenced. */
export const LedgerPendingSchema = defineEntity({
  name: 'LedgerPending',
  tableName: 'ledger_pending',
  properties: {
    id: p.bigint('number').primary(),
    communityId: p.uuid(),
    type: p.string().length(100),
    /** RFC 8785 text of the payload. */
    payload: p.text(),
    actor: p.string().length(100),
    recordedAt: p.datetime(),
  },
});
export type LedgerPending = InferEntity<typeof LedgerPendingSchema>;

export const LedgerTreeNodeSchema = defineEntity({
  name: 'LedgerTreeNode',
  tableName: 'ledger_tree_nodes',
  properties: {
    communityId: p.uuid().primary(),
    level: p.smallint().primary(),
    nodeIndex: p.bigint('number').primary(),
    hash: p.uint8array(),
  },
});

export const LedgerLogKeySchema = defineEntity({
  name: 'LedgerLogKey',
  tableName: 'ledger_log_keys',
  properties: {
    communityId: p.uuid().primary(),
    keyName: p.string().length(300),
    publicKey: p.uint8array(),
    sealedPrivateKey: p.uint8array(),
    createdAt: p.datetime(),
    validFromSize: p.bigint('number'),
  },
});

export const LedgerLogKeyHistorySchema = defineEntity({
  name: 'LedgerLogKeyHistory',
  tableName: 'ledger_log_key_history',
  properties: {
    communityId: p.uuid().primary(),
    publicKey: p.uint8array().primary(),
    keyName: p.string().length(300),
    validFromSize: p.bigint('number'),
    validToSize: p.bigint('number'),
    retiredAt: p.datetime(),
  },
});

export const LedgerWitnessRetirementSchema = defineEntity({
  name: 'LedgerWitnessRetirement',
  tableName: 'ledger_witness_retirements',
  properties: {
    communityId: p.uuid().primary(),
    keyName: p.string().length(300).primary(),
    replacedBy: p.string().length(300).nullable(),
    retiredAt: p.datetime(),
  },
});

export const LedgerCheckpointSchema = defineEntity({
  name: 'LedgerCheckpoint',
  tableName: 'ledger_checkpoints',
  properties: {
    communityId: p.uuid().primary(),
    treeSize: p.bigint('number').primary(),
    rootHash: p.uint8array(),
    note: p.text(),
    createdAt: p.datetime(),
  },
});
export type LedgerCheckpoint = InferEntity<typeof LedgerCheckpointSchema>;

export const LedgerWitnessSchema = defineEntity({
  name: 'LedgerWitness',
  tableName: 'ledger_witnesses',
  properties: {
    communityId: p.uuid().primary(),
    keyName: p.string().length(300).primary(),
    publicKey: p.uint8array(),
    role: p.string().length(16),
    accountId: p.uuid().nullable(),
    registeredAt: p.datetime(),
  },
});
export type LedgerWitness = InferEntity<typeof LedgerWitnessSchema>;

export const LedgerCosignatureSchema = defineEntity({
  name: 'LedgerCosignature',
  tableName: 'ledger_cosignatures',
  properties: {
    communityId: p.uuid().primary(),
    treeSize: p.bigint('number').primary(),
    keyName: p.string().length(300).primary(),
    timestampSeconds: p.bigint('number'),
    signature: p.uint8array(),
    receivedAt: p.datetime(),
  },
});

export const ledgerEntities = [
  LedgerHeadSchema,
  LedgerEntrySchema,
  LedgerPendingSchema,
  LedgerTreeNodeSchema,
  LedgerLogKeySchema,
  LedgerLogKeyHistorySchema,
  LedgerWitnessRetirementSchema,
  LedgerCheckpointSchema,
  LedgerWitnessSchema,
  LedgerCosignatureSchema,
];
