/**
 * Test support for the property-based tests: a community's money book driven by random
 * commands through the live path (money-book.ts), with the invariants every accepted
 * command must keep. Checks throw a plain Error with what broke; they avoid jest's
 * `expect` on the hot path, which costs a stack trace per call.
 */
import fc from 'fast-check';
import { DomainError } from '../../src/domain-error.ts';
import { rulesOfKind } from '../../src/funds/account-kinds.ts';
import { accountNaturalBalanceFen } from '../../src/funds/accounts.ts';
import { satisfiesBalanceRule, signedBalanceFen } from '../../src/funds/balance-rules.ts';
import { addDays, type CivilDate } from '../../src/funds/civil-dates.ts';
import { trialBalance } from '../../src/funds/fund-reports.ts';
import { transfersPosted } from '../../src/funds/funds-ledger-entries.ts';
import { requestFingerprint, resolveIdempotentRequest } from '../../src/funds/idempotency.ts';
import { spendApproved, spendExecuted, spendProposed } from '../../src/funds/spend-ledger-entries.ts';
import type { ManualTransferCode } from '../../src/funds/transfer-codes.ts';
import { MANUAL_TRANSFER_CODES } from '../../src/funds/transfer-codes.ts';
import { nextPeriod, parsePeriodId, periodContaining } from '../../src/fees/billing-periods.ts';
import { lateFeePosted, reminderQueued } from '../../src/fees/collection-ledger-entries.ts';
import type { MoneyState } from '../../src/fees/fees-state.ts';
import { invoiceCorrected, invoiceIssued } from '../../src/fees/invoice-ledger-entries.ts';
import { billedPrincipalFen, isOpen, openFen, type Invoice } from '../../src/fees/invoices.ts';
import { planLateFees } from '../../src/fees/late-fee-planner.ts';
import { paymentRecorded, paymentRefunded } from '../../src/fees/payment-ledger-entries.ts';
import { planReminders } from '../../src/fees/reminder-planner.ts';
import { ACCOUNT, creditOf, MoneyBook, receivableOf } from './money-book.ts';

export const HOUSEHOLDS = ['h1', 'h2', 'h3'] as const;
const AREAS = [8_933, 10_000, 12_050];
export const FUND_ACCOUNTS = [
  ACCOUNT.operating,
  ACCOUNT.maintenanceFund,
  ACCOUNT.activityFund,
  ACCOUNT.clearing,
  ACCOUNT.external,
  ACCOUNT.expenses,
];
const CASH_ACCOUNTS = [ACCOUNT.operating, ACCOUNT.clearing];
const START: CivilDate = '2026-01-01';

export type Command =
  | { kind: 'advance'; days: number }
  | { kind: 'transfers'; orders: Array<{ debit: number; credit: number; amountFen: bigint; code: ManualTransferCode }> }
  | { kind: 'issue'; household: number; schedule: 'property-fee' | 'parking'; periodsBack: number }
  | { kind: 'pay'; household: number; amountFen: bigint; cash: number }
  | { kind: 'retry'; alter: boolean }
  | { kind: 'refund'; pick: number; amountFen: bigint }
  | { kind: 'correct'; pick: number; component: 'principal' | 'late-fee'; deltaFen: bigint }
  | { kind: 'late-fees' }
  | { kind: 'reminders' }
  | { kind: 'reschedule'; rateFen: bigint }
  | { kind: 'spend'; fromActivity: boolean; amountFen: bigint };

const amount = (max: bigint) => fc.bigInt({ min: 1n, max });

/** A linked batch of 1 to `maxLength` transfers among the community's fund, clearing, outside and expense accounts. */
export function ordersArbitrary(maxLength: number) {
  const order = fc.record({
    debit: fc.nat({ max: FUND_ACCOUNTS.length - 1 }),
    credit: fc.nat({ max: FUND_ACCOUNTS.length - 1 }),
    amountFen: amount(60_000n),
    code: fc.constantFrom(...MANUAL_TRANSFER_CODES),
  });
  return fc.array(order, { minLength: 1, maxLength });
}

export const commandArbitrary: fc.Arbitrary<Command> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), days: fc.integer({ min: 1, max: 30 }) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('transfers' as const),
      orders: ordersArbitrary(4),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('issue' as const),
      household: fc.nat({ max: HOUSEHOLDS.length - 1 }),
      schedule: fc.constantFrom('property-fee' as const, 'parking' as const),
      periodsBack: fc.nat({ max: 2 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('pay' as const),
      household: fc.nat({ max: HOUSEHOLDS.length - 1 }),
      amountFen: amount(80_000n),
      cash: fc.nat({ max: 1 }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retry' as const), alter: fc.boolean() }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('refund' as const), pick: fc.nat(), amountFen: amount(60_000n) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('correct' as const),
      pick: fc.nat(),
      component: fc.constantFrom('principal' as const, 'late-fee' as const),
      deltaFen: fc.bigInt({ min: -25_000n, max: 25_000n }).filter((delta) => delta !== 0n),
    }),
  },
  { weight: 2, arbitrary: fc.constant({ kind: 'late-fees' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'reminders' as const }) },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('reschedule' as const), rateFen: fc.bigInt({ min: 100n, max: 400n }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('spend' as const),
      fromActivity: fc.boolean(),
      amountFen: amount(700_000n),
    }),
  },
);

