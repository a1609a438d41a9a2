/**
 * The funds projection's tables (funds-state.ts) in the database: migration
 * 20261203001000-funds creates them; projection-tables.ts describes their shape.
 */
import type { Account } from './accounts.ts';
import type { Spend } from './expense-approval.ts';
import type { FundsState, TransferRecord } from './funds-state.ts';
import { column, projectionEntity, table, type ProjectionTables } from './projection-tables.ts';

export const FUNDS_TABLES: ProjectionTables<FundsState> = {
  accounts: table('money_accounts', 'account', [
    column('kind', 'text', (account: Account) => account.kind),
    column('owner_id', 'text', (account: Account) => account.ownerId, true),
    column('debits_fen', 'fen', (account: Account) => account.debitsFen),
    column('credits_fen', 'fen', (account: Account) => account.creditsFen),
  ]),
  accountIdsByKey: table('money_account_keys', 'account key'),
  transfers: table('money_transfers', 'transfer', [
    column('debit_account_id', 'text', (transfer: TransferRecord) => transfer.debitAccountId),
    column('credit_account_id', 'text', (transfer: TransferRecord) => transfer.creditAccountId),
    column('amount_fen', 'fen', (transfer: TransferRecord) => transfer.amountFen),
    column('code', 'text', (transfer: TransferRecord) => transfer.code),
    column('posted_on', 'date', (transfer: TransferRecord) => transfer.postedOn),
  ]),
  idempotency: table('money_idempotency_keys', 'idempotency key'),
  approvalRules: table('money_approval_rules', 'approval rule'),
  spends: table('money_spends', 'spend', [column('status', 'text', (spend: Spend) => spend.status)]),
};

export const fundsEntities = Object.values(FUNDS_TABLES).map(projectionEntity);
