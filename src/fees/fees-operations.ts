/**
 * The fees commands on a money unit of work (src/funds/projection-unit.ts): schedule
 * versions, invoice runs, payments, refunds, late fees and reminders. Each decides its
 * entry with the rule the replay runs (money-fold.ts); the jobs and the API call these.
 */
import { NotFoundError } from '../domain-error.ts';
import { accountKey, type AccountKind } from '../funds/account-kinds.ts';
import type { CivilDate } from '../funds/civil-dates.ts';
import { DuplicateRecordError } from '../funds/funds-errors.ts';
import { ensureAccount } from '../funds/funds-operations.ts';
import { requestFingerprint, resolveIdempotentRequest } from '../funds/idempotency.ts';
import { ProjectionUnit } from '../funds/projection-unit.ts';
import type { SqlEntityManager } from '../db/orm.ts';
import { lateFeePosted, reminderQueued } from './collection-ledger-entries.ts';
import { householdAccountsOpened, MAX_HOUSEHOLDS_PER_OPENING } from './household-accounts-ledger-entries.ts';
import { scheduleAppliesTo, versionForPeriod, type Schedule, type ScheduleVersion } from './fee-schedule.ts';
import { emptyMoneyState, invoiceKey, scheduleVersionKey, type MoneyState, type Payment } from './fees-state.ts';
import { invoiceCorrected, invoiceIssued } from './invoice-ledger-entries.ts';
import type { Invoice } from './invoices.ts';
import { planLateFees } from './late-fee-planner.ts';
import { MONEY_TABLES } from './money-tables.ts';
import { paymentRecorded, paymentRefunded } from './payment-ledger-entries.ts';
import { planReminders } from './reminder-planner.ts';
import { scheduleVersioned } from './schedule-ledger-entries.ts';

export type MoneyUnit = ProjectionUnit<MoneyState>;

/** The community-wide accounts every community's books have. */
export const COMMUNITY_ACCOUNT_KINDS: readonly AccountKind[] = [
  'operating',
  'maintenance-fund',
  'fee-income',
  'late-fee-income',
  'expenses',
  'external',
];

export async function ensureCommunityBooks(
  unit: MoneyUnit,
  on: CivilDate,
  actor: string,
): Promise<Map<AccountKind, string>> {
  const ids = new Map<AccountKind, string>();
  for (const kind of COMMUNITY_ACCOUNT_KINDS) ids.set(kind, await ensureAccount(unit, kind, null, on, actor));
  return ids;
}

export async function ensureHouseholdAccounts(
  unit: MoneyUnit,
  householdId: string,
  on: CivilDate,
  actor: string,
): Promise<void> {
  await ensureHouseholdsAccounts(unit, [householdId], on, actor);
}

/**
 * Opens the receivable and credit accounts of every household that has neither, in
 * entries of up to MAX_HOUSEHOLDS_PER_OPENING households (one entry where two per
 * household would do); a household with only one of them gets the other on its own.
 */
export async function ensureHouseholdsAccounts(
  unit: MoneyUnit,
  householdIds: readonly string[],
  on: CivilDate,
  actor: string,
): Promise<void> {
  const keysOf = (householdId: string) => [
    accountKey('household-receivable', householdId),
    accountKey('household-credit', householdId),
  ];
  await unit.load('accountIdsByKey', householdIds.flatMap(keysOf));
  const unopened: Array<{ householdId: string; receivableAccountId: string; creditAccountId: string }> = [];
  for (const householdId of new Set(householdIds)) {
    const [receivable, credit] = keysOf(householdId).map((key) => unit.row('accountIdsByKey', key));
    if (receivable === undefined && credit === undefined)
      unopened.push({ householdId, receivableAccountId: unit.freshId(), creditAccountId: unit.freshId() });
    else if (receivable === undefined || credit === undefined) {
      await ensureAccount(unit, 'household-receivable', householdId, on, actor);
      await ensureAccount(unit, 'household-credit', householdId, on, actor);
    }
  }
  for (let start = 0; start < unopened.length; start += MAX_HOUSEHOLDS_PER_OPENING) {
    const households = unopened.slice(start, start + MAX_HOUSEHOLDS_PER_OPENING);
    await unit.execute(householdAccountsOpened, { openedOn: on, households }, actor);
  }
}