function check(condition: boolean, problem: string): void {
  if (!condition) throw new Error(`Invariant broken: ${problem}`);
}

/** The community every simulation starts from: accounts, three households and two schedules. */
function startingBook(): MoneyBook {
  const book = new MoneyBook().openCommunityAccounts();
  for (const household of HOUSEHOLDS) book.addHousehold(household);
  book.version({
    dueDay: 31,
    graceDays: 3,
    lateFee: { kind: 'daily', basisPointsPerDay: 10, postEveryDays: 7, capFen: 5_000n },
  });
  book.version({
    scheduleId: 'parking',
    charge: { kind: 'fixed', amountFenPerMonth: 30_000n },
    dueDay: 10,
    lateFee: { kind: 'percentage', basisPoints: 500, capFen: 2_000n },
    households: { kind: 'chosen', householdIds: ['h2', 'h3'] },
  });
  return book;
}

let startingPoint: MoneyBook | undefined;

function withOneFenMore(kind: 'pay' | 'transfers', body: Record<string, unknown>): Record<string, unknown> {
  if (kind === 'pay') return { ...body, amountFen: (body.amountFen as bigint) + 1n };
  const [first, ...rest] = body.transfers as Array<{ amountFen: bigint }>;
  return { transfers: [{ ...first!, amountFen: first!.amountFen + 1n }, ...rest] };
}

export class Simulation {
  readonly book = (startingPoint ??= startingBook()).fork();

  /** With `checkPartialState`, every entry is also run on only the rows its rule read (money-book.ts). */
  constructor(options: { checkPartialState?: boolean } = {}) {
    this.book.checkPartialState = options.checkPartialState ?? false;
  }

  today: CivilDate = START;
  lastRequest: { kind: 'pay' | 'transfers'; key: string; body: Record<string, unknown> } | undefined;
  counter = 0;
  accepted = 0;
  refused = 0;
  retried = 0;
  conflicts = 0;
  lateFees = 0;
  reminders = 0;

  nextId(prefix: string): string {
    return `${prefix}-${++this.counter}`;
  }

  /** Runs one live-path step; a refusal must be a typed DomainError and leave state and entries as they were. */
  attempt(step: () => void): void {
    const [state, entryCount] = [this.book.state, this.book.entries.length];
    try {
      step();
      this.accepted++;
      checkInvariants(this.book.state);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.refused++;
      check(
        this.book.state === state && this.book.entries.length === entryCount,
        `a refused command (${error.code}) changed the state`,
      );
    }
  }

  postTransfers(
    key: string,
    body: {
      transfers: Array<{
        debitAccountId: string;
        creditAccountId: string;
        amountFen: bigint;
        code: ManualTransferCode;
      }>;
    },
  ): void {
    const requestHash = requestFingerprint('funds.post-transfers', body);
    const outcome = resolveIdempotentRequest(this.book.state.idempotency.get(key), key, requestHash);
    if (outcome.kind === 'replayed')
      return check(this.book.state.transfers.has(`batch:${outcome.resultId}#0`), 'a replayed batch has no transfers');
    this.book.run(transfersPosted, {
      batchId: this.nextId('batch'),
      idempotencyKey: key,
      requestHash,
      postedOn: this.today,
      ...body,
    });
  }

  recordPayment(key: string, body: { householdId: string; amountFen: bigint; cashAccountId: string }): void {
    const requestHash = requestFingerprint('fees.record-payment', body);
    const outcome = resolveIdempotentRequest(this.book.state.idempotency.get(key), key, requestHash);
    if (outcome.kind === 'replayed') {
      const original = this.book.state.payments.get(outcome.resultId)!;
      return check(
        original.amountFen === body.amountFen && original.householdId === body.householdId,
        'a replayed payment differs from its request',
      );
    }
    this.book.run(paymentRecorded, {
      paymentId: this.nextId('pay'),
      ...body,
      idempotencyKey: key,
      requestHash,
      receivedOn: this.today,
    });
  }

  sortedInvoices(): Invoice[] {
    return [...this.book.state.invoices.values()].sort((a, b) => (a.invoiceId < b.invoiceId ? -1 : 1));
  }

