/**
 * The community's books over GraphQL: accounts with their totals, linked transfers under
 * an idempotency key, fund balances and cash flow. Managers post; managers and committee
 * read accounts; every reader of the community sees the fund balances (aggregates).
 */
import { z } from 'zod';
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { parseUuid } from '../../graphql/ids.ts';
import { CommunityRef } from '../../accounts/api/community.ts';
import { ACCOUNT_KIND_NAMES } from '../account-kinds.ts';
import { accountNaturalBalanceFen, type Account } from '../accounts.ts';
import { MANUAL_TRANSFER_CODES } from '../transfer-codes.ts';
import { IDEMPOTENCY_KEY_PATTERN, ID_PATTERN } from '../identifiers.ts';
import { MAX_LINKED_TRANSFERS } from '../transfers.ts';
import type { FundBalance } from '../fund-reports.ts';
import type { CashFlow } from '../fund-reports.ts';
import { listMoneyAccounts, openActivityFund, openBooks, postTransfers } from '../../fees/money-commands.ts';
import { cashFlowReport, fundReport, type FundReport } from '../../fees/money-reports.ts';
import type { GraphQLContext } from '../../graphql/context.ts';

export const AccountKindEnum = builder.enumType('MoneyAccountKind', {
  description: 'What an account holds (docs/money.md, "Accounts and the sign convention").',
  values: Object.fromEntries(
    ACCOUNT_KIND_NAMES.map((kind) => [kind.toUpperCase().replace(/-/g, '_'), { value: kind }]),
  ),
});

const TransferCodeEnum = builder.enumType('ManualTransferCode', {
  description: 'Why a manager moves money.',
  values: Object.fromEntries(
    MANUAL_TRANSFER_CODES.map((code) => [code.toUpperCase().replace(/-/g, '_'), { value: code }]),
  ),
});

export const MoneyAccountRef = builder.objectRef<Account>('MoneyAccount').implement({
  description: "An account of the community's books. Totals only grow; the balance is derived from them.",
  fields: (t) => ({
    id: t.exposeString('accountId'),
    kind: t.field({ type: AccountKindEnum, resolve: (account) => account.kind }),
    ownerId: t.exposeString('ownerId', {
      nullable: true,
      description: 'The household, activity or provider it belongs to.',
    }),
    debits: t.field({ type: 'Money', resolve: (account) => account.debitsFen }),
    credits: t.field({ type: 'Money', resolve: (account) => account.creditsFen }),
    balance: t.field({
      type: 'Money',
      description: 'Seen from the account’s normal side: what it holds or owes, positive.',
      resolve: accountNaturalBalanceFen,
    }),
  }),
});

export function moneyContext(context: GraphQLContext) {
  return { services: context.services, em: context.em, viewer: context.viewer };
}

export const communityIdOf = (args: { communityId: { id: string } }) => parseUuid(args.communityId.id, 'communityId');

builder.queryField('moneyAccounts', (t) =>
  t.field({
    type: [MoneyAccountRef],
    description: "Managers and committee: every account of the community's books.",
    args: { communityId: t.arg.globalID({ required: true, for: CommunityRef }) },
    resolve: (_root, args, context) => listMoneyAccounts(moneyContext(context), communityIdOf(args)),
  }),
);

builder.mutationField('openBooks', (t) =>
  t.field({
    type: [MoneyAccountRef],
    description:
      "Manager: opens the community's accounts (operating, maintenance fund, income, expenses, external) that it lacks.",
    errors: { types: MUTATION_ERRORS },
    args: { communityId: t.arg.globalID({ required: true, for: CommunityRef }) },
    resolve: (_root, args, context) => openBooks(moneyContext(context), communityIdOf(args)),
  }),
);

builder.mutationField('openActivityFund', (t) =>
  t.field({
    type: 'String',
    description: "Manager: opens an activity's fund (or returns the one it has); the account's id.",
    errors: { types: MUTATION_ERRORS },
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      activityId: t.arg.string({ required: true, validate: z.string().regex(ID_PATTERN) }),
    },
    resolve: (_root, args, context) => openActivityFund(moneyContext(context), communityIdOf(args), args.activityId),
  }),
);

const TransferInput = builder.inputType('TransferInput', {
  fields: (t) => ({
    // Account ids reach the ledger's canonical payload: the id rule refuses anything else here, by name.
    debitAccountId: t.string({ required: true, validate: z.string().regex(ID_PATTERN) }),
    creditAccountId: t.string({ required: true, validate: z.string().regex(ID_PATTERN) }),
    amount: t.field({ type: 'Money', required: true }),
    code: t.field({ type: TransferCodeEnum, required: true }),
  }),
});

