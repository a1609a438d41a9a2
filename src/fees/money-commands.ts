/**
 * The money operations as the API and the jobs call them: who may, in which community,
 * one unit of work each (src/funds/projection-unit.ts, through the installation's
 * transaction runner), and an event on `fees:money-moved` after the commit.
 *
 * Managers run the books (accounts, transfers, schedules, invoice runs, payments,
 * refunds, spends); managers and committee members read them and approve spends; a
 * resident reads their own household's invoices, payments, receipts and statement.
 */
import { randomUUID } from 'node:crypto';
import type { SqlEntityManager } from '../db/orm.ts';
import { ForbiddenError, NotFoundError, UnauthenticatedError } from '../domain-error.ts';
import type { AppServices } from '../kernel/domain-module.ts';
import { hasCommunityRole, type Viewer } from '../accounts/viewer.ts';
import { householdFloorAreas, isHouseholdMember, isHouseholdOfCommunity } from '../privacy/ownership.ts';
import type { Account } from '../funds/accounts.ts';
import type { ApproverRole } from '../funds/approval-rules.ts';
import { addDays, compareCivilDates, type CivilDate } from '../funds/civil-dates.ts';
import type { Spend } from '../funds/expense-approval.ts';
import {
  approveSpendCommand,
  ensureAccount,
  executeSpendCommand,
  expireSpendCommand,
  postTransferBatch,
  proposeSpendCommand,
  rejectSpendCommand,
  setApprovalRule,
  type ApprovalRuleInput,
  type SpendProposalInput,
  type TransferBatchResult,
  type TransferOrderInput,
} from '../funds/funds-operations.ts';
import { ProjectionUnit, runProjectionUnit } from '../funds/projection-unit.ts';
import {
  correctInvoiceCommand,
  ensureCommunityBooks,
  issueInvoices,
  prefetchPayments,
  recordPayment,
  refundPayment,
  versionSchedule,
  type InvoiceRunResult,
  type MoneyUnit,
  type PaymentRequest,
  type PaymentResult,
  type ScheduleVersionInput,
} from './fees-operations.ts';
import { emptyMoneyState, type MoneyState, type Payment } from './fees-state.ts';
import type { Invoice } from './invoices.ts';
import { MONEY_TABLES } from './money-tables.ts';
import { keysetSql, type KeysetOrder, type KeysetPage } from '../kernel/keyset.ts';
import { decodeRecord } from '../funds/record-codec.ts';
import { PaymentBatcher } from './payment-batcher.ts';
import { notifySettlementWatchers } from './settlement-watchers.ts';
import { todayOf, type MoneyMovedEvent } from './money-services.ts';

export interface MoneyContext {
  services: AppServices;
  em: SqlEntityManager;
  viewer: Viewer | null;
}

/** How far back a household's statement reaches. */
export const STATEMENT_DAYS = 90;

export function requireManager(viewer: Viewer | null, communityId: string): Viewer {
  if (!viewer) throw new UnauthenticatedError();
  if (!hasCommunityRole(viewer, communityId, ['manager']))
    throw new ForbiddenError('Only a manager of the community may do this');
  return viewer;
}

export function requireBooksReader(viewer: Viewer | null, communityId: string): Viewer {
  if (!viewer) throw new UnauthenticatedError();
  if (!hasCommunityRole(viewer, communityId, ['manager', 'committee'])) {
    throw new ForbiddenError("Only the community's managers and committee read its books");
  }
  return viewer;
}

/** Managers and committee, or a resident who belongs to the household. */
export async function requireHouseholdReader(
  context: MoneyContext,
  communityId: string,
  householdId: string,
): Promise<void> {
  const { viewer, em } = context;
  if (!viewer) throw new UnauthenticatedError();
  if (!(await isHouseholdOfCommunity(em, householdId, communityId))) throw new NotFoundError('Household');
  if (hasCommunityRole(viewer, communityId, ['manager', 'committee'])) return;
  if (
    hasCommunityRole(viewer, communityId, ['resident']) &&
    (await isHouseholdMember(em, householdId, viewer.accountId))
  )
    return;
  throw new ForbiddenError(
    "Only the household's residents and the community's managers and committee see its invoices",
  );
}

