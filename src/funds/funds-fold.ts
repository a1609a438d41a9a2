/**
 * The funds entries as one fold (fold.ts). The fees fold (src/fees/money-fold.ts) includes
 * these kinds too, since fee entries post transfers into the same accounts.
 */
import type { AnyEntryKind } from './entry-kinds.ts';
import { createFold } from './fold.ts';
import { accountOpened, approvalRuleSet, transfersPosted } from './funds-ledger-entries.ts';
import type { FundsState } from './funds-state.ts';
import { spendApproved, spendExecuted, spendExpired, spendProposed, spendRejected } from './spend-ledger-entries.ts';

export const FUNDS_ENTRY_KINDS: ReadonlyArray<AnyEntryKind<FundsState>> = [
  accountOpened,
  transfersPosted,
  approvalRuleSet,
  spendProposed,
  spendApproved,
  spendRejected,
  spendExpired,
  spendExecuted,
];

export const fundsFold = createFold(FUNDS_ENTRY_KINDS);
