/**
 * Ballots over GraphQL: anonymous (no login: a membership proof against the pinned root),
 * named (an authenticated member of the pinned census), paper (the committee), each
 * returning a receipt; and the receipt check anyone can run against the result's
 * checkpoint.
 */
import { z } from 'zod';
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { inTransaction } from '../../graphql/transaction.ts';
import { parseUuid } from '../../graphql/ids.ts';
import { HouseholdRef } from '../../privacy/api/household.ts';
import { MAX_PER_OPERATION } from '../../graphql/field-limits.ts';
import type { GraphQLContext } from '../../graphql/context.ts';
import type { SqlEntityManager } from '../../db/orm.ts';
import { sequenceOfEntry } from '../../ledger/integrator.ts';
import { MAX_PROOF_JSON_BYTES } from '../../zk/proof-format.ts';
import { castNamedBallot, enterPaperBallot, recordAnonymousBallot, verifyAnonymousBallot, type BallotReceipt } from '../ballots.ts';
import { exportElectionBundle } from '../election-bundle.ts';
import { checkBallotReceipt, type ReceiptCheck } from '../receipts.ts';
import { proposalIdArg } from './proposal.ts';

export const BallotReceiptRef = builder.objectRef<BallotReceipt>('BallotReceipt').implement({
  description: "Keep it: with it anyone can check that this ballot is in the checkpoint the result cites.",
  fields: (t) => ({
    ballotId: t.exposeID('ballotId'),
    proposalId: t.globalID({ resolve: (receipt) => ({ type: 'Proposal', id: receipt.proposalId }) }),
    choice: t.exposeString('choice'),
    nullifier: t.string({ nullable: true, resolve: (receipt) => receipt.nullifier?.toString() ?? null }),
    ledgerEntryId: t.field({ type: 'BigInt', description: 'The pending id of the ballot entry.', resolve: (receipt) => BigInt(receipt.ledgerEntryId) }),
    castAt: t.expose('castAt', { type: 'DateTime' }),
    replaced: t.boolean({ description: "Whether it replaced this member's earlier ballot.", resolve: (receipt) => receipt.replaced }),
    ledgerSeq: t.field({
      type: 'BigInt',
      resolve: async (receipt, _args, context) =>
        BigInt(await sequenceOfEntry(context.em as SqlEntityManager, receipt.communityId, receipt.ledgerEntryId, receipt.ledgerTime)),
    }),
  }),
});

/** After a committed ballot: its proposal's live tally goes out shortly (./live-tally-publisher.ts). */
export function publishTally(context: GraphQLContext, proposalId: string): void {
  context.services.governance.liveTallies.request(proposalId);
}

builder.mutationField('castAnonymousBallot', (t) =>
  t.field({
    type: BallotReceiptRef,
    description:
      'No login: a membership proof of the pinned census with scope = the proposal, message = the choice, attribute = the weight. ' +
      'A later ballot with the same nullifier before the close replaces the earlier one.',
    errors: { types: MUTATION_ERRORS },
    extensions: { [MAX_PER_OPERATION]: 1 },
    args: {
      proposalId: t.arg.globalID({ required: true }),
      choice: t.arg.string({ required: true, validate: z.string().max(32) }),
      proof: t.arg.string({ required: true, description: '{"proof": …, "publicSignals": […]} as snarkjs writes them.', validate: z.string().max(MAX_PROOF_JSON_BYTES) }),
    },
    resolve: async (_root, args, context) => {
      const { ballotVerifier, ballotChecks } = context.services.governance;
      const verified = await verifyAnonymousBallot(context.em as SqlEntityManager, ballotVerifier, {
        proposalId: proposalIdArg(args.proposalId),
        choice: args.choice,
        proof: args.proof,
      }, new Date(), ballotChecks);
      // Answer at the commit: the ballot is durable then; its entry is sequenced by the pass
      // started at the commit, and `ledgerSeq` resolves on demand (docs/governance.md, "Throughput").
      const receipt = await inTransaction(context, (em) => recordAnonymousBallot(em, verified), { sequencing: 'after-return' });
      publishTally(context, receipt.proposalId);
      return receipt;
    },
  }),
);