function inMoneyUnit<T>(
  context: Pick<MoneyContext, 'services' | 'em'>,
  communityId: string,
  work: (unit: MoneyUnit) => Promise<T>,
): Promise<T> {
  return runProjectionUnit(
    context.services.transactions,
    context.em,
    MONEY_TABLES,
    () => emptyMoneyState(communityId),
    async (unit) => {
      const result = await work(unit);
      // Rows and entries first (the money locks are held), then what settlement watchers derive.
      await unit.flush();
      await notifySettlementWatchers(unit.em, communityId, unit.changedRows('invoices') as Invoice[]);
      return result;
    },
  );
}

function published(context: Pick<MoneyContext, 'services'>, communityId: string, event: MoneyMovedEvent): void {
  context.services.pubsub.publish('fees:money-moved', communityId, event);
}

export async function openBooks(context: MoneyContext, communityId: string): Promise<Account[]> {
  const viewer = requireManager(context.viewer, communityId);
  const today = todayOf(context.services.money);
  await inMoneyUnit(context, communityId, (unit) => ensureCommunityBooks(unit, today, viewer.accountId));
  return listMoneyAccounts(context, communityId);
}

export async function openActivityFund(
  context: MoneyContext,
  communityId: string,
  activityId: string,
): Promise<string> {
  const viewer = requireManager(context.viewer, communityId);
  const today = todayOf(context.services.money);
  return inMoneyUnit(context, communityId, (unit) =>
    ensureAccount(unit, 'activity-fund', activityId, today, viewer.accountId),
  );
}

export async function postTransfers(
  context: MoneyContext,
  communityId: string,
  input: { idempotencyKey: string; transfers: readonly TransferOrderInput[] },
): Promise<TransferBatchResult> {
  const viewer = requireManager(context.viewer, communityId);
  const postedOn = todayOf(context.services.money);
  const result = await inMoneyUnit(context, communityId, (unit) =>
    postTransferBatch(unit, { ...input, postedOn, actor: viewer.accountId }),
  );
  if (!result.replayed) {
    const amountFen = input.transfers.reduce((sum, order) => sum + order.amountFen, 0n);
    published(context, communityId, { kind: 'transfers', id: result.batchId, amountFen });
  }
  return result;
}

export async function defineFeeSchedule(
  context: MoneyContext,
  communityId: string,
  input: Omit<ScheduleVersionInput, 'scheduleId'> & { scheduleId: string | null },
): Promise<{ scheduleId: string; version: number }> {
  const viewer = requireManager(context.viewer, communityId);
  const scheduleId = input.scheduleId ?? randomUUID();
  const today = todayOf(context.services.money);
  const version = await inMoneyUnit(context, communityId, (unit) =>
    versionSchedule(unit, { ...input, scheduleId }, today, viewer.accountId),
  );
  return { scheduleId, version };
}

/** Households per unit of an invoice run: each chunk commits on its own, so a run of 10,000 is 10 short transactions. */
export const INVOICE_RUN_CHUNK = 1_000;
/**
 * Chunks in flight at once. Every chunk locks the schedule and the fee-income account, so
 * two chunks never write at the same time; a second lane waits on those locks and starts
 * the moment the first commits, while the first sequences its entries into the log.
 */
export const INVOICE_RUN_LANES = 2;

/** Issues a period's invoices for every household of the community (the job and `issueInvoices` both call this). */
export async function runInvoicesForCommunity(
  context: Pick<MoneyContext, 'services' | 'em'>,
  communityId: string,
  scheduleId: string,
  periodId: string,
  actor: string,
): Promise<InvoiceRunResult> {
  const households = await householdFloorAreas(context.em, communityId);
  const issuedOn = todayOf(context.services.money);
  const total: InvoiceRunResult = { issued: 0, alreadyIssued: 0, notApplicable: 0 };
  let next = 0;
  const lane = async () => {
    for (let start = next++ * INVOICE_RUN_CHUNK; start < households.length; start = next++ * INVOICE_RUN_CHUNK) {
      const chunk = households.slice(start, start + INVOICE_RUN_CHUNK);
      const result = await inMoneyUnit(context, communityId, (unit) =>
        issueInvoices(unit, { scheduleId, periodId, households: chunk, issuedOn, actor }),
      );
      total.issued += result.issued;
      total.alreadyIssued += result.alreadyIssued;
      total.notApplicable += result.notApplicable;
    }
  };
  const lanes = await Promise.allSettled(Array.from({ length: INVOICE_RUN_LANES }, lane));
  for (const outcome of lanes) if (outcome.status === 'rejected') throw outcome.reason;
  if (total.issued > 0)
    published(context, communityId, { kind: 'invoices', id: null, amountFen: BigInt(total.issued) });
  return total;
}

