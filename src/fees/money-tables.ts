/**
 * The money projection (funds and fees together, fees-state.ts) in the database: the
 * funds tables (src/funds/funds-tables.ts) and the fees tables, which migration
 * 20261203001100-fees creates.
 */
import { FUNDS_TABLES } from '../funds/funds-tables.ts';
import { column, projectionEntity, table, type ProjectionTables } from '../funds/projection-tables.ts';
import type { FeesState, MoneyState, Payment } from './fees-state.ts';
import type { Invoice } from './invoices.ts';

type FeesTableName = Exclude<keyof FeesState, never>;

export const FEES_TABLES: { readonly [K in FeesTableName]: ReturnType<typeof table> } = {
  schedules: table('money_schedules', 'schedule'),
  scheduleVersions: table('money_schedule_versions', 'schedule version'),
  invoices: table('money_invoices', 'invoice', [
    column('household_id', 'text', (invoice: Invoice) => invoice.householdId),
    column('schedule_id', 'text', (invoice: Invoice) => invoice.scheduleId),
    column('period_id', 'text', (invoice: Invoice) => invoice.periodId),
    column('due_date', 'date', (invoice: Invoice) => invoice.dueDate),
  ]),
  invoiceIdsByKey: table('money_invoice_keys', 'invoice key'),
  householdInvoiceIds: table('money_household_invoices', 'household invoice list'),
  payments: table('money_payments', 'payment', [
    column('household_id', 'text', (payment: Payment) => payment.householdId),
    column('received_on', 'date', (payment: Payment) => payment.receivedOn),
  ]),
  refunds: table('money_refunds', 'refund'),
  corrections: table('money_corrections', 'correction'),
  lateFees: table('money_late_fees', 'late fee'),
  reminders: table('money_reminders', 'reminder'),
};

export const MONEY_TABLES: ProjectionTables<MoneyState> = { ...FUNDS_TABLES, ...FEES_TABLES };

export const feesEntities = Object.values(FEES_TABLES).map(projectionEntity);
