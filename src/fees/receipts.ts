/**
 * A receipt per payment: what the payment settled, invoice by invoice (with the schedule
 * and period each belongs to), and what became credit. It is built from the payment's own
 * record, so it shows the payment as it arrived; later refunds are listed by amount.
 */
import type { CivilDate } from '../funds/civil-dates.ts';
import type { Payment } from './fees-state.ts';
import type { Invoice } from './invoices.ts';

export interface ReceiptLine {
  invoiceId: string;
  scheduleId: string;
  periodId: string;
  amountFen: bigint;
}

export interface Receipt {
  paymentId: string;
  householdId: string;
  receivedOn: CivilDate;
  amountFen: bigint;
  settled: ReceiptLine[];
  toCreditFen: bigint;
  refundedFen: bigint;
}

export function receiptOf(payment: Payment, invoiceOf: (invoiceId: string) => Invoice): Receipt {
  return {
    paymentId: payment.paymentId,
    householdId: payment.householdId,
    receivedOn: payment.receivedOn,
    amountFen: payment.amountFen,
    settled: payment.allocations.map(({ invoiceId, amountFen }) => {
      const invoice = invoiceOf(invoiceId);
      return { invoiceId, scheduleId: invoice.scheduleId, periodId: invoice.periodId, amountFen };
    }),
    toCreditFen: payment.creditFen,
    refundedFen: payment.refundedFen,
  };
}