builder.mutationField('castNamedBallot', (t) =>
  t.field({
    type: BallotReceiptRef,
    description: 'A member of the pinned census votes by name; a later ballot replaces the earlier (a paper ballot stands).',
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: {
      proposalId: t.arg.globalID({ required: true }),
      choice: t.arg.string({ required: true, validate: z.string().max(32) }),
      householdId: t.arg.globalID({
        for: HouseholdRef,
        description: 'A households poll: the household you vote for, when you belong to several in the community.',
      }),
    },
    resolve: async (_root, args, context) => {
      const householdId = args.householdId ? parseUuid(args.householdId.id, 'householdId') : null;
      const receipt = await inTransaction(context, (em) =>
        castNamedBallot(em, context.viewer, { proposalId: proposalIdArg(args.proposalId), choice: args.choice, householdId }));
      publishTally(context, receipt.proposalId);
      return receipt;
    },
  }),
);

builder.mutationField('enterPaperBallot', (t) =>
  t.field({
    type: BallotReceiptRef,
    description: "The committee: a member's paper ballot (by census leaf index), superseding their online ballot.",
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: {
      proposalId: t.arg.globalID({ required: true }),
      leafIndex: t.arg.int({ required: true, validate: z.number().int().min(0) }),
      choice: t.arg.string({ required: true, validate: z.string().max(32) }),
    },
    resolve: async (_root, args, context) => {
      const receipt = await inTransaction(context, (em) =>
        enterPaperBallot(em, context.viewer, { proposalId: proposalIdArg(args.proposalId), leafIndex: args.leafIndex, choice: args.choice }));
      publishTally(context, receipt.proposalId);
      return receipt;
    },
  }),
);

const ReceiptCheckRef = builder.objectRef<ReceiptCheck>('BallotReceiptCheck').implement({
  description: "Whether a receipt's ballot is in the checkpoint the proposal's result cites, with the ledger's inclusion proof to check it yourself.",
  fields: (t) => ({
    included: t.boolean({ resolve: (check) => check.included }),
    counted: t.boolean({ description: "The ballot is the one that counts for its member (not replaced).", resolve: (check) => check.counted }),
    ledgerSeq: t.field({ type: 'BigInt', nullable: true, resolve: (check) => (check.seq === null ? null : BigInt(check.seq)) }),
    leafHash: t.string({ nullable: true, resolve: (check) => check.leafHash }),
    checkpointTreeSize: t.int({ nullable: true, resolve: (check) => check.treeSize }),
    checkpointRootHash: t.string({ nullable: true, resolve: (check) => check.rootHash }),
    inclusionProof: t.stringList({ resolve: (check) => check.inclusionProof }),
  }),
});

builder.queryField('checkBallotReceipt', (t) =>
  t.field({
    type: ReceiptCheckRef,
    description: "Anyone: is the ballot with this nullifier (anonymous) or ballot id in the result's checkpoint, and does it count?",
    errors: { types: MUTATION_ERRORS },
    args: {
      proposalId: t.arg.globalID({ required: true }),
      nullifier: t.arg.string({ validate: z.string().max(78).optional().nullable() }),
      ballotId: t.arg.id({}),
    },
    resolve: (_root, args, context) =>
      checkBallotReceipt(context.em as SqlEntityManager, {
        proposalId: proposalIdArg(args.proposalId),
        nullifier: args.nullifier ?? null,
        ballotId: args.ballotId === null || args.ballotId === undefined ? null : String(args.ballotId),
      }),
  }),
);

builder.queryField('electionBundle', (t) =>
  t.field({
    type: 'String',
    description:
      'The committee, managers and regulators: a closed proposal\'s election bundle as JSON, for `npm run governance:verify` ' +
      'offline (cuts a checkpoint covering the result entry if none does yet).',
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    extensions: { [MAX_PER_OPERATION]: 1 },
    args: { proposalId: t.arg.globalID({ required: true }) },
    resolve: async (_root, args, context) =>
      JSON.stringify(await inTransaction(context, (em) => exportElectionBundle(em, context.viewer, proposalIdArg(args.proposalId), context.services.ledger.sealer))),
  }),
);
