/**
 * What a spend from a community account needs before it may execute (DESIGN.md §3,
 * "Expense approval"). Each spendable account has one rule; the requirement of a spend is
 * fixed when it is proposed, so a rule changed later does not move the goalposts of a
 * spend already under way.
 *
 * - Up to `managerLimitFen` (inclusive): one approval by a manager or a committee member.
 * - Above it: `committeeApprovalsRequired` approvals by distinct committee members (k of n).
 * - From the maintenance fund (专项维修资金), whatever the amount, and from any account
 *   whose rule says so: also a passed owners' proposal.
 * Nobody approves their own proposal (the four-eyes rule of Buildium's and Vantaca's
 * approval workflows).
 */
import { InvalidInputError } from '../domain-error.ts';
import { rulesOfKind, type AccountKind } from './account-kinds.ts';
import { MAX_AMOUNT_FEN } from './fen.ts';

export type ApproverRole = 'manager' | 'committee';

export interface ApprovalRule {
  managerLimitFen: bigint;
  committeeApprovalsRequired: number;
  committeeSize: number;
  ownersProposalRequired: boolean;
  /** A spend not executed within this many days of its proposal expires. */
  expiresAfterDays: number;
}

export interface SpendRequirement {
  approvals: number;
  eligibleRoles: readonly ApproverRole[];
  ownersProposal: boolean;
}

export const MAX_COMMITTEE_SIZE = 25;
export const MAX_SPEND_EXPIRY_DAYS = 365;

/** The rule an account has until someone sets one: 5,000 yuan for one approval, then 3 of 5 committee members, 30 days. */
export const DEFAULT_APPROVAL_RULE: ApprovalRule = {
  managerLimitFen: 500_000n,
  committeeApprovalsRequired: 3,
  committeeSize: 5,
  ownersProposalRequired: false,
  expiresAfterDays: 30,
};

export function validateApprovalRule(rule: ApprovalRule): void {
  if (rule.managerLimitFen < 0n || rule.managerLimitFen > MAX_AMOUNT_FEN) {
    throw new InvalidInputError('managerLimitFen', `must lie between 0 and ${MAX_AMOUNT_FEN} fen`);
  }
  if (!Number.isInteger(rule.committeeSize) || rule.committeeSize < 1 || rule.committeeSize > MAX_COMMITTEE_SIZE) {
    throw new InvalidInputError('committeeSize', `must be 1 to ${MAX_COMMITTEE_SIZE}`);
  }
  const k = rule.committeeApprovalsRequired;
  if (!Number.isInteger(k) || k < 1 || k > rule.committeeSize) {
    throw new InvalidInputError('committeeApprovalsRequired', 'must be at least 1 and at most the committee size');
  }
  if (
    !Number.isInteger(rule.expiresAfterDays) ||
    rule.expiresAfterDays < 1 ||
    rule.expiresAfterDays > MAX_SPEND_EXPIRY_DAYS
  ) {
    throw new InvalidInputError('expiresAfterDays', `must be 1 to ${MAX_SPEND_EXPIRY_DAYS}`);
  }
}

export function requirementFor(rule: ApprovalRule, accountKind: AccountKind, amountFen: bigint): SpendRequirement {
  if (!rulesOfKind(accountKind).spendable)
    throw new InvalidInputError('accountId', `a ${accountKind} account cannot be spent from`);
  const ownersProposal = rule.ownersProposalRequired || accountKind === 'maintenance-fund';
  if (amountFen <= rule.managerLimitFen)
    return { approvals: 1, eligibleRoles: ['manager', 'committee'], ownersProposal };
  return { approvals: rule.committeeApprovalsRequired, eligibleRoles: ['committee'], ownersProposal };
}