export async function runInvoices(
  context: MoneyContext,
  communityId: string,
  scheduleId: string,
  periodId: string,
): Promise<InvoiceRunResult> {
  const viewer = requireManager(context.viewer, communityId);
  return runInvoicesForCommunity(context, communityId, scheduleId, periodId, viewer.accountId);
}

const batchers = new WeakMap<object, PaymentBatcher<PaymentRequest>>();

/** The process's payment batcher (one per money services, so per app). */
function batcherOf(context: Pick<MoneyContext, 'services'>): PaymentBatcher<PaymentRequest> {
  let batcher = batchers.get(context.services.money);
  if (!batcher) {
    const services = context.services;
    batcher = new PaymentBatcher(
      (communityId, work) => inMoneyUnit({ services, em: services.forkEntityManager() }, communityId, work),
      prefetchPayments,
    );
    batchers.set(services.money, batcher);
  }
  return batcher;
}

/** A payment into the operating account (or a provider's clearing account), settling the oldest invoices first. */
export async function enterPayment(
  context: Pick<MoneyContext, 'services' | 'em'>,
  communityId: string,
  input: { householdId: string; amountFen: bigint; idempotencyKey: string; providerId: string | null; actor: string },
  alsoInUnit?: (unit: MoneyUnit, paymentId: string) => Promise<void>,
): Promise<PaymentResult> {
  if (!(await isHouseholdOfCommunity(context.em, input.householdId, communityId))) throw new NotFoundError('Household');
  const receivedOn = todayOf(context.services.money);
  const request: PaymentRequest = { ...input, receivedOn };
  const pay = async (unit: MoneyUnit) => {
    const cashAccountId =
      input.providerId === null
        ? await ensureAccount(unit, 'operating', null, receivedOn, input.actor)
        : await ensureAccount(unit, 'payment-clearing', input.providerId, receivedOn, input.actor);
    const recorded = await recordPayment(unit, { ...input, cashAccountId, receivedOn });
    await alsoInUnit?.(unit, recorded.paymentId);
    return recorded;
  };
  // Payments with work of their own in the unit (the webhook's event record) run alone.
  const result = alsoInUnit
    ? await inMoneyUnit(context, communityId, async (unit) => {
        await prefetchPayments(unit, [request]);
        return pay(unit);
      })
    : await batcherOf(context).submit(communityId, request, pay);
  if (!result.replayed)
    published(context, communityId, { kind: 'payment', id: result.paymentId, amountFen: input.amountFen });
  return result;
}

export async function enterManualPayment(
  context: MoneyContext,
  communityId: string,
  input: { householdId: string; amountFen: bigint; idempotencyKey: string },
): Promise<PaymentResult> {
  const viewer = requireManager(context.viewer, communityId);
  return enterPayment(context, communityId, { ...input, providerId: null, actor: viewer.accountId });
}

export async function refund(
  context: MoneyContext,
  communityId: string,
  paymentId: string,
  amountFen: bigint,
): Promise<string> {
  const viewer = requireManager(context.viewer, communityId);
  const refundedOn = todayOf(context.services.money);
  const refundId = await inMoneyUnit(context, communityId, (unit) =>
    refundPayment(unit, { paymentId, amountFen, refundedOn, actor: viewer.accountId }),
  );
  published(context, communityId, { kind: 'refund', id: refundId, amountFen });
  return refundId;
}

