/**
 * Checkpoints: the `Checkpoint` node (size, root, signed note with cosignatures, final?),
 * its block of entries, the `checkpoints` connection (cursor = tree size),
 * `latestCheckpoint`, `cosignCheckpoint` for witnesses, and the `checkpointFinalized`
 * subscription.
 */
import { textArgument } from '../../graphql/text-argument.ts';
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { inTransaction } from '../../graphql/transaction.ts';
import { parseUuid } from '../../graphql/ids.ts';
import type { GraphQLContext } from '../../graphql/context.ts';
import { followCommunity, LedgerEntryRef, resolveEntryConnection } from '../../ledger/api/ledger-entry.ts';
import { formatLedgerId, LOG_ID_DESCRIPTION, LOG_OWNER_REFS, parseLedgerId, toSafeIndex } from '../../ledger/api/ledger-arguments.ts';
import { CONNECTION_PAGE_MAX_SIZE, keyParsers, resolveKeysetConnection } from '../../graphql/keyset-connection.ts';
import { canReadLog, isRegulatorOf, hasCommunityRole, requireLogReader, requireViewer, type Viewer } from '../../accounts/viewer.ts';
import { ForbiddenError, NotFoundError } from '../../domain-error.ts';
import { isInstallationLog } from '../../ledger/installation-log.ts';
import { getCheckpoint, latestCheckpoint, listCheckpoints, previousCheckpointSize, type StoredCheckpoint } from '../../ledger/checkpoints.ts';
import { cosignatureToNoteSignature } from '../../ledger/cosignature.ts';
import { LedgerInputError } from '../../ledger/errors.ts';
import { parseNote, formatSignatureLine, KEY_NAME_MAX_LENGTH, MAX_NOTE_SIGNATURES } from '../../ledger/signed-note.ts';
import { checkpointStatus, listWitnesses, submitCosignature, type CheckpointStatus, type StoredCosignature } from '../../ledger/witnesses.ts';

export const CheckpointRef = builder.objectRef<StoredCheckpoint>('Checkpoint');
const CosignatureRef = builder.objectRef<StoredCosignature & { publicKey: Uint8Array }>('Cosignature');

/** One status lookup per checkpoint object and request, shared by its fields. */
const statuses = new WeakMap<StoredCheckpoint, Promise<CheckpointStatus>>();
function statusOf(context: GraphQLContext, checkpoint: StoredCheckpoint): Promise<CheckpointStatus> {
  let status = statuses.get(checkpoint);
  if (!status) {
    status = checkpointStatus(context.em, checkpoint);
    statuses.set(checkpoint, status);
  }
  return status;
}

builder.objectType(CosignatureRef, {
  description: 'A witness cosignature (C2SP tlog-cosignature, cosignature/v1).',
  fields: (t) => ({
    keyName: t.exposeString('keyName', { description: "The witness key's name." }),
    timestamp: t.field({ type: 'DateTime', resolve: (cosignature) => new Date(cosignature.timestampSeconds * 1000) }),
    signature: t.expose('signature', { type: 'Hex', description: 'The 64-byte Ed25519 signature.' }),
    noteLine: t.string({
      description: 'The signature line as it appears in the cosigned note.',
      resolve: (cosignature) => formatSignatureLine(cosignatureToNoteSignature(cosignature, cosignature.publicKey)).trimEnd(),
    }),
  }),
});