export type ScheduleVersionInput = Omit<ScheduleVersion, 'version' | 'recordedOn'>;

/** Records the schedule's next version (the first for a new schedule id). */
export async function versionSchedule(
  unit: MoneyUnit,
  input: ScheduleVersionInput,
  recordedOn: CivilDate,
  actor: string,
): Promise<number> {
  await unit.load('schedules', [input.scheduleId]);
  const schedule = unit.row('schedules', input.scheduleId) as Schedule | undefined;
  const version = (schedule?.versions.at(-1)?.version ?? 0) + 1;
  await unit.execute(scheduleVersioned, { ...input, version, recordedOn }, actor);
  return version;
}

export interface HouseholdArea {
  householdId: string;
  areaCentiSquareMetres: number;
}

export interface InvoiceRunResult {
  issued: number;
  /** Households that already had an invoice of this schedule and period. */
  alreadyIssued: number;
  /** Households the schedule's version does not apply to. */
  notApplicable: number;
}

/**
 * Issues one period's invoices of a schedule for these households, in one unit: each
 * household at most once per schedule and period, whatever ran before or runs beside it
 * (the invoice key is locked, then read; a household already invoiced is counted, not
 * billed again). The rows every invoice reads are fetched in one query per table and round.
 */
export async function issueInvoices(
  unit: MoneyUnit,
  input: {
    scheduleId: string;
    periodId: string;
    households: readonly HouseholdArea[];
    issuedOn: CivilDate;
    actor: string;
  },
): Promise<InvoiceRunResult> {
  const result: InvoiceRunResult = { issued: 0, alreadyIssued: 0, notApplicable: 0 };
  await unit.load('schedules', [input.scheduleId]);
  const schedule = unit.row('schedules', input.scheduleId) as Schedule | undefined;
  if (!schedule) throw new NotFoundError(`Schedule ${input.scheduleId}`);
  const versionNumber = versionForPeriod(schedule, input.periodId);
  if (versionNumber === undefined)
    throw new NotFoundError(`A version of schedule ${input.scheduleId} for ${input.periodId}`);
  const versionKey = scheduleVersionKey(input.scheduleId, versionNumber);
  await unit.load('scheduleVersions', [versionKey]);
  const version = unit.row('scheduleVersions', versionKey) as ScheduleVersion;
  const applicable = input.households.filter((household) => scheduleAppliesTo(version, household.householdId));
  result.notApplicable = input.households.length - applicable.length;
  await unit.load(
    'invoiceIdsByKey',
    applicable.map((household) => invoiceKey(input.scheduleId, input.periodId, household.householdId)),
  );
  const pending = applicable.filter((household) => {
    const issued =
      unit.row('invoiceIdsByKey', invoiceKey(input.scheduleId, input.periodId, household.householdId)) !== undefined;
    if (issued) result.alreadyIssued++;
    return !issued;
  });
  await ensureAccount(unit, 'fee-income', null, input.issuedOn, input.actor);
  await ensureHouseholdsAccounts(
    unit,
    pending.map((household) => household.householdId),
    input.issuedOn,
    input.actor,
  );
  const commands = pending.map((household) => ({
    kind: invoiceIssued,
    inputs: {
      invoiceId: unit.freshId(),
      householdId: household.householdId,
      scheduleId: input.scheduleId,
      periodId: input.periodId,
      areaCentiSquareMetres: version.charge.kind === 'per-area' ? household.areaCentiSquareMetres : null,
      issuedOn: input.issuedOn,
    },
  }));
  await unit.prefetch(commands);
  for (const command of commands) {
    await unit.execute(command.kind, command.inputs, input.actor);
    result.issued++;
  }
  return result;
}

export interface PaymentResult {
  paymentId: string;
  replayed: boolean;
  /** The payment as recorded (for a replayed key: the original one, as it stands now). */
  payment: Payment;
}

