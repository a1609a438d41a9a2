import { beforeEach, describe, expect, test } from '@jest/globals';
import {
  DEFAULT_APPROVAL_RULE,
  requirementFor,
  validateApprovalRule,
  type ApprovalRule,
} from '../../src/funds/approval-rules.ts';
import {
  AlreadyApprovedError,
  ApproverNotEligibleError,
  InvalidSpendTransitionError,
  OwnersProposalRequiredError,
  SpendExpiredError,
  type OwnersProposalFact,
} from '../../src/funds/expense-approval.ts';
import { approvalRuleSet, transfersPosted } from '../../src/funds/funds-ledger-entries.ts';
import {
  spendApproved,
  spendExecuted,
  spendExpired,
  spendProposed,
  spendRejected,
} from '../../src/funds/spend-ledger-entries.ts';
import { BalanceRuleBrokenError } from '../../src/funds/funds-errors.ts';
import { InvalidInputError } from '../../src/domain-error.ts';
import { ACCOUNT, MoneyBook } from '../fees/money-book.ts';

const HASH = 'd'.repeat(64);
const YUAN = 100n;

function proposal(spendId: string, accountId: string, amountFen: bigint, ownersProposalId: string | null = null) {
  return {
    spendId,
    accountId,
    amountFen,
    payeeId: 'payee-cleaning-co',
    purposeHash: HASH,
    receiptHash: HASH,
    ownersProposalId,
    proposedBy: 'manager-1',
    proposedOn: '2026-03-01',
  };
}

function fund(book: MoneyBook, accountId: string, amountFen: bigint): void {
  book.run(transfersPosted, {
    batchId: `fund-${accountId}`,
    idempotencyKey: `fund-key-${accountId}`,
    requestHash: HASH,
    postedOn: '2026-02-01',
    transfers: [{ debitAccountId: accountId, creditAccountId: ACCOUNT.external, amountFen, code: 'contribution' }],
  });
}

describe('what a spend needs', () => {
  test('up to 5,000 yuan (inclusive): one approval by a manager or a committee member', () => {
    expect(requirementFor(DEFAULT_APPROVAL_RULE, 'operating', 5_000n * YUAN)).toEqual({
      approvals: 1,
      eligibleRoles: ['manager', 'committee'],
      ownersProposal: false,
    });
  });

  test('above it: k of n committee members', () => {
    expect(requirementFor(DEFAULT_APPROVAL_RULE, 'operating', 5_000n * YUAN + 1n)).toEqual({
      approvals: 3,
      eligibleRoles: ['committee'],
      ownersProposal: false,
    });
  });

  test('any amount from the maintenance fund: also a passed owners’ proposal', () => {
    expect(requirementFor(DEFAULT_APPROVAL_RULE, 'maintenance-fund', 1n).ownersProposal).toBe(true);
    expect(requirementFor(DEFAULT_APPROVAL_RULE, 'activity-fund', 1n).ownersProposal).toBe(false);
  });

  test('nothing can be spent from receivables, credit, income or the outside world', () => {
    for (const kind of ['household-receivable', 'household-credit', 'fee-income', 'external', 'expenses'] as const) {
      expect(() => requirementFor(DEFAULT_APPROVAL_RULE, kind, 1n)).toThrow(InvalidInputError);
    }
  });

  test.each<[string, Partial<ApprovalRule>, RegExp]>([
    ['k above n', { committeeApprovalsRequired: 6, committeeSize: 5 }, /committeeApprovalsRequired/],
    ['k of zero', { committeeApprovalsRequired: 0 }, /committeeApprovalsRequired/],
    ['a committee of 26', { committeeSize: 26, committeeApprovalsRequired: 3 }, /committeeSize/],
    ['a negative limit', { managerLimitFen: -1n }, /managerLimitFen/],
    ['expiry of 0 days', { expiresAfterDays: 0 }, /expiresAfterDays/],
    ['expiry over a year', { expiresAfterDays: 366 }, /expiresAfterDays/],
  ])('refuses a rule with %s', (_label, change, message) => {
    expect(() => validateApprovalRule({ ...DEFAULT_APPROVAL_RULE, ...change })).toThrow(message);
  });
});

