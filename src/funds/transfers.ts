/**
 * Double-entry transfers. A transfer debits one account and credits another by the same
 * positive amount of fen, so the sum of all debits always equals the sum of all credits.
 * Transfers travel in batches: the transfers of one ledger entry are *linked* — applied in
 * order, each seeing the effect of the ones before it, and all posted or none (as
 * TigerBeetle's `flags.linked` chains). The first transfer that breaks a rule names
 * itself by index in the error, and nothing of the batch is written.
 *
 * A transfer names its accounts as debit and credit rather than "from" and "to": which
 * way money "flows" depends on the account's normal side (balance-rules.ts), while debit
 * and credit mean one thing everywhere.
 */
import { InvalidInputError } from '../domain-error.ts';
import { describeBalanceRule, satisfiesBalanceRule, signedBalanceFen } from './balance-rules.ts';
import { rulesOfKind } from './account-kinds.ts';
import type { Account } from './accounts.ts';
import type { CivilDate } from './civil-dates.ts';
import { assertPositiveAmount, MAX_ACCOUNT_TOTAL_FEN } from './fen.ts';
import {
  AccountTotalLimitError,
  BalanceRuleBrokenError,
  DuplicateRecordError,
  UnknownAccountError,
} from './funds-errors.ts';
import type { FundsState } from './funds-state.ts';
import { assertId } from './identifiers.ts';
import type { StateOverlay } from './state-overlay.ts';
import type { TransferCode } from './transfer-codes.ts';

/** Most transfers one linked batch (one ledger entry) may hold; a batch's entry stays far below the ledger's 16 KiB. */
export const MAX_LINKED_TRANSFERS = 32;

export interface TransferOrder {
  debitAccountId: string;
  creditAccountId: string;
  amountFen: bigint;
  code: TransferCode;
}

/** Shape checks that need no state: count, ids, amounts, and debit ≠ credit. */
export function validateTransferOrders(orders: readonly TransferOrder[]): void {
  if (orders.length < 1 || orders.length > MAX_LINKED_TRANSFERS) {
    throw new InvalidInputError('transfers', `must hold 1 to ${MAX_LINKED_TRANSFERS} transfers`);
  }
  orders.forEach((order, index) => {
    assertId(order.debitAccountId, `transfers[${index}].debitAccountId`);
    assertId(order.creditAccountId, `transfers[${index}].creditAccountId`);
    assertPositiveAmount(order.amountFen, `transfers[${index}].amountFen`);
    if (order.debitAccountId === order.creditAccountId) {
      throw new InvalidInputError(`transfers[${index}]`, 'must debit and credit two different accounts');
    }
  });
}

function accountOf(overlay: StateOverlay<FundsState>, accountId: string): Account {
  const account = overlay.read('accounts', accountId);
  // An account of another community is as unknown as one that does not exist.
  if (!account || account.communityId !== overlay.base.communityId) throw new UnknownAccountError(accountId);
  return account;
}

function withTotal(account: Account, side: 'debitsFen' | 'creditsFen', amountFen: bigint, index: number): Account {
  const updated = { ...account, [side]: account[side] + amountFen };
  if (updated[side] > MAX_ACCOUNT_TOTAL_FEN) throw new AccountTotalLimitError(account.accountId, index);
  const { balanceRule, normalSide } = rulesOfKind(account.kind);
  if (!satisfiesBalanceRule(balanceRule, signedBalanceFen(updated))) {
    throw new BalanceRuleBrokenError(account.accountId, index, describeBalanceRule(balanceRule, normalSide));
  }
  return updated;
}

export function transferIdOf(sourceId: string, index: number): string {
  return `${sourceId}#${index}`;
}

/**
 * The record kind and id a transfer was posted for, as `<kind>:<id>` (`batch:…`,
 * `invoice:…`, `payment:…`, `late-fee:<invoice>/<step>`, …). Ids cannot contain ":", so
 * two records never share a source id and transfer ids never collide.
 */
export function sourceIdOf(recordKind: string, recordId: string): string {
  return `${recordKind}:${recordId}`;
}

function postTransfer(
  overlay: StateOverlay<FundsState>,
  sourceId: string,
  postedOn: CivilDate,
  order: TransferOrder,
  index: number,
): void {
  const debited = withTotal(accountOf(overlay, order.debitAccountId), 'debitsFen', order.amountFen, index);
  const credited = withTotal(accountOf(overlay, order.creditAccountId), 'creditsFen', order.amountFen, index);
  overlay.write('accounts', debited.accountId, debited);
  overlay.write('accounts', credited.accountId, credited);
  const transferId = transferIdOf(sourceId, index);
  if (overlay.read('transfers', transferId)) throw new DuplicateRecordError(`Transfer ${transferId}`);
  overlay.write('transfers', transferId, { transferId, sourceId, ...order, postedOn });
}

/**
 * Posts a linked batch into the overlay: account totals and one transfer record each.
 * Throws on the first broken rule; the caller then discards the overlay, so the batch is
 * all or nothing.
 */
export function postTransfers(
  overlay: StateOverlay<FundsState>,
  sourceId: string,
  postedOn: CivilDate,
  orders: readonly TransferOrder[],
): void {
  validateTransferOrders(orders);
  orders.forEach((order, index) => postTransfer(overlay, sourceId, postedOn, order, index));
}

/**
 * The transfers a rule posts one by one while it works out an entry (a fee rule posts the
 * invoice, then applies credit it can only compute after): each is posted at once, with
 * the next index, and `orders` is what the entry records. Zero amounts are skipped, since
 * "nothing moved" needs no transfer.
 */
export class TransferSequence {
  readonly orders: TransferOrder[] = [];
  private readonly overlay: StateOverlay<FundsState>;
  private readonly sourceId: string;
  private readonly postedOn: CivilDate;

  constructor(overlay: StateOverlay<FundsState>, sourceId: string, postedOn: CivilDate) {
    this.overlay = overlay;
    this.sourceId = sourceId;
    this.postedOn = postedOn;
  }

  post(order: TransferOrder): void {
    if (order.amountFen === 0n) return;
    const index = this.orders.length;
    if (index === MAX_LINKED_TRANSFERS)
      throw new InvalidInputError('transfers', `must hold at most ${MAX_LINKED_TRANSFERS} transfers`);
    validateTransferOrders([order]);
    postTransfer(this.overlay, this.sourceId, this.postedOn, order, index);
    this.orders.push(order);
  }
}
