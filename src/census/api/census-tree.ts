/**
 * The census over GraphQL: trees, leaves and roots (public to the community's readers),
 * Merkle paths for proving, invites (managers), joining (the invited resident, with a
 * commitment made on their device) and removal (managers).
 */
import { z } from 'zod';
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { inTransaction } from '../../graphql/transaction.ts';
import { parseUuid } from '../../graphql/ids.ts';
import { managerOf } from '../../graphql/auth-scopes.ts';
import { keyParsers, resolveKeysetConnection } from '../../graphql/keyset-connection.ts';
import { keysetFilter } from '../../kernel/keyset.ts';
import type { SqlEntityManager } from '../../db/orm.ts';
import { ledgerSeqOfRecord } from '../../ledger/integrator.ts';
import { AccountRef } from '../../accounts/api/account.ts';
import { CommunityRef } from '../../accounts/api/community.ts';
import { HouseholdRef } from '../../privacy/api/household.ts';
import { hasCommunityRole, requireCommunityReader, requireViewer } from '../../accounts/viewer.ts';
import type { RateLimitRule } from '../../accounts/rate-limiter.ts';
import { CommunitySchema } from '../../accounts/community.entity.ts';
import {
  CensusLeafSchema,
  CensusRootSchema,
  type CensusInvite,
  type CensusKind,
  type CensusLeaf,
  type CensusRoot,
} from '../../census/census.entity.ts';
import {
  censusMerkleProof,
  censusTotals,
  type CensusChange,
  type CensusMerkleProof,
  type CensusTotals,
} from '../../census/census-tree-service.ts';
import {
  createCensusInvite,
  joinCensus,
  MAX_INVITE_VALIDITY_HOURS,
  removeMember,
  type IssuedInvite,
} from '../../census/census-membership.ts';

/** Longest invite code or commitment text accepted before any parsing. */
const MAX_CODE_LENGTH = 100;

export const CensusKindEnum = builder.enumType('CensusKind', {
  description: 'OWNERS: one leaf per owner, weight = owned floor area in 0.01 m². HOUSEHOLDS: one leaf per occupied unit, weight 1.',
  values: { OWNERS: { value: 'owners' }, HOUSEHOLDS: { value: 'households' } } as const,
});


interface CensusView extends CensusTotals {
  communityId: string;
  kind: CensusKind;
}

export const CensusLeafRef = builder.objectRef<CensusLeaf>('CensusLeaf').implement({
  description: 'A census member: the leaf Poseidon(identityCommitment, weight) at leafIndex. Removed leaves are empty (0) in the tree.',
  fields: (t) => ({
    leafIndex: t.exposeInt('leafIndex'),
    identityCommitment: t.exposeString('identityCommitment', { description: 'A decimal field element.' }),
    weight: t.field({ type: 'BigInt', resolve: (leaf) => BigInt(leaf.weight) }),
    active: t.boolean({ resolve: (leaf) => leaf.status === 'active' }),
    joinedAt: t.expose('joinedAt', { type: 'DateTime' }),
    removedAt: t.expose('removedAt', { type: 'DateTime', nullable: true }),
    memberAccountId: t.globalID({
      nullable: true,
      description: "Managers only: the owner's account this leaf stands for.",
      resolve: (leaf, _args, context) =>
        leaf.accountId && hasCommunityRole(context.viewer, leaf.communityId, ['manager']) ? { type: 'Account', id: leaf.accountId } : null,
    }),
    memberHouseholdId: t.globalID({
      nullable: true,
      description: 'Managers only: the household this leaf stands for.',
      resolve: (leaf, _args, context) =>
        leaf.householdId && hasCommunityRole(context.viewer, leaf.communityId, ['manager']) ? { type: 'Household', id: leaf.householdId } : null,
    }),
  }),
});

export const CensusRootRef = builder.objectRef<CensusRoot>('CensusRoot').implement({
  description: 'A root the census had, with the depth of its tree, its totals and the ledger entry that made it.',
  fields: (t) => ({
    version: t.exposeInt('version'),
    root: t.exposeString('root'),
    depth: t.exposeInt('depth', {
      description: 'The depth of the tree this is the root of: proofs against this root are made with, and checked by, the circuit of this depth.',
    }),
    size: t.exposeInt('size'),
    totalWeight: t.field({ type: 'BigInt', resolve: (root) => BigInt(root.totalWeight) }),
    headCount: t.exposeInt('headCount'),
    recordedAt: t.expose('recordedAt', { type: 'DateTime' }),
    ledgerSeq: t.field({
      type: 'BigInt',
      description: 'The ledger entry that made this root (assigned when the ledger integrates it; reading it integrates first).',
      resolve: async (root, _args, context) => BigInt(await ledgerSeqOfRecord(context.em as SqlEntityManager, root.communityId, root, root.recordedAt)),
    }),
  }),
});

