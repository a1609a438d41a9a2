import { describe, expect, test } from '@jest/globals';
import { decideEntry, type MoneyEntry } from '../../src/funds/entry-kinds.ts';
import { accountOpened, transfersPosted } from '../../src/funds/funds-ledger-entries.ts';
import { emptyFundsState, type FundsState } from '../../src/funds/funds-state.ts';
import { fundsFold } from '../../src/funds/funds-fold.ts';
import { mergeChanges } from '../../src/funds/state-overlay.ts';
import { requestFingerprint } from '../../src/funds/idempotency.ts';
import { MAX_LINKED_TRANSFERS, type TransferOrder } from '../../src/funds/transfers.ts';
import { ACCOUNT_KINDS, type AccountKind } from '../../src/funds/account-kinds.ts';
import { MAX_ACCOUNT_TOTAL_FEN, MAX_AMOUNT_FEN } from '../../src/funds/fen.ts';
import { accountNaturalBalanceFen } from '../../src/funds/accounts.ts';
import {
  AccountTotalLimitError,
  BalanceRuleBrokenError,
  DuplicateRecordError,
  UnknownAccountError,
} from '../../src/funds/funds-errors.ts';
import { InvalidInputError } from '../../src/domain-error.ts';

const OPENED = '2026-01-01';
let keyCounter = 0;

function book(communityId = 'community-1') {
  let state: FundsState = emptyFundsState(communityId);
  const entries: MoneyEntry[] = [];
  const open = (accountId: string, kind: AccountKind, ownerId: string | null = null) => {
    const { entry, changes } = decideEntry(accountOpened, state, { accountId, kind, ownerId, openedOn: OPENED });
    state = mergeChanges(state, changes);
    entries.push(entry);
  };
  const post = (transfers: TransferOrder[], batchId = `batch-${++keyCounter}`) => {
    const idempotencyKey = `key-${batchId}`;
    const { entry, changes } = decideEntry(transfersPosted, state, {
      batchId,
      idempotencyKey,
      requestHash: requestFingerprint('funds.post-transfers', { transfers }),
      postedOn: '2026-01-02',
      transfers,
    });
    state = mergeChanges(state, changes);
    entries.push(entry);
    return entry;
  };
  return {
    open,
    post,
    entries,
    get state() {
      return state;
    },
  };
}

function order(
  debitAccountId: string,
  creditAccountId: string,
  amountFen: bigint,
  code: TransferOrder['code'] = 'manual',
): TransferOrder {
  return { debitAccountId, creditAccountId, amountFen, code };
}

function standardBook() {
  const b = book();
  b.open('operating', 'operating');
  b.open('maintenance', 'maintenance-fund');
  b.open('external', 'external');
  b.open('expenses', 'expenses');
  b.open('fee-income', 'fee-income');
  b.open('h1-credit', 'household-credit', 'h1');
  b.open('h1-receivable', 'household-receivable', 'h1');
  return b;
}

