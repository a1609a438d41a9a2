import { SqlMigration } from '../../db/sql-migration.ts';

/**
 * A log key's sealed private key may be re-sealed under a new master key (a master-key
 * rotation, src/privacy/master-key-rotation.ts); nothing else of a log key row changes,
 * and rows are still never deleted or truncated. The database allows an UPDATE of
 * `ledger_log_keys` only when it changes the sealed private key and nothing else.
 */
export class Migration20261216100000LedgerLogKeyResealing extends SqlMigration {
  protected statements(): readonly string[] {
    return [
      `create function ledger_log_keys_reseal_only() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' and new.sealed_private_key is distinct from old.sealed_private_key
         and to_jsonb(new) - 'sealed_private_key' = to_jsonb(old) - 'sealed_private_key' then
        return new;
      end if;
      raise exception 'ledger table % is append-only: % refused', tg_table_name, tg_op
        using errcode = '55000', hint = 'ledger_append_only';
    end
    $$`,
      `drop trigger ledger_log_keys_append_only on ledger_log_keys`,
      `create trigger ledger_log_keys_append_only before update or delete on ledger_log_keys
         for each row execute function ledger_log_keys_reseal_only()`,
    ];
  }
}
