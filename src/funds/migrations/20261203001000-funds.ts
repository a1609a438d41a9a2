import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * The funds projection (src/funds/funds-tables.ts): every table keyed by (community, key)
 * with the record as jsonb, written only in the transaction that appends the entry that
 * changed it. Amounts are numeric(20): fen up to MAX_ACCOUNT_TOTAL_FEN (10^15) fit.
 */
export class Migration20261203001000Funds extends SqlMigration {
  protected statements(): readonly string[] {
    const spine = `community_id uuid not null, key text not null, record jsonb not null`;
    const fen = (name: string) => `${name} numeric(20, 0) not null check (${name} >= 0)`;
    return [
      `create table money_accounts (${spine}, kind text not null, owner_id text, ${fen('debits_fen')}, ${fen('credits_fen')},
        primary key (community_id, key))`,
      `create table money_account_keys (${spine}, primary key (community_id, key))`,
      `create table money_transfers (${spine}, debit_account_id text not null, credit_account_id text not null,
        ${fen('amount_fen')}, code text not null, posted_on date not null, primary key (community_id, key))`,
      `create index money_transfers_debit on money_transfers (community_id, debit_account_id, posted_on)`,
      `create index money_transfers_credit on money_transfers (community_id, credit_account_id, posted_on)`,
      `create table money_idempotency_keys (${spine}, primary key (community_id, key))`,
      `create table money_approval_rules (${spine}, primary key (community_id, key))`,
      `create table money_spends (${spine}, status text not null, primary key (community_id, key))`,
    ];
  }
}
