/**
 * Proofs over a community's log, served from stored tree nodes (RFC 9162 §2.1.3, §2.1.4):
 * `inclusionProof` of an entry in a tree size and `consistencyProof` between two sizes,
 * each with the roots they lead to, so a client can check them against signed
 * checkpoints with any RFC 6962/9162 verifier.
 */
import { builder } from '../../graphql/builder.ts';
import { parseUuid } from '../../graphql/ids.ts';
import { LOG_ID_DESCRIPTION, LOG_OWNER_REFS, toSafeIndex } from '../../ledger/api/ledger-arguments.ts';
import { requireLogReader } from '../../accounts/viewer.ts';
import { getEntry } from '../../ledger/entries.ts';
import { consistencyProof, inclusionProof, rootAt } from '../../ledger/proofs.ts';

interface InclusionProofShape {
  seq: number;
  treeSize: number;
  leafHash: Uint8Array;
  rootHash: Uint8Array;
  hashes: Uint8Array[];
}

interface ConsistencyProofShape {
  fromSize: number;
  toSize: number;
  fromRootHash: Uint8Array;
  toRootHash: Uint8Array;
  hashes: Uint8Array[];
}

const InclusionProofRef = builder.objectRef<InclusionProofShape>('InclusionProof').implement({
  description: 'An RFC 9162 inclusion proof: the audit path from the leaf to the root of the first treeSize entries.',
  fields: (t) => ({
    seq: t.field({ type: 'BigInt', resolve: (proof) => BigInt(proof.seq) }),
    treeSize: t.field({ type: 'BigInt', resolve: (proof) => BigInt(proof.treeSize) }),
    leafHash: t.expose('leafHash', { type: 'Hex' }),
    rootHash: t.expose('rootHash', { type: 'Hex' }),
    hashes: t.expose('hashes', { type: ['Hex'], description: 'Sibling hashes from the leaf upwards.' }),
  }),
});

const ConsistencyProofRef = builder.objectRef<ConsistencyProofShape>('ConsistencyProof').implement({
  description: 'An RFC 9162 consistency proof that the tree of toSize entries extends the tree of fromSize entries.',
  fields: (t) => ({
    fromSize: t.field({ type: 'BigInt', resolve: (proof) => BigInt(proof.fromSize) }),
    toSize: t.field({ type: 'BigInt', resolve: (proof) => BigInt(proof.toSize) }),
    fromRootHash: t.expose('fromRootHash', { type: 'Hex' }),
    toRootHash: t.expose('toRootHash', { type: 'Hex' }),
    hashes: t.expose('hashes', { type: ['Hex'] }),
  }),
});

builder.queryField('inclusionProof', (t) =>
  t.field({
    type: InclusionProofRef,
    description: 'Proof that entry `seq` is in the tree of the first `treeSize` entries (e.g. a checkpoint).',
    args: {
      communityId: t.arg.globalID({ required: true, for: LOG_OWNER_REFS, description: LOG_ID_DESCRIPTION }),
      seq: t.arg({ type: 'BigInt', required: true }),
      treeSize: t.arg({ type: 'BigInt', required: true }),
    },
    resolve: async (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      requireLogReader(context.viewer, communityId);
      const seq = toSafeIndex(args.seq, 'seq');
      const treeSize = toSafeIndex(args.treeSize, 'treeSize');
      const hashes = await inclusionProof(context.em, communityId, seq, treeSize);
      const entry = (await getEntry(context.em, communityId, seq))!;
      return { seq, treeSize, leafHash: entry.leafHash, rootHash: await rootAt(context.em, communityId, treeSize), hashes };
    },
  }),
);

builder.queryField('consistencyProof', (t) =>
  t.field({
    type: ConsistencyProofRef,
    description: 'Proof that the tree of `toSize` entries is an append-only extension of the tree of `fromSize` entries.',
    args: {
      communityId: t.arg.globalID({ required: true, for: LOG_OWNER_REFS, description: LOG_ID_DESCRIPTION }),
      fromSize: t.arg({ type: 'BigInt', required: true }),
      toSize: t.arg({ type: 'BigInt', required: true }),
    },
    resolve: async (_root, args, context) => {
      const communityId = parseUuid(args.communityId.id, 'communityId');
      requireLogReader(context.viewer, communityId);
      const fromSize = toSafeIndex(args.fromSize, 'fromSize');
      const toSize = toSafeIndex(args.toSize, 'toSize');
      const hashes = await consistencyProof(context.em, communityId, fromSize, toSize);
      return {
        fromSize,
        toSize,
        fromRootHash: await rootAt(context.em, communityId, fromSize),
        toRootHash: await rootAt(context.em, communityId, toSize),
        hashes,
      };
    },
  }),
);
