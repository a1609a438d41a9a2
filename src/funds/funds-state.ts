/**
 * The funds projection as tables: what `ledger:replay` rebuilds from the ledger and the
 * live path keeps in database tables. Each map is one table keyed by its primary key.
 */
import type { Account } from './accounts.ts';
import type { ApprovalRule } from './approval-rules.ts';
import type { CivilDate } from './civil-dates.ts';
import type { Spend } from './expense-approval.ts';
import type { TransferCode } from './transfer-codes.ts';

export interface TransferRecord {
  /** `<sourceId>#<index>`: the record that posted it (`batch:…`, `invoice:…`, …) and its place in the entry. */
  transferId: string;
  sourceId: string;
  debitAccountId: string;
  creditAccountId: string;
  amountFen: bigint;
  code: TransferCode;
  postedOn: CivilDate;
}

export interface IdempotencyRecord {
  idempotencyKey: string;
  /** The request fingerprint (idempotency.ts) of the first request with this key. */
  requestHash: string;
  /** What that request created: a transfer batch id or a payment id. */
  resultId: string;
}

export interface FundsState {
  communityId: string;
  accounts: ReadonlyMap<string, Account>;
  /** accountKey(kind, owner) → accountId. */
  accountIdsByKey: ReadonlyMap<string, string>;
  transfers: ReadonlyMap<string, TransferRecord>;
  idempotency: ReadonlyMap<string, IdempotencyRecord>;
  /** accountId → its approval rule; accounts without one use DEFAULT_APPROVAL_RULE. */
  approvalRules: ReadonlyMap<string, ApprovalRule>;
  spends: ReadonlyMap<string, Spend>;
}

export function emptyFundsState(communityId: string): FundsState {
  return {
    communityId,
    accounts: new Map(),
    accountIdsByKey: new Map(),
    transfers: new Map(),
    idempotency: new Map(),
    approvalRules: new Map(),
    spends: new Map(),
  };
}
