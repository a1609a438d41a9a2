/**
 * The money projection on a real database (PGlite, or PostgreSQL with DATABASE_URL): each
 * command loads and locks its rows, decides its entry with the pure rule, writes its rows
 * and appends the entry in one transaction; retries with one key give one result; linked
 * transfers post all or none; balance rules hold under concurrent transfers; and the
 * projection rebuilt from the ledger equals the live tables.
 *
 * @ci-both-engines: the money jobs and projection units read with their own transaction on
 * PGlite's one connection (src/fees/money-jobs.ts, src/funds/projection-unit.ts).
 */
import type { SqlEntityManager } from '../../src/db/orm.ts';
import { pendingCount } from '../../src/ledger/integrator.ts';
import { createTransactionRunner } from '../../src/ledger/transaction-runner.ts';
import { postTransferBatch, type TransferOrderInput } from '../../src/funds/funds-operations.ts';
import { runProjectionUnit } from '../../src/funds/projection-unit.ts';
import { emptyMoneyState, type MoneyState } from '../../src/fees/fees-state.ts';
import {
  ensureCommunityBooks,
  issueInvoices,
  postDueLateFees,
  queueDueReminders,
  recordPayment,
  refundPayment,
  versionSchedule,
  type MoneyUnit,
} from '../../src/fees/fees-operations.ts';
import { MONEY_TABLES } from '../../src/fees/money-tables.ts';
import { replayMoney } from '../../src/fees/money-replay.ts';
import { loadProjection } from '../../src/funds/projection-unit.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { newCommunityLog } from '../ledger/ledger-support.ts';

let database: TestDatabase;
const em = () => database.orm.em.fork() as SqlEntityManager;
const runner = createTransactionRunner({
  onIntegrationFailure: ({ error }) => {
    throw error;
  },
});
const ON = '2026-03-01';

function inUnit<T>(communityId: string, work: (unit: MoneyUnit) => Promise<T>): Promise<T> {
  return runProjectionUnit(runner, em(), MONEY_TABLES, () => emptyMoneyState(communityId), work);
}

async function countRows(sql: string, parameters: unknown[]): Promise<number> {
  const rows: Array<{ n: string | number }> = await em().execute(sql, parameters);
  return Number(rows[0]!.n);
}

async function live(communityId: string): Promise<MoneyState> {
  return loadProjection(em(), MONEY_TABLES, emptyMoneyState(communityId));
}

async function entryCount(communityId: string, type: string): Promise<number> {
  return countRows('select count(*) as n from ledger_entries where community_id = ? and type = ?', [communityId, type]);
}

interface Books {
  communityId: string;
  operating: string;
  maintenance: string;
  external: string;
}

async function newBooks(): Promise<Books> {
  const communityId = await newCommunityLog(em());
  const ids = await inUnit(communityId, (unit) => ensureCommunityBooks(unit, ON, 'system'));
  return {
    communityId,
    operating: ids.get('operating')!,
    maintenance: ids.get('maintenance-fund')!,
    external: ids.get('external')!,
  };
}

const deposit = (books: Books, amountFen: bigint): TransferOrderInput => ({
  debitAccountId: books.operating,
  creditAccountId: books.external,
  amountFen,
  code: 'contribution',
});

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.dispose());