const TransferBatchRef = builder.objectRef<{ batchId: string; replayed: boolean }>('TransferBatch').implement({
  fields: (t) => ({
    batchId: t.exposeString('batchId'),
    replayed: t.exposeBoolean('replayed', {
      description: 'True when this key was used before with the same body: the original batch, nothing new written.',
    }),
  }),
});

builder.mutationField('postTransfers', (t) =>
  t.field({
    type: TransferBatchRef,
    description:
      'Manager: posts linked transfers, all or none. The same idempotency key with the same body returns the original batch; with another body, CONFLICT.',
    errors: { types: MUTATION_ERRORS },
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      idempotencyKey: t.arg.string({ required: true, validate: z.string().regex(IDEMPOTENCY_KEY_PATTERN) }),
      transfers: t.arg({
        type: [TransferInput],
        required: true,
        validate: z.array(z.any()).min(1).max(MAX_LINKED_TRANSFERS),
      }),
    },
    resolve: (_root, args, context) =>
      postTransfers(moneyContext(context), communityIdOf(args), {
        idempotencyKey: args.idempotencyKey,
        transfers: args.transfers.map((order) => ({
          debitAccountId: order.debitAccountId,
          creditAccountId: order.creditAccountId,
          amountFen: order.amount,
          code: order.code as (typeof MANUAL_TRANSFER_CODES)[number],
        })),
      }),
  }),
);

const FundBalanceRef = builder.objectRef<FundBalance>('FundBalance').implement({
  fields: (t) => ({
    accountId: t.exposeString('accountId'),
    kind: t.field({ type: AccountKindEnum, resolve: (fund) => fund.kind }),
    ownerId: t.exposeString('ownerId', { nullable: true }),
    balance: t.field({ type: 'Money', resolve: (fund) => fund.balanceFen }),
  }),
});

export const FundReportRef = builder.objectRef<FundReport>('FundReport').implement({
  fields: (t) => ({
    funds: t.field({ type: [FundBalanceRef], resolve: (report) => report.funds }),
    totalDebits: t.field({ type: 'Money', resolve: (report) => report.debitsFen }),
    totalCredits: t.field({ type: 'Money', resolve: (report) => report.creditsFen }),
  }),
});

builder.queryField('fundReport', (t) =>
  t.field({
    type: FundReportRef,
    description:
      "The community's funds (operating, maintenance fund, activity funds) and the trial balance; for its members and regulators.",
    args: { communityId: t.arg.globalID({ required: true, for: CommunityRef }) },
    resolve: (_root, args, context) => fundReport(moneyContext(context), communityIdOf(args)),
  }),
);

const CashFlowLineRef = builder
  .objectRef<[string, { inflowFen: bigint; outflowFen: bigint }]>('CashFlowLine')
  .implement({
    fields: (t) => ({
      code: t.string({ resolve: ([code]) => code }),
      inflow: t.field({ type: 'Money', resolve: ([, line]) => line.inflowFen }),
      outflow: t.field({ type: 'Money', resolve: ([, line]) => line.outflowFen }),
    }),
  });

const CashFlowRef = builder.objectRef<CashFlow>('CashFlow').implement({
  fields: (t) => ({
    accountId: t.exposeString('accountId'),
    from: t.exposeString('from'),
    to: t.exposeString('to'),
    openingBalance: t.field({ type: 'Money', resolve: (flow) => flow.openingBalanceFen }),
    inflow: t.field({ type: 'Money', resolve: (flow) => flow.inflowFen }),
    outflow: t.field({ type: 'Money', resolve: (flow) => flow.outflowFen }),
    closingBalance: t.field({ type: 'Money', resolve: (flow) => flow.closingBalanceFen }),
    byCode: t.field({
      type: [CashFlowLineRef],
      resolve: (flow) => [...flow.byCode.entries()].sort(([a], [b]) => (a < b ? -1 : 1)),
    }),
  }),
});

const CIVIL_DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

builder.queryField('cashFlow', (t) =>
  t.field({
    type: CashFlowRef,
    description:
      'Managers and committee: money in and out of one account over civil dates (both included), by transfer code.',
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      accountId: t.arg.string({ required: true, validate: z.string().regex(ID_PATTERN) }),
      from: t.arg.string({ required: true, validate: CIVIL_DATE }),
      to: t.arg.string({ required: true, validate: CIVIL_DATE }),
    },
    resolve: (_root, args, context) =>
      cashFlowReport(moneyContext(context), communityIdOf(args), args.accountId, args.from, args.to),
  }),
);