/** Corrects an invoice's principal (either way) or waives part of its late fees, as a new entry. */
export async function correctInvoice(
  context: MoneyContext,
  communityId: string,
  input: { invoiceId: string; component: 'principal' | 'late-fee'; deltaFen: bigint },
): Promise<Invoice> {
  const viewer = requireManager(context.viewer, communityId);
  const correctedOn = todayOf(context.services.money);
  const correctionId = await inMoneyUnit(context, communityId, (unit) =>
    correctInvoiceCommand(unit, { ...input, correctedOn, actor: viewer.accountId }),
  );
  published(context, communityId, { kind: 'correction', id: correctionId, amountFen: input.deltaFen });
  const invoices = await readTable(context.em, communityId, 'invoices', 'key = ?', [input.invoiceId]);
  return invoices.get(input.invoiceId)!;
}

// Expense approvals ---------------------------------------------------------------------

function approverRoleOf(viewer: Viewer | null, communityId: string): { viewer: Viewer; role: ApproverRole } {
  if (!viewer) throw new UnauthenticatedError();
  if (hasCommunityRole(viewer, communityId, ['committee'])) return { viewer, role: 'committee' };
  if (hasCommunityRole(viewer, communityId, ['manager'])) return { viewer, role: 'manager' };
  throw new ForbiddenError('Only managers and committee members act on spends');
}

export async function setSpendRule(context: MoneyContext, communityId: string, rule: ApprovalRuleInput): Promise<void> {
  const viewer = requireManager(context.viewer, communityId);
  const today = todayOf(context.services.money);
  await inMoneyUnit(context, communityId, (unit) => setApprovalRule(unit, rule, today, viewer.accountId));
}

export async function proposeSpend(
  context: MoneyContext,
  communityId: string,
  input: SpendProposalInput,
): Promise<Spend> {
  const viewer = requireManager(context.viewer, communityId);
  const today = todayOf(context.services.money);
  const spendId = await inMoneyUnit(context, communityId, (unit) =>
    proposeSpendCommand(unit, input, viewer.accountId, today),
  );
  return (await findSpend(context, communityId, spendId))!;
}

export async function decideSpend(
  context: MoneyContext,
  communityId: string,
  spendId: string,
  decision: 'approve' | 'reject',
): Promise<Spend> {
  const { viewer, role } = approverRoleOf(context.viewer, communityId);
  const today = todayOf(context.services.money);
  await inMoneyUnit(context, communityId, (unit) =>
    decision === 'approve'
      ? approveSpendCommand(unit, spendId, viewer.accountId, role, today)
      : rejectSpendCommand(unit, spendId, viewer.accountId, role, today),
  );
  return (await findSpend(context, communityId, spendId))!;
}

/** Executes an approved spend as a transfer; the maintenance fund's spends also need the owners' proposal to have passed. */
export async function executeSpend(context: MoneyContext, communityId: string, spendId: string): Promise<Spend> {
  const viewer = requireManager(context.viewer, communityId);
  const today = todayOf(context.services.money);
  const spend = await findSpend(context, communityId, spendId);
  if (!spend) throw new NotFoundError(`Spend ${spendId}`);
  const fact =
    spend.ownersProposalId === null
      ? null
      : await context.services.money.ownersProposals(context.em, communityId, spend.ownersProposalId);
  await inMoneyUnit(context, communityId, (unit) => executeSpendCommand(unit, spendId, today, fact, viewer.accountId));
  published(context, communityId, { kind: 'spend', id: spendId, amountFen: spend.amountFen });
  return (await findSpend(context, communityId, spendId))!;
}

/** Expires every open spend past its last day (a job); each expiry is an entry. */
export async function expireSpends(
  context: Pick<MoneyContext, 'services' | 'em'>,
  communityId: string,
): Promise<number> {
  const today = todayOf(context.services.money);
  const spends = await readTable(context.em, communityId, 'spends', `status in ('proposed', 'approved')`);
  const due = [...spends.values()].filter((spend) => compareCivilDates(spend.expiresOn, today) < 0);
  if (due.length === 0) return 0;
  await inMoneyUnit(context, communityId, async (unit) => {
    for (const spend of due) await expireSpendCommand(unit, spend.spendId, today);
  });
  return due.length;
}

