/**
 * The funds commands on a unit of work (projection-unit.ts): open an account, post a batch
 * of linked transfers under an idempotency key, and move a spend through its approvals.
 * Each command decides one entry with the same rule the replay runs (funds-fold.ts).
 */
import { accountKey, type AccountKind } from './account-kinds.ts';
import type { CivilDate } from './civil-dates.ts';
import type { EntryKind } from './entry-kinds.ts';
import type { OwnersProposalFact } from './expense-approval.ts';
import { accountOpened, approvalRuleSet, transfersPosted } from './funds-ledger-entries.ts';
import type { FundsState } from './funds-state.ts';
import { requestFingerprint, resolveIdempotentRequest } from './idempotency.ts';
import type { ProjectionUnit } from './projection-unit.ts';
import { spendApproved, spendExecuted, spendExpired, spendProposed, spendRejected } from './spend-ledger-entries.ts';
import type { ManualTransferCode } from './transfer-codes.ts';
import type { ApproverRole } from './approval-rules.ts';

/** A unit over any state that includes the funds tables. */
export type FundsUnit = ProjectionUnit<FundsState & object>;

function kindOf<I, D>(kind: EntryKind<FundsState, I, D>): EntryKind<any, I, D> {
  return kind;
}

/** The account of this kind and owner, opened now if the community has none yet. */
export async function ensureAccount(
  unit: ProjectionUnit<any>,
  kind: AccountKind,
  ownerId: string | null,
  openedOn: CivilDate,
  actor: string,
): Promise<string> {
  const key = accountKey(kind, ownerId);
  await unit.load('accountIdsByKey', [key]);
  const existing = unit.row('accountIdsByKey', key) as string | undefined;
  if (existing !== undefined) return existing;
  const accountId = unit.freshId();
  await unit.execute(kindOf(accountOpened), { accountId, kind, ownerId, openedOn }, actor);
  return accountId;
}

export interface TransferOrderInput {
  debitAccountId: string;
  creditAccountId: string;
  amountFen: bigint;
  code: ManualTransferCode;
}

export interface TransferBatchResult {
  batchId: string;
  /** True when the key was seen before with the same body: the original result, nothing written. */
  replayed: boolean;
}

/**
 * Posts linked transfers: all or none. The same key with the same body answers the
 * original batch; with another body, CONFLICT (idempotency.ts).
 */
export async function postTransferBatch(
  unit: ProjectionUnit<any>,
  input: { idempotencyKey: string; transfers: readonly TransferOrderInput[]; postedOn: CivilDate; actor: string },
): Promise<TransferBatchResult> {
  const requestHash = requestFingerprint('postTransfers', {
    transfers: input.transfers.map((order) => ({ ...order })),
  });
  await unit.load('idempotency', [input.idempotencyKey]);
  const outcome = resolveIdempotentRequest(
    unit.row('idempotency', input.idempotencyKey) as never,
    input.idempotencyKey,
    requestHash,
  );
  if (outcome.kind === 'replayed') return { batchId: outcome.resultId, replayed: true };
  const batchId = unit.freshId();
  await unit.execute(
    kindOf(transfersPosted),
    {
      batchId,
      idempotencyKey: input.idempotencyKey,
      requestHash,
      postedOn: input.postedOn,
      transfers: input.transfers.map((order) => ({ ...order })),
    },
    input.actor,
  );
  return { batchId, replayed: false };
}

export interface ApprovalRuleInput {
  accountId: string;
  managerLimitFen: bigint;
  committeeApprovalsRequired: number;
  committeeSize: number;
  ownersProposalRequired: boolean;
  expiresAfterDays: number;
}

export async function setApprovalRule(
  unit: ProjectionUnit<any>,
  rule: ApprovalRuleInput,
  setOn: CivilDate,
  actor: string,
) {
  await unit.execute(kindOf(approvalRuleSet), { ...rule, setOn }, actor);
}

export interface SpendProposalInput {
  accountId: string;
  amountFen: bigint;
  payeeId: string;
  purposeHash: string;
  receiptHash: string;
  ownersProposalId: string | null;
}

export async function proposeSpendCommand(
  unit: ProjectionUnit<any>,
  input: SpendProposalInput,
  proposedBy: string,
  proposedOn: CivilDate,
): Promise<string> {
  const spendId = unit.freshId();
  await unit.execute(kindOf(spendProposed), { spendId, ...input, proposedBy, proposedOn }, proposedBy);
  return spendId;
}

export async function approveSpendCommand(
  unit: ProjectionUnit<any>,
  spendId: string,
  approverId: string,
  role: ApproverRole,
  approvedOn: CivilDate,
) {
  await unit.execute(kindOf(spendApproved), { spendId, approverId, role, approvedOn }, approverId);
}

export async function rejectSpendCommand(
  unit: ProjectionUnit<any>,
  spendId: string,
  rejectedBy: string,
  role: ApproverRole,
  rejectedOn: CivilDate,
) {
  await unit.execute(kindOf(spendRejected), { spendId, rejectedBy, role, rejectedOn }, rejectedBy);
}

export async function expireSpendCommand(unit: ProjectionUnit<any>, spendId: string, expiredOn: CivilDate) {
  await unit.execute(kindOf(spendExpired), { spendId, expiredOn }, 'system');
}

export async function executeSpendCommand(
  unit: ProjectionUnit<any>,
  spendId: string,
  executedOn: CivilDate,
  ownersProposal: OwnersProposalFact | null,
  actor: string,
) {
  await unit.execute(kindOf(spendExecuted), { spendId, executedOn, ownersProposal }, actor);
}
