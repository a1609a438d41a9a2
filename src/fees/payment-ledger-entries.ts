/**
 * Payment entries:
 *
 * | type                  | inputs                                                                              | derived |
 * | --------------------- | ----------------------------------------------------------------------------------- | ------- |
 * | fees.payment-recorded | paymentId, householdId, amountFen, cashAccountId, idempotencyKey, requestHash, receivedOn | allocations, creditFen, transfers |
 * | fees.payment-refunded | refundId, paymentId, amountFen, refundedOn                                          | fromCreditFen, reopened, transfers |
 *
 * A payment lands in the operating account (cash, bank transfer, entered by a manager) or
 * a provider's clearing account (webhook), settles the household's open invoices oldest
 * first, and what is left becomes credit. A refund pays back at most what is left of one
 * payment, from the same cash account: first out of the household's credit, then by
 * reopening its paid invoices, newest first (so the oldest stay settled and ageing does
 * not jump).
 */
import { InvalidInputError, NotFoundError } from '../domain-error.ts';
import { PAYMENT_CASH_KINDS } from '../funds/account-kinds.ts';
import { requireAccountOfKind } from '../funds/account-lookup.ts';
import { defineEntryKind } from '../funds/entry-kinds.ts';
import { minFen } from '../funds/fen.ts';
import { DuplicateRecordError, IdempotencyConflictError } from '../funds/funds-errors.ts';
import {
  civilDateField,
  fenField,
  idempotencyKeyField,
  idField,
  positiveFenField,
  sha256HexField,
} from '../funds/payload-fields.ts';
import { derivedTransfersField } from '../funds/transfer-fields.ts';
import { sourceIdOf, TransferSequence } from '../funds/transfers.ts';
import type { MoneyState, Payment } from './fees-state.ts';
import {
  creditBalanceFen,
  householdAccounts,
  invoicesOfHousehold,
  openInvoicesOf,
  settleInvoices,
  type MoneyOverlay,
} from './household-ledger.ts';
import { allocationsField } from './invoice-ledger-entries.ts';
import { openFen } from './invoices.ts';
import {
  allocatedTotalFen,
  allocateOldestFirst,
  MAX_INVOICES_PER_SETTLEMENT,
  type Allocation,
} from './payment-allocation.ts';

const paymentRecordedInputs = {
  paymentId: idField,
  householdId: idField,
  amountFen: positiveFenField,
  cashAccountId: idField,
  idempotencyKey: idempotencyKeyField,
  requestHash: sha256HexField,
  receivedOn: civilDateField,
};

const paymentRecordedDerived = { allocations: allocationsField, creditFen: fenField, transfers: derivedTransfersField };

export const paymentRecorded = defineEntryKind<MoneyState, typeof paymentRecordedInputs, typeof paymentRecordedDerived>(
  {
    type: 'fees.payment-recorded',
    inputs: paymentRecordedInputs,
    derived: paymentRecordedDerived,
    run(overlay, inputs) {
      const { paymentId, householdId, amountFen, cashAccountId, idempotencyKey, requestHash } = inputs;
      if (overlay.read('idempotency', idempotencyKey)) throw new IdempotencyConflictError(idempotencyKey);
      if (overlay.read('payments', paymentId)) throw new DuplicateRecordError(`Payment ${paymentId}`);
      requireAccountOfKind(overlay, cashAccountId, PAYMENT_CASH_KINDS, 'cashAccountId');
      const { receivableAccountId, creditAccountId } = householdAccounts(overlay, householdId);
      const open = openInvoicesOf(overlay, householdId).map((invoice) => ({
        invoiceId: invoice.invoiceId,
        openFen: openFen(invoice),
      }));
      const { allocations, remainderFen: creditFen } = allocateOldestFirst(open, amountFen);
      settleInvoices(overlay, allocations, 1n);
      const transfers = new TransferSequence(overlay, sourceIdOf('payment', paymentId), inputs.receivedOn);
      transfers.post({
        debitAccountId: cashAccountId,
        creditAccountId: receivableAccountId,
        amountFen: allocatedTotalFen(allocations),
        code: 'payment',
      });
      transfers.post({ debitAccountId: cashAccountId, creditAccountId, amountFen: creditFen, code: 'overpayment' });
      const { receivedOn } = inputs;
      const payment: Payment = {
        paymentId,
        householdId,
        amountFen,
        cashAccountId,
        receivedOn,
        idempotencyKey,
        allocations,
        creditFen,
        refundedFen: 0n,
      };
      overlay.write('payments', paymentId, payment);
      overlay.write('idempotency', idempotencyKey, { idempotencyKey, requestHash, resultId: paymentId });
      return { allocations, creditFen, transfers: transfers.orders };
    },
  },
);

