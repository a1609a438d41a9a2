/**
 * Encrypted-weight proposals over GraphQL (issue 15): the trustees publish their
 * key-generation messages and, after the close, their partial decryptions (each checked
 * and a ledger entry; the key shares stay on the trustees' devices); owners cast encrypted
 * ballots without logging in; the committee, a manager or the regulator may ask for the tally, which is
 * refused with NOT_ENOUGH_PARTIALS until k trustees have decrypted. `Proposal.election`
 * shows everything public: trustees, messages, the election key, the closing sums.
 */
import { z } from 'zod';
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { inTransaction } from '../../graphql/transaction.ts';
import { MAX_PER_OPERATION } from '../../graphql/field-limits.ts';
import type { SqlEntityManager } from '../../db/orm.ts';
import { MAX_PROOF_JSON_BYTES } from '../../zk/proof-format.ts';
import { electionMessages, findElection, readSums, type Election } from '../encrypted-election.ts';
import {
  fileKeyComplaint, MAX_ELECTION_MESSAGE_BYTES, publishKeyCommitments, publishKeyShares, publishPartialDecryption, recordEncryptedBallot,
  tallyEncryptedProposal, verifyEncryptedBallotInput,
} from '../encrypted-proposals.ts';
import { BallotReceiptRef, publishTally } from './ballot.ts';
import { ProposalRef, proposalIdArg } from './proposal.ts';

interface TrusteeMessageReceipt {
  trustee: number;
  ledgerEntryId: number;
  judgement?: string;
  partials?: number;
  decided?: boolean;
}

const TrusteeMessageReceiptRef = builder.objectRef<TrusteeMessageReceipt>('TrusteeMessageReceipt').implement({
  description: "A trustee's public message, accepted and on the ledger.",
  fields: (t) => ({
    trustee: t.exposeInt('trustee', { description: 'Your trustee number (1..n).' }),
    ledgerEntryId: t.field({ type: 'BigInt', description: 'The pending id of the entry.', resolve: (receipt) => BigInt(receipt.ledgerEntryId) }),
    judgement: t.string({ nullable: true, description: 'A complaint: dealer-at-fault or complaint-unfounded.', resolve: (receipt) => receipt.judgement ?? null }),
    partialDecryptions: t.int({ nullable: true, description: 'A partial decryption: how many are published now.', resolve: (receipt) => receipt.partials ?? null }),
    decided: t.boolean({ nullable: true, description: 'A partial decryption: whether it was the k-th and the result is on the ledger.', resolve: (receipt) => receipt.decided ?? null }),
  }),
});

const TrusteeRef = builder.objectRef<{ trustee: number; accountId: string }>('ElectionTrustee').implement({
  fields: (t) => ({
    trustee: t.exposeInt('trustee'),
    accountId: t.globalID({ resolve: (trustee) => ({ type: 'Account', id: trustee.accountId }) }),
  }),
});

const ElectionRef = builder.objectRef<Election>('ProposalElection').implement({
  description: "An encrypted-weight proposal's election: its trustees, their public messages, the election key and the sums to decrypt.",
  fields: (t) => ({
    threshold: t.exposeInt('threshold', { description: 'k: how many trustees must decrypt.' }),
    trusteeCount: t.exposeInt('trusteeCount'),
    trustees: t.field({ type: [TrusteeRef], resolve: (election) => election.trustees }),
    keyGenerationMessages: t.string({
      description: 'JSON {round1, round2, complaints}: what a trustee needs to deal, receive and check its shares.',
      resolve: async (election, _args, context) => {
        const { round1, round2, complaints } = await electionMessages(context.em as SqlEntityManager, election.proposalId);
        return JSON.stringify({ round1, round2, complaints });
      },
    }),
    electionKey: t.string({ nullable: true, description: 'The election-key record (JSON), pinned at the opening.', resolve: (election) => (election.keyRecord ? JSON.stringify(election.keyRecord) : null) }),
    ballotKeyHash: t.string({ nullable: true, description: 'The hash of the encrypted-ballot verification key pinned at the opening.', resolve: (election) => election.ballotKeyHash }),
    ballotKeyInsecure: t.boolean({ nullable: true, description: 'Whether that key is the INSECURE development set-up.', resolve: (election) => election.ballotKeyInsecure }),
    sums: t.string({
      nullable: true,
      description: 'After the close: the per-option sums (JSON list of {c1, c2}, in option order) the trustees decrypt.',
      resolve: async (election, _args, context) => {
        if (!election.closingCheckpoint) return null;
        const sums = await readSums(context.em as SqlEntityManager, election.proposalId);
        return JSON.stringify(sums.map((sum) => sum.ciphertext));
      },
    }),
    partialDecryptions: t.int({
      description: 'How many trustees have published their partial decryption.',
      resolve: async (election, _args, context) => (await electionMessages(context.em as SqlEntityManager, election.proposalId)).partials.length,
    }),
  }),
});

