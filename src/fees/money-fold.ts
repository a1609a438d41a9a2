/**
 * The money fold: every funds and fees entry kind over the one money state. The live path
 * calls `decideEntry(kind, state, inputs)` (src/funds/entry-kinds.ts) for a command and
 * upserts the changes; `ledger:replay` calls `moneyFold.replay(entries, emptyMoneyState(c))`
 * over the community's money entries and compares the result with the live tables.
 */
import type { AnyEntryKind } from '../funds/entry-kinds.ts';
import { createFold } from '../funds/fold.ts';
import { FUNDS_ENTRY_KINDS } from '../funds/funds-fold.ts';
import { lateFeePosted, reminderQueued } from './collection-ledger-entries.ts';
import type { MoneyState } from './fees-state.ts';
import { householdAccountsOpened } from './household-accounts-ledger-entries.ts';
import { invoiceCorrected, invoiceIssued } from './invoice-ledger-entries.ts';
import { paymentRecorded, paymentRefunded } from './payment-ledger-entries.ts';
import { scheduleVersioned } from './schedule-ledger-entries.ts';

export const FEES_ENTRY_KINDS: ReadonlyArray<AnyEntryKind<MoneyState>> = [
  scheduleVersioned,
  householdAccountsOpened,
  invoiceIssued,
  invoiceCorrected,
  paymentRecorded,
  paymentRefunded,
  lateFeePosted,
  reminderQueued,
];

export const MONEY_ENTRY_KINDS: ReadonlyArray<AnyEntryKind<MoneyState>> = [...FUNDS_ENTRY_KINDS, ...FEES_ENTRY_KINDS];

export const moneyFold = createFold(MONEY_ENTRY_KINDS);