const CensusRef = builder.objectRef<CensusView>('Census').implement({
  description: "One of a community's census trees. Leaves and roots are public to the community's readers.",
  fields: (t) => ({
    community: t.field({ type: CommunityRef, resolve: (census, _args, context) => context.em.findOneOrFail(CommunitySchema, { id: census.communityId }) }),
    kind: t.field({ type: CensusKindEnum, resolve: (census) => census.kind }),
    depth: t.exposeInt('depth', {
      description: 'The depth of the tree, and so of the circuit its members prove with: the smallest declared depth (10, 14, 20) that holds `size` leaves; it grows with the census.',
    }),
    size: t.exposeInt('size', { description: 'Leaf slots used, removed leaves included.' }),
    root: t.string({ resolve: (census) => census.root.toString() }),
    totalWeight: t.field({ type: 'BigInt', resolve: (census) => BigInt(census.totalWeight) }),
    headCount: t.exposeInt('headCount', { description: 'Active members.' }),
    leaves: t.connection({
      type: CensusLeafRef,
      description: 'Every leaf in index order: enough for a device to rebuild the tree and prove without asking for its own path.',
      resolve: (census, args, context) =>
        resolveKeysetConnection(
          args,
          (page) => {
            const { where, orderBy, limit } = keysetFilter('leafIndex', page);
            return context.em.find(CensusLeafSchema, { communityId: census.communityId, kind: census.kind, ...where }, { orderBy, limit });
          },
          { name: 'censusLeaves', keyOf: (leaf) => [leaf.leafIndex] as const, parseKey: keyParsers.oneInteger },
        ),
    }),
    roots: t.connection({
      type: CensusRootRef,
      description: 'The root history, newest first.',
      resolve: (census, args, context) =>
        resolveKeysetConnection(
          args,
          (page) => {
            const { where, orderBy, limit } = keysetFilter('version', page, true);
            return context.em.find(CensusRootSchema, { communityId: census.communityId, kind: census.kind, ...where }, { orderBy, limit });
          },
          { name: 'censusRoots', keyOf: (root) => [root.version] as const, parseKey: keyParsers.oneInteger },
        ),
    }),
  }),
});

builder.queryField('census', (t) =>
  t.field({
    type: CensusRef,
    description: "A community's owners or households census.",
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      kind: t.arg({ type: CensusKindEnum, required: true }),
    },
    authScopes: (_root, args) => ({ communityReader: parseUuid(args.communityId.id, 'communityId') }),
    resolve: async (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      requireCommunityReader(context.viewer, communityId);
      return { communityId, kind: args.kind, ...(await censusTotals(context.em, communityId, args.kind)) };
    },
  }),
);

const CensusMerkleProofRef = builder.objectRef<CensusMerkleProof>('CensusMerkleProof').implement({
  description: "A leaf's path in the current tree, leaf level first; the input a device proves membership with.",
  fields: (t) => ({
    root: t.string({ resolve: (proof) => proof.root.toString() }),
    depth: t.exposeInt('depth', { description: 'The depth of the tree (one sibling per level): prove with the circuit of this depth.' }),
    leaf: t.string({ resolve: (proof) => proof.leaf.toString() }),
    leafIndex: t.exposeInt('index'),
    siblings: t.stringList({ resolve: (proof) => proof.siblings.map(String) }),
    pathIndices: t.exposeIntList('pathIndices'),
  }),
});

builder.queryField('censusMerkleProof', (t) =>
  t.field({
    type: CensusMerkleProofRef,
    description: "A leaf's Merkle path. Fetching it tells the server which leaf is interested; a device may rebuild the tree from `leaves` instead.",
    errors: { types: MUTATION_ERRORS },
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      kind: t.arg({ type: CensusKindEnum, required: true }),
      leafIndex: t.arg.int({ required: true }),
    },
    authScopes: (_root, args) => ({ communityReader: parseUuid(args.communityId.id, 'communityId') }),
    resolve: (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      requireCommunityReader(context.viewer, communityId);
      return censusMerkleProof(context.em, communityId, args.kind, args.leafIndex);
    },
  }),
);