export interface PaymentRequest {
  householdId: string;
  amountFen: bigint;
  idempotencyKey: string;
  /** The provider whose clearing account receives it; null for the operating account. */
  providerId: string | null;
  receivedOn: CivilDate;
}

function cashAccountKey(request: Pick<PaymentRequest, 'providerId'>): string {
  return request.providerId === null
    ? accountKey('operating', null)
    : accountKey('payment-clearing', request.providerId);
}

/**
 * Loads (and locks) what these payments read, for all of them at once: their keys, their
 * accounts and their households' invoices, in a few statements whatever their number —
 * not a few per payment — so a batch of payments holds the cash account's lock briefly.
 */
export async function prefetchPayments(unit: MoneyUnit, requests: readonly PaymentRequest[]): Promise<void> {
  await unit.loadMany(
    new Map([
      ['idempotency', requests.map((request) => request.idempotencyKey)],
      [
        'accountIdsByKey',
        requests.flatMap((request) => [
          cashAccountKey(request),
          accountKey('household-receivable', request.householdId),
          accountKey('household-credit', request.householdId),
        ]),
      ],
      ['householdInvoiceIds', requests.map((request) => request.householdId)],
    ]),
  );
  const commands = requests.flatMap((request) => {
    const cashAccountId = unit.row('accountIdsByKey', cashAccountKey(request)) as string | undefined;
    if (cashAccountId === undefined) return [];
    // Only the reads matter here: the id and hash are placeholders of the right shape.
    const inputs = {
      paymentId: unit.freshId(),
      householdId: request.householdId,
      amountFen: request.amountFen,
      cashAccountId,
      idempotencyKey: request.idempotencyKey,
      requestHash: '0'.repeat(64),
      receivedOn: request.receivedOn,
    };
    return [{ kind: paymentRecorded, inputs }];
  });
  await unit.prefetch(commands);
}

/** Records a payment under an idempotency key: same key and body → the original payment; another body → CONFLICT. */
export async function recordPayment(
  unit: MoneyUnit,
  input: {
    householdId: string;
    amountFen: bigint;
    cashAccountId: string;
    idempotencyKey: string;
    receivedOn: CivilDate;
    actor: string;
  },
): Promise<PaymentResult> {
  const requestHash = requestFingerprint('recordPayment', {
    householdId: input.householdId,
    amountFen: input.amountFen,
    cashAccountId: input.cashAccountId,
  });
  await unit.load('idempotency', [input.idempotencyKey]);
  const outcome = resolveIdempotentRequest(
    unit.row('idempotency', input.idempotencyKey) as never,
    input.idempotencyKey,
    requestHash,
  );
  if (outcome.kind === 'replayed') {
    await unit.load('payments', [outcome.resultId]);
    return { paymentId: outcome.resultId, replayed: true, payment: unit.row('payments', outcome.resultId) as Payment };
  }
  await ensureHouseholdAccounts(unit, input.householdId, input.receivedOn, input.actor);
  const paymentId = unit.freshId();
  await unit.execute(
    paymentRecorded,
    {
      paymentId,
      householdId: input.householdId,
      amountFen: input.amountFen,
      cashAccountId: input.cashAccountId,
      idempotencyKey: input.idempotencyKey,
      requestHash,
      receivedOn: input.receivedOn,
    },
    input.actor,
  );
  return { paymentId, replayed: false, payment: unit.row('payments', paymentId) as Payment };
}

export async function refundPayment(
  unit: MoneyUnit,
  input: { paymentId: string; amountFen: bigint; refundedOn: CivilDate; actor: string },
): Promise<string> {
  const refundId = unit.freshId();
  await unit.execute(
    paymentRefunded,
    { refundId, paymentId: input.paymentId, amountFen: input.amountFen, refundedOn: input.refundedOn },
    input.actor,
  );
  return refundId;
}

