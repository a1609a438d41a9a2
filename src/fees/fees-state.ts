/**
 * The fees projection as tables, and the money state: funds and fees together, because
 * fee entries post transfers into the community's accounts. `ledger:replay` rebuilds the
 * whole of it from a community's log; the live path keeps the same records in tables.
 */
import type { CivilDate } from '../funds/civil-dates.ts';
import { emptyFundsState, type FundsState } from '../funds/funds-state.ts';
import type { Schedule, ScheduleVersion } from './fee-schedule.ts';
import type { Invoice } from './invoices.ts';
import type { Allocation } from './payment-allocation.ts';

export interface Payment {
  paymentId: string;
  householdId: string;
  amountFen: bigint;
  /** Where the money landed: the operating account (cash, bank) or a provider's clearing account. */
  cashAccountId: string;
  receivedOn: CivilDate;
  idempotencyKey: string;
  /** What it settled when it arrived, oldest invoice first. */
  allocations: readonly Allocation[];
  /** What was left over and became the household's credit. */
  creditFen: bigint;
  refundedFen: bigint;
}

export interface Refund {
  refundId: string;
  paymentId: string;
  amountFen: bigint;
  refundedOn: CivilDate;
  fromCreditFen: bigint;
  /** Invoices it reopened, newest first. */
  reopened: readonly Allocation[];
}

export type CorrectionComponent = 'principal' | 'late-fee';

export interface Correction {
  correctionId: string;
  invoiceId: string;
  component: CorrectionComponent;
  deltaFen: bigint;
  correctedOn: CivilDate;
  /** What a reduction moved from the invoice's payments to the household's credit. */
  movedToCreditFen: bigint;
  /** Credit then used on open invoices. */
  creditAllocations: readonly Allocation[];
}

export interface LateFeeRecord {
  invoiceId: string;
  step: number;
  amountFen: bigint;
  postedOn: CivilDate;
}

export interface ReminderRecord {
  invoiceId: string;
  step: number;
  queuedOn: CivilDate;
}

export interface FeesState {
  schedules: ReadonlyMap<string, Schedule>;
  /** `${scheduleId}/${version}` → version. */
  scheduleVersions: ReadonlyMap<string, ScheduleVersion>;
  invoices: ReadonlyMap<string, Invoice>;
  /** `${scheduleId}/${periodId}/${householdId}` → invoiceId: one invoice per household, schedule and period. */
  invoiceIdsByKey: ReadonlyMap<string, string>;
  /** householdId → its invoice ids, oldest first. An index the live path can build from the invoices table. */
  householdInvoiceIds: ReadonlyMap<string, readonly string[]>;
  payments: ReadonlyMap<string, Payment>;
  refunds: ReadonlyMap<string, Refund>;
  corrections: ReadonlyMap<string, Correction>;
  /** `${invoiceId}/${step}` → the late fee posted for that step (unique, as the wiring's constraint). */
  lateFees: ReadonlyMap<string, LateFeeRecord>;
  /** `${invoiceId}/${step}` → the reminder queued for that step (unique, as the wiring's constraint). */
  reminders: ReadonlyMap<string, ReminderRecord>;
}

export type MoneyState = FundsState & FeesState;

export function emptyMoneyState(communityId: string): MoneyState {
  return {
    ...emptyFundsState(communityId),
    schedules: new Map(),
    scheduleVersions: new Map(),
    invoices: new Map(),
    invoiceIdsByKey: new Map(),
    householdInvoiceIds: new Map(),
    payments: new Map(),
    refunds: new Map(),
    corrections: new Map(),
    lateFees: new Map(),
    reminders: new Map(),
  };
}

export function scheduleVersionKey(scheduleId: string, version: number): string {
  return `${scheduleId}/${version}`;
}

export function invoiceKey(scheduleId: string, periodId: string, householdId: string): string {
  return `${scheduleId}/${periodId}/${householdId}`;
}

export function stepKey(invoiceId: string, step: number): string {
  return `${invoiceId}/${step}`;
}
