/**
 * Expense approvals over GraphQL: a manager proposes a spend from a community account
 * (payee id, amount, hashes of purpose and receipt — the texts stay off the ledger); the
 * account's rule decides which approvals it needs; it executes as a transfer only when
 * the rule is met (and, for the maintenance fund, the owners' proposal passed).
 */
import { z } from 'zod';
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { CommunityRef } from '../../accounts/api/community.ts';
import type { Spend } from '../expense-approval.ts';
import { ID_PATTERN } from '../identifiers.ts';
import { MAX_COMMITTEE_SIZE, MAX_SPEND_EXPIRY_DAYS } from '../approval-rules.ts';
import {
  decideSpend,
  executeSpend,
  findSpend,
  listWaitingSpends,
  proposeSpend,
  requireBooksReader,
  setSpendRule,
} from '../../fees/money-commands.ts';
import { communityIdOf, moneyContext } from './money-account.ts';

const SHA256_HEX = z.string().regex(/^[0-9a-f]{64}$/);
const ID = z.string().regex(ID_PATTERN);

const SpendApprovalRef = builder.objectRef<Spend['approvals'][number]>('SpendApproval').implement({
  fields: (t) => ({
    approverId: t.exposeString('approverId'),
    role: t.exposeString('role'),
    approvedOn: t.exposeString('approvedOn'),
  }),
});

export const SpendRef = builder.objectRef<Spend>('Spend').implement({
  description: 'A proposed payment out of a community account, and where it stands.',
  fields: (t) => ({
    id: t.exposeString('spendId'),
    accountId: t.exposeString('accountId'),
    amount: t.field({ type: 'Money', resolve: (spend) => spend.amountFen }),
    payeeId: t.exposeString('payeeId'),
    purposeHash: t.exposeString('purposeHash'),
    receiptHash: t.exposeString('receiptHash'),
    ownersProposalId: t.exposeString('ownersProposalId', { nullable: true }),
    proposedBy: t.exposeString('proposedBy'),
    proposedOn: t.exposeString('proposedOn'),
    expiresOn: t.exposeString('expiresOn'),
    approvalsRequired: t.int({ resolve: (spend) => spend.requirement.approvals }),
    eligibleRoles: t.stringList({ resolve: (spend) => [...spend.requirement.eligibleRoles] }),
    needsOwnersProposal: t.boolean({ resolve: (spend) => spend.requirement.ownersProposal }),
    approvals: t.field({ type: [SpendApprovalRef], resolve: (spend) => [...spend.approvals] }),
    status: t.exposeString('status', { description: 'proposed, approved, rejected, expired or executed.' }),
    closedOn: t.exposeString('closedOn', { nullable: true }),
  }),
});

builder.mutationField('setSpendRule', (t) =>
  t.field({
    type: 'Boolean',
    description:
      "Manager: the approval rule of a spendable account (the maintenance fund always needs an owners' proposal).",
    errors: { types: MUTATION_ERRORS },
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      accountId: t.arg.string({ required: true, validate: ID }),
      managerLimit: t.arg({ type: 'Money', required: true }),
      committeeApprovalsRequired: t.arg.int({
        required: true,
        validate: z.number().int().min(1).max(MAX_COMMITTEE_SIZE),
      }),
      committeeSize: t.arg.int({ required: true, validate: z.number().int().min(1).max(MAX_COMMITTEE_SIZE) }),
      ownersProposalRequired: t.arg.boolean({ required: true }),
      expiresAfterDays: t.arg.int({ required: true, validate: z.number().int().min(1).max(MAX_SPEND_EXPIRY_DAYS) }),
    },
    resolve: async (_root, args, context) => {
      await setSpendRule(moneyContext(context), communityIdOf(args), {
        accountId: args.accountId,
        managerLimitFen: args.managerLimit,
        committeeApprovalsRequired: args.committeeApprovalsRequired,
        committeeSize: args.committeeSize,
        ownersProposalRequired: args.ownersProposalRequired,
        expiresAfterDays: args.expiresAfterDays,
      });
      return true;
    },
  }),
);

builder.mutationField('proposeSpend', (t) =>
  t.field({
    type: SpendRef,
    description: 'Manager: proposes a spend; its requirement is fixed now from the account’s rule.',
    errors: { types: MUTATION_ERRORS },
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      accountId: t.arg.string({ required: true, validate: ID }),
      amount: t.arg({ type: 'Money', required: true }),
      payeeId: t.arg.string({ required: true, validate: ID }),
      purposeHash: t.arg.string({ required: true, validate: SHA256_HEX }),
      receiptHash: t.arg.string({ required: true, validate: SHA256_HEX }),
      ownersProposalId: t.arg.string({ validate: ID.optional().nullable() }),
    },
    resolve: (_root, args, context) =>
      proposeSpend(moneyContext(context), communityIdOf(args), {
        accountId: args.accountId,
        amountFen: args.amount,
        payeeId: args.payeeId,
        purposeHash: args.purposeHash,
        receiptHash: args.receiptHash,
        ownersProposalId: args.ownersProposalId ?? null,
      }),
  }),
);

for (const [name, decision] of [
  ['approveSpend', 'approve'],
  ['rejectSpend', 'reject'],
] as const) {
  builder.mutationField(name, (t) =>
    t.field({
      type: SpendRef,
      description: `Manager or committee member (by the spend's requirement; never the proposer): ${decision}s the spend.`,
      errors: { types: MUTATION_ERRORS },
      args: {
        communityId: t.arg.globalID({ required: true, for: CommunityRef }),
        spendId: t.arg.string({ required: true, validate: ID }),
      },
      resolve: (_root, args, context) =>
        decideSpend(moneyContext(context), communityIdOf(args), args.spendId, decision),
    }),
  );
}

builder.mutationField('executeSpend', (t) =>
  t.field({
    type: SpendRef,
    description: 'Manager: pays an approved spend (a transfer to expenses under the account’s balance rule).',
    errors: { types: MUTATION_ERRORS },
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      spendId: t.arg.string({ required: true, validate: ID }),
    },
    resolve: (_root, args, context) => executeSpend(moneyContext(context), communityIdOf(args), args.spendId),
  }),
);

builder.queryField('spend', (t) =>
  t.field({
    type: SpendRef,
    nullable: true,
    description: 'Managers and committee: one spend.',
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      spendId: t.arg.string({ required: true, validate: ID }),
    },
    resolve: async (_root, args, context) => {
      const communityId = communityIdOf(args);
      requireBooksReader(context.viewer, communityId);
      return (await findSpend(context, communityId, args.spendId)) ?? null;
    },
  }),
);

builder.queryField('waitingSpends', (t) =>
  t.field({
    type: [SpendRef],
    description:
      "Managers and committee: the community's spends still waiting for approvals (proposed), oldest first, at most 100.",
    args: { communityId: t.arg.globalID({ required: true, for: CommunityRef }) },
    resolve: (_root, args, context) => {
      const communityId = communityIdOf(args);
      requireBooksReader(context.viewer, communityId);
      return listWaitingSpends(context, communityId);
    },
  }),
);