  execute(command: Command): void {
    switch (command.kind) {
      case 'advance':
        this.today = addDays(this.today, command.days);
        return;
      case 'transfers': {
        const key = this.nextId('transfer-key');
        const body = {
          transfers: command.orders.map((order) => ({
            debitAccountId: FUND_ACCOUNTS[order.debit]!,
            creditAccountId: FUND_ACCOUNTS[order.credit]!,
            amountFen: order.amountFen,
            code: order.code,
          })),
        };
        this.lastRequest = { kind: 'transfers', key, body };
        return this.attempt(() => this.postTransfers(key, body));
      }
      case 'issue': {
        let period = parsePeriodId('2026-01');
        const current = periodContaining(this.today, 'month');
        const target = Math.max(0, (current.year - 2026) * 12 + current.firstMonth - 1 - command.periodsBack);
        for (let index = 0; index < target; index++) period = nextPeriod(period);
        const household = HOUSEHOLDS[command.household]!;
        const areaCentiSquareMetres = command.schedule === 'parking' ? null : AREAS[command.household]!;
        return this.attempt(() =>
          this.book.run(invoiceIssued, {
            invoiceId: this.nextId('inv'),
            householdId: household,
            scheduleId: command.schedule,
            periodId: period.periodId,
            areaCentiSquareMetres,
            issuedOn: this.today,
          }),
        );
      }
      case 'pay': {
        const key = this.nextId('pay-key');
        const body = {
          householdId: HOUSEHOLDS[command.household]!,
          amountFen: command.amountFen,
          cashAccountId: CASH_ACCOUNTS[command.cash]!,
        };
        this.lastRequest = { kind: 'pay', key, body };
        return this.attempt(() => this.recordPayment(key, body));
      }
      case 'retry':
        return this.retry(command.alter);
      case 'refund': {
        const payments = [...this.book.state.payments.values()];
        if (payments.length === 0) return;
        const payment = payments[command.pick % payments.length]!;
        return this.attempt(() =>
          this.book.run(paymentRefunded, {
            refundId: this.nextId('refund'),
            paymentId: payment.paymentId,
            amountFen: command.amountFen,
            refundedOn: this.today,
          }),
        );
      }
      case 'correct': {
        const invoices = this.sortedInvoices();
        if (invoices.length === 0) return;
        const invoice = invoices[command.pick % invoices.length]!;
        const { component, deltaFen } = command;
        return this.attempt(() =>
          this.book.run(invoiceCorrected, {
            correctionId: this.nextId('corr'),
            invoiceId: invoice.invoiceId,
            component,
            deltaFen,
            correctedOn: this.today,
          }),
        );
      }
      case 'late-fees':
        return this.postLateFees();
      case 'reminders':
        for (const planned of planReminders(
          [...this.book.state.invoices.values()],
          (invoice) => this.versionOf(invoice).reminders,
          this.today,
        )) {
          // What the planner plans, the rule accepts: exactly once.
          this.book.run(reminderQueued, { invoiceId: planned.invoiceId, step: planned.step, queuedOn: this.today });
          this.reminders++;
          checkInvariants(this.book.state);
        }
        return;
      case 'reschedule':
        return this.reschedule(command.rateFen);
      case 'spend':
        return this.spend(command.fromActivity ? ACCOUNT.activityFund : ACCOUNT.operating, command.amountFen);
    }
  }

  versionOf(invoice: Invoice) {
    return this.book.state.scheduleVersions.get(`${invoice.scheduleId}/${invoice.scheduleVersion}`)!;
  }

  /**
   * Sends the last request again with its key, as a client retrying after a timeout would:
   * unchanged, or (`alter`) with one fen more. If the key has a stored result, the same
   * body must get it back without a new entry and another body must be a CONFLICT; a key
   * without one (its first attempt was refused) is a fresh attempt.
   */
  retry(alter: boolean): void {
    const last = this.lastRequest;
    if (!last) return;
    const body = alter ? withOneFenMore(last.kind, last.body) : last.body;
    const known = this.book.state.idempotency.has(last.key);
    const [state, entryCount] = [this.book.state, this.book.entries.length];
    try {
      if (last.kind === 'pay') this.recordPayment(last.key, body as never);
      else this.postTransfers(last.key, body as never);
      if (!known) return;
      check(!alter, 'a retry with another body was accepted');
      check(this.book.state === state && this.book.entries.length === entryCount, 'a retry wrote a second entry');
      this.retried++;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      check(this.book.state === state && this.book.entries.length === entryCount, 'a refused retry changed the state');
      if (!known) return;
      check(alter && error.code === 'CONFLICT', `a retry was refused with ${error.code}`);
      this.conflicts++;
    }
  }

