/**
 * Property-based (fast-check) over random sequences of commands run on the database —
 * transfers, linked transfers, invoice runs, payments with retried and reused keys,
 * refunds and late fees — each through a unit of work: refused commands are typed
 * DomainErrors, and after every sequence debits equal credits, no account breaks its
 * balance rule, and the projection replayed from the ledger equals the live tables
 * (which also shows that a refused command wrote nothing).
 */
import fc from 'fast-check';
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { DomainError } from '../../src/domain-error.ts';
import { rulesOfKind } from '../../src/funds/account-kinds.ts';
import { satisfiesBalanceRule, signedBalanceFen } from '../../src/funds/balance-rules.ts';
import { addDays } from '../../src/funds/civil-dates.ts';
import { postTransferBatch } from '../../src/funds/funds-operations.ts';
import { loadProjection, runProjectionUnit } from '../../src/funds/projection-unit.ts';
import {
  ensureCommunityBooks,
  issueInvoices,
  postDueLateFees,
  recordPayment,
  refundPayment,
  versionSchedule,
  type MoneyUnit,
} from '../../src/fees/fees-operations.ts';
import { emptyMoneyState } from '../../src/fees/fees-state.ts';
import { replayMoney } from '../../src/fees/money-replay.ts';
import { MONEY_TABLES } from '../../src/fees/money-tables.ts';
import { createTransactionRunner } from '../../src/ledger/transaction-runner.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { newCommunityLog } from '../ledger/ledger-support.ts';

let database: TestDatabase;
const em = () => database.orm.em.fork() as SqlEntityManager;
const runner = createTransactionRunner({
  onIntegrationFailure: ({ error }) => {
    throw error;
  },
});

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.dispose());

const HOUSEHOLDS = ['h-0', 'h-1', 'h-2'];
const FUNDS = ['operating', 'maintenance-fund', 'external'] as const;

const command = fc.oneof(
  fc.record({
    kind: fc.constant('transfer' as const),
    from: fc.nat(2),
    to: fc.nat(2),
    amount: fc.integer({ min: 1, max: 8_000 }),
    linked: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('issue' as const), month: fc.integer({ min: 1, max: 4 }) }),
  fc.record({
    kind: fc.constant('pay' as const),
    household: fc.nat(2),
    amount: fc.integer({ min: 1, max: 30_000 }),
    key: fc.nat(5),
  }),
  fc.record({ kind: fc.constant('refund' as const), payment: fc.nat(5), amount: fc.integer({ min: 1, max: 20_000 }) }),
  fc.record({ kind: fc.constant('late-fees' as const) }),
);
type Command = typeof command extends fc.Arbitrary<infer T> ? T : never;

/** Outcomes over all runs, so the test shows it exercised both spaces. */
const outcomes = new Map<string, number>();
const count = (outcome: string) => outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);

async function runSequence(commands: readonly Command[]): Promise<void> {
  const communityId = await newCommunityLog(em());
  const inUnit = <T>(work: (unit: MoneyUnit) => Promise<T>) =>
    runProjectionUnit(runner, em(), MONEY_TABLES, () => emptyMoneyState(communityId), work);
  const ids = await inUnit((unit) => ensureCommunityBooks(unit, '2026-01-01', 'system'));
  await inUnit((unit) =>
    versionSchedule(
      unit,
      {
        scheduleId: 'fee',
        frequency: 'month',
        effectiveFromPeriodId: '2026-01',
        charge: { kind: 'per-area', rateFenPerSquareMetreMonth: 150n },
        dueDay: 5,
        graceDays: 0,
        lateFee: { kind: 'daily', basisPointsPerDay: 10, postEveryDays: 3, capFen: 2_000n },
        reminders: { beforeDueDays: 3, repeatEveryDays: 7, maxOverdueReminders: 12 },
        households: { kind: 'all' },
      },
      '2026-01-01',
      'system',
    ),
  );
  const paymentIds: string[] = [];
  let today = '2026-01-01';
  for (const [index, step] of commands.entries()) {
    today = addDays(today, 3);
    try {
      if (step.kind === 'transfer') {
        const order = (from: number, to: number, amount: number) => ({
          debitAccountId: ids.get(FUNDS[to]!)!,
          creditAccountId: ids.get(FUNDS[from]!)!,
          amountFen: BigInt(amount),
          code: 'fund-transfer' as const,
        });
        const transfers = step.linked
          ? [order(2, step.from, step.amount), order(step.from, step.to, step.amount)]
          : [order(step.from, step.to, step.amount)];
        await inUnit((unit) =>
          postTransferBatch(unit, {
            idempotencyKey: `transfer-${String(index).padStart(4, '0')}`,
            transfers,
            postedOn: today,
            actor: 'system',
          }),
        );
      } else if (step.kind === 'issue') {
        const periodId = `2026-0${step.month}`;
        if (today < `${periodId}-01`) continue;
        await inUnit((unit) =>
          issueInvoices(unit, {
            scheduleId: 'fee',
            periodId,
            households: HOUSEHOLDS.map((householdId, i) => ({ householdId, areaCentiSquareMetres: 7_000 + i * 1_333 })),
            issuedOn: today,
            actor: 'system',
          }),
        );
      } else if (step.kind === 'pay') {
        // Keys are reused on purpose: the same key and amount replays, another amount is CONFLICT.
        const result = await inUnit((unit) =>
          recordPayment(unit, {
            householdId: HOUSEHOLDS[step.household]!,
            amountFen: BigInt(step.amount),
            cashAccountId: ids.get('operating')!,
            idempotencyKey: `payment-key-${step.key}`,
            receivedOn: today,
            actor: 'system',
          }),
        );
        if (!result.replayed) paymentIds.push(result.paymentId);
      } else if (step.kind === 'refund') {
        const paymentId = paymentIds[step.payment % Math.max(1, paymentIds.length)];
        if (paymentId === undefined) continue;
        await inUnit((unit) =>
          refundPayment(unit, { paymentId, amountFen: BigInt(step.amount), refundedOn: today, actor: 'system' }),
        );
      } else {
        await inUnit((unit) => postDueLateFees(unit, today));
      }
      count(`${step.kind} done`);
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      count(`${step.kind} refused ${error.code}`);
    }
  }
  const live = await loadProjection(em(), MONEY_TABLES, emptyMoneyState(communityId));
  let debits = 0n;
  let credits = 0n;
  for (const account of live.accounts.values()) {
    debits += account.debitsFen;
    credits += account.creditsFen;
    expect(satisfiesBalanceRule(rulesOfKind(account.kind).balanceRule, signedBalanceFen(account))).toBe(true);
  }
  expect(debits).toBe(credits);
  expect((await replayMoney(em(), communityId)).differences).toEqual([]);
}

describe('random sequences of money commands on the database', () => {
  it('keep debits equal to credits, every balance rule, and replay equal to live', async () => {
    await fc.assert(fc.asyncProperty(fc.array(command, { minLength: 8, maxLength: 30 }), runSequence), {
      numRuns: 8,
      seed: Number(process.env['MONEY_PROPERTY_SEED'] ?? 20261130),
    });
  }, 300_000);
});