describe('the spend state machine, on the ledger', () => {
  let book: MoneyBook;
  beforeEach(() => {
    book = new MoneyBook().openCommunityAccounts();
    fund(book, ACCOUNT.operating, 20_000n * YUAN);
  });

  test('a small spend: proposed, approved by another manager, executed as a transfer to expenses', () => {
    const proposed = book.run(spendProposed, proposal('spend-1', ACCOUNT.operating, 1_200n * YUAN));
    expect(proposed.payload).toMatchObject({
      requirement: { approvals: 1, eligibleRoles: ['manager', 'committee'], ownersProposal: false },
      expiresOn: '2026-03-31',
    });
    book.run(spendApproved, { spendId: 'spend-1', approverId: 'manager-2', role: 'manager', approvedOn: '2026-03-02' });
    expect(book.state.spends.get('spend-1')!.status).toBe('approved');
    const executed = book.run(spendExecuted, { spendId: 'spend-1', executedOn: '2026-03-03', ownersProposal: null });
    expect(executed.payload.transfers).toEqual([
      { debitAccountId: ACCOUNT.expenses, creditAccountId: ACCOUNT.operating, amountFen: '120000', code: 'spend' },
    ]);
    expect(book.state.spends.get('spend-1')).toMatchObject({ status: 'executed', closedOn: '2026-03-03' });
    expect(book.replay()).toEqual(book.state);
  });

  test('nobody approves their own proposal', () => {
    book.run(spendProposed, proposal('spend-1', ACCOUNT.operating, 100n));
    expect(() =>
      book.run(spendApproved, {
        spendId: 'spend-1',
        approverId: 'manager-1',
        role: 'manager',
        approvedOn: '2026-03-02',
      }),
    ).toThrow(ApproverNotEligibleError);
  });

  test('a large spend needs three distinct committee members; a manager’s approval does not count', () => {
    book.run(spendProposed, proposal('spend-big', ACCOUNT.operating, 8_000n * YUAN));
    const approve = (approverId: string, role: 'manager' | 'committee') =>
      book.run(spendApproved, { spendId: 'spend-big', approverId, role, approvedOn: '2026-03-05' });
    expect(() => approve('manager-2', 'manager')).toThrow(ApproverNotEligibleError);
    approve('committee-1', 'committee');
    expect(() => approve('committee-1', 'committee')).toThrow(AlreadyApprovedError);
    expect(approve('committee-2', 'committee').payload.status).toBe('proposed');
    expect(() =>
      book.run(spendExecuted, { spendId: 'spend-big', executedOn: '2026-03-06', ownersProposal: null }),
    ).toThrow(InvalidSpendTransitionError);
    expect(approve('committee-3', 'committee').payload.status).toBe('approved');
    book.run(spendExecuted, { spendId: 'spend-big', executedOn: '2026-03-06', ownersProposal: null });
  });

  test('a rejected spend can be neither approved nor executed', () => {
    book.run(spendProposed, proposal('spend-1', ACCOUNT.operating, 100n));
    book.run(spendRejected, {
      spendId: 'spend-1',
      rejectedBy: 'committee-1',
      role: 'committee',
      rejectedOn: '2026-03-02',
    });
    expect(() =>
      book.run(spendApproved, {
        spendId: 'spend-1',
        approverId: 'committee-2',
        role: 'committee',
        approvedOn: '2026-03-02',
      }),
    ).toThrow(InvalidSpendTransitionError);
    expect(() =>
      book.run(spendExecuted, { spendId: 'spend-1', executedOn: '2026-03-03', ownersProposal: null }),
    ).toThrow(/it is rejected/);
    try {
      book.run(spendExecuted, { spendId: 'spend-1', executedOn: '2026-03-03', ownersProposal: null });
    } catch (error) {
      expect((error as InvalidSpendTransitionError).code).toBe('INVALID_TRANSITION');
    }
  });

  test('a spend expires only after its last day, and then cannot be approved or executed', () => {
    book.run(spendProposed, proposal('spend-1', ACCOUNT.operating, 100n));
    expect(() =>
      book.run(spendApproved, {
        spendId: 'spend-1',
        approverId: 'manager-2',
        role: 'manager',
        approvedOn: '2026-04-01',
      }),
    ).toThrow(SpendExpiredError);
    expect(() => book.run(spendExpired, { spendId: 'spend-1', expiredOn: '2026-03-31' })).toThrow(
      InvalidSpendTransitionError,
    );
    book.run(spendExpired, { spendId: 'spend-1', expiredOn: '2026-04-01' });
    expect(book.state.spends.get('spend-1')).toMatchObject({ status: 'expired', closedOn: '2026-04-01' });
    expect(() => book.run(spendExpired, { spendId: 'spend-1', expiredOn: '2026-04-02' })).toThrow(
      InvalidSpendTransitionError,
    );
  });

  test('an approved spend the fund cannot cover is refused at execution and stays approved', () => {
    book.run(spendProposed, proposal('spend-1', ACCOUNT.activityFund, 100n));
    book.run(spendApproved, { spendId: 'spend-1', approverId: 'manager-2', role: 'manager', approvedOn: '2026-03-02' });
    expect(() =>
      book.run(spendExecuted, { spendId: 'spend-1', executedOn: '2026-03-03', ownersProposal: null }),
    ).toThrow(BalanceRuleBrokenError);
    expect(book.state.spends.get('spend-1')!.status).toBe('approved');
    fund(book, ACCOUNT.activityFund, 100n);
    book.run(spendExecuted, { spendId: 'spend-1', executedOn: '2026-03-04', ownersProposal: null });
  });

  describe('from the maintenance fund (owners’ proposal fixture until governance lands)', () => {
    const passed: OwnersProposalFact = {
      proposalId: 'proposal-roof',
      passed: true,
      authorisedAmountFen: 50_000n * YUAN,
    };

    beforeEach(() => {
      fund(book, ACCOUNT.maintenanceFund, 100_000n * YUAN);
    });

    function approvedRoofSpend(amountFen: bigint): void {
      book.run(spendProposed, proposal('spend-roof', ACCOUNT.maintenanceFund, amountFen, 'proposal-roof'));
      for (const member of ['committee-1', 'committee-2', 'committee-3']) {
        book.run(spendApproved, {
          spendId: 'spend-roof',
          approverId: member,
          role: 'committee',
          approvedOn: '2026-03-02',
        });
      }
    }

    test('refuses a proposal that names no owners’ proposal', () => {
      expect(() => book.run(spendProposed, proposal('spend-roof', ACCOUNT.maintenanceFund, 100n))).toThrow(
        /ownersProposalId/,
      );
    });

    test('executes with a passed proposal that authorises the amount', () => {
      approvedRoofSpend(40_000n * YUAN);
      book.run(spendExecuted, { spendId: 'spend-roof', executedOn: '2026-03-03', ownersProposal: passed });
      expect(book.state.spends.get('spend-roof')!.status).toBe('executed');
    });

    test.each<[string, OwnersProposalFact | null]>([
      ['no proposal fact', null],
      ['a proposal that did not pass', { ...passed, passed: false }],
      ['another proposal', { ...passed, proposalId: 'proposal-lift' }],
      ['a proposal for less', { ...passed, authorisedAmountFen: 39_999n * YUAN }],
    ])('refuses to execute with %s', (_label, fact) => {
      approvedRoofSpend(40_000n * YUAN);
      expect(() =>
        book.run(spendExecuted, { spendId: 'spend-roof', executedOn: '2026-03-03', ownersProposal: fact }),
      ).toThrow(OwnersProposalRequiredError);
    });

    test('refuses an approval rule that drops the proposal requirement for the maintenance fund', () => {
      expect(() =>
        book.run(approvalRuleSet, {
          accountId: ACCOUNT.maintenanceFund,
          ...DEFAULT_APPROVAL_RULE,
          ownersProposalRequired: false,
          setOn: '2026-03-01',
        }),
      ).toThrow(/ownersProposalRequired/);
    });
  });

  test('an account’s own rule applies to spends proposed after it is set', () => {
    book.run(approvalRuleSet, {
      accountId: ACCOUNT.operating,
      ...DEFAULT_APPROVAL_RULE,
      managerLimitFen: 100n * YUAN,
      committeeApprovalsRequired: 2,
      setOn: '2026-02-01',
    });
    const entry = book.run(spendProposed, proposal('spend-1', ACCOUNT.operating, 101n * YUAN));
    expect(entry.payload.requirement).toEqual({ approvals: 2, eligibleRoles: ['committee'], ownersProposal: false });
    expect(() =>
      book.run(approvalRuleSet, { accountId: ACCOUNT.feeIncome, ...DEFAULT_APPROVAL_RULE, setOn: '2026-02-01' }),
    ).toThrow(/cannot be spent from/);
  });
});
