/**
 * Ledger entries of the expense-approval state machine (expense-approval.ts):
 *
 * | type                  | inputs                                                                                   | derived                 |
 * | --------------------- | ---------------------------------------------------------------------------------------- | ----------------------- |
 * | funds.spend-proposed  | spendId, accountId, amountFen, payeeId, purposeHash, receiptHash, ownersProposalId, proposedBy, proposedOn | requirement, expiresOn |
 * | funds.spend-approved  | spendId, approverId, role, approvedOn                                                    | status                  |
 * | funds.spend-rejected  | spendId, rejectedBy, role, rejectedOn                                                    | —                       |
 * | funds.spend-expired   | spendId, expiredOn                                                                       | —                       |
 * | funds.spend-executed  | spendId, executedOn, ownersProposal (id, passed, authorisedAmountFen, or null)           | transfers               |
 *
 * Executing posts one transfer: debit `expenses`, credit the spend's account, under the
 * account's balance rule — a fund cannot pay out what it does not hold.
 */
import { z } from 'zod';
import { NotFoundError } from '../domain-error.ts';
import { accountIdOf, requireAccount } from './account-lookup.ts';
import { DEFAULT_APPROVAL_RULE, requirementFor } from './approval-rules.ts';
import { addDays } from './civil-dates.ts';
import { defineEntryKind } from './entry-kinds.ts';
import { approveSpend, executeSpend, expireSpend, proposeSpend, rejectSpend, type Spend } from './expense-approval.ts';
import { DuplicateRecordError } from './funds-errors.ts';
import type { FundsState } from './funds-state.ts';
import { civilDateField, fenField, idField, positiveFenField, sha256HexField } from './payload-fields.ts';
import type { StateOverlay } from './state-overlay.ts';
import { derivedTransfersField } from './transfer-fields.ts';
import { postTransfers, sourceIdOf, type TransferOrder } from './transfers.ts';

const roleField = z.enum(['manager', 'committee']);
const noDerivedFields = {};

function requireSpend(state: StateOverlay<FundsState>, spendId: string): Spend {
  const spend = state.read('spends', spendId);
  if (!spend) throw new NotFoundError(`Spend ${spendId}`);
  return spend;
}

const spendProposedInputs = {
  spendId: idField,
  accountId: idField,
  amountFen: positiveFenField,
  payeeId: idField,
  purposeHash: sha256HexField,
  receiptHash: sha256HexField,
  ownersProposalId: idField.nullable(),
  proposedBy: idField,
  proposedOn: civilDateField,
};

const spendProposedDerived = {
  requirement: z.strictObject({
    approvals: z.number().int().min(1),
    eligibleRoles: z.array(roleField).min(1).max(2),
    ownersProposal: z.boolean(),
  }),
  expiresOn: civilDateField,
};

export const spendProposed = defineEntryKind<FundsState, typeof spendProposedInputs, typeof spendProposedDerived>({
  type: 'funds.spend-proposed',
  inputs: spendProposedInputs,
  derived: spendProposedDerived,
  run(overlay, inputs) {
    if (overlay.read('spends', inputs.spendId)) throw new DuplicateRecordError(`Spend ${inputs.spendId}`);
    const account = requireAccount(overlay, inputs.accountId);
    const rule = overlay.read('approvalRules', account.accountId) ?? DEFAULT_APPROVAL_RULE;
    const requirement = requirementFor(rule, account.kind, inputs.amountFen);
    const spend = proposeSpend(inputs, requirement, addDays(inputs.proposedOn, rule.expiresAfterDays));
    overlay.write('spends', spend.spendId, spend);
    return {
      requirement: { ...requirement, eligibleRoles: [...requirement.eligibleRoles] },
      expiresOn: spend.expiresOn,
    };
  },
});

const spendApprovedInputs = { spendId: idField, approverId: idField, role: roleField, approvedOn: civilDateField };
const spendApprovedDerived = { status: z.enum(['proposed', 'approved']) };

export const spendApproved = defineEntryKind<FundsState, typeof spendApprovedInputs, typeof spendApprovedDerived>({
  type: 'funds.spend-approved',
  inputs: spendApprovedInputs,
  derived: spendApprovedDerived,
  run(overlay, { spendId, ...approval }) {
    const spend = approveSpend(requireSpend(overlay, spendId), approval);
    overlay.write('spends', spendId, spend);
    return { status: spend.status as 'proposed' | 'approved' };
  },
});

const spendRejectedInputs = { spendId: idField, rejectedBy: idField, role: roleField, rejectedOn: civilDateField };

export const spendRejected = defineEntryKind<FundsState, typeof spendRejectedInputs, typeof noDerivedFields>({
  type: 'funds.spend-rejected',
  inputs: spendRejectedInputs,
  derived: noDerivedFields,
  run(overlay, inputs) {
    const spend = rejectSpend(requireSpend(overlay, inputs.spendId), inputs.rejectedBy, inputs.role, inputs.rejectedOn);
    overlay.write('spends', spend.spendId, spend);
    return {};
  },
});

const spendExpiredInputs = { spendId: idField, expiredOn: civilDateField };

export const spendExpired = defineEntryKind<FundsState, typeof spendExpiredInputs, typeof noDerivedFields>({
  type: 'funds.spend-expired',
  inputs: spendExpiredInputs,
  derived: noDerivedFields,
  run(overlay, inputs) {
    overlay.write('spends', inputs.spendId, expireSpend(requireSpend(overlay, inputs.spendId), inputs.expiredOn));
    return {};
  },
});

const spendExecutedInputs = {
  spendId: idField,
  executedOn: civilDateField,
  ownersProposal: z
    .strictObject({ proposalId: idField, passed: z.boolean(), authorisedAmountFen: fenField })
    .nullable(),
};
const spendExecutedDerived = { transfers: derivedTransfersField };

function spendTransfer(state: StateOverlay<FundsState>, spend: Spend): TransferOrder[] {
  const expensesAccountId = accountIdOf(state, 'expenses', null);
  return [
    { debitAccountId: expensesAccountId, creditAccountId: spend.accountId, amountFen: spend.amountFen, code: 'spend' },
  ];
}

export const spendExecuted = defineEntryKind<FundsState, typeof spendExecutedInputs, typeof spendExecutedDerived>({
  type: 'funds.spend-executed',
  inputs: spendExecutedInputs,
  derived: spendExecutedDerived,
  run(overlay, inputs) {
    const spend = executeSpend(requireSpend(overlay, inputs.spendId), inputs.executedOn, inputs.ownersProposal);
    const transfers = spendTransfer(overlay, spend);
    overlay.write('spends', spend.spendId, spend);
    postTransfers(overlay, sourceIdOf('spend', spend.spendId), inputs.executedOn, transfers);
    return { transfers };
  },
});