describe('sign convention and balance rules', () => {
  test('every kind has the rule its normal side implies, as TigerBeetle flags would', () => {
    for (const [kind, rules] of Object.entries(ACCOUNT_KINDS)) {
      if (rules.balanceRule === 'unbounded') {
        expect(['external', 'payment-clearing']).toContain(kind);
        continue;
      }
      // non-negative (credits_must_not_exceed_debits) for debit-normal kinds; non-positive for credit-normal ones.
      expect(rules.balanceRule).toBe(rules.normalSide === 'debit' ? 'non-negative' : 'non-positive');
    }
  });

  test('a transfer debits one account and credits the other by the same amount', () => {
    const b = standardBook();
    b.post([order('operating', 'external', 10_000n, 'opening-balance')]);
    const operating = b.state.accounts.get('operating')!;
    const external = b.state.accounts.get('external')!;
    expect([operating.debitsFen, operating.creditsFen]).toEqual([10_000n, 0n]);
    expect([external.debitsFen, external.creditsFen]).toEqual([0n, 10_000n]);
    expect(accountNaturalBalanceFen(operating)).toBe(10_000n);
    expect(accountNaturalBalanceFen(external)).toBe(10_000n);
    expect(b.state.transfers.get('batch:' + b.entries.at(-1)!.payload.batchId + '#0')).toMatchObject({
      amountFen: 10_000n,
      code: 'opening-balance',
    });
  });

  test('refuses to take a fund below zero (may not go negative), naming the account and the transfer', () => {
    const b = standardBook();
    b.post([order('operating', 'external', 500n, 'opening-balance')]);
    const attempt = () => b.post([order('expenses', 'operating', 501n)]);
    expect(attempt).toThrow(BalanceRuleBrokenError);
    expect(attempt).toThrow('Failed to post transfer 0: account operating may not go below zero');
    try {
      attempt();
    } catch (error) {
      expect((error as BalanceRuleBrokenError).code).toBe('BALANCE_RULE_BROKEN');
      expect((error as BalanceRuleBrokenError).accountId).toBe('operating');
    }
    b.post([order('expenses', 'operating', 500n)]);
    expect(accountNaturalBalanceFen(b.state.accounts.get('operating')!)).toBe(0n);
  });

  test('refuses to overdraw a household’s credit (may not go positive in signed terms)', () => {
    const b = standardBook();
    expect(() => b.post([order('h1-credit', 'operating', 1n)])).toThrow(/h1-credit may not go below zero/);
  });

  test('lets the outside world and a clearing account go either way (unbounded)', () => {
    const b = standardBook();
    b.open('clearing', 'payment-clearing', 'alipay');
    b.post([order('clearing', 'external', 700n, 'contribution')]);
    // The provider pays out more than it collected so far (a payout before the webhook).
    b.post([order('external', 'clearing', 1_000n, 'provider-payout')]);
    expect(accountNaturalBalanceFen(b.state.accounts.get('clearing')!)).toBe(-300n);
    expect(accountNaturalBalanceFen(b.state.accounts.get('external')!)).toBe(-300n);
  });
});

describe('transfer input', () => {
  test.each([
    ['a zero amount', order('operating', 'external', 0n), /amountFen/],
    ['a negative amount', order('operating', 'external', -1n), /amountFen/],
    ['an amount above the limit', order('operating', 'external', MAX_AMOUNT_FEN + 1n), /amountFen/],
    ['the same account on both sides', order('operating', 'operating', 1n), /two different accounts/],
  ])('refuses %s', (_label, bad, message) => {
    const b = standardBook();
    expect(() => b.post([bad])).toThrow(InvalidInputError);
    expect(() => b.post([bad])).toThrow(message);
  });

  test('refuses an unknown account as not found', () => {
    const b = standardBook();
    expect(() => b.post([order('nowhere', 'external', 1n)])).toThrow(UnknownAccountError);
    try {
      b.post([order('nowhere', 'external', 1n)]);
    } catch (error) {
      expect((error as UnknownAccountError).code).toBe('NOT_FOUND');
    }
  });

  test('refuses an account of another community exactly as one that does not exist', () => {
    const b = standardBook();
    const foreign = book('community-2');
    foreign.open('their-operating', 'operating');
    // A state whose tables hold a record of another community (as a careless load might) still refuses it.
    const mixed: FundsState = { ...b.state, accounts: new Map([...b.state.accounts, ...foreign.state.accounts]) };
    const transfers = [order('their-operating', 'external', 1n)];
    expect(() =>
      decideEntry(transfersPosted, mixed, {
        batchId: 'x1',
        idempotencyKey: 'key-foreign',
        requestHash: 'a'.repeat(64),
        postedOn: OPENED,
        transfers,
      }),
    ).toThrow(new UnknownAccountError('their-operating'));
  });

  test('refuses a rule-only code (a payment, an invoice) in a manual batch', () => {
    const b = standardBook();
    expect(() => b.post([order('operating', 'external', 1n, 'payment')])).toThrow(/transfers\.0\.code/);
  });

  test(`refuses an empty batch and one of more than ${MAX_LINKED_TRANSFERS} transfers`, () => {
    const b = standardBook();
    expect(() => b.post([])).toThrow(/transfers/);
    const many = Array.from({ length: MAX_LINKED_TRANSFERS + 1 }, () =>
      order('operating', 'external', 1n, 'opening-balance'),
    );
    expect(() => b.post(many)).toThrow(/transfers/);
    expect(() => b.post(many.slice(0, MAX_LINKED_TRANSFERS))).not.toThrow();
  });

  test('refuses a transfer that would pass an account’s cumulative total limit', () => {
    const b = standardBook();
    let remaining = Number(MAX_ACCOUNT_TOTAL_FEN / MAX_AMOUNT_FEN);
    while (remaining > 0) {
      const size = Math.min(MAX_LINKED_TRANSFERS, remaining);
      b.post(Array.from({ length: size }, () => order('operating', 'external', MAX_AMOUNT_FEN, 'opening-balance')));
      remaining -= size;
    }
    expect(b.state.accounts.get('operating')!.debitsFen).toBe(MAX_ACCOUNT_TOTAL_FEN);
    expect(() => b.post([order('operating', 'external', 1n, 'opening-balance')])).toThrow(AccountTotalLimitError);
  });
});

