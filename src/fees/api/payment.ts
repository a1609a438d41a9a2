/**
 * Payments, refunds and receipts over GraphQL. A manager enters a payment received in
 * cash or by bank transfer under an idempotency key (retries give the original payment;
 * the key with another body is CONFLICT); providers' payments arrive through the webhook
 * (payment-webhook.ts). A household's residents see its payments and receipts.
 */
import { z } from 'zod';
import { builder } from '../../graphql/builder.ts';
import { MUTATION_ERRORS } from '../../graphql/errors.ts';
import { parseUuid } from '../../graphql/ids.ts';
import { CommunityRef } from '../../accounts/api/community.ts';
import { HouseholdRef } from '../../privacy/api/household.ts';
import { IDEMPOTENCY_KEY_PATTERN, ID_PATTERN } from '../../funds/identifiers.ts';
import { keyParsers, resolveKeysetConnection } from '../../graphql/keyset-connection.ts';
import { communityIdOf, moneyContext } from '../../funds/api/money-account.ts';
import type { Payment } from '../fees-state.ts';
import type { Allocation } from '../payment-allocation.ts';
import { receiptOf, type Receipt, type ReceiptLine } from '../receipts.ts';
import { enterManualPayment, findPayment, householdPayments, refund } from '../money-commands.ts';

const AllocationRef = builder.objectRef<Allocation>('PaymentAllocation').implement({
  fields: (t) => ({
    invoiceId: t.exposeString('invoiceId'),
    amount: t.field({ type: 'Money', resolve: (allocation) => allocation.amountFen }),
  }),
});

export const PaymentRef = builder.objectRef<Payment>('Payment').implement({
  fields: (t) => ({
    id: t.exposeString('paymentId'),
    household: t.globalID({ resolve: (payment) => ({ type: 'Household', id: payment.householdId }) }),
    amount: t.field({ type: 'Money', resolve: (payment) => payment.amountFen }),
    receivedOn: t.exposeString('receivedOn'),
    settled: t.field({
      type: [AllocationRef],
      description: 'What it settled, oldest invoice first.',
      resolve: (payment) => [...payment.allocations],
    }),
    toCredit: t.field({
      type: 'Money',
      description: 'What was left over and became credit.',
      resolve: (payment) => payment.creditFen,
    }),
    refunded: t.field({ type: 'Money', resolve: (payment) => payment.refundedFen }),
  }),
});

const PaymentResultRef = builder.objectRef<{ payment: Payment; replayed: boolean }>('RecordedPayment').implement({
  fields: (t) => ({
    payment: t.field({ type: PaymentRef, resolve: (result) => result.payment }),
    replayed: t.exposeBoolean('replayed', {
      description: 'True when this key was used before with the same body: the original payment.',
    }),
  }),
});

builder.mutationField('recordPayment', (t) =>
  t.field({
    type: PaymentResultRef,
    description:
      'Manager: a payment received for a household, settling its oldest open invoices first; what is left becomes credit.',
    errors: { types: MUTATION_ERRORS },
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      householdId: t.arg.globalID({ required: true, for: HouseholdRef }),
      amount: t.arg({ type: 'Money', required: true }),
      idempotencyKey: t.arg.string({ required: true, validate: z.string().regex(IDEMPOTENCY_KEY_PATTERN) }),
    },
    resolve: async (_root, args, context) => {
      const communityId = communityIdOf(args);
      const money = moneyContext(context);
      const result = await enterManualPayment(money, communityId, {
        householdId: parseUuid(args.householdId.id, 'householdId'),
        amountFen: args.amount,
        idempotencyKey: args.idempotencyKey,
      });
      return { payment: result.payment, replayed: result.replayed };
    },
  }),
);

builder.mutationField('refundPayment', (t) =>
  t.field({
    type: PaymentRef,
    description:
      'Manager: pays back part or all of what is left of a payment: out of credit first, then reopening its invoices.',
    errors: { types: MUTATION_ERRORS },
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      paymentId: t.arg.string({ required: true, validate: z.string().regex(ID_PATTERN) }),
      amount: t.arg({ type: 'Money', required: true }),
    },
    resolve: async (_root, args, context) => {
      const communityId = communityIdOf(args);
      const money = moneyContext(context);
      await refund(money, communityId, args.paymentId, args.amount);
      return (await findPayment(money, communityId, args.paymentId)).payment;
    },
  }),
);

builder.queryField('householdPayments', (t) =>
  t.connection({
    type: PaymentRef,
    description: "A household's payments, newest first: for its residents and the community's managers and committee.",
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      householdId: t.arg.globalID({ required: true, for: HouseholdRef }),
    },
    resolve: (_root, args, context) =>
      resolveKeysetConnection(
        args,
        (page) =>
          householdPayments(
            moneyContext(context),
            communityIdOf(args),
            parseUuid(args.householdId.id, 'householdId'),
            page,
          ),
        {
          name: 'householdPayments',
          keyOf: (payment) => [payment.receivedOn, payment.paymentId] as const,
          parseKey: keyParsers.twoStrings,
        },
      ),
  }),
);

const ReceiptLineRef = builder.objectRef<ReceiptLine>('ReceiptLine').implement({
  fields: (t) => ({
    invoiceId: t.exposeString('invoiceId'),
    scheduleId: t.exposeString('scheduleId'),
    periodId: t.exposeString('periodId'),
    amount: t.field({ type: 'Money', resolve: (line) => line.amountFen }),
  }),
});

const ReceiptRef = builder.objectRef<Receipt>('Receipt').implement({
  fields: (t) => ({
    paymentId: t.exposeString('paymentId'),
    receivedOn: t.exposeString('receivedOn'),
    amount: t.field({ type: 'Money', resolve: (receipt) => receipt.amountFen }),
    settled: t.field({ type: [ReceiptLineRef], resolve: (receipt) => receipt.settled }),
    toCredit: t.field({ type: 'Money', resolve: (receipt) => receipt.toCreditFen }),
    refunded: t.field({ type: 'Money', resolve: (receipt) => receipt.refundedFen }),
  }),
});

builder.queryField('paymentReceipt', (t) =>
  t.field({
    type: ReceiptRef,
    description: 'The receipt of one payment: what it settled, invoice by invoice, and what became credit.',
    args: {
      communityId: t.arg.globalID({ required: true, for: CommunityRef }),
      paymentId: t.arg.string({ required: true, validate: z.string().regex(ID_PATTERN) }),
    },
    resolve: async (_root, args, context) => {
      const { payment, invoices } = await findPayment(moneyContext(context), communityIdOf(args), args.paymentId);
      return receiptOf(payment, (invoiceId) => invoices.get(invoiceId)!);
    },
  }),
);