const CensusInviteRef = builder.objectRef<CensusInvite>('CensusInvite').implement({
  description: 'A one-time invite to join a census. Its code is shown once, when issued; only its hash is kept.',
  fields: (t) => ({
    kind: t.field({ type: CensusKindEnum, resolve: (invite) => invite.kind as CensusKind }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime' }),
    redeemed: t.boolean({ resolve: (invite) => invite.redeemedAt !== null && invite.redeemedAt !== undefined }),
  }),
});

const IssuedInviteRef = builder.objectRef<IssuedInvite>('IssuedCensusInvite').implement({
  fields: (t) => ({
    code: t.exposeString('code', { description: 'Hand this to the member; it cannot be shown again.' }),
    invite: t.field({ type: CensusInviteRef, resolve: (issued) => issued.invite }),
  }),
});

builder.mutationField('createCensusInvite', (t) =>
  t.field({
    type: IssuedInviteRef,
    description: 'Managers: a one-time invite for an owner (OWNERS, with accountId) or a household (HOUSEHOLDS, with householdId).',
    errors: { types: MUTATION_ERRORS },
    authScopes: (_root, args) => managerOf(args.communityId.id),
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      kind: t.arg({ type: CensusKindEnum, required: true }),
      accountId: t.arg.globalID({ for: AccountRef }),
      householdId: t.arg.globalID({ for: HouseholdRef }),
      validForHours: t.arg.int({ validate: z.number().int().min(1).max(MAX_INVITE_VALIDITY_HOURS).optional().nullable() }),
    },
    resolve: (_root, args, context) =>
      inTransaction(context, (em) =>
        createCensusInvite(em, context.viewer, {
          communityId: parseUuid(args.communityId.id, 'communityId'),
          kind: args.kind,
          accountId: args.accountId ? parseUuid(args.accountId.id, 'accountId') : null,
          householdId: args.householdId ? parseUuid(args.householdId.id, 'householdId') : null,
          validForHours: args.validForHours,
        }),
      ),
  }),
);

const CensusChangeRef = builder.objectRef<CensusChange>('CensusChange').implement({
  description: 'What a join or removal did: the leaf, the new root and totals, and the ledger entry recording it.',
  fields: (t) => ({
    community: t.field({ type: CommunityRef, resolve: (change, _args, context) => context.em.findOneOrFail(CommunitySchema, { id: change.communityId }) }),
    // Changes served here are the owners' and households' trees' (joins and removals through this API).
    kind: t.field({ type: CensusKindEnum, resolve: (change) => change.kind as CensusKind }),
    leafIndex: t.exposeInt('leafIndex'),
    identityCommitment: t.string({ resolve: (change) => change.identityCommitment.toString() }),
    weight: t.field({ type: 'BigInt', resolve: (change) => BigInt(change.weight) }),
    root: t.string({ resolve: (change) => change.root.toString() }),
    depth: t.exposeInt('depth', { description: 'The depth of the tree `root` is the root of.' }),
    grewFromDepth: t.int({
      nullable: true,
      description: 'Set when this join found the tree full and first grew it (a census.grow entry): the depth it had before.',
      resolve: (change) => change.growth?.previousDepth ?? null,
    }),
    size: t.exposeInt('size'),
    totalWeight: t.field({ type: 'BigInt', resolve: (change) => BigInt(change.totalWeight) }),
    headCount: t.exposeInt('headCount'),
    ledgerSeq: t.field({
      type: 'BigInt',
      resolve: async (change, _args, context) =>
        BigInt(await ledgerSeqOfRecord(context.em as SqlEntityManager, change.communityId, { ledgerEntryId: change.ledgerEntryId }, change.recordedAt)),
    }),
  }),
});

/**
 * Invite redemptions per caller per minute, over every instance: a resident redeems one or
 * two; each attempt locks and rewrites a census tree, so a flood of them is refused early.
 */
export const INVITE_REDEMPTIONS_PER_MINUTE = 30;
const INVITE_REDEMPTIONS_BY_CALLER: RateLimitRule = { name: 'census.invite-redemption', limit: INVITE_REDEMPTIONS_PER_MINUTE, windowMs: 60_000 };

builder.mutationField('joinCensus', (t) =>
  t.field({
    type: CensusChangeRef,
    description: 'Redeem an invite with the identity commitment Poseidon(secret) made on your device. The secret never leaves it.',
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: {
      inviteCode: t.arg.string({ required: true, validate: z.string().max(MAX_CODE_LENGTH) }),
      identityCommitment: t.arg.string({ required: true, validate: z.string().max(MAX_CODE_LENGTH) }),
    },
    resolve: async (_root, args, context) => {
      await context.services.accounts.rateLimits.consume(INVITE_REDEMPTIONS_BY_CALLER, requireViewer(context.viewer).accountId);
      return inTransaction(context, (em) => joinCensus(em, context.viewer, { inviteCode: args.inviteCode, identityCommitment: args.identityCommitment }));
    },
  }),
);

builder.mutationField('removeCensusMember', (t) =>
  t.field({
    type: CensusChangeRef,
    description: 'Managers: remove a member. The leaf is emptied and its index never reused.',
    errors: { types: MUTATION_ERRORS },
    authScopes: (_root, args) => managerOf(args.communityId.id),
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      kind: t.arg({ type: CensusKindEnum, required: true }),
      leafIndex: t.arg.int({ required: true }),
    },
    resolve: (_root, args, context) =>
      inTransaction(context, (em) =>
        removeMember(em, context.viewer, { communityId: parseUuid(args.communityId.id, 'communityId'), kind: args.kind, leafIndex: args.leafIndex }),
      ),
  }),
);