/** A correction of an invoice: a new entry, never an edit (invoice-ledger-entries.ts). */
export async function correctInvoiceCommand(
  unit: MoneyUnit,
  input: {
    invoiceId: string;
    component: 'principal' | 'late-fee';
    deltaFen: bigint;
    correctedOn: CivilDate;
    actor: string;
  },
): Promise<string> {
  const correctionId = unit.freshId();
  const { actor, ...rest } = input;
  await unit.execute(invoiceCorrected, { correctionId, ...rest }, actor);
  return correctionId;
}

/** Every invoice of a community, unlocked: what the planners and reports read. */
export async function loadInvoices(em: SqlEntityManager, communityId: string): Promise<Invoice[]> {
  const unit = new ProjectionUnit(em, MONEY_TABLES, emptyMoneyState(communityId), communityId, { lock: false });
  const rows: Array<{ key: string }> = await em.execute('select key from money_invoices where community_id = ?', [
    communityId,
  ]);
  await unit.load(
    'invoices',
    rows.map((row) => row.key),
  );
  return [...unit.state.invoices.values()];
}

async function versionsOf(em: SqlEntityManager, communityId: string): Promise<Map<string, ScheduleVersion>> {
  const unit = new ProjectionUnit(em, MONEY_TABLES, emptyMoneyState(communityId), communityId, { lock: false });
  const rows: Array<{ key: string }> = await em.execute(
    'select key from money_schedule_versions where community_id = ?',
    [communityId],
  );
  await unit.load(
    'scheduleVersions',
    rows.map((row) => row.key),
  );
  return new Map(unit.state.scheduleVersions);
}

/** Posts every late-fee step due today; a step another runner posted first is skipped. */
export async function postDueLateFees(unit: MoneyUnit, today: CivilDate): Promise<number> {
  const em = unit.em;
  const versions = await versionsOf(em, unit.communityId);
  const planned = planLateFees(
    await loadInvoices(em, unit.communityId),
    (invoice) => versions.get(scheduleVersionKey(invoice.scheduleId, invoice.scheduleVersion))?.lateFee ?? null,
    today,
  );
  if (planned.length > 0) await ensureAccount(unit, 'late-fee-income', null, today, 'system');
  await unit.prefetch(
    planned.map((step) => ({
      kind: lateFeePosted,
      inputs: { invoiceId: step.invoiceId, step: step.step, postedOn: today },
    })),
  );
  let posted = 0;
  for (const step of planned) {
    try {
      await unit.execute(lateFeePosted, { invoiceId: step.invoiceId, step: step.step, postedOn: today }, 'system');
      posted++;
    } catch (error) {
      if (!(error instanceof DuplicateRecordError)) throw error;
    }
  }
  return posted;
}

export interface QueuedReminder {
  invoiceId: string;
  householdId: string;
  step: number;
}

/**
 * Queues the latest due reminder step of every open invoice. The reminder's entry locks
 * its invoice and refuses a step already queued, so a second runner — another server —
 * queues nothing twice; the caller writes each queued one to the outbox in the same unit.
 */
export async function queueDueReminders(unit: MoneyUnit, today: CivilDate): Promise<QueuedReminder[]> {
  const em = unit.em;
  const versions = await versionsOf(em, unit.communityId);
  const planned = planReminders(
    await loadInvoices(em, unit.communityId),
    (invoice) => versions.get(scheduleVersionKey(invoice.scheduleId, invoice.scheduleVersion))!.reminders,
    today,
  );
  await unit.prefetch(
    planned.map((reminder) => ({
      kind: reminderQueued,
      inputs: { invoiceId: reminder.invoiceId, step: reminder.step, queuedOn: today },
    })),
  );
  const queued: QueuedReminder[] = [];
  for (const reminder of planned) {
    try {
      await unit.execute(
        reminderQueued,
        { invoiceId: reminder.invoiceId, step: reminder.step, queuedOn: today },
        'system',
      );
      queued.push({ invoiceId: reminder.invoiceId, householdId: reminder.householdId, step: reminder.step });
    } catch (error) {
      // Refused because another runner queued this step or a later one, or the invoice was paid meanwhile.
      if (error instanceof DuplicateRecordError) continue;
      if ((error as { code?: string }).code === 'INVALID_INPUT') continue;
      throw error;
    }
  }
  return queued;
}