builder.node(CheckpointRef, {
  description: 'A signed statement of (tree size, root hash) of a community log: C2SP tlog-checkpoint in a signed note.',
  id: { resolve: (checkpoint) => formatLedgerId(checkpoint.communityId, checkpoint.treeSize), parse: (id) => parseLedgerId(id) },
  loadOne: async ({ communityId, index }, context) => {
    if (!canReadLog(context.viewer, communityId)) return null;
    return (await getCheckpoint(context.em, communityId, index)) ?? null;
  },
  fields: (t) => ({
    treeSize: t.field({ type: 'BigInt', resolve: (checkpoint) => BigInt(checkpoint.treeSize) }),
    rootHash: t.expose('rootHash', { type: 'Hex', description: 'RFC 9162 root of the first treeSize entries.' }),
    body: t.string({ description: 'The checkpoint body (origin, size, base64 root).', resolve: (checkpoint) => parseNote(checkpoint.note).text }),
    note: t.string({
      description: "The signed note: the body, a blank line, the log's signature line and every cosignature line.",
      resolve: async (checkpoint, _args, context) => (await statusOf(context, checkpoint)).cosignedNote,
    }),
    cosignatures: t.field({
      type: [CosignatureRef],
      resolve: async (checkpoint, _args, context) => {
        const witnesses = await listWitnesses(context.em, checkpoint.communityId);
        return (await statusOf(context, checkpoint)).cosignatures.map((cosignature) => ({
          ...cosignature,
          publicKey: witnesses.find((witness) => witness.keyName === cosignature.keyName)!.publicKey,
        }));
      },
    }),
    requiredCosignatures: t.int({ resolve: async (checkpoint, _args, context) => (await statusOf(context, checkpoint)).requiredCosignatures }),
    final: t.boolean({
      description: "True once it carries the community's required number of valid cosignatures.",
      resolve: async (checkpoint, _args, context) => (await statusOf(context, checkpoint)).final,
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime' }),
    blockStart: t.field({
      type: 'BigInt',
      description: "Size of the previous checkpoint: this checkpoint's block is the entries with blockStart ≤ seq < treeSize.",
      resolve: async (checkpoint, _args, context) =>
        BigInt(await previousCheckpointSize(context.em, checkpoint.communityId, checkpoint.treeSize)),
    }),
    entries: t.connection({
      type: LedgerEntryRef,
      description: "The checkpoint's block: the entries since the previous checkpoint, in sequence order.",
      resolve: async (checkpoint, args, context) =>
        resolveEntryConnection(context, checkpoint.communityId, args, {
          fromSeq: await previousCheckpointSize(context.em, checkpoint.communityId, checkpoint.treeSize),
          toSeq: checkpoint.treeSize,
        }),
    }),
  }),
});

function communityIdArgument(arg: { id: string }): string {
  return parseUuid(arg.id, 'communityId');
}

builder.queryField('checkpoints', (t) =>
  t.connection({
    type: CheckpointRef,
    description: `A community's checkpoints by ascending tree size, at most ${CONNECTION_PAGE_MAX_SIZE} per page.`,
    args: { communityId: t.arg.globalID({ required: true, for: LOG_OWNER_REFS, description: LOG_ID_DESCRIPTION }) },
    resolve: (_root, args, context) => {
      const communityId = communityIdArgument(args.communityId);
      requireLogReader(context.viewer, communityId);
      return resolveKeysetConnection(
        args,
        (page) =>
          listCheckpoints(context.em, communityId, {
            afterTreeSize: page.after?.[0],
            beforeTreeSize: page.before?.[0],
            limit: page.limit,
            descending: page.backwards,
          }),
        { name: 'checkpoints', keyOf: (checkpoint) => [checkpoint.treeSize] as const, parseKey: keyParsers.oneInteger },
      );
    },
  }),
);

builder.queryField('checkpoint', (t) =>
  t.field({
    type: CheckpointRef,
    nullable: true,
    description: 'The checkpoint of this tree size, if one was cut.',
    args: { communityId: t.arg.globalID({ required: true, for: LOG_OWNER_REFS, description: LOG_ID_DESCRIPTION }), treeSize: t.arg({ type: 'BigInt', required: true }) },
    resolve: async (_root, args, context) => {
      const communityId = communityIdArgument(args.communityId);
      requireLogReader(context.viewer, communityId);
      return (await getCheckpoint(context.em, communityId, toSafeIndex(args.treeSize, 'treeSize'))) ?? null;
    },
  }),
);

builder.queryField('latestCheckpoint', (t) =>
  t.field({
    type: CheckpointRef,
    nullable: true,
    description: 'The largest checkpoint of the community, final or not; null before the first.',
    args: { communityId: t.arg.globalID({ required: true, for: LOG_OWNER_REFS, description: LOG_ID_DESCRIPTION }) },
    resolve: async (_root, args, context) => {
      const communityId = communityIdArgument(args.communityId);
      requireLogReader(context.viewer, communityId);
      return (await latestCheckpoint(context.em, communityId)) ?? null;
    },
  }),
);

/** Committee members of the community, and regulators over it, act as its witnesses; regulators witness the installation log. */
export function requireWitnessRole(viewer: Viewer | null, communityId: string): { viewer: Viewer; role: 'committee' | 'regulator' } {
  const caller = requireViewer(viewer);
  if (isInstallationLog(communityId)) {
    if (caller.isRegulator) return { viewer: caller, role: 'regulator' };
    throw new ForbiddenError('Requires a regulator role to witness the installation log');
  }
  if (hasCommunityRole(caller, communityId, ['committee'])) return { viewer: caller, role: 'committee' };
  if (isRegulatorOf(caller, communityId)) return { viewer: caller, role: 'regulator' };
  throw new ForbiddenError("Requires the committee role in this community, or a regulator's jurisdiction over it");
}

builder.mutationField('cosignCheckpoint', (t) =>
  t.field({
    type: CheckpointRef,
    description:
      "Witnesses: add a cosignature (cosignature/v1 over the checkpoint body) made with the caller's registered witness key. " +
      'Sign only after verifying consistency with the last checkpoint you cosigned.',
    errors: { types: MUTATION_ERRORS },
    args: {
      communityId: t.arg.globalID({ required: true, for: LOG_OWNER_REFS, description: LOG_ID_DESCRIPTION }),
      treeSize: t.arg({ type: 'BigInt', required: true }),
      keyName: t.arg.string({ required: true, validate: textArgument({ maxLength: KEY_NAME_MAX_LENGTH }) }),
      timestampSeconds: t.arg({ type: 'BigInt', required: true, description: 'The time line of the signed message, Unix seconds.' }),
      signature: t.arg({ type: 'Hex', required: true, description: 'The 64-byte Ed25519 signature.' }),
    },
    resolve: (_root, args, context) =>
      inTransaction(context, async (em) => {
        const communityId = communityIdArgument(args.communityId);
        const { viewer } = requireWitnessRole(context.viewer, communityId);
        const treeSize = toSafeIndex(args.treeSize, 'treeSize');
        const timestampSeconds = toSafeIndex(args.timestampSeconds, 'timestampSeconds');
        if (args.signature.length !== 64) throw new LedgerInputError('signature', 'must be a 64-byte Ed25519 signature');
        const witness = (await listWitnesses(em, communityId)).find((candidate) => candidate.keyName === args.keyName);
        // Someone else's key and an unknown key look alike.
        if (!witness || witness.accountId !== viewer.accountId) throw new NotFoundError(`Witness key "${args.keyName}" of the caller`);
        const checkpoint = await getCheckpoint(em, communityId, treeSize);
        if (!checkpoint) throw new NotFoundError(`Checkpoint of size ${treeSize}`);
        if ((await checkpointStatus(em, checkpoint)).cosignatures.length >= MAX_NOTE_SIGNATURES - 1) {
          throw new LedgerInputError('treeSize', 'the checkpoint carries the most cosignatures a note may hold');
        }
        await submitCosignature(em, { communityId, treeSize, cosignature: { keyName: args.keyName, timestampSeconds, signature: args.signature } });
        return checkpoint;
      }),
  }),
);

builder.subscriptionField('checkpointFinalized', (t) =>
  t.field({
    type: CheckpointRef,
    description: "Each checkpoint of the community that becomes final from now on (the largest, when several do at once).",
    args: { communityId: t.arg.globalID({ required: true, for: LOG_OWNER_REFS, description: LOG_ID_DESCRIPTION }) },
    subscribe: (_root, args, context) => {
      const communityId = communityIdArgument(args.communityId);
      requireLogReader(context.viewer, communityId);
      return followCommunity(context, 'ledger:checkpointFinalized', communityId);
    },
    resolve: (checkpoint) => checkpoint,
  }),
);