describe('transfers on the database', () => {
  it('answers 50 concurrent retries of one keyed batch with one batch and one entry, and refuses the key with another body', async () => {
    const books = await newBooks();
    const key = 'retry-key-0001';
    const results = await Promise.all(
      Array.from({ length: 50 }, () =>
        inUnit(books.communityId, (unit) =>
          postTransferBatch(unit, {
            idempotencyKey: key,
            transfers: [deposit(books, 1000n)],
            postedOn: ON,
            actor: 'system',
          }),
        ),
      ),
    );
    expect(new Set(results.map((result) => result.batchId)).size).toBe(1);
    expect(results.filter((result) => !result.replayed)).toHaveLength(1);
    expect(await entryCount(books.communityId, 'funds.transfers-posted')).toBe(1);
    const before = await countRows('select count(*) as n from ledger_pending', []);
    await expect(
      inUnit(books.communityId, (unit) =>
        postTransferBatch(unit, {
          idempotencyKey: key,
          transfers: [deposit(books, 999n)],
          postedOn: ON,
          actor: 'system',
        }),
      ),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect(await entryCount(books.communityId, 'funds.transfers-posted')).toBe(1);
    expect(await countRows('select count(*) as n from ledger_pending', [])).toBe(before);
    const accounts = (await live(books.communityId)).accounts;
    expect(accounts.get(books.operating)!.debitsFen).toBe(1000n);
  });

  it('posts linked transfers all or none: the second breaking a balance rule leaves the first unwritten', async () => {
    const books = await newBooks();
    const refused = inUnit(books.communityId, (unit) =>
      postTransferBatch(unit, {
        idempotencyKey: 'linked-key-0001',
        transfers: [
          deposit(books, 500n),
          {
            debitAccountId: books.maintenance,
            creditAccountId: books.operating,
            amountFen: 501n,
            code: 'fund-transfer',
          },
        ],
        postedOn: ON,
        actor: 'system',
      }),
    );
    await expect(refused).rejects.toMatchObject({ code: 'BALANCE_RULE_BROKEN' });
    const state = await live(books.communityId);
    expect(state.accounts.get(books.operating)!.debitsFen).toBe(0n);
    expect(state.transfers.size).toBe(0);
    expect(state.idempotency.size).toBe(0);
    expect(await entryCount(books.communityId, 'funds.transfers-posted')).toBe(0);
  });

  it('never lets concurrent transfers out of one account take it below zero', async () => {
    const books = await newBooks();
    await inUnit(books.communityId, (unit) =>
      postTransferBatch(unit, {
        idempotencyKey: 'fund-it-0001',
        transfers: [deposit(books, 1000n)],
        postedOn: ON,
        actor: 'system',
      }),
    );
    // 20 transfers of 100 from a balance of 1,000: exactly 10 may pass, whatever the interleaving.
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, index) =>
        inUnit(books.communityId, (unit) =>
          postTransferBatch(unit, {
            idempotencyKey: `drain-key-${String(index).padStart(4, '0')}`,
            transfers: [
              {
                debitAccountId: books.maintenance,
                creditAccountId: books.operating,
                amountFen: 100n,
                code: 'fund-transfer',
              },
            ],
            postedOn: ON,
            actor: 'system',
          }),
        ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(10);
    for (const outcome of outcomes)
      if (outcome.status === 'rejected') expect(outcome.reason).toMatchObject({ code: 'BALANCE_RULE_BROKEN' });
    const operating = (await live(books.communityId)).accounts.get(books.operating)!;
    expect(operating.debitsFen - operating.creditsFen).toBe(0n);
    expect(await replayMoney(em(), books.communityId)).toMatchObject({ differences: [] });
  });
});

describe('fees on the database', () => {
  it('issues a period once even when two runs race, settles payments oldest first, posts late fees and reminders once, and replays to the live tables', async () => {
    const books = await newBooks();
    const households = Array.from({ length: 6 }, (_, index) => ({
      householdId: `h-${index}`,
      areaCentiSquareMetres: 8933 + index * 100,
    }));
    await inUnit(books.communityId, (unit) =>
      versionSchedule(
        unit,
        {
          scheduleId: 'property-fee',
          frequency: 'month',
          effectiveFromPeriodId: '2026-03',
          charge: { kind: 'per-area', rateFenPerSquareMetreMonth: 150n },
          dueDay: 10,
          graceDays: 5,
          lateFee: { kind: 'daily', basisPointsPerDay: 5, postEveryDays: 10, capFen: 5_000n },
          reminders: { beforeDueDays: 3, repeatEveryDays: 7, maxOverdueReminders: 12 },
          households: { kind: 'all' },
        },
        '2026-02-20',
        'system',
      ),
    );
    const run = () =>
      inUnit(books.communityId, (unit) =>
        issueInvoices(unit, {
          scheduleId: 'property-fee',
          periodId: '2026-03',
          households,
          issuedOn: ON,
          actor: 'system',
        }),
      );
    const [first, second] = await Promise.all([run(), run()]);
    expect(first.issued + second.issued).toBe(6);
    expect(first.alreadyIssued + second.alreadyIssued).toBe(6);
    expect(await entryCount(books.communityId, 'fees.invoice-issued')).toBe(6);
    // 89.33 m² at 1.50 yuan: 13,399.5 → 13,400 fen.
    const invoices = [...(await live(books.communityId)).invoices.values()];
    expect(invoices.find((invoice) => invoice.householdId === 'h-0')!.principalFen).toBe(13_400n);

    const pay = (householdId: string, amountFen: bigint, key: string) =>
      inUnit(books.communityId, (unit) =>
        recordPayment(unit, {
          householdId,
          amountFen,
          cashAccountId: books.operating,
          idempotencyKey: key,
          receivedOn: '2026-03-05',
          actor: 'system',
        }),
      );
    await pay('h-0', 13_400n, 'pay-h0-000001');
    await pay('h-1', 5_000n, 'pay-h1-000001');
    const overpaid = await pay('h-2', 20_000n, 'pay-h2-000001');
    await inUnit(books.communityId, (unit) =>
      refundPayment(unit, {
        paymentId: overpaid.paymentId,
        amountFen: 1_000n,
        refundedOn: '2026-03-06',
        actor: 'system',
      }),
    );

    const remind = (today: string) =>
      Promise.all([0, 1].map(() => inUnit(books.communityId, (unit) => queueDueReminders(unit, today))));
    const beforeDue = await remind('2026-03-07');
    // Open: h-1 (partly paid) and h-3…h-5; each gets its before-due reminder exactly once across both runners.
    expect(beforeDue.flat()).toHaveLength(4);
    expect((await remind('2026-03-07')).flat()).toHaveLength(0);
    const overdue = await remind('2026-03-16');
    expect(overdue.flat().map((reminder) => reminder.step)).toEqual([1, 1, 1, 1]);
    expect(await entryCount(books.communityId, 'fees.reminder-queued')).toBe(8);

    const lateFees = await Promise.all(
      [0, 1].map(() => inUnit(books.communityId, (unit) => postDueLateFees(unit, '2026-03-25'))),
    );
    expect(lateFees[0]! + lateFees[1]!).toBe(4);
    expect(await entryCount(books.communityId, 'fees.late-fee-posted')).toBe(4);

    const state = await live(books.communityId);
    let debits = 0n;
    let credits = 0n;
    for (const account of state.accounts.values()) {
      debits += account.debitsFen;
      credits += account.creditsFen;
    }
    expect(debits).toBe(credits);
    expect(await pendingCount(em(), books.communityId)).toBe(0);
    const report = await replayMoney(em(), books.communityId);
    expect(report.differences).toEqual([]);
    expect(report.entries).toBeGreaterThan(20);
  });

  it('names the record when a live table differs from the replay', async () => {
    const books = await newBooks();
    await inUnit(books.communityId, (unit) =>
      postTransferBatch(unit, {
        idempotencyKey: 'tamper-key-01',
        transfers: [deposit(books, 700n)],
        postedOn: ON,
        actor: 'system',
      }),
    );
    await em().execute(
      `update money_accounts set record = jsonb_set(record, '{debitsFen}', '{"$fen": "701"}') where community_id = ? and key = ?`,
      [books.communityId, books.operating],
    );
    const report = await replayMoney(em(), books.communityId);
    expect(report.differences.map((difference) => difference.description)).toEqual([
      `account ${books.operating}: live differs from replay`,
    ]);
  });
});