// Readers -------------------------------------------------------------------------------

/** Rows of one money table of a community, unlocked; `where` is a fixed SQL condition on its typed columns. */
export async function readTable<K extends keyof MoneyState & string>(
  em: SqlEntityManager,
  communityId: string,
  table: K,
  where = 'true',
  parameters: unknown[] = [],
): Promise<MoneyState[K]> {
  const spec = (MONEY_TABLES as Record<string, { sqlName: string }>)[table]!;
  const rows: Array<{ key: string }> = await em.execute(
    `select key from ${spec.sqlName} where community_id = ? and (${where})`,
    [communityId, ...parameters],
  );
  const unit = new ProjectionUnit(em, MONEY_TABLES, emptyMoneyState(communityId), communityId, { lock: false });
  await unit.load(
    table as never,
    rows.map((row) => row.key),
  );
  return unit.state[table];
}

export async function findSpend(
  context: Pick<MoneyContext, 'em'>,
  communityId: string,
  spendId: string,
): Promise<Spend | undefined> {
  return (await readTable(context.em, communityId, 'spends', 'key = ?', [spendId])).get(spendId);
}

/** Spends of a community still waiting for approvals (`proposed`), oldest first; at most MAX_WAITING_SPENDS. */
export const MAX_WAITING_SPENDS = 100;

export async function listWaitingSpends(context: Pick<MoneyContext, 'em'>, communityId: string): Promise<Spend[]> {
  const waiting = await readTable(context.em, communityId, 'spends', `status = 'proposed'`);
  return [...waiting.values()]
    .sort((a, b) => (a.proposedOn + a.spendId < b.proposedOn + b.spendId ? -1 : 1))
    .slice(0, MAX_WAITING_SPENDS);
}

export async function listMoneyAccounts(context: MoneyContext, communityId: string): Promise<Account[]> {
  requireBooksReader(context.viewer, communityId);
  const accounts = await readTable(context.em, communityId, 'accounts');
  return [...accounts.values()].sort((a, b) => (a.kind + a.accountId < b.kind + b.accountId ? -1 : 1));
}

/** A household's invoices, newest due date first, and its payments, newest first: keyset pages in SQL. */
const INVOICE_ORDER: KeysetOrder = {
  columns: [{ expression: 'due_date::text' }, { expression: 'key' }],
  descending: true,
};
const PAYMENT_ORDER: KeysetOrder = {
  columns: [{ expression: 'received_on::text' }, { expression: 'key' }],
  descending: true,
};

async function householdPage<T>(
  context: MoneyContext,
  communityId: string,
  householdId: string,
  sqlTable: string,
  order: KeysetOrder,
  page: KeysetPage<readonly [string, string]>,
): Promise<T[]> {
  await requireHouseholdReader(context, communityId, householdId);
  const { condition, orderBy, limit, parameters } = keysetSql(order, page);
  const rows: Array<{ record: string }> = await context.em.execute(
    `select record::text as record from ${sqlTable}
      where community_id = ? and household_id = ? and ${condition} order by ${orderBy} limit ?`,
    [communityId, householdId, ...parameters, limit],
  );
  return rows.map((row) => decodeRecord<T>(row.record));
}

export function householdInvoices(
  context: MoneyContext,
  communityId: string,
  householdId: string,
  page: KeysetPage<readonly [string, string]>,
): Promise<Invoice[]> {
  return householdPage(context, communityId, householdId, 'money_invoices', INVOICE_ORDER, page);
}

export function householdPayments(
  context: MoneyContext,
  communityId: string,
  householdId: string,
  page: KeysetPage<readonly [string, string]>,
): Promise<Payment[]> {
  return householdPage(context, communityId, householdId, 'money_payments', PAYMENT_ORDER, page);
}

export interface MoneyNotification {
  id: number;
  householdId: string;
  invoiceId: string;
  step: number;
  /** `due-soon` (before the due date) or `overdue`. */
  kind: string;
  queuedOn: CivilDate;
  deliveredAt: Date | null;
}

const NOTIFICATION_ORDER: KeysetOrder = { columns: [{ expression: 'id' }], descending: true };