  postLateFees(): void {
    const planned = planLateFees(
      [...this.book.state.invoices.values()],
      (invoice) => this.versionOf(invoice).lateFee,
      this.today,
    );
    for (const { invoiceId, step, amountFen } of planned) {
      // The planner's amount is the rule's amount, and a planned step is always accepted.
      const entry = this.book.run(lateFeePosted, { invoiceId, step, postedOn: this.today });
      check(entry.payload.amountFen === String(amountFen), 'the planned late fee differs from the posted one');
      this.lateFees++;
      checkInvariants(this.book.state);
    }
  }

  reschedule(rateFen: bigint): void {
    const schedule = this.book.state.schedules.get('property-fee')!;
    const last = schedule.versions.at(-1)!;
    const next = nextPeriod(periodContaining(this.today, 'month')).periodId;
    const effectiveFromPeriodId = next > last.effectiveFromPeriodId ? next : last.effectiveFromPeriodId;
    const version = last.version + 1;
    if (version > 20) return;
    this.attempt(() =>
      this.book.version({
        version,
        effectiveFromPeriodId,
        recordedOn: this.today,
        dueDay: 31,
        graceDays: 3,
        charge: { kind: 'per-area', rateFenPerSquareMetreMonth: rateFen },
      }),
    );
  }

  spend(accountId: string, amountFen: bigint): void {
    const spendId = this.nextId('spend');
    this.attempt(() => {
      const proposed = this.book.run(spendProposed, {
        spendId,
        accountId,
        amountFen,
        payeeId: 'payee-1',
        purposeHash: 'a'.repeat(64),
        receiptHash: 'b'.repeat(64),
        ownersProposalId: null,
        proposedBy: 'manager-1',
        proposedOn: this.today,
      });
      const approvers =
        (proposed.payload.requirement as { approvals: number }).approvals === 1
          ? [['manager-2', 'manager']]
          : [
              ['c1', 'committee'],
              ['c2', 'committee'],
              ['c3', 'committee'],
            ];
      for (const [approverId, role] of approvers)
        this.book.run(spendApproved, {
          spendId,
          approverId: approverId!,
          role: role as 'manager' | 'committee',
          approvedOn: this.today,
        });
    });
    this.attempt(() => this.book.run(spendExecuted, { spendId, executedOn: this.today, ownersProposal: null }));
  }
}

export function checkInvariants(state: MoneyState): void {
  const { debitsFen, creditsFen } = trialBalance(state.accounts.values());
  check(debitsFen === creditsFen, 'debits differ from credits');
  for (const account of state.accounts.values()) {
    check(
      satisfiesBalanceRule(rulesOfKind(account.kind).balanceRule, signedBalanceFen(account)),
      `account ${account.accountId} breaks its balance rule`,
    );
  }
  const invoices = [...state.invoices.values()];
  let billed = 0n;
  let lateFees = 0n;
  for (const invoice of invoices) {
    check(
      openFen(invoice) >= 0n && invoice.paidFen >= 0n && billedPrincipalFen(invoice) >= 0n,
      `invoice ${invoice.invoiceId} has a negative amount`,
    );
    const rule = state.scheduleVersions.get(`${invoice.scheduleId}/${invoice.scheduleVersion}`)!.lateFee;
    if (rule) check(invoice.lateFeePostedFen <= rule.capFen, `invoice ${invoice.invoiceId} passed its late-fee cap`);
    billed += billedPrincipalFen(invoice);
    lateFees += invoice.lateFeeFen;
  }
  const natural = (accountId: string) => accountNaturalBalanceFen(state.accounts.get(accountId)!);
  check(natural(ACCOUNT.feeIncome) === billed, 'fee income differs from the billed principal');
  check(natural(ACCOUNT.lateFeeIncome) === lateFees, 'late-fee income differs from the late fees');
  for (const household of HOUSEHOLDS) {
    const own = invoices.filter((invoice) => invoice.householdId === household);
    check(
      natural(receivableOf(household)) === own.reduce((sum, invoice) => sum + openFen(invoice), 0n),
      `the receivable of ${household} differs from its open invoices`,
    );
    const credit = natural(creditOf(household));
    // A household never holds credit while it owes.
    check(credit === 0n || !own.some(isOpen), `${household} holds credit while it owes`);
    // Every fen a household paid is either settling one of its invoices or its credit.
    const payments = [...state.payments.values()].filter((payment) => payment.householdId === household);
    const netPaid = payments.reduce((sum, payment) => sum + payment.amountFen - payment.refundedFen, 0n);
    check(
      own.reduce((sum, invoice) => sum + invoice.paidFen, 0n) + credit === netPaid,
      `${household}'s payments are not all accounted for`,
    );
  }
}
