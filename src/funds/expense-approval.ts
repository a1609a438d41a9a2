/**
 * The life of a spend, as a pure state machine:
 *
 *   proposed ──approve (requirement met)──▶ approved ──execute──▶ executed
 *      │  └─approve (not yet met)─┐            │
 *      │            ◀─────────────┘            └──expire (after expiresOn)──▶ expired
 *      ├──reject──▶ rejected
 *      └──expire (after expiresOn)──▶ expired
 *
 * rejected, expired and executed are final. Every transition is a ledger entry; an
 * invalid one is refused with a typed error and changes nothing. The maintenance fund's
 * owners' proposal is checked at execution against a fact supplied by governance (a
 * fixture until the governance issue lands).
 */
import { ConflictError, DomainError, ForbiddenError, InvalidInputError } from '../domain-error.ts';
import { compareCivilDates, type CivilDate } from './civil-dates.ts';
import type { ApproverRole, SpendRequirement } from './approval-rules.ts';

export type SpendStatus = 'proposed' | 'approved' | 'rejected' | 'expired' | 'executed';

export interface SpendApproval {
  approverId: string;
  role: ApproverRole;
  approvedOn: CivilDate;
}

/** What a proposer submits. */
export interface SpendProposal {
  spendId: string;
  accountId: string;
  amountFen: bigint;
  /** Who is paid, as an id of the payee registry; never a name. */
  payeeId: string;
  /** SHA-256 of the purpose text and of the receipt, both kept off the ledger. */
  purposeHash: string;
  receiptHash: string;
  ownersProposalId: string | null;
  proposedBy: string;
  proposedOn: CivilDate;
}

/** A proposed spend and where it stands. */
export interface Spend extends SpendProposal {
  /** The last day on which the spend may still be approved or executed. */
  expiresOn: CivilDate;
  requirement: SpendRequirement;
  approvals: readonly SpendApproval[];
  status: SpendStatus;
  /** When it was rejected, expired or executed, and by whom for a rejection. */
  closedOn: CivilDate | null;
  rejectedBy: string | null;
}

/** What governance says of an owners' proposal. */
export interface OwnersProposalFact {
  proposalId: string;
  passed: boolean;
  /** The most the proposal allows to be spent. */
  authorisedAmountFen: bigint;
}

export class InvalidSpendTransitionError extends DomainError {
  constructor(spendId: string, status: SpendStatus, action: string) {
    super('INVALID_TRANSITION', `Failed to ${action} spend ${spendId}: it is ${status}`);
  }
}

export class SpendExpiredError extends DomainError {
  constructor(spendId: string, action: string) {
    super('SPEND_EXPIRED', `Failed to ${action} spend ${spendId}: it expired`);
  }
}

export class ApproverNotEligibleError extends ForbiddenError {
  constructor(spendId: string, reason: string) {
    super(`Failed to act on spend ${spendId}: ${reason}`);
  }
}

export class AlreadyApprovedError extends ConflictError {
  constructor(spendId: string, approverId: string) {
    super(`Failed to approve spend ${spendId}: ${approverId} approved it already`);
  }
}

export class OwnersProposalRequiredError extends DomainError {
  constructor(spendId: string, reason: string) {
    super('OWNERS_PROPOSAL_REQUIRED', `Failed to execute spend ${spendId}: ${reason}`);
  }
}

export function proposeSpend(proposal: SpendProposal, requirement: SpendRequirement, expiresOn: CivilDate): Spend {
  if (compareCivilDates(expiresOn, proposal.proposedOn) <= 0)
    throw new InvalidInputError('expiresOn', 'must follow the proposal date');
  if (requirement.ownersProposal && proposal.ownersProposalId === null) {
    throw new InvalidInputError('ownersProposalId', 'is required: this spend needs a passed owners’ proposal');
  }
  return {
    ...proposal,
    expiresOn,
    requirement,
    approvals: [],
    status: 'proposed',
    closedOn: null,
    rejectedBy: null,
  };
}

function assertOpenOn(spend: Spend, on: CivilDate, action: string, allowed: readonly SpendStatus[]): void {
  if (!allowed.includes(spend.status)) throw new InvalidSpendTransitionError(spend.spendId, spend.status, action);
  if (compareCivilDates(on, spend.proposedOn) < 0)
    throw new InvalidInputError('date', `must not precede the proposal date of spend ${spend.spendId}`);
  if (compareCivilDates(on, spend.expiresOn) > 0) throw new SpendExpiredError(spend.spendId, action);
}

function assertEligible(spend: Spend, actorId: string, role: ApproverRole): void {
  if (actorId === spend.proposedBy)
    throw new ApproverNotEligibleError(spend.spendId, 'nobody may approve or reject their own proposal');
  if (!spend.requirement.eligibleRoles.includes(role)) {
    throw new ApproverNotEligibleError(spend.spendId, `a ${role} may not approve a spend of this size`);
  }
}

export function approveSpend(spend: Spend, approval: SpendApproval): Spend {
  assertOpenOn(spend, approval.approvedOn, 'approve', ['proposed']);
  assertEligible(spend, approval.approverId, approval.role);
  if (spend.approvals.some((existing) => existing.approverId === approval.approverId)) {
    throw new AlreadyApprovedError(spend.spendId, approval.approverId);
  }
  const approvals = [...spend.approvals, approval];
  return { ...spend, approvals, status: approvals.length >= spend.requirement.approvals ? 'approved' : 'proposed' };
}

export function rejectSpend(spend: Spend, rejecterId: string, role: ApproverRole, on: CivilDate): Spend {
  assertOpenOn(spend, on, 'reject', ['proposed']);
  assertEligible(spend, rejecterId, role);
  return { ...spend, status: 'rejected', closedOn: on, rejectedBy: rejecterId };
}

export function expireSpend(spend: Spend, on: CivilDate): Spend {
  if (spend.status !== 'proposed' && spend.status !== 'approved') {
    throw new InvalidSpendTransitionError(spend.spendId, spend.status, 'expire');
  }
  if (compareCivilDates(on, spend.expiresOn) <= 0) {
    throw new InvalidSpendTransitionError(spend.spendId, spend.status, `expire before ${spend.expiresOn} has passed`);
  }
  return { ...spend, status: 'expired', closedOn: on };
}

export function assertOwnersProposal(spend: Spend, fact: OwnersProposalFact | null): void {
  if (!spend.requirement.ownersProposal) return;
  if (fact === null || fact.proposalId !== spend.ownersProposalId) {
    throw new OwnersProposalRequiredError(spend.spendId, 'the owners’ proposal it names was not supplied');
  }
  if (!fact.passed)
    throw new OwnersProposalRequiredError(spend.spendId, `owners’ proposal ${fact.proposalId} did not pass`);
  if (fact.authorisedAmountFen < spend.amountFen) {
    throw new OwnersProposalRequiredError(
      spend.spendId,
      `owners’ proposal ${fact.proposalId} authorises less than the amount`,
    );
  }
}

/** The spend marked executed; the transfer itself is posted by the caller in the same entry. */
export function executeSpend(spend: Spend, on: CivilDate, ownersProposal: OwnersProposalFact | null): Spend {
  assertOpenOn(spend, on, 'execute', ['approved']);
  assertOwnersProposal(spend, ownersProposal);
  return { ...spend, status: 'executed', closedOn: on };
}
