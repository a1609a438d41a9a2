/**
 * The funds domain's ledger entries: payload types (zod schemas) and the rules that
 * evolve the funds state, for the live path and `ledger:replay` alike (entry-kinds.ts).
 *
 * | type                     | inputs                                                                                     | derived |
 * | ------------------------ | ------------------------------------------------------------------------------------------ | ------- |
 * | funds.account-opened     | accountId, kind, ownerId, openedOn                                                         | —       |
 * | funds.transfers-posted   | batchId, idempotencyKey, requestHash, postedOn, transfers[]                                | —       |
 * | funds.approval-rule-set  | accountId, managerLimitFen, committeeApprovalsRequired, committeeSize, ownersProposalRequired, expiresAfterDays, setOn | — |
 * | funds.spend-*            | see spend-ledger-entries.ts                                                                | …       |
 *
 * Payloads carry ids, amounts (decimal strings of fen) and civil dates — no personal data.
 */
import { z } from 'zod';
import { ACCOUNT_KIND_NAMES, rulesOfKind, type AccountKind } from './account-kinds.ts';
import { requireAccount } from './account-lookup.ts';
import { keyOfAccount, newAccount } from './accounts.ts';
import { MAX_COMMITTEE_SIZE, MAX_SPEND_EXPIRY_DAYS, validateApprovalRule } from './approval-rules.ts';
import { defineEntryKind } from './entry-kinds.ts';
import { DuplicateRecordError, IdempotencyConflictError } from './funds-errors.ts';
import type { FundsState } from './funds-state.ts';
import {
  boundedInt,
  civilDateField,
  fenField,
  idempotencyKeyField,
  idField,
  sha256HexField,
} from './payload-fields.ts';
import { manualTransferOrdersField } from './transfer-fields.ts';
import { postTransfers, sourceIdOf } from './transfers.ts';
import { InvalidInputError } from '../domain-error.ts';

const noDerivedFields = {};

const accountOpenedInputs = {
  accountId: idField,
  kind: z.enum(ACCOUNT_KIND_NAMES as [AccountKind, ...AccountKind[]]),
  ownerId: idField.nullable(),
  openedOn: civilDateField,
};

export const accountOpened = defineEntryKind<FundsState, typeof accountOpenedInputs, typeof noDerivedFields>({
  type: 'funds.account-opened',
  inputs: accountOpenedInputs,
  derived: noDerivedFields,
  run(overlay, inputs) {
    const account = newAccount(overlay.base.communityId, inputs.accountId, inputs.kind, inputs.ownerId);
    if (overlay.read('accounts', account.accountId)) throw new DuplicateRecordError(`Account ${account.accountId}`);
    if (overlay.read('accountIdsByKey', keyOfAccount(account)))
      throw new DuplicateRecordError(`A ${account.kind} account for this owner`);
    overlay.write('accounts', account.accountId, account);
    overlay.write('accountIdsByKey', keyOfAccount(account), account.accountId);
    return {};
  },
});

const transfersPostedInputs = {
  batchId: idField,
  idempotencyKey: idempotencyKeyField,
  requestHash: sha256HexField,
  postedOn: civilDateField,
  transfers: manualTransferOrdersField,
};

export const transfersPosted = defineEntryKind<FundsState, typeof transfersPostedInputs, typeof noDerivedFields>({
  type: 'funds.transfers-posted',
  inputs: transfersPostedInputs,
  derived: noDerivedFields,
  run(overlay, inputs) {
    const { idempotencyKey, requestHash, batchId } = inputs;
    // The live path answers a repeated key before deciding (idempotency.ts); an entry that
    // repeats one anyway is refused, so a key never has two results.
    if (overlay.read('idempotency', idempotencyKey)) throw new IdempotencyConflictError(idempotencyKey);
    postTransfers(overlay, sourceIdOf('batch', batchId), inputs.postedOn, inputs.transfers);
    overlay.write('idempotency', idempotencyKey, { idempotencyKey, requestHash, resultId: batchId });
    return {};
  },
});

const approvalRuleSetInputs = {
  accountId: idField,
  managerLimitFen: fenField,
  committeeApprovalsRequired: boundedInt(1, MAX_COMMITTEE_SIZE),
  committeeSize: boundedInt(1, MAX_COMMITTEE_SIZE),
  ownersProposalRequired: z.boolean(),
  expiresAfterDays: boundedInt(1, MAX_SPEND_EXPIRY_DAYS),
  setOn: civilDateField,
};

export const approvalRuleSet = defineEntryKind<FundsState, typeof approvalRuleSetInputs, typeof noDerivedFields>({
  type: 'funds.approval-rule-set',
  inputs: approvalRuleSetInputs,
  derived: noDerivedFields,
  run(overlay, { accountId, setOn: _setOn, ...rule }) {
    const account = requireAccount(overlay, accountId);
    if (!rulesOfKind(account.kind).spendable)
      throw new InvalidInputError('accountId', `a ${account.kind} account cannot be spent from`);
    if (account.kind === 'maintenance-fund' && !rule.ownersProposalRequired) {
      throw new InvalidInputError('ownersProposalRequired', 'must be true for the maintenance fund');
    }
    validateApprovalRule(rule);
    overlay.write('approvalRules', accountId, rule);
    return {};
  },
});
