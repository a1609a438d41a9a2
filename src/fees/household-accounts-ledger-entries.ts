/**
 * Opening many households' accounts in one entry:
 *
 * | type                             | inputs                                                          | derived |
 * | -------------------------------- | --------------------------------------------------------------- | ------- |
 * | fees.household-accounts-opened   | openedOn, households[] (householdId, receivableAccountId, creditAccountId) | — |
 *
 * The same effect as two `funds.account-opened` entries per household (a receivable and a
 * credit account), but one entry for up to MAX_HOUSEHOLDS_PER_OPENING households: an
 * invoice run for a community's first period then appends about one entry per household
 * instead of three, which is most of what the run costs the ledger (docs/money.md).
 */
import { z } from 'zod';
import { keyOfAccount, newAccount, type Account } from '../funds/accounts.ts';
import { defineEntryKind } from '../funds/entry-kinds.ts';
import { DuplicateRecordError } from '../funds/funds-errors.ts';
import { civilDateField, idField } from '../funds/payload-fields.ts';
import { InvalidInputError } from '../domain-error.ts';
import type { MoneyState } from './fees-state.ts';

/** Households per entry: three ids each keep the entry well under the ledger's 16 KiB. */
export const MAX_HOUSEHOLDS_PER_OPENING = 80;

const householdAccountsOpenedInputs = {
  openedOn: civilDateField,
  households: z
    .array(z.strictObject({ householdId: idField, receivableAccountId: idField, creditAccountId: idField }))
    .min(1)
    .max(MAX_HOUSEHOLDS_PER_OPENING),
};

const noDerivedFields = {};

export const householdAccountsOpened = defineEntryKind<
  MoneyState,
  typeof householdAccountsOpenedInputs,
  typeof noDerivedFields
>({
  type: 'fees.household-accounts-opened',
  inputs: householdAccountsOpenedInputs,
  derived: noDerivedFields,
  run(overlay, inputs) {
    const open = (account: Account) => {
      if (overlay.read('accounts', account.accountId)) throw new DuplicateRecordError(`Account ${account.accountId}`);
      if (overlay.read('accountIdsByKey', keyOfAccount(account)))
        throw new DuplicateRecordError(`A ${account.kind} account for this owner`);
      overlay.write('accounts', account.accountId, account);
      overlay.write('accountIdsByKey', keyOfAccount(account), account.accountId);
    };
    const communityId = overlay.base.communityId;
    for (const household of inputs.households) {
      if (household.receivableAccountId === household.creditAccountId)
        throw new InvalidInputError('households', 'a household needs two distinct accounts');
      open(newAccount(communityId, household.receivableAccountId, 'household-receivable', household.householdId));
      open(newAccount(communityId, household.creditAccountId, 'household-credit', household.householdId));
    }
    return {};
  },
});