/** A household's reminders from the outbox, newest first: what was (or will be) sent to it. */
export async function householdNotifications(
  context: MoneyContext,
  communityId: string,
  householdId: string,
  page: KeysetPage<readonly [number]>,
): Promise<MoneyNotification[]> {
  await requireHouseholdReader(context, communityId, householdId);
  const { condition, orderBy, limit, parameters } = keysetSql(NOTIFICATION_ORDER, page);
  const rows: Array<{
    id: string | number;
    household_id: string;
    invoice_id: string;
    step: number;
    kind: string;
    queued_on: string;
    delivered_at: Date | null;
  }> = await context.em.execute(
    `select id, household_id, invoice_id, step, kind, queued_on::text as queued_on, delivered_at from money_notifications
        where community_id = ? and household_id = ? and ${condition} order by ${orderBy} limit ?`,
    [communityId, householdId, ...parameters, limit],
  );
  return rows.map((row) => ({
    id: Number(row.id),
    householdId: row.household_id,
    invoiceId: row.invoice_id,
    step: row.step,
    kind: row.kind,
    queuedOn: row.queued_on,
    deliveredAt: row.delivered_at,
  }));
}

export interface StatementLine {
  on: CivilDate;
  kind: 'invoice' | 'payment';
  id: string;
  /** Positive: billed to the household; negative: paid by it. */
  amountFen: bigint;
}

export interface Statement {
  from: CivilDate;
  to: CivilDate;
  lines: StatementLine[];
  /** What the household owes now over all its invoices. */
  openFen: bigint;
}

/** The last 90 days of a household: invoices issued and payments received, oldest first, and what is open now. */
export async function householdStatement(
  context: MoneyContext,
  communityId: string,
  householdId: string,
): Promise<Statement> {
  await requireHouseholdReader(context, communityId, householdId);
  const to = todayOf(context.services.money);
  const from = addDays(to, -(STATEMENT_DAYS - 1));
  const invoices = await readTable(context.em, communityId, 'invoices', 'household_id = ?', [householdId]);
  const payments = await readTable(context.em, communityId, 'payments', 'household_id = ? and received_on >= ?::date', [
    householdId,
    from,
  ]);
  const lines: StatementLine[] = [];
  let openFen = 0n;
  for (const invoice of invoices.values()) {
    openFen += invoice.principalFen + invoice.principalCorrectionFen + invoice.lateFeeFen - invoice.paidFen;
    if (compareCivilDates(invoice.issuedOn, from) >= 0)
      lines.push({
        on: invoice.issuedOn,
        kind: 'invoice',
        id: invoice.invoiceId,
        amountFen: invoice.principalFen + invoice.principalCorrectionFen + invoice.lateFeeFen,
      });
  }
  for (const payment of payments.values())
    lines.push({ on: payment.receivedOn, kind: 'payment', id: payment.paymentId, amountFen: -payment.amountFen });
  // Same day: invoices before payments, then by id, so the order is the same everywhere.
  lines.sort((a, b) =>
    a.on !== b.on ? (a.on < b.on ? -1 : 1) : a.kind !== b.kind ? (a.kind === 'invoice' ? -1 : 1) : a.id < b.id ? -1 : 1,
  );
  return { from, to, lines, openFen };
}

/** A payment the caller may see (its household's residents, managers, committee), or NOT_FOUND. */
export async function findPayment(
  context: MoneyContext,
  communityId: string,
  paymentId: string,
): Promise<{ payment: Payment; invoices: Map<string, Invoice> }> {
  const payment = (await readTable(context.em, communityId, 'payments', 'key = ?', [paymentId])).get(paymentId);
  if (!payment) throw new NotFoundError(`Payment ${paymentId}`);
  await requireHouseholdReader(context, communityId, payment.householdId);
  const ids = payment.allocations.map((allocation) => allocation.invoiceId);
  const invoices =
    ids.length === 0
      ? new Map<string, Invoice>()
      : new Map(await readTable(context.em, communityId, 'invoices', `key in (${ids.map(() => '?').join(', ')})`, ids));
  return { payment, invoices };
}