const paymentRefundedInputs = {
  refundId: idField,
  paymentId: idField,
  amountFen: positiveFenField,
  refundedOn: civilDateField,
};
const paymentRefundedDerived = {
  fromCreditFen: fenField,
  reopened: allocationsField,
  transfers: derivedTransfersField,
};

/** Takes `amountFen` back from the household's paid invoices, newest first. */
function reopenNewestFirst(overlay: MoneyOverlay, householdId: string, amountFen: bigint): Allocation[] {
  const reopened: Allocation[] = [];
  let remaining = amountFen;
  for (const invoice of invoicesOfHousehold(overlay, householdId).reverse()) {
    if (remaining === 0n) break;
    if (invoice.paidFen === 0n) continue;
    if (reopened.length === MAX_INVOICES_PER_SETTLEMENT) {
      throw new InvalidInputError(
        'amountFen',
        `would reopen more than ${MAX_INVOICES_PER_SETTLEMENT} invoices at once; refund in parts`,
      );
    }
    const share = minFen(invoice.paidFen, remaining);
    reopened.push({ invoiceId: invoice.invoiceId, amountFen: share });
    remaining -= share;
  }
  if (remaining > 0n) throw new InvalidInputError('amountFen', 'exceeds what the household has paid');
  return reopened;
}

export const paymentRefunded = defineEntryKind<MoneyState, typeof paymentRefundedInputs, typeof paymentRefundedDerived>(
  {
    type: 'fees.payment-refunded',
    inputs: paymentRefundedInputs,
    derived: paymentRefundedDerived,
    run(overlay, inputs) {
      if (overlay.read('refunds', inputs.refundId)) throw new DuplicateRecordError(`Refund ${inputs.refundId}`);
      const payment = overlay.read('payments', inputs.paymentId);
      if (!payment) throw new NotFoundError(`Payment ${inputs.paymentId}`);
      if (inputs.amountFen > payment.amountFen - payment.refundedFen)
        throw new InvalidInputError('amountFen', `exceeds what is left of payment ${payment.paymentId}`);
      const { receivableAccountId, creditAccountId } = householdAccounts(overlay, payment.householdId);
      const fromCreditFen = minFen(creditBalanceFen(overlay, payment.householdId), inputs.amountFen);
      const reopened = reopenNewestFirst(overlay, payment.householdId, inputs.amountFen - fromCreditFen);
      settleInvoices(overlay, reopened, -1n);
      const transfers = new TransferSequence(overlay, sourceIdOf('refund', inputs.refundId), inputs.refundedOn);
      transfers.post({
        debitAccountId: creditAccountId,
        creditAccountId: payment.cashAccountId,
        amountFen: fromCreditFen,
        code: 'refund',
      });
      transfers.post({
        debitAccountId: receivableAccountId,
        creditAccountId: payment.cashAccountId,
        amountFen: allocatedTotalFen(reopened),
        code: 'refund',
      });
      overlay.write('payments', payment.paymentId, { ...payment, refundedFen: payment.refundedFen + inputs.amountFen });
      overlay.write('refunds', inputs.refundId, { ...inputs, fromCreditFen, reopened });
      return { fromCreditFen, reopened, transfers: transfers.orders };
    },
  },
);