describe('linked transfers', () => {
  test('apply in order, each seeing the ones before it', () => {
    const b = standardBook();
    b.post([
      order('operating', 'external', 1_000n, 'opening-balance'),
      order('maintenance', 'operating', 1_000n, 'fund-transfer'),
      order('expenses', 'maintenance', 400n),
    ]);
    expect(accountNaturalBalanceFen(b.state.accounts.get('operating')!)).toBe(0n);
    expect(accountNaturalBalanceFen(b.state.accounts.get('maintenance')!)).toBe(600n);
  });

  test('commit all or none: a failing third transfer leaves no trace of the first two', () => {
    const b = standardBook();
    b.post([order('operating', 'external', 1_000n, 'opening-balance')]);
    const before = b.state;
    const entryCount = b.entries.length;
    const batch = [
      order('maintenance', 'operating', 600n, 'fund-transfer'),
      order('expenses', 'maintenance', 100n),
      order('expenses', 'operating', 401n),
    ];
    expect(() => b.post(batch)).toThrow('Failed to post transfer 2: account operating may not go below zero');
    expect(b.state).toBe(before);
    expect(b.entries.length).toBe(entryCount);
  });

  test('the same batch in another order fails where the order matters', () => {
    const b = standardBook();
    expect(() =>
      b.post([order('expenses', 'maintenance', 100n), order('maintenance', 'external', 100n, 'contribution')]),
    ).toThrow(/transfer 0/);
    b.post([order('maintenance', 'external', 100n, 'contribution'), order('expenses', 'maintenance', 100n)]);
  });

  test('refuses a batch id used before', () => {
    const b = standardBook();
    b.post([order('operating', 'external', 1n, 'opening-balance')], 'batch-same');
    expect(() =>
      decideEntry(transfersPosted, b.state, {
        batchId: 'batch-same',
        idempotencyKey: 'key-another-one',
        requestHash: 'b'.repeat(64),
        postedOn: OPENED,
        transfers: [order('operating', 'external', 1n, 'opening-balance')],
      }),
    ).toThrow(DuplicateRecordError);
  });

  test('replaying the entries gives the live state', () => {
    const b = standardBook();
    b.post([order('operating', 'external', 5_000n, 'opening-balance')]);
    b.post([order('maintenance', 'operating', 2_000n, 'fund-transfer'), order('expenses', 'maintenance', 1_500n)]);
    expect(fundsFold.replay(b.entries, emptyFundsState('community-1'))).toEqual(b.state);
  });
});