builder.objectField(ProposalRef, 'election', (t) =>
  t.field({
    type: ElectionRef,
    nullable: true,
    description: 'ENCRYPTED mode: the election of the key that encrypts the weights; null otherwise.',
    resolve: (proposal, _args, context) => (proposal.mode === 'encrypted' ? findElection(context.em as SqlEntityManager, proposal.id).then((found) => found ?? null) : null),
  }),
);

builder.mutationField('publishKeyCommitments', (t) =>
  t.field({
    type: TrusteeMessageReceiptRef,
    description: "A trustee, while the proposal is a draft: its round-1 message (dkg-round-1: commitments, proof of knowledge, transport key), made on its device.",
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: { proposalId: t.arg.globalID({ required: true }), message: t.arg.string({ required: true, description: 'The dkg-round-1 message as JSON.', validate: z.string().max(MAX_ELECTION_MESSAGE_BYTES) }) },
    resolve: (_root, args, context) =>
      inTransaction(context, (em) => publishKeyCommitments(em, context.viewer, proposalIdArg(args.proposalId), args.message)),
  }),
);

builder.mutationField('publishKeyShares', (t) =>
  t.field({
    type: TrusteeMessageReceiptRef,
    description: "A trustee, once every trustee's round 1 is in: its shares, each sealed to its recipient (a JSON list of dkg-round-2 messages).",
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: { proposalId: t.arg.globalID({ required: true }), messages: t.arg.string({ required: true, description: 'The dkg-round-2 messages as a JSON list.', validate: z.string().max(MAX_ELECTION_MESSAGE_BYTES) }) },
    resolve: (_root, args, context) =>
      inTransaction(context, (em) => publishKeyShares(em, context.viewer, proposalIdArg(args.proposalId), args.messages)),
  }),
);

builder.mutationField('fileKeyComplaint', (t) =>
  t.field({
    type: TrusteeMessageReceiptRef,
    description: "A trustee whose share from a dealer does not open or match: the dkg-complaint, judged at once from public messages.",
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: { proposalId: t.arg.globalID({ required: true }), complaint: t.arg.string({ required: true, description: 'The dkg-complaint as JSON.', validate: z.string().max(MAX_ELECTION_MESSAGE_BYTES) }) },
    resolve: (_root, args, context) =>
      inTransaction(context, (em) => fileKeyComplaint(em, context.viewer, proposalIdArg(args.proposalId), args.complaint)),
  }),
);

builder.mutationField('publishPartialDecryption', (t) =>
  t.field({
    type: TrusteeMessageReceiptRef,
    description:
      "A trustee, after the close: its partial decryption of the sums with a Chaum–Pedersen proof each. The k-th decides the tally and writes the result.",
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    extensions: { [MAX_PER_OPERATION]: 1 },
    args: { proposalId: t.arg.globalID({ required: true }), message: t.arg.string({ required: true, description: 'The partial-decryption message as JSON.', validate: z.string().max(MAX_ELECTION_MESSAGE_BYTES) }) },
    resolve: (_root, args, context) =>
      inTransaction(context, (em) =>
        publishPartialDecryption(em, context.viewer, proposalIdArg(args.proposalId), args.message as string)),
  }),
);

builder.mutationField('tallyEncryptedProposal', (t) =>
  t.field({
    type: ProposalRef,
    description: 'The committee, a manager or the regulator: decide the encrypted tally from the partial decryptions published (NOT_ENOUGH_PARTIALS below k).',
    errors: { types: MUTATION_ERRORS },
    authScopes: { authenticated: true },
    args: { proposalId: t.arg.globalID({ required: true }) },
    resolve: (_root, args, context) =>
      inTransaction(context, (em) => tallyEncryptedProposal(em, context.viewer, proposalIdArg(args.proposalId))),
  }),
);

builder.mutationField('castEncryptedBallot', (t) =>
  t.field({
    type: BallotReceiptRef,
    description:
      "No login: an encrypted-weight ballot — a proof of the encrypted-ballot circuit for the pinned census with scope = the proposal, message = the choice, " +
      'and the election key; its ciphertext encrypts the leaf\'s area. A later ballot with the same nullifier replaces the earlier one.',
    errors: { types: MUTATION_ERRORS },
    extensions: { [MAX_PER_OPERATION]: 1 },
    args: {
      proposalId: t.arg.globalID({ required: true }),
      choice: t.arg.string({ required: true, validate: z.string().max(32) }),
      proof: t.arg.string({ required: true, description: '{"proof": …, "publicSignals": […]} as snarkjs writes them.', validate: z.string().max(MAX_PROOF_JSON_BYTES) }),
    },
    resolve: async (_root, args, context) => {
      const verified = await verifyEncryptedBallotInput(context.em as SqlEntityManager, {
        proposalId: proposalIdArg(args.proposalId), choice: args.choice, proof: args.proof,
      });
      const receipt = await inTransaction(context, (em) => recordEncryptedBallot(em, verified));
      publishTally(context, receipt.proposalId);
      return receipt;
    },
  }),
);
